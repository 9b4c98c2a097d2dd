"""AppTest of the VAE page: both languages render, the explorer decodes, a tiny training run finishes."""

from __future__ import annotations

import pytest

from tests.apptest import open_page, texts

PAGE = "app_pages/vae.py"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert ("潜在空間" in body) if lang == "ja" else ("latent space" in body)
    assert any("mathcal{N}(0, I)" in el.body for el in at.latex)  # reparameterisation / KL equations
    assert not at.button(key="vae_train").disabled and at.button(key="vae_stop").disabled
    assert at.select_slider(key="vae_beta").value == 1.0
    assert at.selectbox(key="vae_latent").value == 2
    assert at.slider(key="vae_epochs").value == 1  # test mode: tiny runs


def _decoded(at) -> tuple[str, str]:
    """(caption, media url) of the decoded digit; the url is a hash of the PNG bytes."""
    for el in at.get("image"):
        for img in el.proto.imgs:
            if img.caption.startswith(("decoded from z", "z = (")):
                return img.caption, img.url
    raise AssertionError("no decoded digit on the page")


def test_sliders_change_the_decoded_digit():
    at = open_page(PAGE, "en")
    assert not at.exception
    if not at.radio:  # no shipped model: the page offers training instead
        assert "Train one below" in texts(at)
        return
    before = _decoded(at)
    sliders = [s for s in at.slider if s.key.startswith("vae_z1_")]
    assert sliders, "the z1 slider is missing"
    sliders[0].set_value(sliders[0].max).run()
    assert not at.exception
    after = _decoded(at)
    assert after[0] != before[0] and after[1] != before[1]  # new z, new picture


def test_tiny_training_run_then_explore():
    at = open_page(PAGE, "en")
    at.selectbox(key="vae_kind").set_value("vae")
    at.slider(key="vae_epochs").set_value(1)
    at.button(key="vae_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["vae"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    epochs = [r for r in job.epochs_log if r["kind"] == "epoch"]
    assert len(epochs) == 1 and epochs[0]["latent"].shape[1] == 2
    at.run()
    assert not at.exception, at.exception
    assert "Model trained in this session" in at.radio(key="vae_which").options
    at.radio(key="vae_which").set_value("session").run()
    assert not at.exception, at.exception


def test_every_shipped_model_can_be_explored():
    from core.checkpoints import SHIPPED_DIR
    from ui.lessons.vae import SHIPPED

    at = open_page(PAGE, "ja")
    present = [o for o, (f, _) in SHIPPED.items() if (SHIPPED_DIR / f).is_file()]
    if not present:
        pytest.skip("no shipped autoencoder checkpoints")
    for option in present:
        at.radio(key="vae_which").set_value(option).run()
        assert not at.exception, (option, at.exception)
        assert at.slider(key=f"vae_z1_{option}") is not None
        caption, _ = _decoded(at)
        assert caption.startswith("z = (")  # Japanese caption of the decoded digit
    if "vae16" in present:
        assert "主成分分析" in texts(at)  # a 16-D map is a PCA projection, and says so


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_says_how_the_shipped_models_differ_from_the_notes(lang):
    from core import checkpoints

    hidden = set()
    for name in ("ae_mnist.pth", "vae_mnist.pth"):
        try:
            hidden.add(checkpoints.load(checkpoints.SHIPPED_DIR / name).model.model_args.get("hidden", 0))
        except checkpoints.CheckpointError:
            pass
    hidden -= {0}
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    note = "全結合層" if lang == "ja" else "dense layer"
    assert (note in texts(at)) == bool(hidden)
    if hidden:
        assert f"{max(hidden)} " in texts(at)


def test_a_click_on_the_map_moves_the_sliders_without_a_widget_warning():
    """A click on the map sets the sliders through session state; a slider that also passed a default
    value made Streamlit log "created with a default value but also had its value set via the Session
    State API". AppTest runs without a Runtime, where Streamlit skips that check, so the test lets it run."""
    from types import SimpleNamespace
    from unittest import mock

    from streamlit.elements.lib import policies

    from ui.lessons import vae as lesson

    at = open_page(PAGE, "en")
    if not at.radio:
        pytest.skip("no shipped model: no latent map")
    option = at.radio(key="vae_which").value
    with (
        mock.patch.object(lesson, "picked_point", return_value=(1.0, 0.5)),  # a click at z = (1, 0.5)
        mock.patch.object(policies, "runtime", SimpleNamespace(exists=lambda: True)),
        mock.patch.object(policies, "_shown_default_value_warning", False),
        mock.patch.object(policies, "_LOGGER") as log,
    ):
        at.run()
    assert not at.exception, at.exception
    assert not [c for c in log.warning.call_args_list if "default value" in str(c)], (
        log.warning.call_args_list
    )
    assert at.slider(key=f"vae_z1_{option}").value == 1.0 and at.slider(key=f"vae_z2_{option}").value == 0.5
    assert _decoded(at)[0].startswith("decoded from z = (1.00, 0.50)")


def test_reopen_refuses_a_run_that_is_not_an_autoencoder(tmp_path, monkeypatch):
    """A run saved under the VAE page whose model is another family (a CNN, say) never becomes the
    session's model: the saved-runs panel shows "the run holds no usable model"."""
    from core import runs
    from core.models.cnn import MNISTCNN
    from ui.lessons import vae as lesson

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    writer = runs.RunWriter(lesson.LESSON.key, "たろう", {"kind": "vae", "epochs": 1})
    assert writer.save(MNISTCNN(), None, state="done", epochs_done=1, history={"epochs": []})
    with pytest.raises(runs.RunError) as e:
        lesson.LESSON.reopen(writer.run_id)
    assert e.value.code == "model"


def test_the_cnn_reading_shows_its_confidence_as_text_not_as_a_delta():
    """A metric delta ("↑ 100%") reads as "went up"; the confidence is part of the metric's label."""
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    if not at.metric:
        pytest.skip("no shipped CNN: the page does not read the decoded digit")
    assert [m.proto.delta for m in at.metric] == [""] * len(at.metric)
    reading = next(m for m in at.metric if m.label.startswith("The CNN reads"))
    assert "confidence" in reading.label and "%" in reading.label and reading.value.isdigit()


def _label_places(spec: dict) -> list[tuple[float, float]]:
    """Where each digit label of a latent map is drawn, in fractions of the plotted box: the text sits at
    the arrow's tail (ax, ay) when it has a line back to its median, else at (x, y)."""
    layout = spec["layout"]
    (x0, x1), (y0, y1) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    out = []
    for a in layout.get("annotations", []):
        x, y = (a["ax"], a["ay"]) if a.get("showarrow") else (a["x"], a["y"])
        out.append(((x - x0) / (x1 - x0), (y - y0) / (y1 - y0)))
    return out


def _closest_pair(places) -> float:
    import math

    return min(
        (math.dist(p, q) for i, p in enumerate(places) for q in places[i + 1 :]),
        default=math.inf,
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_digit_labels_on_the_latent_maps_do_not_overlap(lang):
    """In the middle of a VAE's map the clusters' medians lie close together; labels put there covered
    each other. Every map of the page keeps its labels at least 0.1 of the plot apart."""
    import json

    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    maps = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = [m for m in maps if m["layout"].get("annotations")]
    if not maps:
        pytest.skip("no shipped autoencoder: no latent map")
    for spec in maps:
        places = _label_places(spec)
        assert len(places) == 10, "one label per digit"
        assert _closest_pair(places) >= 0.1, places


def test_digit_labels_are_pushed_apart_even_when_every_cluster_sits_at_one_point():
    import numpy as np

    from ui.figures import vae as figures

    points = np.zeros((30, 2), dtype=np.float32)  # ten clusters, all at the origin
    labels = np.repeat(np.arange(10), 3)
    found = figures.digit_labels(points, labels, (-1.0, 1.0, -1.0, 1.0))
    assert [d for d, _, _ in found] == list(range(10))
    places = [((lx + 1) / 2, (ly + 1) / 2) for _, _, (lx, ly) in found]
    assert _closest_pair(places) >= figures.LABEL_GAP * 0.99
    assert all(0 <= c <= 1 for p in places for c in p), "every label stays inside the plot"
    assert found == figures.digit_labels(points, labels, (-1.0, 1.0, -1.0, 1.0)), "deterministic"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_prior_samples_can_be_shown_as_their_most_likely_image(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    if not at.radio:  # no shipped model
        return

    def prior_grid() -> str:
        urls = [img.url for el in at.get("image") for img in el.proto.imgs]
        return urls[-1]  # the prior tab's grid is the page's last picture

    before = prior_grid()
    assert ("平均の画像" if lang == "ja" else "The mean image") in texts(at)
    at.toggle(key="vae_likely").set_value(True).run()
    assert not at.exception, at.exception
    assert ("最も確からしい画像" if lang == "ja" else "The most likely image") in texts(at)
    assert prior_grid() != before  # the same codes, drawn as their modes
