"""What the generative lessons (GAN, cGAN, diffusion) draw alike: grids of digits, their PNG and GIF bytes,
and the histogram of the digits the shipped CNN reads in them (a spike is mode collapse).

Grids go through `torchvision.utils.make_grid` (core.images.tile), as the course's `save_image(..., nrow=5)`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image

from core import images as core_images
from ui.charts import COLORS, base_figure
from ui.i18n import t


def grid_image(images: torch.Tensor | np.ndarray, nrow: int, scale: int = 3, padding: int = 2) -> np.ndarray:
    """(N, 1, S, S) or (N, S, S) in [0, 1] (or uint8) -> one uint8 (H, W) image on a dark grey frame,
    enlarged `scale`x."""
    return core_images.tile(images, nrow, padding=padding, pad_value=0.25, scale=scale)


def grid_floats(grid: np.ndarray) -> torch.Tensor:
    """A training record's uint8 grid (N, S, S) as the images a classifier reads: (N, 1, S, S) in [0, 1]."""
    return torch.from_numpy(grid[:, None]).float() / 255


def png_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def gif_bytes(frames: Sequence[np.ndarray], ms: int = 300) -> bytes:
    """Frames (H, W) uint8 -> an animated GIF that loops (the interpolation / epoch animations)."""
    buf = io.BytesIO()
    pictures = [Image.fromarray(f) for f in frames]
    pictures[0].save(buf, format="GIF", save_all=True, append_images=pictures[1:], duration=ms, loop=0)
    return buf.getvalue()


def digit_histogram(shares: np.ndarray, highlight: int | None = None, height: int = 280) -> go.Figure:
    """Share of samples the CNN reads as each digit; ideal is about 10 % each (a spike = mode collapse)."""
    fig = base_figure(t("gan.v.digit"), t("gan.v.share"), height=height)
    colors = [COLORS[1] if highlight is not None and d == highlight else COLORS[0] for d in range(10)]
    fig.add_bar(
        x=[str(d) for d in range(10)], y=[100 * v for v in shares], marker_color=colors, name=t("gan.v.share")
    )
    fig.add_hline(y=10, line_dash="dot", line_color="gray")
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    # every digit labelled
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    return fig
