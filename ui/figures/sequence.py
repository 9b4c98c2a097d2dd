"""The Sequences page's figures, from plain arrays (no streamlit): the series with one sliding window and
its target, the test-period forecast beside the baselines, the error against the horizon of a free-running
forecast, and heatmaps of the cell's states and of its memory (∂ prediction / ∂ input)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ui.charts import COLORS, TICKS, base_figure
from ui.i18n import t

HEIGHT = 360
LINE = {
    "network": COLORS[1],
    "free": COLORS[4],
    "persistence": "#7f7f7f",
    "seasonal": "#bcbd22",
    "ar": COLORS[2],
}
DASH = {"persistence": "dot", "seasonal": "dash", "ar": "dashdot"}


def _legend_below(fig: go.Figure) -> go.Figure:
    """Four or five named lines: their legend goes under the chart, where it covers no data."""
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": TICKS},
        margin={"l": 60, "r": 10, "t": 10, "b": 10},
        xaxis_title=None,  # the years or steps under the axis say it; the legend takes the room
    )
    fig.update_yaxes(automargin=True)
    return fig


def _test_shading(fig: go.Figure, times: np.ndarray, n_train: int) -> None:
    """The test period in a light band, so the split by time is always visible."""
    fig.add_vrect(
        x0=times[n_train], x1=times[-1], fillcolor="#fde9d9", opacity=0.5, line_width=0, layer="below"
    )


def window_figure(
    times: Sequence[float],
    values: Sequence[float],
    n_train: int,
    window: int,
    start: int,
    height: int = HEIGHT,
) -> go.Figure:
    """The whole series, the training part and the test period, with window `start` (its W inputs) and its
    target (the value right after it, index start + W) highlighted."""
    times, values = np.asarray(times), np.asarray(values)
    fig = base_figure(t("sequence.axis.time"), t("sequence.axis.value"), height=height)
    _test_shading(fig, times, n_train)
    fig.add_scatter(x=times, y=values, mode="lines", name=t("sequence.series"), line={"color": COLORS[0]})
    idx = np.arange(start, start + window)
    fig.add_scatter(
        x=times[idx], y=values[idx], mode="markers", name=t("sequence.window_inputs", w=window),
        marker={"color": COLORS[3], "size": 10},
    )  # fmt: skip
    target = start + window
    fig.add_scatter(
        x=[times[target]], y=[values[target]], mode="markers", name=t("sequence.window_target"),
        marker={"color": COLORS[1], "size": 16, "symbol": "star"},
    )  # fmt: skip
    fig.add_vrect(x0=times[start], x1=times[target - 1], fillcolor=COLORS[3], opacity=0.12, line_width=0)
    return _legend_below(fig)


def forecast_figure(
    times: Sequence[float],
    values: Sequence[float],
    n_train: int,
    forecasts: Mapping[str, Sequence[float] | None],
    context: int = 60,
    height: int = HEIGHT,
) -> go.Figure:
    """The end of the training part and the test period: the actual values and every forecast of the test
    period (`forecasts`: name → (n_test,) values; "network", "free", the baselines), each drawn at the time
    of the value it predicts — never shifted by the window."""
    times, values = np.asarray(times), np.asarray(values)
    first = max(0, n_train - context)
    fig = base_figure(t("sequence.axis.time"), t("sequence.axis.value"), height=height)
    _test_shading(fig, times, n_train)
    fig.add_scatter(
        x=times[first:], y=values[first:], mode="lines", name=t("sequence.actual"),
        line={"color": COLORS[0], "width": 3},
    )  # fmt: skip
    test_times = times[n_train:]
    for name, pred in forecasts.items():
        if pred is None:
            continue
        width = 3 if name in ("network", "free") else 2
        fig.add_scatter(
            x=test_times, y=np.asarray(pred, dtype=float), mode="lines", name=t(f"sequence.model_name.{name}"),
            line={"color": LINE.get(name, COLORS[5]), "width": width, "dash": DASH.get(name, "solid")},
        )  # fmt: skip
    return _legend_below(fig)


def horizon_figure(errors: Mapping[str, Sequence[float]], unit: str, height: int = 380) -> go.Figure:
    """Mean absolute error at each horizon 1..k of a free-running forecast, one line per model."""
    fig = base_figure(t("sequence.axis.horizon"), t("sequence.axis.mae", unit=unit), height=height)
    for name, err in errors.items():
        err = np.asarray(err, dtype=float)
        fig.add_scatter(
            x=np.arange(1, len(err) + 1), y=err, mode="lines+markers", name=t(f"sequence.model_name.{name}"),
            line={"color": LINE.get(name, COLORS[5]), "dash": DASH.get(name, "solid")},
        )  # fmt: skip
    fig.update_layout(margin={"l": 60, "r": 10, "t": 60, "b": 60})  # three lines: the legend fits above
    return fig.update_yaxes(automargin=True)


def heatmap_figure(
    z: np.ndarray,
    x: Sequence[float] | None,
    x_title: str,
    y_title: str,
    height: int = 300,
    diverging: bool = True,
) -> go.Figure:
    """A heatmap of z (rows × columns): rows on the y axis (hidden units, or windows), columns along x."""
    z = np.asarray(z, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=None if x is None else np.asarray(x), colorscale="RdBu_r" if diverging else "Viridis",
            zmid=0 if diverging else None, colorbar={"tickfont": TICKS},
        )
    )  # fmt: skip
    fig.update_layout(
        height=height, margin={"l": 60, "r": 10, "t": 10, "b": 50}, xaxis_title=x_title, yaxis_title=y_title
    )
    fig.update_xaxes(automargin=True)
    return fig.update_yaxes(automargin=True)


def states_figure(states: np.ndarray, times: Sequence[float], height: int = 300) -> go.Figure:
    """One state over the test period: states (n_test, H) as H rows (units) × n_test columns (time)."""
    return heatmap_figure(
        np.asarray(states).T, times, t("sequence.axis.time"), t("sequence.axis.unit"), height
    )


def memory_figure(maps: Mapping[str, np.ndarray], height: int = 300) -> go.Figure:
    """|∂ prediction / ∂ input| averaged over the test windows, per step back, one group of bars per model
    (name → (W,)): how far back each model's predictions reach."""
    fig = base_figure(t("sequence.axis.lag"), t("sequence.axis.influence"), height=height)
    for i, (name, memory) in enumerate(maps.items()):
        m = np.asarray(memory, dtype=float)
        lags = np.arange(len(m), 0, -1)  # the oldest input is W steps back, the newest 1
        fig.add_bar(x=lags, y=m, marker_color=COLORS[i % len(COLORS)], name=name)
    fig.update_xaxes(autorange="reversed")
    fig.update_layout(barmode="group")
    return fig
