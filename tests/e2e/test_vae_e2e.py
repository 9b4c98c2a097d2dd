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


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_first_screen_shows_the_map_and_the_decoded_digit_and_the_two_maps_align(page, server_url, lang):
    """At 1280x720 the page opens on what to do: the clickable map and the digit decoded beside it are
    inside the first 720 px (the explanations and formulas are folded below). Further down, the AE and
    VAE maps side by side start at the same height: each column's heading fits one line."""
    goto(page, server_url, "vae", lang)
    if page.locator(".st-key-vae_map").count() == 0:
        pytest.skip("no shipped VAE checkpoint: the page offers training instead")
    page.locator(".st-key-vae_map .js-plotly-plot").first.wait_for()
    for selector in (".st-key-vae_map .js-plotly-plot", ".st-key-vae_decoded img"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, (selector, box)
    tops = []
    for option in ("ae", "vae"):
        plot = page.locator(f".st-key-vae_cmp_{option}_box .js-plotly-plot").first
        plot.scroll_into_view_if_needed()
        tops.append(plot.bounding_box()["y"])
    assert abs(tops[0] - tops[1]) <= 2, f"the AE and VAE maps start at different heights: {tops}"
