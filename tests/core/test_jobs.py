"""core.jobs: every pool answers the same `Pool` protocol; the worker runs a core iterator, Stop pauses within
a record, Resume continues, the pool queues jobs beyond its capacity in FIFO order, errors become a state
instead of a crash, and slow motion ("rest" records, XOR's and the GAN's) lends the slot. No Streamlit, no
Ray cluster (tests/ui/test_cluster_jobs.py runs jobs on a real one)."""

from __future__ import annotations

import inspect
import threading
import time

import pytest
import torch

from core import configs, gan, jobs, records
from core.jobs import Job, LocalPool

PROTOCOL = ("acquire", "release", "park", "position", "running", "records")


def ticking(n: int, delay: float = 0.01, fail_at: int | None = None):
    def make():
        for i in range(1, n + 1):
            time.sleep(delay)
            if fail_at == i:
                raise RuntimeError("boom")
            yield {"kind": "step", "epoch": 1, "batch": i, "batches": n, "step": i, "loss": 1.0 / i}
        yield {"kind": "epoch", "epoch": 1, "train_loss": 0.0}

    return make


def wait_for(pred, timeout: float = 5.0) -> None:
    end = time.time() + timeout
    while not pred():
        assert time.time() < end, "timed out"
        time.sleep(0.01)


# -- one protocol, every backend -------------------------------------------------------------------
def test_the_pool_protocol_is_its_six_methods():
    declared = sorted(
        n for n, v in vars(jobs.Pool).items() if inspect.isfunction(v) and not n.startswith("_")
    )
    assert declared == sorted(PROTOCOL)


@pytest.mark.parametrize("backend", sorted(jobs.BACKENDS))
def test_every_backend_has_the_protocols_methods_with_the_same_signatures(backend):
    """Importing core.cluster starts nothing: the class is compared, not an instance."""
    cls = jobs.pool_class(backend)
    for name in PROTOCOL:
        method = getattr(cls, name, None)
        assert callable(method), (backend, name)
        assert inspect.signature(method) == inspect.signature(getattr(jobs.Pool, name)), (backend, name)
    assert isinstance(object.__new__(cls), jobs.Pool)  # what a type checker and the engine rely on


def test_the_backends_are_the_local_and_the_ray_pool():
    from core import cluster

    assert jobs.pool_class("local") is LocalPool and jobs.pool_class("ray") is cluster.RayPool


class CountingPool(LocalPool):
    """A third backend, as a test declares one: a class and one line in BACKENDS."""

    made = 0

    def __init__(self):
        super().__init__(lambda device: 1)
        CountingPool.made += 1


def test_a_third_backend_is_a_class_and_one_line(monkeypatch):
    monkeypatch.setitem(jobs.BACKENDS, "counting", f"{__name__}:CountingPool")
    monkeypatch.setenv("LAB_JOBS", "counting")
    with_model = Job("a", "cpu", 1, ticking(2), model=torch.nn.Linear(1, 1))
    assert jobs.backend() == "counting" and jobs.job_backend(with_model) == "counting"
    assert jobs.job_backend(Job("b", "cpu", 1, ticking(2))) == "local", "no model: it stays in this process"
    pool = jobs.make_pool(jobs.job_backend(with_model))
    assert isinstance(pool, CountingPool) and CountingPool.made == 1
    with_model.start(pool)
    with_model.join(5)
    assert with_model.state == "done" and with_model.pool is pool


@pytest.mark.parametrize(
    "env, expected", [("", "local"), ("ray", "ray"), (" RAY ", "ray"), ("dask", "local")]
)
def test_lab_jobs_picks_a_backend_of_the_table(env, expected, monkeypatch):
    monkeypatch.setenv("LAB_JOBS", env)
    assert jobs.backend() == expected


def test_a_new_job_needs_a_pool():
    with pytest.raises(ValueError, match="no pool"):
        Job("t", "cpu", 1, ticking(1)).start()


# -- the worker --------------------------------------------------------------------------------------
def test_job_runs_to_done_and_keeps_every_record():
    job = Job("t", "cpu", epochs=1, make_iter=ticking(20))
    job.start(LocalPool(lambda d: 1))
    job.join(5)
    assert job.state == "done"
    assert [s["step"] for s in job.steps] == list(range(1, 21))
    assert job.epochs_log == [{"kind": "epoch", "epoch": 1, "train_loss": 0.0}]
    assert job.fraction() == 1.0


def test_stop_pauses_quickly_and_resume_continues_where_it_stopped():
    pool = LocalPool(lambda d: 1)
    job = Job("t", "cpu", epochs=1, make_iter=ticking(200, delay=0.01))
    job.start(pool)
    wait_for(lambda: len(job.steps) >= 5)
    t0 = time.perf_counter()
    job.stop()
    job.join(2)
    assert time.perf_counter() - t0 < 1.0
    assert job.state == "paused" and job.resumable
    reached = len(job.steps)
    assert reached < 200
    job.resume(pool)
    job.join(5)
    assert job.state == "done"
    assert [s["step"] for s in job.steps] == list(range(1, 201))  # nothing lost, nothing repeated


def test_resume_goes_back_to_the_pool_it_was_started_in():
    pool = LocalPool(lambda d: 1)
    job = Job("t", "cpu", epochs=1, make_iter=ticking(200, delay=0.01))
    job.start(pool)
    wait_for(lambda: len(job.steps) >= 2)
    job.stop()
    job.join(2)
    job.resume()  # as the page's Resume button calls it: no pool named
    job.join(5)
    assert job.state == "done" and job.pool is pool


def test_pool_queues_beyond_capacity_in_order_with_positions():
    pool = LocalPool(lambda d: 1)
    gate = threading.Event()

    def blocked():
        gate.wait(5)
        yield {"kind": "epoch", "epoch": 1}

    first = Job("a", "cpu", 1, blocked)
    second = Job("b", "cpu", 1, ticking(3))
    third = Job("c", "cpu", 1, ticking(3))
    first.start(pool)
    wait_for(lambda: first.state == "running")
    second.start(pool)
    wait_for(lambda: pool.position("cpu", id(second)) == 0 and second.state == "queued")
    third.start(pool)
    wait_for(lambda: pool.position("cpu", id(third)) == 1)
    assert (second.state, third.state) == ("queued", "queued")
    gate.set()
    for j in (first, second, third):
        j.join(5)
    assert [j.state for j in (first, second, third)] == ["done"] * 3


def test_stopping_a_queued_job_leaves_the_queue():
    pool = LocalPool(lambda d: 1)
    gate = threading.Event()

    def blocked():
        gate.wait(5)
        yield {"kind": "epoch", "epoch": 1}

    running = Job("a", "cpu", 1, blocked)
    running.start(pool)
    wait_for(lambda: running.state == "running")
    waiting = Job("b", "cpu", 1, ticking(3))
    waiting.start(pool)
    wait_for(lambda: waiting.state == "queued")
    waiting.stop()
    waiting.join(2)
    assert waiting.state == "new" and pool.position("cpu", id(waiting)) == 0
    gate.set()
    running.join(5)
    assert pool.running("cpu") == 0


def test_devices_have_separate_slots():
    pool = LocalPool(lambda d: 1)
    gate = threading.Event()

    def blocked():
        gate.wait(5)
        yield {"kind": "epoch", "epoch": 1}

    cpu_job, gpu_job = Job("a", "cpu", 1, blocked), Job("b", "cuda:0", 1, ticking(2))
    cpu_job.start(pool)
    wait_for(lambda: cpu_job.state == "running")
    gpu_job.start(pool)
    gpu_job.join(5)
    assert gpu_job.state == "done"
    gate.set()
    cpu_job.join(5)


def test_an_exception_becomes_an_error_state_and_frees_the_slot():
    pool = LocalPool(lambda d: 1)
    job = Job("t", "cpu", 1, ticking(10, fail_at=3))
    job.start(pool)
    job.join(5)
    assert job.state == "error" and "boom" in job.error
    assert pool.running("cpu") == 0


@pytest.mark.parametrize(
    "error, code",
    [
        (RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"), "oom"),
        (RuntimeError("CUDA error: no kernel image is available for execution on the device"), "device"),
        (ValueError("shapes (3, 4) and (5, 6) do not match"), None),
    ],
)
def test_device_errors_are_told_apart(error, code):
    assert jobs.device_error(error) == code


def test_a_job_that_ends_on_a_diverged_record_is_diverged():
    def make():
        yield {"kind": "step", "epoch": 1, "step": 1, "loss": 1.0}
        yield {"kind": "diverged", "epoch": 1, "step": 2, "loss": float("nan")}

    job = Job("t", "cpu", 1, make)
    job.start(LocalPool(lambda d: 1))
    job.join(5)
    assert job.state == "diverged" and len(job.steps) == 1


def test_the_iterator_decides_when_a_job_ends_not_a_record_in_the_middle():
    """A queue of runs reports one run's divergence and goes on: the job ends when its iterator does."""

    def make():
        yield {"kind": "diverged", "run": 1, "epoch": 1, "step": 1, "loss": float("nan")}
        yield {"kind": "run_end", "run": 1, "status": "diverged"}
        yield {"kind": "step", "run": 2, "epoch": 1, "step": 1, "loss": 1.0}
        yield {"kind": "run_end", "run": 2, "status": "done"}

    job = Job("t", "cpu", 1, make)
    job.start(LocalPool(lambda d: 1))
    job.join(5)
    assert job.state == "done" and [r["kind"] for r in job.epochs_log] == ["diverged", "run_end", "run_end"]
    assert job.steps == [{"run": 2, "epoch": 1, "step": 1, "loss": 1.0}]


def test_step_history_is_thinned_not_unbounded():
    job = Job("t", "cpu", 1, ticking(5000, delay=0))
    job.start(LocalPool(lambda d: 1))
    job.join(20)
    assert job.state == "done"
    assert len(job.steps) <= 2000 and job.steps[-1]["step"] >= 4990


def test_training_runs_at_a_lower_cpu_priority_than_the_server(monkeypatch):
    """Drawing and page reruns must not wait behind training: the worker thread (and the OpenMP threads
    it starts) runs LAB_JOB_NICE (default 10) steps nicer than the server; the server stays as it was."""
    import os
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("per-thread priority is only set on Linux")
    server = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    if server >= 19:
        pytest.skip("already at the lowest priority")
    seen = {}

    def make():
        seen["worker"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        yield {"kind": "epoch", "epoch": 1, "train_loss": 0.0}

    for env, expected in ((None, min(19, server + 10)), ("3", min(19, server + 3)), ("0", server)):
        monkeypatch.delenv("LAB_JOB_NICE", raising=False) if env is None else monkeypatch.setenv(
            "LAB_JOB_NICE", env
        )
        job = Job("t", "cpu", epochs=1, make_iter=make)
        job.start(LocalPool(lambda d: 1))
        job.join(5)
        assert job.state == "done"
        assert seen["worker"] == expected, env
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == server


# -- slow motion -------------------------------------------------------------------------------------
def test_a_resting_job_lends_its_slot_and_stop_ends_the_rest_at_once():
    """Slow motion ("rest" records) holds no slot: with one slot, a job queued behind a slowed-down run
    finishes during that run's pauses; the rests are not kept as records; Stop acts within the pause."""
    pool = LocalPool(lambda d: 1)

    def slow():
        for epoch in range(1, 4):
            yield {"kind": "epoch", "epoch": epoch}
            yield {"kind": "rest", "seconds": 0.5}

    watched = Job("slow", "cpu", 3, slow)
    watched.start(pool)
    wait_for(lambda: len(watched.epochs_log) == 1)
    other = Job("other", "cpu", 1, ticking(3))
    other.start(pool)
    other.join(1.0)  # well before the slowed-down run's 1.5 s of pauses are over
    assert other.state == "done" and watched.state == "running"
    watched.join(5)
    assert watched.state == "done"
    assert [r["kind"] for r in watched.epochs_log] == ["epoch"] * 3

    def long_rest():
        yield {"kind": "epoch", "epoch": 1}
        yield {"kind": "rest", "seconds": 30.0}
        yield {"kind": "epoch", "epoch": 2}

    paused = Job("long", "cpu", 2, long_rest)
    paused.start(pool)
    wait_for(lambda: len(paused.epochs_log) == 1)
    t0 = time.perf_counter()
    paused.stop()
    paused.join(2)
    assert time.perf_counter() - t0 < 1.0 and paused.state == "paused" and pool.running("cpu") == 0
    paused.resume(pool)
    paused.join(5)
    assert paused.state == "done" and len(paused.epochs_log) == 2  # Resume goes on after the rest


def test_a_slowed_gan_run_lends_its_slot():
    """The GAN's slow motion is "rest" records, not a sleep inside its loop: with one slot, another
    student's job runs to the end while the slowed GAN run waits between its steps, and Stop acts at once."""
    cfg = configs.with_overrides(gan.IMPROVED, g_width=16, d_width=8, batch_size=16, epochs=1, n_fixed=20)
    x = torch.rand(48, 1, 28, 28, generator=torch.Generator().manual_seed(0))  # 3 batches
    G, D = gan.build_models(cfg, False, torch.Generator().manual_seed(0))
    controls = {"mode": "both", "delay": 1.5}  # the page's slider goes to 1 s; 1.5 s leaves a margin here
    pool = LocalPool(lambda d: 1)
    slowed = Job("gan", "cpu", 1, lambda: gan.train_gan(cfg, x, G, D, controls=controls), controls=controls)
    slowed.start(pool)
    wait_for(lambda: len(slowed.steps) == 1, timeout=30)
    other = Job("other", "cpu", 1, ticking(3))
    other.start(pool)
    other.join(1.2)  # before the GAN's first 1.5 s pause is over
    assert other.state == "done", other.state
    assert slowed.state == "running" and len(slowed.steps) == 1
    assert all(r["kind"] != "rest" for r in slowed.epochs_log), "a rest is taken, not kept"
    t0 = time.perf_counter()
    slowed.stop()
    slowed.join(2)
    assert time.perf_counter() - t0 < 1.0 and slowed.state == "paused" and pool.running("cpu") == 0
    controls["delay"] = 0.0  # back to full speed: Resume trains the rest of the epoch
    slowed.resume()
    slowed.join(30)
    assert slowed.state == "done" and len(slowed.steps) == 3
    assert [r["kind"] for r in slowed.epochs_log] == ["epoch"]


def test_the_gan_loop_rests_after_each_step_without_sleeping():
    cfg = configs.with_overrides(gan.IMPROVED, g_width=16, d_width=8, batch_size=16, epochs=1, n_fixed=20)
    x = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(0))  # 2 batches
    G, D = gan.build_models(cfg, False, torch.Generator().manual_seed(0))
    t0 = time.perf_counter()
    out = list(gan.train_gan(cfg, x, G, D, controls={"delay": 5.0}))
    assert [r["kind"] for r in out] == ["step", "rest", "step", "rest", "epoch"]
    assert [r for r in out if r["kind"] == "rest"] == [records.rest(2.0)] * 2  # capped at 2 s
    assert time.perf_counter() - t0 < 4.0, "the loop itself must not sleep the 4 s of rests"
    plain = list(gan.train_gan(cfg, x, *gan.build_models(cfg, False, torch.Generator().manual_seed(0))))
    assert "rest" not in [r["kind"] for r in plain]
