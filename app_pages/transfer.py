"""Transfer learning page (primer 001, 7.3): a pretrained CNN's features for a new task with few labels.

The first screen is the task, the arms and the label counts beside Train and the live chart (test accuracy
against labels per class, one line per arm); below it the table of runs, then the code of freezing, the
BatchNorm trap, the primer's ResNet-18, the student's own symbols, the code and the review, folded.
"""

from dataclasses import asdict

import streamlit as st

from core import run_export
from core import transfer as core_tr
from ui import inputs, job_widgets, jobs, links, saved_runs
from ui.i18n import labels, relabelled, t
from ui.lessons import transfer as lesson
from ui.pages import begin
from ui.panels import transfer as panels

begin("transfer")

PAGE = lesson.LESSON.key
ss = st.session_state

st.title(t("transfer.title"))
st.markdown(t("transfer.intro"))
builder, panel = st.columns([1.35, 2.15], gap="medium")

# -- the sweep's settings (left) -------------------------------------------------------------------------------
with builder:
    ss.setdefault("transfer_task", "digits")
    ss.setdefault("transfer_labels", list(core_tr.LABELS))
    task_key = st.selectbox(
        t("transfer.task"),
        tuple(lesson.TASKS),
        key=relabelled(links.choice("transfer_task", tuple(lesson.TASKS))),
        format_func=labels("transfer.task."),
    )
    st.caption(t("transfer.arms"))
    for arm in core_tr.ARMS:
        ss.setdefault(f"transfer_arm_{arm}", True)
    arms = [
        arm
        for arm in core_tr.ARMS
        if st.checkbox(t(f"transfer.arm.{arm}"), **links.keep(f"transfer_arm_{arm}"))
    ]
    ks = st.multiselect(t("transfer.labels"), (1, 2, 5, 10, 20, 50, 100), key="transfer_labels")
    c1, c2 = st.columns(2)
    ss.setdefault("transfer_steps", lesson.SIZES.steps)
    steps = c1.slider(t("transfer.steps"), 1, lesson.SIZES.steps_max, key="transfer_steps")
    seed = inputs.number(
        c2, t("common.seed"), 0, 10_000, 0, key="transfer_seed", **links.bind("transfer_seed")
    )
    source_name, target = lesson.TASKS[task_key]
    cfg, problem = None, ""
    if not arms or not ks:
        st.warning(t("transfer.no_arms"))
    elif problem := lesson.source_problem(source_name):
        st.error(t("transfer.no_source", reason=problem))
    elif problem := lesson.task_problem(target):
        st.warning(t("transfer.no_data", reason=problem))
    else:
        cfg = core_tr.TransferConfig(
            source=source_name, target=target, arms=tuple(arms), labels=tuple(sorted(int(k) for k in ks)),
            steps=int(steps), seed=int(seed), test_limit=lesson.SIZES.test_limit,
        )  # fmt: skip
    st.caption(t("transfer.why"))

# -- training (right): Train / Stop / Resume and the chart that fills in --------------------------------------
job = jobs.get(PAGE)
busy = job is not None and job.active


def on_train() -> None:
    lesson.LESSON.train(cfg)


with panel:
    job_widgets.controls(PAGE, job, on_train, disabled=cfg is None)
    if job is not None:
        job_widgets.live(job, lesson.LESSON.live)
    elif cfg is not None:  # at rest: the empty chart, so the question is visible before training
        lesson.chart(st, [], cfg, "transfer_rest", lesson.task(target, cfg.test_limit).n_classes)
        st.info(t("transfer.at_rest"), icon=":material/info:")

done = lesson.results(job)
if done and not busy:
    lesson.results_table(done)

saved_runs.panel(lesson.LESSON)

# -- reference, folded ------------------------------------------------------------------------------------------
with st.expander(t("transfer.freeze_title"), icon=":material/ac_unit:"):
    st.markdown(t("transfer.freeze_text"))
    st.code(lesson.FREEZE_CODE, language="python")
    src = lesson.source(source_name)
    if src is not None:
        lesson.freeze_panel(src, cfg or core_tr.TransferConfig())

with st.expander(t("transfer.bn_title"), icon=":material/warning:"):
    st.markdown(t("transfer.bn_text"))
    if st.toggle(t("transfer.bn_show"), key="transfer_bn") and not problem and cfg is not None:
        lesson.bn_panel(source_name, target)

with st.expander(t("transfer.resnet_title"), icon=":material/account_tree:"):
    st.markdown(t("transfer.resnet_text"))
    st.code(lesson.RESNET_CODE, language="python")
    lesson.resnet_panel()

with st.expander(t("transfer.symbols_title"), icon=":material/gesture:"):
    panels.symbols(busy)

if st.toggle(t("common.show_code"), key="transfer_show_code") and cfg is not None:
    code = run_export.train_script(PAGE, asdict(cfg))
    st.caption(t("transfer.code_caption"))
    st.code(code, language="python")
    st.download_button(t("transfer.download"), code, f"transfer_{task_key}.py", key="transfer_download")

st.subheader(t("common.review"))
for i in range(1, 6):
    with st.expander(t(f"transfer.q{i}")):
        st.markdown(t(f"transfer.a{i}"))
