"""The Sequences page's panels (primer 001, 7.2) of a trained model: one-step against free-running beside
every baseline and the error table; inside the cell (its states, and its memory beside an RNN's and an
LSTM's); and the learning-rate experiment (a run that blows up and its cures). They draw
ui/figures/sequence.py's figures; what they compute comes from ui/lessons/sequence.py."""

from __future__ import annotations

import streamlit as st
import torch

from core import sequence as core_seq
from ui import charts
from ui.figures import sequence as figures
from ui.i18n import t
from ui.lessons import sequence as lesson

ss = st.session_state


def results_panel(model: torch.nn.Module, cfg: core_seq.SequenceConfig) -> None:
    """One-step and free-running forecasts of the test period beside the baselines, the error table, a
    sentence when a baseline wins, and the error against the horizon."""
    s = lesson.series_of(cfg)
    x, _ = core_seq.test_windows(s, cfg.window)
    stepper = core_seq.network_stepper(model)
    one_step = s.unscale(core_seq.predict(model, x))
    free = core_seq.free_run(stepper, s, cfg.window)
    classical = lesson.classical(cfg.series, cfg.noise, cfg.second)
    shown = {"network": one_step, "free": free} | lesson.baselines(s, cfg.window, cfg.noise, cfg.second)
    charts.plot(st, figures.forecast_figure(s.times, s.values, s.n_train, shown), key="sequence_forecast",
        width="stretch", theme=None,
    )  # fmt: skip
    st.caption(t("sequence.forecast_caption"))
    table = core_seq.error_table(s, cfg.window, {"network": one_step, "free": free}, classical)
    unit = t(f"sequence.unit.{cfg.series}")  # what the errors are measured in
    st.dataframe(
        [
            {t("sequence.table.model"): t(f"sequence.model_name.{name}"), "MAE": row["mae"], "RMSE": row["rmse"]}
            for name, row in table.items()
        ],
        hide_index=True, key="sequence_errors",
        column_config={"MAE": st.column_config.NumberColumn(format="%.4f"), "RMSE": st.column_config.NumberColumn(format="%.4f")},
    )  # fmt: skip
    st.caption(t("sequence.table_caption", unit=unit) + " " + t("sequence.classical_caption"))
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
        st, figures.horizon_figure(horizons, unit), key="sequence_horizon", width="stretch", theme=None
    )
    st.caption(t("sequence.horizon_caption"))


def inside_panel(model: torch.nn.Module, cfg: core_seq.SequenceConfig) -> None:
    """The last layer's hidden state (and the LSTM's cell state and gates) after each test window, then the
    memory map of this model, beside an RNN's and an LSTM's trained alike once the student asks."""
    s = lesson.series_of(cfg)
    xt = core_seq.as_input(core_seq.test_windows(s, cfg.window)[0])
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
    st.markdown(t("sequence.memory_title"))
    compare = st.button(
        t("sequence.memory_compare"), key="sequence_memory_compare", icon=":material/compare:"
    )
    kept = ss.get(lesson.MEMORY)
    if compare or (kept is not None and kept["cfg"] == cfg and len(kept["maps"]) > 1):
        with st.spinner(t("sequence.memory_working")):
            maps = lesson.memory_profiles(model, cfg)
        epochs = min(cfg.epochs, lesson.SIZES.compare_epochs)
    else:
        maps = {cfg.model: core_seq.memory_profile(model, xt)}
        epochs = None
    named = {t(f"sequence.cell.{c}"): maps[c] for c in core_seq.MODELS if c in maps}
    charts.plot(st, figures.memory_figure(named), key="sequence_memory_chart", width="stretch", theme=None)
    st.caption(t("sequence.memory_caption"))
    if epochs is not None:
        st.caption(t("sequence.memory_others", epochs=epochs))


def lr_panel() -> None:
    """The learning-rate experiment: one click trains the six runs (shared by the class), then SGD's and
    Adam's loss curves side by side and why clipping cures one and not the other."""
    st.markdown(t("sequence.lr_text", steps=lesson.SIZES.lr_steps))
    if st.button(t("sequence.lr_run"), key="sequence_lr_run", icon=":material/science:"):
        ss["sequence_lr_shown"] = True
    if not ss.get("sequence_lr_shown"):
        return
    with st.spinner(t("sequence.lr_working")):
        curves = lesson.lr_curves()
    for col, opt in zip(st.columns(2), ("sgd", "adam")):
        col.markdown(t(f"sequence.lr_{opt}"))
        mine = {name: losses for name, losses in curves.items() if name.startswith(opt)}
        charts.plot(col, figures.lr_figure(mine), key=f"sequence_lr_{opt}", width="stretch", theme=None)
    st.markdown(t("sequence.lr_explain"))
