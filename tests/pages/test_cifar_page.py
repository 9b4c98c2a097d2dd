"""AppTest of the image-classification guide page: both languages render with Train on the first tab and the
data set named; with CIFAR-10 absent the page says so and uses Fashion-MNIST; with no data set at all it says
so in words; a tiny run trains and the Evaluate tab shows its confusion matrix and confused images."""

from __future__ import annotations

import pytest

from core import image_data
from tests.apptest import open_page, sign_in, texts

PAGE = "app_pages/cifar.py"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders_in_both_languages(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert "cifar." not in body  # no raw string key
    assert ("画像分類ガイド" in body) if lang == "ja" else ("Image classification (CIFAR-10)" in body)
    assert (
        at.radio(key="cifar_model").value == "simple" and at.select_slider(key="cifar_batch_size").value == 32
    )
    assert not at.button(key="cifar_train").disabled
    assert any("(1, 28, 28)" in m.value or "(3, 32, 32)" in m.value for m in at.markdown)  # the data tab


def test_without_cifar10_the_page_uses_fashion_mnist_and_says_how_to_add_it(monkeypatch):
    real = image_data.available()
    monkeypatch.setattr(image_data, "available", lambda root=None: {**real, "cifar10": "no_files"})
    at = open_page(PAGE, "ja")
    assert not at.exception, at.exception
    assert at.selectbox(key="cifar_dataset").value == "fashion"
    assert "cifar10" not in at.selectbox(key="cifar_dataset").options
    body = texts(at)
    assert "CIFAR-10 がこのサーバーにないので" in body and "python -m core.cli data download cifar10" in body


def test_a_data_set_that_cannot_be_read_or_none_at_all_is_said_in_words(monkeypatch):
    def broken(name, root=None, limit=None):
        raise image_data.DataUnavailable(name, "files_invalid", "damaged in the test")

    monkeypatch.setattr(image_data, "load", broken)
    at = open_page(PAGE, "ja")
    assert not at.exception, at.exception
    assert any("ファイルが壊れているか" in e.value for e in at.error)
    assert at.button(key="cifar_train").disabled
    monkeypatch.setattr(
        image_data, "available", lambda root=None: dict.fromkeys(image_data.DATASETS, "no_files")
    )
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    assert any("No data set can be used" in e.value for e in at.error)


def test_a_tiny_run_trains_and_the_evaluate_tab_shows_a_confusion_cells_images():
    at = open_page(PAGE, "en")
    sign_in(at, "cifar")
    at.run()
    if at.selectbox(key="cifar_dataset").value != "fashion":  # CIFAR-10 is the default where it is
        at.selectbox(key="cifar_dataset").set_value("fashion").run()
    at.checkbox(key="cifar_flip").check().run()
    at.button(key="cifar_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["cifar"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    epochs = [r for r in job.epochs_log if r["kind"] == "epoch"]
    assert len(epochs) == 1 and 0 <= epochs[0]["test_acc"] <= 1
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="cifar_eval_model").value == "session"
    at.selectbox(key="cifar_true").set_value(0)
    at.selectbox(key="cifar_pred").set_value(0).run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("##### T-shirt/top recognised correctly") for m in at.markdown)
    at.toggle(key="cifar_show_code").set_value(True).run()
    code = next(c.value for c in at.main.code if "DATASET_NAME" in c.value)
    assert "class SimpleCNN" in code, code[:300]
    assert "DATASET_NAME = 'fashion'" in code and "FLIP = True" in code, code[code.index("DATASET_NAME =") :][
        :400
    ]


def test_a_faq_case_runs_its_symptom_then_its_cure():
    at = open_page(PAGE, "ja")
    at.radio(key="cifar_faq_pick").set_value("batch").run()
    at.button(key="cifar_faq_run").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["cifar_faq"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    assert {r["run"] for r in job.epochs_log} == {"symptom", "cure"}
    at.run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "症状：学習の正解率" in body and "対策：学習の正解率" in body
