"""The Transfer learning page's figure, from plain records (no streamlit): test accuracy against labelled
examples per class, one line per arm (scratch, frozen, fine-tune), with chance as a dotted line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from ui.charts import COLORS, TICKS, base_figure
from ui.i18n import t

ARM_COLORS = {"scratch": "#7f7f7f", "frozen": COLORS[0], "finetune": COLORS[1]}
ARM_DASH = {"scratch": "dot", "frozen": "solid", "finetune": "dash"}


def points_by_arm(results: Sequence[Mapping]) -> dict[str, list[tuple[int, float]]]:
    """{arm: [(labels per class, accuracy), ...] sorted by labels} from the sweep's epoch records."""
    out: dict[str, dict[int, float]] = {}
    for r in results:
        if r.get("kind", "epoch") == "epoch" and "arm" in r and "test_accuracy" in r:
            out.setdefault(r["arm"], {})[int(r["labels"])] = float(r["test_accuracy"])
    return {arm: sorted(p.items()) for arm, p in out.items()}


def accuracy_figure(
    results: Sequence[Mapping], arms: Sequence[str], labels: Sequence[int], chance: float, height: int = 310
) -> go.Figure:
    """Accuracy (0–100 %) against labels per class on a log axis; arms without points yet keep their
    legend entry, so the chart's key does not change while the sweep fills it in."""
    fig = base_figure(t("transfer.chart_x"), t("transfer.chart_y"), height=height)
    points = points_by_arm(results)
    for arm in arms:
        pts = points.get(arm, [])
        fig.add_trace(
            go.Scatter(
                x=[k for k, _ in pts] or [None], y=[100 * a for _, a in pts] or [None],  # [None]: a legend entry
                name=t(f"transfer.arm.{arm}"),
                mode="lines+markers", marker={"size": 11}, line={"color": ARM_COLORS[arm], "dash": ARM_DASH[arm], "width": 3},
            )
        )  # fmt: skip
    ticks = sorted({int(k) for k in labels}) or [1]
    fig.add_trace(
        go.Scatter(
            x=[min(ticks), max(ticks)], y=[100 * chance] * 2, name=t("transfer.chance"), mode="lines",
            line={"color": "#999999", "dash": "dot", "width": 2}, hoverinfo="skip", showlegend=False,
        )
    )  # fmt: skip
    fig.add_annotation(
        x=0, xref="paper", y=100 * chance, yanchor="bottom", xanchor="left", showarrow=False,
        text=t("transfer.chance"), font={**TICKS, "color": "#777777"},
    )  # fmt: skip
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[str(k) for k in ticks])
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    fig.update_layout(
        # inside, bottom right: the lines climb from the left, and the first screen has no room below
        legend={"orientation": "v", "x": 0.99, "xanchor": "right", "y": 0.03, "yanchor": "bottom", "font": TICKS,
                "bgcolor": "rgba(255,255,255,0.85)"},
        margin={"l": 60, "r": 10, "t": 10, "b": 50},
        showlegend=True,  # before training too: the arms' names wait on the chart
    )  # fmt: skip
    return fig
