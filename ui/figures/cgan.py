"""The conditional GAN page's own figure: label fidelity per requested digit.

The two players' charts are ui.charts' and the grids ui.figures.images' (the GAN page draws them too)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.charts import COLORS, base_figure
from ui.i18n import t


def fidelity_chart(per_digit: np.ndarray, height: int = 280) -> go.Figure:
    """Label fidelity per requested digit, in %: the share of digits asked for that the judge reads so."""
    fig = base_figure(t("gan.v.digit"), t("gan.v.fidelity"), height=height)
    fig.add_bar(x=[str(d) for d in range(10)], y=[100 * v for v in per_digit], marker_color=COLORS[2])
    fig.update_yaxes(ticksuffix="%", range=[0, 100])
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    return fig


def grid_scale(grid: np.ndarray) -> int:
    """How much a grid of MNIST (28x28) or 8x8 digits is enlarged: the small digits more."""
    return 3 if grid.shape[-1] == 28 else 8
