"""The widgets that drive and draw a job (core.jobs; this session's are in ui.jobs): Train / Stop / Resume,
progress with ETA, the place in line, and the live panel that a fragment redraws while the job runs. They
name no page: a page passes its own key prefix and a function that draws its panel.

A fragment with `run_every` polls the job a few times a second, so the chart moves without rerunning the
page; when the job ends, one full rerun shows the page's results and enables its buttons again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from ui import classroom, jobs
from ui.i18n import t
from ui.jobs import Job

QUEUED_POLL_S = 1.0  # s between refreshes of a queued job's place in line (a line of text, not the charts)


def fmt_seconds(s: float) -> str:
    return t("job.seconds", s=s) if s < 60 else t("job.minutes", m=s // 60, s=s % 60)


@dataclass(frozen=True)
class Count:
    """How a page that does not count its run in epochs says it (a run set in steps, whose records every few
    steps are only the job's "epochs"): the strings `<prefix>.progress`, `.progress_noeta`, `.restored` and
    `.saved`, fed with the steps done, set and saved."""

    prefix: str
    done: int
    total: int
    saved: int


def status(job: Job, pool: jobs.Pool | None = None, count: Count | None = None) -> None:
    """Progress bar with ETA, queue position, or the final state, in the user's language; in epochs, or in
    the page's own unit (`count`)."""
    if job.state == "queued":
        if getattr(_quiet, "on", False):
            return  # drawn by live()'s polling fragment above the panel
        pool = pool or job.pool or jobs.shared_pool()
        ahead = pool.position(job.device, id(job)) + pool.running(job.device)
        st.info(t("job.queued", ahead=ahead), icon=":material/hourglass_top:")
        return
    if job.state == "running":
        eta, pct = job.eta_seconds(), 100 * job.fraction()
        if count is None:
            key, args = (
                "job",
                {"epoch": max(1, job.last.get("epoch", 0) or 0), "epochs": job.epochs, "pct": pct},
            )
        else:
            key, args = count.prefix, {"step": count.done, "steps": count.total, "pct": pct}
        text = (
            t(f"{key}.progress", eta=fmt_seconds(eta), **args) if eta else t(f"{key}.progress_noeta", **args)
        )
        st.progress(job.fraction(), text=text)
    elif job.state == "paused":
        st.progress(job.fraction())
        st.info(t("job.paused"), icon=":material/pause_circle:")
    elif job.state == "done":
        st.success(t("job.done", seconds=job.run_seconds), icon=":material/check_circle:")
    elif job.state == "diverged":
        st.error(t("job.diverged"), icon=":material/warning:")
    elif job.state == "error" and job.error_code == "interrupted":  # a cluster's worker or node was lost
        saved = job.saver.saved_epochs if job.saver is not None else 0
        st.warning(t("job.interrupted", epochs=saved), icon=":material/cloud_off:")
        st.caption(job.error)
    elif job.state == "error" and job.error_code in ("oom", "device") and job.device != "cpu":
        st.error(t(f"job.{job.error_code}_cpu", device=job.device), icon=":material/memory:")
        st.caption(job.error)
    elif job.state == "error":
        st.error(t("job.error", error=job.error))
    elif job.state == "restored" and count is not None:
        st.info(t(f"{count.prefix}.restored", steps=count.done), icon=":material/folder_open:")
    elif job.state == "restored":
        st.info(
            t("job.restored", epochs=len([r for r in job.epochs_log if r.get("kind") == "epoch"])),
            icon=":material/folder_open:",
        )
    save_status(job, count)


def save_status(job: Job, count: Count | None = None) -> None:
    """A warning when saving to runs/ failed (read-only, disk full: training goes on), else what is saved."""
    if job.saver is None:
        return
    if getattr(job.saver, "waiting", False):  # trained before a name was typed (ui.saved_runs)
        st.warning(t("runs.wait_save"), icon=":material/save:")
    elif job.saver.error:
        st.warning(t("runs.save_failed", error=job.saver.error), icon=":material/save:")
    elif job.saver.saved_epochs and count is not None:  # what a crash or a reload would not lose
        st.caption(t(f"{count.prefix}.saved", step=count.saved))
    elif job.saver.saved_epochs:
        st.caption(t("runs.saved", epochs=job.saver.saved_epochs))


def train_button(label: str, key: str, on_train: Callable[[], None], **kwargs: object) -> None:
    """A primary button that calls `on_train` in this run, after the page's widgets, then reruns.

    Not an `on_click` callback: a callback runs before the script, with the settings of the previous
    run, so a student who types 300 epochs and clicks Train straight away (one request to the server)
    would train with the old 1,000.
    """
    if st.button(label, key=key, type="primary", **kwargs):
        on_train()
        st.rerun()  # draw the page again with the job running


def controls(page: str, job: Job | None, on_train: Callable[[], None], disabled: bool = False) -> None:
    """Train / Stop / Resume buttons with the keys tests rely on (`<page>_train`, `<page>_stop`)."""
    c1, c2, c3 = st.columns(3)
    active = job is not None and job.active
    with c1:
        train_button(t("job.train"), f"{page}_train", on_train, disabled=active or disabled, width="stretch")
    c2.button(
        t("job.stop"),
        key=f"{page}_stop",
        disabled=not active,
        width="stretch",
        on_click=_by_student(job, job.stop) if job is not None else None,
    )
    c3.button(
        t("job.resume"),
        key=f"{page}_resume",
        width="stretch",
        disabled=not (job is not None and job.resumable),
        on_click=_by_student(job, job.resume) if job else None,
    )
    if (
        job is not None
        and job.state == "error"
        and job.error_code in ("oom", "device")
        and job.device != "cpu"
    ):
        st.button(
            t("job.rerun_cpu"),
            key=f"{page}_cpu",
            icon=":material/memory:",
            on_click=rerun_on_cpu,
            args=(on_train,),
        )


def _by_student(job: Job, action: Callable[[], None]) -> Callable[[], None]:
    """The student's own Stop or Resume: the class banner's note of who stopped the job no longer applies."""

    def act() -> None:
        classroom.forget_stop(job)
        action()

    return act


def rerun_on_cpu(on_train: Callable[[], None]) -> None:
    """Switch this session to the CPU and start the same run again (the page's `on_train`)."""
    st.session_state[jobs.CPU_KEY] = True
    on_train()


def live(job: Job | None, render: Callable[[Job], None], interval: float = 0.5) -> None:
    """Draw `render(job)` now, and again every `interval` s while the job is active.

    When the job ends, one full rerun lets the page show its results and re-enable its buttons.
    A queued job's panel is drawn once; only its place in line is polled (see `_queued`).
    """
    if job is None:
        return
    if job.state == "queued":
        _queued(job, render)
        return
    was_active = job.active

    @st.fragment(run_every=interval if was_active else None)
    def _panel() -> None:
        render(job)
        if was_active and not job.active:
            st.rerun()

    _panel()


_quiet = threading.local()  # per script thread: `status` leaves a queued job's place in line to `_queued`


def _queued(job: Job, render: Callable[[Job], None]) -> None:
    """A small fragment polls the place in line every QUEUED_POLL_S, and the page's panel (empty charts,
    settings) is drawn once below it: thirty students waiting in line cost the server a line of text each
    poll, not thirty sets of charts. When the job starts, one full rerun switches to the live chart."""

    @st.fragment(run_every=QUEUED_POLL_S)
    def _place() -> None:
        status(job)
        if job.state != "queued":
            st.rerun()

    _place()
    _quiet.on = True
    try:
        render(job)
    finally:
        _quiet.on = False
