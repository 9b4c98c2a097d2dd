"""What a running training job costs the students who are drawing: the CNN page's prediction path timed
while a CNN training job runs in the same process, with the job's threads at the server's CPU priority
(LAB_JOB_NICE=0) and 10 nice steps below it (the default, core.jobs.lower_thread_priority).

The server's situation on a CPU-only classroom PC without the browsers: `--students` threads (Streamlit
runs each session's script in its own thread) each turn a drawn canvas into probabilities every
`--every` seconds for `--seconds`; one core.jobs.Job trains the shipped CNN's architecture meanwhile.
Prints, per niceness: prediction p50/p95/max and the job's training speed (images/s); the last line
compares the two.

    python bench/job_priority.py [--students 6] [--seconds 20] [--every 0.1]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.predict_latency import canvases  # noqa: E402


def measure(nice: int, students: int, seconds: float, every: float) -> dict:
    from core import checkpoints, data
    from core.cnn import FAMILY, CNNTrainConfig, make_train_iter, predict
    from core.jobs import Job, LocalPool
    from core.preprocess import to_mnist

    os.environ["LAB_JOB_NICE"] = str(nice)
    model = checkpoints.load(checkpoints.SHIPPED_DIR / "cnn_mnist.pth", expected_family=FAMILY).model
    model.requires_grad_(False)
    images = canvases(50)
    for img in images[:5]:
        predict(model, to_mnist(img).final)
    split = data.load_mnist()
    _, make_iter = make_train_iter(CNNTrainConfig(epochs=1000), split.x_train, split.y_train)
    job = Job("bench", "cpu", epochs=1000, make_iter=make_iter)
    job.start(LocalPool(lambda d: 1))
    while job.state != "running" or not job.steps:  # training has begun
        time.sleep(0.05)
    step0, t_start = job.steps[-1][0], time.perf_counter()
    times: list[float] = []
    lock = threading.Lock()

    def student(k: int) -> None:
        end, i = time.perf_counter() + seconds, k
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            predict(model, to_mnist(images[i % len(images)]).final)
            with lock:
                times.append((time.perf_counter() - t0) * 1000)
            i += students
            time.sleep(max(0.0, every - (time.perf_counter() - t0)))

    threads = [threading.Thread(target=student, args=(k,)) for k in range(students)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t_start
    seen = (job.steps[-1][0] - step0) * CNNTrainConfig().batch_size
    job.stop()
    job.join(10)
    t = np.array(times)
    return {
        "p50": np.percentile(t, 50),
        "p95": np.percentile(t, 95),
        "max": t.max(),
        "n": len(t),
        "images_per_s": seen / elapsed,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--every", type=float, default=0.1, help="seconds between one student's predictions")
    args = ap.parse_args()
    print(
        f"{os.cpu_count()} CPU cores; {args.students} drawing threads, one every {args.every:.2f} s each, "
        f"{args.seconds:.0f} s; one CNN training job"
    )
    out = {}
    for nice in (0, 10):
        r = out[nice] = measure(nice, args.students, args.seconds, args.every)
        print(
            f"LAB_JOB_NICE={nice:2d}: prediction p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
            f"max {r['max']:.1f} ms (n={r['n']}); training {r['images_per_s']:.0f} images/s"
        )
    print(
        f"priority: p95 {out[0]['p95']:.1f} -> {out[10]['p95']:.1f} ms, "
        f"training {out[0]['images_per_s']:.0f} -> {out[10]['images_per_s']:.0f} images/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
