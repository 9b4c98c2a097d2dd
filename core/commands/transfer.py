"""`python -m core.cli transfer run|source`: transfer learning (primer 001, 7.3) from the command line.

    transfer run --source 0-4 --target 5-9 --labels-per-class K --arm scratch|frozen|finetune [--seed S]
    transfer source --epochs 10 --seed 0 --out checkpoints/transfer_digits04.pth

`run` trains one arm on K labelled examples per class of the target and prints one JSON line: the target's
test accuracy and the trainable parameter count. `source` trains the pretrained network of 0-4 → 5-9 (the
course's CNN on the digits 0–4 only) and writes it with its test accuracy on 0–4 in the metadata.
"""

from __future__ import annotations

import argparse
import json
import sys


def cmd_run(args: argparse.Namespace) -> int:
    import torch

    from core import checkpoints
    from core import transfer as tr

    torch.set_num_threads(max(1, args.threads))
    try:
        cfg = tr.TransferConfig(
            source=args.source, target=args.target, arms=(args.arm,), labels=(args.labels_per_class,),
            steps=args.steps, lr=args.lr, finetune_lr=args.finetune_lr, seed=args.seed,
        )  # fmt: skip
        task = tr.load_task(cfg.target)
        source = tr.load_source(cfg.source)  # scratch too: the same network shape, random weights
    except (ValueError, LookupError, checkpoints.CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    r = tr.run_one(cfg, source, task, args.arm, args.labels_per_class)
    if r["kind"] == "diverged":
        print(json.dumps({"arm": args.arm, "diverged": True}))
        return 1
    out = {
        "source": cfg.source, "target": cfg.target, "arm": args.arm, "labels_per_class": args.labels_per_class,
        "seed": cfg.seed, "test_accuracy": r["test_accuracy"], "chance": tr.chance(task),
        "trainable_parameters": r["trainable"], "n_test": len(task.y_test), "seconds": round(r["seconds"], 2),
    }  # fmt: skip
    print(json.dumps(out))
    return 0


def cmd_source(args: argparse.Namespace) -> int:
    import torch

    from core import checkpoints
    from core import transfer as tr

    torch.set_num_threads(max(1, args.threads))
    task = tr.digits_task(0, 4)
    model = tr.train_source(task.x_train, task.y_train, args.epochs, args.seed)
    acc = tr.accuracy(model, task.x_test, task.y_test, task.n_classes)
    from core.data import load_mnist

    meta = {
        "provenance": load_mnist().provenance.as_dict(),
        "classes": list(task.classes),
        "metrics": {"test_accuracy": acc, "n_test": len(task.y_test)},
        "train": {"epochs": args.epochs, "seed": args.seed, "lr": 1e-3, "batch_size": 64},
        "command": f"python -m core.cli transfer source --epochs {args.epochs} --seed {args.seed} --out {args.out}",
    }
    checkpoints.save(model, args.out, meta=meta, shipped=checkpoints.is_shipped_path(args.out))
    print(json.dumps({"out": args.out, "test_accuracy_0_4": acc, "n_test": len(task.y_test)}))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from core.transfer import ARMS, MAX_LABELS, SOURCES, TARGETS

    p = sub.add_parser("transfer", help="transfer learning: scratch, frozen or fine-tuned (primer 7.3)")
    tsub = p.add_subparsers(dest="transfer_command", required=True)
    run = tsub.add_parser("run", help="train one arm on K labels per class; print the test accuracy")
    run.add_argument("--source", default="0-4", choices=tuple(SOURCES))
    run.add_argument("--target", default="5-9", choices=TARGETS)
    run.add_argument("--labels-per-class", type=int, default=10, help=f"1–{MAX_LABELS}")
    run.add_argument("--arm", default="frozen", choices=ARMS)
    run.add_argument("--steps", type=int, default=100, help="Adam updates (the page's default)")
    run.add_argument("--lr", type=float, default=1e-3, help="the head's (and scratch's) learning rate")
    run.add_argument("--finetune-lr", type=float, default=1e-4, help="the body's learning rate in finetune")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--threads", type=int, default=1, help="CPU threads (a shared server: 1)")
    run.set_defaults(func=cmd_run)
    src = tsub.add_parser("source", help="train the 0-4 network that 0-4 → 5-9 starts from")
    src.add_argument("--epochs", type=int, default=10)
    src.add_argument("--seed", type=int, default=0)
    src.add_argument("--threads", type=int, default=1)
    src.add_argument("--out", default="checkpoints/transfer_digits04.pth")
    src.set_defaults(func=cmd_source)
