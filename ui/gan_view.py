"""Drawing helpers shared by the GAN and cGAN pages: image grids, GAN loss charts, digit histograms.

Pure functions of arrays and job records (no training here); grids go through
`torchvision.utils.make_grid`, like the course's `save_image(..., nrow=5)`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image

from ui.charts import COLORS, base_figure, finite
from ui.i18n import t


def grid_image(images: torch.Tensor | np.ndarray, nrow: int, scale: int = 3, padding: int = 2) -> np.ndarray:
    """(N, 1, S, S) or (N, S, S) in [0, 1] (or uint8) -> one uint8 (H, W) image, enlarged `scale`x."""
    from torchvision.utils import make_grid

    x = torch.as_tensor(np.asarray(images))
    if x.dtype == torch.uint8:
        x = x.float() / 255
    if x.dim() == 3:
        x = x[:, None]
    grid = make_grid(x, nrow=nrow, padding=padding, pad_value=0.25)[0]  # (H, W)
    img = (grid.clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    return np.kron(img, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else img


def png_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def gan_loss_chart(steps: Sequence[dict], height: int = 300) -> go.Figure:
    """D and G loss per step (the two players' scores)."""
    fig = base_figure(t("chart.step"), t("chart.loss"), height=height)
    if steps:
        x = [r["step"] for r in steps]
        fig.add_scatter(
            x=x,
            y=finite([r["d_loss"] for r in steps]),
            mode="lines",
            name=t("gan.v.d_loss"),
            line={"color": COLORS[0], "width": 2},
        )
        fig.add_scatter(
            x=x,
            y=finite([r["g_loss"] for r in steps]),
            mode="lines",
            name=t("gan.v.g_loss"),
            line={"color": COLORS[1], "width": 2},
        )
    return fig


def d_output_chart(steps: Sequence[dict], height: int = 300) -> go.Figure:
    """Mean D(x) on real and D(G(z)) on fake images: 0.5 / 0.5 is the balance point."""
    fig = base_figure(t("chart.step"), t("gan.v.d_out"), height=height)
    if steps:
        x = [r["step"] for r in steps]
        fig.add_scatter(
            x=x,
            y=finite([r["d_real"] for r in steps]),
            mode="lines",
            name=t("gan.v.d_real"),
            line={"color": COLORS[2], "width": 2},
        )
        fig.add_scatter(
            x=x,
            y=finite([r["d_fake"] for r in steps]),
            mode="lines",
            name=t("gan.v.d_fake"),
            line={"color": COLORS[3], "width": 2},
        )
        fig.add_hline(y=0.5, line_dash="dot", line_color="gray")
    fig.update_yaxes(range=[0, 1])
    return fig


def digit_histogram(shares: np.ndarray, highlight: int | None = None, height: int = 280) -> go.Figure:
    """Share of samples the CNN reads as each digit; ideal is about 10 % each (a spike = mode collapse)."""
    fig = base_figure(t("gan.v.digit"), t("gan.v.share"), height=height)
    colors = [COLORS[1] if highlight is not None and d == highlight else COLORS[0] for d in range(10)]
    fig.add_bar(
        x=[str(d) for d in range(10)], y=[100 * v for v in shares], marker_color=colors, name=t("gan.v.share")
    )
    fig.add_hline(y=10, line_dash="dot", line_color="gray")
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    fig.update_xaxes(type="category")  # every digit labelled
    fig.update_layout(hovermode="closest")
    return fig


def fidelity_chart(per_digit: np.ndarray, height: int = 280) -> go.Figure:
    """Label fidelity per requested digit, in %."""
    fig = base_figure(t("gan.v.digit"), t("gan.v.fidelity"), height=height)
    fig.add_bar(x=[str(d) for d in range(10)], y=[100 * v for v in per_digit], marker_color=COLORS[2])
    fig.update_yaxes(ticksuffix="%", range=[0, 100])
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    return fig


# -- live training shared by both pages ----------------------------------------------------------

MAX_STEP_RECORDS = 3000  # thinned beyond this (every other one dropped), like ui.jobs


def gif_bytes(frames: Sequence[np.ndarray], ms: int = 300) -> bytes:
    """Frames (H, W) uint8 -> an animated GIF that loops (the interpolation / epoch animations)."""
    buf = io.BytesIO()
    images = [Image.fromarray(f) for f in frames]
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=ms, loop=0)
    return buf.getvalue()


def start_training(page: str, cfg, x: torch.Tensor, y: torch.Tensor | None, device: str) -> None:
    """New G and D for `cfg` in this session (`<page>_G`, `<page>_hist`) and a job `page` training them.

    The worker thread only appends plain records to the history dict; the page reads it.
    """
    import streamlit as st

    from core.gan import build_models, train_cgan, train_gan
    from ui import jobs

    g = torch.Generator().manual_seed(cfg.seed)
    G, D = build_models(cfg, y is not None, g)
    hist: dict = {"steps": [], "epochs": [], "cfg": cfg}
    controls = st.session_state.setdefault(f"{page}_controls", {"mode": "both", "delay": 0.0})
    st.session_state[f"{page}_G"], st.session_state[f"{page}_hist"] = G, hist

    def make_iter():
        if y is None:
            return train_gan(cfg, x, G, D, device=device, controls=controls, generator=g)
        return train_cgan(cfg, x, y, G, D, device=device, controls=controls, generator=g)

    def on_record(rec: dict) -> None:  # runs in the worker: no st.* here
        if rec["kind"] == "step":
            hist["steps"].append({k: rec[k] for k in ("step", "d_loss", "g_loss", "d_real", "d_fake")})
            if len(hist["steps"]) > MAX_STEP_RECORDS:
                hist["steps"] = hist["steps"][::2]
        elif rec["kind"] == "epoch":
            hist["epochs"].append(rec)

    from ui import runs_view

    saver = runs_view.gan_saver(page, G, cfg, hist)  # saves G, losses and grids to runs/ every epoch
    jobs.start(page, make_iter, cfg.epochs, device, label=page, on_record=on_record, saver=saver)


def read_digits(classifier, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The shipped CNN's reading of (N, 1, S, S) images in [0, 1] (8x8 digits are upscaled)."""
    from core.metrics import classify

    if images.shape[-1] != 28:
        images = torch.nn.functional.interpolate(images, size=(28, 28), mode="bilinear", align_corners=False)
    return classify(classifier, images)


# -- the shipped generators: computed once per (generator, arguments) for every session -------------------


def from_shipped(G: torch.nn.Module, fn: str, *args) -> torch.Tensor:
    """`core.gan.<fn>(G, *args)` ("sample" or "interpolate") for a shipped generator, which every session
    shares read-only: a class opening the page with the same seed costs one forward pass, not forty.
    The result is shared as well: read it, never change it in place. Keyed by the generator's id: shipped
    models live in `st.cache_resource` as long as these results do ("Clear cache" empties both)."""
    return _from_shipped(G, id(G), fn, args)


def _generator_fn(fn: str):
    from core import gan

    return {"sample": gan.sample, "interpolate": gan.interpolate}[fn]


def shipped_png(G: torch.nn.Module, fn: str, args: tuple, nrow: int, scale: int) -> bytes:
    """`png_bytes(grid_image(from_shipped(G, fn, *args), nrow, scale))`, shared likewise: the class sees the same
    grid, so it is tiled and compressed once, not on every rerun of every session (~10 ms each)."""
    return _shipped_png(G, id(G), fn, args, nrow, scale)


def generated_png(G: torch.nn.Module, fn: str, args: tuple, nrow: int, scale: int, *, shared: bool) -> bytes:
    """`core.gan.<fn>(G, *args)` as a PNG grid: through `shipped_png` for a shared generator (once for the class),
    directly for a student's own."""
    if shared:
        return shipped_png(G, fn, args, nrow, scale)
    return png_bytes(grid_image(_generator_fn(fn)(G, *args), nrow=nrow, scale=scale))


def shipped_reading(classifier, G: torch.nn.Module, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`read_digits(classifier, sample(G, n, seed))` for a shipped classifier and generator, shared likewise."""
    return _shipped_reading(classifier, G, (id(classifier), id(G)), n, seed)


def _bounded(fn):
    import streamlit as st

    return st.cache_resource(show_spinner=False, max_entries=64)(fn)  # <= 64 x 200 digits: ~40 MB at most


@_bounded
def _from_shipped(_G, ident: int, fn: str, args: tuple) -> torch.Tensor:
    return _generator_fn(fn)(_G, *args)


@_bounded
def _shipped_png(_G, ident: int, fn: str, args: tuple, nrow: int, scale: int) -> bytes:
    return png_bytes(grid_image(_from_shipped(_G, ident, fn, args), nrow=nrow, scale=scale))


@_bounded
def _shipped_reading(
    _classifier, _G, ident: tuple[int, int], n: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    return read_digits(_classifier, _from_shipped(_G, ident[1], "sample", (n, seed)))


def small_split(split, n_train: int = 200, n_test: int = 100):
    """The first images of a split (test mode: the exercise runs in a second)."""
    from dataclasses import replace

    return replace(
        split,
        x_train=split.x_train[:n_train],
        y_train=split.y_train[:n_train],
        x_test=split.x_test[:n_test],
        y_test=split.y_test[:n_test],
    )


def digits_judge():
    """A small classifier trained on the real 8x8 digits: judges the 8x8 cGAN's label fidelity."""
    from ui import resources

    return _digits_judge(1 if resources.test_mode() else 30)


def _cached(fn):
    import streamlit as st

    return st.cache_resource(show_spinner=False)(fn)


@_cached
def _digits_judge(epochs: int):
    from core.gan import train_classifier
    from ui import resources

    split = resources.digits()
    return train_classifier(split.x_train, split.y_train, epochs=epochs, seed=0).requires_grad_(False)
