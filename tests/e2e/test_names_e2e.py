"""Browser test of "a name before the first run": at 1280x720 the sidebar's name box is in sight without
scrolling (the page list scrolls on its own and still reaches its last page), and a Train without a name
opens a dialog that asks for one; the name typed there fills the sidebar's box."""

from __future__ import annotations

import secrets

import pytest

from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_the_name_box_is_in_sight_and_a_nameless_train_asks_for_a_name(page, server_url):
    goto(page, server_url, "cnn", "ja")
    name_box = page.locator(".st-key-runs_name input").first
    assert _in_view(page, name_box), "the name box is below the fold at 1280x720"
    last = page.locator('[data-testid="stSidebarNav"] a[href$="/teacher"]')
    last.scroll_into_view_if_needed()
    assert last.is_visible() and _in_view(page, last), "the page list still reaches its last page"

    page.get_by_role("tab", name="学習", exact=True).click()
    wait_idle(page)
    page.locator(".st-key-cnn_channels").get_by_text("8/16").click()
    wait_idle(page)
    page.locator(".st-key-cnn_train button").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(state="visible", timeout=60_000)
    assert "名前を入れて保存しましょう" in dialog.inner_text()
    name = f"たろう{secrets.token_hex(2)}"
    dialog.locator(".st-key-runs_name_ask input").fill(name)
    dialog.locator(".st-key-runs_name_ask_ok button").click()
    dialog.wait_for(state="hidden", timeout=60_000)
    wait_idle(page)
    assert name_box.input_value() == name
