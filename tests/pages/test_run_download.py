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
    classdb.set_pin(name, "9876")
    at = open_page("app_pages/xor.py", "en")
    sign_in(at, name)
    at.run()
    assert zip_buttons(at) == []
