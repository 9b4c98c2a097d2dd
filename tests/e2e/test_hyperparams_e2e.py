"""Browser test of the Hyperparameters page: a two-run comparison (test-mode sizes) draws two curves per
chart and two table rows; the run history survives a trip to another page."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import goto, type_name, wait_idle

pytestmark = pytest.mark.e2e


def _traces(page, key: str) -> int:
    """Number of line traces drawn in the Plotly chart inside the container `key`."""
    return page.locator(f".st-key-{key} .js-plotly-plot .scatterlayer .trace").count()


def _rows(page) -> int:
    """Data rows of the results table (glide-data-grid keeps an accessible <table> beside its canvas)."""
    return page.locator('.st-key-hyperparams_table [role="row"]').count() - 1  # minus the header row


def test_two_run_comparison_shows_two_curves_and_two_rows(page, server_url):
    goto(page, server_url, "hyperparams", "en")
    type_name(page, "hp-e2e")
    page.locator(".st-key-hyperparams_preset_channels button").first.click()
    wait_idle(page)
    assert "Train (2 runs)" in page.locator(".st-key-hyperparams_train").inner_text()
    page.locator(".st-key-hyperparams_train button").first.click()
    # the queue is done when Stop is disabled again; a loaded CI machine can take minutes
    deadline = time.time() + 180
    while time.time() < deadline and not (
        _traces(page, "hyperparams_acc") == 2
        and page.locator(".st-key-hyperparams_stop button").first.is_disabled()
    ):
        time.sleep(0.3)
    wait_idle(page)
    # the grid's accessible table is drawn for the rows on screen: bring the table into view first
    page.locator(".st-key-hyperparams_table").scroll_into_view_if_needed()
    deadline = time.time() + 20
    while time.time() < deadline and _rows(page) != 2:
        time.sleep(0.3)
    assert _traces(page, "hyperparams_acc") == 2, "one validation-accuracy curve per run"
    assert _rows(page) == 2, "one table row per run"
    table = page.locator(".st-key-hyperparams_table").text_content()  # the accessible table is hidden
    assert "#1 channels=16/32" in table and "#2 channels=32/64" in table
    assert page.locator('[data-testid="stException"]').count() == 0
    # the history stays for the session when the student visits another page and comes back
    page.locator('[data-testid="stSidebarNav"] a[href$="/xor"]').click()
    wait_idle(page)
    page.locator('[data-testid="stSidebarNav"] a[href$="/hyperparams"]').click()
    wait_idle(page)
    page.wait_for_selector(".st-key-hyperparams_acc .js-plotly-plot", timeout=20_000)
    assert _traces(page, "hyperparams_acc") == 2
