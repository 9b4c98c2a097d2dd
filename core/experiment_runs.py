"""Hyperparameter runs in the saved-runs store (course 000 §2.4): a comparison survives a reload.

Each run of a comparison is one `core.runs` folder (page "hyperparams"): its settings, its epoch records,
the numbers of the results table and the best epoch's model (the course's "keep the model of the epoch
with the lowest validation loss"). The runs of one queue share a `comparison` id in their config, so the
page lists and reopens them together; a reopened run is finished and read-only.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from core import runs, topics
from core.configs import from_dict
from core.experiments import RunResult, RunSpec, Settings

PAGE = "hyperparams"
FAMILY = topics.topic(PAGE).family  # the CNN of Part 2, which every run of a comparison trains
# RunResult fields kept in run.json's metrics: what the table, the notes and the queue summary read
SUMMARY = (
    "status",
    "reason",
    "first_loss",
    "peak_loss",
    "best_epoch",
    "n_params",
    "wall_s",
    "images_per_s",
    "train_s",
    "seen",
    "error",
    "error_code",
)
NOT_SAVED = ("queued", "cancelled")  # runs that never trained: nothing to keep


def new_comparison_id() -> str:
    """Shared by the runs of one queue: time first, so ids sort by age."""
    return f"{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}_{secrets.token_hex(3)}"


def run_config(result: RunResult, comparison: str) -> dict:
    """run.json's config: every setting, the session's run number, what was varied, the comparison."""
    spec = result.spec
    return {
        **dataclasses.asdict(spec.settings),
        "run_id": spec.run_id,
        "varied": list(spec.varied),
        "comparison": comparison,
    }


def summary(result: RunResult) -> dict:
    """The run's table numbers (plus final and best validation accuracy, for the saved-runs list)."""
    return {
        **{k: getattr(result, k) for k in SUMMARY},
        "val_acc": result.final("val_acc"),
        "best_val_acc": result.best("val_acc"),
    }


@dataclass
class ComparisonWriter:
    """Saves the runs of one queue, one folder each; called from the queue's worker between batches.

    `save(result)` writes the run's records and numbers, and its model only when the best epoch has
    moved (the file holds the best weights, not the last). Never raises: `error` keeps the last failure.
    """

    name: str
    comparison: str = field(default_factory=new_comparison_id)
    root: Path | None = None
    error: str = ""
    writers: dict[int, runs.RunWriter] = field(default_factory=dict)  # run id → its folder's writer
    _saved: dict[int, tuple] = field(default_factory=dict)  # run id → (status, epochs, best epoch) saved

    @property
    def waiting(self) -> bool:
        """No name yet (ui.saved_runs gives it one with `claim`): nothing is saved until then."""
        return not runs.safe_name(self.name)

    def claim(self, name: str) -> None:
        if self.waiting:
            self.name = name

    def save(self, result: RunResult) -> bool:
        if result.status in NOT_SAVED:
            return True
        if self.waiting:
            return False
        key = (result.status, len(result.epochs), result.best_epoch)
        last = self._saved.get(result.run_id)
        if last == key:  # nothing new since the last save (e.g. the job's end after the run's end)
            return True
        writer = self.writers.get(result.run_id)
        if writer is None:
            writer = runs.RunWriter(
                PAGE,
                self.name,
                run_config(result, self.comparison),
                **({"root": self.root} if self.root else {}),
            )
            self.writers[result.run_id] = writer
            result.saved_as = writer.run_id
        best_moved = last is None or last[2] != result.best_epoch
        model = result.best_model() if best_moved else None  # None keeps the model.pth already there
        state = result.status if result.status in runs.STATES else "stopped"
        ok = writer.save(
            model,  # its config is the model's own model_args
            state=state,
            epochs_done=len(result.epochs),
            history={"epochs": list(result.epochs)},
            metrics=summary(result),
            meta={"best_epoch": result.best_epoch},
        )
        self.error = writer.error
        if ok:
            self._saved[result.run_id] = key
        return ok


# ---------------------------------------------------------------------------------------------
# Listing and reopening


@dataclass
class Comparison:
    """The saved runs of one queue, in their original order."""

    comparison: str
    runs: list[runs.RunInfo]
    updated: str  # the newest save of any of its runs

    @property
    def varied(self) -> list[str]:
        names: list[str] = []
        for r in self.runs:
            names += [n for n in r.config.get("varied") or [] if n not in names]
        return names

    def best_acc(self) -> float | None:
        values = [r.metrics.get("best_val_acc") for r in self.runs]
        values = [v for v in values if isinstance(v, (int, float))]
        return max(values) if values else None


def list_comparisons(name: str, root: Path | None = None) -> list[Comparison]:
    """The student's saved comparisons, newest first (runs saved without a comparison id are skipped)."""
    groups: dict[str, list[runs.RunInfo]] = {}
    for info in runs.list_runs(PAGE, name, root):
        comparison = info.config.get("comparison")
        if isinstance(comparison, str) and comparison:
            groups.setdefault(comparison, []).append(info)
    out = []
    for comparison, infos in groups.items():
        infos.sort(key=lambda r: (_int(r.config.get("run_id")), r.run_id))
        out.append(Comparison(comparison, infos, max(r.updated for r in infos)))
    return sorted(out, key=lambda c: (c.updated, c.comparison), reverse=True)


def _int(value) -> int:
    return value if isinstance(value, int) else 0


def _number(value):
    """JSON keeps NaN as None; the curves and the table expect the float back."""
    return math.nan if value is None else value


def restore_result(opened: runs.OpenedRun, run_id: int) -> RunResult:
    """A finished, read-only RunResult from a saved run, numbered `run_id` in this session."""
    config = opened.info.config
    try:
        settings = from_dict(Settings, config)
    except TypeError as e:
        raise runs.RunError("unreadable", f"settings: {e}") from e
    spec = RunSpec(run_id, settings, tuple(str(n) for n in config.get("varied") or ()))
    m = opened.info.metrics
    status = str(m.get("status") or opened.info.state)
    if status not in ("done", "stopped", "diverged", "error"):
        status = "stopped"  # saved while training: the server went away mid-run
    epochs = [
        {k: _number(v) for k, v in rec.items()}
        for rec in opened.history.get("epochs", [])
        if isinstance(rec, dict) and rec.get("kind") == "epoch"
    ]
    num = lambda k, kind=float: kind(m.get(k) or 0)  # noqa: E731  (None or a missing key → 0)
    result = RunResult(
        spec,
        status=status,
        reason=str(m.get("reason") or ""),
        epochs=epochs,
        first_loss=m.get("first_loss"),
        peak_loss=num("peak_loss"),
        progress=1.0,
        n_params=num("n_params", int),
        wall_s=num("wall_s"),
        images_per_s=num("images_per_s"),
        train_s=num("train_s"),
        seen=num("seen", int),
        error=str(m.get("error") or ""),
        error_code=str(m.get("error_code") or ""),
    )
    best = m.get("best_epoch")
    if opened.model is not None and isinstance(best, int) and any(r["epoch"] == best for r in epochs):
        if opened.model_config != settings.model_config():
            raise runs.RunError("model", "the model does not match the run's settings")
        result.best_epoch = best
        result.best_state = {k: v.detach().clone() for k, v in opened.model.state_dict().items()}
    result.saved_as = opened.info.run_id
    return result


def open_comparison(comparison: Comparison, first_id: int, root: Path | None = None) -> list[RunResult]:
    """Every run of `comparison`, numbered from `first_id`; RunError if one cannot be opened."""
    out = []
    for i, info in enumerate(comparison.runs):
        opened = runs.open_run(info.run_id, expected_family=FAMILY if info.has_model else None, root=root)
        out.append(restore_result(opened, first_id + i))
    return out
