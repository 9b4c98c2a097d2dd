"""The Keeping-a-model page's figures, from plain lists (no streamlit): the loss before a checkpoint and
after resuming from it, with and without the optimizer's state, and the forward pass's timings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from ui.charts import COLORS, TICKS, base_figure
from ui.i18n import t


def resume_figure(
    before: Sequence[float], with_state: Sequence[float], without_state: Sequence[float]
) -> go.Figure:
    """One loss curve up to the checkpoint, then two continuations from the same step: the jump shows."""
    fig = base_figure(t("keeping.chart_step"), t("keeping.chart_loss"), height=330, log_y=True)
    n = len(before)
    after = list(range(n, n + len(with_state) + 1))  # each continuation starts at the checkpoint's point
    fig.add_scatter(x=list(range(1, n + 1)), y=list(before), mode="lines", name=t("keeping.curve.before"),
                    line={"color": "#7f7f7f", "width": 2})  # fmt: skip
    for curve, color, dash, key in (
        (without_state, COLORS[1], "solid", "without"),
        (with_state, COLORS[0], "dash", "with"),
    ):
        fig.add_scatter(x=after, y=[before[-1], *curve], mode="lines", name=t(f"keeping.curve.{key}"),
                        line={"color": color, "width": 2.5, "dash": dash})  # fmt: skip
    fig.add_vline(x=n, line={"color": "#555", "dash": "dot", "width": 1})
    fig.update_layout(legend={"orientation": "h", "y": 1.2, "x": 0, "font": TICKS}, margin={"t": 70})
    return fig


def timing_figure(times: Mapping[str, float]) -> go.Figure:
    """Milliseconds per forward pass, one bar per way of timing it (label → ms)."""
    fig = base_figure("", "ms", height=260)
    fig.add_bar(x=list(times), y=list(times.values()), marker_color=COLORS[: len(times)],
                text=[f"{v:.2f}" for v in times.values()], textposition="outside")  # fmt: skip
    fig.update_layout(hovermode=False, showlegend=False)
    return fig
