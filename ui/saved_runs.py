"""Saved runs in the UI: the student's name (sidebar), the saver that writes a job's run to runs/ from the
training worker, the one "saved runs" panel every page that trains shows, and the PIN that keeps a name's
runs to its owner (core.classdb stores it hashed).

Written once for every lesson (ui.trainable declares them): nothing here names a page. The saver runs in
the job's worker thread between batches (core.jobs calls it on every epoch record and when the job ends), so the weights it
writes are a consistent snapshot and the page's live fragment never waits for the disk. It never calls
`st.*` and never raises: a failure is kept in `error` and shown by ui.job_widgets.

A PIN gates listing and opening only: training and saving never wait for it, and runs saved before a name
had a PIN open with it like the others. A session that typed the right PIN keeps the PIN's salt, so a PIN
removed and set anew by someone else must be proved again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
import streamlit as st

from core import classdb, configs, run_export, runs
from ui import jobs
from ui.i18n import relabelled, t

NAME_KEY = "runs_name"
KEPT_KEY = "_runs_name_kept"  # a plain copy: a widget's value is dropped on a run that does not draw it
END_STATES = {"paused": "stopped", "done": "done", "diverged": "diverged", "error": "error"}
UNLOCKED = "_runs_unlocked"  # session_state: name key → the salt (hex) of the PIN this session typed
FAILS = "_runs_pin_fails"  # session_state: wrong PINs typed so far
MAX_PAUSE_S = 8.0
ss = st.session_state


def name_input() -> None:
    """The name box in the shared sidebar (key `runs_name`), so it stays the same on every page."""
    if NAME_KEY not in ss:
        ss[NAME_KEY] = ss.get(KEPT_KEY, "")
    st.text_input(t("runs.name"), key=NAME_KEY, max_chars=runs.MAX_NAME, help=t("runs.name_help"))
    ss[KEPT_KEY] = ss[NAME_KEY]
    name = student_name()
    state = pin_state(name) if name else "open"
    if state == "locked":
        st.caption(t("runs.pin_sidebar_locked"))
    elif state == "unlocked":
        st.caption(t("runs.pin_sidebar_unlocked"))


def student_name() -> str:
    return str(ss.get(NAME_KEY) or ss.get(KEPT_KEY) or "").strip()


def new_writer(page: str, settings: dict) -> runs.RunWriter:
    return runs.RunWriter(page, student_name(), settings)


def from_dict(cls, data: dict):
    """A config dataclass from a saved run's settings (core.configs.from_dict); a value of the wrong kind
    is an unreadable run, not a crash."""
    try:
        return configs.from_dict(cls, data)
    except (TypeError, ValueError) as e:
        raise runs.RunError("unreadable", str(e)) from e


@dataclass(frozen=True)
class Saved:
    """One item of the saved-runs panel: what Open reopens, and how the list shows it."""

    id: str
    label: str


class Kept(Protocol):
    """What the saver asks a lesson (ui.trainable.Lesson): what of a job runs/ keeps."""

    history: Callable[[jobs.Job], dict]  # {name: records} stored with the run
    arrays: Callable[[jobs.Job], dict]  # NumPy arrays stored beside it ({} for none)

    def metrics(self, job: jobs.Job) -> dict: ...  # the few numbers the saved-runs list shows


class Reopenable(Protocol):
    """What the saved-runs panel asks a lesson: its key, the student's saved runs, and how one comes back."""

    key: str

    def saved(self, name: str) -> list[Saved]: ...

    def reopen(self, saved_id: str) -> str: ...  # raises runs.RunError


# -- saving ------------------------------------------------------------------------------------
@dataclass
class RunSaver:
    """Writes one job's model and records to runs/ (a core.jobs.Saver); called from the worker only."""

    lesson: Kept  # what of the job is kept
    training: Any  # the ui.trainable.Training being run: its model, model_args, meta and save_every_s
    writer: runs.RunWriter
    error: str = ""  # the last failure, shown by ui.job_widgets; "" once a save works again
    saved_epochs: int = 0
    _last_save: float = -1e9

    def record(self, job: jobs.Job, rec: dict) -> None:
        if rec.get("kind") == "epoch" and time.monotonic() - self._last_save >= self.training.save_every_s:
            self._save(job, "running")

    def end(self, job: jobs.Job) -> None:
        if job.error_code == "interrupted":
            # its worker was lost: runs/ keeps the last saved epoch, as "running" (listed as interrupted),
            # rather than the weights of a half-finished one
            return
        if job.epochs_log or job.steps:  # a job cancelled while queued trained nothing
            self._save(job, END_STATES.get(job.state, "stopped"))

    def _save(self, job: jobs.Job, state: str) -> None:
        done = sum(1 for r in job.epochs_log if r.get("kind") == "epoch")
        ok = self.writer.save(
            self.training.model,
            self.training.model_args,
            state=state,
            epochs_done=done,
            history=self.lesson.history(job),
            metrics=self.lesson.metrics(job),
            meta=self.training.meta,
            arrays=self.lesson.arrays(job) or None,
        )
        self.error = self.writer.error
        self._last_save = time.monotonic()
        if ok:
            self.saved_epochs = done


# -- reopening ---------------------------------------------------------------------------------
def step_records(history: dict) -> list[dict]:
    """A saved run's step records as the job keeps them: dicts, without the points a save could not keep
    (NaN is stored as null). Runs saved before step records were dicts hold [step, loss] pairs."""
    out = []
    for s in history.get("steps", []):
        rec = dict(s) if isinstance(s, dict) else {"step": s[0], "loss": s[1]} if len(s) >= 2 else {}
        if rec and all(v is not None for v in rec.values()):
            out.append(rec)
    return out


def restored_job(
    page: str, epochs_log: list[dict], steps: list[dict] | None = None, epochs: int = 0
) -> jobs.Job:
    """A finished job holding a reopened run's records (nothing to resume), put under `page`."""
    job = jobs.Job(label=page, device="cpu", epochs=epochs or len(epochs_log), make_iter=lambda: iter(()))
    job.epochs_log, job.steps, job.state = list(epochs_log), list(steps or []), "restored"
    job.last = dict(epochs_log[-1]) if epochs_log else {}
    jobs.put(page, job)
    return job


def listed(page: str, name: str) -> list[Saved]:
    """The student's saved runs of `page`, newest first, labelled with date, epochs, state and accuracy."""
    return [Saved(r.run_id, _label(r)) for r in runs.list_runs(page, name)]


def _label(r: runs.RunInfo) -> str:
    acc = r.metrics.get("val_acc")
    metric = f" ・ {100 * acc:.1f}%" if isinstance(acc, (int, float)) else ""
    state = t(f"runs.state.{r.state}") if r.state in runs.STATES else r.state
    return t("runs.item", date=when(r.updated), epochs=r.epochs_done, state=state, metric=metric)


def when(updated: str) -> str:
    """ "2026-12-02 09:15" from a saved run's ISO time."""
    return updated.replace("T", " ")[:16]


def opened_run(run_id: str, family: str | None) -> runs.OpenedRun:
    """A saved run with its model, or runs.RunError (also when it holds no model)."""
    opened = runs.open_run(run_id, expected_family=family)
    if opened.model is None:
        raise runs.RunError("model", "no model saved")
    return opened


# -- PINs --------------------------------------------------------------------------------------
def pin_state(name: str) -> str:
    """ "open" (no PIN), "unlocked" (this session typed it), "locked", or "unknown" (the PIN store cannot
    be read: treated as locked, since it might hold a PIN)."""
    try:
        stamp = classdb.pin_stamp(name)
    except (sa.exc.SQLAlchemyError, OSError):
        return "unknown"
    if stamp is None:
        return "open"
    return "unlocked" if ss.get(UNLOCKED, {}).get(classdb.name_key(name)) == stamp else "locked"


def may_open(name: str) -> bool:
    """Whether this session may list and open the runs saved under `name`."""
    return pin_state(name) in ("open", "unlocked")


def pause_after(fails: int) -> float:
    """Seconds a session waits after its `fails`-th wrong PIN: 0.5, 1, 2, 4, 8, 8, …"""
    return 0.0 if fails <= 0 else min(MAX_PAUSE_S, 0.5 * 2 ** (fails - 1))


def _unlock(name: str) -> None:
    stamp = classdb.pin_stamp(name)
    if stamp is not None:
        ss.setdefault(UNLOCKED, {})[classdb.name_key(name)] = stamp


def _try_pin(page: str, name: str) -> None:
    """The PIN box's callback: check what was typed once, then empty the box."""
    typed, ss[f"{page}_runs_pin"] = ss.get(f"{page}_runs_pin", ""), ""
    if not typed:
        return
    try:
        right = classdb.check_pin(name, typed)
        if right:
            _unlock(name)
    except (sa.exc.SQLAlchemyError, OSError):
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_store_failed"))
        return
    if right:
        ss[FAILS] = 0
        ss[f"_{page}_runs_msg"] = ("success", t("runs.pin_ok"))
        return
    fails = ss.get(FAILS, 0) + 1
    ss[FAILS] = fails
    time.sleep(pause_after(fails))  # guessing from a browser is slow; scrypt makes each try cost too
    ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_wrong"))


def _set_pin(page: str, name: str) -> None:
    """The "set a PIN" button's callback."""
    typed, ss[f"{page}_runs_new_pin"] = ss.get(f"{page}_runs_new_pin", ""), ""
    try:
        classdb.check_pin_format(typed)
    except classdb.BoardError:
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_format", lo=classdb.PIN_MIN, hi=classdb.PIN_MAX))
        return
    try:
        if not classdb.set_pin(name, typed):  # someone gave this name a PIN a moment ago
            ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_taken", name=name))
            return
        _unlock(name)
    except (sa.exc.SQLAlchemyError, OSError):
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_store_failed"))
        return
    ss[f"_{page}_runs_msg"] = ("success", t("runs.pin_set_done", name=name))


def _pin_box(page: str, name: str, state: str) -> None:
    """The name's runs are hidden: say why, and ask for the PIN (`<page>_runs_pin`)."""
    if state == "unknown":
        st.warning(t("runs.pin_store_failed"))
        return
    st.caption(t("runs.pin_locked", name=name))
    st.text_input(
        t("runs.pin"),
        type="password",
        key=f"{page}_runs_pin",
        max_chars=classdb.PIN_MAX,
        on_change=_try_pin,
        args=(page, name),
        help=t("runs.pin_help"),
    )


def _pin_offer(page: str, name: str) -> None:
    """A name without a PIN: anyone who types it sees its runs; offer a PIN (`<page>_runs_new_pin`,
    `<page>_runs_set_pin`)."""
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    a.text_input(
        t("runs.pin_new"),
        type="password",
        key=f"{page}_runs_new_pin",
        max_chars=classdb.PIN_MAX,
        help=t("runs.pin_new_help", lo=classdb.PIN_MIN, hi=classdb.PIN_MAX),
    )
    b.button(
        t("runs.pin_set"),
        key=f"{page}_runs_set_pin",
        icon=":material/lock:",
        width="stretch",
        on_click=_set_pin,
        args=(page, name),
    )
    st.caption(t("runs.pin_offer", name=name))


# -- the panel ---------------------------------------------------------------------------------
def _open(lesson: Reopenable, saved_id: str) -> None:
    if not may_open(student_name()):  # a click that raced a name change or a new PIN
        ss[f"_{lesson.key}_runs_msg"] = ("error", t("runs.pin_locked", name=student_name()))
        return
    try:
        message = lesson.reopen(saved_id)
    except runs.RunError as e:
        reason = t(f"runs.err.{e.code}") if e.code in ("outside", "unreadable", "model") else e.detail
        ss[f"_{lesson.key}_runs_msg"] = ("error", t("runs.open_failed", reason=reason))
        return
    ss[f"_{lesson.key}_runs_msg"] = ("success", message)


def panel(lesson: Reopenable, pick_label: str = "") -> None:
    """The student's saved runs of this page, newest first, with Open (`<page>_runs_open`); Open is off
    while the page's job runs. A name with a PIN shows nothing until this session types it; a name with
    runs and no PIN is offered one."""
    page = lesson.key
    st.markdown(f"**{t('runs.title')}**")
    kind, msg = ss.pop(f"_{page}_runs_msg", (None, ""))
    if kind:
        (st.success if kind == "success" else st.error)(msg)
    name = student_name()
    if not name:
        st.caption(t("runs.no_name"))
        return
    state = pin_state(name)
    if state in ("locked", "unknown"):
        _pin_box(page, name, state)
        return
    found = lesson.saved(name)
    if not found:
        st.caption(t("runs.none", name=name))
        return
    labels = {s.id: s.label for s in found}
    job = jobs.get(page)
    busy = job is not None and job.active
    a, b = st.columns([4, 1], vertical_alignment="bottom")
    pick = a.selectbox(
        pick_label or t("runs.pick"),
        list(labels),
        key=relabelled(f"{page}_runs_pick"),
        format_func=labels.get,
    )
    b.button(
        t("runs.open"),
        key=f"{page}_runs_open",
        disabled=busy or pick is None,
        width="stretch",
        on_click=_open,
        args=(lesson, pick),
    )
    if busy:
        st.caption(t("runs.busy"))
    if pick is not None and runs.is_saved_run(pick) and may_open(name):  # a run folder, not a comparison
        st.download_button(
            t("export.button"),
            data=lambda: run_export.run_zip(pick),  # made when clicked, not on every rerun
            file_name=f"{pick}.zip",
            mime="application/zip",
            key=f"{page}_runs_zip",
            help=t("export.help"),
            icon=":material/download:",
            on_click="ignore",
        )
    if state == "open":
        _pin_offer(page, name)
