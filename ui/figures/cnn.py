"""The CNN lesson's figures (course 000, Part 2): the preprocessing steps as thumbnails, feature-map and
kernel grids, saliency and occlusion overlays, the probability bars, the confusion matrix and the training
curves. Plain arrays and records in, a NumPy image or a Plotly figure out: no streamlit here
(ui/lessons/cnn.py and ui/panels/cnn.py draw them)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from core.images import to_uint8
from core.preprocess import Steps
from ui.charts import base_figure, epoch_chart, loss_chart
from ui.i18n import t

BEST, OTHER = "#e4572e", "#7f9bb3"  # the probability bars: the predicted digit, the nine others
BOX = (255, 80, 80)  # the red frame around the ink in a thumbnail


# -- images ------------------------------------------------------------------------------------
def enlarge(a: np.ndarray, size: int = 112) -> np.ndarray:
    """Nearest-neighbour enlargement (pixels stay visible), longer side = `size`, on a dark square."""
    img = Image.fromarray(to_uint8(a))
    h, w = a.shape
    scale = size / max(h, w)
    img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.NEAREST)
    canvas = Image.new("L", (size, size), 0)
    canvas.paste(img, ((size - img.width) // 2, (size - img.height) // 2))
    return np.asarray(canvas)


def boxed(source: np.ndarray, boxes: Sequence[tuple[int, int, int, int]], size: int = 112) -> np.ndarray:
    """`source` as an RGB thumbnail with each (top, left, bottom, right) box drawn in red."""
    framed = np.stack([to_uint8(source)] * 3, -1)
    line = max(1, max(source.shape) // 112)  # about one pixel of the thumbnail
    for top, left, bottom, right in boxes:
        framed[top:bottom, left : left + line] = framed[top:bottom, right - line : right] = BOX
        framed[top : top + line, left:right] = framed[bottom - line : bottom, left:right] = BOX
    h, w = source.shape
    scale = size / max(h, w)
    thumb = Image.fromarray(framed).resize(
        (max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BILINEAR
    )
    return np.asarray(thumb)


def step_images(steps: Steps) -> list[tuple[str, np.ndarray]]:
    """(caption, image) per preprocessing step, each enlarged to the same square for display."""
    thumb = boxed(steps.source, [steps.bbox])
    h, w = steps.cropped.shape
    sh, sw = steps.scaled.shape
    return [
        (t("cnn.step.source"), thumb),
        (t("cnn.step.cropped", h=h, w=w), enlarge(steps.cropped)),
        (t("cnn.step.scaled", h=sh, w=sw), enlarge(steps.scaled)),
        (t("cnn.step.final", dy=steps.shift[0], dx=steps.shift[1]), enlarge(steps.final)),
    ]


def grid(
    maps: np.ndarray, cols: int = 8, cell: int = 52, gap: int = 2, diverging: bool = False
) -> np.ndarray:
    """(C, h, w) maps tiled into one RGB image, each map scaled to its own range (kernels: blue-red)."""
    c = maps.shape[0]
    rows = -(-c // cols)
    out = np.full((rows * (cell + gap) - gap, cols * (cell + gap) - gap, 3), 235, dtype=np.uint8)
    for i, m in enumerate(maps):
        if diverging:
            # [-1, 1]: red positive, blue negative, white zero
            v = m / (np.abs(m).max() + 1e-8)
            rgb = np.stack([1 - np.clip(-v, 0, 1), 1 - np.abs(v), 1 - np.clip(v, 0, 1)], -1)
        else:
            v = (m - m.min()) / (m.max() - m.min() + 1e-8)
            rgb = np.stack([v] * 3, -1)
        img = Image.fromarray(to_uint8(rgb)).resize((cell, cell), Image.Resampling.NEAREST)
        top, left = (k * (cell + gap) for k in divmod(i, cols))
        out[top : top + cell, left : left + cell] = np.asarray(img)
    return out


def heat_overlay(image28: np.ndarray, heat: np.ndarray, size: int = 168) -> np.ndarray:
    """The digit in grey with `heat` in red on top, enlarged."""
    g = np.asarray(image28, dtype=np.float32) * 0.6
    hmax = float(heat.max())
    h = heat / hmax if hmax > 0 else heat
    rgb = np.stack([np.maximum(g, h), g * (1 - h), g * (1 - h)], -1)
    return np.asarray(Image.fromarray(to_uint8(rgb)).resize((size, size), Image.Resampling.NEAREST))


def shapes_table(shapes: Sequence[tuple[str, tuple[int, ...]]]) -> str:
    """The layers and their output shapes (core.cnn.architecture_shapes) as a Markdown table."""
    table = [f"| {t('cnn.inside.layer')} | {t('cnn.inside.shape')} |", "| --- | --- |"]
    return "\n".join(table + [f"| {name} | {'×'.join(map(str, shape))} |" for name, shape in shapes])


# -- charts ------------------------------------------------------------------------------------
def prob_chart(probs: np.ndarray, height: int = 220) -> go.Figure:
    """The ten digits' probabilities as bars, the predicted one in orange."""
    best = int(np.argmax(probs))
    fig = base_figure(t("cnn.digit"), t("cnn.probability"))
    fig.add_bar(
        x=[str(i) for i in range(10)],
        y=[float(p) for p in probs],
        marker_color=[BEST if i == best else OTHER for i in range(10)],
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    fig.update_layout(height=height, showlegend=False, margin=dict(l=10, r=10, t=10, b=10))
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    fig.update_xaxes(type="category")
    return fig


def confusion_figure(cm: np.ndarray) -> go.Figure:
    """The confusion matrix: true digits down, predicted across (on top), counts in the cells."""
    labels = [str(i) for i in range(cm.shape[0])]
    fig = go.Figure(
        go.Heatmap(
            z=cm,
            x=labels,
            y=labels,
            colorscale="Blues",
            text=cm,
            texttemplate="%{text}",
            hovertemplate=t("cnn.eval.hover") + "<extra></extra>",
            showscale=False,
        )
    )
    fig.update_layout(
        height=440,
        margin=dict(l=60, r=10, t=60, b=10),
        font={"size": 16},
        xaxis_title=t("cnn.eval.predicted"),
        yaxis_title=t("cnn.eval.true"),
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    return fig


def loss_figure(steps: Sequence[dict], epochs: Sequence[dict], batches: int | None) -> go.Figure:
    """A run's per-batch loss (its step records) and per-epoch losses; `batches` per epoch places the
    epochs on the steps."""
    return loss_chart([(s["step"], s["loss"]) for s in steps], epochs, batches)


def accuracy_figure(epochs: Sequence[dict]) -> go.Figure:
    """Training and test accuracy per epoch, in percent. The epoch axis has whole-number ticks (Plotly
    would mark 1, 1.5, 2 after two epochs), about ten at most however long the run."""
    fig = epoch_chart(
        epochs,
        [("train_acc", t("chart.train")), ("val_acc", t("cnn.test_split"))],
        t("chart.accuracy"),
        percent=True,
    )
    fig.update_yaxes(range=[0, 101])
    last = max((r["epoch"] for r in epochs if r.get("kind") == "epoch"), default=1)
    fig.update_xaxes(tick0=1, dtick=max(1, math.ceil(last / 10)), tickformat="d")
    return fig
