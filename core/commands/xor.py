"""`python -m core.cli xor train`: the course's XOR script (000, Part 1, 1.4.2) as one command.

    xor train [--gate xor] [--hidden 2,2] [--activation sigmoid] [--optimizer adam] [--lr 0.05]
              [--epochs 1000] [--batch 4] [--seed 1]

prints one JSON line: gate, architecture, final loss, truth-table accuracy, seconds.
"""

from __future__ import annotations

import argparse
import json
import sys


def cmd_train(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from core.run_export import train_script
    from core.xor import XORConfig, train

    try:
        cfg = XORConfig(
            gate=args.gate,
            hidden=args.hidden,
            activation=args.activation,
            optimizer=args.optimizer,
            lr=args.lr,
            epochs=args.epochs,
            batch_size=args.batch,
            seed=args.seed,
        )
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.script:
        print(train_script("xor", asdict(cfg)), end="")
        return 0
    _, summary = train(cfg, args.device or "cpu")
    print(json.dumps(summary))
    return 1 if summary["diverged"] else 0


def register(sub: argparse._SubParsersAction) -> None:
    from core.xor import DEFAULT_SEED

    p = sub.add_parser("xor", help="train the XOR network of Part 1 on a logic gate")
    xsub = p.add_subparsers(dest="xor_command", required=True)
    tr = xsub.add_parser("train", help="train on a truth table; print final loss, accuracy and seconds")
    tr.add_argument("--gate", default="xor", type=str.upper, choices=("AND", "OR", "NAND", "XOR"))
    tr.add_argument(
        "--hidden", default="2,2", help="hidden layer sizes, e.g. 2,2 (course), 4, or '' for none"
    )
    tr.add_argument("--activation", default="sigmoid", choices=("sigmoid", "tanh", "relu"))
    tr.add_argument("--optimizer", default="adam", choices=("adam", "sgd"))
    tr.add_argument("--lr", type=float, default=0.05)
    tr.add_argument("--epochs", type=int, default=1000)
    tr.add_argument("--batch", type=int, default=4, help="1–4 rows of the truth table per update")
    tr.add_argument("--seed", type=int, default=DEFAULT_SEED)
    tr.add_argument("--device", default=None, help="cpu (default), cuda, mps")
    tr.add_argument("--script", action="store_true", help="print the standalone PyTorch script instead")
    tr.set_defaults(func=cmd_train)
