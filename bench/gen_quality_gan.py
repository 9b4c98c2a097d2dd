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
  gan_live_page   the GAN page's default run (core.gan.LIVE, as the page starts it): >= 80 % of 500 samples
                  read with confidence >= 0.5 at its end; its time is printed in wall and CPU seconds, and
                  as a ratio to the improved settings' epoch (the 60 s run's pace), since other work on the
                  machine slows the wall clock; the figures after every 10 epochs say what more would give
Run alone: `python bench/gen_quality_gan.py`; LAB_BENCH_SKIP_LIVE=1 skips both live runs;
`python bench/gen_quality_gan.py --page [EPOCHS]` runs only the page's default run (for EPOCHS epochs).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from core import checkpoints, configs, data, gan, metrics  # noqa: E402
from core.metrics import classify  # noqa: E402

SEED = 2024  # not the seeds the page shows first


def _load(name: str, family: str):
    try:
        return checkpoints.load(checkpoints.SHIPPED_DIR / name, expected_family=family).model
    except checkpoints.CheckpointError as e:
        return e


def live_60s(cnn, split) -> tuple[str, bool]:
    cfg = configs.with_overrides(gan.IMPROVED, epochs=1000)
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


def _readable(cnn, G, z: torch.Tensor) -> tuple[float, float]:
    """Shares of G(z) the CNN reads with confidence >= 0.5 and >= 0.9."""
    _, conf = classify(cnn, gan.generate(G, z))
    return float((conf >= 0.5).mean()), float((conf >= 0.9).mean())


REFERENCE_PACE = 60 / 29  # s per epoch of the improved settings when this machine was idle (the 60 s run)


def _epoch_seconds(split, cfg: gan.GanConfig) -> float:
    """CPU seconds of one epoch of `cfg`: the yardstick the page's run is timed against. CPU time, not
    wall time: other work on a shared machine stretches the wall clock of one run and not of the other."""
    G, D = gan.build_models(cfg, False, torch.Generator().manual_seed(0))
    c0 = time.process_time()
    for _ in gan.train_gan(configs.with_overrides(cfg, epochs=1), split.x_train, G, D):
        pass
    return time.process_time() - c0


def live_page(cnn, split, epochs: int | None = None) -> tuple[list[str], bool]:
    """The GAN page's first run: `core.gan.LIVE` through `ui.lessons.gan.page_defaults` (what the page's
    widgets start with) on the page's data, with the page's 64-image grid, judged on 500 samples."""
    from ui.lessons.gan import page_defaults  # the page's own defaults; Streamlit is not started

    cfg = configs.with_overrides(page_defaults("improved"), n_fixed=64, epochs=epochs)
    ref = _epoch_seconds(split, gan.IMPROVED)
    G, D = gan.build_models(cfg, False, torch.Generator().manual_seed(cfg.seed))
    z = gan.latents(500, cfg.latent_dim, SEED)
    lines = [
        f"page run: {cfg.epochs} epochs, batch {cfg.batch_size}, lr G {cfg.g_lr:g} / D {cfg.d_lr:g}, "
        f"{len(split.x_train):,} images; yardstick: one improved epoch took {ref:.1f} s of CPU here"
    ]
    wall = cpu = 0.0
    share = (0.0, 0.0)
    t0, c0 = time.perf_counter(), time.process_time()
    for rec in gan.train_gan(cfg, split.x_train, G, D, generator=torch.Generator().manual_seed(cfg.seed)):
        if rec["kind"] != "epoch":
            continue
        wall, cpu = wall + time.perf_counter() - t0, cpu + time.process_time() - c0
        if rec["epoch"] % 10 == 0 or rec["epoch"] == cfg.epochs:
            share = _readable(cnn, G, z)  # not timed
            lines.append(
                f"page run, epoch {rec['epoch']}: {wall:.0f} s wall ({cpu:.0f} s CPU) = {cpu / ref:.1f} "
                f"yardstick epochs, about {cpu / ref * REFERENCE_PACE:.0f} s on an idle machine; "
                f"500 samples read with confidence >= 0.5: {100 * share[0]:.0f}%, >= 0.9: {100 * share[1]:.0f}%"
            )
        t0, c0 = time.perf_counter(), time.process_time()
    return lines, share[0] >= 0.8


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
        q = gan.gan_quality(G, cnn, n=1000, seed=SEED)
        shares = " ".join(f"{d}:{100 * s:.1f}%" for d, s in enumerate(q["shares"]))
        lines.append(f"GAN 1,000 samples, digit shares: {shares}")
        lines.append(
            f"GAN mean confidence {q['mean_conf']:.3f}; read with confidence >= 0.9: "
            f"{100 * q['confident']:.1f}% (target >= 80%)"
        )
        met["gan_diverse"] = bool(((q["shares"] >= 0.04) & (q["shares"] <= 0.20)).all())
        met["gan_confident"] = q["confident"] >= 0.80
        # one draw of 1,000 has a standard error of ~1.3 points: ten more draws say how typical it is
        more = [gan.gan_quality(G, cnn, n=1000, seed=SEED + k)["confident"] for k in range(1, 11)]
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
        f = gan.fidelity_per_digit(C, cnn, per_digit=100, seed=SEED)
        per = " ".join(f"{d}:{100 * v:.0f}%" for d, v in enumerate(f["per_digit"]))
        lines.append(
            f"cGAN (MNIST) label fidelity {100 * f['overall']:.1f}% (target >= 95%); per digit {per}"
        )
        met["cgan_fidelity"] = f["overall"] >= 0.95
        per_real = len(split.x_train) // 10
        for factor in (1, 5):
            r = gan.train_on_generated(C, split, epochs=5, per_digit=factor * per_real, seed=0)
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
        f8 = gan.fidelity_per_digit(C8, judge, per_digit=100, seed=SEED)
        r8 = gan.train_on_generated(C8, digits, epochs=30, seed=0)
        lines.append(
            f"cGAN (8x8 digits, informational): label fidelity {100 * f8['overall']:.1f}% "
            f"(judged by an MLP trained on real 8x8 digits); classifier on generated "
            f"{100 * r8['acc_generated']:.1f}% vs on real {100 * r8['acc_real']:.1f}%"
        )

    if os.environ.get("LAB_BENCH_SKIP_LIVE") != "1":
        line, ok = live_60s(cnn, split)
        lines.append(line)
        met["gan_live_60s"] = ok
        page_lines, met["gan_live_page"] = live_page(cnn, split)
        lines += page_lines
    return lines, met


if __name__ == "__main__":
    if "--page" in sys.argv:  # only the page's default run, optionally for another number of epochs
        arg = sys.argv[sys.argv.index("--page") + 1 :]
        judge = _load("cnn_mnist.pth", "cnn.MNISTCNN")
        page_lines, ok = live_page(judge, data.load_mnist(allow_download=False), int(arg[0]) if arg else None)
        print("\n".join(page_lines))
        print(f"targets: gan_live_page={'ok' if ok else 'MISSED'}")
        sys.exit(0)
    out, targets = report()
    print("\n".join(out))
    print("targets: " + ", ".join(f"{k}={'ok' if v else 'MISSED'}" for k, v in targets.items()))
