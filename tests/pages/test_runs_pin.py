"""AppTest of the PIN on a name's saved runs: a name with a PIN lists nothing until this session types
the right PIN (a wrong one is refused, and counted for the name across sessions); a PIN has at least 6
characters; a name whose runs someone else saved cannot be given a PIN; another session must prove it
again, and after a reset the runs are open once more; training under a locked name waits in the session
until the PIN is typed, and then it is saved."""

from __future__ import annotations

import pytest

from core import classdb, runs
from tests.apptest import open_page, sign_in, texts

PAGE = "app_pages/cnn.py"
NAME = "たろう"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    return tmp_path


def _old_run(name: str = NAME) -> str:
    """A run saved the way every run was saved before PINs existed."""
    writer = runs.RunWriter("cnn", name, {"epochs": 1})
    assert writer.save(None, state="done", epochs_done=1, metrics={"val_acc": 0.9})
    return writer.run_id


def _session(name: str = NAME, lang: str = "en"):
    at = open_page(PAGE, lang)
    sign_in(at, name)  # what a student types in the sidebar
    at.run()
    assert not at.exception, at.exception
    return at


def _listed(at) -> bool:
    return "cnn_runs_pick" in [s.key for s in at.selectbox]


def _train(at):
    at.radio(key="cnn_channels").set_value("8/16").run()
    at.button(key="cnn_train").click().run()
    job = at.session_state["_jobs"]["cnn"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    return job


def test_a_pin_hides_the_list_until_the_right_pin_is_typed(store):
    at = _session()
    _train(at)  # this session saves a run under the name: it may give the name a PIN
    at.run()
    (run,) = runs.list_runs("cnn", NAME)
    assert _listed(at) and at.selectbox(key="cnn_runs_pick").value == run.run_id
    assert "anyone who types" in texts(at)  # the offer of a PIN

    at.text_input(key="cnn_runs_new_pin").input("2468").run()
    at.button(key="cnn_runs_set_pin").click().run()
    assert "A PIN has 6 to 32 characters" in " ".join(e.value for e in at.error)
    assert not classdb.has_pin(NAME)
    at.text_input(key="cnn_runs_new_pin").input("246813").run()
    at.button(key="cnn_runs_set_pin").click().run()
    assert not at.exception, at.exception
    assert classdb.has_pin(NAME) and classdb.check_pin(NAME, "246813")
    assert _listed(at), "the session that set the PIN keeps its list"
    assert "cnn_runs_new_pin" not in [w.key for w in at.text_input]

    other = _session()  # another browser typing the same name
    assert not _listed(other) and "cnn_runs_open" not in [b.key for b in other.button]
    assert 'The runs of "たろう" are protected by a PIN' in texts(other)
    other.text_input(key="cnn_runs_pin").input("135790").run()
    assert "Wrong PIN." in " ".join(e.value for e in other.error)
    assert not _listed(other)
    other.text_input(key="cnn_runs_pin").input("246813").run()
    assert not other.exception, other.exception
    assert _listed(other) and other.selectbox(key="cnn_runs_pick").value == run.run_id
    assert "PIN accepted" in texts(other)

    assert classdb.reset_pin(NAME)  # the teacher's reset: the runs are open again, nothing lost
    other.run()
    assert _listed(other)
    classdb.set_pin(NAME, "999999")  # someone else sets a new PIN: the old proof no longer counts
    other.run()
    assert not _listed(other)


def test_nobody_can_put_a_pin_on_a_classmates_runs(store):
    _old_run()  # saved by the classmate, in another browser
    at = _session(lang="ja")
    assert _listed(at), "a name without a PIN lists its runs, as before"
    assert "cnn_runs_new_pin" not in [w.key for w in at.text_input]
    assert "PIN を決められるのは、このブラウザでこの名前の学習を保存したときだけです" in texts(at)
    assert "cnn_runs_set_pin" not in [b.key for b in at.button]


def test_wrong_pins_count_for_the_name_not_the_session(store, monkeypatch):
    """Reloading (a new session) starts nothing over: after the free tries the name waits, for every
    browser, and says so in the student's language."""
    monkeypatch.setattr(classdb, "now", lambda: 1_000_000.0)  # the wait does not run out mid-test
    classdb.set_pin(NAME, "246813")
    _old_run()
    for k in range(classdb.FREE_TRIES):
        at = _session()  # a reload before every try
        at.text_input(key="cnn_runs_pin").input(f"00000{k}").run()
        assert "Wrong PIN." in " ".join(e.value for e in at.error)
    at = _session(lang="ja")
    at.text_input(key="cnn_runs_pin").input("000009").run()
    wait = int(classdb.pause_after(classdb.FREE_TRIES + 1))
    assert f"この名前は {wait} 秒たつまで次の PIN を受け付けません" in " ".join(e.value for e in at.error)
    again = _session(lang="ja")
    assert "PIN の間違いが続いたため" in texts(again), "a new session sees the wait too"
    again.text_input(key="cnn_runs_pin").input("246813").run()
    assert "PIN の間違いが続いたため" in " ".join(e.value for e in again.error)
    assert not _listed(again), "while the name waits, even the right PIN is not checked"


def test_training_under_a_locked_name_waits_until_the_pin_is_typed(store):
    classdb.set_pin(NAME, "246813")
    at = _session()
    assert not _listed(at)
    job = _train(at)
    at.run()
    assert runs.list_runs("cnn", NAME) == [] and not any(runs.runs_dir().glob("cnn_*"))
    assert job.saver.waiting and "This run is not saved yet" in texts(at)
    assert "This name has a PIN, so your run is not saved yet" in " ".join(
        w.value for w in at.sidebar.warning
    )

    at.text_input(key="cnn_runs_pin").input("246813").run()  # the owner types the PIN
    at.run()
    assert not at.exception, at.exception
    (saved,) = runs.list_runs("cnn", NAME)
    assert saved.state == "done" and saved.epochs_done == 1 and not job.saver.waiting
    assert _listed(at) and at.selectbox(key="cnn_runs_pick").value == saved.run_id
