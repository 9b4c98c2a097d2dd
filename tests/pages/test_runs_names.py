"""AppTest of the student's name: a Train without a name trains but saves nothing (no shared "anon"
folder) and asks for a name, and the run is saved once one is typed; the name box keeps a name cut to
its length or cleaned of control characters, and says so; a name is drawn as text, never as markdown."""

from __future__ import annotations

import re

import pytest

from core import classdb, runs
from tests.apptest import open_page, sign_in, texts
from ui import saved_runs

PAGE = "app_pages/cnn.py"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    return tmp_path


def _run_folders(root) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def _train_nameless(lang: str = "en"):
    at = open_page(PAGE, lang)
    at.radio(key="cnn_channels").set_value("8/16").run()
    at.button(key="cnn_train").click().run()
    job = at.session_state["_jobs"]["cnn"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception
    return at, job


def test_a_nameless_run_is_kept_in_the_session_asked_for_and_saved_under_the_name_typed(store):
    at, job = _train_nameless("ja")
    assert _run_folders(store) == [], "nothing saved without a name: no shared folder"
    assert job.saver.waiting
    assert "この学習はまだ保存されていません" in texts(at)  # beside the job's status
    assert "まだ保存されていない学習があります" in " ".join(w.value for w in at.sidebar.warning)
    assert "runs_name_ask" in [w.key for w in at.text_input], "a dialog asks for the name"

    at.button(key="runs_name_ask_ok").click().run()  # no name typed: said, nothing saved
    assert "名前を入れてください。" in " ".join(e.value for e in at.error)
    at.text_input(key="runs_name_ask").input(" \u202eたろう ")  # a form: typed and sent with its Save
    at.button(key="runs_name_ask_ok").click().run()
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.text_input(key=saved_runs.NAME_KEY).value == "たろう", "the box took the name"
    (saved,) = runs.list_runs("cnn", "たろう")
    assert saved.name == "たろう" and saved.state == "done" and not job.saver.waiting
    assert "runs_name_ask" not in [w.key for w in at.text_input], "asked once"
    assert at.selectbox(key="cnn_runs_pick").value == saved.run_id


def test_two_nameless_students_share_nothing(store):
    first, _ = _train_nameless()
    second, _ = _train_nameless()
    assert _run_folders(store) == []
    second.button(key="runs_name_ask_later").click().run()
    second.run()
    assert "runs_name_ask" not in [w.key for w in second.text_input], "'not now' closes the dialog"
    assert "A run is not saved yet" in " ".join(w.value for w in second.sidebar.warning), "still said"
    assert "cnn_runs_pick" not in [s.key for at in (first, second) for s in at.selectbox]
    assert "Type your name to see the runs you saved" in texts(first)


def test_two_emoji_names_get_their_own_runs(store):
    for name in ("🐱", "🐶"):
        at = open_page(PAGE, "en")
        sign_in(at, name)
        at.radio(key="cnn_channels").set_value("8/16").run()
        at.button(key="cnn_train").click().run()
        at.session_state["_jobs"]["cnn"].join(60)
    assert len(_run_folders(store)) == 2
    assert [r.name for r in runs.list_runs("cnn", "🐱")] == ["🐱"]
    assert [r.name for r in runs.list_runs("cnn", "🐶")] == ["🐶"]


@pytest.mark.parametrize(
    "typed, kept, said",
    [
        ("あ" * 60, "あ" * runs.MAX_NAME, f"はじめの {runs.MAX_NAME} 文字を使います"),
        ("\u202eたろう\u200b", "たろう", "見えない制御文字は取り除き"),
        ("ＴＡＲＯ", "TARO", "全角の英数字は半角に"),
        ("はなこ", "はなこ", ""),
    ],
)
def test_the_name_box_keeps_a_cleaned_name_and_says_what_changed(store, typed, kept, said):
    at = open_page(PAGE, "ja")
    at.sidebar.text_input(key=saved_runs.NAME_KEY).input(typed).run()
    assert not at.exception, at.exception
    assert at.sidebar.text_input(key=saved_runs.NAME_KEY).value == kept
    captions = " ".join(c.value for c in at.sidebar.caption)
    if said:
        assert said in captions
    else:
        assert "名前" not in captions, captions
    at.run()  # said while that name is in the box, and only then
    at.sidebar.text_input(key=saved_runs.NAME_KEY).input("じろう").run()
    assert said == "" or said not in " ".join(c.value for c in at.sidebar.caption)


def _unescaped(markdown: str) -> str:
    """What CommonMark shows for text whose every ASCII punctuation is escaped (and no word joiner)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


MARKDOWN_NAME = "**a** [x](h://e) :red[r] :smile: $x$ <b>"  # within MAX_NAME: shown whole


def test_a_name_is_drawn_as_text_wherever_the_panel_says_it(store):
    assert len(MARKDOWN_NAME) <= runs.MAX_NAME
    shown = saved_runs.as_text(MARKDOWN_NAME)
    assert _unescaped(shown) == MARKDOWN_NAME
    assert not re.search(r"(?<!\\)[*\[\]()<>`$#]", shown), "every markdown character escaped"
    assert ":red" not in shown and ":smile:" not in shown, "no directive or shortcode left whole"

    at = open_page(PAGE, "en")
    sign_in(at, MARKDOWN_NAME)
    at.run()
    (caption,) = [c.value for c in at.caption if "No runs saved as" in c.value]
    assert shown in caption


def test_a_nameless_comparison_is_saved_once_a_name_is_typed(store):
    """The Hyperparameters page's queue (its own saver, core.experiment_runs) waits for a name too."""
    from core import experiment_runs

    at = open_page("app_pages/hyperparams.py", "en")
    at.button(key="hyperparams_preset_channels").click().run()
    at.button(key="hyperparams_train").click().run()
    job = at.session_state["_jobs"]["hyperparams"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert _run_folders(store) == [] and "runs_name_ask" in [w.key for w in at.text_input]
    at.text_input(key="runs_name_ask").input("はなこ")
    at.button(key="runs_name_ask_ok").click().run()
    at.run()
    assert not at.exception, at.exception
    (comp,) = experiment_runs.list_comparisons("はなこ")
    assert [r.state for r in comp.runs] == ["done", "done"] and all(r.has_model for r in comp.runs)
    assert at.selectbox(key="hyperparams_runs_pick").value == comp.comparison
