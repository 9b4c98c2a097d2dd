"""`gan sample` and `gan train`: the course's DCGAN (Part 3.2) from the command line.

    python -m core.cli gan sample --n 16 --seed 0 --out samples.npy
    python -m core.cli gan train --spectral-norm --augment --g-width 128 --d-width 64 --mapping 256 --mbstd \
        --g-refine --epochs 400 --threads 1 --device cpu --out checkpoints/gan_mnist.pth   # the shipped generator
"""

from __future__ import annotations

import argparse
import sys

from core.commands._gan import (
    MAX_SAMPLES,
    add_train_args,
    config_from_args,
    load_generator,
    save_generator,
    save_samples,
    train_generator,
)

SHIPPED = "gan_mnist.pth"
FAMILY = "gan.Generator"


def cmd_sample(args: argparse.Namespace) -> int:
    from core.gan import sample

    if not 1 <= args.n <= MAX_SAMPLES:
        print(f"error: --n must be between 1 and {MAX_SAMPLES}", file=sys.stderr)
        return 2
    G = load_generator(args.checkpoint, SHIPPED, FAMILY)
    if G is None:
        return 1
    return save_samples(sample(G, args.n, args.seed), args.out)


def gan_metrics(G, cnn, seed: int) -> dict:
    """The shipped CNN's reading of 1,000 samples, as bench/gen_quality_gan.py judges them."""
    from core.gan import gan_quality

    q = gan_quality(G, cnn, n=1000, seed=seed)
    return {
        "confident_share": q["confident"],
        "mean_confidence": q["mean_conf"],
        "min_digit_share": float(q["shares"].min()),
        "max_digit_share": float(q["shares"].max()),
        "digit_shares": [round(float(s), 4) for s in q["shares"]],
    }


def format_metrics(metrics: dict) -> str:
    return ", ".join(
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {' '.join(f'{s:.3f}' for s in v)}"
        for k, v in metrics.items()
    )


def cmd_train(args: argparse.Namespace) -> int:
    from core import data
    from core.commands import shipped_cnn

    cfg = config_from_args(args, mapping=args.mapping, g_refine=args.g_refine)
    split = data.load_mnist()
    cnn = shipped_cnn()

    def watch(G, epoch: int) -> None:
        if cnn is not None:  # seed 7, not the bench's 2024: watching must not pick by the bench's samples
            print(f"  epoch {epoch} (seed 7): {format_metrics(gan_metrics(G, cnn, seed=7))}", flush=True)

    trained = train_generator(args, cfg, split, watch)
    if trained is None:
        return 1
    G, epochs = trained
    metrics = {}
    if cnn is not None:  # judged by the shipped CNN, as bench/gen_quality_gan.py does
        metrics = gan_metrics(G, cnn.cpu(), seed=2024)
        print("metrics: " + format_metrics(metrics))
    save_generator(G, args.out, cfg, split, epochs, metrics, "gan")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gan", help="DCGAN on MNIST: sample from or train a generator")
    cmds = p.add_subparsers(dest="gan_command", required=True)
    s = cmds.add_parser("sample", help="N x 28 x 28 float32 samples in [0, 1] (white on black) to .npy")
    s.add_argument("--n", type=int, default=16)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", required=True)
    s.add_argument("--checkpoint", default=None, help=f"default: checkpoints/{SHIPPED}")
    s.set_defaults(func=cmd_sample)
    t = cmds.add_parser("train", help="train G and D on MNIST and save the generator")
    add_train_args(t)
    t.set_defaults(gan_kind="gan")
    t.add_argument(
        "--mapping",
        type=int,
        default=None,
        help="width of a 2-layer mapping network before G (StyleGAN; default: none)",
    )
    t.add_argument(
        "--g-refine",
        action="store_true",
        help="a 3x3 conv in G at 14x14, between its two upsamplings (default: none)",
    )
    t.add_argument("--out", default="gan_mnist.pth")
    t.set_defaults(func=cmd_train)
