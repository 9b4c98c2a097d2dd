"""Hyperparameters page (course 000 §2.4 and Part 1's epoch columns; 002 §6): a queue of CNN runs compared."""

import streamlit as st

from core import checkpoints
from core import experiments as ex
from ui import board, job_widgets, jobs, layout, resources, saved_runs
from ui.i18n import relabelled, t
from ui.lessons import hyperparams as lesson
from ui.pages import begin
from ui.sidebar import provenance_text

begin("hyperparams")

ss = st.session_state
lesson.restore_widget_values()
split = resources.mnist()
dev = jobs.train_device()  # the CPU after a GPU fault in this session, as on the other pages
tiny = resources.test_mode()
n_val = 200 if tiny else len(split.x_test)
data = ex.Data(split.x_train, split.y_train, split.x_test[:n_val], split.y_test[:n_val])

st.title(t("hyperparams.title"))
st.markdown(t("hyperparams.intro"))

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
specs, error = lesson.design(len(split.x_train), provenance_text(split.provenance), n_val, tiny)
if error:
    st.error(error)

job, q = jobs.get(lesson.PAGE), lesson.queue()
active = job is not None and job.active


def on_train() -> None:
    lesson.enqueue(lesson.renumber(specs), data, dev)
    ss["hyperparams_show"] = [r.run_id for r in lesson.history()]


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
        disabled=active or not lesson.history(),
        on_click=lesson.clear,
    )
saved_runs.panel(lesson, pick_label=t("runs.pick_comparison"))  # saved comparisons (runs/)

# -- compare ---------------------------------------------------------------------------------
st.subheader(t("hyperparams.compare"))
runs = lesson.history()
if not runs:
    st.info(t("hyperparams.empty"), icon=":material/science:")
else:
    ids = [r.run_id for r in runs]
    if "hyperparams_show" not in ss:
        ss["hyperparams_show"] = ids
    ss["hyperparams_show"] = [i for i in ss["hyperparams_show"] if i in ids]
    names = {r.run_id: lesson.run_name(r) for r in runs}
    st.pills(
        t("hyperparams.show"),
        ids,
        selection_mode="multi",
        key=relabelled("hyperparams_show"),
        format_func=names.get,
    )
    st.toggle(t("hyperparams.log"), key="hyperparams_log")


def render(j: jobs.Job | None) -> None:
    """Progress, overlaid curves and the table; redrawn twice a second while the queue runs."""
    if j is not None and j.state == "running":  # queued: job_widgets.live shows the place in line
        lesson.progress(lesson.queue())
    elif j is not None and lesson.queue_ended(j) and lesson.queue() is not None:
        st.success(lesson.queue_summary(lesson.queue(), j.run_seconds), icon=":material/check_circle:")
    if j is not None:
        job_widgets.save_status(j)  # saving to runs/ failed: said here, the queue goes on
    shown = [r for r in lesson.history() if r.run_id in ss.get("hyperparams_show", [])]
    if shown:
        loss_fig, acc_fig = lesson.curves(shown, log_y=ss.get("hyperparams_log", False))
        # the loss curves are the comparison (a diverging rate, an overfitting run): in projector mode they
        # span the main area, taller, and the accuracy curves go below them
        a, b = layout.main_columns(2, main=0)
        with a, st.container(key="hyperparams_loss"):
            st.plotly_chart(loss_fig, key="hyperparams_loss_chart", width="stretch")
        with b, st.container(key="hyperparams_acc"):
            st.plotly_chart(acc_fig, key="hyperparams_acc_chart", width="stretch")
        st.caption(t("hyperparams.chart_caption"))
    if lesson.history():
        lesson.explain_divergence(lesson.history())
        st.markdown(f"**{t('hyperparams.results')}**")
        with st.container(key="hyperparams_table"):
            frame = lesson.table(lesson.history())
            st.dataframe(frame, hide_index=True, width="stretch", column_config=lesson.column_config(frame))
        st.caption(t("hyperparams.results_caption"))


if job is not None and active:
    job_widgets.live(job, render)
elif runs:
    render(job)

# -- lessons: overfitting, keep the best model, export ----------------------------------------
finished = [r for r in runs if r.finished and r.best_epoch is not None]
note = lesson.overfitting(finished)
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
    board.submit_runs(runs, lesson.run_name)  # a finished run onto the class board (`hp_submit`)
    st.subheader(t("hyperparams.keep"))
    st.markdown(t("hyperparams.keep_intro"))
    if not finished:
        st.caption(t("hyperparams.keep_none"))
    else:
        by_id = {r.run_id: r for r in finished}
        # translated now: AppTest calls format_func later
        keep_names = {i: lesson.run_name(r) for i, r in by_id.items()}
        if ss.get("hyperparams_keep_run") not in by_id:  # the best run first (a default value would
            # clash with the value `relabelled` sets after a language switch)
            ss["hyperparams_keep_run"] = max(finished, key=lambda r: r.best("val_acc") or 0).run_id
        rid = st.selectbox(
            t("hyperparams.keep_run"),
            list(by_id),
            key=relabelled("hyperparams_keep_run"),
            format_func=keep_names.get,
        )
        model, config, meta = ex.checkpoint_parts(by_id[rid], split.provenance.as_dict())
        st.caption(
            t(
                "hyperparams.keep_caption",
                run=lesson.run_name(by_id[rid]),
                epoch=meta["epochs"],
                loss=meta["metrics"]["val_loss"],
                acc=100 * meta["metrics"]["val_accuracy"],
            )
        )
        st.download_button(
            t("hyperparams.keep_button"),
            checkpoints.to_bytes(model, config, meta),
            file_name=f"cnn_hyperparams_run{rid}_epoch{meta['epochs']}.pth",
            mime="application/octet-stream",
            key="hyperparams_keep",
        )

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
    st.code(lesson.CODE, language="python")
lesson.save_widget_values()
