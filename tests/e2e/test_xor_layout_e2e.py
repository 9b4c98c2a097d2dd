"""Browser: on a 1280x720 screen the XOR page's settings, Train, the decision map and the loss curve share
the first screen, in projector mode too; the saved runs sit at the page's full width."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e

SCREEN = 720
SETTINGS = ("xor_gate", "xor_activation", "xor_optimizer", "xor_lr", "xor_layers", "xor_batch", "xor_epochs")
WHOLE = ("xor_train", "xor_heatmap", "xor_loss_chart")  # these must be seen in full


def _box(page, key: str) -> dict:
    element = page.locator(f".st-key-{key}").first
    element.wait_for(state="visible", timeout=60_000)  # drawn again by a late rerun on a busy server
    box = element.bounding_box()
    assert box is not None, f"{key} is not drawn"
    return box


def _assert_first_screen(page, mode: str) -> None:
    for key in WHOLE:
        box = _box(page, key)
        assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN, (mode, key, box)
    for key in SETTINGS + ("xor_seed",):
        box = _box(page, key)
        assert box["y"] + min(box["height"], 60) <= SCREEN, (mode, key, box)  # its label and its value


def test_settings_train_map_and_loss_share_the_first_screen(page, server_url):
    page.goto(f"{server_url}/xor?lang=ja&xor_epochs=30")  # a short run: its loss curve is drawn
    wait_idle(page)
    page.locator(".st-key-runs_name input").fill("レイアウト確認")  # a name: the run is saved and listed
    page.keyboard.press("Enter")
    wait_idle(page)
    page.locator(".st-key-xor_train button").click()
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-xor_train button'); return b && !b.disabled; }",
        timeout=60_000,
    )
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    _assert_first_screen(page, "normal")
    # the saved runs are not squeezed into the settings column: the list and a labelled Open button
    pick, open_ = _box(page, "xor_runs_pick"), _box(page, "xor_runs_open")
    assert pick["width"] > 2 * _box(page, "xor_gate")["width"], (pick, _box(page, "xor_gate"))
    assert page.locator(".st-key-xor_runs_open button").inner_text().strip()
    assert open_["width"] >= 60, open_

    size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    page.locator(".st-key-projector label").first.click()
    wait_idle(page)
    larger = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert float(larger[:-2]) > float(size[:-2]), (size, larger)  # projector mode's larger type is on
    _assert_first_screen(page, "projector")
