"""The small protocol a page that trains answers, so that one engine (ui.jobs), one saved-runs panel
(ui.saved_runs) and one set of job widgets (ui.job_widgets) serve every topic without naming any.

A topic's ui module (ui/lessons/<topic>.py) answers it with plain module-level names: the page's key,
what of a finished or running job is saved, which saved runs the student has and how one comes back into
the session. Its page builds a `Training` from the widgets and hands it to `start`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from torch import nn

from ui import jobs


@dataclass
class Training:
    """One training run, as a lesson hands it to the engine."""

    model: nn.Module  # what is saved to runs/ between batches
    model_args: dict  # its constructor arguments, stored beside the weights (the model is rebuilt from them)
    settings: dict  # the run's settings (its config dataclass as a dict), stored with the run
    records: Callable[[], Iterator[dict]]  # makes the core training iterator; called in the worker thread
    epochs: int  # for progress and ETA
    device: str = "cpu"
    save_every_s: float = (
        0.0  # at most one save per this many seconds (a tiny network's epoch takes a millisecond)
    )
    meta: dict = field(default_factory=dict)  # stored with the run as it is (data provenance, say)
    controls: dict | None = None  # live settings the iterator reads while it runs (the page changes them)
    # False keeps the job in the server's process even with LAB_JOBS=ray (a page that reads more of the
    # run's objects than the model while it trains)
    remote: bool = True


@dataclass(frozen=True)
class Saved:
    """One item of the saved-runs panel: what Open reopens, and how the list shows it."""

    id: str
    label: str


class Trainable(Protocol):
    """What the saver needs to know of a lesson: where its runs go and what of a job they keep."""

    PAGE: str  # the job's key, the widgets' key prefix and the runs/ folder's page

    def history(self, job: jobs.Job) -> dict:
        """{name: records} of the job to store with the run (`job_history` is the usual answer)."""
        ...

    def metrics(self, job: jobs.Job) -> dict:
        """The few numbers the saved-runs list shows (the last epoch's, usually)."""
        ...

    def arrays(self, job: jobs.Job) -> dict:
        """NumPy arrays stored beside the run (sample grids); {} for none."""
        ...


class Reopenable(Protocol):
    """What the saved-runs panel needs: the student's saved runs, and how one comes back."""

    PAGE: str

    def saved(self, name: str) -> list[Saved]:
        """The runs saved under the student's name, newest first."""
        ...

    def reopen(self, saved_id: str) -> str:
        """Put a saved run back into the session and return the message to show; raise runs.RunError."""
        ...


def job_history(job: jobs.Job) -> dict:
    """A job's records as stored: the non-step records in order and the (thinned) step records."""
    return {"epochs": list(job.epochs_log), "steps": list(job.steps)}


def last_epoch(job: jobs.Job, keys: tuple[str, ...]) -> dict:
    """`keys` of the job's latest "epoch" record (those it has)."""
    ep = [r for r in job.epochs_log if r.get("kind") == "epoch"]
    return {k: ep[-1][k] for k in keys if ep and k in ep[-1]}


def grid_records(job: jobs.Job) -> list[dict]:
    """The job's epoch records that carry a sample grid (the generative lessons), oldest first."""
    return [r for r in list(job.epochs_log) if r.get("kind") == "epoch" and "grid" in r]


def grid_arrays(job: jobs.Job, limit: int) -> dict:
    """The latest `limit` sample grids and their epoch numbers, as a run's arrays for runs/."""
    ep = grid_records(job)[-limit:]
    if not ep:
        return {}
    return {"grids": np.stack([r["grid"] for r in ep]), "grid_epochs": np.array([r["epoch"] for r in ep])}


def start(lesson: Trainable, training: Training) -> jobs.Job:
    """Train `training` as this session's job of `lesson`, saved to runs/ under the student's name."""
    from ui import saved_runs

    saver = saved_runs.RunSaver(lesson, training, saved_runs.new_writer(lesson.PAGE, training.settings))
    return jobs.start(
        lesson.PAGE,
        training.records,
        training.epochs,
        training.device,
        saver=saver,
        model=training.model if training.remote else None,
        controls=training.controls,
    )
