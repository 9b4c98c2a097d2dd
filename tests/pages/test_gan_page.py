"""AppTest of the GAN page: both languages, shipped samples, a tiny live training run."""

import pytest

from tests.apptest import open_page, texts


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_gan_page_renders(lang):
    at = open_page("pages/gan.py", lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert ("GAN" in body) and ("detach" in body)
    assert at.button(key="gan_train") is not None
    assert len(at.latex) >= 2
    if lang == "ja":
        assert "生成器" in body


def test_gan_new_samples_changes_seed():
    at = open_page("pages/gan.py", "en")
    if at.session_state["gan_seed"] is None:
        pytest.skip("no shipped generator")
    before = at.session_state["gan_seed"]
    at.button(key="gan_new").click().run()
    assert not at.exception
    assert at.session_state["gan_seed"] == before + 1


def test_gan_trains_one_tiny_epoch():
    at = open_page("pages/gan.py", "en")
    at.button(key="gan_train").click().run()
    assert not at.exception, at.exception
    from ui import jobs  # noqa: F401  (the job lives in the AppTest session)

    job = at.session_state["_jobs"]["gan"]
    job.join(timeout=60)
    assert job.state == "done", (job.state, job.error)
    hist = at.session_state["gan_hist"]
    assert hist["epochs"] and hist["epochs"][-1]["grid"].shape == (64, 28, 28)
    assert hist["steps"] and all(0 <= s["d_real"] <= 1 for s in hist["steps"])
    at.run()
    assert not at.exception, at.exception
    assert "Replay" in texts(at) or "epoch" in texts(at).lower()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_shipped_generator_is_described_as_it_is(lang):
    """The caption names the mapping network and the 3x3 refining conv exactly when the shipped generator has them."""
    from core import checkpoints

    try:
        G = checkpoints.load(checkpoints.SHIPPED_DIR / "gan_mnist.pth", expected_family="gan.Generator").model
    except checkpoints.CheckpointError:
        pytest.skip("no shipped generator")
    at = open_page("pages/gan.py", lang)
    assert not at.exception, at.exception
    body = texts(at)
    named = ("マッピングネットワーク" in body) if lang == "ja" else ("mapping network" in body)
    assert named == bool(G.mapping_width)
    if G.mapping_width:
        assert (f"{G.mapping_width} ユニット" if lang == "ja" else f"{G.mapping_width}-unit") in body
    refine = (
        ("3×3 の畳み込みを 1 層加え" in body) if lang == "ja" else ("one 3×3 convolution between" in body)
    )
    assert refine == G.refine_on
