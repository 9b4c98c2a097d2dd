"""The Sequences page's figures, from plain arrays (no streamlit): the series with one sliding window and
its target, the test-period forecast beside the baselines, the error against the horizon of a free-running
forecast, heatmaps of the cell's states, the memory of each cell (∂ prediction / ∂ input), and the
learning-rate experiment's loss curves, a blow-up marked where it happened."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ui.charts import COLORS, TICKS, base_figure, finite
from ui.i18n import t

HEIGHT = 360
LINE = {
    "network": COLORS[1],
    "free": COLORS[4],
    "persistence": "#7f7f7f",
    "seasonal": "#bcbd22",
    "ar": COLORS[2],
    "hw": COLORS[5],
    "autoreg": COLORS[5],
}
DASH = {"persistence": "dot", "seasonal": "dash", "ar": "dashdot", "hw": "longdash", "autoreg": "longdash"}
# the learning-rate experiment: too high in red, each cure in its own colour, the failed cure dashed
ARM_LINE = {"high": COLORS[1], "low": COLORS[2], "clip": COLORS[0]}


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


def memory_figure(maps: Mapping[str, np.ndarray], height: int = 320) -> go.Figure:
    """The memory maps (name → (W,), largest = 1) as lines on a log scale, steps back along x: a memory that
    fades by the same factor each step back is a straight line down (the plain RNN's vanishing gradient)."""
    fig = base_figure(t("sequence.axis.lag"), t("sequence.axis.influence"), height=height, log_y=True)
    for i, (name, memory) in enumerate(maps.items()):
        m = np.asarray(memory, dtype=float)
        lags = np.arange(len(m), 0, -1)  # the oldest input is W steps back, the newest 1
        fig.add_scatter(
            x=lags, y=finite(np.maximum(m, 1e-6).tolist()), mode="lines+markers", name=name,
            line={"color": COLORS[i % len(COLORS)], "width": 3},
        )  # fmt: skip
    fig.update_xaxes(autorange="reversed", automargin=True)
    fig.update_layout(margin={"l": 60, "r": 10, "t": 40, "b": 60})  # room for the steps-back title
    return fig.update_yaxes(automargin=True, exponentformat="power", dtick=1)  # one tick a decade


LOSS_CEILING = 1e6  # the experiment's charts stop here: a loss of 1e35 would squash every cure to one line


def lr_figure(curves: Mapping[str, Sequence[float]], height: int = 400) -> go.Figure:
    """Step losses of one optimizer's runs (name like "sgd_high" → losses) on a log scale. A run whose
    loss stopped being finite ends in a cross at that step, with its last finite loss written beside it
    (it may be far above the chart's top), so the blow-up shows where it happened and how large it grew."""
    fig = base_figure(t("sequence.lr_axis_step"), t("sequence.lr_axis_loss"), height=height, log_y=True)
    low, high, blew = np.inf, 0.0, []
    for name, losses in curves.items():
        arr = np.asarray(losses, dtype=float)
        ok = np.isfinite(arr)
        kind = name.split("_", 1)[1]
        color = ARM_LINE.get(kind, COLORS[4])
        shown = np.minimum(np.where(ok, arr, np.nan), LOSS_CEILING * 10)  # off the top, not into the sky
        fig.add_scatter(
            x=np.arange(1, len(arr) + 1), y=finite(shown.tolist()), mode="lines",
            name=t(f"sequence.arm.{name}"), line={"color": color, "width": 2.5},
        )  # fmt: skip
        if ok.any():
            low, high = min(low, float(arr[ok].min())), max(high, float(arr[ok].max()))
        if not ok.all():  # a cross at the top where it blew up, its words inside the chart beside it
            step = int(np.flatnonzero(~ok)[0]) + 1
            peak = float(arr[ok].max()) if ok.any() else float("nan")
            fig.add_scatter(
                x=[step], y=[LOSS_CEILING], mode="markers", showlegend=False, hoverinfo="skip",
                marker={"symbol": "x", "size": 16, "color": color},
            )  # fmt: skip
            blew.append((t("sequence.lr_blew", step=step, peak=peak), color))
    for i, (text, color) in enumerate(blew):  # the words in the top right corner, under each other
        fig.add_annotation(
            x=0.98, y=0.98 - 0.2 * i, xref="paper", yref="paper", xanchor="right", yanchor="top", text=text,
            showarrow=False, align="right", font={"color": color, **TICKS}, bgcolor="rgba(255,255,255,0.85)",
        )  # fmt: skip
    if np.isfinite(low) and high > 0:
        top = min(max(high, 1.0) * 3, LOSS_CEILING * 3)
        bottom = max(low, 1e-8) / 2
        decades = np.log10(top) - np.log10(bottom)
        fig.update_yaxes(range=[np.log10(bottom), np.log10(top)], dtick=1 if decades <= 6 else 2)
    fig.update_layout(  # the legend under the axis title "step", not on it
        legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0, "font": TICKS},
        margin={"l": 60, "r": 10, "t": 10, "b": 10},
    )
    return fig.update_yaxes(automargin=True, exponentformat="power")
