"""GAN and cGAN part of bench/gen_quality.py: the shipped generators judged by the shipped CNN.

Targets:
  gan_diverse     every digit 0-9 is 4-20 % of 1,000 GAN samples (as read by the shipped CNN)
  gan_confident   >= 80 % of those samples read with confidence >= 0.9
  cgan_fidelity   MNIST cGAN: >= 95 % of 1,000 samples (100 per digit) read as the requested digit
  cgan_tog        a CNN trained only on cGAN samples reaches >= 90 % on the real test split; judged with
                  5x as many generated digits as real training digits (20,000: generated data is free,
                  the page offers the same choice); the same-count figure (4,000) is printed too
  gan_live_60s    60 s of live training (improved settings, this machine): >= 50 % of the fixed-z grid
                  is read as some digit with confidence >= 0.5 (a proxy for "digit-like strokes")
Run alone: `python bench/gen_quality_gan.py`; LAB_BENCH_SKIP_LIVE=1 skips the 60 s run.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from core import checkpoints, data, gan, metrics  # noqa: E402
from core.metrics import classify  # noqa: E402

SEED = 2024  # not the seeds the page shows first


def _load(name: str, family: str):
    try:
        return checkpoints.load(checkpoints.SHIPPED_DIR / name, expected_family=family).model
    except checkpoints.CheckpointError as e:
        return e


def live_60s(cnn, split) -> tuple[str, bool]:
    cfg = gan.with_overrides(gan.IMPROVED, epochs=1000)
    G, D = gan.build_models(cfg, False, torch.Generator().manual_seed(0))
    t0, epochs, grid = time.perf_counter(), 0, None
    for rec in gan.train_gan(cfg, split.x_train, G, D):
        if rec["kind"] == "epoch":
            epochs, grid = rec["epoch"], rec["grid"]
        if time.perf_counter() - t0 > 60:
            break
    if grid is None:
        return "live 60 s: not even one epoch finished", False
    _, conf = classify(cnn, torch.from_numpy(grid[:, None]).float() / 255)
    share = float((conf >= 0.5).mean())
    return (
        f"live 60 s: {epochs} epochs; fixed-z grid read with confidence >= 0.5: {100 * share:.0f}%",
        share >= 0.5,
    )


def report() -> tuple[list[str], dict[str, bool]]:
    lines: list[str] = []
    met: dict[str, bool] = {}
    cnn = _load("cnn_mnist.pth", "cnn.MNISTCNN")
    if isinstance(cnn, checkpoints.CheckpointError):
        return [f"shipped CNN unusable ({cnn.code}): nothing to judge with"], {
            k: False for k in ("gan_diverse", "gan_confident", "cgan_fidelity", "cgan_tog")
        }
    split = data.load_mnist()
    lines.append(f"data: {split.provenance.description}")

    G = _load("gan_mnist.pth", "gan.Generator")
    if isinstance(G, checkpoints.CheckpointError):
        lines.append(f"GAN: shipped generator unusable ({G.code})")
        met["gan_diverse"] = met["gan_confident"] = False
    else:
        q = metrics.gan_quality(G, cnn, n=1000, seed=SEED)
        shares = " ".join(f"{d}:{100 * s:.1f}%" for d, s in enumerate(q["shares"]))
        lines.append(f"GAN 1,000 samples, digit shares: {shares}")
        lines.append(
            f"GAN mean confidence {q['mean_conf']:.3f}; read with confidence >= 0.9: "
            f"{100 * q['confident']:.1f}% (target >= 80%)"
        )
        met["gan_diverse"] = bool(((q["shares"] >= 0.04) & (q["shares"] <= 0.20)).all())
        met["gan_confident"] = q["confident"] >= 0.80
        # one draw of 1,000 has a standard error of ~1.3 points: ten more draws say how typical it is
        more = [metrics.gan_quality(G, cnn, n=1000, seed=SEED + k)["confident"] for k in range(1, 11)]
        lines.append(
            f"GAN ten more draws of 1,000 (seeds {SEED + 1}-{SEED + 10}, informational): read with confidence "
            f">= 0.9 {100 * sum(more) / len(more):.1f}% on average (min {100 * min(more):.1f}%, "
            f"max {100 * max(more):.1f}%)"
        )

    C = _load("cgan_mnist.pth", "gan.CondGenerator")
    if isinstance(C, checkpoints.CheckpointError):
        lines.append(f"cGAN (MNIST): shipped generator unusable ({C.code})")
        met["cgan_fidelity"] = met["cgan_tog"] = False
    else:
        f = metrics.fidelity_per_digit(C, cnn, per_digit=100, seed=SEED)
        per = " ".join(f"{d}:{100 * v:.0f}%" for d, v in enumerate(f["per_digit"]))
        lines.append(
            f"cGAN (MNIST) label fidelity {100 * f['overall']:.1f}% (target >= 95%); per digit {per}"
        )
        met["cgan_fidelity"] = f["overall"] >= 0.95
        per_real = len(split.x_train) // 10
        for factor in (1, 5):
            r = metrics.train_on_generated(C, split, epochs=5, per_digit=factor * per_real, seed=0)
            target = " (target >= 90%)" if factor == 5 else " (as many as real: informational)"
            lines.append(
                f"cGAN (MNIST) classifier trained on {r['n_generated']:,} generated digits: "
                f"{100 * r['acc_generated']:.1f}% on the real test split{target}; "
                f"trained on {r['n_real']:,} real digits: {100 * r['acc_real']:.1f}%"
            )
        met["cgan_tog"] = r["acc_generated"] >= 0.90

    C8 = _load("cgan_digits.pth", "gan.CondGenerator")
    if not isinstance(C8, checkpoints.CheckpointError):  # informational: the lesson's own data
        digits = data.load_digits()
        judge = metrics.train_classifier(digits.x_train, digits.y_train, epochs=30)
        f8 = metrics.fidelity_per_digit(C8, judge, per_digit=100, seed=SEED)
        r8 = metrics.train_on_generated(C8, digits, epochs=30, seed=0)
        lines.append(
            f"cGAN (8x8 digits, informational): label fidelity {100 * f8['overall']:.1f}% "
            f"(judged by an MLP trained on real 8x8 digits); classifier on generated "
            f"{100 * r8['acc_generated']:.1f}% vs on real {100 * r8['acc_real']:.1f}%"
        )

    if os.environ.get("LAB_BENCH_SKIP_LIVE") != "1":
        line, ok = live_60s(cnn, split)
        lines.append(line)
        met["gan_live_60s"] = ok
    return lines, met


if __name__ == "__main__":
    out, targets = report()
    print("\n".join(out))
    print("targets: " + ", ".join(f"{k}={'ok' if v else 'MISSED'}" for k, v in targets.items()))
