"""`python -m core.cli images train|predict`: the image-classification guide (002) as two commands.

    images train --dataset fashion|cifar10|coloured-mnist [--model simple|deeper] [--epochs E] [--seed S]
                 [--limit N] [--flip] [--crop] --out FILE.pth
    images predict --dataset fashion --npy X.npy [--checkpoint FILE.pth]

`train` learns the data set's training images and prints, last, one JSON line: dataset, test_acc (on the
whole official test set), params. `predict` reads an (N, 28, 28) uint8 array (N, 32, 32, 3 for CIFAR-10)
and prints one class index per line, with the shipped model (checkpoints/cifar_fashion.pth) by default.

The shipped model was trained with:
    python -m core.cli images train --dataset fashion --model deeper --width 32 --epochs 14 \
        --batch-size 128 --lr 0.0015 --flip --limit 0 --threads 2 --out checkpoints/cifar_fashion.pth
"""

from __future__ import annotations

import argparse
import json
import sys

SHIPPED = "cifar_fashion.pth"
FAMILIES = ("simple_cnn.SimpleCNN", "simple_cnn.DeeperCNN")
MAX_NPY_BYTES = 200 * 1024 * 1024  # 10,000 CIFAR images are 30 MB; a bigger file is not a batch of ours


def _dataset(name: str) -> str:
    return name.replace("-", "_")  # coloured-mnist on the command line, coloured_mnist in core


def cmd_train(args: argparse.Namespace) -> int:
    import torch

    from core import checkpoints, image_data
    from core import cifar as cf

    torch.set_num_threads(max(1, args.threads))
    try:
        cfg = cf.CifarConfig(
            dataset=_dataset(args.dataset), model=args.model, width=args.width, epochs=args.epochs, batch_size=args.batch_size,
            lr=args.lr, seed=args.seed, flip=args.flip, crop=args.crop, jitter=args.jitter, grey=args.grey,
            train_limit=args.limit, test_limit=0, evals_per_epoch=1,
        )  # fmt: skip
        data = cf.load(cfg.dataset)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except image_data.DataUnavailable as e:
        print(f"error: {e.name} is not available ({e.reason}): {e}", file=sys.stderr)
        return 2
    model, recs = cf.fit(cfg, data)
    for r in recs:
        print(json.dumps(r), file=sys.stderr)  # progress on stderr
    diverged = bool(recs) and recs[-1]["kind"] == "diverged"
    test = cf.evaluate(model, data.x_test, data.y_test) if not diverged else {"accuracy": float("nan")}
    out = {
        "dataset": cfg.dataset,
        "test_acc": test["accuracy"],
        "params": sum(p.numel() for p in model.parameters()),
        "epochs": cfg.epochs,
        "diverged": diverged,
    }
    if args.out and not diverged:
        metrics = {
            "test_accuracy": test["accuracy"],
            "n_test": len(data.y_test),
            "n_train": len(cf.prepared(data, cfg).y_train),
        }
        checkpoints.save(model, args.out, meta=cf.checkpoint_meta(cfg, data, cfg.epochs, metrics))
    print(json.dumps(out))
    return 1 if diverged else 0


def cmd_predict(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from core import checkpoints, image_data

    path = args.checkpoint or str(checkpoints.SHIPPED_DIR / SHIPPED)
    try:
        loaded = checkpoints.load(path)
        if loaded.family not in FAMILIES:
            raise checkpoints.CheckpointError("foreign", f"{loaded.family} is not one of {FAMILIES}")
    except checkpoints.CheckpointError as e:
        print(f"error: {path}: {e}", file=sys.stderr)
        return 2
    try:
        with open(args.npy, "rb") as f:
            if f.seek(0, 2) > MAX_NPY_BYTES:
                raise ValueError(f"larger than {MAX_NPY_BYTES // 2**20} MB")
            f.seek(0)
            x = np.load(f, allow_pickle=False)
    except (OSError, ValueError) as e:
        print(f"error: {args.npy}: {e}", file=sys.stderr)
        return 2
    model = loaded.model.eval()
    c, s = model.in_channels, model.size
    expected = (s, s) if c == 1 else (s, s, c)
    if x.dtype != np.uint8 or x.ndim != len(expected) + 1 or tuple(x.shape[1:]) != expected:
        print(
            f"error: expected uint8 (N, {', '.join(map(str, expected))}), got {x.dtype} {x.shape}",
            file=sys.stderr,
        )
        return 2
    data = loaded.meta.get("data", {}).get("name")
    if data and _dataset(args.dataset) != data:
        print(f"error: the checkpoint was trained on {data}, not {args.dataset}", file=sys.stderr)
        return 2
    with torch.inference_mode():
        images = image_data.to_tensor(x)
        pred = torch.cat([model(images[i : i + 500]).argmax(1) for i in range(0, len(images), 500)])
    print("\n".join(str(int(p)) for p in pred))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from core.image_data import DATASETS
    from core.models.simple_cnn import MODELS

    names = tuple(d.replace("_", "-") for d in DATASETS)
    p = sub.add_parser("images", help="train the guide's SimpleCNN on Fashion-MNIST or CIFAR-10 (course 002)")
    isub = p.add_subparsers(dest="images_command", required=True)
    tr = isub.add_parser("train", help="train; print the official test accuracy as JSON")
    tr.add_argument("--dataset", default="fashion", choices=names)
    tr.add_argument("--model", default="simple", choices=tuple(MODELS))
    tr.add_argument("--width", type=int, default=16, help="the deeper model's first channels")
    tr.add_argument("--epochs", type=int, default=5, help="passes over the training images (guide: 5)")
    tr.add_argument("--batch-size", type=int, default=32, help="guide: 32")
    tr.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (guide: 0.001)")
    tr.add_argument("--limit", type=int, default=0, help="training images (0: all)")
    tr.add_argument("--flip", action="store_true", help="RandomHorizontalFlip")
    tr.add_argument("--crop", action="store_true", help="RandomCrop(size, padding=4)")
    tr.add_argument("--jitter", action="store_true", help="ColorJitter")
    tr.add_argument("--grey", action="store_true", help="read colour images as grey")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--threads", type=int, default=1, help="CPU threads (a shared server: 1)")
    tr.add_argument("--out", default="", help="write the model here (FILE.pth)")
    tr.set_defaults(func=cmd_train)
    pr = isub.add_parser("predict", help="print one class index per image of an .npy array")
    pr.add_argument("--dataset", default="fashion", choices=names)
    pr.add_argument("--npy", required=True, help="uint8 (N, 28, 28), or (N, 32, 32, 3) for CIFAR-10")
    pr.add_argument("--checkpoint", default="", help=f"default: checkpoints/{SHIPPED}")
    pr.set_defaults(func=cmd_predict)
