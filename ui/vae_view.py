"""Views of the VAE page: the clickable latent map, digit images, the manifold, training panels.

The map is a Plotly scatter of encoded test digits coloured by label, plus a dense grid of invisible
points, so a click anywhere (even in a gap between clusters) selects a point that the page decodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image

from core import vae as core_vae
from ui import resources
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
SHIPPED = {  # option -> (file, family)
    "vae": ("vae_mnist.pth", "vae.ConvVAE"),
    "ae": ("ae_mnist.pth", "vae.ConvAE"),
    "vae16": ("vae16_mnist.pth", "vae.ConvVAE"),
}
CLICK_GRID = 61  # invisible click targets per axis
MAP_POINTS = 1000
PLOT_CONFIG = {"displayModeBar": False}  # the toolbar would cover the legend; zooming is not needed


@dataclass
class View:
    """What the page draws for one model: its 2-D map of test digits and how to go back to z."""

    model: torch.nn.Module
    points: np.ndarray  # (N, 2) test digits on the plane
    labels: np.ndarray  # (N,)
    proj: core_vae.Projection
    box: tuple[float, float, float, float]  # x0, x1, y0, y1 of the drawn plane


def make_view(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> View:
    z = core_vae.latent_means(model, x)
    proj = core_vae.Projection.fit(z)
    pts = proj.apply(z).astype(np.float32)
    return View(model, pts, y.numpy(), proj, core_vae.extent(model, pts))


def test_subset() -> tuple[torch.Tensor, torch.Tensor]:
    split = resources.mnist()
    n = 200 if resources.test_mode() else MAP_POINTS
    return split.x_test[:n], split.y_test[:n]


@st.cache_resource(show_spinner=False)
def shipped_view(option: str) -> View | Exception:
    """The shipped model's view, shared read-only by all sessions (or the CheckpointError)."""
    loaded = resources.shipped_model(*SHIPPED[option])
    if isinstance(loaded, Exception):
        return loaded
    return make_view(loaded.model, *test_subset())


def shipped_dense_width() -> int:
    """The widest dense layer the shipped 2-D AE/VAE add around the code (0: the notes' design)."""
    views = (shipped_view(o) for o in ("ae", "vae"))
    return max((getattr(v.model, "hidden", 0) for v in views if not isinstance(v, Exception)), default=0)


@st.cache_resource(show_spinner=False)
def shipped_manifold(option: str, n: int = 15) -> np.ndarray | None:
    view = shipped_view(option)
    return None if isinstance(view, Exception) else manifold_image(view, n)


def manifold_image(view: View, n: int = 15) -> np.ndarray:
    imgs = core_vae.manifold(view.model, n, view.box, view.proj)
    return core_vae.to_uint8(core_vae.tile(imgs, n))


def session_view(model: torch.nn.Module, version: int) -> View:
    """A session model's view, recomputed only when it has trained further (`version`)."""
    cache = st.session_state.setdefault("_vae_view_cache", {})
    key = (id(model), version)
    if key not in cache:
        cache.clear()
        cache[key] = make_view(model, *test_subset())
    return cache[key]


# ---------------------------------------------------------------------------------------------
# Figures and images


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
    for d in range(10):  # each cluster labelled by its digit, where its middle is (instead of a legend)
        m = labels == d
        if m.sum() >= 3:
            cx, cy = np.median(points[m], axis=0)
            fig.add_annotation(
                x=cx,
                y=cy,
                text=f"<b>{d}</b>",
                showarrow=False,
                bgcolor="rgba(255,255,255,0.75)",
                font={"size": 20, "color": DIGIT_COLORS[d]},
                bordercolor=DIGIT_COLORS[d],
            )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font=FONT,
        xaxis_title="z₁",
        yaxis_title="z₂",
        showlegend=False,
        dragmode=False,
        hovermode="closest",
        clickmode="event+select",
    )
    fig.update_xaxes(range=[box[0], box[1]], zeroline=True)
    fig.update_yaxes(range=[box[2], box[3]], zeroline=True)
    return fig


def picked_point(event, marker: tuple[float, float] | None) -> tuple[float, float] | None:
    """The (x, y) of a click from `st.plotly_chart(on_select="rerun")`, if any."""
    try:
        pts = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    if not pts:
        return None
    p = pts[-1]
    return float(p["x"]), float(p["y"])


def big(img: np.ndarray | torch.Tensor, size: int = 196) -> Image.Image:
    """A 28x28 (or tiled) image in [0, 1] or uint8, scaled up with sharp pixels."""
    a = img.detach().cpu().numpy() if isinstance(img, torch.Tensor) else np.asarray(img)
    a = a.reshape(a.shape[-2:])
    if a.dtype != np.uint8:
        a = core_vae.to_uint8(a)
    scale = max(1, size // a.shape[0])
    return Image.fromarray(a).resize((a.shape[1] * scale, a.shape[0] * scale), Image.NEAREST)


def rows_image(top: torch.Tensor, bottom: torch.Tensor) -> Image.Image:
    """Inputs above, reconstructions below (the course's figure): (N, 1, 28, 28) each."""
    n = len(top)
    return big(core_vae.tile(torch.cat([top, bottom]), n, pad=2), size=28 * 6 * 2)


def strip(images: torch.Tensor) -> Image.Image:
    return big(core_vae.tile(images, len(images), pad=2), size=28 * 6)


# ---------------------------------------------------------------------------------------------
# Training panel


def curves(job) -> go.Figure:
    """Reconstruction and KL per epoch (train and test), two y-axes so the small KL stays visible."""
    ep = [r for r in job.epochs_log if r.get("kind") == "epoch"]
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


def training_panel(job) -> None:
    """Curves, latest latent map and manifold of a running job (drawn from its records, not the model)."""
    from ui import jobs

    jobs.status(job)
    if job.last.get("kind") == "step":
        r = job.last
        st.caption(t("vae.train.step", batch=r["batch"], batches=r["batches"], recon=r["recon"], kl=r["kl"]))
    ep = [r for r in job.epochs_log if r.get("kind") == "epoch"]
    if not ep:
        return
    st.plotly_chart(curves(job), key="vae_curves", width="stretch")
    last = ep[-1]
    if "latent" in last:
        c1, c2 = st.columns([3, 2])
        box = (-3, 3, -3, 3) if job.label == "vae" else core_vae.extent(None, last["latent"])
        c1.plotly_chart(
            latent_figure(last["latent"], last["labels"], box, height=380),
            key="vae_train_map",
            width="stretch",
            config=PLOT_CONFIG,
        )
        caption = t("vae.train.manifold", epoch=last["epoch"])
        c2.image(big(last["manifold"], 380), caption=caption, output_format="PNG")
