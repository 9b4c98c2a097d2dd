"""The Hyperparameters page's panels: the queue's progress, the overlaid curves and the results table (redrawn
while the queue runs), what went wrong in a run, "keep the best model" and the code of the comparison. They
draw ui/figures/hyperparams.py's figures and read the session's runs from ui/lessons/hyperparams.py."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from core import checkpoints
from core import experiments as ex
from core.data import Split
from ui import charts, inputs, job_widgets, jobs, layout, resources
from ui.figures import hyperparams as figures
from ui.i18n import relabelled, t
from ui.lessons import hyperparams as lesson

ss = st.session_state
CODE = """import torch
from core.models import reset_parameters
from core.models.cnn import MNISTCNN
from core.train import FitConfig, fit

for lr in (0.001, 0.01, 0.1):                      # one run per value to compare
    g = torch.Generator().manual_seed(0)           # same seed: only lr differs between runs
    model = reset_parameters(MNISTCNN(c1=16, c2=32, hidden=128, dropout=0.1), g)
    cfg = FitConfig(epochs=5, batch_size=64, lr=lr, optimizer="adam")
    best_loss, best_state = float("inf"), None
    for rec in fit(model, x_train[:2000], y_train[:2000], cfg, x_val, y_val, generator=g):
        if rec["kind"] == "diverged":              # loss became NaN: this run is over
            break
        if rec["kind"] == "epoch":                 # train_loss, val_loss, val_acc, images_per_s
            print(lr, rec["epoch"], rec["train_loss"], rec["val_loss"], rec["val_acc"])
            if rec["val_loss"] < best_loss:        # keep the best model (Part 1, column 2)
                best_loss = rec["val_loss"]
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
"""


def progress(q: ex.RunQueue | None) -> None:
    """ "Run 2 of 3 (#5 lr=0.01) · epoch 3/5" with a bar over the whole queue."""
    if q is None:
        return
    cur = q.current
    if cur is None:
        st.progress(q.fraction(), text=t("hyperparams.progress_wait"))
        return
    index = next(i for i, r in enumerate(q.runs) if r is cur) + 1
    text = t(
        "hyperparams.progress",
        i=index,
        n=len(q.runs),
        run=figures.run_name(cur),
        epoch=len(cur.epochs),
        epochs=cur.spec.settings.epochs,
    )
    st.progress(q.fraction(), text=text)


def column_config(frame: pd.DataFrame) -> dict:
    """Widths that fit the nine columns in a 1280-px window without scrolling sideways; each short
    header has its full meaning as a tooltip (`hyperparams.colhelp.*`)."""
    widths = figures.column_widths(frame)
    out = {}
    for key, fmt in figures.COLUMNS:
        name = t(f"hyperparams.col.{key}")
        kind = st.column_config.TextColumn if fmt is None else st.column_config.NumberColumn
        kwargs = {} if fmt is None else {"format": fmt}
        out[name] = kind(width=widths.get(name, 80), help=t(f"hyperparams.colhelp.{key}"), **kwargs)
    return out


def explain_divergence(results: Sequence[ex.RunResult]) -> None:
    """Why each diverged run diverged, and each failed run's error."""
    for r in results:
        if r.status == "diverged":
            text = t(
                f"hyperparams.diverged.{r.reason}",
                run=figures.run_name(r),
                peak=r.peak_loss,
                first=r.first_loss or 0.0,
            )
            st.warning(text, icon=":material/warning:")
        elif r.status == "error":
            error = t(f"train.err.{r.error_code}") if r.error_code else r.error
            st.error(t("hyperparams.run_error", run=figures.run_name(r), error=error))


def results(j: jobs.Job | None) -> None:
    """Progress, overlaid curves and the table; redrawn twice a second while the queue runs."""
    q = lesson.queue()
    if j is not None and j.state == "running":  # queued: job_widgets.live shows the place in line
        progress(q)
    elif j is not None and lesson.queue_ended(j) and q is not None:
        st.success(figures.queue_summary(q.runs, j.run_seconds), icon=":material/check_circle:")
    if j is not None:
        job_widgets.save_status(j)  # saving to runs/ failed: said here, the queue goes on
    runs = lesson.session_runs()
    shown = [r for r in runs if r.run_id in ss.get("hyperparams_show", [])]
    if shown:
        loss_height = layout.main_height(figures.CHART_HEIGHT)
        loss_fig, acc_fig = figures.curves(shown, ss.get("hyperparams_log", False), loss_height)
        # the loss curves are the comparison (a diverging rate, an overfitting run): in projector mode they
        # span the main area, taller, and the accuracy curves go below them
        a, b = layout.main_columns(2, main=0)
        with a, st.container(key="hyperparams_loss"):
            charts.plot(st, loss_fig, key="hyperparams_loss_chart", width="stretch")
        with b, st.container(key="hyperparams_acc"):
            charts.plot(st, acc_fig, key="hyperparams_acc_chart", width="stretch")
        st.caption(t("hyperparams.chart_caption"))
    if runs:
        explain_divergence(runs)
        st.markdown(f"**{t('hyperparams.results')}**")
        with st.container(key="hyperparams_table"):
            frame = figures.table(runs)
            st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config(frame))
        st.caption(t("hyperparams.results_caption"))


MAX_VAL = 2_000  # validation images every epoch: the embedded MNIST's 1,000, or part of a larger test split


def data(busy: bool) -> tuple[str, ex.Data, Split]:
    """The "Data" choice (MNIST, or Fashion-MNIST where installed; fixed while the queue runs): its name,
    the tensors a queue of it shares (the training pool and the validation images), and its split."""
    name, split = inputs.grey_data_choice("hyperparams_data", lesson.SIZES.fashion_n, busy)
    n_val = lesson.SIZES.val_n or min(len(split.x_test), MAX_VAL)
    return name, ex.Data(split.x_train, split.y_train, split.x_test[:n_val], split.y_test[:n_val]), split


def provenance(dataset: str) -> dict:
    """Where a run's data came from (stored in its checkpoint), for a run of `dataset`."""
    try:
        return resources.grey_split(dataset, lesson.SIZES.fashion_n).provenance.as_dict()
    except Exception:  # its files gone since: the name is what is left to say
        return {"name": dataset}


def keep_best(finished: Sequence[ex.RunResult]) -> None:
    """ "Keep the best model": a finished run's best epoch (`hyperparams_keep_run`) as a .pth to download."""
    st.subheader(t("hyperparams.keep"))
    st.markdown(t("hyperparams.keep_intro"))
    if not finished:
        st.caption(t("hyperparams.keep_none"))
        return
    by_id = {r.run_id: r for r in finished}
    # the best run first (a default value would clash with the value `relabelled` sets after a language
    # switch)
    if ss.get("hyperparams_keep_run") not in by_id:
        ss["hyperparams_keep_run"] = max(finished, key=lambda r: r.best("val_acc") or 0).run_id
    rid = st.selectbox(
        t("hyperparams.keep_run"),
        list(by_id),
        key=relabelled("hyperparams_keep_run"),
        # translated now: AppTest calls format_func later
        format_func={i: figures.run_name(r) for i, r in by_id.items()}.get,
    )
    run = by_id[rid]
    model, config, meta = ex.checkpoint_parts(run, provenance(run.spec.settings.dataset))
    st.caption(
        t(
            "hyperparams.keep_caption",
            run=figures.run_name(by_id[rid]),
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
