"""Bad input through the pages (AppTest): a clear message in the user's language, no exception,
and the model in use stays usable. Core-level cases: tests/core/test_bad_input.py."""

from __future__ import annotations

import io
import os
import pickle
from unittest import mock

import numpy as np
import pytest
import torch
from PIL import Image

from tests.apptest import open_page, texts
from tests.core.test_bad_input import _bomb_png, _disc, _seven

CNN = "app_pages/cnn.py"


class _Canvas:
    """Stands in for ui.canvas.draw; `image` can change between reruns."""

    def __init__(self):
        self.image: np.ndarray | None = None

    def __call__(self, *args, **kwargs):
        return self.image


def _warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


def _predictions(at) -> list[str]:
    return [m.value for m in at.metric if m.label in ("Prediction", "予測")]


@pytest.mark.parametrize(
    "lang, dot, full",
    [
        ("en", "only a dot", "Almost everything is ink"),
        ("ja", "点（またはとても小さな印）", "ほぼ全体が塗りつぶされて"),
    ],
)
def test_cnn_canvas_dot_and_filled_get_a_message_not_a_guess(lang, dot, full):
    canvas = _Canvas()
    with mock.patch("ui.canvas.draw", canvas):
        at = open_page(CNN, lang)
        canvas.image = _disc(9)  # one touch of an 18-px pen
        at.run()
        assert not at.exception, at.exception
        assert dot in _warnings(at) and not _predictions(at)
        canvas.image = np.full((280, 280), 255, np.uint8)
        at.run()
        assert not at.exception, at.exception
        assert full in _warnings(at) and not _predictions(at)
        canvas.image = _seven()
        at.run()
        assert not at.exception and _predictions(at), "a real digit is still read"


def _png(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **kw)
    return buf.getvalue()


def test_cnn_image_uploads_bomb_animated_16bit_alpha():
    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(CNN, "en")
        up = at.file_uploader(key="cnn_upload")
        up.upload("bomb.png", _bomb_png(20_000), "image/png").run()
        assert not at.exception, at.exception
        assert "too many pixels" in " ".join(e.value for e in at.error)
        seven = Image.fromarray(_seven(200))
        cases = {
            "anim.png": _png(seven, save_all=True, append_images=[Image.new("L", (200, 200))], duration=100),
            "deep.png": _png(Image.fromarray(_seven(200).astype(np.uint16) * 257)),
            "alpha.png": _png(
                Image.fromarray(np.dstack([np.zeros((200, 200, 3), np.uint8), _seven(200)]), "RGBA")
            ),
        }
        for name, data in cases.items():
            at.file_uploader(key="cnn_upload").upload(name, data, "image/png").run()
            assert not at.exception, (name, at.exception)
            assert len(_predictions(at)) == 1 and not at.error, name


class _Payload:
    def __reduce__(self):
        return (os.system, ("touch pwned-marker",))


def _saved(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_cnn_checkpoint_uploads_refused_and_the_good_model_kept(tmp_path, monkeypatch):
    from core.models.cnn import MNISTCNN
    from core.models.vae import ConvVAE

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    good = MNISTCNN()
    sd = good.state_dict()
    nan_sd = {k: v.clone() for k, v in sd.items()}
    nan_sd["layer1.0.bias"][0] = float("nan")
    bomb_sd = dict(sd)
    bomb_sd["layer3.1.weight"] = torch.empty(1).expand(*sd["layer3.1.weight"].shape)
    bad = {  # file name → (bytes, words of the English message)
        "code.pth": (_saved({"x": _Payload()}), "cannot be loaded safely"),
        "raw_pickle.pth": (pickle.dumps(_Payload()), "not a checkpoint"),
        "whole_model.pth": (_saved(good), "cannot be loaded safely"),
        "vae.pth": (
            __import__("core.checkpoints", fromlist=["to_bytes"]).to_bytes(ConvVAE(), {}),
            "another kind",
        ),
        "nan.pth": (_saved(nan_sd), "NaN"),
        "bomb.pth": (_saved(bomb_sd), "claims more memory"),
        "empty.pth": (b"", "empty"),
        "cut.pth": (_saved(sd)[:5000], "damaged or cut short"),
    }
    with mock.patch("ui.canvas.draw", return_value=_seven()):
        at = open_page(CNN, "en")
        at.file_uploader(key="cnn_ckpt_upload").upload(
            "good.pth", _saved(sd), "application/octet-stream"
        ).run()
        assert not at.exception and "Uploaded" in at.radio(key="cnn_model_choice").options
        at.radio(key="cnn_model_choice").set_value("uploaded").run()
        first = _predictions(at)
        assert len(first) == 1
        for name, (data, words) in bad.items():
            at.file_uploader(key="cnn_ckpt_upload").upload(name, data, "application/octet-stream").run()
            assert not at.exception, (name, at.exception)
            errors = " ".join(e.value for e in at.error)
            assert words in errors, (name, errors)
            assert at.radio(key="cnn_model_choice").value == "uploaded", name  # the good upload is kept
            assert _predictions(at) == first, name
        assert not (tmp_path / "pwned-marker").exists()


def test_widgets_bound_the_training_settings():
    """The pages cannot even ask for lr 10, 0 epochs or batch 0: core's TrainError is the second line."""
    from core import experiments as ex

    with mock.patch("ui.canvas.draw", return_value=None):
        at = open_page(CNN, "en")
    assert at.slider(key="cnn_epochs").min >= 1
    assert max(float(v) for v in at.select_slider(key="cnn_lr").options) <= 1.0
    assert min(int(v) for v in at.select_slider(key="cnn_batch").options) >= 1
    assert (
        max(ex.CHOICES["lr"]) <= 1.0 and min(ex.CHOICES["epochs"]) >= 1 and min(ex.CHOICES["batch_size"]) >= 1
    )


def test_vae_canvas_dot_and_filled():
    canvas = _Canvas()
    with mock.patch("ui.canvas.draw", canvas):
        at = open_page("app_pages/vae.py", "en")
        if "vae_canvas" not in str([getattr(c, "key", "") for c in at.get("flex_container")]) and not any(
            b.key == "vae_clear" for b in at.button
        ):
            pytest.skip("no shipped VAE: the drawing panel is not shown")
        canvas.image = _disc(9)
        at.run()
        assert not at.exception, at.exception
        assert "only a dot" in _warnings(at)
        canvas.image = np.full((280, 280), 255, np.uint8)
        at.run()
        assert not at.exception and "Almost everything is ink" in _warnings(at)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_tensors_text_where_numbers_belong(lang):
    at = open_page("app_pages/tensors.py", lang)
    at.selectbox(key="tensors_kind").set_value("zeros").run()
    at.text_input(key="tensors_shape").set_value("two, three").run()
    assert not at.exception, at.exception
    assert at.warning or at.error, texts(at)
    at.text_input(key="tensors_reshape").set_value("abc").run()
    assert not at.exception, at.exception
