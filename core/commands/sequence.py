"""`python -m core.cli sequence train|predict`: the primer's time-series model (001, 7.2) as two commands.

    sequence train --series sine|sunspots|co2 --model rnn|lstm|gru [--window W] [--hidden H] [--layers L]
                   [--epochs E] [--lr LR] [--seed S] --out FILE.pth
    sequence predict --checkpoint FILE.pth [--series ...] --horizon K

`train` learns the series' training part and prints, last, one JSON line: the model's one-step MAE and
RMSE over the test part (in the series' units), every baseline's, and the free-running MAE over the first
10 and 50 test values. `predict` prints the free-running forecast of the K values after the training part.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict


def cmd_train(args: argparse.Namespace) -> int:
    import torch

    from core import checkpoints
    from core import sequence as sq

    torch.set_num_threads(max(1, args.threads))
    try:
        cfg = sq.SequenceConfig(
            series=args.series, model=args.model, hidden=args.hidden, layers=args.layers, window=args.window,
            lr=args.lr, epochs=args.epochs, seed=args.seed, noise=args.noise,
        )  # fmt: skip
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    model, s, history = sq.fit(cfg)
    diverged = bool(history) and history[-1]["kind"] == "diverged"
    out = sq.summary(model, s, cfg) | {"epochs": cfg.epochs, "diverged": diverged}
    if args.out:
        meta = {"settings": asdict(cfg), "metrics": {"mae": out["mae"], "rmse": out["rmse"]}}
        checkpoints.save(model, args.out, meta=meta)
    print(json.dumps(out))
    return 1 if diverged else 0


def cmd_predict(args: argparse.Namespace) -> int:
    from core import checkpoints
    from core import sequence as sq

    try:
        loaded = checkpoints.load(args.checkpoint, expected_family="sequence.SequenceNet")
    except checkpoints.CheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    settings = dict(loaded.meta.get("settings") or {})
    cfg = sq.SequenceConfig(**{**settings, **({"series": args.series} if args.series else {})})
    s = sq.load_series(cfg.series, cfg.noise, cfg.second)
    forecast = sq.free_run(sq.network_stepper(loaded.model), s, cfg.window, args.horizon)
    times = s.times[s.n_train : s.n_train + len(forecast)]
    print(json.dumps({"series": cfg.series, "times": times.tolist(), "forecast": forecast.tolist()}))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from core.sequence import MODELS, SERIES

    p = sub.add_parser("sequence", help="train an RNN/LSTM/GRU on a time series (primer 7.2)")
    ssub = p.add_subparsers(dest="sequence_command", required=True)
    tr = ssub.add_parser("train", help="train on the series' past; print test errors beside the baselines")
    tr.add_argument("--series", default="sine", choices=SERIES)
    tr.add_argument("--model", default="lstm", choices=MODELS)
    tr.add_argument("--window", type=int, default=10, help="values each prediction reads (primer: 10)")
    tr.add_argument("--hidden", type=int, default=50, help="hidden size (primer: 50)")
    tr.add_argument("--layers", type=int, default=1)
    tr.add_argument("--epochs", type=int, default=150, help="passes over the windows (primer: 150)")
    tr.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (primer: 0.001)")
    tr.add_argument("--noise", type=float, default=0.0, help="sine only: noise standard deviation")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--threads", type=int, default=1, help="CPU threads (a shared server: 1)")
    tr.add_argument("--out", default="", help="write the model here (FILE.pth)")
    tr.set_defaults(func=cmd_train)
    pr = ssub.add_parser("predict", help="print the free-running forecast after the training part")
    pr.add_argument("--checkpoint", required=True)
    pr.add_argument("--series", default="", choices=("", *SERIES), help="default: the checkpoint's")
    pr.add_argument("--horizon", type=int, default=10, help="values to forecast")
    pr.set_defaults(func=cmd_predict)
