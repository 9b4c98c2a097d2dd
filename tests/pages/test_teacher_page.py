"""The teacher's page: off without LAB_TEACHER_TOKEN, and refused with a token too short; behind the token
nothing about students shows; with it, the class live (one line per student: name as typed, page, last
action, training, last error; every job with Stop, which the student's page then reports), and a message
every student sees until they dismiss it. ui.teacher: constant-time check, a server-wide pause after each
wrong try (tests/ui/test_server_state.py), only a digest kept."""

from __future__ import annotations

import pytest

from tests.apptest import open_page, sign_in, texts
from ui import classroom, teacher
from ui.i18n import t

TOKEN = "kokuban-12345"  # teacher.MIN_LENGTH characters at least
SAYS = {
    "ja": {
        "off": "LAB_TEACHER_TOKEN",
        "wrong": "合言葉が違います",
        "jobs": "学習ジョブ",
        "banner": "先生からのお知らせ",
        "short": "合言葉が短すぎる",
        "unnamed": "名前未入力",
        "stopped": "先生が「XOR」の学習を止めました。",
    },
    "en": {
        "off": "LAB_TEACHER_TOKEN",
        "wrong": "passphrase is wrong",
        "jobs": "Training jobs",
        "banner": "From the teacher",
        "short": "passphrase is too short",
        "unnamed": "no name yet",
        "stopped": "The teacher stopped your training on XOR.",
    },
}


@pytest.fixture
def no_pause(monkeypatch):
    """The server's wrong-try pause on a clock the test moves: each test's tries are checked at once."""
    clock = [0.0]
    monkeypatch.setattr(teacher, "_BACKOFF", teacher.Backoff(clock=lambda: clock[0]))

    def later(seconds: float = teacher.MAX_PAUSE_S) -> None:
        clock[0] += seconds

    return later


def cells(at) -> str:
    return " ".join(str(v) for df in at.dataframe for v in df.value.to_numpy().ravel())


def sign_in_teacher(at):
    at.text_input(key="teacher_token").set_value(TOKEN)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def student_training(name: str, lang: str):
    """A student's session: XOR with a long run started, so that the job is running when the teacher looks."""
    at = open_page("app_pages/xor.py", lang)
    sign_in(at, name)  # what a student types in the sidebar
    at.number_input(key="xor_epochs").set_value(20000).run()
    at.button(key="xor_train").click().run()
    return at


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_without_the_variable_the_page_says_how_to_turn_it_on(monkeypatch, lang):
    monkeypatch.delenv(teacher.ENV, raising=False)
    at = open_page("app_pages/teacher.py", lang)
    assert not at.exception, at.exception
    assert SAYS[lang]["off"] in texts(at)
    assert not at.main.dataframe and not at.main.text_input


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_token_too_short_is_refused_and_the_page_says_so(monkeypatch, lang):
    monkeypatch.setenv(teacher.ENV, "kokuban")
    at = open_page("app_pages/teacher.py", lang)
    assert not at.exception, at.exception
    assert SAYS[lang]["short"] in texts(at) and str(teacher.MIN_LENGTH) in texts(at)
    assert not at.main.text_input and not at.main.dataframe  # no sign-in form at all


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_class_is_hidden_until_the_right_token_then_shown_live(monkeypatch, no_pause, lang):
    monkeypatch.setenv(teacher.ENV, TOKEN)
    name = f"はなこ-{lang}"
    student = student_training(name, lang)
    try:
        at = open_page("app_pages/teacher.py", lang)
        assert not at.exception, at.exception
        assert name not in texts(at) and not at.dataframe  # nothing about students before the token
        at.text_input(key="teacher_token").set_value("guess")
        at.button[0].click().run()  # the form's submit button
        assert SAYS[lang]["wrong"] in texts(at) and name not in texts(at)
        assert teacher.backoff().wait_left() == 0.5  # the wrong try cost the server a pause
        no_pause()
        sign_in_teacher(at)
        assert SAYS[lang]["jobs"] in texts(at)
        assert name in cells(at), cells(at)
        at.run()
        digest = at.session_state["_teacher_digest"]
        assert isinstance(digest, bytes) and TOKEN.encode() not in digest  # a digest, not the token
        assert "teacher_token" not in at.session_state  # the password box is gone, and its value with it
        stop = next(b for b in at.button if teacher.literal_label(name) in b.label)
        stop.click().run()
        job = student.session_state["_jobs"]["xor"]
        job.join(10)
        assert job.state == "paused"  # the teacher's Stop is the student's own Stop
        student.run()
        assert SAYS[lang]["stopped"] in texts(student)  # and the student's page says who stopped it
        student.button(key="xor_resume").click().run()  # the student goes on: the note has done its job
        assert SAYS[lang]["stopped"] not in texts(student)
    finally:
        job = student.session_state["_jobs"]["xor"]
        job.stop()
        job.join(10)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_message_reaches_every_student_until_dismissed(monkeypatch, no_pause, lang):
    monkeypatch.setenv(teacher.ENV, TOKEN)
    at = sign_in_teacher(open_page("app_pages/teacher.py", lang))
    at.text_area(key="teacher_message_text").set_value(f"GAN のページへ ({lang})")
    at.text_input(key="teacher_message_link").set_value("javascript:alert(1)")
    submit = [b for b in at.button if b.key and b.key.startswith("FormSubmitter:teacher_message")]
    submit[0].click().run()
    assert not at.exception, at.exception
    assert any("http" in w.value for w in at.warning)  # a link that is not http(s) is refused
    at.text_input(key="teacher_message_link").set_value("http://localhost:8501/gan")
    submit = [b for b in at.button if b.key and b.key.startswith("FormSubmitter:teacher_message")]
    submit[0].click().run()
    student = open_page("app_pages/cnn.py", lang)
    assert SAYS[lang]["banner"] in texts(student) and f"GAN のページへ ({lang})" in texts(student)
    dismiss = next(b for b in student.button if b.key and b.key.startswith("class_banner_dismiss_"))
    dismiss.click().run()
    assert SAYS[lang]["banner"] not in texts(student)
    other = open_page("app_pages/vae.py", lang)  # another student still sees it
    assert SAYS[lang]["banner"] in texts(other)
    at.button(key="teacher_withdraw").click().run()
    assert SAYS[lang]["banner"] not in texts(open_page("app_pages/vae.py", lang))


def test_wrong_tries_wait_longer_each_time_up_to_a_limit():
    assert [teacher.pause_after(n) for n in range(9)] == [0.0, 0.5, 1, 2, 4, 8, 16, 30, 30]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_one_line_per_student_names_as_typed_and_their_last_error(monkeypatch, no_pause, lang):
    """A name is shown as typed, never read as Markdown: in the table and in the Stop button's label."""
    monkeypatch.setenv(teacher.ENV, TOKEN)
    picture, link = "![](http://x/y.png)", "[先生の課題](http://x)"
    trainer = student_training(picture, lang)
    try:
        reader = open_page("app_pages/cnn.py", lang)
        sign_in(reader, link).run()
        nameless = open_page("app_pages/vae.py", lang)
        seat = reader.session_state["_class_seat"]
        classroom.classroom().error(link, "cnn", "ValueError: bad pixels", seat)
        at = sign_in_teacher(open_page("app_pages/teacher.py", lang))
        tables = [df.value for df in at.dataframe]
        table = next(v for v in tables if t("teacher.col.last_action", lang) in v.columns)
        assert len(table) == 3  # the teacher's own session is not a student
        rows = {row.iloc[0]: row for _, row in table.iterrows()}
        assert set(rows) == {picture, link, SAYS[lang]["unnamed"]}
        assert rows[picture].iloc[1] == "XOR" and "XOR" in rows[picture].iloc[3]
        assert "ValueError: bad pixels" in rows[link].iloc[4] and rows[picture].iloc[4] == ""
        assert rows[SAYS[lang]["unnamed"]].iloc[1] == t("nav.vae", lang)
        stop = next(b for b in at.button if b.key and b.key.startswith("teacher_stop_"))
        assert (
            stop.label.replace("\\", "").replace("\u2060", "").count(picture) == 1
        )  # (a word joiner after ":")
        assert "![" not in stop.label and "](" not in stop.label  # every sign escaped
        assert not nameless.exception
    finally:
        job = trainer.session_state["_jobs"]["xor"]
        job.stop()
        job.join(10)


def test_the_teacher_resets_a_pin_and_the_runs_open_again(monkeypatch, no_pause):
    from core import classdb

    monkeypatch.setenv(teacher.ENV, TOKEN)
    classdb.set_pin("きょうこ", "4321-kyo")
    assert classdb.has_pin("きょうこ")
    at = sign_in_teacher(open_page("app_pages/teacher.py", "en"))
    at.text_input(key="teacher_pin_name").set_value("きょうこ")
    next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:teacher_pins")).click().run()
    assert not at.exception, at.exception
    assert "きょうこ's PIN was reset." in texts(at) and not classdb.has_pin("きょうこ")
    next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:teacher_pins")).click().run()
    assert "きょうこ has no PIN." in texts(at)
