"""The Sequences lesson (primer 001, 7.2): an RNN, LSTM or GRU trained as a job on a time series (its
`LESSON`), the live panel (loss and the test-period forecast redrawn as it learns, always beside the
baselines), and what the panels compute: statsmodels' baseline, the learning-rate experiment and the cells'
memory compared. The panels are ui/panels/sequence.py, the figures ui/figures/sequence.py."""

from __future__ import annotations

import dataclasses

import streamlit as st
import torch

from core import runs
from core import sequence as core_seq
from core.models import model_args
from ui import charts, job_widgets, jobs, resources, saved_runs, trainable
from ui.figures import sequence as figures
from ui.i18n import t

SESSION = "sequence_session"  # session_state: {"model", "cfg"} of the model trained or reopened here
MEMORY = "sequence_memory"  # session_state: {"cfg", "maps": {cell: (W,) memory profile}} of the settings
SIZES = resources.sizes(
    # the primer's 150 epochs: about 2 s for the sine on one core; the experiment's 300 steps show each
    # cure settle (bench/README.md, Sequences); the memory comparison's cells train at most 150 epochs
    full={"epochs": 150, "epochs_max": 500, "lr_steps": 300, "compare_epochs": 150},
    tiny={"epochs": 2, "epochs_max": 5, "lr_steps": 30, "compare_epochs": 2},
)
ss = st.session_state


@st.cache_data(show_spinner=False, max_entries=16)
def series(name: str, noise: float = 0.0, second: bool = False) -> core_seq.Series:
    """The series, loaded once per server (statsmodels reads its CSV files; the sine is computed)."""
    return core_seq.load_series(name, noise, second)


def series_of(cfg: core_seq.SequenceConfig) -> core_seq.Series:
    return series(cfg.series, cfg.noise, cfg.second)


@st.cache_data(show_spinner=False, max_entries=16)
def classical(name: str, noise: float = 0.0, second: bool = False) -> dict:
    """statsmodels' model of the series (core.sequence.classical_baseline), fitted once per server; a fit
    that fails leaves it out rather than the page (the other baselines still stand)."""
    try:
        return core_seq.classical_baseline(series(name, noise, second))
    except Exception:  # an odd statsmodels install or a fit that breaks: the page goes on without it
        return {}


def baselines(s: core_seq.Series, window: int, noise: float = 0.0, second: bool = False) -> dict:
    """Every baseline's one-step forecast of the test period, statsmodels' model included."""
    return core_seq.baselines(s, window) | classical(s.name, noise, second)


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def build(cfg: core_seq.SequenceConfig) -> trainable.Training:
    """A fresh network of `cfg` in this session, trained on the CPU: a recurrent net this small steps
    faster there than a GPU launches its kernels."""
    s = series_of(cfg)
    model, g = core_seq.build_model(cfg)
    ss[SESSION] = {"model": model, "cfg": cfg}
    return trainable.Training(
        model=model,
        model_args=model_args(model),
        settings=dataclasses.asdict(cfg),
        records=lambda: core_seq.train(model, s, cfg, g),
        epochs=cfg.epochs,
        device="cpu",
        save_every_s=1.0,  # an epoch of the sine takes a few milliseconds
    )


def restore(opened: runs.OpenedRun, cfg: core_seq.SequenceConfig) -> str:
    """The saved network as this session's model, its records as a finished job, the settings back in
    the widgets."""
    ss[SESSION] = {"model": opened.model.eval(), "cfg": cfg}
    ss.update(
        {
            "sequence_series": cfg.series,
            "sequence_model": cfg.model,
            "sequence_hidden": cfg.hidden,
            "sequence_layers": cfg.layers,
            "sequence_window": cfg.window,
            "sequence_lr": cfg.lr,
            "sequence_epochs": cfg.epochs,
            "sequence_seed": cfg.seed,
        }
    )
    steps = saved_runs.step_records(opened.history)
    saved_runs.restored_job(LESSON.key, opened.history.get("epochs", []), steps, cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


def session_model() -> tuple[torch.nn.Module, core_seq.SequenceConfig] | None:
    """The model trained or reopened in this session and its settings, if any."""
    got = ss.get(SESSION)
    return (got["model"], got["cfg"]) if got else None


def live(job: jobs.Job) -> None:
    """Progress, the loss, and the test-period forecast of the latest epoch beside the baselines."""
    job_widgets.status(job)
    got = session_model()
    if got is None:
        return
    _, cfg = got
    epochs = [r for r in job.epochs_log if r.get("kind") == "epoch"]
    steps = [(r["step"], r["loss"]) for r in job.steps if "loss" in r]
    s = series_of(cfg)
    batches = -(-(s.n_train - cfg.window) // cfg.batch_size)
    left, right = st.columns(2)
    loss = charts.loss_chart(steps, epochs, batches, log_y=True)
    loss.update_layout(margin={"l": 60, "r": 10, "t": 30, "b": 10}).update_yaxes(automargin=True)
    charts.plot(left, loss, key="sequence_loss", width="stretch", theme=None)
    forecast = epochs[-1]["forecast"] if epochs and "forecast" in epochs[-1] else None
    shown = {"network": forecast} | baselines(s, cfg.window, cfg.noise, cfg.second)
    charts.plot(right, figures.forecast_figure(s.times, s.values, s.n_train, shown), key="sequence_live_forecast",
        width="stretch", theme=None,
    )  # fmt: skip
    if epochs:
        st.caption(t("sequence.live_caption", epoch=epochs[-1]["epoch"], mae=epochs[-1]["test_mae"]))


LESSON = trainable.Lesson(
    "sequence",
    build,
    restore,
    live=live,
    metric_keys=("train_loss", "test_mae"),
    # the epoch records keep only the last forecast: 150 of them would be 150 × 50 numbers in run.json
    history=lambda job: {"epochs": _last_forecast_only(job.epochs_log), "steps": list(job.steps)},
)


def _last_forecast_only(epochs: list[dict]) -> list[dict]:
    epochs = list(epochs)
    last = max((i for i, r in enumerate(epochs) if "forecast" in r), default=-1)
    return [r if i == last else {k: v for k, v in r.items() if k != "forecast"} for i, r in enumerate(epochs)]


# -- what the panels compute (ui/panels/sequence.py draws them) -------------------------------------------
_SHARED = resources.SharedResults(max_entries=32)  # fixed inputs, the same result for every student


def lr_curves() -> dict:
    """The learning-rate experiment's step losses (core.sequence.lr_experiment): its settings are fixed
    (seed 0), so the whole class shares one computation of a few seconds."""
    steps = SIZES.lr_steps
    return _SHARED.get(("lr", steps), lambda: core_seq.lr_experiment(steps))


def memory_profiles(model: torch.nn.Module, cfg: core_seq.SequenceConfig) -> dict[str, object]:
    """The memory profile (W,) of this session's model and of an RNN and an LSTM trained with the same
    settings (at most SIZES.compare_epochs epochs): {cell: profile}. The other cells' runs are seeded, so a
    class asking for the same settings shares them; this session keeps its own under MEMORY."""
    s = series_of(cfg)
    xt = core_seq.as_input(core_seq.test_windows(s, cfg.window)[0])
    base = dataclasses.replace(cfg, epochs=min(cfg.epochs, SIZES.compare_epochs))
    kept = ss.get(MEMORY)
    if kept is None or kept["cfg"] != cfg:
        kept = ss[MEMORY] = {"cfg": cfg, "maps": {}}
    kept["maps"][cfg.model] = core_seq.memory_profile(model, xt)
    for cell in ("rnn", "lstm"):
        if cell != cfg.model:
            other = dataclasses.replace(base, model=cell)
            kept["maps"][cell] = _SHARED.get(("memory", other), lambda o=other: _trained_profile(o, xt))
    return kept["maps"]


def _trained_profile(cfg: core_seq.SequenceConfig, windows: torch.Tensor):
    model, _, _ = core_seq.fit(cfg)
    return core_seq.memory_profile(model, windows)


def parameter_rows(hidden: int, layers: int) -> list[dict]:
    """The three cells' parameter counts for the same hidden size and layers, side by side."""
    from core.models.sequence import parameter_count

    return [
        {
            t("sequence.table.model"): t(f"sequence.cell.{c}"),
            t("sequence.table.params"): parameter_count(c, hidden, layers),
        }
        for c in core_seq.MODELS
    ]


def window_shapes(cfg: core_seq.SequenceConfig) -> dict[str, tuple[int, ...]]:
    """The tensors' shapes the page shows: the training inputs and targets, and one batch."""
    s = series_of(cfg)
    x, y = core_seq.train_windows(s, cfg.window)
    return {
        "X": (len(x), cfg.window, 1),
        "y": (len(y),),
        "batch": (min(cfg.batch_size, len(x)), cfg.window, 1),
    }
