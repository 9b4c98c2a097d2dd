"""The server shortens Python's GIL turns so its event loop is not starved by page reruns (convoy effect)."""

from __future__ import annotations

import sys

import pytest

from tests.apptest import open_page
from ui import resources


@pytest.fixture
def restore_interval():
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.mark.parametrize(("env", "expected_ms"), [(None, 0.5), ("2", 2.0), ("0.25", 0.25), ("abc", 0.5),
                                                  ("0", 0.5), ("1e9", 0.5), ("nan", 0.5)])  # fmt: skip
def test_gil_turn_is_short_unless_configured(monkeypatch, restore_interval, env, expected_ms):
    sys.setswitchinterval(0.005)  # Python's default
    if env is None:
        monkeypatch.delenv("LAB_SWITCH_INTERVAL_MS", raising=False)
    else:
        monkeypatch.setenv("LAB_SWITCH_INTERVAL_MS", env)
    assert resources.shorten_gil_turns() == pytest.approx(expected_ms)
    assert sys.getswitchinterval() == pytest.approx(expected_ms / 1000)


def test_the_app_shortens_gil_turns_when_it_starts(monkeypatch, restore_interval):
    monkeypatch.delenv("LAB_SWITCH_INTERVAL_MS", raising=False)
    sys.setswitchinterval(0.005)
    at = open_page()
    assert not at.exception
    assert sys.getswitchinterval() == pytest.approx(resources.SWITCH_INTERVAL_MS / 1000)
