"""The VAE lesson (course 004, ch. 2): an AE or VAE with a 2-D code trained as a job, its saved runs, the
shipped models, and the figures of the page — the clickable latent map, digit images, the manifold and
the live training panel.

The map is a Plotly scatter of encoded test digits coloured by label, plus a dense grid of invisible
points, so a click anywhere (even in a gap between clusters) selects a point that the page decodes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image

from core import images, runs
from core import vae as core_vae
from core.models import model_args
from ui import job_widgets, jobs, lesson, resources, saved_runs
from ui.charts import FONT
from ui.i18n import t

PAGE = "vae"
SESSION = "vae_session"  # session_state: {"model", "cfg"} of the model trained or reopened in this session
ss = st.session_state

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


# -- the lesson protocol (ui.lesson) ------------------------------------------------------------------
def train(cfg: core_vae.VAEConfig) -> jobs.Job:
    """A fresh model of `cfg` in this session, trained by a job on the session's device and saved to runs/.

    Each epoch record carries the test digits' latent map and a manifold, drawn by `training_panel`."""
    model = core_vae.build_model(cfg)
    ss[SESSION] = {"model": model, "cfg": cfg}
    ss.pop("vae_which", None)  # the explorer shows a shipped model until the training ends
    split, tiny = resources.mnist(), resources.test_mode()
    n, nt = (256, 100) if tiny else (len(split.x_train), MAP_POINTS)
    x, xt, yt = split.x_train[:n], split.x_test[:nt], split.y_test[:nt]
    grid = 10 if tiny else 15
    device = jobs.train_device()  # the CPU after a GPU fault ("train again on the CPU")
    training = lesson.Training(
        model=model,
        model_args=model_args(model),
        settings=cfg.as_dict(),
        records=lambda: core_vae.train_autoencoder(model, x, cfg, xt, yt, device=device, grid=grid),
        epochs=cfg.epochs,
        device=device,
    )
    return lesson.start(sys.modules[__name__], training)


def history(job: jobs.Job) -> dict:
    """The epoch records, for a reopened run's curves (run.json leaves out their maps and manifolds);
    the per-batch losses are never drawn, so they are not kept."""
    return {"epochs": list(job.epochs_log)}


def metrics(job: jobs.Job) -> dict:
    return lesson.last_epoch(job, ("recon", "kl", "val_loss"))


def arrays(job: jobs.Job) -> dict:
    return {}


def saved(name: str) -> list[lesson.Saved]:
    return saved_runs.listed(PAGE, name)


def reopen(saved_id: str) -> str:
    """The saved autoencoder as this session's model, with its epoch records (curves) as a finished job."""
    opened = saved_runs.opened_run(saved_id, None)
    if not opened.info.config or not opened.family.startswith("vae."):
        raise runs.RunError("model", "not an autoencoder")
    cfg = saved_runs.from_dict(core_vae.VAEConfig, opened.info.config)
    ss[SESSION] = {"model": opened.model, "cfg": cfg}
    ss.pop("vae_which", None)
    saved_runs.restored_job(PAGE, opened.history.get("epochs", []), None, cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


def session_model() -> torch.nn.Module | None:
    """The model trained or reopened in this session, if any."""
    return ss[SESSION]["model"] if SESSION in ss else None


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
def shipped_view(option: str) -> View | None:
    """The shipped model's view, shared read-only by all sessions; None when its checkpoint is missing or
    unusable (`unavailable_reason` says why)."""
    loaded = resources.shipped(*SHIPPED[option])
    return None if loaded is None else make_view(loaded.model, *test_subset())


def unavailable_reason(option: str) -> str:
    """Why the shipped model `option` cannot be shown, in the student's language ("" when it can)."""
    return resources.shipped_problem(*SHIPPED[option])


def shipped_options() -> list[str]:
    """The shipped models that can be explored, in the order of SHIPPED."""
    return [o for o in SHIPPED if shipped_view(o) is not None]


def shipped_dense_width() -> int:
    """The widest dense layer the shipped 2-D AE/VAE add around the code (0: the notes' design)."""
    views = (shipped_view(o) for o in ("ae", "vae"))
    return max((v.model.model_args.get("hidden", 0) for v in views if v is not None), default=0)


@st.cache_resource(show_spinner=False)
def shipped_manifold(option: str, n: int = 15) -> np.ndarray | None:
    view = shipped_view(option)
    return None if view is None else manifold_image(view, n)


def manifold_image(view: View, n: int = 15) -> np.ndarray:
    imgs = core_vae.manifold(view.model, n, view.box, view.proj)
    return images.tile(imgs, n)


def session_view(model: torch.nn.Module, version: int) -> View:
    """A session model's view, recomputed only when it has trained further (`version`)."""
    cache = ss.setdefault("_vae_view_cache", {})
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


LABEL_GAP = 0.11  # the least distance between two digit labels, as a fraction of the plot's width/height
LABEL_OUTLINE = "-1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 1px 1px 0 #fff, 0 0 3px #fff"


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


def training_panel(job: jobs.Job) -> None:
    """Curves, latest latent map and manifold of a running job (drawn from its records, not the model)."""
    job_widgets.status(job)
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
        box = core_vae.extent(session_model(), last["latent"])  # a VAE's N(0, I) plane, or the data's range
        c1.plotly_chart(
            latent_figure(last["latent"], last["labels"], box, height=380),
            key="vae_train_map",
            width="stretch",
            config=PLOT_CONFIG,
        )
        caption = t("vae.train.manifold", epoch=last["epoch"])
        c2.image(big(last["manifold"], 380), caption=caption, output_format="PNG")
