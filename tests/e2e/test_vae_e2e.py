"""Browser test of the VAE page: a click on the latent map decodes a new digit at once."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import LOGS, goto, wait_idle

pytestmark = pytest.mark.e2e


def _decoded_src(page) -> str:
    return page.locator(".st-key-vae_decoded img").first.get_attribute("src") or ""


def test_click_on_latent_map_decodes_a_new_digit(page, server_url):
    goto(page, server_url, "vae", "en")
    if page.locator(".st-key-vae_map").count() == 0:
        pytest.skip("no shipped VAE checkpoint: the page offers training instead")
    plot = page.locator(".st-key-vae_map .js-plotly-plot .nsewdrag").first
    plot.scroll_into_view_if_needed()
    before = _decoded_src(page)
    caption_before = page.locator(".st-key-vae_decoded").inner_text()
    box = plot.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.25)  # upper left: a gap too
    deadline = time.time() + 20
    while time.time() < deadline and _decoded_src(page) == before:
        time.sleep(0.2)
    wait_idle(page)
    assert _decoded_src(page) != before, "the decoded digit did not change after a click on the map"
    caption = page.locator(".st-key-vae_decoded").inner_text()
    assert caption != caption_before and "decoded from z = (-" in caption  # left half: z1 < 0
    assert page.locator('[data-testid="stException"]').count() == 0
    log = LOGS / f"server_{server_url.rsplit(':', 1)[1]}.log"  # the click sets the sliders' state only
    assert 'key "vae_z1_' not in log.read_text(errors="replace"), "a slider also passed a default value"
