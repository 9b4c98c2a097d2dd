"""`python -m core.cli diffusion ...`: sample from and train the diffusion models of Part 3 (3.1.2).

diffusion sample --n 16 --seed 0 --out digits.npy            # N x 28 x 28 float32 in [0, 1], digits 0-9 in turn
diffusion sample --n 8 --label 3 --steps 10 --guidance 4 --out threes.npy
diffusion sample --n 1000 --guidance 3 --band 0.35 0.95 --out d.npy   # w only for noise levels t in (0.35, 0.95]
diffusion train --objective flow --flow-t uniform --label-dropout 0.3 --epochs 200 --threads 1 --device cpu \
    --steps 10 --eval-every 20 --out checkpoints/diffusion_mnist.pth   # the shipped model (bench/README.md)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from core.commands import guarded

SHIPPED = "diffusion_mnist.pth"
FAMILY = "diffusion.UNet"
MAX_SAMPLES = 100_000


def load_model(path: str | None):
    """(model, sampling defaults) from a checkpoint; the defaults are what its metadata names best, except
    the shipped model's guidance, which the independent judge chose after it was trained (`shipped_sampling`)."""
    from core import checkpoints

    loaded = checkpoints.load(path or checkpoints.SHIPPED_DIR / SHIPPED, expected_family=FAMILY)
    stored = dict(loaded.meta.get("sampling") or {})
    return loaded.model, shipped_sampling(stored) if path is None else stored


def shipped_sampling(stored: dict) -> dict:
    """The shipped checkpoint's sampling metadata with core's default guidance and band: its stored w = 2
    was chosen by the shipped CNN's agreement alone; bench/generative_eval.py chose the default with FID."""
    from core.diffusion import DEFAULT_BAND, DEFAULT_GUIDANCE

    return stored | {"guidance": DEFAULT_GUIDANCE, "band": list(DEFAULT_BAND)}


def sampling_defaults(model, stored: dict) -> dict:
    """The checkpoint's sampler, steps, guidance and band, else the objective's few-step sampler at core's
    default guidance and band."""
    from core.diffusion import DEFAULT_BAND, DEFAULT_GUIDANCE, DEFAULT_STEPS, default_sampler

    sampler = stored.get("sampler") or default_sampler(model)
    band = stored.get("band") or DEFAULT_BAND
    return {
        "sampler": sampler,
        "steps": int(stored.get("steps") or DEFAULT_STEPS[sampler]),
        "guidance": float(stored.get("guidance", DEFAULT_GUIDANCE)),
        "band": (float(band[0]), float(band[1])),
    }


def cmd_sample(args: argparse.Namespace) -> int:
    from core.diffusion import SAMPLERS, sample

    if not 1 <= args.n <= MAX_SAMPLES:
        raise ValueError(f"--n must be between 1 and {MAX_SAMPLES}")
    if args.label is not None and not 0 <= args.label <= 9:
        raise ValueError(f"--label must be a digit 0-9, got {args.label}")
    if args.steps is not None and not 1 <= args.steps <= 1000:
        raise ValueError(f"--steps must be between 1 and 1000, got {args.steps}")
    model, stored = load_model(args.checkpoint)
    d = sampling_defaults(model, stored)
    sampler = args.sampler or d["sampler"]
    if sampler not in SAMPLERS[model.objective]:
        raise ValueError(f"a {model.objective} model samples with {', '.join(SAMPLERS[model.objective])}")
    steps = args.steps or (d["steps"] if sampler == d["sampler"] else None)
    guidance = d["guidance"] if args.guidance is None else args.guidance
    band = d["band"] if args.band is None else tuple(args.band)
    if not 0 <= band[0] <= band[1] <= 1:
        raise ValueError(f"--band needs 0 <= LO <= HI <= 1, got {band[0]:g} {band[1]:g}")
    images = sample(
        model, args.n, args.seed, label=args.label, sampler=sampler, steps=steps, guidance=guidance, band=band
    )
    arr = images[:, 0].numpy().astype(np.float32)  # (N, 28, 28), white digits on black
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, arr)
    print(
        f"wrote {args.out}: {arr.shape[0]} x 28 x 28 float32 in [0, 1] ({sampler}, {steps or 'default'} steps, w = {guidance:g} for t in ({band[0]:g}, {band[1]:g}])"
    )
    return 0


def judge_figures(
    model,
    cnn,
    sampler: str,
    steps: int,
    guidance: float,
    seed: int = 2024,
    per_label: int = 100,
    n_unlabelled: int = 1000,
) -> dict:
    """The shipped CNN's reading, as bench/gen_quality_diffusion.py judges: per-label agreement at the
    default guidance (per_label samples of each digit) and the digit shares of n_unlabelled unlabelled ones."""
    from core.diffusion import agreement, unlabelled_quality

    a = agreement(model, cnn, per_label=per_label, seed=seed, sampler=sampler, steps=steps, guidance=guidance)
    u = unlabelled_quality(model, cnn, n=n_unlabelled, seed=seed, sampler=sampler, steps=steps)
    return {
        "agreement": a["overall"],
        "agreement_per_digit": [round(v, 4) for v in a["per_digit"]],
        "confident_share": a["confident"],
        "mean_confidence": a["mean_conf"],
        "unlabelled_digit_shares": [round(float(s), 4) for s in u["shares"]],
        "unlabelled_confident_share": u["confident"],
    }


def cmd_train(args: argparse.Namespace) -> int:
    import copy

    import torch

    from core import checkpoints, data
    from core.commands import pick_device, shipped_cnn
    from core.diffusion import (
        DEFAULT_STEPS,
        SAMPLERS,
        DiffusionConfig,
        build_model,
        train_diffusion,
    )

    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = DiffusionConfig(
        objective=args.objective,
        schedule=args.schedule,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        ema=args.ema,
        label_dropout=args.label_dropout,
        flow_t=args.flow_t,
        seed=args.seed,
        c1=args.c1,
        c2=args.c2,
    )
    sampler = args.sampler or SAMPLERS[cfg.objective][0]
    if sampler not in SAMPLERS[cfg.objective]:
        raise ValueError(f"a {cfg.objective} model samples with {', '.join(SAMPLERS[cfg.objective])}")
    steps = args.steps or DEFAULT_STEPS[sampler]
    split = data.load_mnist()
    device = pick_device(args.device)
    print(f"data: {split.provenance.description}; device: {device}; {cfg}", flush=True)
    g = torch.Generator().manual_seed(cfg.seed)
    model = build_model(cfg, g)
    ema = copy.deepcopy(model)  # the averaged weights are the ones saved and sampled
    cnn = shipped_cnn()
    epochs = 0
    for rec in train_diffusion(model, split.x_train, split.y_train, cfg, device, g, ema):
        if rec["kind"] == "diverged":
            print(f"error: the loss stopped being finite at step {rec['step']}: lower --lr", file=sys.stderr)
            return 1
        if rec["kind"] != "epoch":
            continue
        epochs = rec["epoch"]
        line = f"epoch {epochs:3d}  loss {rec['train_loss']:.4f}  ({rec['elapsed']:.0f} s)"
        if cnn is not None and args.eval_every and epochs % args.eval_every == 0:
            m = judge_figures(  # fewer samples, and seed 7, not the bench's 2024
                copy.deepcopy(ema).cpu(),
                cnn,
                sampler,
                steps,
                args.guidance,
                7,
                per_label=20,
                n_unlabelled=500,
            )
            line += f"  agreement (200 samples) {m['agreement']:.1%}  unlabelled (500) " + " ".join(
                f"{s:.0%}" for s in m["unlabelled_digit_shares"]
            )
        print(line, flush=True)
    model = ema.cpu().eval()
    metrics: dict = {}
    if cnn is not None:
        metrics = judge_figures(model, cnn, sampler, steps, args.guidance)
        print(
            f"agreement {metrics['agreement']:.1%}, confident {metrics['confident_share']:.1%}, "
            f"unlabelled shares {' '.join(f'{s:.1%}' for s in metrics['unlabelled_digit_shares'])}"
        )
    if args.out:
        meta = {
            "provenance": split.provenance.as_dict(),
            "epochs": epochs,
            "objective": cfg.objective,
            "train_config": cfg.as_dict(),
            "sampling": {"sampler": sampler, "steps": steps, "guidance": args.guidance},
            "metrics": metrics,
            "command": "python -m core.cli diffusion train " + " ".join(args.argv),
        }
        checkpoints.save(model, args.out, meta=meta, shipped=True)  # config: the U-Net's model_args
        print(f"saved {args.out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diffusion", help="diffusion models (DDPM, rectified flow): sample, train (Part 3)")
    cmds = p.add_subparsers(dest="diffusion_command", required=True)
    samplers = ("euler", "heun", "ddim", "ddpm")

    s = cmds.add_parser("sample", help="N x 28 x 28 float32 digits in [0, 1] (white on black) to .npy")
    s.add_argument("--n", type=int, default=16)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--label", type=int, default=None, help="digit 0-9 (default: the digits 0-9 in turn)")
    s.add_argument("--steps", type=int, default=None, help="sampler steps (default: the checkpoint's)")
    s.add_argument(
        "--guidance", type=float, default=None, help="guidance scale w (default: the checkpoint's)"
    )
    s.add_argument(
        "--band",
        type=float,
        nargs=2,
        metavar=("LO", "HI"),
        default=None,
        help="apply w only for noise levels t in (LO, HI] of [0, 1], w = 1 outside (default: the checkpoint's)",
    )
    s.add_argument("--sampler", choices=samplers, default=None, help="default: the checkpoint's")
    s.add_argument("--out", required=True)
    s.add_argument("--checkpoint", default=None, help=f"default: checkpoints/{SHIPPED}")
    s.set_defaults(func=guarded(cmd_sample))

    t = cmds.add_parser("train", help="train the U-Net on MNIST and save its moving-average weights")
    t.add_argument("--objective", choices=("flow", "ddpm"), default="flow")
    t.add_argument("--schedule", choices=("linear", "cosine"), default="linear", help="DDPM's beta schedule")
    t.add_argument("--epochs", type=int, default=20)
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--ema", type=float, default=0.999)
    t.add_argument("--label-dropout", type=float, default=0.1)
    t.add_argument(
        "--flow-t", choices=("logit_normal", "uniform"), default="logit_normal", help="flow matching's t"
    )
    t.add_argument("--c1", type=int, default=16)
    t.add_argument("--c2", type=int, default=32)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument(
        "--sampler", choices=samplers, default=None, help="the default sampler stored (and judged)"
    )
    t.add_argument("--steps", type=int, default=None, help="its steps (default: 20 Euler, 50 DDIM)")
    t.add_argument(
        "--guidance", type=float, default=2.0, help="the default guidance scale stored (and judged)"
    )
    t.add_argument("--device", default=None, help="cpu, cuda, mps (default: the lab's choice)")
    t.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    t.add_argument(
        "--eval-every",
        type=int,
        default=0,
        help="print the agreement and the unlabelled digit shares every N epochs (0: never)",
    )
    t.add_argument("--out", default=None, help="where to save (e.g. checkpoints/diffusion_mnist.pth)")
    t.set_defaults(func=guarded(cmd_train), argv=sys.argv[3:])
