"""Attention page (course Part 3.1.3): a tiny GPT learns to sort digits (or write Japanese) while every head's
attention is drawn; the three steps of attention with numbers; try it; experiments; review questions."""

import inspect

import streamlit as st

from core import attention as core_attention
from core import configs
from core.models import gpt as models_gpt
from ui import inputs, job_widgets, jobs, links, saved_runs
from ui.figures import attention as figures
from ui.i18n import labels, relabelled, t
from ui.lessons import attention as lesson
from ui.pages import begin
from ui.panels import attention as panels

begin("attention")

ss = st.session_state
st.title(t("attention.title"))
st.markdown(t("attention.lead"))

# -- 1. Train and watch, on the first screen ---------------------------------------------------------------
job = jobs.get(lesson.LESSON.key)
c1, c2, c3, c4 = panels.settings_columns()
task = c1.selectbox(
    t("attention.task"),
    core_attention.TASKS,
    key=relabelled(links.choice("attention_task", core_attention.TASKS)),
    format_func=labels("attention.task."),
)
experiment = c2.selectbox(
    t("attention.experiment"),
    lesson.EXPERIMENTS,
    key=relabelled(links.choice("attention_experiment", lesson.EXPERIMENTS)),
    format_func=labels("attention.experiment."),
    help=t("attention.experiment_help"),
)
low, high, first = lesson.steps_range(task)
ss.setdefault(f"attention_steps_{task}", first)  # its first value through session_state: Open sets it too
steps = c3.slider(
    t("attention.steps"),
    low,
    high,
    step=10,
    key=f"attention_steps_{task}",
    **links.bind(f"attention_steps_{task}"),
)
seed = inputs.number(c4, t("common.seed"), 0, 10_000, 0, key="attention_seed", **links.bind("attention_seed"))


def on_train() -> None:
    cfg = lesson.config(task, experiment, int(seed))
    lesson.LESSON.train(configs.with_overrides(cfg, steps=int(steps)))


job_widgets.controls(lesson.LESSON.key, job, on_train)
shown = lesson.job_of(task, job)  # the session's run, only while its own task is chosen
if shown is None:
    panels.preview(task, panels.other_task(job, task))
job_widgets.live(shown, lesson.LESSON.live, interval=0.7)
lesson.remember(job)
saved_runs.panel(lesson.LESSON)

# -- how it works: three steps with the numbers of one small example -----------------------------------
with st.expander(t("attention.how"), icon=":material/functions:"):
    ex = panels.worked_example()
    m = figures.matrix_tex
    st.markdown(t("attention.intro"))
    st.latex(f"Q = {m(ex['Q'], 0)},\\quad K = {m(ex['K'], 0)},\\quad V = {m(ex['V'], 0)}")
    st.markdown(t("attention.step1"))
    st.latex(f"S = \\frac{{Q K^\\top}}{{\\sqrt{{d}}}} = {m(ex['scores'])}")
    st.markdown(t("attention.step2"))
    st.latex(f"S_{{ij}} = -\\infty \\ \\text{{for}}\\ j > i:\\quad {m(ex['masked'])}")
    st.markdown(t("attention.step3"))
    st.latex(f"A = \\mathrm{{softmax}}(S) = {m(ex['weights'])}")
    st.latex(f"\\mathrm{{Attention}}(Q, K, V) = A V = {m(ex['out'])}")
    st.markdown(t("attention.multi_head"))

# -- 2. Try it -----------------------------------------------------------------------------------------
st.header(t("attention.try"))
st.caption(t("attention.try_caption"))
got = lesson.model_for(task, job)
if got is None:
    if task in lesson.SHIPPED and not (job and job.active):
        lesson.warn_no_shipped(task)
    else:
        st.info(t("attention.no_model"))
else:
    model, cfg, vocab, source = got
    st.caption(t(f"attention.using_{source}"))
    a, b, c = st.columns([5, 2, 3], vertical_alignment="bottom")  # room for "ヘッドの平均" at 20 px
    layer = b.selectbox(
        t("attention.layer"),
        range(cfg.n_layer),
        index=cfg.n_layer - 1,  # the last layer: where the answer's pattern is clearest
        key="attention_try_layer",
        format_func=lambda i: str(i + 1),
    )
    heads = ["mean", *range(cfg.n_head)]
    head = c.selectbox(
        t("attention.which_head"),
        heads,
        key=f"attention_try_head_{cfg.n_head}",
        format_func=lesson.head_label(),
    )
    if cfg.task == "text":
        panels.try_text(model, cfg, vocab, layer, head, a)
    else:
        panels.try_digits(model, cfg, source, job, layer, head, a)
        panels.hard_inputs(model, cfg)

# -- 3. Experiments ------------------------------------------------------------------------------------
st.header(t("attention.experiments"))
st.markdown(t("attention.exp_intro"))
cols = st.columns(3)
for col, name in zip(cols, ("no_mask", "one_head", "no_pos")):
    col.markdown(t(f"attention.exp.{name}"))
rows = panels.results_rows()
if rows:
    st.dataframe(rows, hide_index=True, key="attention_results_table")
else:
    st.caption(t("attention.no_results"))

# -- review questions and the code -------------------------------------------------------------------
st.subheader(t("common.review"))
for i in range(1, 5):
    st.markdown(f"**{i}.** " + t(f"attention.review.q{i}"))
    with st.expander(t("common.answer")):
        st.markdown(t(f"attention.review.a{i}"))
if st.toggle(t("common.show_code"), key="attention_show_code"):
    st.caption(t("attention.code_caption"))
    parts = (models_gpt.CausalSelfAttention.forward, models_gpt.Block.forward, models_gpt.GPT.forward)
    st.code("\n\n".join(inspect.getsource(p) for p in parts), language="python")
    st.code(inspect.getsource(core_attention.attention_steps), language="python")
