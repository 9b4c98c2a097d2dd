"""AppTest of the PIN on a name's saved runs: a name with a PIN lists nothing until this session types
the right PIN (a wrong one is refused); a name without one is offered one, and runs saved before it still
list; another session must prove it again, and after a reset the runs are open once more; training under a
locked name still saves."""

from __future__ import annotations

import pytest

from core import classdb, runs
from tests.apptest import open_page, sign_in, texts
from ui import saved_runs

PAGE = "app_pages/cnn.py"
NAME = "たろう"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    monkeypatch.setattr(saved_runs, "pause_after", lambda fails: 0.0)  # the wrong-PIN pause, tested below
    return tmp_path


def _old_run(name: str = NAME) -> str:
    """A run saved the way every run was saved before PINs existed."""
    writer = runs.RunWriter("cnn", name, {"epochs": 1})
    assert writer.save(None, state="done", epochs_done=1, metrics={"val_acc": 0.9})
    return writer.run_id


def _session(name: str = NAME):
    at = open_page(PAGE, "en")
    sign_in(at, name)  # what a student types in the sidebar
    at.run()
    assert not at.exception, at.exception
    return at


def _listed(at) -> bool:
    return "cnn_runs_pick" in [s.key for s in at.selectbox]


def test_a_pin_hides_the_list_until_the_right_pin_is_typed(store):
    run_id = _old_run()
    at = _session()
    assert _listed(at), "runs saved before PINs existed list as before"
    assert at.selectbox(key="cnn_runs_pick").value == run_id
    assert "anyone who types" in texts(at)  # the offer of a PIN

    at.text_input(key="cnn_runs_new_pin").input("12").run()
    at.button(key="cnn_runs_set_pin").click().run()
    assert "A PIN has 4 to 32 characters" in " ".join(e.value for e in at.error)
    assert not classdb.has_pin(NAME)
    at.text_input(key="cnn_runs_new_pin").input("2468").run()
    at.button(key="cnn_runs_set_pin").click().run()
    assert not at.exception, at.exception
    assert classdb.has_pin(NAME) and classdb.check_pin(NAME, "2468")
    assert _listed(at), "the session that set the PIN keeps its list"
    assert "cnn_runs_new_pin" not in [w.key for w in at.text_input]

    other = _session()  # another browser typing the same name
    assert not _listed(other) and "cnn_runs_open" not in [b.key for b in other.button]
    assert 'The runs of "たろう" are protected by a PIN' in texts(other)
    other.text_input(key="cnn_runs_pin").input("1357").run()
    assert "Wrong PIN." in " ".join(e.value for e in other.error)
    assert not _listed(other)
    other.text_input(key="cnn_runs_pin").input("2468").run()
    assert not other.exception, other.exception
    assert _listed(other) and other.selectbox(key="cnn_runs_pick").value == run_id
    assert "PIN accepted" in texts(other)

    assert classdb.reset_pin(NAME)  # the teacher's reset: the runs are open again, nothing lost
    other.run()
    assert _listed(other)
    classdb.set_pin(NAME, "9999")  # someone else sets a new PIN: the old proof no longer counts
    other.run()
    assert not _listed(other)


def test_training_under_a_locked_name_is_saved_all_the_same(store):
    classdb.set_pin(NAME, "2468")
    at = _session()
    assert not _listed(at)
    at.radio(key="cnn_channels").set_value("8/16").run()
    at.button(key="cnn_train").click().run()
    job = at.session_state["_jobs"]["cnn"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    (saved,) = runs.list_runs("cnn", NAME)
    assert saved.state == "done" and saved.epochs_done == 1
    at.run()
    assert not at.exception and not _listed(at), "saved, and still behind the PIN"


def test_wrong_pins_slow_the_session_down():
    assert [saved_runs.pause_after(n) for n in range(7)] == [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
