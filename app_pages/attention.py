"""Attention page (course Part 3.1.3): a tiny GPT learns to sort digits (or write Japanese) while every head's
attention is drawn; the three steps of attention with numbers; try it; experiments; review questions."""

import inspect

import streamlit as st
import torch

from core import attention as core_attention
from core import configs
from core.models import gpt as models_gpt
from ui import inputs, job_widgets, jobs, links, saved_runs
from ui.figures import attention as figures
from ui.i18n import labels, relabelled, t
from ui.lessons import attention as lesson
from ui.pages import begin

begin("attention")

ss = st.session_state
st.title(t("attention.title"))
st.markdown(t("attention.lead"))

# -- 1. Train and watch, on the first screen ---------------------------------------------------------------
job = jobs.get(lesson.LESSON.key)
c1, c2, c3, c4 = st.columns([3, 3, 3, 2], vertical_alignment="bottom")
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
steps = c3.slider(
    t("attention.steps"),
    *lesson.steps_range(task),
    step=10,
    key=f"attention_steps_{task}",
    **links.bind(f"attention_steps_{task}"),
)
seed = inputs.number(c4, t("common.seed"), 0, 10_000, 0, key="attention_seed", **links.bind("attention_seed"))


def on_train() -> None:
    cfg = lesson.config(task, experiment, int(seed))
    lesson.LESSON.train(configs.with_overrides(cfg, steps=int(steps)))


job_widgets.controls(lesson.LESSON.key, job, on_train)
if job is None:
    lesson.preview(task)
job_widgets.live(job, lesson.LESSON.live, interval=0.7)
lesson.remember(job)
saved_runs.panel(lesson.LESSON)

# -- how it works: three steps with the numbers of one small example -----------------------------------
with st.expander(t("attention.how"), icon=":material/functions:"):
    ex = lesson.worked_example()
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
    a, b, c = st.columns([3, 1, 1])
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
        prompt_text = a.text_input(t("attention.try_prompt"), "学習率", key="attention_try_prompt")
        p1, p2, p3, p4 = st.columns(4)
        temperature = p1.slider(
            t("attention.temperature"),
            0.0,
            2.0,
            0.8,
            0.1,
            key="attention_temp",
            help=t("attention.temperature_help"),
        )
        top_k = p2.slider(t("attention.top_k"), 1, 50, 10, key="attention_top_k")
        n_chars = p3.slider(t("attention.n_chars"), 10, 200, 80, 10, key="attention_n_chars")
        gen_seed = inputs.number(p4, t("common.seed"), 0, 10_000, 0, key="attention_gen_seed")
        pick = st.slider(
            t("attention.pick_position"), 1, cfg.block_size - 1, cfg.block_size - 1, key="attention_try_char"
        )
        prompt, problem = lesson.read_prompt(prompt_text, vocab, 200)
        if problem:
            st.warning(problem)
        else:
            text = core_attention.sample_text(
                model, vocab, prompt, n_chars, temperature, top_k, int(gen_seed)
            )
            st.markdown(f"**{t('attention.generated')}**")
            with st.container(key="attention_generated"):
                st.code(prompt + text, language=None, wrap_lines=True)
            window = (prompt + text)[-cfg.block_size :]
            ids = vocab.encode(window)
            att = core_attention.attention_maps(model, ids)  # (L, H, T, T)
            names = figures.token_labels(ids.numpy(), cfg, vocab)
            pos = max(1, min(pick, len(window) - 1))  # the window may be shorter than the context
            row = att[layer].mean(0)[pos - 1] if head == "mean" else att[layer, head, pos - 1]
            st.plotly_chart(
                figures.row_bars(row[:pos], names[:pos]), key="attention_try_bars", width="stretch"
            )
            st.caption(t("attention.text_bars_caption", token=names[pos], layer=layer + 1))
    else:
        example = " ".join("314159265358979"[: cfg.length])
        typed = a.text_input(
            t("attention.try_digits", n=cfg.length), example, key=f"attention_try_digits_{cfg.task}"
        )
        pos = st.select_slider(
            t("attention.pick_position"), list(range(1, cfg.length + 1)), 1, key="attention_try_pos"
        )
        x, problem = lesson.read_digits(typed, cfg)
        if problem:
            st.warning(problem)
        else:
            ex = core_attention.digit_example(model, cfg, x)
            truth = core_attention.digits_answer(x.view(1, -1), cfg.task)[0]
            answer = " ".join(map(str, ex["answer"].tolist()))
            with st.container(key="attention_answer"):
                st.markdown(f"### {' '.join(map(str, x.tolist()))} {figures.SEP} {answer}")
                if torch.equal(ex["answer"], truth):
                    st.success(t("attention.right"))
                else:
                    st.error(t("attention.wrong", truth=" ".join(map(str, truth.tolist()))))
            names = figures.token_labels(ex["tokens"], cfg)
            r = lesson.answer_row(cfg, pos - 1)
            att = ex["attention"]
            row = att[layer].mean(0)[r] if head == "mean" else att[layer, head, r]
            seen = r + 1 if cfg.causal else len(names)
            st.plotly_chart(
                figures.row_bars(row[:seen], names[:seen]), key="attention_try_bars", width="stretch"
            )
            token = str(int(ex["answer"][pos - 1]))
            st.caption(t("attention.bars_caption", pos=pos, token=token, layer=layer + 1))

# -- 3. Experiments ------------------------------------------------------------------------------------
st.header(t("attention.experiments"))
st.markdown(t("attention.exp_intro"))
cols = st.columns(3)
for col, name in zip(cols, ("no_mask", "one_head", "no_pos")):
    col.markdown(t(f"attention.exp.{name}"))
rows = lesson.results_rows()
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
