"""Browser test of the Sequences page: a short run trains, the live forecast is drawn while it learns, and
the trained model's forecast, the baselines and the error table appear when it ends."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["en"])
def test_a_short_run_trains_and_shows_the_forecast_beside_the_baselines(page, server_url, lang):
    goto(page, server_url, "sequence", lang)
    rest = page.locator(".st-key-sequence_rest .js-plotly-plot").first
    rest.wait_for()  # before training: the series and the baselines already
    box = rest.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720, box  # on the first screen at 1280x720
    page.locator(".st-key-sequence_train button").click()
    page.locator(".st-key-sequence_forecast .js-plotly-plot").first.wait_for(timeout=90_000)
    wait_idle(page)
    legend = page.locator(".st-key-sequence_forecast").inner_text()
    for name in ("Network (one-step)", "Network (free-running)", "Persistence", "Linear autoregression"):
        assert name in legend, (name, legend)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "loses to the baseline" in body or "below the best baseline" in body
    assert page.locator('[data-testid="stException"]').count() == 0
