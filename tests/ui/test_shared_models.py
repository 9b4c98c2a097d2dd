"""Shared cached models stay read-only: the shipped models every session shares through
`st.cache_resource` are in eval mode with no gradients and no hooks; one session's drawing, looking
inside, evaluating and training leave them exactly as they were for everyone else; and "Clear cache"
(which any client can send, docs/streamlit-notes.md) costs only a cheap reload from disk.
"""

from __future__ import annotations

import hashlib
from unittest import mock

import pytest
import streamlit as st
import torch

from core import checkpoints
from tests.apptest import open_page
from tests.pages.test_cnn_page import _digit_canvas
from ui import resources

SHIPPED = [  # (file, family) as the pages ask for them
    ("cnn_mnist.pth", "cnn.MNISTCNN"),
    ("gan_mnist.pth", "gan.Generator"),
    ("cgan_mnist.pth", "gan.CondGenerator"),
    ("cgan_digits.pth", "gan.CondGenerator"),
    ("vae_mnist.pth", "vae.ConvVAE"),
    ("ae_mnist.pth", "vae.ConvAE"),
    ("vae16_mnist.pth", "vae.ConvVAE"),
]
PRESENT = [s for s in SHIPPED if (checkpoints.SHIPPED_DIR / s[0]).is_file()]


def fingerprint(model: torch.nn.Module) -> str:
    """sha256 of every parameter and buffer: equal iff the weights are bit-for-bit the same."""
    h = hashlib.sha256()
    for name, v in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def assert_frozen(model: torch.nn.Module) -> None:
    assert not any(m.training for m in model.modules()), "a shared model must stay in eval mode"
    assert not any(p.requires_grad for p in model.parameters()), "a shared model must not need gradients"
    for m in model.modules():  # a hook on a shared model would see every session's inputs
        assert not (m._forward_hooks or m._forward_pre_hooks or m._backward_hooks), type(m).__name__


@pytest.mark.parametrize(("file", "family"), PRESENT, ids=[f for f, _ in PRESENT])
def test_shipped_models_are_read_only(file, family):
    loaded = resources.shipped_model(file, family)
    assert not isinstance(loaded, Exception), loaded
    assert_frozen(loaded.model)
    assert resources.shipped_model(file, family) is loaded  # one object, shared by every session


@pytest.mark.skipif(("cnn_mnist.pth", "cnn.MNISTCNN") not in PRESENT, reason="no shipped CNN")
def test_one_session_cannot_change_what_another_sees():
    canvas, label = _digit_canvas(3)
    shared = resources.shipped_model("cnn_mnist.pth", "cnn.MNISTCNN").model
    before = fingerprint(shared)
    with mock.patch("ui.canvas.draw", return_value=canvas):
        a = open_page("app_pages/cnn.py", "en")  # session A: predicts, looks inside, trains its own model
        a.radio(key="cnn_inside_source").set_value("draw").run()  # saliency needs input gradients
        a.slider(key="cnn_epochs").set_value(1)
        a.radio(key="cnn_channels").set_value("8/16")
        a.button(key="cnn_train").click().run()
        job = a.session_state["_jobs"]["cnn"]
        job.join(60)
        assert job.state == "done", (job.state, job.error)
        a.run()
        a.button(key="cnn_use_session").click().run()
        assert not a.exception, a.exception
        assert a.radio(key="cnn_model_choice").value == "session"

        b = open_page("app_pages/cnn.py", "ja")  # session B, at the same time, in another language
    assert not b.exception, b.exception
    assert_frozen(shared)
    assert fingerprint(shared) == before, "session A's work changed the shared model"
    assert resources.shipped_model("cnn_mnist.pth", "cnn.MNISTCNN").model is shared
    assert len(b.radio(key="cnn_model_choice").options) == 1, "B must not see A's trained model"
    assert [m.value for m in b.metric if m.label == "予測"] == [str(label)]
    assert "_jobs" not in b.session_state or "cnn" not in b.session_state["_jobs"]
    assert "手書き数字" in b.title[0].value  # B stays Japanese
    a.run()
    assert "handwritten digits" in a.title[0].value  # and A stays English


def test_clear_cache_costs_only_a_reload():
    """What the "Clear cache" menu (and a client's clear_cache message) does: both caches emptied."""
    first = {s: resources.shipped_model(*s) for s in PRESENT}
    prints = {s: fingerprint(m.model) for s, m in first.items()}
    st.cache_resource.clear()
    st.cache_data.clear()
    again = {s: resources.shipped_model(*s) for s in PRESENT}  # (how long it takes: bench/, not a test)
    for s, loaded in again.items():
        assert loaded is not first[s]  # really reloaded ...
        assert fingerprint(loaded.model) == prints[s]  # ... from disk, the same weights
        assert_frozen(loaded.model)


def test_shipped_generator_outputs_are_computed_once_for_the_whole_class():
    """The GAN page's grid, reading and interpolation of the shipped generator depend only on the seed:
    forty students opening the page cost one forward pass per (seed, size), and a new seed is computed."""
    from core import configs, gan
    from ui.figures import images

    G = gan.build_models(
        configs.with_overrides(gan.IMPROVED, g_width=8), False, torch.Generator().manual_seed(0)
    )[0].eval()
    calls = []
    G.register_forward_hook(lambda *_: calls.append(1))  # a private test generator, not a shared one
    first = resources.from_shipped(G, "sample", 16, 5)
    again = resources.from_shipped(G, "sample", 16, 5)
    assert again is first and len(calls) == 1, "the same seed must not run the generator again"
    assert torch.equal(first, gan.sample(G, 16, 5)), "the cached grid is the generator's own sample"
    other = resources.from_shipped(G, "sample", 16, 6)
    assert not torch.equal(other, first)
    path = resources.from_shipped(G, "interpolate", 1, 2, 11)
    assert path.shape == (11, 1, 28, 28) and resources.from_shipped(G, "interpolate", 1, 2, 11) is path
    with pytest.raises(KeyError):  # only the two sampling functions can be named
        resources.from_shipped(G, "train_gan", 1)
    forward_passes = len(calls)
    with mock.patch.object(images, "png_bytes", wraps=images.png_bytes) as encode:
        png = resources.shipped_png(G, "sample", (16, 5), nrow=4, scale=3)
        assert resources.shipped_png(G, "sample", (16, 5), nrow=4, scale=3) is png and encode.call_count == 1
    assert png == images.png_bytes(images.grid_image(first, nrow=4, scale=3)), "the same picture as uncached"
    assert len(calls) == forward_passes, (
        "the PNG is made from the cached samples, not from a new forward pass"
    )


@pytest.mark.skipif(("cnn_mnist.pth", "cnn.MNISTCNN") not in PRESENT, reason="no shipped CNN")
def test_two_students_opening_the_cnn_page_cost_one_evaluation_and_one_explanation():
    """The CNN page's test-split evaluation and its look inside a test digit, for the shipped model, are
    the same for everyone: the second student's page reuses them (a class of 40 would otherwise run the
    1,000 test digits and the occlusion map 40 times)."""
    from core import cnn as core_cnn
    from ui.lessons import cnn as cnn_lesson

    cnn_lesson._SHIPPED.clear()
    with (
        mock.patch.object(core_cnn, "predict_batch", wraps=core_cnn.predict_batch) as batch,
        mock.patch.object(core_cnn, "occlusion", wraps=core_cnn.occlusion) as occlusion,
    ):
        pages = [open_page("app_pages/cnn.py", lang) for lang in ("ja", "en")]
    for at in pages:
        assert not at.exception, at.exception
    assert batch.call_count == 1 and occlusion.call_count == 1, (batch.call_count, occlusion.call_count)
