"""Browser test of the diffusion page: the first screen shows the noise-to-digit strip and its controls, other
noise redraws it, and a short training run ends with a sample grid."""

from __future__ import annotations

import pytest

from core.checkpoints import SHIPPED_DIR
from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e


def _strip_src(page) -> str:
    img = page.locator(".st-key-diffusion_strip img").first
    img.wait_for()
    return img.get_attribute("src") or ""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_first_screen_shows_the_strip_and_other_noise_redraws_it(page, server_url, lang):
    if not (SHIPPED_DIR / "diffusion_mnist.pth").exists():
        pytest.skip("no shipped diffusion model")
    goto(page, server_url, "diffusion", lang)
    before = _strip_src(page)
    for selector in (".st-key-diffusion_strip img", ".st-key-diffusion_new button"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, (selector, box)
    page.locator(".st-key-diffusion_new button").click()
    wait_idle(page)
    page.wait_for_function(
        "b => { const i = document.querySelector('.st-key-diffusion_strip img'); return i && i.src !== b; }",
        arg=before,
        timeout=60_000,  # a busy 2-core machine samples more slowly
    )
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_short_training_run_ends_with_a_grid(page, server_url):
    goto(page, server_url, "diffusion", "en")
    train = page.locator(".st-key-diffusion_train button")
    train.scroll_into_view_if_needed()
    assert train.is_enabled()
    train.click()
    # test mode: one epoch on 256 digits; its grid comes with the epoch record, then Train is back
    page.get_by_text("Epoch 1: sampled from fixed noise").first.wait_for(timeout=90_000)
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-diffusion_train button'); return b && !b.disabled; }",
        timeout=60_000,
    )
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
