"""`python -m core.cli cnn ...`: train the course CNN (000, Part 2, `mnist_cnn.py`) and read digit images.

cnn train --epochs 20 --lr 1e-3 --batch 64 --out checkpoints/cnn_mnist.pth
cnn predict --image a.png b.jpg [--checkpoint PATH]   # one JSON line per file, in order
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_CHECKPOINT = "cnn_mnist.pth"  # in checkpoints/


def cmd_train(args: argparse.Namespace) -> int:
    import torch

    from core import checkpoints
    from core.cnn import CNNTrainConfig, checkpoint_meta, make_train_iter
    from core.data import load_mnist
    from core.device import default_device
    from core.train import evaluate

    cfg = CNNTrainConfig(
        c1=args.c1,
        c2=args.c2,
        hidden=args.hidden,
        epochs=args.epochs,
        batch_size=args.batch,
        lr=args.lr,
        augment=not args.no_augment,
        train_size=args.train_size,
        seed=args.seed,
    )
    split = load_mnist()
    device = args.device or default_device().name
    model, make_iter = make_train_iter(cfg, split.x_train, split.y_train, split.x_test, split.y_test, device)
    print(f"data: {split.provenance.description}; device: {device}; config: {cfg}", file=sys.stderr)
    epochs_done = 0
    for rec in make_iter():
        if rec["kind"] == "diverged":
            print(f"diverged at epoch {rec['epoch']} (loss {rec['loss']}); nothing saved", file=sys.stderr)
            return 1
        if rec["kind"] == "epoch":
            epochs_done = rec["epoch"]
            print(
                f"epoch {rec['epoch']:3d}  train loss {rec['train_loss']:.4f}  train acc {rec['train_acc']:.4f}"
                f"  test loss {rec['val_loss']:.4f}  test acc {rec['val_acc']:.4f}  ({rec['elapsed']:.0f} s)",
                file=sys.stderr,
            )
    model.to("cpu").to(memory_format=torch.contiguous_format).eval()
    ev = evaluate(model, split.x_test, split.y_test, "nll")
    metrics = {"test_accuracy": ev["accuracy"], "test_loss": ev["loss"], "n_test": len(split.x_test)}
    meta = checkpoint_meta(cfg, split.provenance.as_dict(), epochs_done, metrics)
    meta["command"] = (
        f"python -m core.cli cnn train --epochs {cfg.epochs} --lr {cfg.lr} --batch {cfg.batch_size}"
        f" --c1 {cfg.c1} --c2 {cfg.c2} --hidden {cfg.hidden} --seed {cfg.seed} --out {args.out}"
        + (" --no-augment" if not cfg.augment else "")
        + (f" --train-size {cfg.train_size}" if cfg.train_size else "")
    )
    path = checkpoints.save(model, args.out, meta=meta, shipped=True)  # config: the model's model_args
    print(json.dumps({"out": str(path), "epochs": epochs_done, **metrics}))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from core import checkpoints
    from core.cnn import FAMILY, predict
    from core.models.cnn import CNNConfig
    from core.preprocess import PreprocessError, load_upload, to_mnist

    source = Path(args.checkpoint) if args.checkpoint else checkpoints.SHIPPED_DIR / DEFAULT_CHECKPOINT
    try:
        model = checkpoints.load(source, expected_family=FAMILY, default_config=asdict(CNNConfig())).model
    except checkpoints.CheckpointError as e:
        print(f"cannot use checkpoint {source}: {e}", file=sys.stderr)
        return 2
    status = 0
    for name in args.image:
        try:
            with open(name, "rb") as f:
                gray = load_upload(f)
            steps = to_mnist(gray)
        except (OSError, PreprocessError) as e:
            code = getattr(e, "code", "unreadable")
            print(json.dumps({"file": name, "error": code, "detail": str(e)}))
            status = 1
            continue
        if steps is None:
            print(json.dumps({"file": name, "error": "blank", "detail": "no ink found"}))
            status = 1
            continue
        probs = predict(model, steps.final)
        print(json.dumps({"digit": int(probs.argmax()), "probs": [round(float(p), 6) for p in probs]}))
    return status


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cnn", help="train the MNIST CNN of Part 2; predict digits in image files")
    csub = p.add_subparsers(dest="cnn_command", required=True)
    tr = csub.add_parser("train", help="train the course CNN and save a checkpoint")
    tr.add_argument("--epochs", type=int, default=20)
    tr.add_argument("--lr", type=float, default=1e-3)
    tr.add_argument("--batch", type=int, default=64)
    tr.add_argument("--c1", type=int, default=32, help="conv1 channels")
    tr.add_argument("--c2", type=int, default=64, help="conv2 channels")
    tr.add_argument("--hidden", type=int, default=256, help="dense layer width")
    tr.add_argument("--train-size", type=int, default=0, help="0 = whole training split")
    tr.add_argument("--no-augment", action="store_true", help="no random affine warps (the course's loop)")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--device", default=None, help="cpu, cuda, mps (default: best available)")
    tr.add_argument("--out", default=str(Path("checkpoints") / DEFAULT_CHECKPOINT))
    tr.set_defaults(func=cmd_train)
    pr = csub.add_parser("predict", help="read digits from image files (PNG, JPEG, BMP, GIF)")
    pr.add_argument("--image", nargs="+", required=True, metavar="FILE")
    pr.add_argument("--checkpoint", default=None, help=f"default: checkpoints/{DEFAULT_CHECKPOINT}")
    pr.set_defaults(func=cmd_predict)
