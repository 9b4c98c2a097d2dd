"""The XOR lesson's figures (course part 1): the network drawn with its weights, the decision-boundary
heatmap, the loss curve, the truth table and small matrices as text. Plain data in, a figure out: no
streamlit here (ui/lessons/xor.py draws them)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from core import xor
from ui.charts import FONT, loss_chart
from ui.i18n import t

# loss chart and decision map side by side, under the buttons, in the first screen
CHART_HEIGHT = 300
POS, NEG = "#d62728", "#1f77b4"  # weight colours: red positive, blue negative (as TF Playground)
HOVER_SIZE = 16  # px: hover text, readable from the back of a room as everything else on the figures
TICK_SIZE = 18  # px: tick labels
UNIT_TICKS = {"tickvals": [0, 0.5, 1], "ticktext": ["0", "0.5", "1"]}  # the inputs' two values and between


def network_figure(
    values: dict, grads: list[list[list[float]]] | None = None, height: int = 360
) -> go.Figure:
    """Neurons as circles (filled by their activation for the chosen input), weights as lines.

    Line width and colour follow the weight (red +, blue −); hovering a line or neuron shows its values.
    `values` is `core.xor.network_values`; `grads` (per layer, (out, in)) adds ∂loss/∂w to the hover.
    """
    sizes, weights, biases, acts = values["sizes"], values["weights"], values["biases"], values["activations"]
    fig = go.Figure()
    pos = {}
    for layer, n in enumerate(sizes):
        for j in range(n):
            pos[layer, j] = (layer, (n - 1) / 2 - j)
    biggest = max((abs(w) for W in weights for row in W for w in row), default=1.0) or 1.0
    # one trace per colour and width (¼ px steps)
    edges: dict[tuple[str, float], tuple[list, list, list]] = {}
    for layer, W in enumerate(weights):
        for j, row in enumerate(W):
            for i, w in enumerate(row):
                (x0, y0), (x1, y1) = pos[layer, i], pos[layer + 1, j]
                hover = f"w[{layer + 1}]({j},{i}) = {w:+.3f}"
                if grads is not None:
                    hover += f"<br>∂L/∂w = {grads[layer][j][i]:+.4f}"
                xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
                style = (POS if w >= 0 else NEG, round(4 * (1 + 7 * abs(w) / biggest)) / 4)
                xs_, ys_, hovers = edges.setdefault(style, ([], [], []))
                xs_ += [x0, xm, x1, None]  # None: the pen lifts between two weights
                ys_ += [y0, ym, y1, None]
                hovers += [hover, hover, hover, ""]
    # a few traces, not one per weight (Plotly is slow)
    for (color, width), (xs_, ys_, hovers) in edges.items():
        fig.add_scatter(
            x=xs_,
            y=ys_,
            mode="lines",
            hoverinfo="text",
            text=hovers,
            line={"color": color, "width": width},
            showlegend=False,
        )
    xs, ys, colors, texts, labels = [], [], [], [], []
    for (layer, j), (x, y) in pos.items():
        a = acts[layer][j]
        xs.append(x)
        ys.append(y)
        colors.append(a)
        text = f"a = {a:.3f}"
        if layer > 0:
            text += f"<br>b = {biases[layer - 1][j]:+.3f}"
        texts.append(text)
        labels.append(f"{a:.2f}")
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        text=labels,
        textposition="middle center",
        hovertext=texts,
        hoverinfo="text",
        showlegend=False,
        textfont={"size": 17, "color": ["white" if abs(c - 0.5) > 0.3 else "black" for c in colors]},
        marker={
            "size": 56,
            "color": colors,
            "colorscale": "RdBu_r",
            "cmin": 0,
            "cmax": 1,
            "line": {"color": "#333", "width": 2},
        },
    )
    names = (
        [t("xor.layer_in")]
        + [t("xor.layer_hidden", i=i) for i in range(1, len(sizes) - 1)]
        + [t("xor.layer_out")]
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        font=FONT,
        hoverlabel={"font": {"size": HOVER_SIZE}},
        hovermode="closest",
        plot_bgcolor="white",
    )
    span = max(sizes) / 2 + 0.3
    fig.update_xaxes(
        tickvals=list(range(len(sizes))),
        ticktext=names,
        showgrid=False,
        zeroline=False,
        range=[-0.4, len(sizes) - 0.6],
        tickfont={"size": 18},
    )
    fig.update_yaxes(visible=False, range=[-span, span])
    return fig


def heatmap_figure(
    grid: tuple[list[float], list[float], list[list[float]]],
    gate_rows: list[dict],
    height: int = 380,
    title: str = "",
) -> go.Figure:
    """The model's output over the plane (blue 0 … red 1), the 0.5 boundary, and the four truth-table points.

    Ticks at 0, 0.5 and 1 on both axes; fixed margins leave room for the axis titles (not Plotly's
    automatic ones, so a live redraw never makes the map jump)."""
    # arrays, not lists: Plotly checks a list element by element
    xs, ys, z = (np.asarray(v, dtype=float) for v in grid)
    fig = go.Figure()
    fig.add_heatmap(
        x=xs,
        y=ys,
        z=z,
        zmin=0,
        zmax=1,
        colorscale="RdBu_r",
        opacity=0.85,
        showscale=False,  # the points say it: blue 0, red 1 (and the caption); the map keeps the width
        hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>p=%{z:.3f}<extra></extra>",
    )
    fig.add_contour(
        x=xs,
        y=ys,
        z=z,
        contours={"start": 0.5, "end": 0.5, "coloring": "none"},
        line={"color": "black", "width": 3},
        showscale=False,
        hoverinfo="skip",
        showlegend=False,
    )
    fig.add_scatter(
        x=[r["a"] for r in gate_rows],
        y=[r["b"] for r in gate_rows],
        mode="markers+text",
        text=[str(r["target"]) for r in gate_rows],
        textposition=["bottom right" if r["b"] else "top right" for r in gate_rows],  # inside the square
        textfont={"size": 20, "color": "black"},
        hoverinfo="skip",
        showlegend=False,
        marker={
            "size": 20,
            "color": [POS if r["target"] else NEG for r in gate_rows],
            "symbol": ["circle" if r["correct"] else "x" for r in gate_rows],
            "line": {"color": "white", "width": 2},
        },
    )
    fig.update_layout(
        height=height,
        margin={"l": 64, "r": 12, "t": 40 if title else 10, "b": 56},
        font=FONT,
        hoverlabel={"font": {"size": HOVER_SIZE}},
        title={"text": title, "font": {"size": 18}} if title else None,
        plot_bgcolor="white",
    )
    axis = {"constrain": "domain", "showgrid": False, "zeroline": False, "ticks": "outside", **UNIT_TICKS}
    fig.update_xaxes(title={"text": "x1", "standoff": 6}, range=[float(xs[0]), float(xs[-1])], **axis)
    fig.update_yaxes(
        title={"text": "x2", "standoff": 6}, range=[float(ys[0]), float(ys[-1])], scaleanchor="x", **axis
    )
    return fig


def loss_figure(
    trainer: xor.Trainer, height: int = CHART_HEIGHT, marker_epoch: int | None = None
) -> go.Figure:
    """The loss per batch and per epoch (log scale), a dotted line at `marker_epoch` (the replay's);
    before any training a short message where the curve will be, not an empty log axis."""
    if not trainer.steps:
        fig = go.Figure()
        fig.update_layout(
            height=height,
            margin={"l": 10, "r": 10, "t": 40, "b": 10},
            font=FONT,
            xaxis={"visible": False},
            yaxis={"visible": False},
            plot_bgcolor="#f7f7f9",
            annotations=[
                {
                    "text": t("xor.loss_empty"),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "showarrow": False,
                    "font": {"size": 20, "color": "#555"},
                }
            ],
        )
        return fig
    batches = math.ceil(4 / trainer.cfg.batch_size)
    fig = loss_chart(list(trainer.steps), list(trainer.history), batches, log_y=True)
    fig.update_layout(
        height=height,
        template="plotly_white",
        margin={"t": 40},
        showlegend=False,  # the per-batch and per-epoch curves are one line at batch 4; the axes say the rest
        hoverlabel={"font": {"size": HOVER_SIZE}},
    )
    fig.update_xaxes(tickfont={"size": TICK_SIZE})
    fig.update_yaxes(tickfont={"size": TICK_SIZE}, dtick=1)  # a label per power of ten, no 2s and 5s
    if marker_epoch is not None:
        fig.add_vline(x=marker_epoch * batches, line={"color": "#333", "width": 2, "dash": "dot"})
    return fig


def truth_table_rows(rows: list[dict]) -> list[dict]:
    """The truth table with output, confidence and a ✓/✗, with translated column names."""
    return [
        {
            "x1": r["a"],
            "x2": r["b"],
            t("xor.col_target"): r["target"],
            t("xor.col_output"): round(r["output"], 4),
            t("xor.col_pred"): r["prediction"],
            t("xor.col_conf"): f"{100 * r['confidence']:.1f}%",
            t("xor.col_ok"): "✓" if r["correct"] else "✗",
        }
        for r in rows
    ]


def matrix_text(m: list, digits: int = 3) -> str:
    """A list or list of lists printed like a small tensor."""
    if m and isinstance(m[0], list):
        return "[" + ",\n ".join("[" + ", ".join(f"{v:+.{digits}f}" for v in row) + "]" for row in m) + "]"
    return "[" + ", ".join(f"{v:+.{digits}f}" for v in m) + "]"
