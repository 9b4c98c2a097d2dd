"""The conditional GAN page's own figure, built from plain data without Streamlit: what it shows."""

from __future__ import annotations

import numpy as np

from ui.figures import cgan as figures


def test_the_fidelity_chart_shows_each_requested_digit_in_percent():
    per_digit = np.linspace(0.1, 1.0, 10)
    fig = figures.fidelity_chart(per_digit, height=250)
    (bars,) = fig.data
    assert list(bars.x) == [str(d) for d in range(10)]
    assert np.allclose(bars.y, 100 * per_digit)
    assert tuple(fig.layout.yaxis.range) == (0, 100) and fig.layout.yaxis.ticksuffix == "%"
    assert fig.layout.height == 250


def test_small_digits_are_drawn_larger():
    assert figures.grid_scale(np.zeros((40, 28, 28), np.uint8)) == 3
    assert figures.grid_scale(np.zeros((40, 8, 8), np.uint8)) == 8
