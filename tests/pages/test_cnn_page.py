"""AppTest of the CNN page: both languages render; a (mocked) canvas drawing is read; several digits in one
drawing or upload are read one by one; uploads of good and bad files get a prediction or a clear message in
the page's language; a tiny training run becomes a usable model; bad .pth refused."""

from __future__ import annotations

import io
import re
from unittest import mock

import numpy as np
import pytest
from PIL import Image

from core.data import load_mnist
from tests.apptest import open_page, texts

PAGE = "app_pages/cnn.py"


def _digit_canvas(index: int = 0) -> tuple[np.ndarray, int]:
    """A test digit drawn large and off-centre on a 280x280 black canvas, as the canvas returns it."""
    split = load_mnist()
    a = (split.x_test[index, 0].numpy() * 255).astype(np.uint8)
    big = np.asarray(Image.fromarray(a).resize((168, 168), Image.Resampling.BILINEAR))
    canvas = np.zeros((280, 280), dtype=np.uint8)
    canvas[20:188, 90:258] = big
    return canvas, int(split.y_test[index])


def _shipped_present() -> bool:
    from core.checkpoints import SHIPPED_DIR

    return (SHIPPED_DIR / "cnn_mnist.pth").is_file()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders_blank_prompt(lang):
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert ("手書き数字" in body) if lang == "ja" else ("handwritten digits" in body)
    if _shipped_present():
        assert ("キャンバスはまだ空" in body) if lang == "ja" else ("canvas is empty" in body)
        assert not at.metric or all(m.label != ("予測" if lang == "ja" else "Prediction") for m in at.metric)
    for key in ("cnn_train", "cnn_stop", "cnn_stroke", "cnn_clear", "cnn_upload", "cnn_epochs"):
        assert at.get_by_key(key) is not None if hasattr(at, "get_by_key") else True


@pytest.mark.skipif(not _shipped_present(), reason="checkpoints/cnn_mnist.pth not trained yet")
def test_drawn_digit_is_read():
    canvas, label = _digit_canvas(3)
    with mock.patch("ui.canvas.draw", return_value=canvas):
        at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    preds = [m.value for m in at.metric if m.label == "Prediction"]
    assert preds == [str(label)]
    captions = " ".join(img.caption for el in at.get("image") for img in el.proto.imgs)
    assert "Cropped to the ink" in captions
    at.radio(key="cnn_inside_source").set_value("draw").run()  # look inside the drawing
    assert not at.exception, at.exception
    captions = " ".join(img.caption for el in at.get("image") for img in el.proto.imgs)
    assert "kernels of conv1" in captions and "Occlusion" in captions


def _three_digits(indices=(24, 10, 3)) -> tuple[np.ndarray, list[int]]:
    """Test digits 2, 5 and 8 side by side on the 280x280 canvas (framed as one, they read as a 7)."""
    split = load_mnist()
    canvas = np.zeros((280, 280), dtype=np.uint8)
    for k, i in enumerate(indices):
        a = (split.x_test[i, 0].numpy() * 255).astype(np.uint8)
        canvas[90:174, 8 + 92 * k : 92 + 92 * k] = np.asarray(
            Image.fromarray(a).resize((84, 84), Image.Resampling.BILINEAR)
        )
    return canvas, [int(split.y_test[i]) for i in indices]


def _part_readings(at) -> list[str]:
    """The digits read one by one, from the captions "2（98%）" / "2 (98%)" of their row, left to right."""
    captions = [img.caption for el in at.get("image") for img in el.proto.imgs]
    return [m[1] for c in captions if (m := re.fullmatch(r"(\d)(?:（| \()\d+%(?:）|\))", c))]


@pytest.mark.skipif(not _shipped_present(), reason="checkpoints/cnn_mnist.pth not trained yet")
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_several_drawn_digits_are_read_one_by_one(lang):
    canvas, labels = _three_digits()
    assert labels == [2, 5, 8]
    with mock.patch("ui.canvas.draw", return_value=canvas):
        at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert not [m for m in at.metric if m.label in ("予測", "Prediction")]  # no single confident answer
    said = " ".join(i.value for i in at.info)
    assert ("3 個" in said and "2 5 8" in said) if lang == "ja" else ("3 digits" in said and "2 5 8" in said)
    assert _part_readings(at) == ["2", "5", "8"]
    captions = " ".join(img.caption for el in at.get("image") for img in el.proto.imgs)
    assert ("赤枠＝1 つずつ読んだ数字" in captions) if lang == "ja" else ("each digit read" in captions)


@pytest.mark.skipif(not _shipped_present(), reason="checkpoints/cnn_mnist.pth not trained yet")
def test_uploaded_photo_of_three_digits_is_read_one_by_one():
    canvas, _ = _three_digits()
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(PAGE, "ja")
        _upload(at, "258.png", _png(255 - canvas))  # dark ink on paper
    assert not at.exception, at.exception
    assert not [m for m in at.metric if m.label == "予測"]
    assert "2 5 8" in " ".join(i.value for i in at.info)


def test_non_image_upload_is_refused_in_japanese():
    """Any file reaches the page (no type= filter, whose refusal is Streamlit's English) and gets the
    page's own message; the label names the allowed types and the size limit."""
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(PAGE, "ja")
        uploader = at.file_uploader(key="cnn_upload")
        assert "PNG" in uploader.label and "10 MB まで" in uploader.label
        assert not uploader.proto.type, "a type= filter would refuse files in the browser, in English"
        _upload(at, "lesson.py", b"print('hello')\n", "text/x-python")
    assert not at.exception, at.exception
    assert "画像として読めません" in " ".join(e.value for e in at.error)


def test_show_code_is_valid_python_with_current_settings():
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(PAGE, "en")
        at.select_slider(key="cnn_lr").set_value(0.01)
        at.radio(key="cnn_channels").set_value("32/64")
        at.toggle(key="cnn_show_code").set_value(True).run()
    assert not at.exception, at.exception
    code = at.main.code[0].value
    compile(code, "mnist_cnn.py", "exec")
    # the run zip's train.py: the Train tab's settings are its constants
    assert "LR = 0.01" in code and "C1 = 32" in code and "C2 = 64" in code
    assert "nn.Conv2d(C1, C2, 3, 1)" in code and "nn.Linear(C2 * 5 * 5" in code


def _upload(at, name: str, data: bytes, mime: str = "image/png"):
    at.file_uploader(key="cnn_upload").upload(name, data, mime).run()  # type: ignore[attr-defined]
    return at


def _png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.skipif(not _shipped_present(), reason="checkpoints/cnn_mnist.pth not trained yet")
def test_upload_dark_on_light_and_bad_files():
    canvas, label = _digit_canvas(5)
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(PAGE, "en")
        uploader = at.file_uploader(key="cnn_upload")
        if not hasattr(uploader, "upload"):
            pytest.skip("this Streamlit's AppTest cannot upload files")
        uploader.upload("paper.png", _png(255 - canvas), "image/png").run()
        assert not at.exception, at.exception
        assert [m.value for m in at.metric if m.label == "Prediction"] == [str(label)]
        at.file_uploader(key="cnn_upload").upload("notes.png", b"this is not an image", "image/png").run()
        assert not at.exception
        assert "cannot be read as an image" in " ".join(e.value for e in at.error)
        at.file_uploader(key="cnn_upload").upload("empty.png", b"", "image/png").run()
        assert not at.exception
        assert "empty" in " ".join(e.value for e in at.error)


def test_tiny_training_run_then_use_and_bad_checkpoint():
    with mock.patch("ui.canvas.draw", return_value=_digit_canvas(0)[0]):
        at = open_page(PAGE, "en")
        at.slider(key="cnn_epochs").set_value(1)
        at.radio(key="cnn_channels").set_value("8/16")
        at.button(key="cnn_train").click().run()
        assert not at.exception, at.exception
        job = at.session_state["_jobs"]["cnn"]
        job.join(60)
        assert job.state == "done", (job.state, job.error)
        epochs = [r for r in job.epochs_log if r["kind"] == "epoch"]
        assert len(epochs) == 1 and 0.0 <= epochs[0]["val_acc"] <= 1.0
        at.run()
        assert not at.exception, at.exception
        assert "Trained in this session" in at.radio(key="cnn_model_choice").options
        at.button(key="cnn_use_session").click().run()  # "use this model": the Draw tab switches at once
        assert not at.exception, at.exception
        assert at.radio(key="cnn_model_choice").value == "session"
        assert len([m for m in at.metric if m.label == "Prediction"]) == 1
        assert at.get("download_button"), "the trained model can be downloaded"


def test_checkpoint_upload_good_course_and_bad():
    import torch

    from core.models.cnn import MNISTCNN

    buf = io.BytesIO()
    torch.save(MNISTCNN().state_dict(), buf)  # what the course's mnist_cnn.py saves
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(PAGE, "en")
        uploader = at.file_uploader(key="cnn_ckpt_upload")
        if not hasattr(uploader, "upload"):
            pytest.skip("this Streamlit's AppTest cannot upload files")
        uploader.upload("mnist_cnn.pth", buf.getvalue(), "application/octet-stream").run()
        assert not at.exception, at.exception
        assert "Uploaded" in at.radio(key="cnn_model_choice").options
        assert any("Loaded mnist_cnn.pth" in s.value for s in at.success)
        at.file_uploader(key="cnn_ckpt_upload").upload(
            "model.pth", b"\x00" * 100, "application/octet-stream"
        ).run()
        assert not at.exception, at.exception
        assert at.error, "a random .pth must be refused with a message"


def test_a_kernel_larger_than_the_input_says_it_does_not_fit():
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(PAGE, "ja")
        at.number_input(key="cnn_sb_size").set_value(3).run()
        at.number_input(key="cnn_sb_kernel").set_value(5).run()
    assert not at.exception, at.exception
    out = next(m for m in at.metric if m.label == "出力の大きさ")
    assert out.value == "—"  # the formula's -1 is no size
    assert any("カーネル（5）" in w.value and "（3）" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]
    at.number_input(key="cnn_sb_padding").set_value(1).run()  # 3 + 2 = 5: one position fits
    assert next(m for m in at.metric if m.label == "出力の大きさ").value == "1"


def _bomb(member_bytes: int) -> bytes:
    """The course's state_dict saved by torch.save, zipped again with a compressed member of zeros."""
    import zipfile

    import torch

    from core.models.cnn import MNISTCNN

    buf, out = io.BytesIO(), io.BytesIO()
    torch.save(MNISTCNN().state_dict(), buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with dst.open(src.namelist()[0].split("/")[0] + "/data/999", "w", force_zip64=True) as member:
            for _ in range(member_bytes // 2**20):
                member.write(bytes(2**20))
    return out.getvalue()


def test_a_compressed_checkpoint_that_would_inflate_is_refused_before_loading():
    bomb = _bomb(256 * 2**20)  # about 2 MB asking for 256 MB
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(PAGE, "ja")
        uploader = at.file_uploader(key="cnn_ckpt_upload")
        if not hasattr(uploader, "upload"):
            pytest.skip("this Streamlit's AppTest cannot upload files")
        with mock.patch("core.checkpoints.torch.load", side_effect=AssertionError("torch.load ran")):
            uploader.upload("model.pth", bomb, "application/octet-stream").run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("展開すると" in e and "MB" in e and "上限（20 MB）" in e for e in errors), errors
    assert "アップロードしたモデル" not in at.radio(key="cnn_model_choice").options
