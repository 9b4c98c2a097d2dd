"""Plotly figures for the pages: large fonts for a projector, fed from job records.

In projector mode every figure the lab draws goes through `projector_layout` on its way to the browser
(`plot`, which every page draws its charts with), so each of its texts is at least PROJECTOR_TICKS px, sized by Plotly itself: the
margins, legends and tick spacing then make room for it, which a stylesheet enlarging the SVG text cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.i18n import t
from ui.projector import projector_on

FONT = {"size": 18}  # every text of a figure: readable from the back of a classroom on a projector
TICKS = {"size": 16}  # axis numbers; Streamlit's theme would make them 12 px
PROJECTOR_TICKS = (
    20  # projector mode: axis numbers, legends, labels; 18 px is the least read from the back row
)
PROJECTOR_TITLES = 22  # projector mode: axis and chart titles
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def base_figure(x_title: str, y_title: str, height: int = 340, log_y: bool = False) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font=FONT,
        legend={"orientation": "h", "y": 1.12, "x": 0, "font": TICKS},
        xaxis_title=x_title,
        yaxis_title=y_title,
        hovermode="x unified",
        hoverlabel={"font": TICKS},
    )
    fig.update_xaxes(tickfont=TICKS, title_font=FONT)
    fig.update_yaxes(tickfont=TICKS, title_font=FONT)
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def finite(values: Sequence[float | None]) -> list[float | None]:
    """NaN and ±inf as gaps: Plotly would drop them silently anyway, this makes it explicit (a diverged
    run is reported by its job's state, not by the chart)."""
    return [v if v is not None and v == v and abs(v) != float("inf") else None for v in values]


def loss_chart(
    steps: Sequence[tuple[int, float]],
    epochs: Sequence[dict],
    batches_per_epoch: int | None = None,
    log_y: bool = False,
) -> go.Figure:
    """Per-batch training loss (thin line) and per-epoch training/validation loss (markers)."""
    fig = base_figure(t("chart.step"), t("chart.loss"), log_y=log_y)
    # as arrays, which Plotly neither checks one by one nor writes out as text (docs/streamlit-notes.md,
    # Plotly checks lists element by element); core.jobs keeps at most MAX_STEP_POINTS of them
    if steps:
        xy = np.asarray(steps, dtype=float)
        ys = np.where(np.isfinite(xy[:, 1]), xy[:, 1], np.nan)  # NaN and ±inf as gaps
        fig.add_scatter(
            x=xy[:, 0],
            y=ys,
            mode="lines",
            name=t("chart.loss"),
            line={"width": 1.5, "color": COLORS[0]},
            opacity=0.6,
        )
    ep = [r for r in epochs if r.get("kind") == "epoch"]
    if ep and batches_per_epoch:
        x = [r["epoch"] * batches_per_epoch for r in ep]
        fig.add_scatter(
            x=x,
            y=finite([r.get("train_loss") for r in ep]),
            mode="lines+markers",
            name=t("chart.of", what=t("chart.loss"), which=t("chart.train")),
            line={"color": COLORS[0], "width": 3},
        )
        if any("val_loss" in r for r in ep):
            fig.add_scatter(
                x=x,
                y=finite([r.get("val_loss") for r in ep]),
                mode="lines+markers",
                name=t("chart.of", what=t("chart.loss"), which=t("chart.val")),
                line={"color": COLORS[1], "width": 3},
            )
    return fig


def epoch_chart(
    epochs: Sequence[dict], keys: Sequence[tuple[str, str]], y_title: str, percent: bool = False
) -> go.Figure:
    """One line per (record key, legend name) over epochs, e.g. train/val accuracy."""
    fig = base_figure(t("chart.epoch"), y_title)
    ep = [r for r in epochs if r.get("kind") == "epoch"]
    for i, (key, name) in enumerate(keys):
        ys = [r.get(key) for r in ep]
        if percent:
            ys = [None if v is None else 100 * v for v in ys]
        fig.add_scatter(
            x=[r["epoch"] for r in ep],
            y=finite(ys),
            mode="lines+markers",
            name=name,
            line={"color": COLORS[i % len(COLORS)], "width": 3},
        )
    if percent:
        fig.update_yaxes(ticksuffix="%")
    return fig


def step_chart(
    steps: Sequence[dict], y_title: str, lines: dict[str, int], height: int = 300, mark: int | None = None
) -> go.Figure:
    """One line per record key of `lines` ({key: colour index}) over the steps, named `gan.v.<key>`;
    `mark`: a step to draw a vertical line at (the epoch a replay shows)."""
    fig = base_figure(t("chart.step"), y_title, height=height)
    if mark is not None and steps:
        fig.add_vline(x=mark, line_width=2, line_dash="dash", line_color="#555555")
    x = [r["step"] for r in steps]
    # no steps yet: empty axes, no legend
    for key, color in lines.items() if steps else ():
        fig.add_scatter(
            x=x,
            y=finite([r[key] for r in steps]),
            mode="lines",
            name=t(f"gan.v.{key}"),
            line={"color": COLORS[color], "width": 2},
        )
    return fig


def gan_loss_chart(steps: Sequence[dict], height: int = 300, mark: int | None = None) -> go.Figure:
    """D and G loss per step (the two players' scores, on both GAN pages)."""
    return step_chart(steps, t("chart.loss"), {"d_loss": 0, "g_loss": 1}, height, mark)


def d_output_chart(steps: Sequence[dict], height: int = 300, mark: int | None = None) -> go.Figure:
    """Mean D(x) on real and D(G(z)) on fake images: 0.5 / 0.5 is the balance point."""
    fig = step_chart(steps, t("gan.v.d_out"), {"d_real": 2, "d_fake": 3}, height, mark)
    if steps:
        fig.add_hline(y=0.5, line_dash="dot", line_color="gray")
    fig.update_yaxes(range=[0, 1])
    return fig


# -- projector mode ------------------------------------------------------------------------------
def _at_least(font, size: int, inherited: float) -> None:
    """Raise a Plotly font object's size to `size` (its own size, or the one it inherits, if larger)."""
    font.size = max(font.size or inherited, size)


def projector_layout(figure: go.Figure) -> go.Figure:
    """A copy of `figure` (which may be shared by every session) with every text at least
    PROJECTOR_TICKS px and every title PROJECTOR_TITLES px: axes of every panel, colour bars, legend,
    annotations (panel titles, digit labels), text drawn in the traces, hover labels. Larger sizes stay.
    A log axis labels its decades only: Plotly draws the 2s and 5s between them at three quarters of the
    size."""
    fig = go.Figure(figure)
    base = fig.layout.font.size or 12  # Plotly's default, which every text without its own size inherits
    fig.layout.font.size = max(base, PROJECTOR_TICKS)
    _at_least(fig.layout.title.font, PROJECTOR_TITLES, base)
    _at_least(fig.layout.legend.font, PROJECTOR_TICKS, base)
    _at_least(fig.layout.hoverlabel.font, PROJECTOR_TICKS, base)

    def axis(ax) -> None:
        _at_least(ax.tickfont, PROJECTOR_TICKS, base)
        _at_least(ax.title.font, PROJECTOR_TITLES, base)
        ax.automargin = True
        if ax.type == "log" and ax.dtick is None:
            ax.dtick = 1

    fig.for_each_xaxis(axis)
    fig.for_each_yaxis(axis)
    for note in fig.layout.annotations:
        _at_least(note.font, PROJECTOR_TICKS, base)
    for trace in fig.data:
        if "colorbar" in trace:
            _at_least(trace.colorbar.tickfont, PROJECTOR_TICKS, base)
            _at_least(trace.colorbar.title.font, PROJECTOR_TICKS, base)
        if "textfont" in trace and (trace.text is not None or getattr(trace, "texttemplate", None)):
            _at_least(trace.textfont, PROJECTOR_TICKS, base)
    return fig


def plot(container, figure, **kwargs):
    """`container.plotly_chart(figure, **kwargs)`, where every chart of the lab is drawn: in projector mode
    the figure drawn is `projector_layout(figure)`, so each page's charts are readable from the back row
    without a page asking. `container` is `st` or a column, a container, a placeholder."""
    if isinstance(figure, go.Figure) and projector_on():
        figure = projector_layout(figure)
    return container.plotly_chart(figure, **kwargs)
