"""`gan sample` and `gan train`: the course's DCGAN (Part 3.2) from the command line.

    python -m core.cli gan sample --n 16 --seed 0 --out samples.npy
    python -m core.cli gan train --spectral-norm --augment --g-width 128 --d-width 64 --mapping 256 --mbstd \
        --g-refine --epochs 400 --threads 1 --device cpu --out checkpoints/gan_mnist.pth   # the shipped generator
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the CLI imports torch only when a command runs
    from torch import nn

    from core.data import Split
    from core.gan import GanConfig

SHIPPED = "gan_mnist.pth"
FAMILY = "gan.Generator"
MAX_SAMPLES = 100_000


def add_train_args(p: argparse.ArgumentParser) -> None:
    """Options shared by `gan train` and `cgan train` (None = the preset's value)."""
    p.add_argument(
        "--preset",
        choices=("improved", "course"),
        default="improved",
        help="improved (batch norm, Adam betas 0.5, label smoothing) or the course's settings",
    )
    for name, typ in (
        ("epochs", int),
        ("batch-size", int),
        ("g-lr", float),
        ("d-lr", float),
        ("g-width", int),
        ("d-width", int),
        ("latent-dim", int),
        ("beta1", float),
        ("real-target", float),
        ("ema", float),
        ("aux-weight", float),
        ("lr-decay-from", float),
    ):
        p.add_argument(f"--{name}", type=typ, default=None)
    p.add_argument("--g-optimizer", choices=("adam", "sgd_momentum"), default=None)
    p.add_argument("--d-optimizer", choices=("adam", "sgd_momentum"), default=None)
    on_off = argparse.BooleanOptionalAction  # --flag / --no-flag; unset keeps the preset's value
    p.add_argument(
        "--spectral-norm", action=on_off, default=None, help="spectral norm in D (no batch norm there)"
    )
    p.add_argument(
        "--mbstd", action=on_off, default=None, help="minibatch std-dev feature in D (unconditional)"
    )
    p.add_argument(
        "--augment", action=on_off, default=None, help="DiffAugment: D sees shifted real and fake images"
    )
    p.add_argument("--d-batch-norm", action=on_off, default=None, help="batch norm in D too (default on)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1, mps (default: the lab's choice)")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument(
        "--eval-every",
        type=int,
        default=0,
        help="print the shipped CNN's reading of the samples every N epochs (0: at the end only)",
    )
    p.add_argument("--quiet", action="store_true")


def config_from_args(args: argparse.Namespace, **fixed):
    from core.gan import PRESETS, with_overrides

    keys = (
        "epochs",
        "batch_size",
        "g_lr",
        "d_lr",
        "g_width",
        "d_width",
        "latent_dim",
        "beta1",
        "real_target",
        "g_optimizer",
        "d_optimizer",
        "seed",
        "ema",
        "aux_weight",
        "spectral_norm",
        "mbstd",
        "augment",
        "d_batch_norm",
        "lr_decay_from",
    )
    return with_overrides(PRESETS[args.preset], **{k: getattr(args, k) for k in keys}, **fixed)


def pick_device(name: str | None) -> str:
    from core.device import default_device

    return name or default_device().name


def save_samples(images, out: str) -> int:
    """Write (N, S, S) float32 in [0, 1] to a .npy file."""
    arr = images[:, 0].numpy().astype(np.float32)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    np.save(out, arr)
    print(f"wrote {out}: {arr.shape[0]} x {arr.shape[1]} x {arr.shape[2]} float32 in [0, 1]")
    return 0


def load_generator(path: str | None, file_name: str, family: str):
    from core import checkpoints

    try:
        return checkpoints.load(path or checkpoints.SHIPPED_DIR / file_name, expected_family=family).model
    except checkpoints.CheckpointError as e:
        print(f"error: cannot use checkpoint {path or file_name}: {e}", file=sys.stderr)
        return None


def cmd_sample(args: argparse.Namespace) -> int:
    from core.gan import sample

    if not 1 <= args.n <= MAX_SAMPLES:
        print(f"error: --n must be between 1 and {MAX_SAMPLES}", file=sys.stderr)
        return 2
    G = load_generator(args.checkpoint, SHIPPED, FAMILY)
    if G is None:
        return 1
    return save_samples(sample(G, args.n, args.seed), args.out)


def log_epoch(rec: dict, quiet: bool) -> None:
    if rec["kind"] == "epoch" and not quiet:
        print(
            f"epoch {rec['epoch']:3d}  D loss {rec['d_loss']:.3f}  G loss {rec['g_loss']:.3f}  "
            f"D(x) {rec['d_real']:.2f}  D(G(z)) {rec['d_fake']:.2f}  {rec['elapsed']:.0f}s",
            flush=True,
        )


def shipped_cnn():
    """The shipped CNN that judges samples for the checkpoint's metrics, or None."""
    from core import checkpoints

    try:
        return checkpoints.load(
            checkpoints.SHIPPED_DIR / "cnn_mnist.pth", expected_family="cnn.MNISTCNN"
        ).model
    except checkpoints.CheckpointError:
        return None


def gan_metrics(G, cnn, seed: int) -> dict:
    """The shipped CNN's reading of 1,000 samples, as bench/gen_quality_gan.py judges them."""
    from core.metrics import gan_quality

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


def train_generator(
    args: argparse.Namespace, cfg: GanConfig, split: Split, watch: Callable[[nn.Module, int], None]
) -> tuple[nn.Module, int] | None:
    """What `gan train` and `cgan train` share: build G and D (and G's moving average when
    `cfg.ema > 0`), train on `split`, print each epoch, and every --eval-every epochs call
    `watch(copy of G, epoch)`. Returns (the generator to save, epochs done), or None if it diverged."""
    import copy

    import torch

    from core.gan import build_models, train_cgan, train_gan

    torch.set_num_threads(args.threads) if args.threads else None
    conditional = args.gan_kind == "cgan"
    g = torch.Generator().manual_seed(cfg.seed)
    G, D = build_models(cfg, conditional, g)
    G_ema = copy.deepcopy(G) if cfg.ema > 0 else None  # the averaged weights are the ones saved
    device = pick_device(args.device)
    kw = dict(device=device, generator=g, G_ema=G_ema)
    if conditional:
        records = train_cgan(cfg, split.x_train, split.y_train, G, D, **kw)
    else:
        records = train_gan(cfg, split.x_train, G, D, **kw)
    epochs = 0
    for rec in records:
        log_epoch(rec, args.quiet)
        if rec["kind"] == "diverged":
            print("error: the losses stopped being finite", file=sys.stderr)
            return None
        epochs = rec["epoch"] if rec["kind"] == "epoch" else epochs
        if rec["kind"] == "epoch" and args.eval_every and epochs % args.eval_every == 0:
            watch(copy.deepcopy(G_ema if G_ema is not None else G).cpu(), epochs)
    return (G_ema if G_ema is not None else G).cpu(), epochs


def save_generator(
    G: nn.Module, out: str, cfg: GanConfig, split: Split, epochs: int, metrics: dict, command: str
) -> None:
    """The shipped-checkpoint save of both commands: the generator with its data, config and metrics."""
    from core import checkpoints

    meta = {
        "provenance": split.provenance.as_dict(),
        "epochs": epochs,
        "train_config": cfg.as_dict(),
        "metrics": metrics,
        "command": f"python -m core.cli {command} train " + " ".join(sys.argv[3:]),
    }
    checkpoints.save(G, out, meta=meta, shipped=True)  # config: G's model_args
    print(f"saved {out}")


def cmd_train(args: argparse.Namespace) -> int:
    from core import data

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
