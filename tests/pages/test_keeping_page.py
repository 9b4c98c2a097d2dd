"""AppTest of the Keeping-a-model page: both languages, the inside of a shipped .pth and of a student's own
saved run, each load error's real message and fix, the resume comparison, an export with its download, and
the CPU-only timing."""

import pytest

from core import runs
from core.models.mlp import MLP
from tests.apptest import open_page, sign_in, texts

PAGE = "app_pages/keeping.py"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_page_opens_on_a_shipped_checkpoints_table_and_every_button_works(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.selectbox(key="keeping_file").value == "shipped:cnn_mnist.pth"  # the course's CNN
    table = at.main.dataframe[0].value
    assert len(table) > 0 and table.iloc[0, 0].endswith(".weight")
    for kind, expected in (
        ("keys", "Missing key(s)"),
        ("size", "size mismatch"),
        ("pickled", "Weights only"),
    ):
        at.button(key=f"keeping_err_{kind}").click().run()
        assert not at.exception, at.exception
        assert any(expected in c.value for c in at.code), kind
        assert at.success, kind  # the fix, with the difference it leaves
    at.button(key="keeping_resume").click().run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart") and ("倍" if lang == "ja" else "times") in texts(at)
    at.button(key="keeping_time").click().run()
    assert not at.exception, at.exception
    assert any(m.label == "CPU" for m in at.metric)
    at.toggle(key="keeping_show_code").set_value(True).run()
    assert any("torch.export.export" in c.value for c in at.code)


def test_a_students_saved_run_opens_and_exports_to_a_download(tmp_path):
    writer = runs.RunWriter("xor", "Hanako", {"lr": 0.05})
    assert writer.save(MLP(hidden=(3,), activation="tanh"), state="done", epochs_done=5)
    at = open_page(PAGE, "en")
    sign_in(at, "Hanako")
    at.run()
    choice = f"run:{writer.run_id}"
    at.selectbox(key="keeping_file").set_value(choice).run()
    assert not at.exception, at.exception
    assert list(at.main.dataframe[0].value.iloc[:, 0]) == [
        "net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias",
    ]  # fmt: skip
    at.selectbox(key="keeping_export_model").set_value(choice).run()
    at.button(key="keeping_export").click().run()
    assert not at.exception, at.exception
    assert any("largest difference" in s.value for s in at.success)
    assert at.get("download_button")


def test_a_run_whose_file_is_broken_is_explained_not_raised():
    writer = runs.RunWriter("xor", "Taro", {"lr": 0.05})
    assert writer.save(MLP(), state="done", epochs_done=1)
    (writer.path / runs.MODEL_FILE).write_bytes(b"PK\x03\x04 cut short")
    at = open_page(PAGE, "ja")
    sign_in(at, "Taro")
    at.run()
    at.selectbox(key="keeping_file").set_value(f"run:{writer.run_id}").run()
    assert not at.exception, at.exception
    assert any("開けませんでした" in w.value for w in at.warning)  # in words, not a traceback
    assert f"run:{writer.run_id}" not in at.selectbox(key="keeping_export_model").options
