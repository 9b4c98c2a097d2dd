"""The VAE lesson (course 004, ch. 2): an AE or VAE with a 2-D code trained as a job, its saved runs, the
shipped models, the views of a model the page draws (its latent map of test digits, the manifold) and the
live training panel. The figures themselves are in ui.figures.vae.
"""

from __future__ import annotations

import inspect
from dataclasses import asdict, dataclass

import numpy as np
import streamlit as st
import torch

from core import images, runs
from core import vae as core_vae
from core.models import model_args
from core.models import vae as models_vae
from ui import charts, job_widgets, jobs, resources, saved_runs, trainable
from ui.figures import vae as figures
from ui.i18n import t

SESSION = "vae_session"  # session_state: {"model", "cfg"} of the model trained or reopened in this session
SHIPPED = {  # option -> (file, family)
    "vae": ("vae_mnist.pth", "vae.ConvVAE"),
    "ae": ("ae_mnist.pth", "vae.ConvAE"),
    "vae16": ("vae16_mnist.pth", "vae.ConvVAE"),
}
SIZES = resources.sizes(
    full={
        "train_n": None,  # training digits (None: all of them)
        "train_map_n": 1000,  # test digits on the live latent map
        "manifold_n": 15,  # the live manifold's decoded digits per side
        "map_n": 1000,  # test digits on the explorer's maps
        "epochs_max": 60,  # the epochs slider's top
        "epochs": 15,  # and its first value
    },
    tiny={"train_n": 256, "train_map_n": 100, "manifold_n": 10, "map_n": 200, "epochs_max": 3, "epochs": 1},
)
ss = st.session_state


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def build(cfg: core_vae.VAEConfig) -> trainable.Training:
    """A fresh model of `cfg` in this session, trained on the session's device.

    Each epoch record carries the test digits' latent map and a manifold, drawn by `training_panel`."""
    model = core_vae.build_model(cfg)
    ss[SESSION] = {"model": model, "cfg": cfg}
    ss.pop("vae_which", None)  # the explorer shows a shipped model until the training ends
    split = resources.mnist()
    x = split.x_train[: SIZES.train_n]
    xt, yt = split.x_test[: SIZES.train_map_n], split.y_test[: SIZES.train_map_n]
    device = jobs.train_device()  # the CPU after a GPU fault ("train again on the CPU")
    return trainable.Training(
        model=model,
        model_args=model_args(model),
        settings=asdict(cfg),
        records=lambda: core_vae.train_autoencoder(
            model, x, cfg, xt, yt, device=device, grid=SIZES.manifold_n
        ),
        epochs=cfg.epochs,
        device=device,
    )


def restore(opened: runs.OpenedRun, cfg: core_vae.VAEConfig) -> str:
    """The saved autoencoder as this session's model, with its epoch records (curves) as a finished job.
    Any "vae.*" family is one (the registry names none: the kind decides)."""
    if not opened.family.startswith("vae."):
        raise runs.RunError("model", "not an autoencoder")
    ss[SESSION] = {"model": opened.model, "cfg": cfg}
    ss.pop("vae_which", None)
    saved_runs.restored_job(LESSON.key, opened.history.get("epochs", []), None, cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


def training_panel(job: jobs.Job) -> None:
    """Curves, latest latent map and manifold of a running job (drawn from its records, not the model)."""
    job_widgets.status(job)
    if job.last.get("kind") == "step":
        r = job.last
        st.caption(t("vae.train.step", batch=r["batch"], batches=r["batches"], recon=r["recon"], kl=r["kl"]))
    ep = [r for r in job.epochs_log if r.get("kind") == "epoch"]
    if not ep:
        return
    charts.plot(st, figures.curves(ep), key="vae_curves", width="stretch")
    last = ep[-1]
    if "latent" in last:
        c1, c2 = st.columns([3, 2])
        # a VAE's N(0, I) plane, or the data's range
        box = core_vae.extent(session_model(), last["latent"])
        charts.plot(
            c1,
            figures.latent_figure(last["latent"], last["labels"], box, height=380),
            key="vae_train_map",
            width="stretch",
            config=figures.PLOT_CONFIG,
        )
        caption = t("vae.train.manifold", epoch=last["epoch"])
        c2.image(figures.big(last["manifold"], 380), caption=caption, output_format="PNG")


LESSON = trainable.Lesson(
    "vae",
    build,
    restore,
    live=training_panel,
    metric_keys=("recon", "kl", "val_loss"),
    # the epoch records, for a reopened run's curves (run.json leaves out their maps and manifolds); the
    # per-batch losses are never drawn, so they are not kept
    history=lambda job: {"epochs": list(job.epochs_log)},
)


# -- the models the page explores -------------------------------------------------------------------------
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
    return split.x_test[: SIZES.map_n], split.y_test[: SIZES.map_n]


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


def picked_point(event) -> tuple[float, float] | None:
    """The (x, y) of a click from `charts.plot(st, on_select="rerun")`, if any."""
    try:
        pts = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    if not pts:
        return None
    p = pts[-1]
    return float(p["x"]), float(p["y"])


def model_code() -> str:
    """The course's VAE and its loss, as the page shows them."""
    parts = (models_vae.ConvVAE, models_vae.kl_divergence, models_vae.vae_loss)
    return "\n\n".join(inspect.getsource(o) for o in parts)
