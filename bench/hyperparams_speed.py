"""Hyperparameters page speed: seconds for the default comparison (learning rate 0.001 / 0.01 / 0.1, the
page's quick subset, validation on the whole test split) through core.experiments.RunQueue, as the
page runs it; also when the first epoch of the first run is drawn and each run's training images/s.

    python bench/hyperparams_speed.py [--repeats 3] [--threads N] [--preset lr] [--worker [--worker-threads 1]]

Target: the whole comparison in at most 60 s on a 2-core CPU, curves within the first second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1])
)  # `python bench/hyperparams_speed.py` finds core/

import torch  # noqa: E402

from core import experiments as ex  # noqa: E402
from core.data import load_mnist  # noqa: E402


def one_pass(
    data: ex.Data, preset: str, worker: bool = False, threads: int | None = None
) -> tuple[float, float, list[ex.RunResult]]:
    """(total seconds, seconds to the first epoch record, results) of one comparison; `worker` runs the
    queue in a new thread, as ui.jobs does in the app."""
    p = ex.PRESETS[preset]
    q = ex.RunQueue(ex.new_results(ex.grid(replace(ex.Settings(), **p.base), p.vary)), data, threads=threads)
    out: dict = {}

    def consume() -> None:
        t0, first = time.perf_counter(), None
        for rec in q.records():
            if first is None and rec["kind"] == "epoch":
                first = time.perf_counter() - t0
        out.update(total=time.perf_counter() - t0, first=first or float("nan"))

    if worker:
        th = threading.Thread(target=consume)
        th.start()
        th.join()
    else:
        consume()
    return out["total"], out["first"], q.runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--preset", default="lr", choices=sorted(ex.PRESETS))
    ap.add_argument("--worker", action="store_true", help="run the queue in a worker thread, as the app does")
    ap.add_argument(
        "--worker-threads",
        type=int,
        default=0,
        help="torch threads inside the worker (the page uses 1; 0: inherit)",
    )
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    split = load_mnist()
    data = ex.Data(split.x_train, split.y_train, split.x_test, split.y_test)
    print(f"data: {split.provenance.description}; validation images: {len(split.x_test)}")
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    threads = args.worker_threads or None
    one_pass(data, args.preset)  # warm-up: first-call costs of oneDNN kernels are not the page's steady state
    totals, firsts = [], []
    for i in range(args.repeats):
        total, first, runs = one_pass(data, args.preset, args.worker, threads)
        totals.append(total)
        firsts.append(first)
        detail = "; ".join(
            f"#{r.run_id} {ex.settings_label(r.spec)}: {r.wall_s:.1f} s, "
            f"{r.images_per_s:,.0f} img/s, val acc {100 * (r.final('val_acc') or 0):.1f} %, {r.status}"
            for r in runs
        )
        print(f"pass {i + 1}: {total:.2f} s (first epoch drawn after {first:.2f} s) — {detail}")
    where = f"worker thread ({threads or 'inherited'} torch threads)" if args.worker else "main thread"
    print(
        f"preset {args.preset!r} in the {where}: median {statistics.median(totals):.2f} s for the whole comparison "
        f"(target <= 60 s); first epoch after {statistics.median(firsts):.2f} s (target <= 1 s)"
    )


if __name__ == "__main__":
    main()
