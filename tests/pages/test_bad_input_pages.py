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


BAD_LINK_VALUES = ["inf", "nan", "-inf", "1e999", "9" * 5000]


@pytest.fixture(scope="module")
def xor_defaults() -> dict:
    at = _open_link("app_pages/xor.py", {})
    return {
        "xor_epochs": at.number_input(key="xor_epochs").value,
        "xor_lr": at.select_slider(key="xor_lr").value,
    }


@pytest.mark.parametrize("key", ["xor_epochs", "xor_lr"])  # an integer box, a slider of floats
@pytest.mark.parametrize("value", BAD_LINK_VALUES, ids=["inf", "nan", "-inf", "1e999", "5000-digits"])
def test_a_lesson_link_value_no_widget_can_hold_is_dropped_with_a_note(key, value, xor_defaults):
    """`xor_epochs=inf` used to replace the page with an English OverflowError on every reload."""
    from ui import links

    at = _open_link("app_pages/xor.py", {key: value, "xor_seed": "7"})
    assert not at.exception, at.exception
    assert key not in at.query_params  # out of the URL: a reload or a shared link is clean again
    shown = value if len(value) <= links.MAX_TEXT else value[: links.MAX_TEXT] + "…"
    assert f"リンクの {key}={shown} は使えない値なので無視しました" in _notes(at)
    widget = at.number_input(key=key) if key == "xor_epochs" else at.select_slider(key=key)
    assert widget.value == xor_defaults[key]  # as if the link had not named it
    assert at.number_input(key="xor_seed").value == 7  # the rest of the link is used
    at.run()
    assert not at.exception and not _notes(at)  # said once


@pytest.mark.parametrize("lang, note", [("ja", "0 にしました"), ("en", "so 0 is used")])
def test_a_link_number_outside_its_range_shows_the_number_in_use(lang, note):
    """`xor_seed=-5`: the box shows 0, the number the note says and training uses, and so does the URL."""
    at = _open_link("app_pages/xor.py", {"xor_seed": "-5", "lang": lang})
    assert not at.exception, at.exception
    assert at.number_input(key="xor_seed").value == 0
    assert at.query_params["xor_seed"] in ("0", ["0"])
    assert note in _notes(at) and "xor_seed=-5" in _notes(at)
    assert not any("xor_seed" in w.value for w in at.warning)  # once, at the top, not also under the box


def test_link_notes_are_at_the_top_of_the_page_and_plain_text():
    """Above the page's title, where a student looks first; a link's value is shown as typed, so
    `[先生の課題](http://x)` is no clickable link in anyone's note."""
    at = _open_link("app_pages/xor.py", {"xor_activation": "[先生の課題](http://x)"})
    assert not at.exception, at.exception
    order = list(at.main.children.values())
    title = next(i for i, node in enumerate(order) if node.type == "title")
    noted = [i for i, node in enumerate(order) if any("[先生の課題](http://x)" in v for v in _texts_in(node))]
    assert noted and noted[0] < title, (noted, title)
    markdown = [m.value for m in at.get("markdown")] + [c.value for c in at.caption]
    assert not any("http://x" in m for m in markdown), markdown


def _texts_in(node) -> list[str]:
    """The st.text values under one node of AppTest's tree."""
    if node.type == "text":
        return [node.value]
    return [v for child in getattr(node, "children", {}).values() for v in _texts_in(child)]


def _open_link(page: str, params: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    from tests.apptest import TIMEOUT
    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "ja"
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    return at.run()


def _notes(at) -> str:
    return "\n".join(t.value for t in at.main.get("text"))
