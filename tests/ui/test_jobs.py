"""ui.jobs and ui.job_widgets: the session's glue around core.jobs (one pool per backend for the server,
the pool a job runs in) and the widgets that poll a job. The engine's own tests are tests/core/test_jobs.py."""

from __future__ import annotations

import time

import torch

from core import jobs as engine
from ui.jobs import Job, LocalPool


def ticking(n: int, delay: float = 0.01):
    def make():
        for i in range(1, n + 1):
            time.sleep(delay)
            yield {"kind": "step", "epoch": 1, "batch": i, "batches": n, "step": i, "loss": 1.0 / i}
        yield {"kind": "epoch", "epoch": 1, "train_loss": 0.0}

    return make


def test_the_server_has_one_pool_per_backend_and_a_job_without_a_model_stays_here(monkeypatch):
    from ui import jobs

    monkeypatch.setenv("LAB_JOBS", "ray")
    # a stand-in for the cluster's pool: this test starts no Ray
    monkeypatch.setitem(engine.BACKENDS, "ray", "core.jobs:LocalPool")
    here = jobs.shared_pool()
    assert isinstance(here, LocalPool) and jobs.server_pool("local") is here
    assert jobs.pool_for(Job("t", "cpu", 1, ticking(1))) is here
    remote = jobs.pool_for(Job("t", "cpu", 1, ticking(1), model=torch.nn.Linear(1, 1)))
    assert remote is not here and remote is jobs.server_pool("ray")
    monkeypatch.setenv("LAB_JOBS", "local")
    assert jobs.pool_for(Job("t", "cpu", 1, ticking(1), model=torch.nn.Linear(1, 1))) is here


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
    monkeypatch.setattr(jobs, "shared_pool", lambda: LocalPool(lambda d: 1))
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


def test_the_engine_its_widgets_and_the_saved_runs_panel_name_no_page():
    """The generic plumbing serves every topic through ui.trainable's Lesson: no page's name in its code."""
    import re
    from pathlib import Path

    from ui import pages

    root = Path(__file__).resolve().parents[2]
    names = {p.key for p in pages.PAGES} | {Path(p.file).stem for p in pages.PAGES} | {"mnist", "digit"}
    word = re.compile(r"(?<![a-z])(" + "|".join(sorted(names)) + r")(?![a-z])", re.IGNORECASE)
    for module in (
        "core/jobs.py",
        "core/records.py",
        "ui/jobs.py",
        "ui/job_widgets.py",
        "ui/saved_runs.py",
        "ui/trainable.py",
    ):
        hits = [
            line for line in (root / module).read_text(encoding="utf-8").splitlines() if word.search(line)
        ]
        assert not hits, (module, hits[:5])
    assert word.search('ss["xor_trainer"]') and word.search("the CNN page")  # the check itself can fail
