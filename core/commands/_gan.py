"""What `gan train` and `cgan train` (and their `sample`s) share: the training options, the loop that
prints each epoch, the shipped-checkpoint save. Not a command itself (core.cli skips modules named _*):
the two topics' command modules import it, so neither imports the other."""

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
    from core.configs import with_overrides
    from core.gan import PRESETS

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


def log_epoch(rec: dict, quiet: bool) -> None:
    if rec["kind"] == "epoch" and not quiet:
        print(
            f"epoch {rec['epoch']:3d}  D loss {rec['d_loss']:.3f}  G loss {rec['g_loss']:.3f}  "
            f"D(x) {rec['d_real']:.2f}  D(G(z)) {rec['d_fake']:.2f}  {rec['elapsed']:.0f}s",
            flush=True,
        )


def train_generator(
    args: argparse.Namespace, cfg: GanConfig, split: Split, watch: Callable[[nn.Module, int], None]
) -> tuple[nn.Module, int] | None:
    """What `gan train` and `cgan train` share: build G and D (and G's moving average when
    `cfg.ema > 0`), train on `split`, print each epoch, and every --eval-every epochs call
    `watch(copy of G, epoch)`. Returns (the generator to save, epochs done), or None if it diverged."""
    import copy

    import torch

    from core.commands import pick_device
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
