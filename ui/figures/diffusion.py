"""The diffusion page's figures: the reverse process as a strip and an animation, the forward process under
both noise schedules, the training charts, the judge's histogram and the guidance trade-off.

Grids, GIF bytes and the digit histogram are ui.figures.images' (the GAN pages draw them too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image, ImageDraw, ImageFont

from core import diffusion as core_diffusion
from ui.charts import COLORS, base_figure, finite
from ui.figures.images import digit_histogram, gif_bytes, grid_image
from ui.i18n import t

Schedules = Mapping[str, core_diffusion.NoiseSchedule]  # {"linear": ..., "cosine": ...}
SCHEDULE_VALUES = {"alpha_bar": "alphas_cumprod", "beta": "betas", "snr": "snr"}  # quantity: attribute


# -- the reverse process ---------------------------------------------------------------------------
def pick_frames(frames: Sequence, k: int = 10) -> list:
    """About k frames evenly over the run, the first and the last always."""
    if len(frames) <= k:
        return list(frames)
    idx = np.unique(np.linspace(0, len(frames) - 1, k).round().astype(int))
    return [frames[i] for i in idx]


def strip_image(frames: Sequence, final: torch.Tensor, scale: int = 3) -> np.ndarray:
    """Two rows: x_t at each picked step (top) and the model's x0_hat at that step (bottom); the final
    digit closes both rows."""
    # (k + 1, 1, 28, 28)
    top = torch.cat([f.x[:1] for f in frames] + [final[:1]])
    bottom = torch.cat([f.x0[:1] for f in frames] + [final[:1]])
    return grid_image(torch.cat([top, bottom]), nrow=len(top), scale=scale)


def final_image(final: torch.Tensor) -> np.ndarray:
    """The digit the reverse process ends in, enlarged, without a frame."""
    return grid_image(final[:1], nrow=1, scale=5, padding=0)


def reverse_gif(
    frames: Sequence,
    final: torch.Tensor,
    readings: Sequence[tuple[int, float] | None] | None = None,
    final_reading: tuple[int, float] | None = None,
) -> bytes:
    """x_t at every step, one frame each, holding the final digit a little longer (the page's animation).

    With `readings` (one per frame: the CNN's (digit, confidence) of that frame, or None while it is noise)
    each frame carries its own reading in a band below it, so the picture and its reading always agree."""
    pics = [grid_image(f.x[:1], nrow=1, scale=5, padding=0) for f in frames]
    pics += [final_image(final)] * 8
    if readings is not None:
        assert len(readings) == len(frames), f"one reading per frame: {len(readings)} for {len(frames)}"
        labels = list(readings) + [final_reading] * 8
        pics = [with_reading(p, r) for p, r in zip(pics, labels)]
    return gif_bytes(pics, ms=120)


def with_reading(picture: np.ndarray, reading: tuple[int, float] | None, band: int = 34) -> np.ndarray:
    """`picture` (H, W) uint8 over a black band that shows `reading` as "3 (97%)", or stays empty (None).

    Digits and a percent sign only: they read the same in every language, with Pillow's own font."""
    img = Image.new("L", (picture.shape[1], picture.shape[0] + band), 0)
    img.paste(Image.fromarray(picture), (0, 0))
    if reading is not None:
        text = f"{reading[0]} ({reading[1]:.0%})"
        draw = ImageDraw.Draw(img)
        font = ImageFont.load_default(size=band - 8)
        width = draw.textlength(text, font=font)
        draw.text(((img.width - width) / 2, picture.shape[0] + 3), text, fill=255, font=font)
    return np.asarray(img)


# -- the forward process ----------------------------------------------------------------------------
def forward_pictures(
    schedules: Schedules, x0: torch.Tensor, t_index: int, seed: int
) -> dict[str, np.ndarray]:
    """The digit noised to step t under each schedule, with the same noise: {schedule: uint8 picture}."""
    return {
        k: grid_image(core_diffusion.forward_frames(s, x0, [t_index], seed), nrow=1, scale=6, padding=0)
        for k, s in schedules.items()
    }


def schedule_figure(schedules: Schedules, quantity: str, t_index: int, height: int = 260) -> go.Figure:
    """alpha_bar_t, beta_t or the SNR (log scale) over t for each schedule, a dashed line at t."""
    fig = base_figure("t", t(f"diffusion.q.{quantity}"), height=height, log_y=quantity == "snr")
    for i, (kind, s) in enumerate(schedules.items()):
        values = getattr(s, SCHEDULE_VALUES[quantity])
        fig.add_scatter(
            x=np.arange(len(values)),
            y=values.numpy(),
            mode="lines",
            name=t(f"diffusion.schedule.{kind}"),
            line={"color": COLORS[i], "width": 3},
        )
    fig.add_vline(x=t_index, line_dash="dash", line_color="#555555")
    return fig


# -- training and the judge --------------------------------------------------------------------------
def loss_chart(steps: Sequence[dict], height: int = 300) -> go.Figure:
    """The training loss per step."""
    fig = base_figure(t("chart.step"), t("chart.loss"), height=height)
    if steps:
        fig.add_scatter(
            x=[s["step"] for s in steps],
            y=finite([s.get("loss") for s in steps]),
            mode="lines",
            name=t("chart.loss"),
            line={"color": COLORS[0], "width": 2},
        )
    return fig


def loss_by_t_chart(record: dict | None, height: int = 300) -> go.Figure:
    """The last epoch's loss in 10 bins of t: which noise levels the model has learnt to undo."""
    fig = base_figure(t("diffusion.t_bin"), t("chart.loss"), height=height)
    values = (record or {}).get("loss_by_t") or []
    bins = core_diffusion.T_BINS
    fig.add_bar(x=[f"{i / bins:.1f}–{(i + 1) / bins:.1f}" for i in range(len(values))], y=finite(values))
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def judge_histogram(shares: np.ndarray) -> go.Figure:
    """The digits the judge reads in one model's samples (a spike = mode collapse)."""
    return digit_histogram(shares, height=220)


def tradeoff_figure(sweep: Sequence[dict], quantity: str, height: int = 280) -> go.Figure:
    """FID or agreement (percent) against the guidance scale w, one line per band of noise levels
    (w = 1 is the same in every band): the shipped table's rows {guidance, band, fid, agreement}."""
    y_title = "FID" if quantity == "fid" else t("diffusion.tradeoff.agreement")
    fig = base_figure(t("diffusion.tradeoff.w"), y_title, height=height)
    plain = [r for r in sweep if r["guidance"] == 1.0]
    bands = sorted({tuple(r["band"]) for r in sweep if r["guidance"] != 1.0})
    for i, band in enumerate(bands):
        guided = [r for r in sweep if tuple(r["band"]) == band and r["guidance"] != 1.0]
        rows = sorted(plain[:1] + guided, key=lambda r: r["guidance"])
        scale = 1.0 if quantity == "fid" else 100.0
        fig.add_scatter(
            x=[r["guidance"] for r in rows],
            y=[scale * r[quantity] for r in rows],
            mode="lines+markers",
            name=t("diffusion.tradeoff.band", lo=band[0], hi=band[1]),
            line={"color": COLORS[i % len(COLORS)], "width": 3},
        )
    fig.update_layout(hovermode="closest")
    return fig
