"""The Transfer learning page's figures, on one CPU thread: test accuracy of each arm (scratch, frozen,
fine-tune) against labelled examples per class, over several seeds (mean ± standard deviation), the
seconds per run, and the target: at 10 labels per class the better transfer arm beats scratch by at
least 5 points (averaged over the seeds), each arm's run at 10 labels within 20 s.

    .venv/bin/python bench/transfer.py [--task digits|digits8|fashion|all] [--seeds 5] [--labels 1 5 10 50]
                                       [--steps 100] [--source-epochs 0]

`--source-epochs E` trains a new 0-4 network for E epochs instead of the shipped one (a source trained
longer or shorter). The last line is the summary.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core import transfer as tr  # noqa: E402

TASKS = {"digits": ("0-4", "5-9"), "digits8": ("0-9", "digits8"), "fashion": ("0-9", "fashion")}


def sweep(source_name: str, target: str, seeds: int, labels: list[int], steps: int, source=None) -> dict:
    """{(arm, k): ([accuracy per seed], [seconds per seed])}, printing one line per (arm, k)."""
    task = tr.load_task(target)
    source = source if source is not None else tr.load_source(source_name)
    out = {}
    for k in labels:
        for arm in tr.ARMS:
            accs, secs = [], []
            for seed in range(seeds):
                cfg = tr.TransferConfig(source=source_name, target=target, steps=steps, seed=seed)
                r = tr.run_one(cfg, source, task, arm, k)
                accs.append(r["test_accuracy"])
                secs.append(r["seconds"])
            out[(arm, k)] = (accs, secs)
            sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
            print(
                f"{source_name} → {target}  k={k:3d}  {arm:8s}  accuracy {100 * statistics.mean(accs):5.1f} ± "
                f"{100 * sd:4.1f} %  (min {100 * min(accs):.1f}, max {100 * max(accs):.1f}; "
                f"{statistics.mean(secs):.1f} s/run, {r['trainable']:,} trainable)",
                flush=True,
            )
    return out


def gain_at(results: dict, k: int) -> tuple[str, float]:
    """The better transfer arm at k and its mean gain over scratch, in points."""
    mean = {arm: statistics.mean(results[(arm, k)][0]) for arm in tr.ARMS if (arm, k) in results}
    best = max(("frozen", "finetune"), key=lambda a: mean.get(a, -1))
    return best, 100 * (mean[best] - mean["scratch"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="all", choices=(*TASKS, "all"))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--labels", type=int, nargs="+", default=list(tr.LABELS))
    parser.add_argument("--steps", type=int, default=100, help="updates per run (the page's default)")
    parser.add_argument("--source-epochs", type=int, default=0, help="train a new 0-4 source this long")
    args = parser.parse_args()
    torch.set_num_threads(1)
    tasks = list(TASKS) if args.task == "all" else [args.task]
    checks, lines = {}, []
    for name in tasks:
        source_name, target = TASKS[name]
        try:
            tr.load_task(target)
        except LookupError as e:
            print(f"{name}: skipped ({e})")
            continue
        source = None
        if args.source_epochs and source_name == "0-4":
            t0 = time.perf_counter()
            data = tr.digits_task(0, 4)
            source = tr.train_source(data.x_train, data.y_train, args.source_epochs)
            acc = tr.accuracy(source, data.x_test, data.y_test, 5)
            print(
                f"new 0-4 source: {args.source_epochs} epochs, {100 * acc:.1f} % on 0-4, {time.perf_counter() - t0:.0f} s"
            )
        results = sweep(source_name, target, args.seeds, args.labels, args.steps, source)
        for k in args.labels:
            best, gain = gain_at(results, k)
            lines.append(f"{name} k={k}: {best} {gain:+.1f} points")
        if 10 in args.labels:
            best, gain = gain_at(results, 10)
            checks[f"{name}_gain_at_10"] = gain >= 5.0
            slowest = max(statistics.mean(results[(arm, 10)][1]) for arm in tr.ARMS)
            checks[f"{name}_20s_per_run"] = slowest <= 20.0
    met = sum(checks.values())
    print(
        f"summary: {met}/{len(checks)} targets met ("
        + ", ".join(f"{k}={'ok' if v else 'no'}" for k, v in checks.items())
        + "); gains over scratch: "
        + "; ".join(lines)
    )


if __name__ == "__main__":
    main()
