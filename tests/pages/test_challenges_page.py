"""Class challenges in the pages: the teacher sets a goal on the board (refused without the token and for
a goal that cannot be ranked), the board ranks the runs submitted since with names as text and each
winner's settings as a lesson link, and the Hyperparameters page shows a student's place."""

from __future__ import annotations

import hashlib

import pytest

from core import challenges, classdb, runs
from tests.apptest import open_page, sign_in, texts
from ui import challenges as ui_challenges

BOARD = "app_pages/board.py"
TOKEN = "teach-me-4321"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    monkeypatch.setenv("LAB_TEACHER_TOKEN", TOKEN)
    return classdb.db()


def teacher_board(lang: str):
    at = open_page(BOARD, lang)
    at.session_state["_teacher_digest"] = hashlib.sha256(TOKEN.encode()).digest()
    return at.run()


def test_only_the_teacher_sets_a_goal_and_a_bad_goal_is_explained(db, monkeypatch):
    student = open_page(BOARD, "en")
    assert not student.exception, student.exception
    assert "challenge_text" not in [w.key for w in student.text_input]
    at = teacher_board("ja")
    at.text_input(key="challenge_text").set_value("   ")
    next(b for b in at.button if b.label == "チャレンジを始める").click().run()
    assert not at.exception, at.exception
    assert "チャレンジの内容を書いてください" in texts(at)
    assert challenges.store().latest() is None
    at.text_input(key="challenge_text").set_value("3 エポック以内で最高の検証正解率")
    at.number_input(key="challenge_target").set_value(95.0)
    next(b for b in at.button if b.label == "チャレンジを始める").click().run()
    assert not at.exception, at.exception
    c = challenges.store().latest()
    assert c.text == "3 エポック以内で最高の検証正解率" and c.max_epochs == 3 and c.target == 0.95
    # a forged call from a session without the token sets nothing
    monkeypatch.setattr(ui_challenges, "is_teacher", lambda: False)
    monkeypatch.setattr(ui_challenges.st, "warning", lambda *a, **k: None)
    assert ui_challenges.set_goal("another goal", None, None) is False
    assert challenges.store().latest().id == c.id


def test_the_board_ranks_runs_since_the_goal_with_names_as_text(db):
    db.submit_run("before", "hyperparams", {"lr": 0.1}, 0.99, 3, 5.0)
    challenges.store().set("best in 3 epochs", 3, 0.9)
    db.submit_run(
        "**bold** <b>x</b>", "hyperparams", {"lr": 0.01, "channels": [16, 32], "seed": 4}, 0.93, 3, 9.0
    )
    db.submit_run("ann", "hyperparams", {"lr": 0.001}, 0.85, 3, 8.0)
    db.submit_run("bob", "hyperparams", {"lr": 0.1}, 0.97, 10, 20.0)  # too many epochs
    at = open_page(BOARD, "en")
    assert not at.exception, at.exception
    ranking = at.dataframe[0].value
    assert list(ranking["Name"]) == ["**bold** <b>x</b>", "ann"]  # a cell: shown as typed
    assert list(ranking["Target"]) == ["✓", ""]
    link = ranking["Settings"].iloc[0]
    assert "/hyperparams?" in link and "hyperparams_base_lr=0.01" in link
    assert "hyperparams_base_channels=%2816%2C+32%29" in link and "hyperparams_seed=4" in link
    assert "best in 3 epochs" in [t.value for t in at.text]
    assert "2 taking part, 1 reached the target" in texts(at)


def test_the_hyperparameters_page_shows_the_students_place(db):
    challenges.store().set("go", None, None)
    db.submit_run("Ben", "hyperparams", {"lr": 0.01}, 0.99, 3, 9.0)
    db.submit_run("Aki", "hyperparams", {"lr": 0.01}, 0.5, 3, 9.0)
    at = open_page("app_pages/hyperparams.py", "en")
    sign_in(at, "aki")
    at.run()
    at.button(key="hyperparams_train").click().run()
    job = at.session_state["_jobs"]["hyperparams"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception
    assert "Your place in the class challenge" in texts(at)
    assert "Your best run is number 2 of 2 (validation accuracy 50.0%)." in texts(at)
    assert any(c.proto.id and "challenge_mine_chart" in c.proto.id for c in at.get("plotly_chart"))
