"""The teacher's view of every replica (ui.progress on the teacher's page): students written by two other
replicas into the class database appear in the live view and the progress grid, names as typed; the class
report's ZIP holds the grid, the board and the answers; the class-wide pause stops a student's training
and resumes it, and is refused to anyone without the teacher's token."""

from __future__ import annotations

import csv
import io
import time
import zipfile

import pytest

from core import classdb, presence
from tests.apptest import open_page, texts
from tests.pages import test_teacher_page as base
from ui import progress, teacher
from ui.i18n import t

TOKEN, sign_in_teacher, student_training = base.TOKEN, base.sign_in_teacher, base.student_training
no_pause = base.no_pause  # the fixture: each test's token tries are checked at once


@pytest.fixture
def class_db(monkeypatch, tmp_path):
    """A shared class database of the test's own, this process as replica "r3", a fresh writer."""
    url = f"sqlite:///{tmp_path / 'class.sqlite3'}"
    monkeypatch.setenv(classdb.ENV_URL, url)
    monkeypatch.setenv("LAB_REPLICA", "r3")
    monkeypatch.setenv(teacher.ENV, TOKEN)
    progress.forget_server_state()
    yield url
    progress.forget_server_state()


def frame(at, column: str):
    """The dataframe with this column (AppTest does not expose a dataframe's key)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def two_replicas_write(url: str) -> None:
    """Two other replicas of the app, each with one student (one of them on its second page already)."""
    now = time.time()
    running = presence.JobNote("cnn", "running", 0.5, "cuda:0")
    r1 = presence.PresenceStore(classdb.ClassDB(url).engine)
    r2 = presence.PresenceStore(classdb.ClassDB(url).engine)
    r1.write("r1", [presence.SeatRow("s1", "", "**あおい**", "xor", now)], now=now)
    r1.add_milestones(
        [presence.Milestone("**あおい**", "xor", k, now) for k in ("opened", "trained", "target")]
    )
    r2.write("r2", [presence.SeatRow("s2", "", "Ben <b>", "cnn", now, (running,))], now=now)
    r2.add_milestones([presence.Milestone("Ben <b>", "xor", "opened", now)])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_teacher_sees_the_students_of_both_replicas_in_the_grid(class_db, no_pause, lang):
    two_replicas_write(class_db)
    at = sign_in_teacher(open_page("app_pages/teacher.py", lang))
    assert not at.exception, at.exception
    grid, students, jobs = (
        frame(at, t(col, lang))
        for col in ("progress.col.submitted", "teacher.col.training", "teacher.col.device")
    )
    grid = grid.set_index(t("teacher.col.name", lang))
    assert list(grid.index) == ["**あおい**", "Ben <b>"]  # as typed: a cell reads no Markdown or HTML
    xor, cnn = t("nav.xor", lang), t("nav.cnn", lang)
    assert grid.loc["**あおい**", xor] == "✓✓" and grid.loc["Ben <b>", xor] == "○"
    assert grid.loc["Ben <b>", cnn] == "" and grid.loc["**あおい**", t("progress.col.replica", lang)] == "r1"
    students = students.set_index(t("teacher.col.name", lang))
    assert students.loc["Ben <b>", t("progress.col.replica", lang)] == "r2"
    assert set(students.index) == {"**あおい**", "Ben <b>"}  # the teacher's own session is no student
    assert list(jobs[t("progress.col.replica", lang)]) == ["r2"] and "50%" in jobs.to_string()
    assert t("progress.shared", lang, replica="r3") in texts(at)
    assert at.metric[0].value == "2"  # students connected: the teacher's own session is none of them


def test_the_class_report_holds_the_grid_the_board_and_the_answers(class_db, no_pause):
    two_replicas_write(class_db)
    classdb.submit_run("Ben <b>", "hyperparams", {"lr": 0.1}, 0.9, 2, 3.0)
    at = sign_in_teacher(open_page("app_pages/teacher.py", "en"))
    assert at.get("download_button"), "the report's download button"
    with pytest.raises(PermissionError):  # outside the teacher's session the report is refused
        progress.report_zip(("teacher",))
    data = presence.report_zip(class_db, ("teacher",))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        grid = list(csv.DictReader(io.StringIO(zf.read("progress.csv").decode("utf-8-sig"))))
        board = zf.read("board.csv").decode("utf-8-sig")
    expected = ["progress.csv", "board.csv"] + (["answers.csv"] if presence.questions_module() else [])
    assert names == expected
    assert [row["name"] for row in grid] == ["**あおい**", "Ben <b>"]
    assert grid[0]["xor.target"] and not grid[1]["xor.trained"] and grid[1]["board.submitted"]
    assert "Ben <b>" in board and "hyperparams" in board


def test_pause_and_resume_are_refused_without_the_token(class_db, no_pause):
    at = open_page("app_pages/teacher.py", "en")  # not signed in: no grid, no buttons
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key in ("progress_pause", "progress_resume")]
    for act in (progress.pause_all, progress.resume_all):  # called directly: the function checks itself
        with pytest.raises(PermissionError):
            act()
    assert presence.store(class_db).pause_state() == (False, 0)


def test_the_teachers_pause_stops_a_students_training_and_resume_goes_on(class_db, no_pause):
    student = student_training("はなこ", "en")
    job = student.session_state["_jobs"]["xor"]
    try:
        at = sign_in_teacher(open_page("app_pages/teacher.py", "en"))
        at.button(key="progress_pause").click().run()
        assert not at.exception, at.exception
        job.join(10)
        assert job.state == "paused" and presence.store(class_db).pause_state() == (True, 1)
        assert t("progress.pause_on", "en") in texts(at)
        at.button(key="progress_resume").click().run()
        assert job.state in ("queued", "running") and presence.store(class_db).pause_state() == (False, 2)
    finally:
        job.stop()
        job.join(10)
