"""The class as the server sees it: one `Seat` per browser session (its student's name, the page it is on,
its training jobs), recent errors, and the teacher's message. One `Classroom` per server process
(`st.cache_resource`), shared by every session; only the teacher's page (behind ui.teacher) reads it.

Every page's first line (ui.pages.begin) calls `check_in()` and `banner()`; Home.py calls
`check_out()` after the page. A seat holds
the session's own jobs dictionary (ui.jobs.session_jobs), so a job a student starts is listed at once;
the teacher's Stop calls that job's public `stop()`, exactly as the student's own button does. A seat
whose browser has gone (Streamlit closed its session, or nothing heard for `GONE_AFTER_S`) is dropped.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

import streamlit as st

from ui import jobs

GONE_AFTER_S = 15 * 60  # a session silent for this long counts as gone, even if Streamlit still holds it
ERROR_WINDOW_S = 10 * 60
MAX_ERRORS = 200
_DISMISSED = "_class_dismissed"  # session_state: the id of the teacher message this session closed
_REPORTED = "_class_reported"  # session_state: ids of this session's failed jobs already listed


@dataclass
class Seat:
    session_id: str  # the lab's own id of the browser session (`seat_id()`)
    runtime_id: str = ""  # Streamlit's id of the same session, to ask whether it is still connected
    name: str = ""
    page: str = ""
    last_seen: float = 0.0
    jobs: dict = field(default_factory=dict)  # the session's own {key: Job}, the same object


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
    def error(self, name: str, page: str, text: str) -> None:
        with self._lock:
            self._errors.append(ErrorNote(time.time(), name, page, text[:300]))

    def recent_errors(self, window_s: float = ERROR_WINDOW_S) -> list[ErrorNote]:
        cutoff = time.time() - window_s
        with self._lock:
            return [e for e in reversed(self._errors) if e.when >= cutoff]

    # -- the teacher's message ------------------------------------------------------------------
    def send(self, text: str, link: str = "") -> Message:
        with self._lock:
            self._message = Message(next(self._ids), text, link, time.time())
            return self._message

    def withdraw(self) -> None:
        with self._lock:
            self._message = None

    @property
    def message(self) -> Message | None:
        return self._message


@st.cache_resource(show_spinner=False)
def classroom() -> Classroom:
    return Classroom()


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
    """Before the page (ui.pages.begin): this session is here, on `page`, as `name`."""
    classroom().check_in(seat_id(), name, page, jobs.session_jobs(), runtime_session_id())


def check_out(name: str, page: str) -> None:
    """Home.py, after the page: this session's newly failed jobs among the recent errors."""
    reported = st.session_state.setdefault(_REPORTED, set())
    for key, job in list(jobs.session_jobs().items()):
        if job.state == "error" and id(job) not in reported:
            reported.add(id(job))
            classroom().error(name, key, job.error)


def record_exception(name: str, page: str, e: BaseException) -> None:
    classroom().error(name, page, f"{type(e).__name__}: {e}")


def message_for_this_session() -> Message | None:
    """The teacher's message, unless this session dismissed it."""
    msg = classroom().message
    if msg is None or st.session_state.get(_DISMISSED) == msg.id:
        return None
    return msg


def dismiss(message_id: int) -> None:
    st.session_state[_DISMISSED] = message_id


def banner() -> None:
    """The teacher's message at the top of the page, until this session dismisses it."""
    from ui.i18n import t

    msg = message_for_this_session()
    if msg is None:
        return
    with st.container(border=True, key="class_banner"):
        text, close = st.columns([6, 1], vertical_alignment="center")
        text.markdown(f"**{t('banner.from_teacher')}**")
        text.text(msg.text)  # as typed: never read as Markdown or HTML
        if msg.link:
            text.link_button(t("banner.open_link"), msg.link, icon=":material/link:")
        close.button(t("banner.dismiss"), key=f"class_dismiss_{msg.id}", on_click=dismiss, args=(msg.id,))
