"""The records a training loop yields, typed: one `TypedDict` and one constructor per kind.

Every training loop in core (core.train.fit and each topic's own) builds its records with these functions,
so a kind's name and its required keys are written once. Records stay plain dicts at runtime: the job engine
(core.jobs) keeps them, runs/ saves them as JSON, tests compare them with `==`. A loop adds its own
numbers as keywords (`seen`, `d_loss`, `grid`, …); the TypedDicts name the keys every reader may rely on.

The engine reads the kinds so:
- "step": one batch; kept thinned for the loss chart, never saved on its own;
- "epoch": the end of an epoch (or of a loop's evaluation period); saved to runs/;
- "diverged": the loss stopped being finite; the job ends "diverged" when it is its iterator's last record;
- "rest": a slow-motion pause of `seconds`, taken by the engine without holding a slot, and not kept;
- "run_end": one run of a queue of runs (core.experiments) is over, with its status.
"""

# no `from __future__ import annotations`: TypedDict reads NotRequired from evaluated annotations only
from typing import Any, Literal, NotRequired, TypedDict

Kind = Literal["step", "epoch", "diverged", "rest", "run_end"]
KINDS: tuple[Kind, ...] = ("step", "epoch", "diverged", "rest", "run_end")


class Step(TypedDict):
    kind: Literal["step"]
    epoch: int
    batch: int  # 1-based, within the epoch
    batches: int  # in this epoch: with `batch`, the job's progress
    step: int  # updates since the run began
    loss: float
    elapsed: float  # seconds since the run (or its resumption) began
    seen: NotRequired[int]  # examples trained on so far


class Epoch(TypedDict):
    kind: Literal["epoch"]
    epoch: int
    step: NotRequired[int]
    train_loss: NotRequired[float]
    elapsed: NotRequired[float]


class Diverged(TypedDict):
    kind: Literal["diverged"]
    epoch: int
    loss: float  # the value that was not finite
    step: NotRequired[int]


class Rest(TypedDict):
    kind: Literal["rest"]
    seconds: float


class RunEnd(TypedDict):
    kind: Literal["run_end"]
    run: int
    status: str  # the run's RunResult.status: "done", "stopped", "diverged", "error", …
    reason: str


Record = Step | Epoch | Diverged | Rest | RunEnd


def step(
    *, epoch: int, batch: int, batches: int, step: int, loss: float, elapsed: float, **extra: Any
) -> Step:
    """One batch's record; `extra` are the loop's own numbers (`seen`, `d_loss`, `recon`, …)."""
    return {
        "kind": "step",
        "epoch": epoch,
        "batch": batch,
        "batches": batches,
        "step": step,
        "loss": loss,
        **extra,
        "elapsed": elapsed,
    }  # type: ignore[typeddict-item]


def epoch(epoch: int, **metrics: Any) -> Epoch:
    """The end of an epoch, with the loop's metrics (and arrays: a sample grid, say)."""
    return {"kind": "epoch", "epoch": epoch, **metrics}  # type: ignore[typeddict-item]


def diverged(epoch: int, loss: float, **extra: Any) -> Diverged:
    """The loss (`loss`) is no longer finite; the loop ends after this record."""
    return {"kind": "diverged", "epoch": epoch, "loss": loss, **extra}  # type: ignore[typeddict-item]


def rest(seconds: float) -> Rest:
    """Slow motion: pause `seconds` before the next record, holding no slot (see core.jobs)."""
    return {"kind": "rest", "seconds": float(seconds)}


def run_end(run: int, status: str, reason: str = "") -> RunEnd:
    """One run of a queue is over (the queue's job goes on with the next run)."""
    return {"kind": "run_end", "run": run, "status": status, "reason": reason}
