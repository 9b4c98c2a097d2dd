"""The attention lesson's figures: every layer's and head's attention as heatmaps, the training curves, one
output's attention as bars, a matrix as LaTeX and the session's results as a table. Plain data in, a
figure out: no streamlit here (ui/lessons/attention.py draws them)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import attention as core_attention
from ui.charts import COLORS, FONT, TICKS, base_figure, finite
from ui.i18n import t

SEP = "→"  # how the separator token between a digit input and its answer is drawn


def token_labels(tokens, cfg: core_attention.AttentionConfig, vocab=None) -> list[str]:
    """What each token is drawn as: digits and "→", or characters (a newline as "⏎", a space as "␣")."""
    ids = [int(i) for i in np.asarray(tokens).ravel()]
    if cfg.task == "text":
        chars = vocab.decode(ids) if vocab is not None else "?" * len(ids)
        return [{"\n": "⏎", " ": "␣"}.get(c, c) for c in chars]
    return [SEP if i == core_attention.separator(cfg.digits) else str(i) for i in ids]


LARGE_TICKS = 20  # projector mode: token labels and panel titles read from the back row (at least 18 px)
LARGE_PANELS = 4  # projector mode: at most this many maps, two across, each wide enough for its labels
LARGE_ROW = 330  # projector mode: the least height of a row of maps, in px (two rows fit one 720-px screen)


def panels(n_layer: int, n_head: int, large: bool = False) -> list[tuple[int, int]]:
    """The (layer, head) pairs drawn: all of them, or in projector mode at most LARGE_PANELS, from the
    last layer on (where the answer's pattern is clearest)."""
    pairs = [(i, j) for i in range(n_layer) for j in range(n_head)]
    if not large or len(pairs) <= LARGE_PANELS:
        return pairs
    last = [(i, j) for i, j in pairs if i == n_layer - 1]
    return last[:LARGE_PANELS]


def heatmaps(
    att: np.ndarray, labels: list[str], height: int = 300, zmax: float = 1.0, large: bool = False
) -> go.Figure:
    """Every layer (rows) and head (columns): which position (x) each position (y) attends to.

    `large` (projector mode): fewer, larger maps (`panels`), two across, at least LARGE_ROW px a row, with
    LARGE_TICKS labels: eight maps in a row leave a 12-token axis about 10 px per token, too little for a
    label the back row reads."""
    n_layer, n_head = att.shape[:2]
    shown = panels(n_layer, n_head, large)
    cols = min(2, len(shown)) if large else n_head
    rows = -(-len(shown) // cols)
    titles = [t("attention.head_title", layer=i + 1, head=j + 1) for i, j in shown]
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        horizontal_spacing=0.08 if large else 0.03,
        vertical_spacing=(0.16 if large else 0.12) if rows > 1 else 0.05,
    )
    for n, (i, j) in enumerate(shown):
        fig.add_heatmap(
            z=att[i, j],
            zmin=0,
            zmax=zmax,
            colorscale="Blues",
            showscale=False,
            hovertemplate=t("attention.hover") + "<extra></extra>",
            row=n // cols + 1,
            col=n % cols + 1,
        )
    # positions on the axes, drawn as their tokens; a long text's characters would not fit
    positions = list(range(len(labels)))
    ticks = {"tickmode": "array", "tickvals": positions, "ticktext": labels} if len(labels) <= 16 else {}
    size = LARGE_TICKS if large else None
    fig.update_yaxes(autorange="reversed", tickfont={"size": size or 10}, showticklabels=True, **ticks)
    fig.update_xaxes(tickfont={"size": size or 12}, tickangle=0, **ticks)
    for r in range(rows):  # the query labels once, on the left (in projector mode beside each map: far apart)
        for c in range(1, 1 if large else cols):
            fig.update_yaxes(showticklabels=False, row=r + 1, col=c + 1)
    fig.update_annotations(font={"size": size or 14})
    top = 40 if large else 30
    height = max(height, LARGE_ROW * rows) if large else height
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": top, "b": 10}, font=FONT)
    return fig


def curves(steps: list[dict], ep: list[dict], task: str, height: int = 300) -> go.Figure:
    """The loss per update (`steps`, left axis) and, from the epoch records `ep`, for digits the share of
    held-out sequences the model writes right by itself and the share of digits right when shown the
    answer so far (right axis, %), for text the held-out loss."""
    fig = base_figure(t("chart.step"), t("chart.loss"), height=height)
    # short names in small type: in a narrow column the usual legend would take three lines of the chart
    fig.update_layout(
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 13}},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    if steps:
        fig.add_scatter(
            x=[s["step"] for s in steps],
            y=finite([s.get("loss") for s in steps]),
            mode="lines",
            name=t("attention.legend.loss"),
            line={"color": COLORS[0], "width": 1.5},
        )
    if task == "text":
        fig.add_scatter(
            x=[r["step"] for r in ep],
            y=finite([r.get("val_loss") for r in ep]),
            mode="lines+markers",
            name=t("attention.val_loss"),
            line={"color": COLORS[1], "width": 3},
        )
        return fig
    for key, color, dash in (("acc", COLORS[2], "solid"), ("token_acc", COLORS[3], "dot")):
        fig.add_scatter(
            x=[r["step"] for r in ep],
            y=[100 * r[key] for r in ep if key in r],
            mode="lines+markers",
            name=t(f"attention.legend.{key}"),
            yaxis="y2",
            line={"color": color, "width": 3, "dash": dash},
        )
    fig.update_layout(
        yaxis2={
            "title": "%",
            "overlaying": "y",
            "side": "right",
            "range": [0, 102],
            "tickvals": [0, 25, 50, 75, 100],
            "tickfont": TICKS,
        }
    )
    return fig


def row_bars(weights: np.ndarray, labels: list[str], height: int = 240) -> go.Figure:
    """One output position's attention over the positions it may read (a bar per input position)."""
    fig = go.Figure(
        go.Bar(
            x=list(range(len(labels))),
            y=weights,
            marker_color=[COLORS[1] if w == weights.max() else COLORS[0] for w in weights],
            customdata=labels,
            hovertemplate="%{customdata} (%{x}): %{y:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font=FONT,
        yaxis={"range": [0, 1], "title": t("attention.weight")},
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "tickfont": TICKS,
        },
    )
    return fig


def position_errors(errors: np.ndarray, height: int = 200) -> go.Figure:
    """The share of wrong digits (%) at each answer position (a bar per position, 1-based)."""
    x = [str(i + 1) for i in range(len(errors))]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=100 * np.asarray(errors),
            marker_color=COLORS[1],
            hovertemplate="%{x}: %{y:.1f}%<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font=FONT,
        yaxis={
            "range": [0, max(5.0, 100 * float(np.max(errors)) * 1.1)],
            "title": t("attention.hard_errors_axis"),
        },
        xaxis={"title": t("attention.hard_position_axis"), "tickfont": TICKS, "type": "category"},
    )
    return fig


def wrong_heatmap(att: np.ndarray, row: int, labels: list[str], seen: int, height: int = 220) -> go.Figure:
    """Where every head (a row: layer, head) looks from row `row` of att (n_layer, n_head, T, T), over the
    first `seen` positions (columns, `labels`): those it may read (all of them with the mask off)."""
    n_layer, n_head = att.shape[:2]
    z = att[:, :, row, :seen].reshape(n_layer * n_head, seen)  # (layers x heads, seen)
    names = [
        t("attention.head_title", layer=i + 1, head=j + 1) for i in range(n_layer) for j in range(n_head)
    ]
    cols = [f"{k + 1}:{name}" for k, name in enumerate(labels[:seen])]  # unique even for repeated digits
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=cols,
            y=names,
            zmin=0,
            zmax=1,
            colorscale="Blues",
            hovertemplate="%{y} → %{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font=FONT,
        xaxis={"tickmode": "array", "tickvals": cols, "ticktext": labels[:seen], "tickfont": TICKS},
        yaxis={"autorange": "reversed", "tickfont": TICKS},
    )
    return fig


def matrix_tex(m: np.ndarray, digits: int = 2) -> str:
    """A matrix as LaTeX (bmatrix); -inf as -\\infty."""
    rows = []
    for row in np.atleast_2d(m):
        rows.append(" & ".join("-\\infty" if np.isneginf(v) else f"{v:.{digits}f}" for v in row))
    return "\\begin{bmatrix}" + " \\\\ ".join(rows) + "\\end{bmatrix}"


def results_table(results: list[dict]) -> list[dict]:
    """Finished runs (the lesson's `remember` records) as table rows, in the student's language."""
    rows = []
    for r in results:
        row = {
            t("attention.col.task"): t(f"attention.task.{r['task']}"),
            t("attention.col.experiment"): t(f"attention.experiment.{r['experiment']}"),
        }
        if r["task"] == "text":
            row[t("attention.col.val_loss")] = None if r["val_loss"] is None else round(r["val_loss"], 3)
        else:
            row[t("attention.col.acc")] = None if r["acc"] is None else f"{100 * r['acc']:.1f}%"
            token_acc = r["token_acc"]
            row[t("attention.col.token_acc")] = None if token_acc is None else f"{100 * token_acc:.1f}%"
            row[t("attention.col.first_99")] = None if r["first_99"] is None else round(r["first_99"], 1)
        row[t("attention.col.seconds")] = None if r["seconds"] is None else round(r["seconds"], 1)
        rows.append(row)
    return rows
