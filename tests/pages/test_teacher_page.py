"""The teacher's page: off without LAB_TEACHER_TOKEN; behind the token nothing about students shows; with
it, the class live (a student's name, page and training job, with Stop), and a message every student sees
until they dismiss it. ui.teacher: constant-time check, slower after each wrong try, only a digest kept."""

from __future__ import annotations

import pytest

from tests.apptest import open_page, sign_in, texts
from ui import teacher

TOKEN = "kokuban-123"
SAYS = {
    "ja": {
        "off": "LAB_TEACHER_TOKEN",
        "wrong": "合言葉が違います",
        "jobs": "学習ジョブ",
        "banner": "先生からのお知らせ",
    },
    "en": {
        "off": "LAB_TEACHER_TOKEN",
        "wrong": "passphrase is wrong",
        "jobs": "Training jobs",
        "banner": "From the teacher",
    },
}


@pytest.fixture
def no_pause(monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(teacher, "_wait", pauses.append)
    return pauses


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
        assert no_pause == [0.5]  # the wrong try cost a pause
        at.text_input(key="teacher_token").set_value(TOKEN)
        at.button[0].click().run()
        assert not at.exception, at.exception
        assert SAYS[lang]["jobs"] in texts(at)
        shown = " ".join(str(v) for df in at.dataframe for v in df.value.to_numpy().ravel())
        assert name in shown, shown
        at.run()
        digest = at.session_state["_teacher_digest"]
        assert isinstance(digest, bytes) and TOKEN.encode() not in digest  # a digest, not the token
        assert "teacher_token" not in at.session_state  # the password box is gone, and its value with it
        stop = next(b for b in at.button if name in b.label)
        stop.click().run()
        job = student.session_state["_jobs"]["xor"]
        job.join(10)
        assert job.state == "paused"  # the teacher's Stop is the student's own Stop
    finally:
        job = student.session_state["_jobs"]["xor"]
        job.stop()
        job.join(10)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_message_reaches_every_student_until_dismissed(monkeypatch, no_pause, lang):
    monkeypatch.setenv(teacher.ENV, TOKEN)
    at = open_page("app_pages/teacher.py", lang)
    at.text_input(key="teacher_token").set_value(TOKEN)
    at.button[0].click().run()
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
    dismiss = next(b for b in student.button if b.key and b.key.startswith("class_dismiss_"))
    dismiss.click().run()
    assert SAYS[lang]["banner"] not in texts(student)
    other = open_page("app_pages/vae.py", lang)  # another student still sees it
    assert SAYS[lang]["banner"] in texts(other)
    at.button(key="teacher_withdraw").click().run()
    assert SAYS[lang]["banner"] not in texts(open_page("app_pages/vae.py", lang))


def test_wrong_tries_wait_longer_each_time_up_to_a_limit():
    assert [teacher.pause_after(n) for n in range(7)] == [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_the_teacher_resets_a_pin_and_the_runs_open_again(monkeypatch, no_pause):
    from core import classdb

    monkeypatch.setenv(teacher.ENV, TOKEN)
    classdb.set_pin("きょうこ", "4321")
    assert classdb.has_pin("きょうこ")
    at = open_page("app_pages/teacher.py", "en")
    at.text_input(key="teacher_token").set_value(TOKEN)
    at.button[0].click().run()
    at.text_input(key="teacher_pin_name").set_value("きょうこ")
    next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:teacher_pins")).click().run()
    assert not at.exception, at.exception
    assert "きょうこ's PIN was reset." in texts(at) and not classdb.has_pin("きょうこ")
    next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:teacher_pins")).click().run()
    assert "きょうこ has no PIN." in texts(at)
