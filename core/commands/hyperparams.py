"""`python -m core.cli hyperparams run`: the Hyperparameters page's comparisons (000 §2.4) without a browser.

    hyperparams run [--preset lr] [--vary lr=0.001,0.01,0.1] [--vary batch_size=32,128] [--csv out.csv]

One line per finished run; a diverged run is a result, not a failure (exit 0); a bad --vary exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path


def _parse_value(name: str, text: str):
    from core import experiments as ex

    if name == "channels":  # "16/32"
        c1, c2 = text.split("/")
        return int(c1), int(c2)
    if name in ("optimizer", "schedule"):
        return text
    kind = type(getattr(ex.Settings(), name))
    return kind(text)


def parse_vary(items: list[str]) -> dict:
    """["lr=0.001,0.01", "channels=16/32,32/64"] → {"lr": (0.001, 0.01), "channels": ((16, 32), (32, 64))}."""
    from core import experiments as ex

    vary = {}
    for item in items:
        name, _, values = item.partition("=")
        if name not in ex.CHOICES or not values:
            raise ValueError(f"--vary NAME=V1,V2 with NAME one of {', '.join(ex.CHOICES)}; got {item!r}")
        vary[name] = tuple(_parse_value(name, v) for v in values.split(","))
    return vary


def cmd_run(args: argparse.Namespace) -> int:
    from core import experiments as ex
    from core.data import load_mnist

    try:
        preset = ex.PRESETS[args.preset]
        vary = parse_vary(args.vary) if args.vary else dict(preset.vary)
        base = replace(ex.Settings(), **(preset.base if not args.vary else {}))
        if args.epochs:
            base = replace(base, epochs=args.epochs)
        if args.train_size:
            base = replace(base, train_size=args.train_size)
        specs = ex.grid(base, vary)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    split = load_mnist()
    data = ex.Data(split.x_train, split.y_train, split.x_test, split.y_test)
    queue = ex.RunQueue(ex.new_results(specs), data, args.device or "cpu")
    print(f"# data: {split.provenance.description}; {len(specs)} runs")
    for rec in queue.records():
        if rec["kind"] == "run_end":
            r = next(r for r in queue.runs if r.run_id == rec["run"])
            row = ex.table_rows([r])[0]
            acc = "-" if row["final_val_acc"] is None else f"{100 * row['final_val_acc']:.1f} %"
            best = "-" if row["best_val_acc"] is None else f"{100 * row['best_val_acc']:.1f} %"
            print(
                f"#{r.run_id} {row['settings']}: {r.status}{' (' + r.reason + ')' if r.reason else ''}, "
                f"val acc {acc} (best {best}, best epoch {row['best_epoch']}), {row['wall_s']:.1f} s, "
                f"{row['images_per_s']:,.0f} img/s, {row['params']:,} parameters"
            )
    if args.csv:
        Path(args.csv).write_text(ex.to_csv(queue.runs), encoding="utf-8")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from core import experiments as ex

    p = sub.add_parser("hyperparams", help="run a hyperparameter comparison of the course CNN")
    hsub = p.add_subparsers(dest="hyperparams_command", required=True)
    run = hsub.add_parser("run", help="train one run per combination; print a line per run")
    run.add_argument(
        "--preset", default="lr", choices=sorted(ex.PRESETS), help="a course exercise (default lr)"
    )
    run.add_argument(
        "--vary",
        action="append",
        default=[],
        help="NAME=V1,V2 instead of the preset (up to two), e.g. lr=0.001,0.01 or channels=16/32,32/64",
    )
    run.add_argument("--epochs", type=int, default=0, help="epochs per run (default: the preset's)")
    run.add_argument("--train-size", type=int, default=0, help="training images (default: the preset's)")
    run.add_argument("--csv", default="", help="write the results table to this CSV file")
    run.add_argument("--device", default=None, help="cpu (default), cuda, mps")
    run.set_defaults(func=cmd_run)
