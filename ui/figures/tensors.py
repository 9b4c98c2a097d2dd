"""The Tensors lesson's figures: activation curves and their slopes, the first training loop's fitted line
and loss, and the broadcasting rule as a table. Plain data in, a figure out: no streamlit here
(ui/lessons/tensors.py draws them)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ui.charts import COLORS, FONT, base_figure
from ui.i18n import t

LINE_XS = [-1.0, 1.0]  # the loop's data lie in [-1, 1]: a line is drawn between its two ends


def activation_figure(curves: dict, names: Sequence[str], field: str, title: str) -> go.Figure:
    """The activations `names` of `curves` (core.tensor_lab.activation_curves): their values f(z) for
    `field` "y", their slopes f'(z) for "dy"; each keeps its colour whichever others are shown."""
    fig = base_figure("z", title, height=320)
    for n in names:
        c = curves[n]
        fig.add_scatter(
            x=c["z"],
            y=c[field],
            name=t(f"tensors.act.{n}"),
            mode="lines",
            line={"width": 3, "color": COLORS[list(curves).index(n) % len(COLORS)]},
        )
    fig.update_layout(hovermode="x")
    return fig


def line_figure(x: Sequence[float], y: Sequence[float], rec: dict) -> go.Figure:
    """The points, the line they were drawn near (y = 2x + 1) and, for an "epoch" record `rec`, the line
    w·x + b learned so far."""
    fig = go.Figure()
    fig.add_scatter(x=list(x), y=list(y), mode="markers", name=t("tensors.points"))
    fig.add_scatter(
        x=LINE_XS,
        y=[2 * v + 1 for v in LINE_XS],
        mode="lines",
        name="y = 2x + 1",
        line={"dash": "dot", "color": "gray"},
    )
    if rec["kind"] == "epoch":
        fig.add_scatter(
            x=LINE_XS,
            y=[rec["w"] * v + rec["b"] for v in LINE_XS],
            mode="lines",
            name=t("tensors.learned"),
            line={"width": 4, "color": COLORS[1]},
        )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font=FONT,
        yaxis_range=[-2.5, 4.5],
        legend={"orientation": "h", "y": 1.15},
    )
    return fig


def loss_figure(losses: Sequence[float]) -> go.Figure:
    """The loss per epoch on a log axis; a diverged loss (1e30 and more) leaves a gap, not a spike."""
    fig = base_figure(t("chart.epoch"), t("chart.loss"), height=320, log_y=True)
    fig.add_scatter(
        x=list(range(1, len(losses) + 1)), y=[v if v < 1e30 else None for v in losses], mode="lines"
    )
    return fig


def broadcast_rows(info: dict) -> list[dict]:
    """The broadcasting rule dimension by dimension (core.tensor_lab.broadcast), as table rows: the
    sizes of a and b, the result's, and which rule applied, counted from the right (-1 the last).

    The result column is text in every row ("—" where the sizes clash): a column of numbers and a dash
    makes the table's Arrow conversion fail and log a traceback on every rerun."""
    dims = info["dims"]
    return [
        {
            "dim": i - len(dims),
            "a": d["a"],
            "b": d["b"],
            t("tensors.bc_out"): "—" if d["out"] is None else str(d["out"]),
            t("tensors.bc_rule"): t(f"tensors.bc.{d['rule']}"),
        }
        for i, d in enumerate(dims)
    ]
