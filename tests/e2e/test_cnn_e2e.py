"""Browser test of the CNN page: draw digits with real mouse strokes on the canvas, check the prediction;
Clear empties it again."""

from __future__ import annotations

import math
import time

import pytest

from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e

CANVAS = ".st-key-cnn_canvas canvas.upper-canvas"
METRIC = ".st-key-cnn_prediction [data-testid=stMetricValue]"

# strokes in canvas coordinates (0..280): lists of points, each list one mouse-down..up
DIGITS = {
    "1": [[(140, 50), (140, 230)]],
    "7": [[(80, 60), (200, 60), (120, 230)]],
    "0": [
        [
            (140 + 60 * math.sin(a / 20 * 2 * math.pi), 140 - 85 * math.cos(a / 20 * 2 * math.pi))
            for a in range(21)
        ]
    ],
}


def _draw(page, strokes) -> None:
    box = page.locator(CANVAS).first.bounding_box()
    assert box and box["width"] >= 200, box
    sx, sy = box["width"] / 280, box["height"] / 280
    for stroke in strokes:
        x0, y0 = stroke[0]
        page.mouse.move(box["x"] + x0 * sx, box["y"] + y0 * sy)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * sx, box["y"] + y * sy, steps=8)
        page.mouse.up()
    page.mouse.move(5, 5)  # the canvas toolbar shows on hover and covers nearby widgets


def _prediction(page, timeout: float = 20) -> str:
    end = time.time() + timeout
    while time.time() < end:
        loc = page.locator(METRIC)
        if loc.count():
            return loc.first.inner_text().strip()
        time.sleep(0.2)
    raise AssertionError("no prediction appeared")


def test_drawn_digits_are_read(page, server_url):
    goto(page, server_url, "cnn", "en")
    page.wait_for_selector(CANVAS, timeout=30_000)
    assert "Draw a digit" in page.locator(".st-key-cnn_prediction").inner_text()  # the blank prompt
    for digit, strokes in DIGITS.items():
        _draw(page, strokes)
        time.sleep(0.5)  # the component debounces sends by 200 ms
        wait_idle(page)
        assert _prediction(page) == digit, f"drew {digit}"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.locator(".st-key-cnn_clear button").click()
        wait_idle(page)
        page.wait_for_selector(CANVAS, timeout=30_000)
        assert page.locator(METRIC).count() == 0  # cleared: prompt again, no stale prediction
