"""AppTest of submitting to the class board: a finished hyperparameter run (`hp_submit`) goes on the board
under the sidebar's name with its settings, test accuracy, epochs and seconds, once; without a name the
student is told to type one; the board page then lists it."""

from __future__ import annotations

import dataclasses

import pytest

from core import classdb, runs
from tests.apptest import open_page, sign_in, texts

NAME = "はなこ"


@pytest.fixture
def board(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    return classdb.db()


def test_a_finished_run_is_submitted_once_under_the_students_name(board):
    at = open_page("app_pages/hyperparams.py", "en")
    at.selectbox(key="hyperparams_p1").set_value("lr").run()
    at.multiselect(key="hyperparams_values_lr").set_value([1e-3, 1e-2]).run()
    at.button(key="hyperparams_train").click().run()
    job = at.session_state["_jobs"]["hyperparams"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception

    at.button(key="hp_submit").click().run()  # no name yet
    assert "Type your name in the sidebar first" in " ".join(w.value for w in at.warning)
    assert board.entries() == []

    sign_in(at, NAME)  # what a student types in the sidebar
    at.run()
    results = at.session_state["hyperparams_history"]
    best = max(results, key=lambda r: r.final("val_acc"))
    assert at.selectbox(key="hp_submit_run").value.startswith(f"{best.run_id}:")  # the best run first
    at.button(key="hp_submit").click().run()
    assert not at.exception, at.exception
    assert "Submitted to the class board" in texts(at)
    (entry,) = board.entries("run")
    assert (entry.name, entry.page, entry.kind) == (NAME, "hyperparams", "run")
    assert entry.test_acc == pytest.approx(best.final("val_acc"))
    assert entry.epochs == len(best.epochs) and entry.seconds == pytest.approx(best.wall_s, abs=0.01)
    settings = dataclasses.asdict(best.spec.settings)
    expected = {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}
    assert entry.settings == expected

    at.run()
    at.button(key="hp_submit").click().run()  # the same run again: said, not stored twice
    assert "already" in texts(at) and len(board.entries()) == 1

    at.switch_page("app_pages/board.py").run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    assert list(frame[frame.columns[1]]) == [NAME]
