"""The class across every replica: this replica's seats written to the class database (core.presence), the
teacher's progress grid, the live view from the database, the class report and the class-wide pause.

Every page's check-in (ui.classroom.check_in) notes the page opened; the writing itself is batched: one
write of all this replica's seats and new milestones every FLUSH_EVERY_S, by a background thread on a real
server (students watching a chart click nothing, yet stay present) or by the check-in itself where there
is no server runtime (AppTest). The same write reads the pause flag, so every replica obeys the teacher's
"pause every training job" within seconds. The acting functions check the teacher's token themselves
(ui.teacher): hiding the buttons is not what keeps a student from pressing them.
"""

from __future__ import annotations

import functools
import io
import logging
import threading
import time
import weakref
import zipfile
from collections.abc import Callable, Sequence

import streamlit as st

from core import classdb, presence, topics
from ui import classroom, jobs, teacher
from ui.i18n import t

FLUSH_EVERY_S = 3.0  # one batched write per replica this often: 40 students' page runs are not 40 writes
GRID_EVERY_S = 5  # the grid's fragment: its reads are a few indexed selects
MARKS = {"opened": "○", "trained": "✓", "target": "✓✓"}  # a page's cell: the furthest milestone reached
log = logging.getLogger(__name__)


class Writer:
    """This replica's side of core.presence: the milestones noted since the last write, the write itself,
    and the jobs this replica paused for the class-wide pause (to resume exactly those)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0.0
        self._pending: list[presence.Milestone] = []
        self._noted: set[tuple[str, str, str]] = set()  # (url, name, page) already noted as opened
        self._paused: list[weakref.ref] = []
        self._pause_on = False
        self._thread: threading.Thread | None = None
        self._failing = False  # the last write failed (its traceback logged once)

    def note_opened(self, name: str, page: str) -> None:
        key = (classdb.default_url(), name, page)
        with self._lock:
            if key not in self._noted:
                self._noted.add(key)
                self._pending.append(presence.Milestone(name, page, "opened", time.time()))

    def flush(self, force: bool = False) -> bool:
        """Write this replica's seats and milestones, then obey the pause flag; at most every
        FLUSH_EVERY_S unless `force`. False when it was not due or the database failed (logged)."""
        now = time.time()
        with self._lock:
            if not force and now - self._last < FLUSH_EVERY_S:
                return False
            self._last = now
            pending, self._pending = self._pending, []
        seats = classroom.classroom().seats(classroom.session_alive)
        rows, milestones = [], list(pending)
        for seat in seats:
            notes = []
            for key, job in list(seat.jobs.items()):
                notes.append(presence.JobNote(key, job.state, job.fraction(), job.device))
                if seat.name:
                    ran = bool(job.steps or job.epochs_log)
                    for kind in presence.job_milestones(key, job.state, list(job.epochs_log), ran):
                        milestones.append(presence.Milestone(seat.name, key, kind, now))
            error = seat.last_error
            rows.append(
                presence.SeatRow(
                    seat.session_id,
                    "",
                    seat.name,
                    seat.page,
                    seat.last_seen,
                    tuple(notes),
                    error.text if error is not None else "",
                    error.when if error is not None else None,
                )
            )
        try:
            store = presence.store()
            store.write(presence.replica_name(), rows, milestones, now=now)
            on, _ = store.pause_state()
        except Exception:  # the database unreachable: keep the milestones for the next write, keep the page
            if not self._failing:  # said once, not every FLUSH_EVERY_S until it is back
                log.exception("could not write the class's presence (said again once it works)")
            self._failing = True
            with self._lock:
                self._pending = pending + self._pending
            return False
        if self._failing:
            log.warning("the class's presence is written again")
            self._failing = False
        if on or self._pause_on:
            self.obey(on, seats)
        return True

    def obey(self, on: bool, seats: Sequence[classroom.Seat] | None = None) -> int:
        """Paused: stop every active job of this replica (a job started during the pause too); the pause
        lifted: resume the jobs the pause stopped and nobody touched since. Returns how many."""
        seats = classroom.classroom().seats(classroom.session_alive) if seats is None else seats
        count = 0
        if on:
            for seat in seats:
                for job in list(seat.jobs.values()):
                    if job.active:
                        classroom.stop_job(job)  # the job's own stop(): the student's banner says who
                        self._paused.append(weakref.ref(job))
                        count += 1
        else:
            for ref in self._paused:
                job = ref()
                if job is not None and job.resumable and classroom.stopped_by_teacher(job):
                    classroom.forget_stop(job)
                    job.resume()
                    count += 1
            self._paused.clear()
        self._pause_on = on
        return count

    def start_heartbeat(self) -> None:
        """The background writer of a real server (once per process)."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._beat, name="presence", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while True:
            time.sleep(FLUSH_EVERY_S)
            try:
                self.flush()
            except Exception:  # never let the heartbeat die: the next beat tries again
                log.exception("presence heartbeat")


_WRITER = Writer()  # one per server process, like the Classroom it reads


def writer() -> Writer:
    return _WRITER


def forget_server_state() -> None:
    """Tests only: a fresh writer, as a new server process would have."""
    global _WRITER
    _WRITER = Writer()


def checked_in(name: str, page: str) -> None:
    """ui.classroom.check_in's hook: note the page opened; write now only where no server runs the
    heartbeat. Never raises into the page."""
    try:
        if name and page in topics.BY_KEY:
            _WRITER.note_opened(name, page)
        if _server_running():
            _WRITER.start_heartbeat()
        else:
            _WRITER.flush()
    except Exception:
        log.exception("presence check-in")


def _server_running() -> bool:
    try:
        from streamlit.runtime import Runtime

        return Runtime.exists()
    except Exception:
        return False


# -- the teacher's actions (each checks the token itself) ---------------------------------------------
def _require_teacher() -> None:
    if not teacher.is_teacher():
        raise PermissionError("the teacher's token is needed")


def pause_all() -> tuple[int, bool]:
    """Pause every training job: this replica's at once, the other replicas' at their next write.
    Returns (jobs paused here, whether the database took the flag)."""
    _require_teacher()
    return _set_pause(True)


def resume_all() -> tuple[int, bool]:
    """Lift the pause: the jobs it stopped run on (here at once, elsewhere at the next write)."""
    _require_teacher()
    return _set_pause(False)


def _set_pause(on: bool) -> tuple[int, bool]:
    try:
        presence.store().set_paused(on)
        stored = True
    except Exception:
        log.exception("could not store the class-wide pause")
        stored = False
    return _WRITER.obey(on), stored


def report_zip(skip_pages: Sequence[str] = ()) -> bytes:
    """The class report (core.presence.report_zip), for the teacher only."""
    _require_teacher()
    return _report(tuple(skip_pages))


def _report(skip_pages: tuple[str, ...]) -> bytes:
    """The report's bytes. Streamlit calls this at the download's click on a thread of its own, where
    the session (and so the token's proof) cannot be read: the button exists only for the teacher."""
    try:
        return presence.report_zip(skip_pages=skip_pages)
    except Exception as e:  # the database unreachable: a ZIP that says so, rather than a broken download
        log.exception("class report")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("error.txt", f"The class database could not be read: {type(e).__name__}\n")
        return buf.getvalue()


# -- drawing ----------------------------------------------------------------------------------------
def ago(seconds: float) -> str:
    return t("teacher.ago.seconds", s=seconds) if seconds < 60 else t("teacher.ago.minutes", m=seconds // 60)


def _jobs_text(notes, page: str, title: Callable[[str], str]) -> str:
    """A seat's jobs that matter now: the running and queued ones, else the one of the page it is on."""
    listed = [n for n in notes if n.state in jobs.ACTIVE] or [n for n in notes if n.page == page]
    return " / ".join(f"{title(n.page)}：{t(f'teacher.state.{n.state}')} {n.fraction:.0%}" for n in listed)


def _notes(seat: classroom.Seat) -> list[presence.JobNote]:
    return [presence.JobNote(k, j.state, j.fraction(), j.device) for k, j in list(seat.jobs.items())]


def _shared_seats(skip_pages: Sequence[str]) -> list[presence.SeatRow]:
    """Every replica's seats but the viewer's own (its row may still show the page it came from)."""
    own = classroom.seat_id()
    return [s for s in presence.store().seats() if s.page not in skip_pages and s.session_id != own]


def students(title: Callable[[str], str], skip_pages: Sequence[str] = ()) -> None:
    """How many students per page and one line per student: every replica's from the class database when
    LAB_DB_URL names it (a column says which replica), else this server's. Names and errors are
    dataframe cells: shown as typed, never as Markdown."""
    now = time.time()
    shared = presence.shared_database()
    if shared:
        try:
            seats = _shared_seats(skip_pages)
        except Exception:
            st.error(t("progress.err.db"), icon=":material/database:")
            return
        lines = [
            (s.name, s.page, s.last_seen, list(s.jobs), s.last_error, s.error_when, s.replica) for s in seats
        ]
    else:
        local = [s for s in classroom.classroom().seats(classroom.session_alive) if s.page not in skip_pages]
        lines = [
            (
                s.name,
                s.page,
                s.last_seen,
                _notes(s),
                s.last_error.text if s.last_error else "",
                s.last_error.when if s.last_error else None,
                "",
            )
            for s in local
        ]
    c1, c2 = st.columns([1, 2])
    c1.metric(t("teacher.sessions"), len(lines))
    counts: dict[str, int] = {}
    for line in lines:
        counts[line[1]] = counts.get(line[1], 0) + 1
    c2.dataframe(
        [{t("teacher.page"): title(k), t("teacher.count"): n} for k, n in sorted(counts.items())],
        hide_index=True,
        width="stretch",
        key="teacher_pages",
    )
    st.subheader(t("teacher.students"))
    if shared:
        st.caption(t("progress.shared", replica=presence.replica_name()))
    if not lines:
        st.caption(t("teacher.no_students"))
        return
    rows = []
    for name, page, seen, notes, error, when, replica in lines:
        row = {
            t("teacher.col.name"): name or t("teacher.unnamed"),
            t("teacher.col.page"): title(page),
            t("teacher.col.last_action"): ago(max(0.0, now - seen)),
            t("teacher.col.training"): _jobs_text(notes, page, title),
            t("teacher.col.last_error"): f"{error}（{ago(max(0.0, now - when))}）"
            if error and when
            else error,
        }
        if shared:
            row[t("progress.col.replica")] = replica
        rows.append(row)
    st.dataframe(rows, hide_index=True, width="stretch", key="teacher_students")


def jobs_table(title: Callable[[str], str], skip_pages: Sequence[str] = ()) -> bool:
    """Every replica's running, queued and failed jobs from the database (True), or nothing (False) when
    the database is not shared: the caller then lists this server's own."""
    if not presence.shared_database():
        return False
    try:
        seats = _shared_seats(skip_pages)
    except Exception:
        st.error(t("progress.err.db"), icon=":material/database:")
        return True
    rows = [
        {
            t("teacher.col.name"): s.name or t("teacher.unnamed"),
            t("teacher.col.page"): title(n.page),
            t("teacher.col.state"): t(f"teacher.state.{n.state}"),
            t("teacher.col.progress"): f"{n.fraction:.0%}",
            t("teacher.col.device"): n.device,
            t("progress.col.replica"): s.replica,
        }
        for s in seats
        for n in s.jobs
        if n.state in (*jobs.ACTIVE, "error")
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key="teacher_jobs")
    else:
        st.caption(t("teacher.no_jobs"))
    return True


def _grid_frame(rows: Sequence[presence.GridRow], title: Callable[[str], str]) -> list[dict]:
    now = time.time()
    pages = [key for key, kind in presence.columns() if kind == "opened"]
    out = []
    for r in rows:
        line = {
            t("teacher.col.name"): r.name,
            t("teacher.col.page"): title(r.page) if r.page else "",
            t("progress.col.replica"): "/".join(r.replicas),
            t("progress.col.last_activity"): ago(max(0.0, now - r.last_activity)) if r.last_activity else "",
            t("progress.col.failed"): "⚠" if r.failed else "",
        }
        for page in pages:
            reached = [kind for kind in presence.KINDS if (page, kind) in r.reached]
            line[title(page)] = MARKS[reached[-1]] if reached else ""
        for (where, kind), col in zip(presence.EXTRA_COLUMNS, ("submitted", "answered"), strict=True):
            line[t(f"progress.col.{col}")] = "✓" if (where, kind) in r.reached else ""
        out.append(line)
    return out


def panel(title: Callable[[str], str], skip_pages: Sequence[str] = ()) -> None:
    """The teacher's progress grid (live), the class report and the class-wide pause. Call it only after
    the teacher signed in; the actions check again."""
    _require_teacher()  # the page shows this panel only after the sign-in: anyone else gets nothing
    st.subheader(t("progress.title"))
    st.caption(t("progress.legend"))
    st.fragment(run_every=GRID_EVERY_S)(_grid)(title, skip_pages)
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        t("progress.report"),
        functools.partial(_report, tuple(skip_pages)),  # made at the click, with the class as it is then
        file_name=f"class_report_{time.strftime('%Y%m%d_%H%M')}.zip",
        mime="application/zip",
        icon=":material/download:",
        key="progress_report",
    )
    if c2.button(t("progress.pause"), key="progress_pause", icon=":material/pause_circle:"):
        count, stored = pause_all()
        st.toast(t("progress.paused", n=count))
        if not stored:
            st.error(t("progress.err.db"), icon=":material/database:")
    if c3.button(t("progress.resume"), key="progress_resume", icon=":material/play_circle:"):
        count, stored = resume_all()
        st.toast(t("progress.resumed", n=count))
        if not stored:
            st.error(t("progress.err.db"), icon=":material/database:")
    try:
        on, _ = presence.store().pause_state()
    except Exception:
        on = False
    if on:
        st.warning(t("progress.pause_on"), icon=":material/pause_circle:")


def _grid(title: Callable[[str], str], skip_pages: Sequence[str]) -> None:
    _WRITER.flush()  # this replica's own students fresh in the view it draws
    try:
        rows = presence.class_grid(skip_pages=skip_pages)
    except Exception:
        log.exception("progress grid")
        st.error(t("progress.err.db"), icon=":material/database:")
        return
    if not rows:
        st.caption(t("progress.none"))
        return
    st.dataframe(_grid_frame(rows, title), hide_index=True, width="stretch", key="progress_grid")
