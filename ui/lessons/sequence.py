"""The Sequences lesson (primer 001, 7.2): an RNN, LSTM or GRU trained as a job on a time series (its
`LESSON`), the live panel (loss and the test-period forecast redrawn as it learns, always beside the
baselines), and the panels of a trained model: one-step against free-running, the error table, the cell's
states and its memory. The figures are ui/figures/sequence.py."""

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
MEMORY = "sequence_memory"  # session_state: {cell: (W,) memory map} of the models looked inside so far
SIZES = resources.sizes(
    full={"epochs": 150, "epochs_max": 500},  # the primer's 150 epochs: about 2 s for the sine on one core
    tiny={"epochs": 2, "epochs_max": 5},
)
ss = st.session_state


@st.cache_data(show_spinner=False, max_entries=16)
def series(name: str, noise: float = 0.0, second: bool = False) -> core_seq.Series:
    """The series, loaded once per server (statsmodels reads its CSV files; the sine is computed)."""
    return core_seq.load_series(name, noise, second)


def series_of(cfg: core_seq.SequenceConfig) -> core_seq.Series:
    return series(cfg.series, cfg.noise, cfg.second)


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
    shown = {"network": forecast} | core_seq.baselines(s, cfg.window)
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


# -- a trained model's panels ------------------------------------------------------------------------------
def results_panel(model: torch.nn.Module, cfg: core_seq.SequenceConfig) -> None:
    """One-step and free-running forecasts of the test period beside the baselines, the error table, a
    sentence when a baseline wins, and the error against the horizon."""
    s = series_of(cfg)
    x, _ = core_seq.test_windows(s, cfg.window)
    stepper = core_seq.network_stepper(model)
    one_step = s.unscale(core_seq.predict(model, x))
    free = core_seq.free_run(stepper, s, cfg.window)
    shown = {"network": one_step, "free": free} | core_seq.baselines(s, cfg.window)
    charts.plot(st, figures.forecast_figure(s.times, s.values, s.n_train, shown), key="sequence_forecast",
        width="stretch", theme=None,
    )  # fmt: skip
    st.caption(t("sequence.forecast_caption"))
    table = core_seq.error_table(s, cfg.window, {"network": one_step, "free": free})
    unit = t(f"sequence.unit.{cfg.series}")  # what the errors are measured in
    st.dataframe(
        [
            {t("sequence.table.model"): t(f"sequence.model_name.{name}"), "MAE": row["mae"], "RMSE": row["rmse"]}
            for name, row in table.items()
        ],
        hide_index=True, key="sequence_errors",
        column_config={"MAE": st.column_config.NumberColumn(format="%.4f"), "RMSE": st.column_config.NumberColumn(format="%.4f")},
    )  # fmt: skip
    st.caption(t("sequence.table_caption", unit=unit))
    name, gain = core_seq.best_baseline({k: v for k, v in table.items() if k != "free"})
    what = t(f"sequence.model_name.{name}")
    if gain < 0:
        mae, base = table["network"]["mae"], table[name]["mae"]  # no percentage: a baseline may be exact
        st.warning(t("sequence.loses", baseline=what, mae=mae, base=base), icon=":material/lightbulb:")
    else:
        st.success(t("sequence.wins", baseline=what, pct=100 * gain), icon=":material/check_circle:")
    k = min(50, s.n_test)
    horizons = {
        "network": core_seq.horizon_errors(stepper, s, cfg.window, k),
        "persistence": core_seq.horizon_errors(core_seq.persistence_stepper, s, cfg.window, k),
        "ar": core_seq.horizon_errors(core_seq.fit_ar(s, cfg.window), s, cfg.window, k),
    }
    charts.plot(
        st,
        figures.horizon_figure(horizons, unit),
        key="sequence_horizon",
        width="stretch",
        theme=None,
    )
    st.caption(t("sequence.horizon_caption"))


def inside_panel(model: torch.nn.Module, cfg: core_seq.SequenceConfig) -> None:
    """The last layer's hidden state (and the LSTM's cell state and gates) after each test window, and the
    memory map of every cell looked inside in this session, side by side."""
    s = series_of(cfg)
    x, _ = core_seq.test_windows(s, cfg.window)
    xt = core_seq.as_input(x)
    states = core_seq.cell_states(model, xt)
    times = s.times[s.n_train :]
    shown = ("h", "c", "f", "i") if "c" in states else ("h",)
    for row in range(0, len(shown), 2):
        cols = st.columns(2)
        for col, name in zip(cols, shown[row : row + 2]):
            col.markdown(t(f"sequence.state.{name}"))
            charts.plot(col, figures.states_figure(states[name], times, height=260), key=f"sequence_state_{name}",
                width="stretch", theme=None,
            )  # fmt: skip
    memory = core_seq.memory_map(model, xt).mean(axis=0)  # (W,): averaged over the test windows
    ss.setdefault(MEMORY, {})[cfg.model] = (cfg.window, memory / max(memory.max(), 1e-12))
    maps = {t(f"sequence.cell.{c}"): m for c, (w, m) in ss[MEMORY].items() if w == cfg.window}
    st.markdown(t("sequence.memory_title"))
    charts.plot(st, figures.memory_figure(maps), key="sequence_memory_chart", width="stretch", theme=None)
    st.caption(t("sequence.memory_caption"))


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
