"""The Sequences page's targets, on one CPU thread:

- sine, the primer's settings (median of 5 seeds): one-step test MAE ≤ 0.01, largest free-running error over the 50 test values ≤ 0.05;
  and the same largest free-running error at seed 0 alone ≤ 0.05 (the run a class sees first);
- sunspots, the page's default LSTM: one-step MAE at least 5 % below persistence's;
- the page's default live run: its first forecast (the first epoch record) within 2 s, the end within 60 s;
- the baselines printed beside the networks: the least-squares AR on the same windows and statsmodels'
  classical model (Holt-Winters for the sine and CO2, an AR of AIC's order for sunspots);
- the learning-rate experiment (the page's 300 steps): SGD at lr 1 blows up, both cures (lr 0.1, clipping)
  and Adam at 0.001 stay finite and learn, clipping leaves Adam at lr 1 uncured; in ≤ 10 s.

    .venv/bin/python bench/sequence.py [--seed 0]

The last line is the summary.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository's core/
from core import sequence as sq  # noqa: E402


def timed_run(cfg: sq.SequenceConfig) -> tuple[dict, float, float]:
    """Train as the page's job does; (summary, seconds to the first forecast, seconds in all)."""
    s = sq.load_series(cfg.series, cfg.noise, cfg.second)
    t0 = time.perf_counter()
    model, g = sq.build_model(cfg)
    first = None
    for rec in sq.train(model, s, cfg, g):
        if rec["kind"] == "epoch" and first is None:
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    return sq.summary(model.eval(), s, cfg), first or total, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    checks = {}
    # the free-running error depends on the seed (0.01–0.15 over seeds 0–5 here): judge the median of 5
    runs = [timed_run(sq.SequenceConfig(seed=args.seed + k)) for k in range(5)]
    for k, (sine, _, total) in enumerate(runs):
        shown = {key: round(sine[key], 4) for key in ("mae", "free_running_max_error")}
        print(f"sine (primer), seed {args.seed + k}: {total:.1f} s, " + json.dumps(shown))
    mae = statistics.median(r[0]["mae"] for r in runs)
    free = statistics.median(r[0]["free_running_max_error"] for r in runs)
    print(f"sine, median of 5 seeds: one-step MAE {mae:.4f}, largest free-running error {free:.4f}")
    seed0 = runs[0][0]["free_running_max_error"]
    checks["sine_mae"] = mae <= 0.01
    checks["sine_free"] = free <= 0.05
    checks["sine_free_seed0"] = seed0 <= 0.05
    spots, first, total = timed_run(sq.SequenceConfig(series="sunspots", seed=args.seed))
    base = spots["baselines"]
    gain = 1 - spots["mae"] / base["persistence"]["mae"]
    print(
        f"sunspots (page default): LSTM MAE {spots['mae']:.2f}, persistence {base['persistence']['mae']:.2f}, "
        f"seasonal {base['seasonal']['mae']:.2f}, least-squares AR {base['ar']['mae']:.2f}, "
        f"statsmodels AR (AIC's order) {base['autoreg']['mae']:.2f} "
        f"({100 * gain:.0f} % better than persistence); first forecast {first:.2f} s, done {total:.1f} s"
    )
    checks["sunspots_beats_persistence"] = gain >= 0.05
    co2 = sq.load_series("co2")
    t0 = time.perf_counter()
    table = sq.error_table(co2, 10, {}, sq.classical_baseline(co2))
    print(
        "co2 baselines (MAE, ppm): " + ", ".join(f"{k} {v['mae']:.3f}" for k, v in table.items())
        + f"; Holt-Winters fitted in {time.perf_counter() - t0:.2f} s"
    )  # fmt: skip
    t0, cpu0 = time.perf_counter(), time.process_time()
    curves = sq.lr_experiment(300)
    took, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    first = curves["adam_low"][0]
    ends = {k: float(v[-10:].mean()) for k, v in curves.items() if sq.blew_up(v) is None}
    print(
        f"learning-rate experiment (300 steps, {took:.1f} s, {cpu:.1f} s of CPU): sgd_high blew up at step "
        f"{sq.blew_up(curves['sgd_high'])}; mean loss of the last 10 steps: "
        + ", ".join(f"{k} {v:.2g}" for k, v in ends.items())
        + f" (first step {first:.2g})"
    )
    checks["lr_experiment"] = (
        sq.blew_up(curves["sgd_high"]) is not None
        and all(ends[k] < 0.1 * first for k in ("sgd_low", "sgd_clip", "adam_low"))
        and ends["adam_clip"] > first
        and took <= 10.0
    )
    checks["first_forecast_2s"] = first <= 2.0
    checks["done_60s"] = total <= 60.0
    met = sum(checks.values())
    print(
        f"summary: {met}/{len(checks)} targets met; sine seed {args.seed} largest free-running error "
        f"{seed0:.4f} (median of 5 {free:.4f}) ("
        + ", ".join(f"{k}={'ok' if v else 'no'}" for k, v in checks.items())
        + ")"
    )


if __name__ == "__main__":
    main()
