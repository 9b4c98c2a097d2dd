"""Hyperparameter experiments: a grid of runs of the course CNN, run one after another as a queue.

Course sources: 000 §2.4 (learning rate, batch size, channels, epochs), the Part-1 columns on
overfitting ("keep the model of the epoch with the lowest validation loss") and 002 §6 (NaN). Each run
is `core.train.fit`; the queue tags every record with its run id, so one job carries the comparison.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import torch

from core import records
from core.configs import from_dict
from core.device import set_thread_count
from core.models import count_parameters, model_args, reset_parameters
from core.models.cnn import MNISTCNN
from core.train import OPTIMIZERS, SCHEDULES, FitConfig, TrainError, check_fit, fit, subset

MAX_VARIED = 2  # one or two hyperparameters vary; a third would make the chart unreadable
MAX_RUNS = 12  # per grid: what the quick subset trains while a class waits (bench/README.md, Defaults)
EXPLODE_FACTOR = 10.0  # a batch loss above 10x the first batch's loss counts as "exploded"
MAX_STEP_POINTS = 600  # per-batch losses kept per run for the live curve
CHANCE_ACC = 0.15  # final validation accuracy at or below this (10 classes: 0.10) = learned nothing


@dataclass(frozen=True)
class Settings:
    """One run's hyperparameters. Defaults: the quick comparison (3 runs in a few seconds on a CPU)."""

    lr: float = 1e-3  # Adam's usual default (002 §6 Q2)
    batch_size: int = 64  # 002 §6 Q1: "start at 32, go to 64 if memory allows"
    epochs: int = 5  # 000 §2.4 starts at 5
    optimizer: str = "adam"  # "adam" | "sgd" | "sgd_momentum", as core.train
    channels: tuple[int, int] = (16, 32)  # conv1/conv2 filters; 000 §2.4: (16, 32) → (32, 64)
    dropout: float = 0.1  # course CNN: 0.1; 0 lets overfitting show
    weight_decay: float = 0.0  # L2 penalty, another cure for overfitting
    schedule: str = "none"  # "none" | "step" | "cosine" learning-rate schedule
    hidden: int = 128  # dense layer width (course: 256; 128 halves its cost, same accuracy here)
    train_size: int = 2000  # training images drawn from the split (quick subset)
    seed: int = 0  # init, shuffling and dropout: same seed + settings = same curve
    dataset: str = (
        "mnist"  # "mnist" | "fashion" (core.image_data): a queue's runs share one; older saves: MNIST
    )

    def fit_config(self) -> FitConfig:
        return FitConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            optimizer=self.optimizer,
            weight_decay=self.weight_decay,
            schedule=self.schedule,
            loss="nll",
            seed=self.seed,
        )

    def model_config(self) -> dict:
        c1, c2 = self.channels
        return {"c1": c1, "c2": c2, "hidden": self.hidden, "dropout": self.dropout}


# The hyperparameters a grid may vary, with the values offered for each (the course's first).
CHOICES: dict[str, tuple] = {
    "lr": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0),
    "batch_size": (8, 16, 32, 64, 128, 256),
    "epochs": (3, 5, 10, 20, 30, 40),
    "optimizer": OPTIMIZERS,
    "channels": ((4, 8), (8, 16), (16, 32), (32, 64)),
    "dropout": (0.0, 0.1, 0.25, 0.5),
    "weight_decay": (0.0, 1e-4, 1e-3, 1e-2),
    "schedule": SCHEDULES,
}


@dataclass(frozen=True)
class Preset:
    """One click reproduces a course exercise: the base settings and the values to compare."""

    name: str
    vary: dict  # name → values (insertion order = grid order)
    base: dict = field(default_factory=dict)  # overrides of Settings' defaults


PRESETS: dict[str, Preset] = {
    "lr": Preset("lr", {"lr": (1e-3, 1e-2, 1e-1)}),  # 000 §2.4, exercise 1
    "batch": Preset("batch", {"batch_size": (32, 64, 128)}),  # 000 §2.4, exercise 2
    "channels": Preset("channels", {"channels": ((16, 32), (32, 64))}),  # 000 §2.4, exercise 3
    "epochs": Preset("epochs", {"epochs": (5, 10)}),  # 000 §2.4 "5 → 10"; Part 1 column 1
    "optimizer": Preset(
        "optimizer", {"optimizer": ("sgd", "sgd_momentum", "adam")}, {"lr": 1e-2}
    ),  # ConvNetJS's trainer comparison
    # Part 1 columns 1-2: few images, many epochs, no dropout → validation loss turns up; dropout helps
    "overfit": Preset(
        "overfit", {"dropout": (0.0, 0.5)}, {"train_size": 200, "epochs": 30, "lr": 3e-3, "batch_size": 32}
    ),
    "lr_batch": Preset("lr_batch", {"lr": (1e-3, 1e-2), "batch_size": (32, 128)}),  # two at once
}


@dataclass(frozen=True)
class RunSpec:
    """One cell of the grid: an id unique in the session, its settings, and which names were varied."""

    run_id: int
    settings: Settings
    varied: tuple[str, ...] = ()

    def values(self) -> dict:
        return {name: getattr(self.settings, name) for name in self.varied}


def grid(base: Settings, vary: dict[str, Sequence], first_id: int = 1) -> list[RunSpec]:
    """Every combination of the varied values (the first name changes slowest), numbered from first_id.

    >>> [r.settings.lr for r in grid(Settings(), {"lr": (1e-3, 1e-2)})]
    [0.001, 0.01]
    """
    names = [n for n, values in vary.items() if len(values) > 0]
    for n in names:
        if n not in CHOICES:
            raise ValueError(f"cannot vary {n!r}; choose from {sorted(CHOICES)}")
    if len(names) > MAX_VARIED:
        raise ValueError(f"vary at most {MAX_VARIED} hyperparameters, got {names}")
    combos = list(itertools.product(*(vary[n] for n in names)))  # [()] when nothing varies: one run
    if len(combos) > MAX_RUNS:
        raise ValueError(f"{len(combos)} runs; at most {MAX_RUNS} per grid")
    return [
        RunSpec(first_id + i, replace(base, **dict(zip(names, combo))), tuple(names))
        for i, combo in enumerate(combos)
    ]


def fmt_value(name: str, value) -> str:
    """A short, language-neutral rendering: 0.001 → 1e-3 stays "0.001", (16, 32) → "16/32"."""
    if name == "channels":
        return f"{value[0]}/{value[1]}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(eq=False)  # identity, not field-by-field equality (fields hold tensors and grow)
class RunResult:
    """What one run reached. Written by the queue's worker thread, read by the page."""

    spec: RunSpec
    status: str = "queued"  # queued → running → done | stopped | diverged | cancelled | error
    reason: str = ""  # for "diverged": "nan" | "exploded" | "stuck"
    epochs: list[dict] = field(default_factory=list)  # fit's epoch records, tagged with "run"
    first_loss: float | None = None  # the first batch's loss: the yardstick for "exploded"
    peak_loss: float = 0.0  # highest finite batch loss seen
    progress: float = 0.0  # 0..1 within this run (batches done / batches planned)
    steps: list[tuple[float, float]] = field(default_factory=list)  # (fractional epoch, batch loss), thinned
    train_s: float = 0.0  # seconds spent in training batches (evaluation excluded), for images/s
    seen: int = 0  # training images processed
    best_epoch: int | None = None  # epoch with the lowest validation loss (the course's rule)
    best_state: dict | None = None  # CPU copy of the state_dict at best_epoch ("keep the best model")
    n_params: int = 0
    wall_s: float = 0.0
    images_per_s: float = 0.0
    error: str = ""
    error_code: str = ""  # a core.train.TrainError code, translated by the page
    saved_as: str = ""  # its runs/ folder (core.experiment_runs), once saved or when reopened from there

    @property
    def run_id(self) -> int:
        return self.spec.run_id

    @property
    def finished(self) -> bool:
        return self.status in ("done", "stopped", "diverged", "cancelled", "error")

    def series(self, key: str) -> tuple[list[int], list[float]]:
        """(epochs, values) of one metric, e.g. "val_loss"; a snapshot safe to read while training."""
        recs = list(self.epochs)
        return [r["epoch"] for r in recs if key in r], [r[key] for r in recs if key in r]

    def final(self, key: str) -> float | None:
        recs = [r for r in list(self.epochs) if key in r]
        return recs[-1][key] if recs else None

    def best(self, key: str = "val_acc") -> float | None:
        values = [r[key] for r in list(self.epochs) if key in r and math.isfinite(r[key])]
        return max(values) if values else None

    def note_epoch(self, rec: dict, model: torch.nn.Module) -> None:
        """Keep the record; snapshot the weights when validation loss reaches a new low."""
        self.epochs.append(rec)
        val = rec.get("val_loss")
        if val is None or not math.isfinite(val):
            return
        best = next((r["val_loss"] for r in self.epochs if r["epoch"] == self.best_epoch), math.inf)
        if val < best:
            self.best_epoch = rec["epoch"]
            self.best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}

    def best_model(self) -> MNISTCNN | None:
        """A fresh eval-mode CNN holding the best epoch's weights (None before the first epoch)."""
        if self.best_state is None:
            return None
        model = MNISTCNN(**self.spec.settings.model_config())
        model.load_state_dict(self.best_state)
        return model.eval()


def judge(result: RunResult) -> tuple[str, str]:
    """(status, reason) once a run has ended normally: NaN, an exploded loss or chance accuracy = diverged."""
    if result.reason == "nan":
        return "diverged", "nan"
    if result.first_loss is not None and result.peak_loss > EXPLODE_FACTOR * result.first_loss:
        return "diverged", "exploded"
    recs = list(result.epochs)
    # stuck: 3+ epochs at chance level and the training loss not falling (a slow run still falls)
    if (
        len(recs) >= 3
        and recs[-1].get("val_acc", 1.0) <= CHANCE_ACC
        and recs[-1]["train_loss"] >= 0.98 * recs[0]["train_loss"]
    ):
        return "diverged", "stuck"
    return result.status, ""


def overfitting(result: RunResult, rise: float = 1.1) -> tuple[int, float, float] | None:
    """(best epoch, its val loss, final val loss) when validation loss ended >= `rise` x its minimum
    while training loss kept falling — the Part-1 column's sign of overfitting; else None."""
    if result.best_epoch is None or len(result.epochs) < 3:
        return None
    recs = list(result.epochs)
    best = next(r for r in recs if r["epoch"] == result.best_epoch)
    last = recs[-1]
    if last["epoch"] == best["epoch"] or last["val_loss"] < rise * best["val_loss"]:
        return None
    if last["train_loss"] >= best["train_loss"]:  # both rising: not overfitting but instability
        return None
    return best["epoch"], best["val_loss"], last["val_loss"]


@dataclass
class Data:
    """The tensors every run of a queue shares (read-only): training pool and validation set."""

    x_train: torch.Tensor  # (N, 1, 28, 28) float32 in [0, 1]
    y_train: torch.Tensor  # (N,) int64
    x_val: torch.Tensor  # (M, 1, 28, 28)
    y_val: torch.Tensor  # (M,)


class RunQueue:
    """Runs its RunResults one after another; `records()` is the iterator a background job consumes.

    `stop_current()` ends the running run after its current batch, keeping what it reached, and the
    queue goes on; `cancel()` does that and marks every run still waiting as cancelled. Both act
    within one batch. Runs may be appended (`extend`) while the queue is running.
    """

    def __init__(
        self,
        runs: Sequence[RunResult],
        data: Data,
        device: str | torch.device = "cpu",
        threads: int | None = None,
    ):
        self.runs: list[RunResult] = list(runs)
        self.data = data
        self.device = device
        # CPU threads for the thread that iterates `records()` (OpenMP: that thread only). A server's
        # worker thread shares the cores with the others, so the page asks for 1.
        self.threads = threads
        self._stop = threading.Event()
        self._cancel = threading.Event()

    def extend(self, runs: Sequence[RunResult]) -> None:
        self._cancel.clear()
        self.runs.extend(runs)

    def stop_current(self) -> None:
        self._stop.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._stop.set()
        for r in self.runs:
            if r.status == "queued":
                r.status = "cancelled"

    @property
    def current(self) -> RunResult | None:
        return next((r for r in self.runs if r.status == "running"), None)

    def fraction(self) -> float:
        """Share of the queue's planned epochs that are done (cancelled runs count as done)."""
        total = sum(r.spec.settings.epochs for r in self.runs) or 1
        done = sum(r.spec.settings.epochs * (1.0 if r.finished else r.progress) for r in self.runs)
        return min(1.0, max(0.0, done / total))

    def records(self) -> Iterator[dict]:
        """Every record of every run, tagged with "run"; plus {"kind": "run_end", "run", "status"}."""
        set_thread_count(self.threads)
        i = 0
        while i < len(self.runs):
            result = self.runs[i]
            i += 1
            if result.status != "queued" or self._cancel.is_set():
                if result.status == "queued":
                    result.status = "cancelled"
                continue
            self._stop.clear()
            yield from self._run(result)
            yield records.run_end(result.run_id, result.status, result.reason)

    def _run(self, result: RunResult) -> Iterator[dict]:
        s = result.spec.settings
        g = torch.Generator().manual_seed(s.seed)
        model = reset_parameters(MNISTCNN(**s.model_config()), g)
        result.n_params = count_parameters(model)
        x, y = subset(self.data.x_train, self.data.y_train, s.train_size, s.seed)
        cfg = s.fit_config()
        result.status = "running"
        t0 = t_last = time.perf_counter()
        try:
            check_fit(cfg, len(x), len(y), min_epochs=1)  # a run of 0 epochs would look "done" with nothing
            for rec in fit(model, x, y, cfg, self.data.x_val, self.data.y_val, self.device, g):
                rec = {**rec, "run": result.run_id}
                kind = rec["kind"]
                if kind == "step":
                    result.train_s += time.perf_counter() - t_last  # one batch: forward, backward, step
                    result.seen, at = rec["seen"], rec["epoch"] - 1 + rec["batch"] / rec["batches"]
                    result.images_per_s = result.seen / max(1e-9, result.train_s)
                    if result.first_loss is None:
                        result.first_loss = rec["loss"]
                    result.peak_loss = max(result.peak_loss, rec["loss"])
                    result.progress = at / max(1, cfg.epochs)
                    result.steps.append((at, rec["loss"]))
                    if len(result.steps) > MAX_STEP_POINTS:  # keep the live chart light
                        result.steps = result.steps[::2]
                elif kind == "epoch":
                    result.note_epoch(rec, model)
                elif kind == "diverged":  # NaN/inf: fit has ended this run; the queue goes on
                    result.reason = "nan"  # a "run_end" record follows, so the job is not over
                result.wall_s = time.perf_counter() - t0
                yield rec
                t_last = time.perf_counter()  # the consumer's time is not training time
                if self._stop.is_set():
                    result.status = "stopped"
                    break
        except TrainError as e:  # settings out of range: the page translates `train.err.<code>`
            result.status, result.error, result.error_code = "error", str(e), e.code
        except Exception as e:  # one broken run must not end the comparison
            result.status, result.error = "error", f"{type(e).__name__}: {e}"
        result.wall_s = time.perf_counter() - t0
        if result.status == "running":
            result.status = "done"
        if result.status in ("done", "stopped"):
            result.status, result.reason = judge(result)


def new_results(specs: Sequence[RunSpec]) -> list[RunResult]:
    return [RunResult(spec) for spec in specs]


# ---------------------------------------------------------------------------------------------
# Results table and CSV

COLUMNS = (
    "run",
    "settings",
    "status",
    "final_val_acc",
    "best_val_acc",
    "best_epoch",
    "epochs_done",
    "final_train_loss",
    "final_val_loss",
    "wall_s",
    "images_per_s",
    "params",
)


def settings_label(spec: RunSpec, names: Sequence[str] | None = None) -> str:
    """ "lr=0.01, batch_size=32": the varied values (or all of `names`)."""
    names = spec.varied if names is None else names
    if not names:
        return "base"
    return ", ".join(f"{n}={fmt_value(n, getattr(spec.settings, n))}" for n in names)


def table_rows(results: Sequence[RunResult]) -> list[dict]:
    """One row per run with the columns of COLUMNS (accuracies as fractions, None where not reached)."""
    rows = []
    for r in results:
        rows.append(
            {
                "run": r.run_id,
                "settings": settings_label(r.spec),
                "status": r.status,
                "final_val_acc": r.final("val_acc"),
                "best_val_acc": r.best("val_acc"),
                "best_epoch": r.best_epoch,
                "epochs_done": len(r.epochs),
                "final_train_loss": r.final("train_loss"),
                "final_val_loss": r.final("val_loss"),
                "wall_s": round(r.wall_s, 2),
                "images_per_s": round(r.images_per_s, 1),
                "params": r.n_params,
            }
        )
    return rows


def to_csv(results: Sequence[RunResult]) -> str:
    """The table plus every setting of each run, for a spreadsheet."""
    buf = io.StringIO()
    names = list(asdict(Settings()))
    writer = csv.DictWriter(buf, fieldnames=[*COLUMNS, *names], lineterminator="\n")
    writer.writeheader()
    for r, row in zip(results, table_rows(results)):
        row.update({n: fmt_value(n, getattr(r.spec.settings, n)) for n in names})
        writer.writerow(row)
    return buf.getvalue()


def checkpoint_parts(result: RunResult, provenance: dict) -> tuple[MNISTCNN, dict, dict] | None:
    """(model, config, meta) of the best epoch, for core.checkpoints.to_bytes; None before epoch 1."""
    model = result.best_model()
    if model is None:
        return None
    rec = next(r for r in result.epochs if r["epoch"] == result.best_epoch)
    metrics = {
        "val_accuracy": rec.get("val_acc"),
        "val_loss": rec.get("val_loss"),
        "train_loss": rec.get("train_loss"),
    }
    meta = {
        "provenance": provenance,
        "epochs": result.best_epoch,
        "metrics": metrics,
        "train": asdict(result.spec.settings),
    }
    return model, model_args(model), meta


# ---------------------------------------------------------------------------------------------
# The comparison zip's train.py (core/export_scripts/hyperparams.tmpl)


def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the train.py that runs a queue again, one run after another: `config` is one run's
    saved settings, or `{"queue": [settings, ...]}` for a saved comparison (core.run_export.queue_zip).
    Each run keeps its settings, its number in the lab and what it varied; `model_config` is not needed:
    the settings name the whole network."""
    queue = config.get("queue") or [config]
    runs = []
    for i, saved in enumerate(queue, start=1):
        s = from_dict(Settings, saved)
        varied = tuple(str(n) for n in saved.get("varied") or () if n in CHOICES)
        label = settings_label(RunSpec(0, s, varied))
        runs.append({"run": saved.get("run_id", i), "label": label, **asdict(s)})
    # core.run_export ships the digits (or names the full MNIST); Fashion-MNIST is fetched by the script
    fashion = any(r["dataset"] == "fashion" for r in runs)
    return {
        "RUNS": runs,
        **({"DATA": "fashion-mnist"} if fashion else {"DATASET": "mnist"}),
        "FASHION": fashion,
    }
