"""Live questions through the pages: the teacher's controls only behind the token (and the acting
functions refuse a session without it, whatever its buttons); a new choice question and a page's review
question asked from the teacher's page; a student answers from the top of a lesson page, changes the
answer, is refused once it closes, and sees the right answer after the reveal; the board counts."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core import classdb, questions, runs
from tests.apptest import open_page, sign_in, texts
from ui import questions as ui_questions
from ui import teacher

TOKEN = "kokuban-12345"
BANNER = "class_banner"  # ui.classroom.BANNER_KEY: the student's box lives in the banner


@pytest.fixture
def qs(tmp_path, monkeypatch) -> questions.QuestionStore:
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    monkeypatch.setenv(teacher.ENV, TOKEN)
    return questions.store()


def teacher_page(lang: str = "ja") -> AppTest:
    at = open_page("app_pages/teacher.py", lang)
    at.text_input(key="teacher_token").set_value(TOKEN)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, form: str) -> AppTest:
    next(b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:{form}")).click().run()
    assert not at.exception, at.exception
    return at


def test_no_controls_without_the_token_and_the_actions_refuse_such_a_session(qs):
    at = open_page("app_pages/teacher.py", "en")
    assert not at.exception, at.exception
    keys = {w.key for w in at.main.button} | {w.key for w in at.main.radio}
    assert not any(k and k.startswith("questions_") for k in keys), keys

    qid = qs.ask("Which loss?", "choice", ["MSE", "BCE"], answer=1)

    def act(action: str, *args) -> None:  # a script run without the teacher's proof
        import streamlit as st

        from ui import questions as ui_questions

        try:
            getattr(ui_questions, action)(*args)
        except PermissionError:
            st.text("refused")

    for action, args in [("close", (qid,)), ("reveal", (qid,)), ("hide", (qid,)), ("ask", ("x", "text"))]:
        stranger = AppTest.from_function(act, args=(action, *args)).run()
        assert [e.value for e in stranger.text] == ["refused"], action
    assert qs.question(qid).state == "open" and qs.question(qid).shown
    assert len(qs.questions()) == 1


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_teacher_asks_a_choice_question_then_closes_and_reveals_it(qs, lang):
    at = teacher_page(lang)
    at.radio(key="questions_source").set_value("new").run()
    at.text_area(key="questions_text").set_value("**Which** <b>activation</b>?").run()
    at.radio(key="questions_kind").set_value("choice").run()
    at.text_area(key="questions_choices").set_value("Sigmoid\nReLU\n\n").run()
    at.number_input(key="questions_right_choice").set_value(3).run()  # only two choices
    at.button(key="questions_open").click().run()
    assert not at.exception, at.exception
    assert qs.questions() == [] and at.warning  # refused with a message, nothing stored
    at.number_input(key="questions_right_choice").set_value(2).run()
    at.button(key="questions_open").click().run()
    q = qs.latest()
    assert (q.text, q.choices, q.answer, q.state) == (
        "**Which** <b>activation</b>?",
        ("Sigmoid", "ReLU"),
        "1",
        "open",
    )
    assert "**Which** <b>activation</b>?" in [e.value for e in at.text]  # as typed, not as Markdown

    qs.answer(q.id, "s1", 1, name="ann")
    qs.answer(q.id, "s2", 0)
    ui_questions._live.clear()  # the shared one-second cache, as the panel's next poll would find it
    at.run()
    shown = texts(at)
    assert ("2 answers of" in shown) if lang == "en" else ("2 人が回答" in shown)
    at.button(key=f"questions_live_close_{q.id}").click().run()
    assert qs.question(q.id).state == "closed"
    at.button(key=f"questions_live_reveal_{q.id}").click().run()
    assert qs.question(q.id).state == "revealed"
    assert not at.exception, at.exception


def test_the_teacher_asks_a_pages_review_question(qs):
    at = teacher_page("en")
    keys = ui_questions.review_keys()
    assert "xor.q1" in keys and "attention.review.q1" in keys and "xor.a1" not in keys
    at.selectbox(key="questions_review").set_value("xor.q2").run()
    at.button(key="questions_open").click().run()
    q = qs.latest()
    assert (q.source, q.kind, q.page, q.text) == (
        "xor.q2",
        "text",
        "xor",
        ui_questions.t("xor.q2", lang="en"),
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_student_answers_changes_is_refused_once_closed_and_sees_the_reveal(qs, lang, monkeypatch):
    qid = qs.ask("Which <i>one</i>?", "choice", ["[link](http://x)", "ReLU"], answer=1, explanation="*why*")
    student = open_page("app_pages/xor.py", lang)
    sign_in(student, "はなこ").run()
    assert "Which <i>one</i>?" in [e.value for e in student.text]
    submit(student, f"{BANNER}_q{qid}")  # sent before picking anything
    assert student.warning and qs.answers(qid) == []
    choice = student.radio(key=f"{BANNER}_q{qid}_choice")
    assert choice.options[0] == teacher.literal_label("[link](http://x)")  # a label shows as typed
    choice.set_value(0)
    submit(student, f"{BANNER}_q{qid}")
    assert [(a.name, a.value) for a in qs.answers(qid)] == [("はなこ", "0")]
    student.radio(key=f"{BANNER}_q{qid}_choice").set_value(1)
    student.checkbox(key=f"{BANNER}_q{qid}_anonymous").check()
    submit(student, f"{BANNER}_q{qid}")
    assert [(a.name, a.value) for a in qs.answers(qid)] == [("", "1")]  # one answer, changed, anonymous

    as_drawn = qs.question(qid)
    qs.close(qid)
    # a form drawn before the close (the page's copy of the question still says open), sent after it
    with monkeypatch.context() as m:
        m.setattr(ui_questions, "shown_question", lambda: as_drawn)
        submit(student, f"{BANNER}_q{qid}")
    closed = "締め切られました" if lang == "ja" else "This question is closed"
    assert any(closed in w.value for w in student.warning), [w.value for w in student.warning]
    assert [(a.name, a.value) for a in qs.answers(qid)] == [("", "1")]

    qs.reveal(qid)
    ui_questions._shown.clear()  # the shared one-second cache, as the next poll would find it
    student.run()
    shown = texts(student)
    assert ("正解です" in shown) if lang == "ja" else ("That's right" in shown)
    assert "*why*" in [e.value for e in student.text]
    assert not [w for w in student.radio if w.key.startswith(BANNER)]  # no answer box once closed


def test_a_number_that_is_not_one_gets_a_message_and_the_class_pages_show_no_box(qs):
    qid = qs.ask("Validation accuracy after 5 epochs?", "number")
    student = open_page("app_pages/xor.py", "en")
    student.text_input(key=f"{BANNER}_q{qid}_number").set_value("inf")
    submit(student, f"{BANNER}_q{qid}")
    assert any("not a number" in w.value for w in student.warning)
    assert qs.answers(qid) == []
    student.text_input(key=f"{BANNER}_q{qid}_number").set_value("0.85")
    submit(student, f"{BANNER}_q{qid}")
    assert [a.value for a in qs.answers(qid)] == [repr(0.85)]

    ui_questions._live.clear()
    board = open_page("app_pages/board.py", "en")
    assert not board.exception, board.exception
    assert not any(w.key and w.key.startswith(f"{BANNER}_q") for w in board.text_input)  # no box there
    assert "1 answers of" in texts(board) and "median 0.85" in texts(board)
