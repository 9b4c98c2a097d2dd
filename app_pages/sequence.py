"""Sequences page (primer 001, 7.2): an RNN, LSTM or GRU learns a time series from sliding windows.

The first screen is the builder beside Train and the live loss and forecast; below it the trained model's
test-period forecasts (one-step and free-running) beside the baselines, then the window made visible, the
cell's states and memory, the learning-rate experiment, the code and the review, folded.
"""

from dataclasses import asdict

import streamlit as st

from core import run_export
from core import sequence as core_seq
from ui import charts, inputs, job_widgets, jobs, links, saved_runs
from ui.figures import sequence as figures
from ui.i18n import labels, relabelled, t
from ui.lessons import sequence as lesson
from ui.pages import begin
from ui.panels import sequence as panels

begin("sequence")

PAGE = lesson.LESSON.key
ss = st.session_state

st.title(t("sequence.title"))
st.markdown(t("sequence.intro"))
builder, panel = st.columns([1.3, 2.2], gap="medium")

# -- the model builder (left) ----------------------------------------------------------------------------
with builder:
    ss.setdefault("sequence_series", "sine")
    ss.setdefault("sequence_model", "lstm")
    # the series on its own row and the cell beside the narrow layers slider: at 1280 px two choices in one
    # row cut their labels ("LSTM（教材）")
    series = st.selectbox(
        t("sequence.series_label"),
        core_seq.SERIES,
        key=relabelled(links.choice("sequence_series", core_seq.SERIES)),
        format_func=labels("sequence.series."),
    )
    c1, c2 = st.columns([3, 2])
    cell = c1.selectbox(
        t("sequence.model"),
        core_seq.MODELS,
        key=relabelled(links.choice("sequence_model", core_seq.MODELS)),
        format_func=labels("sequence.cell."),
    )
    layers = c2.slider(t("sequence.layers"), 1, 3, 1, key="sequence_layers", **links.bind("sequence_layers"))
    noise, second = 0.0, False
    if series == "sine":
        c1, c2 = st.columns(2)
        noise = c1.select_slider(
            t("sequence.noise"), (0.0, 0.05, 0.1, 0.2), 0.0, **links.keep("sequence_noise")
        )
        second = c2.checkbox(t("sequence.second"), False, **links.keep("sequence_second"))
    c1, c2 = st.columns(2)
    hidden = c1.select_slider(
        t("sequence.hidden"),
        (4, 8, 16, 32, 50, 64, 128),
        50,
        key="sequence_hidden",
        **links.bind("sequence_hidden"),
    )
    window = c2.slider(
        t("sequence.window"), 2, 60, 10, key="sequence_window", help=t("sequence.window_help"),
        **links.bind("sequence_window"),
    )  # fmt: skip
    c1, c2 = st.columns(2)
    lr = c1.select_slider(
        t("sequence.lr"), (0.0001, 0.001, 0.003, 0.01, 0.1, 1.0), 0.001, key="sequence_lr",
        help=t("sequence.lr_help"), **links.bind("sequence_lr"),
    )  # fmt: skip
    epochs = c2.slider(
        t("sequence.epochs"), 1, lesson.SIZES.epochs_max, lesson.SIZES.epochs, key="sequence_epochs",
        **links.bind("sequence_epochs"),
    )  # fmt: skip
    seed = inputs.number(
        st.columns(2)[0], t("common.seed"), 0, 10_000, 0, key="sequence_seed", **links.bind("sequence_seed")
    )
    cfg, s = None, None
    try:
        s = lesson.series(series, float(noise), bool(second))
    except Exception as e:  # a broken install: say so, in words, and keep the page
        st.error(t("sequence.data_error", error=type(e).__name__))
    if s is not None and window >= s.n_train - 1:
        st.error(t("sequence.bad_window", w=window, n=s.n_train))
    elif s is not None:
        cfg = core_seq.SequenceConfig(
            series=series, noise=float(noise), second=bool(second), model=cell, hidden=int(hidden),
            layers=int(layers), window=int(window), lr=float(lr), epochs=int(epochs), seed=int(seed),
        )  # fmt: skip
    st.dataframe(lesson.parameter_rows(int(hidden), int(layers)), hide_index=True, key="sequence_params")
    st.caption(t("sequence.params_caption"))

# -- training (right): Train / Stop / Resume and the live panel ------------------------------------------
job = jobs.get(PAGE)
busy = job is not None and job.active


def on_train() -> None:
    lesson.LESSON.train(cfg)


with panel:
    job_widgets.controls(PAGE, job, on_train, disabled=cfg is None)
    if job is not None:
        job_widgets.live(job, lesson.LESSON.live)
    elif s is not None:  # at rest: the series and the baselines, so the task is visible before training
        shown = {"network": None} | lesson.baselines(s, int(window), float(noise), bool(second))
        charts.plot(st, figures.forecast_figure(s.times, s.values, s.n_train, shown), key="sequence_rest", width="stretch",
            theme=None,
        )  # fmt: skip
        st.info(t("sequence.no_model"), icon=":material/info:")

saved_runs.panel(lesson.LESSON)

# -- a trained model: one-step vs free-running, the baselines, the error table -----------------------------
trained = lesson.session_model()
if trained is not None and not busy:
    model, model_cfg = trained
    st.subheader(t("sequence.results"))
    if cfg is not None and model_cfg != cfg:
        st.info(t("sequence.stale"), icon=":material/info:")
    panels.results_panel(model, model_cfg)

# -- reference, folded --------------------------------------------------------------------------------------
with st.expander(t("sequence.window_title"), icon=":material/view_week:"):
    if cfg is not None:
        st.markdown(t("sequence.window_text"))
        start = st.slider(
            t("sequence.window_pick"), 0, s.n_train - cfg.window - 1, 0, **links.keep("sequence_start")
        )
        charts.plot(st, figures.window_figure(s.times, s.values, s.n_train, cfg.window, int(start)),
            key="sequence_window_chart", width="stretch", theme=None,
        )  # fmt: skip
        shapes = lesson.window_shapes(cfg)
        st.markdown(t("sequence.shapes", x=shapes["X"], y=shapes["y"], batch=shapes["batch"]))
        st.markdown(t("sequence.split_text"))

with st.expander(t("sequence.inside"), icon=":material/memory:"):
    st.markdown(t("sequence.inside_intro"))
    shown = st.toggle(t("sequence.inside_show"), key="sequence_inside", disabled=trained is None or busy)
    if shown and trained is not None and not busy:
        panels.inside_panel(*trained)

with st.expander(t("sequence.lr_title"), icon=":material/local_fire_department:"):
    panels.lr_panel()

if st.toggle(t("common.show_code"), key="sequence_show_code") and cfg is not None:
    code = run_export.train_script(PAGE, asdict(cfg))
    st.caption(t("sequence.code_caption"))
    st.code(code, language="python")
    st.download_button(
        t("sequence.download"), code, f"sequence_{cfg.series}_{cfg.model}.py", key="sequence_download"
    )

st.subheader(t("common.review"))
for i in range(1, 6):
    with st.expander(t(f"sequence.q{i}")):
        st.markdown(t(f"sequence.a{i}"))
