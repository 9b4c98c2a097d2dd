"""The server-wide state that must survive a client: any browser may send Streamlit's clear-cache message,
so the class view, the teacher's message, the job pool and its queue live outside `st.cache_resource`;
and the teacher token's wrong tries are counted for the whole server (every student is localhost), with a
pause that doubles, a cap, and a minimum length for the token itself."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from streamlit.runtime.app_session import AppSession

from tests.apptest import open_page, sign_in, texts
from ui import classroom, jobs, teacher
from ui.jobs import Job


def clear_cache_as_a_client_does() -> None:
    """Streamlit's own handler of the protocol's `clear_cache` message, as any browser can send it."""
    AppSession._handle_clear_cache_request(
        SimpleNamespace(_session_state=SimpleNamespace(clear=lambda: None))
    )


def holding(started: threading.Event, release: threading.Event):
    """A job that holds its slot until the test lets it go."""

    def make():
        started.set()
        release.wait(20)
        yield {"kind": "epoch", "epoch": 1, "train_loss": 0.0}

    return make


def steps(n: int):
    def make():
        for i in range(1, n + 1):
            threading.Event().wait(0.01)
            yield {"kind": "step", "epoch": 1, "batch": i, "batches": n, "step": i, "loss": 1.0 / i}

    return make


def test_a_clear_cache_message_keeps_the_class_the_message_and_the_running_job(monkeypatch):
    monkeypatch.setenv("LAB_MAX_JOBS", "1")  # one slot: a second job must wait behind the first
    student = open_page("app_pages/xor.py", "en")
    sign_in(student, "ゆうき").run()
    room, pool = classroom.classroom(), jobs.shared_pool()
    room.send("Open the GAN page")
    started, release = threading.Event(), threading.Event()
    first = Job("first", "cpu", 1, holding(started, release))
    first.start(pool)
    assert started.wait(10) and first.state == "running"

    clear_cache_as_a_client_does()

    assert classroom.classroom() is room and jobs.shared_pool() is pool
    assert room.message is not None and room.message.text == "Open the GAN page"
    assert "ゆうき" in [seat.name for seat in room.seats()]
    second = Job("second", "cpu", 1, holding(threading.Event(), threading.Event()))
    second.start(jobs.shared_pool())
    try:
        for _ in range(20):  # the worker thread queues it within moments
            if second.state == "queued":
                break
            threading.Event().wait(0.05)
        assert second.state == "queued" and first.state == "running"  # not beside the running one
        assert pool.running("cpu") == 1 and pool.position("cpu", id(second)) == 0
        student.run()  # and the student's page still shows the message
        assert "Open the GAN page" in texts(student)
    finally:
        release.set()
        second.stop()
        first.join(10)
        second.join(10)
    assert first.state == "done"


def test_the_pool_is_made_once_even_when_sessions_ask_at_the_same_moment(monkeypatch):
    made: list[str] = []
    slow = threading.Event()

    def make_pool(name: str):
        made.append(name)
        slow.wait(0.2)  # a cluster's pool takes a while to join: the others must wait, not make another
        return jobs.LocalPool()

    monkeypatch.setattr(jobs, "make_pool", make_pool)
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(jobs.server_pool("local"))) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert made == ["local"] and len(got) == 8 and all(p is got[0] for p in got)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(teacher, "_BACKOFF", teacher.Backoff(clock=c))
    return c


def test_wrong_tries_pause_every_try_on_the_server_doubling_up_to_a_cap(clock):
    b = teacher.backoff()
    pauses = []
    for _ in range(9):
        attempt = b.attempt(False)
        assert attempt.checked and not attempt.ok
        pauses.append(attempt.wait_s)
        refused = b.attempt(True)  # the right token during the pause: not even looked at
        assert not refused.ok and not refused.checked and refused.wait_s == pytest.approx(attempt.wait_s)
        clock.now += attempt.wait_s
    assert pauses == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert teacher.MAX_PAUSE_S <= 60  # the real teacher waits at most a minute
    assert b.attempt(True).ok  # after the pause the right token works, and the count starts over
    assert b.attempt(False).wait_s == 0.5


def test_the_count_starts_over_after_a_quiet_quarter_of_an_hour(clock):
    b = teacher.backoff()
    for _ in range(5):
        clock.now += b.attempt(False).wait_s
    assert b.attempt(False).wait_s == 16
    clock.now += teacher.FORGET_AFTER_S + 1
    assert b.attempt(False).wait_s == 0.5


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_new_tab_does_not_reset_the_wait(monkeypatch, clock, lang):
    """Everyone is localhost: a reload or another tab is one more session, and it waits too."""
    monkeypatch.setenv(teacher.ENV, "a-long-enough-passphrase")
    wait = {"ja": "あと 1 秒待って", "en": "try again in 1 s"}[lang]
    first = open_page("app_pages/teacher.py", lang)
    first.text_input(key="teacher_token").set_value("guess-one")
    first.button[0].click().run()
    assert not first.exception, first.exception
    again = open_page("app_pages/teacher.py", lang)  # a new tab, right after
    again.text_input(key="teacher_token").set_value("a-long-enough-passphrase")
    again.button[0].click().run()
    assert wait in texts(again), texts(again)
    assert "_teacher_digest" not in again.session_state
    clock.now += 0.5  # the pause is over: the right token is checked, and works
    again.text_input(key="teacher_token").set_value("a-long-enough-passphrase")
    again.button[0].click().run()
    assert not again.exception, again.exception
    assert "_teacher_digest" in again.session_state


@pytest.mark.parametrize(
    ("token", "setup"),
    [("", "off"), ("short-123", "short"), ("           x", "short"), ("twelve-chars", "on")],
)
def test_a_token_shorter_than_the_minimum_turns_the_teacher_tools_off(monkeypatch, token, setup):
    monkeypatch.setenv(teacher.ENV, token)
    assert teacher.MIN_LENGTH == 12
    assert teacher.setup() == setup
    assert teacher.enabled() == (setup == "on")


def test_literal_labels_escape_every_markdown_sign():
    for name in ("![](http://x/y.png)", "[先生の課題](http://x)", ":red[x] :smile:", "$x$ **b** <b>"):
        label = teacher.literal_label(name)
        assert label.replace("\\", "").replace("\u2060", "") == name.replace("\\", "")
        for i, ch in enumerate(label):
            if ch in "![]()$*<>:" and label[i - 1] != "\\":
                raise AssertionError(f"{ch!r} unescaped in {label!r}")
    assert teacher.literal_label("はなこ") == "はなこ"


def test_the_teachers_stop_is_remembered_until_the_student_acts():
    """The student's page says who stopped a job (ui.classroom's banner): the teacher's Stop is marked,
    the student's own Stop or Resume clears the mark, and a freed job leaves nothing behind."""
    import gc

    from ui import classroom

    job = Job("t", "cpu", 1, steps(500))
    job.start(jobs.LocalPool())
    while job.state != "running":
        threading.Event().wait(0.01)
    other = Job("u", "cpu", 1, steps(1))
    classroom.stop_job(job)
    job.join(10)
    assert (
        job.state == "paused"
        and classroom.stopped_by_teacher(job)
        and not classroom.stopped_by_teacher(other)
    )
    job.resume()
    assert not classroom.stopped_by_teacher(job)  # running again: nothing to say
    job.stop()
    job.join(10)
    assert classroom.stopped_by_teacher(job)  # still marked: only the student's own button clears it
    classroom.forget_stop(job)
    assert not classroom.stopped_by_teacher(job)
    classroom.stop_job(job)
    assert len(classroom._TEACHER_STOPS) == 1
    del job
    gc.collect()
    assert classroom._TEACHER_STOPS == {}
