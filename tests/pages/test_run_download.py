"""A saved run downloads as a zip from the page's saved-runs panel; a name locked by a PIN offers nothing."""

from __future__ import annotations

import pytest

from core import classdb
from tests.apptest import open_page, sign_in


def trained_xor(name: str):
    at = open_page("app_pages/xor.py", "en")
    sign_in(at, name)
    at.number_input(key="xor_epochs").set_value(30).run()
    at.button(key="xor_train").click().run()
    at.session_state["_jobs"]["xor"].join(30)
    return at.run()


def zip_buttons(at):
    return [b for b in at.get("download_button") if getattr(b, "key", "") == "xor_runs_zip"]


@pytest.mark.parametrize("name", ["ゆうき-download"])
def test_a_saved_run_offers_its_zip(name):
    at = trained_xor(name)
    assert not at.exception, at.exception
    assert len(zip_buttons(at)) == 1


def test_a_locked_name_offers_no_zip():
    name = "ゆうき-locked"
    at = trained_xor(name)
    assert len(zip_buttons(at)) == 1
    classdb.set_pin(name, "987654")
    at = open_page("app_pages/xor.py", "en")
    sign_in(at, name)
    at.run()
    assert zip_buttons(at) == []


def test_a_saved_comparison_offers_one_zip_of_its_runs_and_script(tmp_path, monkeypatch):
    """The Hyperparameters page's saved comparison downloads as one zip: every run, and a train.py that
    trains the queue again (the lesson's `download`, what the button's data makes when clicked)."""
    import io
    import zipfile

    from core import experiment_runs, runs
    from ui.lessons import hyperparams

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    name = "ゆうき-comparison"
    at = open_page("app_pages/hyperparams.py", "en")
    sign_in(at, name)
    at.run()
    assert not [b for b in at.get("download_button") if getattr(b, "key", "") == "hyperparams_runs_zip"]
    at.button(key="hyperparams_preset_channels").click().run()
    at.button(key="hyperparams_train").click().run()
    at.session_state["_jobs"]["hyperparams"].join(120)
    at.run()
    assert not at.exception, at.exception
    (button,) = [b for b in at.get("download_button") if getattr(b, "key", "") == "hyperparams_runs_zip"]
    assert button.proto.label == "Download this comparison (zip)"
    (comparison,) = experiment_runs.list_comparisons(name)
    assert at.selectbox(key="hyperparams_runs_pick").value == comparison.comparison
    # what the button's data makes when clicked: in a server thread, without this session's state
    blob = hyperparams.LESSON.download(comparison.comparison, name)
    folder = f"hyperparams_{comparison.comparison}"
    names = zipfile.ZipFile(io.BytesIO(blob)).namelist()
    assert {f"{folder}/train.py", f"{folder}/README.md", f"{folder}/data.npz"} <= set(names)
    assert sorted(n.split("/")[1] for n in names if n.endswith("/run.json")) == sorted(
        r.run_id for r in comparison.runs
    )
    with pytest.raises(runs.RunError):  # another student's name does not reach this comparison
        hyperparams.LESSON.download(comparison.comparison, "ほかの人")
