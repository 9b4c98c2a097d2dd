"""Browser test of projector mode on a 1280x720 screen: turned on, the sidebar folds away (also in a
browser that opened it by hand before) and every text of every chart on the page is at least 18 px, as the
browser computes it (a subscript too: the VAE's z₁ and z₂); the board's table and chart and the VAE's map
with its decoded digit fit the first screen; turned off, the sidebar comes back."""

from __future__ import annotations

import pytest

from core import classdb
from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e

# every piece of text Plotly draws, and the smallest computed font size among them
PLOT_TEXT_JS = """() => {
  const sel = ['.xtick text', '.ytick text', '.legendtext', '.g-xtitle text', '.g-ytitle text',
    '.g-xtitle tspan', '.g-ytitle tspan', '.gtitle', '.annotation-text', '.cbaxis text', '.colorbar text'];
  const out = [];
  for (const s of sel) {
    document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot ' + s).forEach(el => {
      if (el.textContent.trim()) out.push([s, el.textContent.trim(), parseFloat(getComputedStyle(el).fontSize)]);
    });
  }
  return out; }"""


def _sidebar_width(page) -> float:
    box = page.locator('[data-testid="stSidebar"]').first.bounding_box()
    return 0.0 if box is None else box["width"]


def _set_projector(page, on: bool) -> None:
    toggle = page.locator(".st-key-projector input")
    if toggle.is_checked() != on:
        page.locator(".st-key-projector label").first.click()
        wait_idle(page)
    page.wait_for_timeout(1000)  # the sidebar's fold animates


def _wait_folded(page, timeout: float = 30) -> bool:
    """Whether the sidebar folds within `timeout` s (the page's fold script runs when its rerun has
    reached the browser, later on a busy server)."""
    try:
        page.wait_for_function(
            """() => { const s = document.querySelector('[data-testid="stSidebar"]');
                       return !s || s.getBoundingClientRect().width < 10; }""",
            timeout=timeout * 1000,
        )
    except Exception:  # Playwright's TimeoutError: the assertion after it says what was expected
        return False
    return True


def _small_texts(page) -> list:
    found = page.evaluate(PLOT_TEXT_JS)
    assert len(found) >= 8, f"only {len(found)} chart texts: the charts did not draw"
    return [f for f in found if f[2] < 18]


def _in_first_screen(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, (selector, box)


def test_projector_mode_folds_the_sidebar_and_every_chart_text_reads_from_the_back(browser, server_url):
    store = classdb.ClassDB()  # the suite's runs folder, which the test server shares
    store.submit_run("proj-e2e", "hyperparams", {"lr": 0.003, "batch_size": 64}, 0.93, 5, 11.0)
    store.submit_run("proj2-e2e", "hyperparams", {"lr": 0.05, "batch_size": 32}, 0.71, 5, 9.5)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        goto(page, server_url, "board", "ja")
        page.locator(".st-key-board_chart .js-plotly-plot").first.wait_for()
        assert _sidebar_width(page) > 200
        _set_projector(page, True)
        assert _wait_folded(page), f"the sidebar did not fold: {_sidebar_width(page)} px wide"
        page.locator(".st-key-board_chart .js-plotly-plot").first.wait_for()
        assert _small_texts(page) == []
        for selector in (".st-key-board_leaderboard", ".st-key-board_chart .js-plotly-plot"):
            _in_first_screen(page, selector)

        goto(page, server_url, "vae", "ja")  # a new session: the mode starts off again
        page.locator(".st-key-vae_map .js-plotly-plot").first.wait_for()
        page.locator('[data-testid="stSidebar"]').first.hover()  # its fold button shows on hover
        page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()  # closed by hand,
        page.wait_for_timeout(800)
        page.locator('[data-testid="stExpandSidebarButton"]').first.click()  # and opened: remembered
        page.wait_for_timeout(800)
        assert _sidebar_width(page) > 200
        _set_projector(page, True)
        assert _wait_folded(page), (
            f"the sidebar did not fold in a browser that opened it by hand: {_sidebar_width(page)} px"
        )
        page.locator(".st-key-vae_map .js-plotly-plot").first.wait_for()
        small = _small_texts(page)
        assert small == [], small
        subscripts = [f for f in page.evaluate(PLOT_TEXT_JS) if f[0].endswith("tspan") and f[1] in ("1", "2")]
        assert len(subscripts) >= 2 and min(f[2] for f in subscripts) >= 18, subscripts  # every map
        for selector in (".st-key-vae_map .js-plotly-plot", ".st-key-vae_decoded img", ".st-key-vae_which"):
            _in_first_screen(page, selector)

        page.locator('[data-testid="stExpandSidebarButton"]').first.click()
        page.wait_for_timeout(800)
        _set_projector(page, False)
        assert _sidebar_width(page) > 200, "the sidebar should stay as the teacher opened it"
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx.close()
