"""The CNN page's "Data" choice: a tiny run on Fashion-MNIST is saved with its data set, kept out of the
drawing tabs, and reopens with the choice set back."""

from __future__ import annotations

import os

import pytest

from core import image_data, runs
from tests.apptest import open_page, sign_in, texts

PAGE = "app_pages/cnn.py"
NAME = "はなこ"


@pytest.fixture
def fashion(tmp_path, monkeypatch):
    """The real Fashion-MNIST (Debian's dataset-fashion-mnist; .ci/run installs it), runs in tmp_path."""
    if image_data.available()["fashion"] is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Fashion-MNIST must be installed in CI (apt-get install dataset-fashion-mnist)")
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))


def test_a_fashion_run_is_trained_saved_and_reopened(fashion):
    at = open_page(PAGE, "ja")
    sign_in(at, NAME)
    at.run()
    assert at.radio(key="cnn_data").value == "mnist"  # MNIST stays the default
    at.radio(key="cnn_data").set_value("fashion")
    at.radio(key="cnn_channels").set_value("8/16")
    at.slider(key="cnn_epochs").set_value(1)
    at.run()
    assert not at.exception, at.exception
    assert "ここで読めるのは数字だけです" in texts(at)  # the canvas says what it reads
    at.button(key="cnn_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["cnn"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    run = at.session_state["cnn_run"]
    assert run["cfg"].dataset == "fashion"
    assert at.select_slider(key="cnn_train_size").options[-1] == "300"  # the tiny Fashion subset's size
    at.run()
    assert not at.exception, at.exception
    assert "session" not in at.radio(key="cnn_model_choice").options  # a model of clothes reads no digits
    assert "Fashion-MNIST で学習したモデルです" in texts(at)

    (saved,) = runs.list_runs("cnn", NAME)
    fresh = open_page(PAGE, "en")
    sign_in(fresh, NAME)
    fresh.run()
    fresh.button(key="cnn_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    assert fresh.session_state["cnn_run"]["cfg"].dataset == "fashion"
    assert fresh.radio(key="cnn_data").value == "fashion"
    assert saved.run_id in fresh.selectbox(key="cnn_runs_pick").value
