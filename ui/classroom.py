"""The class as the server sees it: one `Seat` per browser session (its student's name, the page it is on,
its training jobs, its last error), recent errors, and the teacher's message. One `Classroom` per server
process, shared by every session; only the teacher's page (behind ui.teacher) reads it.

The Classroom is a module-level singleton, not in `st.cache_resource`: any browser may ask the server to
clear that cache (docs/streamlit-notes.md, Any client can clear the caches), which would wipe the
teacher's view and message.

Every page's first line (ui.pages.begin) calls `check_in()` and `banner()`; Home.py calls
`check_out()` after the page. A seat holds
the session's own jobs dictionary (ui.jobs.session_jobs), so a job a student starts is listed at once;
the teacher's Stop calls that job's public `stop()`, exactly as the student's own button does, and the
student's banner says who stopped it. A seat
whose browser has gone (Streamlit closed its session, or nothing heard for `GONE_AFTER_S`) is dropped.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
import weakref
from collections import deque
from dataclasses import dataclass, field

import streamlit as st

from ui import jobs

GONE_AFTER_S = 15 * 60  # a session silent for this long counts as gone, even if Streamlit still holds it
ERROR_WINDOW_S = 10 * 60
MAX_ERRORS = 200
# The banner polls the in-memory message this often: a few seconds is "at once" for a class, and an
# idle page's poll is one short fragment run (no page rerun), cheap for 40 sessions.
BANNER_EVERY_S = 2.0
# The banner's container and its widgets' keys all start with this; ui.links refuses hide=/lock= of
# such keys, so a lesson link cannot hide the teacher's message.
BANNER_KEY = "class_banner"
_DISMISSED = "_class_dismissed"  # session_state: the id of the teacher message this session closed
_REPORTED = "_class_reported"  # session_state: ids of this session's failed jobs already listed


@dataclass
class Seat:
    session_id: str  # the lab's own id of the browser session (`seat_id()`)
    runtime_id: str = ""  # Streamlit's id of the same session, to ask whether it is still connected
    name: str = ""
    page: str = ""
    last_seen: float = 0.0  # the session's last full run: a click, a typed value, a page opened
    jobs: dict = field(default_factory=dict)  # the session's own {key: Job}, the same object
    last_error: ErrorNote | None = None


@dataclass(frozen=True)
class Message:
    id: int
    text: str
    link: str
    sent: float


@dataclass(frozen=True)
class ErrorNote:
    when: float
    name: str
    page: str
    text: str


def link_ok(link: str) -> bool:
    """A message's link is empty or a web address: never `javascript:` or `data:`, which would run."""
    return not link or link.lower().startswith(("http://", "https://"))


class Classroom:
    """Thread-safe: sessions check in from their own script threads, the teacher reads from theirs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seats: dict[str, Seat] = {}
        self._errors: deque[ErrorNote] = deque(maxlen=MAX_ERRORS)
        self._message: Message | None = None
        self._ids = itertools.count(1)

    # -- sessions -------------------------------------------------------------------------------
    def check_in(
        self, session_id: str, name: str, page: str, session_jobs: dict, runtime_id: str = ""
    ) -> None:
        with self._lock:
            seat = self._seats.setdefault(session_id, Seat(session_id))
            seat.name, seat.page, seat.last_seen, seat.jobs = name, page, time.time(), session_jobs
            seat.runtime_id = runtime_id

    def seats(self, alive=None, now: float | None = None) -> list[Seat]:
        """The sessions still there (`alive(session_id)` says whether Streamlit still has the session)."""
        now = time.time() if now is None else now
        with self._lock:
            for sid, seat in list(self._seats.items()):
                if now - seat.last_seen > GONE_AFTER_S or (alive is not None and not alive(seat.runtime_id)):
                    del self._seats[sid]
            return sorted(self._seats.values(), key=lambda s: (s.name.lower(), s.session_id))

    def job_rows(self, alive=None) -> list[tuple[Seat, str, jobs.Job]]:
        """(seat, page key, job) of every job of every session, running and queued first."""
        rows = [(seat, key, job) for seat in self.seats(alive) for key, job in list(seat.jobs.items())]
        order = {"running": 0, "queued": 1}
        return sorted(rows, key=lambda r: (order.get(r[2].state, 2), r[0].name.lower(), r[1]))

    # -- errors ---------------------------------------------------------------------------------
    def error(self, name: str, page: str, text: str, session_id: str = "") -> None:
        note = ErrorNote(time.time(), name, page, text[:300])
        with self._lock:
            self._errors.append(note)
            if session_id in self._seats:
                self._seats[session_id].last_error = note

    def recent_errors(self, window_s: float = ERROR_WINDOW_S) -> list[ErrorNote]:
        cutoff = time.time() - window_s
        with self._lock:
            return [e for e in reversed(self._errors) if e.when >= cutoff]

    # -- the teacher's message ------------------------------------------------------------------
    def send(self, text: str, link: str = "") -> Message:
        if not text.strip() or not link_ok(link):
            raise ValueError("a message needs text, and its link must start with http:// or https://")
        with self._lock:
            self._message = Message(next(self._ids), text, link, time.time())
            return self._message

    def withdraw(self) -> None:
        with self._lock:
            self._message = None

    @property
    def message(self) -> Message | None:
        return self._message


_ROOM = Classroom()  # the server's one class: made at import (under Python's import lock), never cleared


def classroom() -> Classroom:
    return _ROOM


def forget_server_state() -> None:
    """Tests only: an empty class, as a new server process would have (tests/conftest.py)."""
    global _ROOM
    _ROOM = Classroom()
    with _STOPS_LOCK:
        _TEACHER_STOPS.clear()


# -- the teacher's Stop ---------------------------------------------------------------------------
# The jobs the teacher's page stopped, so that the student's page can say who stopped them. Keyed by id()
# with a weak reference to check it is still the same job (a Job is a mutable dataclass: not hashable).
_TEACHER_STOPS: dict[int, weakref.ref] = {}
_STOPS_LOCK = threading.Lock()


def stop_job(job: jobs.Job) -> None:
    """The teacher's Stop: the job's own public `stop()`, remembered so the student is told why."""
    key = id(job)
    with _STOPS_LOCK:
        _TEACHER_STOPS[key] = weakref.ref(job, lambda ref: _forget_stop(key, ref))
    job.stop()


def _forget_stop(key: int, ref: weakref.ref) -> None:
    """A stopped job was freed: forget it (only this entry: its id may already name a newer job)."""
    with _STOPS_LOCK:
        if _TEACHER_STOPS.get(key) is ref:
            del _TEACHER_STOPS[key]


def stopped_by_teacher(job: jobs.Job) -> bool:
    """The teacher stopped this job, and the student has not started it again since."""
    with _STOPS_LOCK:
        ref = _TEACHER_STOPS.get(id(job))
    return ref is not None and ref() is job and not job.active


def forget_stop(job: jobs.Job) -> None:
    """The student's own Stop or Resume: what happens next is theirs, no longer the teacher's doing."""
    with _STOPS_LOCK:
        ref = _TEACHER_STOPS.get(id(job))
        if ref is not None and ref() is job:
            del _TEACHER_STOPS[id(job)]


_SEAT = "_class_seat"  # session_state: this browser session's seat id


def seat_id() -> str:
    """This browser session's own id (Streamlit's session id is not unique under AppTest)."""
    return st.session_state.setdefault(_SEAT, uuid.uuid4().hex)


def runtime_session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def session_alive(sid: str) -> bool:
    """Streamlit still holds this browser session (True when the runtime cannot say: AppTest)."""
    if not sid:
        return True
    try:
        from streamlit.runtime import Runtime

        return Runtime.instance().is_active_session(sid) if Runtime.exists() else True
    except Exception:  # an internal API of Streamlit's: never let it break the teacher's page
        return True


def check_in(name: str, page: str) -> None:
    """Before the page (ui.pages.begin): this session is here, on `page`, as `name`; and, for every
    replica's view, in the class database (ui.progress: batched, never a write per page run)."""
    from ui import progress  # it reads this module's Classroom: imported here, not at the top

    classroom().check_in(seat_id(), name, page, jobs.session_jobs(), runtime_session_id())
    progress.checked_in(name, page)


def check_out(name: str, page: str) -> None:
    """Home.py, after the page: this session's newly failed jobs among the recent errors."""
    reported = st.session_state.setdefault(_REPORTED, set())
    for key, job in list(jobs.session_jobs().items()):
        if job.state == "error" and id(job) not in reported:
            reported.add(id(job))
            classroom().error(name, key, job.error, seat_id())


def record_exception(name: str, page: str, e: BaseException) -> None:
    classroom().error(name, page, f"{type(e).__name__}: {e}", seat_id())


def message_for_this_session() -> Message | None:
    """The teacher's message, unless this session dismissed it."""
    msg = classroom().message
    if msg is None or st.session_state.get(_DISMISSED) == msg.id:
        return None
    return msg


def dismiss(message_id: int) -> None:
    st.session_state[_DISMISSED] = message_id


def stops_for_this_session() -> list[tuple[str, jobs.Job]]:
    """(page key, job) of this session's jobs that the teacher stopped and the student has not resumed."""
    return [(key, job) for key, job in list(jobs.session_jobs().items()) if stopped_by_teacher(job)]


def banner() -> None:
    """The teacher's message, the teacher's live question (ui.questions), and a note when the teacher
    stopped one of this session's jobs, at the top of every page (ui.pages.begin).

    A fragment that reruns itself every BANNER_EVERY_S: a message reaches a student who is reading or
    watching a live chart within seconds, without a click. Such a rerun redraws only this fragment; the
    page's own widgets and fragments (a training chart) are left as they are. The fragment is always drawn,
    even empty, so that it keeps its place at the top of the page.
    """
    st.html(_NO_ROOM_WHEN_EMPTY)  # style only: Streamlit sends it where it takes no room itself
    st.fragment(run_every=BANNER_EVERY_S)(_draw_banner)()


# With nothing to say, the fragment's container is empty but would still take a gap of the page's column
# (18 px of a 720 px projector): an empty container at the top of the page takes no room.
_NO_ROOM_WHEN_EMPTY = """<style>
[data-testid="stMainBlockContainer"] > div > [data-testid="stLayoutWrapper"]:has(> [data-testid="stVerticalBlock"]:empty) {
  display: none;
}
</style>"""


def _draw_banner() -> None:
    from ui import questions
    from ui.i18n import t
    from ui.pages import PAGES

    msg = message_for_this_session()
    stops = stops_for_this_session()
    with st.container(key=BANNER_KEY):
        if msg is not None:
            with st.container(border=True, key=f"{BANNER_KEY}_message"):
                text, close = st.columns([6, 1], vertical_alignment="center")
                text.markdown(f"**{t('banner.from_teacher')}**")
                text.text(msg.text)  # as typed: never read as Markdown or HTML
                if msg.link:  # checked by Classroom.send: http(s) only; the label is ours, not the teacher's
                    text.link_button(t("banner.open_link"), msg.link, icon=":material/link:")
                close.button(
                    t("banner.dismiss"),
                    key=f"{BANNER_KEY}_dismiss_{msg.id}",
                    on_click=dismiss,
                    args=(msg.id,),
                )
        questions.student_part(BANNER_KEY)  # the teacher's live question: one cached read per poll
        titles = {p.key: t(f"nav.{p.key}") for p in PAGES}
        for key, job in stops:
            note, close = st.columns([6, 1], vertical_alignment="center")
            note.warning(t("banner.teacher_stopped", page=titles.get(key, key)), icon=":material/front_hand:")
            close.button(
                t("banner.dismiss"),
                key=f"{BANNER_KEY}_stop_{key}",
                on_click=forget_stop,
                args=(job,),
            )
