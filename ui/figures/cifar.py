"""Figures of the image-classification guide page, from plain data (records, arrays): Plotly figures and
uint8 image tiles. No streamlit here."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.charts import COLORS, base_figure, finite
from ui.i18n import t


def tile(images: np.ndarray, per_row: int, zoom: int = 2, pad: int = 1) -> np.ndarray:
    """Images (N, H, W) or (N, H, W, 3), uint8 or floats in [0, 1] → one uint8 picture, `zoom`× larger,
    on a grey frame: (rows·(H+pad)·zoom, …) grey or with its 3 colour channels."""
    a = np.asarray(images)
    if a.dtype != np.uint8:
        a = (np.clip(a, 0, 1) * 255).round().astype(np.uint8)
    n, h, w = a.shape[:3]
    colour = a.ndim == 4
    rows = max(1, -(-n // per_row))
    shape = (rows * (h + pad) + pad, per_row * (w + pad) + pad) + ((3,) if colour else ())
    out = np.full(shape, 64, dtype=np.uint8)
    for i in range(n):
        r, c = divmod(i, per_row)
        out[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = a[
            i
        ]
    return out.repeat(zoom, axis=0).repeat(zoom, axis=1)


def to_hwc(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) floats → (N, H, W) for one channel, (N, H, W, 3) for three: what `tile` takes."""
    x = np.asarray(x)
    return x[:, 0] if x.shape[1] == 1 else x.transpose(0, 2, 3, 1)


def channel_images(image: np.ndarray) -> list[np.ndarray]:
    """One (C, H, W) image's channels apart, each tinted in its colour (R, G, B) or grey for one channel."""
    if image.shape[0] == 1:
        return [image[0]]
    out = []
    for c in range(3):
        rgb = np.zeros(image.shape[1:] + (3,), dtype=np.float32)
        rgb[..., c] = image[c]
        out.append(rgb)
    return out


def progress_points(steps: Sequence[dict], epochs: Sequence[dict]) -> list[dict]:
    """Every evaluation of a run as {"x": epochs done (fractional), "train_acc", "test_acc", "test_loss"}:
    the few per epoch in step records, and each epoch's end."""
    points = [
        {
            "x": r["epoch"] - 1 + r["batch"] / r["batches"],
            **{k: r[k] for k in ("train_acc", "test_acc", "test_loss")},
        }
        for r in steps
        if "test_acc" in r
    ]
    points += [
        {"x": float(r["epoch"]), **{k: r.get(k) for k in ("train_acc", "test_acc", "test_loss")}}
        for r in epochs
        if r.get("kind") == "epoch" and "test_acc" in r
    ]
    return sorted(points, key=lambda p: p["x"])


def accuracy_figure(points: Sequence[dict], height: int = 300) -> go.Figure:
    """Training and test accuracy (%) against epochs: the gap between them is overfitting."""
    fig = base_figure(t("cifar.chart.progress"), t("cifar.chart.rate"), height=height)
    x = [p["x"] for p in points]
    for i, key in enumerate(("train_acc", "test_acc")):
        ys = [None if p.get(key) is None else 100 * p[key] for p in points]
        name = t("cifar.chart.train" if key == "train_acc" else "cifar.chart.test")
        fig.add_scatter(
            x=x, y=finite(ys), mode="lines+markers", name=name, line={"color": COLORS[i], "width": 3}
        )
    fig.update_yaxes(ticksuffix="%")
    fig.update_xaxes(rangemode="tozero")
    return fig


def loss_figure(steps: Sequence[dict], points: Sequence[dict], height: int = 300) -> go.Figure:
    """The per-batch training loss (thin) and the test loss at each evaluation, against epochs."""
    fig = base_figure(t("cifar.chart.progress"), t("cifar.chart.loss"), height=height)
    xs = [r["epoch"] - 1 + r["batch"] / r["batches"] for r in steps if "loss" in r]
    ys = [r["loss"] for r in steps if "loss" in r]
    fig.add_scatter(
        x=xs, y=finite(ys), mode="lines", name=t("cifar.chart.train"), line={"color": COLORS[0], "width": 1}
    )
    fig.add_scatter(
        x=[p["x"] for p in points],
        y=finite([p.get("test_loss") for p in points]),
        mode="lines+markers",
        name=t("cifar.chart.test"),
        line={"color": COLORS[1], "width": 3},
    )
    return fig


def per_class_figure(names: Sequence[str], accuracy: np.ndarray, height: int = 320) -> go.Figure:
    """Each class's accuracy (%) as a bar."""
    fig = base_figure("", t("cifar.chart.rate"), height=height)
    fig.add_bar(x=list(names), y=finite([100 * float(a) for a in accuracy]), marker_color=COLORS[0])
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    fig.update_layout(hovermode="closest")
    return fig


def confusion_figure(matrix: np.ndarray, names: Sequence[str], height: int = 460) -> go.Figure:
    """The confusion matrix as a heatmap (rows: true class, columns: prediction), counts in the cells; a
    click on a cell selects it (its x and y are the class names). The diagonal is left out of the colour
    scale so that the mistakes stand out."""
    m = np.asarray(matrix)
    off = m.copy()
    np.fill_diagonal(off, 0)
    fig = go.Figure(
        go.Heatmap(
            z=off,
            x=list(names),
            y=list(names),
            text=m,
            texttemplate="%{text}",
            colorscale="Reds",
            showscale=False,
            hoverinfo="skip",  # the markers on top answer the hover and the click
        )
    )
    # heatmaps cannot be selected in Plotly: an invisible square marker on every cell takes the click
    n = len(names)
    fig.add_scatter(
        x=[names[j] for i in range(n) for j in range(n)],
        y=[names[i] for i in range(n) for j in range(n)],
        mode="markers",
        customdata=[int(m[i, j]) for i in range(n) for j in range(n)],
        marker={"symbol": "square", "size": 30, "opacity": 0},
        hovertemplate=f"{t('cifar.chart.true')}: %{{y}}<br>{t('cifar.chart.pred')}: %{{x}}<br>%{{customdata}}<extra></extra>",
        showlegend=False,
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_title=t("cifar.chart.pred"),
        yaxis_title=t("cifar.chart.true"),
        yaxis={"autorange": "reversed"},
        clickmode="event+select",
        dragmode=False,
    )
    return fig


def topk_figure(names: Sequence[str], probs: Sequence[float], height: int = 200) -> go.Figure:
    """The top classes' probabilities as horizontal bars, the likeliest on top."""
    fig = base_figure(t("cifar.chart.prob"), "", height=height)
    fig.add_bar(
        x=[100 * p for p in probs][::-1],
        y=list(names)[::-1],
        orientation="h",
        marker_color=COLORS[0],
        text=[f"{100 * p:.1f}%" for p in probs][::-1],
        textposition="auto",
    )
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def faq_figure(epochs: Sequence[dict], height: int = 300) -> go.Figure:
    """The symptom's and the cure's training (dashed) and test (solid) accuracy per epoch."""
    fig = base_figure(t("cifar.chart.progress"), t("cifar.chart.rate"), height=height)
    for run in ("symptom", "cure"):
        rs = [r for r in epochs if r.get("run") == run and "test_acc" in r]
        label = t(f"cifar.faq.run.{run}")
        for key, dash in (("train_acc", "dash"), ("test_acc", "solid")):
            which = t("cifar.chart.train" if key == "train_acc" else "cifar.chart.test")
            fig.add_scatter(
                x=[r["epoch"] for r in rs],
                y=finite([100 * r[key] for r in rs]),
                mode="lines+markers",
                name=t("cifar.faq.legend", run=label, which=which),
                line={"color": COLORS[1 if run == "symptom" else 2], "width": 3, "dash": dash},
            )
    fig.update_yaxes(ticksuffix="%", range=[0, 100])
    return fig
