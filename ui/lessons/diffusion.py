"""The diffusion lesson (course Part 3.1.2): a U-Net trained as a job, its saved runs, the shipped model's
reverse process, samplers and guidance computed once for the whole class, and the judge panel that puts
the shipped GAN, VAE and diffusion model before the same classifier.

Everything heavy runs on a shipped model, read-only, and is cached by the model's id and the arguments
(`st.cache_resource`), so thirty students asking for the same digit and seed cost one sampling run.
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from core import diffusion as core_diffusion
from core import runs
from core.metrics import classify, digit_shares
from core.models import model_args
from ui import job_widgets, jobs, lesson, resources, saved_runs
from ui.charts import COLORS, base_figure, finite
from ui.i18n import t
from ui.lessons.gan import digit_histogram, grid_image, png_bytes

PAGE = "diffusion"
FAMILY = "diffusion.UNet"
SHIPPED = "diffusion_mnist.pth"  # rectified flow: the objective that judges best
SESSION = "diffusion_session"  # session_state: {"model", "cfg"} trained or reopened in this session
MAX_GRIDS = 30  # sample grids kept on disk per run
GUIDANCE = (0.0, 1.0, 2.0, 4.0, 7.0)  # the guidance grid's columns
SCHEDULE_T = 1000
ss = st.session_state


# -- the lesson protocol (ui.lesson) ------------------------------------------------------------------
def page_defaults(test_mode: bool = False) -> core_diffusion.DiffusionConfig:
    """The page's first run: `core.diffusion.LIVE` (readable digits in about 4 minutes on a 2-core CPU);
    in test mode one epoch of a narrow U-Net with a 2-step grid."""
    if test_mode:
        return core_diffusion.with_overrides(
            core_diffusion.LIVE, epochs=1, c1=8, c2=16, emb_dim=16, sample_every=1, sample_steps=2
        )
    return core_diffusion.LIVE


def train(cfg: core_diffusion.DiffusionConfig) -> jobs.Job:
    """A fresh U-Net for `cfg` in this session, trained by a job on the session's device, saved to runs/.

    What is saved and sampled is the moving average of the weights (`ema`), as in the shipped model."""
    split = resources.mnist()
    n = 256 if resources.test_mode() else len(split.x_train)
    x, y = split.x_train[:n], split.y_train[:n]
    g = torch.Generator().manual_seed(cfg.seed)
    model = core_diffusion.build_model(cfg, g)
    ema = copy.deepcopy(model)
    ss[SESSION] = {"model": ema, "cfg": cfg}
    device = jobs.train_device()  # the CPU after a GPU fault ("train again on the CPU")
    training = lesson.Training(
        model=ema,
        model_args=model_args(ema),
        settings=cfg.as_dict(),
        records=lambda: core_diffusion.train_diffusion(model, x, y, cfg, device, g, ema),
        epochs=cfg.epochs,
        device=device,
    )
    return lesson.start(sys.modules[__name__], training)


def history(job: jobs.Job) -> dict:
    """The epoch records (their grids go to `arrays`) and the per-step losses."""
    steps = [{"step": s["step"], "loss": s["loss"]} for s in list(job.steps) if "loss" in s]
    return {"epochs": list(job.epochs_log), "steps": steps}


def metrics(job: jobs.Job) -> dict:
    return lesson.last_epoch(job, ("train_loss",))


def arrays(job: jobs.Job) -> dict:
    return lesson.grid_arrays(job, MAX_GRIDS)


def saved(name: str) -> list[lesson.Saved]:
    return saved_runs.listed(PAGE, name)


def reopen(saved_id: str) -> str:
    """The saved U-Net back as this session's model, its records (grids included) as a finished job."""
    opened = saved_runs.opened_run(saved_id, None)
    if not opened.info.config or opened.family != FAMILY:
        raise runs.RunError("model", "not a diffusion model")
    cfg = saved_runs.from_dict(core_diffusion.DiffusionConfig, opened.info.config)
    by_epoch = dict(
        zip(opened.arrays.get("grid_epochs", np.array([])).tolist(), opened.arrays.get("grids", []))
    )
    epochs_log = [
        {**r, "grid": by_epoch[r["epoch"]]} if r.get("epoch") in by_epoch else r
        for r in opened.history.get("epochs", [])
    ]
    ss[SESSION] = {"model": opened.model, "cfg": cfg}
    saved_runs.restored_job(PAGE, epochs_log, saved_runs.step_records(opened.history), cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


grids = lesson.grid_records  # the job's epoch records that carry a sample grid, oldest first


def session_model() -> torch.nn.Module | None:
    return ss[SESSION]["model"] if SESSION in ss else None


# -- the shipped model's pictures, computed once for the class ------------------------------------------
def shipped():
    return resources.shipped(SHIPPED, FAMILY)


def comparable_models(job: jobs.Job | None) -> dict[str, torch.nn.Module]:
    """What the sampler comparison can run on: the shipped model and, once its training has stopped, the
    model of this session (a DDPM model shows the 1,000-step sampler against DDIM)."""
    out = {}
    if (loaded := shipped()) is not None:
        out["shipped"] = loaded.model
    if session_model() is not None and not (job is not None and job.active):
        out["session"] = session_model()
    return out


def sampling_defaults(loaded) -> dict:
    from core.commands.diffusion import sampling_defaults as defaults

    return defaults(loaded.model, loaded.meta.get("sampling") or {})


def _bounded(fn):
    return st.cache_resource(show_spinner=False, max_entries=64)(fn)


@_bounded
def _reverse(_model, ident: int, label: int, seed: int, sampler: str, steps: int, w: float):
    frames: list = []
    noise = torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(seed))
    t0 = time.perf_counter()
    out = core_diffusion.generate(
        _model,
        noise,
        torch.tensor([label]),
        sampler,
        steps,
        w,
        torch.Generator().manual_seed(seed + 1),
        frames,
    )
    return out, frames, time.perf_counter() - t0


def reverse_run(model, label: int, seed: int, sampler: str, steps: int, w: float):
    """(final digit (1, 1, 28, 28), the frames of every step, seconds) for one noise image of `seed`."""
    return _reverse(model, id(model), int(label), int(seed), sampler, int(steps), float(w))


def pick_frames(frames: Sequence, k: int = 10) -> list:
    """About k frames evenly over the run, the first and the last always."""
    if len(frames) <= k:
        return list(frames)
    idx = np.unique(np.linspace(0, len(frames) - 1, k).round().astype(int))
    return [frames[i] for i in idx]


def strip_image(frames: Sequence, final: torch.Tensor, scale: int = 3) -> np.ndarray:
    """Two rows: x_t at each picked step (top) and the model's x0_hat at that step (bottom); the final
    digit closes both rows."""
    top = torch.cat([f.x[:1] for f in frames] + [final[:1]])  # (k + 1, 1, 28, 28)
    bottom = torch.cat([f.x0[:1] for f in frames] + [final[:1]])
    return grid_image(torch.cat([top, bottom]), nrow=len(top), scale=scale)


def gif_bytes(frames: Sequence, final: torch.Tensor) -> bytes:
    """x_t at every step, one frame each, holding the final digit a little longer (the page's animation)."""
    from ui.lessons.gan import gif_bytes as gif

    pics = [grid_image(f.x[:1], nrow=1, scale=5, padding=0) for f in frames]
    pics += [grid_image(final[:1], nrow=1, scale=5, padding=0)] * 8
    return gif(pics, ms=120)


# -- the forward process ----------------------------------------------------------------------------
def drawn_digit() -> torch.Tensor | None:
    """The digit last drawn on the CNN page (its MNIST framing, 28x28 in [0, 1]) as (1, 28, 28), or None."""
    drawn = ss.get("cnn_input_draw")
    if drawn is None or np.asarray(drawn).size != 28 * 28:
        return None
    return torch.as_tensor(np.asarray(drawn, dtype=np.float32)).reshape(1, 28, 28).clamp(0, 1)


@st.cache_resource(show_spinner=False)
def schedules() -> dict[str, core_diffusion.NoiseSchedule]:
    return {k: core_diffusion.NoiseSchedule(k, SCHEDULE_T) for k in ("linear", "cosine")}


def forward_image(x0: torch.Tensor, t_index: int, seed: int) -> dict[str, np.ndarray]:
    """The digit noised to step t under each schedule, with the same noise: {schedule: uint8 picture}."""
    return {
        k: grid_image(core_diffusion.forward_frames(s, x0, [t_index], seed), nrow=1, scale=6, padding=0)
        for k, s in schedules().items()
    }


def schedule_figure(quantity: str, t_index: int, height: int = 260) -> go.Figure:
    """alpha_bar_t, beta_t or the SNR (log scale) over t for both schedules, a dashed line at t."""
    fig = base_figure("t", t(f"diffusion.q.{quantity}"), height=height, log_y=quantity == "snr")
    for i, (kind, s) in enumerate(schedules().items()):
        values = getattr(s, {"alpha_bar": "alphas_cumprod", "beta": "betas", "snr": "snr"}[quantity])
        fig.add_scatter(
            x=np.arange(SCHEDULE_T),
            y=values.numpy(),
            mode="lines",
            name=t(f"diffusion.schedule.{kind}"),
            line={"color": COLORS[i], "width": 3},
        )
    fig.add_vline(x=t_index, line_dash="dash", line_color="#555555")
    return fig


# -- samplers and guidance ---------------------------------------------------------------------------
def sampler_runs(objective: str) -> list[tuple[str, int]]:
    """What the comparison runs: the many-step sampler and the few-step ones at falling step counts."""
    if objective == "flow":
        return [("euler", 50), ("euler", 20), ("euler", 10), ("euler", 5), ("euler", 2), ("heun", 10)]
    return [("ddpm", 1000), ("ddim", 50), ("ddim", 20), ("ddim", 10), ("ddim", 5)]


def compare_samplers(model, classifier, seed: int, per_label: int, guidance: float) -> list[dict]:
    """For each sampler and step count: 10 * per_label samples (one per digit in turn), their seconds per
    100, the share the classifier reads as asked, and the first row of digits as a picture."""
    rows = []
    for sampler, steps in sampler_runs(model.objective):
        n = 10 if sampler == "ddpm" else 10 * per_label  # 1,000 steps: one row is enough to see it
        t0 = time.perf_counter()
        images = core_diffusion.sample(model, n, seed, sampler=sampler, steps=steps, guidance=guidance)
        seconds = time.perf_counter() - t0
        pred, _ = classify(classifier, images) if classifier is not None else (None, None)
        rows.append(
            {
                "sampler": sampler,
                "steps": steps,
                "per_100": 100 * seconds / n,
                "agreement": None if pred is None else float((pred == np.arange(n) % 10).mean()),
                "image": grid_image(images[:10], nrow=10, scale=2),
            }
        )
    return rows


@_bounded
def _guidance_grid(_model, ident: int, _classifier, seed: int, sampler: str, steps: int):
    noise = torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(seed)).expand(10, -1, -1, -1)
    labels = torch.arange(10)  # one row per digit, all from the same noise
    cols = [core_diffusion.generate(_model, noise, labels, sampler, steps, w) for w in GUIDANCE]
    images = torch.stack(cols, dim=1).reshape(-1, 1, 28, 28)  # (50, 1, 28, 28) row-major
    shares = []
    if _classifier is not None:
        for col in cols:
            pred, _ = classify(_classifier, col)
            shares.append(float((pred == np.arange(10)).mean()))
    return grid_image(images, nrow=len(GUIDANCE), scale=2), shares


def guidance_grid(model, classifier, seed: int, sampler: str, steps: int):
    """(picture: a row per digit, a column per guidance scale, every cell from the same noise; the share
    the classifier reads as asked per column)."""
    return _guidance_grid(model, id(model), classifier, int(seed), sampler, int(steps))


# -- the judge panel: GAN vs VAE vs diffusion ---------------------------------------------------------
def judge(classifier, n: int, seed: int) -> dict[str, dict]:
    """Each shipped generator's n samples read by the classifier: digit shares, mean confidence, share with
    confidence >= 0.9, seconds per 100 samples, a picture of the first 20. Missing models are left out."""
    from core import gan, vae

    makers = {}
    gan_ck = resources.shipped("gan_mnist.pth", "gan.Generator")
    if gan_ck is not None:
        makers["gan"] = lambda: gan.sample(gan_ck.model, n, seed)
    vae_ck = resources.shipped("vae_mnist.pth", "vae.ConvVAE")  # the VAE page's own 2-D model
    if vae_ck is not None:
        makers["vae"] = lambda: vae.sample_prior(vae_ck.model, n, torch.Generator().manual_seed(seed))
    diff = shipped()
    if diff is not None:
        d = sampling_defaults(diff)
        makers["diffusion"] = lambda: core_diffusion.sample(
            diff.model, n, seed, sampler=d["sampler"], steps=d["steps"], guidance=d["guidance"]
        )
        no_label = torch.full((n,), core_diffusion.NULL_LABEL)  # the same model asked for no digit (w = 0)
        makers["diffusion_free"] = lambda: core_diffusion.sample(
            diff.model, n, seed, labels=no_label, sampler=d["sampler"], steps=d["steps"], guidance=0.0
        )
    out = {}
    for name, make in makers.items():
        t0 = time.perf_counter()
        images = make()
        seconds = time.perf_counter() - t0
        pred, conf = classify(classifier, images)
        out[name] = {
            "images": images,
            "shares": digit_shares(pred),
            "mean_conf": float(conf.mean()),
            "confident": float((conf >= 0.9).mean()),
            "per_100": 100 * seconds / n,
            "picture": grid_image(images[:20], nrow=10, scale=2),
        }
    return out


def memorisation(samples: torch.Tensor, k: int = 10) -> dict:
    """The nearest training digit of each sample, and for comparison of each unseen test digit."""
    split = resources.mnist()
    idx, dist = core_diffusion.nearest_training(samples, split.x_train)
    _, test_dist = core_diffusion.nearest_training(split.x_test[: len(samples)], split.x_train)
    pairs = torch.cat(
        [samples[:k], split.x_train[torch.as_tensor(idx[:k])]]
    )  # samples above, neighbours below
    return {
        "picture": grid_image(pairs, nrow=k, scale=2),
        "dist": dist,
        "median": float(np.median(dist)),
        "test_median": float(np.median(test_dist)),
        "closest": float(dist.min()),
    }


def judge_histogram(shares: np.ndarray) -> go.Figure:
    return digit_histogram(shares, height=220)


# -- the training panel ------------------------------------------------------------------------------
def loss_chart(steps: Sequence[dict], height: int = 300) -> go.Figure:
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


def training_panel(job: jobs.Job) -> None:
    """Loss per step, the latest epoch's loss by t and its fixed-noise grid, read by the shipped CNN."""
    job_widgets.status(job)
    steps = list(job.steps)
    ep = [r for r in job.epochs_log if r.get("kind") == "epoch"]
    c1, c2 = st.columns(2)
    c1.plotly_chart(loss_chart(steps), key="diffusion_loss_chart", width="stretch")
    c2.plotly_chart(loss_by_t_chart(ep[-1] if ep else None), key="diffusion_t_chart", width="stretch")
    shown = grids(job)
    if not shown:
        st.info(t("diffusion.waiting_grid"))
        return
    last = shown[-1]
    left, right = st.columns([3, 2])
    left.image(
        grid_image(last["grid"], nrow=10, scale=3), caption=t("diffusion.live_grid", epoch=last["epoch"])
    )
    cnn = resources.shipped("cnn_mnist.pth", "cnn.MNISTCNN")
    if cnn is not None:
        x = torch.from_numpy(last["grid"][:, None]).float() / 255
        pred, conf = classify(cnn.model, x)
        asked = np.arange(len(pred)) % 10
        right.metric(t("diffusion.agreement"), f"{100 * (pred == asked).mean():.0f}%")
        right.metric(t("diffusion.mean_conf"), f"{conf.mean():.2f}")
        right.caption(t("diffusion.live_grid_help"))


def png(img: np.ndarray) -> bytes:
    return png_bytes(img)


def warn_no_shipped() -> None:
    """Why the shipped model cannot be used, as the page's warning (Train stays on offer)."""
    resources.shipped_warning(SHIPPED, FAMILY, "diffusion.no_shipped")
