"""ui.jobs: the worker runs a core iterator, Stop pauses within a record, Resume continues, the pool
queues jobs beyond its capacity in FIFO order, errors become a state instead of a crash."""

from __future__ import annotations

import threading
import time

from ui.jobs import Job, JobPool


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


def test_job_runs_to_done_and_keeps_every_record():
    job = Job("t", "cpu", epochs=1, make_iter=ticking(20))
    job.start(JobPool(lambda d: 1))
    job.join(5)
    assert job.state == "done"
    assert [s["step"] for s in job.steps] == list(range(1, 21))
    assert job.epochs_log == [{"kind": "epoch", "epoch": 1, "train_loss": 0.0}]
    assert job.fraction() == 1.0


def test_stop_pauses_quickly_and_resume_continues_where_it_stopped():
    pool = JobPool(lambda d: 1)
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


def test_pool_queues_beyond_capacity_in_order_with_positions():
    pool = JobPool(lambda d: 1)
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
    pool = JobPool(lambda d: 1)
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
    pool = JobPool(lambda d: 1)
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
    pool = JobPool(lambda d: 1)
    job = Job("t", "cpu", 1, ticking(10, fail_at=3))
    job.start(pool)
    job.join(5)
    assert job.state == "error" and "boom" in job.error
    assert pool.running("cpu") == 0


def test_a_job_that_ends_on_a_diverged_record_is_diverged():
    def make():
        yield {"kind": "step", "epoch": 1, "step": 1, "loss": 1.0}
        yield {"kind": "diverged", "epoch": 1, "step": 2, "loss": float("nan")}

    job = Job("t", "cpu", 1, make)
    job.start(JobPool(lambda d: 1))
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
    job.start(JobPool(lambda d: 1))
    job.join(5)
    assert job.state == "done" and [r["kind"] for r in job.epochs_log] == ["diverged", "run_end", "run_end"]
    assert job.steps == [{"run": 2, "epoch": 1, "step": 1, "loss": 1.0}]


def test_step_history_is_thinned_not_unbounded():
    job = Job("t", "cpu", 1, ticking(5000, delay=0))
    job.start(JobPool(lambda d: 1))
    job.join(20)
    assert job.state == "done"
    assert len(job.steps) <= 2000 and job.steps[-1]["step"] >= 4990


def test_a_queued_job_is_polled_slowly_and_a_running_one_fast(monkeypatch):
    """30 students waiting in line must not keep the server busy: a queued job's page polls only its
    place in line, every QUEUED_POLL_S, and draws its panel (charts) once, not on every poll; the running
    job's chart keeps its own interval; a finished one is not polled."""
    from ui import job_widgets as widgets
    from ui import jobs

    seen: list[float | None] = []
    polled: list = []

    def fake_fragment(run_every=None):
        seen.append(run_every)

        def wrap(fn):
            polled.append(fn)
            return fn

        return wrap

    infos: list[str] = []
    monkeypatch.setattr(widgets.st, "fragment", fake_fragment)
    monkeypatch.setattr(widgets.st, "info", lambda body, **kw: infos.append(body))
    monkeypatch.setattr(widgets.st, "rerun", lambda: None)
    monkeypatch.setattr(jobs, "shared_pool", lambda: JobPool(lambda d: 1))
    drawn: list[str] = []

    def render(j):
        widgets.status(j)  # as the pages' panels do: the place in line must not be drawn twice
        drawn.append(j.state)

    job = Job("t", "cpu", 1, ticking(1))
    for state in ("queued", "running", "done"):
        job.state = state
        widgets.live(job, render, interval=0.4)
    assert seen == [widgets.QUEUED_POLL_S, 0.4, None]
    assert widgets.QUEUED_POLL_S > 0.4
    assert drawn == ["queued", "running", "done"]
    assert len(infos) == 1, "one place-in-line line for the queued job, from the polling fragment"
    job.state = "queued"
    for _ in range(3):  # three polls of the queued fragment: the place in line again, never the panel
        polled[0]()
    assert len(infos) == 4 and drawn == ["queued", "running", "done"]


def test_gc_freeze_makes_a_full_collection_cheap():
    """Streamlit's gc after every run is off (.streamlit/config.toml); what was imported is frozen once."""
    import gc
    import tomllib
    from pathlib import Path

    from ui import resources

    config = tomllib.loads(
        (Path(__file__).resolve().parents[2] / ".streamlit/config.toml").read_text("utf-8")
    )
    assert config["runner"]["postScriptGC"] is False
    resources.freeze_startup_objects()
    assert gc.get_freeze_count() > 10_000  # torch, plotly, streamlit: out of the collector's reach
    frozen = gc.get_freeze_count()
    resources.freeze_startup_objects()  # once per process
    assert gc.get_freeze_count() == frozen


def test_training_runs_at_a_lower_cpu_priority_than_the_server(monkeypatch):
    """Drawing and page reruns must not wait behind training: the worker thread (and the OpenMP threads
    it starts) runs LAB_JOB_NICE (default 10) steps nicer than the server; the server stays as it was."""
    import os
    import sys

    import pytest

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
        job.start(JobPool(lambda d: 1))
        job.join(5)
        assert job.state == "done"
        assert seen["worker"] == expected, env
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == server


def test_the_engine_its_widgets_and_the_saved_runs_panel_name_no_page():
    """The generic plumbing serves every topic through ui.lesson's protocol: no page's name in its code."""
    import re
    from pathlib import Path

    from ui import pages

    root = Path(__file__).resolve().parents[2]
    names = {p.key for p in pages.PAGES} | {Path(p.file).stem for p in pages.PAGES} | {"mnist", "digit"}
    word = re.compile(r"(?<![a-z])(" + "|".join(sorted(names)) + r")(?![a-z])", re.IGNORECASE)
    for module in ("ui/jobs.py", "ui/job_widgets.py", "ui/saved_runs.py", "ui/trainable.py"):
        hits = [
            line for line in (root / module).read_text(encoding="utf-8").splitlines() if word.search(line)
        ]
        assert not hits, (module, hits[:5])
    assert word.search('ss["xor_trainer"]') and word.search("the CNN page")  # the check itself can fail


def test_a_resting_job_lends_its_slot_and_stop_ends_the_rest_at_once():
    """Slow motion ("rest" records) holds no slot: with one slot, a job queued behind a slowed-down run
    finishes during that run's pauses; the rests are not kept as records; Stop acts within the pause."""
    pool = JobPool(lambda d: 1)

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
