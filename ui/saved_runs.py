"""Saved runs in the UI: the student's name (sidebar), the saver that writes a job's run to runs/ from the
training worker, the one "saved runs" panel every page that trains shows, and the PIN that keeps a name's
runs to its owner (core.classdb stores it hashed and counts wrong tries per name).

Written once for every lesson (ui.trainable declares them): nothing here names a page. The saver runs in
the job's worker thread between batches (core.jobs calls it on every epoch record and when the job ends), so the weights it
writes are a consistent snapshot and the page's live fragment never waits for the disk. It never calls
`st.*` and never raises: a failure is kept in `error` and shown by ui.job_widgets.

A name is asked for where it matters: a Train without one (or under a name with a PIN this session has
not typed) still trains, but the run waits in the session, and a dialog asks for the name; once the
session may write under a name, the waiting runs are saved under it (`_claim_waiting`). So nameless
students never share one folder, and nobody saves or submits under a locked name (`may_write`, which
a class submission asks too). A PIN gates listing and opening; it can be set on a name with no saved runs yet, or
by a session that saved runs under it itself (so nobody locks a classmate out of runs already there). A
session that typed the right PIN keeps the PIN's salt, so a PIN removed and set anew by someone else
must be proved again. A name is drawn as text everywhere here (`as_text`), never as markdown.
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
NEXT_KEY = "_runs_name_next"  # a name typed in the dialog: the sidebar's box takes it on the next run
NOTE_KEY = "_runs_name_note"  # (name, what the box changed in it): said under the box while it shows
END_STATES = {"paused": "stopped", "done": "done", "diverged": "diverged", "error": "error"}
UNLOCKED = "_runs_unlocked"  # session_state: name key → the salt (hex) of the PIN this session typed
WROTE = "_runs_wrote"  # session_state: keys of the names this session saved runs under (may set a PIN)
ASKED = "_runs_asked"  # session_state: ids of the waiting jobs whose dialog was answered or closed
DB_ERRORS = (sa.exc.SQLAlchemyError, OSError)
# At 1280x720 the page list fills the sidebar and pushes the name box below the fold: on a short screen
# the list scrolls on its own, so the language and the name box stay in sight.
NAME_VISIBLE_CSS = """<style>
[data-testid="stSidebarNavItems"] { max-height: max(10rem, calc(100vh - 19rem)); overflow-y: auto; }
</style>"""
ss = st.session_state


def as_text(text: str) -> str:
    """`text` (a student's name) for a markdown element, so it shows as typed: every ASCII punctuation
    character backslash-escaped (no link, bold, HTML or $math$), and a word joiner after each ":" (no
    :red[colour], :material/icon: or :emoji: shortcode, which Streamlit reads inside plain text)."""
    out = "".join(f"\\{c}" if c.isascii() and not c.isalnum() and not c.isspace() else c for c in text)
    return out.replace(":", ":\u2060")


# -- the name ------------------------------------------------------------------------------------
def name_input() -> None:
    """The name box in the shared sidebar (key `runs_name`), so it stays the same on every page; what it
    changed in a name typed, the PIN's state, and the runs waiting for a name are said under it."""
    if NEXT_KEY in ss:  # typed in the dialog, before this run drew the box
        ss[NAME_KEY] = ss.pop(NEXT_KEY)
        _name_typed()
    if NAME_KEY not in ss:
        ss[NAME_KEY] = ss.get(KEPT_KEY, "")
    st.html(NAME_VISIBLE_CSS)
    st.text_input(  # no max_chars: the browser would drop a longer name pasted in, without a word
        t("runs.name"),
        key=NAME_KEY,
        placeholder=t("runs.name_placeholder"),
        help=t("runs.name_help"),
        on_change=_name_typed,
    )
    ss[KEPT_KEY] = ss[NAME_KEY]
    name = student_name()
    said, note = ss.get(NOTE_KEY, ("", ""))
    if note and said == name:
        st.caption(t(f"runs.name_{note}", n=runs.MAX_NAME))
    state = pin_state(name) if name else "open"
    if state == "locked":
        st.caption(t("runs.pin_sidebar_locked"))
    elif state == "unlocked":
        st.caption(t("runs.pin_sidebar_unlocked"))
    if name and state != "locked":  # may_write, without asking the PIN store again
        _claim_waiting(name)
    waiting = _waiting_jobs()
    if waiting:
        st.warning(t("runs.wait_pin" if name else "runs.wait_name"), icon=":material/save:")
        if not name and any(id(job) not in ss.get(ASKED, set()) for job in waiting):
            _ask_name()  # a locked name is not asked again: the PIN box below the page is its answer


def _name_typed() -> None:
    """The name box's callback: the name as it is kept (runs.clean_name), and a word on what changed."""
    typed = str(ss.get(NAME_KEY) or "")
    name = runs.clean_name(typed)
    if runs.name_cut(typed):
        note = "cut"
    elif name != " ".join(typed.split()):
        note = "cleaned"  # control or format characters removed, or full-width letters folded
    else:
        note = ""
    ss[NAME_KEY] = ss[KEPT_KEY] = name
    ss[NOTE_KEY] = (name, note)


def student_name() -> str:
    """The name typed in the sidebar, as it is shown and stored (core.runs.clean_name); "" for none."""
    return runs.clean_name(ss.get(NAME_KEY) or ss.get(KEPT_KEY) or "")


def may_write(name: str) -> bool:
    """Whether this session may save runs, or submit work to the class, under `name`: a name, without a PIN or
    with the PIN typed in this session. A PIN store that cannot be read holds nothing up (it hides the
    list, but a student's work is not kept from the disk for it; a submission fails on its own then)."""
    return bool(runs.safe_name(name)) and pin_state(name) != "locked"


def why_not_write(name: str) -> str:
    """What to tell a student who may not write under `name`; "" if they may."""
    if not runs.safe_name(name):
        return t("runs.write_no_name")
    return t("runs.write_locked", name=as_text(name)) if pin_state(name) == "locked" else ""


def name_for_saving() -> str:
    """The name a run started now is saved under, or "" (it waits in the session, and the sidebar asks);
    noted as a name this session saved under, which may then set a PIN."""
    name = student_name()
    if not may_write(name):
        return ""
    ss.setdefault(WROTE, set()).add(classdb.name_key(name))
    return name


def new_writer(page: str, settings: dict) -> runs.RunWriter:
    """A writer for a run started now; without a name it may write under, one that waits for a name."""
    return runs.RunWriter(page, name_for_saving(), settings)


def ask_name() -> None:
    """Open the dialog that asks for a name (a submission without one can call it too)."""
    _ask_name()


def _ask_name() -> None:
    """The dialog, titled in the session's language (so made here, not by a decorator at import)."""
    st.dialog(t("runs.ask_title"), width="small", on_dismiss=_answered)(_ask_body)()


def _ask_body() -> None:
    """Asked once per waiting job: a name to save it under (`runs_name_ask`), or not now.

    A form: the name typed and the click on Save reach the server together, in one rerun. With a plain
    text box the name is sent when the box loses focus, a rerun of its own that a click right after can
    overtake on a busy server, and Save then read an empty box."""
    st.write(t("runs.ask_body"))
    with st.form("runs_name_ask_form", border=False, enter_to_submit=True):
        typed = st.text_input(t("runs.name"), key="runs_name_ask", placeholder=t("runs.name_placeholder"))
        a, b = st.columns(2)
        save = a.form_submit_button(
            t("runs.ask_save"), key="runs_name_ask_ok", type="primary", width="stretch"
        )
        later = b.form_submit_button(t("runs.ask_later"), key="runs_name_ask_later", width="stretch")
    if later:
        _answered()
        st.rerun()
    if save:
        if not runs.safe_name(typed):
            st.error(t("runs.ask_empty"))
            return
        ss[NEXT_KEY] = typed
        _answered()
        st.rerun()


def _answered() -> None:
    """The dialog is not opened again for the jobs waiting now (the sidebar keeps saying they wait)."""
    ss.setdefault(ASKED, set()).update(id(job) for job in _waiting_jobs())


def _waiting(saver: object) -> bool:
    return bool(getattr(getattr(saver, "writer", None), "waiting", False))


def _waiting_jobs() -> list[jobs.Job]:
    """This session's jobs whose runs wait for a name this session may write under."""
    return [job for job in jobs.session_jobs().values() if _waiting(job.saver)]


def _claim_waiting(name: str) -> None:
    """Save the session's waiting runs under `name`, which this session may write under now: a running
    job saves on its next epoch, a finished one here and now (its worker is done with the model)."""
    for job in _waiting_jobs():
        job.saver.writer.claim(name)
        ss.setdefault(WROTE, set()).add(classdb.name_key(name))
        if not job.active:
            job.saver.end(job)


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
    writer: runs.RunWriter  # waiting (no name yet) until the session gives it one (`_claim_waiting`)
    error: str = ""  # the last failure, shown by ui.job_widgets; "" once a save works again
    saved_epochs: int = 0
    _last_save: float = -1e9

    @property
    def waiting(self) -> bool:
        """Nothing is saved yet: the run waits in the session for a name (ui.job_widgets says so)."""
        return self.writer.waiting

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
    steps = r.metrics.get("step")  # a lesson that trains in steps, not epochs, keeps its last step
    if isinstance(steps, int) and not isinstance(steps, bool):
        return t("runs.item_steps", date=when(r.updated), steps=steps, state=state, metric=metric)
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
    except DB_ERRORS:
        return "unknown"
    if stamp is None:
        return "open"
    return "unlocked" if ss.get(UNLOCKED, {}).get(classdb.name_key(name)) == stamp else "locked"


def may_open(name: str) -> bool:
    """Whether this session may list and open the runs saved under `name`."""
    return pin_state(name) in ("open", "unlocked")


def _unlock(name: str) -> None:
    stamp = classdb.pin_stamp(name)
    if stamp is not None:
        ss.setdefault(UNLOCKED, {})[classdb.name_key(name)] = stamp


def _try_pin(page: str, name: str) -> None:
    """The PIN box's callback: check what was typed once (core.classdb counts it for the name, for every
    browser and replica), then empty the box."""
    typed, ss[f"{page}_runs_pin"] = ss.get(f"{page}_runs_pin", ""), ""
    if not typed:
        return
    try:
        tried = classdb.try_pin(name, typed)
        if tried.ok:
            _unlock(name)
    except DB_ERRORS:
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_store_failed"))
        return
    if tried.ok:
        ss[f"_{page}_runs_msg"] = ("success", t("runs.pin_ok"))
    elif tried.fails and tried.wait_s:
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_wrong_wait", s=_seconds(tried.wait_s)))
    elif tried.wait_s:  # the name was waiting: nothing was checked
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_waiting", s=_seconds(tried.wait_s)))
    else:
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_wrong"))


def _seconds(wait_s: float) -> int:
    return max(1, round(wait_s + 0.49))


def may_set_pin(name: str) -> bool:
    """Whether this session may give `name` a PIN: a name with no saved runs yet, or one this session
    saved runs under itself. Otherwise the first to set a PIN on a classmate's name would lock them out
    of their own runs; the owner saves a run again (or has the PIN reset)."""
    key = classdb.name_key(name)
    return bool(key) and (key in ss.get(WROTE, set()) or not runs.list_runs(name=name))


def _set_pin(page: str, name: str) -> None:
    """The "set a PIN" button's callback."""
    typed, ss[f"{page}_runs_new_pin"] = ss.get(f"{page}_runs_new_pin", ""), ""
    try:
        classdb.check_pin_format(typed)
    except classdb.BoardError:
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_format", lo=classdb.PIN_MIN, hi=classdb.PIN_MAX))
        return
    if not may_set_pin(name):  # the offer is not drawn then; a click that raced a name change
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_not_yours", name=as_text(name)))
        return
    try:
        if not classdb.set_pin(name, typed):  # someone gave this name a PIN a moment ago
            ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_taken", name=as_text(name)))
            return
        _unlock(name)
    except DB_ERRORS:
        ss[f"_{page}_runs_msg"] = ("error", t("runs.pin_store_failed"))
        return
    ss[f"_{page}_runs_msg"] = ("success", t("runs.pin_set_done", name=as_text(name)))


def _pin_box(page: str, name: str, state: str) -> None:
    """The name's runs are hidden: say why, and ask for the PIN (`<page>_runs_pin`)."""
    if state == "unknown":
        st.warning(t("runs.pin_store_failed"))
        return
    st.caption(t("runs.pin_locked", name=as_text(name)))
    try:
        wait = classdb.pin_wait(name)
    except DB_ERRORS:
        wait = 0.0
    if wait:
        st.caption(t("runs.pin_waiting", s=_seconds(wait)))
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
        placeholder=t("runs.pin_new_placeholder", lo=classdb.PIN_MIN),
    )
    b.button(
        t("runs.pin_set"),
        key=f"{page}_runs_set_pin",
        icon=":material/lock:",
        width="stretch",
        on_click=_set_pin,
        args=(page, name),
    )
    st.caption(t("runs.pin_offer", name=as_text(name)))


# -- the panel ---------------------------------------------------------------------------------
def _open(lesson: Reopenable, saved_id: str) -> None:
    if not may_open(student_name()):  # a click that raced a name change or a new PIN
        ss[f"_{lesson.key}_runs_msg"] = ("error", t("runs.pin_locked", name=as_text(student_name())))
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
        st.caption(t("runs.none", name=as_text(name)))
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
    # a run folder's zip, or the lesson's own for what it lists (a comparison: QueueLesson.download). The
    # zip is made when clicked, in a thread of the server without this session: it gets the name now.
    queue_zip = getattr(lesson, "download", None)
    make_zip = (
        (lambda: queue_zip(pick, name))
        if queue_zip is not None
        else (lambda: run_export.run_zip(pick))
        if pick is not None and runs.is_saved_run(pick)
        else None
    )
    if pick is not None and make_zip is not None and may_open(name):
        st.download_button(
            t("export.comparison_button" if queue_zip else "export.button"),
            data=make_zip,  # made when clicked, not on every rerun
            file_name=f"{pick}.zip",
            mime="application/zip",
            key=f"{page}_runs_zip",
            help=t("export.comparison_help" if queue_zip else "export.help"),
            icon=":material/download:",
            on_click="ignore",
        )
    if state == "open" and may_set_pin(name):
        _pin_offer(page, name)
    elif state == "open":
        st.caption(t("runs.pin_not_yours", name=as_text(name)))
