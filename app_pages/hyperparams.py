"""Hyperparameters page (course 000 §2.4 and Part 1's epoch columns; 002 §6): a queue of CNN runs compared."""

import streamlit as st

from core import experiments as ex
from ui import board, challenges, job_widgets, jobs, links, saved_runs
from ui.figures import hyperparams as figures
from ui.i18n import relabelled, t
from ui.lessons import hyperparams as lesson
from ui.pages import begin
from ui.panels import hyperparams as panels
from ui.sidebar import provenance_text

begin("hyperparams")

ss = st.session_state
lesson.restore_widget_values()
dev = jobs.train_device()  # the CPU after a GPU fault in this session, as on the other pages
job, q = jobs.get(lesson.LESSON.key), lesson.queue()
active = job is not None and job.active

st.title(t("hyperparams.title"))
st.markdown(t("hyperparams.intro"))
data_name, data, split = panels.data(active)  # a queue's runs share one data set

# -- design ----------------------------------------------------------------------------------
st.subheader(t("hyperparams.presets"))
st.caption(t("hyperparams.presets_caption"))
with st.container(horizontal=True):  # buttons as wide as their labels, wrapping onto a second row
    for name in ex.PRESETS:
        st.button(
            t(f"hyperparams.preset.{name}"),
            key=f"hyperparams_preset_{name}",
            on_click=lesson.apply_preset,
            args=(name,),
        )

st.subheader(t("hyperparams.design"))
specs, error = lesson.design(
    len(split.x_train), provenance_text(split.provenance), len(data.y_val), data_name
)
if error:
    st.error(error)


def on_train() -> None:
    lesson.enqueue(lesson.renumber(specs), data, dev)
    ss["hyperparams_show"] = [r.run_id for r in lesson.session_runs()]


with st.container(horizontal=True):
    job_widgets.train_button(
        t("hyperparams.add" if active else "hyperparams.train", n=len(specs)),
        "hyperparams_train",
        on_train,
        disabled=not specs,
    )
    st.button(
        t("hyperparams.stop"),
        key="hyperparams_stop",
        disabled=not active,
        help=t("hyperparams.stop_help"),
        on_click=q.stop_current if q else None,
    )
    st.button(
        t("hyperparams.cancel"),
        key="hyperparams_cancel",
        disabled=not active,
        on_click=q.cancel if q else None,
    )
    st.button(
        t("hyperparams.clear"),
        key="hyperparams_clear",
        disabled=active or not lesson.session_runs(),
        on_click=lesson.clear,
    )
saved_runs.panel(lesson.LESSON, pick_label=t("runs.pick_comparison"))  # saved comparisons (runs/)

# -- compare ---------------------------------------------------------------------------------
st.subheader(t("hyperparams.compare"))
runs = lesson.session_runs()
if not runs:
    st.info(t("hyperparams.empty"), icon=":material/science:")
else:
    ids = [r.run_id for r in runs]
    if "hyperparams_show" not in ss:
        ss["hyperparams_show"] = ids
    ss["hyperparams_show"] = [i for i in ss["hyperparams_show"] if i in ids]
    names = {r.run_id: figures.run_name(r) for r in runs}
    st.pills(
        t("hyperparams.show"),
        ids,
        selection_mode="multi",
        **links.keep(relabelled("hyperparams_show")),
        format_func=names.get,
    )
    st.toggle(t("hyperparams.log"), **links.keep("hyperparams_log"))


if job is not None and active:
    job_widgets.live(job, panels.results)
elif runs:
    panels.results(job)

# -- lessons: overfitting, keep the best model, export ----------------------------------------
finished = [r for r in runs if r.finished and r.best_epoch is not None]
note = figures.overfitting(finished)
if note:
    st.info(note, icon=":material/trending_up:")
if runs:
    st.download_button(
        t("hyperparams.csv"),
        ex.to_csv(runs),
        file_name="hyperparams_runs.csv",
        mime="text/csv",
        key="hyperparams_csv",
        disabled=active,
    )
    board.submit_runs(runs, figures.run_name)  # a finished run onto the class board (`hp_submit`)
    challenges.my_place(saved_runs.student_name())  # where my best run stands in the class challenge
    panels.keep_best(finished)

# -- what each hyperparameter does, review, code ----------------------------------------------
with st.expander(t("hyperparams.tips")):
    for name in ("lr", "batch_size", "epochs", "capacity", "regularization", "optimizer"):
        st.markdown(t(f"hyperparams.tip.{name}"))
st.subheader(t("common.review"))
for i in range(1, 4):
    st.markdown(f"**{i}.** " + t(f"hyperparams.review.q{i}"))
    with st.expander(t("common.answer")):
        st.markdown(t(f"hyperparams.review.a{i}"))
if st.toggle(t("common.show_code"), key="hyperparams_show_code"):
    st.caption(t("hyperparams.code_caption"))
    st.code(panels.CODE, language="python")
lesson.save_widget_values()
