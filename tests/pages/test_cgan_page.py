"""AppTest of the cGAN page: both languages and datasets, fidelity and the train-on-generated exercise."""

import pytest

from tests.apptest import open_page, texts


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_cgan_page_renders(lang):
    at = open_page("app_pages/cgan.py", lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert "one-hot" in body
    assert at.button(key="cgan_train") is not None
    if lang == "ja":
        assert "条件付き" in body


def test_cgan_digits_fidelity_and_exercise():
    at = open_page("app_pages/cgan.py", "en")
    at.radio(key="cgan_dataset").set_value("digits").run()
    assert not at.exception, at.exception
    if "cannot be loaded" in texts(at):
        pytest.skip("no shipped 8x8 cGAN")
    at.button(key="cgan_fidelity").click().run()
    assert not at.exception, at.exception
    fid = at.session_state["cgan_fid"][2]
    assert fid["per_digit"].shape == (10,) and 0 <= fid["overall"] <= 1
    at.button(key="cgan_tog").click().run()
    assert not at.exception, at.exception
    res = at.session_state["cgan_tog_result"][2]
    assert 0 <= res["acc_generated"] <= 1 and 0 <= res["acc_real"] <= 1
    assert "Trained on generated" in texts(at)
    assert res["n_generated"] == 10 * (res["n_real"] // 10)  # the fair default: as many as the real ones
    at.radio(key="cgan_tog_count_digits").set_value(5 * (res["n_real"] // 10))
    at.button(key="cgan_tog").click().run()
    assert not at.exception, at.exception
    more = at.session_state["cgan_tog_result"][2]
    assert more["n_generated"] == 5 * res["n_generated"]
    assert f"trained on {more['n_generated']:,} generated digits" in texts(at)


def test_cgan_trains_one_tiny_epoch_on_digits():
    at = open_page("app_pages/cgan.py", "en")
    at.radio(key="cgan_dataset").set_value("digits").run()
    at.button(key="cgan_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["cgan"]
    job.join(timeout=60)
    assert job.state == "done", (job.state, job.error)
    grid = at.session_state["_jobs"]["cgan"].epochs_log[-1]["grid"]
    assert grid.shape == (40, 8, 8)  # 4 fixed z x 10 digits
    at.run()
    assert not at.exception, at.exception
    from unittest import mock

    from ui import resources
    from ui.figures import images

    with (
        mock.patch.object(resources, "shipped_png", wraps=resources.shipped_png) as shared,
        mock.patch.object(images, "png_bytes", wraps=images.png_bytes) as encode,
    ):
        at.toggle(key="cgan_use_trained").set_value(True).run()
    assert not at.exception, at.exception
    assert encode.call_count >= 2, "the student's own grid and interpolation are drawn"
    own = at.session_state["cgan_G"]
    assert all(c.args[0] is not own for c in shared.call_args_list), (
        "a student's G must stay out of the class cache"
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("dataset", ["mnist", "digits"])
def test_cgan_data_caption_has_no_nested_parentheses(lang, dataset):
    """The shipped generator's caption names its data once, without parentheses inside parentheses."""
    import re

    at = open_page("app_pages/cgan.py", lang)
    at.radio(key="cgan_dataset").set_value(dataset).run()
    assert not at.exception, at.exception
    word = "エポック" if lang == "ja" else "epochs of training"
    (caption,) = [c.value for c in at.caption if word in c.value]
    depth = deepest = 0
    for ch in re.sub(r"[^()（）]", "", caption):
        depth += 1 if ch in "(（" else -1
        deepest = max(deepest, depth)
    assert deepest == 1 and depth == 0, caption
