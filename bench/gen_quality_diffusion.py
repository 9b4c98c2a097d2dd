"""Diffusion part of bench/gen_quality.py: the shipped diffusion model judged by the shipped CNN.

Targets:
  diffusion_diverse      every digit 0-9 is 4-20 % of 1,000 unlabelled samples ("no class", w = 0)
  diffusion_agreement    >= 98 % of 1,000 samples (100 per digit) at the default sampler, steps and guidance
                         are read as the digit asked for
  diffusion_vs_gan       those samples are read with confidence >= 0.9 more often than the shipped GAN's
                         1,000 (the GAN bench's draw)
  diffusion_1000_60s     1,000 samples with the default sampler in under 60 s
  diffusion_64_5s        64 samples (what the page asks for) in under 5 s
  diffusion_live         (--live only) the page's default run reaches >= 80 % agreement within 5 minutes
`--sweep` also prints agreement and time per sampler, steps and guidance scale (300 samples each).
Run alone: `python bench/gen_quality_diffusion.py [--sweep] [--live]`; the last line is a summary.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from core import checkpoints, data  # noqa: E402
from core import diffusion as D  # noqa: E402
from core.commands.diffusion import FAMILY, SHIPPED, sampling_defaults  # noqa: E402
from core.gan import gan_quality  # noqa: E402

SEED = 2024  # the GAN bench's seed; not the seeds the page shows first
SHARE_RANGE, AGREEMENT, LIVE_AGREEMENT, LIVE_SECONDS = (0.04, 0.20), 0.98, 0.80, 300.0


def _timed(fn, cpu: list | None = None):
    """(fn(), wall seconds); appends the process's CPU seconds to `cpu` (other work on the machine slows
    the wall clock, not the CPU time)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    if cpu is not None:
        cpu.append(time.process_time() - c0)
    return out, time.perf_counter() - t0


def sweep(model, cnn) -> list[str]:
    """Agreement (30 per digit) and seconds per 100 samples for each sampler, steps and guidance."""
    lines = []
    samplers = D.SAMPLERS[model.objective]
    runs = [(samplers[0], s, 2.0) for s in (5, 10, 20, 50)] + [(samplers[1], 10, 2.0)]
    runs += [(samplers[0], 20, w) for w in (0.0, 1.0, 3.0, 4.0)]
    for sampler, steps, w in runs:
        a, secs = _timed(lambda: D.agreement(model, cnn, 30, SEED, sampler, steps, w))  # noqa: B023
        lines.append(
            f"sweep: {sampler:5s} {steps:3d} steps, w = {w:g}: agreement {a['overall']:.1%}, "
            f"confident {a['confident']:.1%}, {100 * secs / 300:.2f} s per 100 samples"
        )
    return lines


def live(cnn, split) -> tuple[str, bool]:
    """The page's default run, stopped at LIVE_SECONDS, judged by 500 samples of its moving average."""
    cfg = D.LIVE
    g = torch.Generator().manual_seed(cfg.seed)
    model = D.build_model(cfg, g)
    ema = copy.deepcopy(model)
    t0, epochs = time.perf_counter(), 0
    for rec in D.train_diffusion(model, split.x_train, split.y_train, cfg, "cpu", g, ema):
        epochs = rec.get("epoch", epochs)
        if time.perf_counter() - t0 > LIVE_SECONDS:
            break
    secs = time.perf_counter() - t0
    a = D.agreement(ema.eval(), cnn, 50, SEED, guidance=cfg.guidance)
    return (
        f"live: page default run, {epochs} epochs in {secs:.0f} s: agreement {a['overall']:.1%} "
        f"(target >= {LIVE_AGREEMENT:.0%} within {LIVE_SECONDS:.0f} s)",
        a["overall"] >= LIVE_AGREEMENT,
    )


def report(with_sweep: bool = False, with_live: bool = False) -> tuple[list[str], dict[str, bool]]:
    names = (
        "diffusion_diverse",
        "diffusion_agreement",
        "diffusion_vs_gan",
        "diffusion_1000_60s",
        "diffusion_64_5s",
    )
    try:
        cnn = checkpoints.load(
            checkpoints.SHIPPED_DIR / "cnn_mnist.pth", expected_family="cnn.MNISTCNN"
        ).model
        loaded = checkpoints.load(checkpoints.SHIPPED_DIR / SHIPPED, expected_family=FAMILY)
    except checkpoints.CheckpointError as e:
        return [f"not usable ({e.code}): diffusion targets not judged"], dict.fromkeys(names, False)
    model, meta = loaded.model, loaded.meta
    d = sampling_defaults(model, meta.get("sampling") or {})
    lines = [
        f"{SHIPPED}: {model.objective}, {meta.get('epochs')} epochs, "
        f"{sum(p.numel() for p in model.parameters()):,} parameters; default {d['sampler']} "
        f"{d['steps']} steps, w = {d['guidance']:g}; threads {torch.get_num_threads()}"
    ]
    met: dict[str, bool] = {}

    u = D.unlabelled_quality(model, cnn, 1000, SEED, d["sampler"], d["steps"])
    shares = u["shares"]
    lines.append(
        "1,000 unlabelled samples read as "
        + " ".join(f"{k}:{s:.1%}" for k, s in enumerate(shares))
        + f" (target each {SHARE_RANGE[0]:.0%}-{SHARE_RANGE[1]:.0%}); confident {u['confident']:.1%}"
    )
    met["diffusion_diverse"] = bool(shares.min() >= SHARE_RANGE[0] and shares.max() <= SHARE_RANGE[1])

    cpu: list[float] = []
    a, secs_1000 = _timed(
        lambda: D.agreement(model, cnn, 100, SEED, d["sampler"], d["steps"], d["guidance"]), cpu
    )
    lines.append(
        f"1,000 samples asked for 0-9: read as asked {a['overall']:.1%} (target >= {AGREEMENT:.0%}); per digit "
        + " ".join(f"{k}:{v:.0%}" for k, v in enumerate(a["per_digit"]))
    )
    met["diffusion_agreement"] = a["overall"] >= AGREEMENT

    G = checkpoints.load(checkpoints.SHIPPED_DIR / "gan_mnist.pth", expected_family="gan.Generator").model
    q, gan_secs = _timed(lambda: gan_quality(G, cnn, n=1000, seed=SEED))
    lines.append(
        f"confidence >= 0.9: diffusion {a['confident']:.1%} (mean {a['mean_conf']:.3f}) vs shipped GAN "
        f"{q['confident']:.1%} (mean {q['mean_conf']:.3f}); unlabelled diffusion {u['confident']:.1%}"
    )
    met["diffusion_vs_gan"] = a["confident"] > q["confident"]

    _, secs_64 = _timed(
        lambda: D.sample(model, 64, SEED + 1, sampler=d["sampler"], steps=d["steps"], guidance=d["guidance"]),
        cpu,
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines.append(
        f"time: 1,000 samples {secs_1000:.1f} s (target < 60 s; sampling and reading), 64 samples "
        f"{secs_64:.2f} s (target < 5 s); CPU seconds {cpu[0]:.1f} and {cpu[1]:.2f} over {torch.get_num_threads()} "
        f"threads; load average {load:.1f} on {os.cpu_count()} cores; the GAN's 1,000 {gan_secs:.2f} s"
    )
    met["diffusion_1000_60s"] = secs_1000 < 60
    met["diffusion_64_5s"] = secs_64 < 5
    if with_sweep:
        lines += sweep(model, cnn)
    if with_live:
        line, ok = live(cnn, data.load_mnist())
        lines.append(line)
        met["diffusion_live"] = ok
    return lines, met


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sweep", action="store_true", help="agreement and time per sampler, steps and guidance")
    p.add_argument(
        "--live", action="store_true", help="train the page's default run for 5 minutes and judge it"
    )
    args = p.parse_args()
    lines, met = report(args.sweep, args.live)
    print("\n".join(lines))
    ok = sum(met.values())
    print(
        f"summary: {ok}/{len(met)} targets met ("
        + ", ".join(f"{k}={'ok' if v else 'MISSED'}" for k, v in met.items())
        + ")"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
