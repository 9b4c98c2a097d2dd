"""The VAE lesson's figures: the clickable latent map with its digit labels, digit images scaled up with
sharp pixels, and the training curves. Pure Plotly and Pillow (no streamlit): built from plain arrays.

The map is a Plotly scatter of encoded test digits coloured by label, plus a dense grid of invisible
points, so a click anywhere (even in a gap between clusters) selects a point that the page decodes.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image

from core import images
from ui.charts import FONT
from ui.i18n import t

DIGIT_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
CLICK_GRID = 61  # invisible click targets per axis
PLOT_CONFIG = {"displayModeBar": False}  # the toolbar would cover the legend; zooming is not needed
LABEL_GAP = 0.11  # the least distance between two digit labels, as a fraction of the plot's width/height
# z₁ and z₂ as Plotly subscripts (drawn at 70 % of the title's size; a Unicode ₁ is smaller still): the
# title's size keeps the subscript at 18 px, readable on a projector
Z_TITLE = {"size": 26}
LABEL_OUTLINE = "-1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 1px 1px 0 #fff, 0 0 3px #fff"


def latent_figure(
    points: np.ndarray,
    labels: np.ndarray,
    box,
    marker: tuple[float, float] | None = None,
    clickable: bool = False,
    height: int = 460,
    extra: tuple[float, float] | None = None,
) -> go.Figure:
    """Test digits coloured by label; a star at `marker` (the decoded point); a diamond at `extra`."""
    fig = go.Figure()
    if clickable:  # invisible targets first, so they sit below the digits
        gx, gy = np.meshgrid(np.linspace(box[0], box[1], CLICK_GRID), np.linspace(box[2], box[3], CLICK_GRID))
        fig.add_scatter(
            x=gx.ravel(),
            y=gy.ravel(),
            mode="markers",
            name="grid",
            showlegend=False,
            marker={"size": 12, "color": "rgba(0,0,0,0)"},
            hoverinfo="none",
        )
    for d in range(10):
        m = labels == d
        if m.any():
            fig.add_scatter(
                x=points[m, 0],
                y=points[m, 1],
                mode="markers",
                name=str(d),
                marker={"size": 6, "color": DIGIT_COLORS[d], "opacity": 0.75},
                hovertemplate=f"{d}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            )
    if extra is not None:
        fig.add_scatter(
            x=[extra[0]],
            y=[extra[1]],
            mode="markers",
            name=t("vae.drawn"),
            marker={
                "size": 20,
                "symbol": "diamond",
                "color": "white",
                "line": {"width": 3, "color": "black"},
            },
        )
    if marker is not None:
        fig.add_scatter(
            x=[marker[0]],
            y=[marker[1]],
            mode="markers",
            name=t("vae.here"),
            marker={"size": 22, "symbol": "star", "color": "gold", "line": {"width": 2, "color": "black"}},
            hoverinfo="skip",
        )
    span_x, span_y = box[1] - box[0], box[3] - box[2]
    for d, (cx, cy), (lx, ly) in digit_labels(points, labels, box):
        # pushed well off its median: the label sits at (lx, ly), a thin line points back to the median
        moved = np.hypot((lx - cx) / span_x, (ly - cy) / span_y) > LABEL_GAP / 3
        fig.add_annotation(
            x=cx if moved else lx,
            y=cy if moved else ly,
            ax=lx,
            ay=ly,
            axref="x",
            ayref="y",
            text=f"<b>{d}</b>",
            showarrow=bool(moved),
            arrowhead=0,
            arrowwidth=1.5,
            arrowcolor=DIGIT_COLORS[d],
            standoff=2,
            font={"size": 22, "color": DIGIT_COLORS[d], "shadow": LABEL_OUTLINE},
        )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font=FONT,
        xaxis_title={"text": "z<sub>1</sub>", "font": Z_TITLE},
        yaxis_title={"text": "z<sub>2</sub>", "font": Z_TITLE},
        showlegend=False,
        dragmode=False,
        hovermode="closest",
        clickmode="event+select",
    )
    fig.update_xaxes(range=[box[0], box[1]], zeroline=True)
    fig.update_yaxes(range=[box[2], box[3]], zeroline=True)
    return fig


def digit_labels(points: np.ndarray, labels: np.ndarray, box, gap: float = LABEL_GAP) -> list[tuple]:
    """(digit, its cluster's median, where its label goes) for each digit with at least 3 points.

    The medians of overlapping clusters (the middle of a VAE's map) lie close together, and labels put
    there cover each other: each pair closer than `gap` (in fractions of the plot) is pushed apart along
    the line between them, a little at a time, until no pair is too close. Deterministic: same map, same
    labels."""
    found = [(d, np.median(points[labels == d], axis=0)) for d in range(10) if (labels == d).sum() >= 3]
    if not found:
        return []
    x0, x1, y0, y1 = box
    span = np.array([x1 - x0, y1 - y0], dtype=float)
    lo = np.array([x0, y0], dtype=float)
    pos = (np.array([m for _, m in found], dtype=float) - lo) / span  # (n, 2) in [0, 1] of the plot
    margin = gap / 2
    pos = np.clip(pos, margin, 1 - margin)
    for _ in range(500):
        moved = False
        for i in range(len(pos)):
            for j in range(i + 1, len(pos)):
                diff = pos[j] - pos[i]
                dist = float(np.hypot(*diff))
                if dist >= gap:
                    continue
                if dist < 1e-6:  # the same place: part them along a direction fixed by the pair
                    angle = 2.399963 * (i + 7 * j)  # golden angle: a different direction for each pair
                    diff, dist = np.array([np.cos(angle), np.sin(angle)]), 1.0
                push = (gap - dist) / 2 * 1.01 * diff / dist
                pos[i] -= push
                pos[j] += push
                moved = True
        pos = np.clip(pos, margin, 1 - margin)
        if not moved:
            break
    return [
        (d, (float(m[0]), float(m[1])), tuple(map(float, lo + p * span))) for (d, m), p in zip(found, pos)
    ]


def big(img: np.ndarray | torch.Tensor, size: int = 196) -> Image.Image:
    """A 28x28 (or tiled) image in [0, 1] or uint8, scaled up with sharp pixels."""
    a = img.detach().cpu().numpy() if isinstance(img, torch.Tensor) else np.asarray(img)
    a = a.reshape(a.shape[-2:])
    if a.dtype != np.uint8:
        a = images.to_uint8(a)
    scale = max(1, size // a.shape[0])
    return Image.fromarray(a).resize((a.shape[1] * scale, a.shape[0] * scale), Image.NEAREST)


def rows_image(top: torch.Tensor, bottom: torch.Tensor) -> Image.Image:
    """Inputs above, reconstructions below (the course's figure): (N, 1, 28, 28) each."""
    n = len(top)
    return big(tile(torch.cat([top, bottom]), n, pad=2), size=28 * 6 * 2)


def strip(digits: torch.Tensor) -> Image.Image:
    return big(tile(digits, len(digits), pad=2), size=28 * 6)


def tile(digits: torch.Tensor, ncol: int, pad: int = 0) -> np.ndarray:
    """(N, 1, 28, 28) side by side, `ncol` per row, `pad` black pixels between them but not around."""
    grid = images.tile(digits, ncol, padding=pad)  # (H, W) uint8, framed by `pad` pixels
    return grid[pad : grid.shape[0] - pad, pad : grid.shape[1] - pad]


def curves(records: list[dict]) -> go.Figure:
    """Reconstruction and KL per epoch (train and test) from a job's records, two y-axes so the small KL
    stays visible."""
    ep = [r for r in records if r.get("kind") == "epoch"]
    fig = go.Figure()
    xs = [r["epoch"] for r in ep]
    fig.add_scatter(
        x=xs,
        y=[r["recon"] for r in ep],
        name=t("vae.curve.recon"),
        mode="lines+markers",
        line={"color": "#1f77b4", "width": 3},
    )
    if ep and "val_recon" in ep[0]:
        fig.add_scatter(
            x=xs,
            y=[r["val_recon"] for r in ep],
            name=t("vae.curve.val_recon"),
            mode="lines+markers",
            line={"color": "#1f77b4", "width": 2, "dash": "dot"},
        )
    fig.add_scatter(
        x=xs,
        y=[r["kl"] for r in ep],
        name="KL",
        mode="lines+markers",
        yaxis="y2",
        line={"color": "#d62728", "width": 3},
    )
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font=FONT,
        legend={"orientation": "h", "y": 1.15, "x": 0},
        xaxis_title=t("chart.epoch"),
        yaxis={"title": t("vae.curve.recon_axis")},
        yaxis2={"title": "KL", "overlaying": "y", "side": "right", "rangemode": "tozero"},
    )
    return fig
