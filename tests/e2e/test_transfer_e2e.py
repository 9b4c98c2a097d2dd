"""Browser test of the Transfer learning page: the empty accuracy chart is on the first screen, a tiny sweep
trains, and the frozen arm's points appear on the chart."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e

# the points of one trace of the chart under `key`, read from Plotly's own data in the page
POINTS = """([key, name]) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    const trace = plot && plot.data && plot.data.find(t => t.name === name);
    return trace ? Array.from(trace.x || []).filter(x => x !== null).length : -1;
}"""


def test_a_sweep_trains_and_its_points_appear_on_the_chart(page, server_url):
    goto(page, server_url, "transfer", "en")
    rest = page.locator(".st-key-transfer_rest .js-plotly-plot").first
    rest.wait_for()
    box = rest.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720, box  # on the first screen at 1280x720
    assert page.evaluate(POINTS, ["transfer_rest", "Frozen + new head"]) == 0
    page.locator(".st-key-transfer_train button").click()
    page.wait_for_function(
        f"([key, name]) => ({POINTS})([key, name]) >= 4",
        arg=["transfer_live", "Frozen + new head"],
        timeout=180_000,
    )  # the four label counts' points of the frozen arm, drawn as the runs end
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
