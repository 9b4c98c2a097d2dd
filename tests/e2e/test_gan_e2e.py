"""Browser: both GAN pages sample from their shipped generators, and "new samples" / a digit pick
redraws the images."""

from __future__ import annotations

import pytest

from core.checkpoints import SHIPPED_DIR
from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e


def first_image_src(page) -> str:
    img = page.locator('[data-testid="stMain"] [data-testid="stImage"] img').first
    img.wait_for()
    return img.get_attribute("src")


def test_gan_page_new_samples(page, server_url):
    if not (SHIPPED_DIR / "gan_mnist.pth").exists():
        pytest.skip("no shipped GAN")
    goto(page, server_url, "gan", lang="en")
    before = first_image_src(page)
    page.locator(".st-key-gan_new button").click()
    wait_idle(page)
    page.wait_for_function(
        "b => document.querySelector('[data-testid=stMain] [data-testid=stImage] img').src !== b", arg=before
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator(".st-key-gan_train button").is_enabled()


def test_cgan_page_digit_picker(page, server_url):
    if not (SHIPPED_DIR / "cgan_mnist.pth").exists() and not (SHIPPED_DIR / "cgan_digits.pth").exists():
        pytest.skip("no shipped cGAN")
    goto(page, server_url, "cgan", lang="ja")
    if not (SHIPPED_DIR / "cgan_mnist.pth").exists():
        page.locator(".st-key-cgan_dataset").get_by_text("scikit-learn").click()
        wait_idle(page)
    before = first_image_src(page)
    page.locator(".st-key-cgan_digit button").filter(has_text="3").first.click()
    wait_idle(page)
    page.wait_for_function(
        "b => document.querySelector('[data-testid=stMain] [data-testid=stImage] img').src !== b", arg=before
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "条件付き GAN" in page.inner_text("body")
