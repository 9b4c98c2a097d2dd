"""What a page that trains declares, once: a `Lesson` (or, for a queue of runs saved together, a
`QueueLesson`), so that one engine (core.jobs, through ui.jobs), one saved-runs panel (ui.saved_runs) and
one set of job widgets (ui.job_widgets) serve every topic without naming any.

A topic's ui module (ui/lessons/<topic>.py) builds its `LESSON` from three functions of its own: how the
page's settings become a `Training`, how a reopened run comes back into the session, and its live panel.
Listing, saving, reopening and the saved-runs list's numbers have defaults here, written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from torch import nn

from core import runs, topics
from ui import jobs, saved_runs
from ui.saved_runs import Saved

__all__ = [
    "Lesson",
    "QueueLesson",
    "Saved",
    "Training",
    "grid_arrays",
    "grid_records",
    "job_history",
    "restore_grids",
    "step_history",
]


@dataclass
class Training:
    """One training run, as a lesson hands it to the engine."""

    model: nn.Module  # what is saved to runs/ between batches
    model_args: dict  # its constructor arguments, stored beside the weights (the model is rebuilt from them)
    settings: dict  # the run's settings (its config dataclass as a dict), stored with the run
    records: Callable[[], Iterator[dict]]  # makes the core training iterator; called in the worker thread
    epochs: int  # for progress and ETA
    device: str = "cpu"
    # at most one save per this many seconds (a tiny network's epoch takes a millisecond)
    save_every_s: float = 0.0
    meta: dict = field(default_factory=dict)  # stored with the run as it is (data provenance, say)
    controls: dict | None = None  # live settings the iterator reads while it runs (the page changes them)
    # False keeps the job in the server's process even with LAB_JOBS=ray (a page that reads more of the
    # run's objects than the model while it trains)
    remote: bool = True


def job_history(job: jobs.Job) -> dict:
    """A job's records as stored: the non-step records in order and the (thinned) step records."""
    return {"epochs": list(job.epochs_log), "steps": list(job.steps)}


def no_arrays(job: jobs.Job) -> dict:
    return {}


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


def restore_grids(opened: runs.OpenedRun) -> list[dict]:
    """A reopened run's non-step records with the sample grids `grid_arrays` kept put back into their
    epoch records, as the job had them (epochs whose grid was not kept stay without one)."""
    epochs = opened.arrays.get("grid_epochs", np.array([])).tolist()
    by_epoch = dict(zip(epochs, opened.arrays.get("grids", [])))
    return [
        {**r, "grid": by_epoch[r["epoch"]]} if r.get("epoch") in by_epoch else r
        for r in opened.history.get("epochs", [])
    ]


def step_history(*keys: str) -> Callable[[jobs.Job], dict]:
    """A lesson's `history` that keeps only `keys` of each step record (the epoch records as they are)."""

    def history(job: jobs.Job) -> dict:
        steps = [{k: s[k] for k in keys if k in s} for s in list(job.steps)]
        return {"epochs": list(job.epochs_log), "steps": steps}

    return history


@dataclass(frozen=True)
class Lesson:
    """A page that trains one model per run: declared once by its topic module as `LESSON`.

    `build(...)` turns the page's settings into a `Training` (called by `train`, with the same arguments);
    `restore(opened, cfg)` puts a reopened run (its settings already read into the topic's config class)
    back into the session and returns the message to show; `live(job)` draws the live panel.
    """

    key: str  # the topic's key in core.topics: the job's key, the widgets' prefix, the runs/ page
    build: Callable[..., Training]
    restore: Callable[[runs.OpenedRun, object], str]
    live: Callable[[jobs.Job], None] | None = None
    metric_keys: tuple[str, ...] = ("train_loss",)  # of the last epoch, shown in the saved-runs list
    history: Callable[[jobs.Job], dict] = job_history  # what of a job's records runs/ keeps
    arrays: Callable[[jobs.Job], dict] = no_arrays  # NumPy arrays stored beside the run (sample grids)

    @property
    def topic(self) -> topics.Topic:
        return topics.topic(self.key)

    def train(self, *args, **kwargs) -> jobs.Job:
        """Train what `build(*args, **kwargs)` makes as this session's job, saved to runs/ under the
        student's name; without a name this session may write under, the run waits in the session and the
        sidebar asks for one (ui.saved_runs)."""
        training = self.build(*args, **kwargs)
        saver = saved_runs.RunSaver(self, training, saved_runs.new_writer(self.key, training.settings))
        return jobs.start(
            self.key,
            training.records,
            training.epochs,
            training.device,
            saver=saver,
            model=training.model if training.remote else None,
            controls=training.controls,
        )

    def metrics(self, job: jobs.Job) -> dict:
        """The few numbers the saved-runs list shows: those of the last epoch."""
        return last_epoch(job, self.metric_keys)

    def saved(self, name: str) -> list[Saved]:
        """The runs saved under the student's name, newest first."""
        return saved_runs.listed(self.key, name)

    def reopen(self, saved_id: str) -> str:
        """Put a saved run back into the session and return the message to show; raise runs.RunError."""
        opened = saved_runs.opened_run(saved_id, self.topic.family or None)
        if not opened.info.config:
            raise runs.RunError("model", "no settings saved with the run")
        cfg = saved_runs.from_dict(self.topic.config_class(), opened.info.config)
        return self.restore(opened, cfg)


@dataclass(frozen=True)
class QueueLesson:
    """The variant for a page whose one job trains a queue of runs, saved and reopened together as a
    comparison (Hyperparameters): it lists and reopens comparisons, and its queue saves itself."""

    key: str
    listed: Callable[[str], list[Saved]]  # the student's saved comparisons, newest first
    restore: Callable[[str], str]  # one comparison back into the session; the message to show
    # (comparison, student's name) -> the comparison as a take-home zip (core.run_export.queue_zip)
    download: Callable[[str, str], bytes] | None = None

    def saved(self, name: str) -> list[Saved]:
        return self.listed(name)

    def reopen(self, saved_id: str) -> str:
        return self.restore(saved_id)
