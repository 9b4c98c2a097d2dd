"""Browser test of the image-classification guide page: Train and its chart on the first screen, a short run
trains, and a click on a confusion-matrix cell shows the test images confused that way."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import goto, top_when_drawn, type_name, wait_idle

pytestmark = pytest.mark.e2e


def test_a_short_run_trains_and_a_confusion_cell_shows_its_images(page, server_url):
    goto(page, server_url, "cifar", "en")
    type_name(page, "cifar")
    train = page.locator(".st-key-cifar_train button")
    box = train.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720, box  # Train on the first screen
    train.click()
    # the live chart starts on the first screen
    assert top_when_drawn(page, ".st-key-cifar_acc_chart .js-plotly-plot") < 720
    page.get_by_text("Training finished").first.wait_for(timeout=120_000)
    wait_idle(page)
    page.get_by_role("tab", name="Evaluate").click()
    heatmap = page.locator(".st-key-cifar_confusion .js-plotly-plot").first
    heatmap.wait_for(timeout=60_000)
    page.locator(".st-key-cifar_confusion").scroll_into_view_if_needed()
    area = page.locator(".st-key-cifar_confusion .nsewdrag").first.bounding_box()
    # the cell of row "Shirt" (class 6), column "T-shirt/top" (class 0): the classic confusion
    page.mouse.click(area["x"] + area["width"] * 0.05, area["y"] + area["height"] * 0.65)
    page.get_by_text("True Shirt, predicted T-shirt/top").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
