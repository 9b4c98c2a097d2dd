"""The Hyperparameters page's "Data" choice: a queue on Fashion-MNIST trains on clothes, names its runs so,
keeps its data in each run's settings and checkpoint, stays off the class board (whose chart compares
digits), and its train.py fetches Fashion-MNIST; the choice is fixed while the queue runs."""

from __future__ import annotations

import os
from dataclasses import asdict

import pytest

from core import image_data, run_export
from tests.apptest import open_page, texts
from ui.panels import hyperparams as panels

PAGE = "app_pages/hyperparams.py"


@pytest.fixture
def fashion():
    """The real Fashion-MNIST (Debian's dataset-fashion-mnist; .ci/run installs it)."""
    if image_data.available()["fashion"] is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Fashion-MNIST must be installed in CI (apt-get install dataset-fashion-mnist)")
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


def test_a_queue_on_fashion_mnist(fashion):
    at = open_page(PAGE, "ja")
    assert at.radio(key="hyperparams_data").value == "mnist"  # MNIST stays the default
    at.radio(key="hyperparams_data").set_value("fashion").run()
    assert not at.exception, at.exception
    at.button(key="hyperparams_preset_epochs").click().run()
    # the training sizes offered are the Fashion subset's (test mode: 300 images)
    assert at.select_slider(key="hyperparams_train_size").options[-1] == "300"
    at.button(key="hyperparams_train").click().run()
    assert not at.exception, at.exception
    assert at.radio(key="hyperparams_data").disabled, "a queue's runs share one data set"
    job = at.session_state["_jobs"]["hyperparams"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception
    runs = at.session_state["hyperparams_history"]
    assert [r.spec.settings.dataset for r in runs] == ["fashion", "fashion"]
    assert list(at.dataframe[0].value["実験"])[0].endswith("· Fashion-MNIST")
    # the queue saw clothes: its training pool is Fashion-MNIST's (300 images, 10 classes)
    q = at.session_state["hyperparams_queue"]
    assert len(q.data.x_train) == 300 and len(set(q.data.y_train.tolist())) == 10
    # not offered to the class board: its chart compares digits with digits
    assert "hp_submit_run" not in [box.key for box in at.selectbox]
    assert "クラスボードに出せるのは MNIST の実験だけです" in texts(at)
    # "keep the best model": the checkpoint says what it learned from
    assert any(".pth" in d.proto.label for d in at.get("download_button"))
    assert panels.provenance("fashion")["name"] == "fashion"
    assert panels.provenance("mnist")["name"] != "fashion"
    # the comparison's train.py reads Fashion-MNIST with torchvision (no data.npz of digits)
    saved = [{**asdict(r.spec.settings), "run_id": r.run_id, "varied": list(r.spec.varied)} for r in runs]
    script = run_export.train_script("hyperparams", {"queue": saved})
    assert "FASHION = True" in script and "load_fashion(args.download) if FASHION" in script
    assert "def load_fashion" in script
    compile(script, "train.py", "exec")  # the filled-in template is Python
    digits = run_export.train_script("hyperparams", {"queue": [{**saved[0], "dataset": "mnist"}]})
    assert "FASHION = False" in digits and "DATA = " in digits


def test_the_choice_is_there_in_english_and_mnist_trains_as_before():
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    assert "Data" in [r.label for r in at.radio]
    assert "MNIST (handwritten digits)" in texts(at) or at.radio(key="hyperparams_data").options[0]
