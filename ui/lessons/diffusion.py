"""The diffusion lesson (course Part 3.1.2): a U-Net trained as a job, its saved runs and live panel, the
shipped model's reverse process, samplers and guidance computed once for the whole class. Its figures are in
ui.figures.diffusion; its panels, and the judge that puts the shipped GAN, VAE and diffusion model before the
same classifier, in ui.panels.diffusion.

What the shipped model computes from fixed inputs (reverse runs, the sampler comparison, the guidance grid,
the judge) is computed once per server in a `resources.SharedResults` (`HEAVY`) that a client's "Clear cache" cannot
empty: thirty students asking for the same digit and seed cost one sampling run. What is a student's own (the
comparison of the model trained in this session) is a job: it waits its turn in the server's line.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Iterator

import numpy as np
import streamlit as st
import torch

from core import configs, runs
from core import diffusion as core_diffusion
from core.metrics import classify
from core.models import model_args
from ui import charts, job_widgets, jobs, resources, saved_runs, trainable
from ui.figures import diffusion as figures
from ui.figures.images import grid_floats, grid_image
from ui.i18n import t

SHIPPED = "diffusion_mnist.pth"  # rectified flow: the objective that judges best
SESSION = "diffusion_session"  # session_state: {"model", "cfg"} trained or reopened in this session
MAX_GRIDS = 30  # sample grids kept on disk per run
GUIDANCE = (0.0, 1.0, 2.0, 4.0, 7.0)  # the guidance grid's columns
SCHEDULE_T = 1000
COMPARE_JOB = "diffusion_compare"  # this session's job: the sampler comparison of its own model
NOISY_T = 0.5  # a reverse frame at a later time is still mostly noise: the CNN's reading of it is not shown
# the shipped model's results, once per server: reverse runs (about 0.3 MB each with their frames) and,
# apart so that a class moving sliders never pushes them out, the heavy ones (a comparison costs ~25 s)
_REVERSE = resources.SharedResults(max_entries=100)
HEAVY = resources.SharedResults(max_entries=16)
SIZES = resources.sizes(
    # `run`: what the page's first run changes of `core.diffusion.LIVE`; `per_label`: samples per digit
    # of each sampler compared; `judge_n`: samples per model the judge reads
    full={"run": {}, "max_epochs": 60, "train_n": None, "per_label": 10, "judge_n": 200},
    tiny={
        # one epoch of a narrow U-Net with a 2-step grid
        "run": {"epochs": 1, "c1": 8, "c2": 16, "emb_dim": 16, "sample_every": 1, "sample_steps": 2},
        "max_epochs": 3,
        "train_n": 256,
        "per_label": 1,
        "judge_n": 40,
    },
)
ss = st.session_state


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def build(cfg: core_diffusion.DiffusionConfig) -> trainable.Training:
    """A fresh U-Net for `cfg` in this session, trained on the session's device (`SIZES.train_n` MNIST
    digits, all for a class).

    What is saved and sampled is the moving average of the weights (`ema`), as in the shipped model."""
    split = resources.mnist()
    x, y = split.x_train[: SIZES.train_n], split.y_train[: SIZES.train_n]
    g = torch.Generator().manual_seed(cfg.seed)
    model = core_diffusion.build_model(cfg, g)
    ema = copy.deepcopy(model)
    ss[SESSION] = {"model": ema, "cfg": cfg}
    # the CPU after a GPU fault ("train again on the CPU")
    device = jobs.train_device()
    return trainable.Training(
        model=ema,
        model_args=model_args(ema),
        settings=dataclasses.asdict(cfg),
        records=lambda: core_diffusion.train_diffusion(model, x, y, cfg, device, g, ema),
        epochs=cfg.epochs,
        device=device,
    )


def restore(opened: runs.OpenedRun, cfg: core_diffusion.DiffusionConfig) -> str:
    """The saved U-Net back as this session's model, its records (grids included) as a finished job. A run
    of another family is refused when it is opened (the registry names the U-Net's)."""
    ss[SESSION] = {"model": opened.model, "cfg": cfg}
    steps = saved_runs.step_records(opened.history)
    saved_runs.restored_job(LESSON.key, trainable.restore_grids(opened), steps, cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


def training_panel(job: jobs.Job) -> None:
    """Loss per step, the latest epoch's loss by t and its fixed-noise grid, read by the shipped CNN."""
    job_widgets.status(job)
    steps = list(job.steps)
    ep = [r for r in job.epochs_log if r.get("kind") == "epoch"]
    c1, c2 = st.columns(2)
    charts.plot(c1, figures.loss_chart(steps), key="diffusion_loss_chart", width="stretch")
    last_epoch = ep[-1] if ep else None
    charts.plot(c2, figures.loss_by_t_chart(last_epoch), key="diffusion_t_chart", width="stretch")
    shown = trainable.grid_records(job)
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
        pred, conf = classify(cnn.model, grid_floats(last["grid"]))
        asked = np.arange(len(pred)) % 10
        right.metric(t("diffusion.agreement"), f"{100 * (pred == asked).mean():.0f}%")
        right.metric(t("diffusion.mean_conf"), f"{conf.mean():.2f}")
        right.caption(t("diffusion.live_grid_help"))


LESSON = trainable.Lesson(
    "diffusion",
    build,
    restore,
    live=training_panel,
    # the per-step losses (the epoch records' grids go to `arrays`)
    history=trainable.step_history("step", "loss"),
    arrays=lambda job: trainable.grid_arrays(job, MAX_GRIDS),
)


def page_defaults() -> core_diffusion.DiffusionConfig:
    """The page's first run: `core.diffusion.LIVE` (the live run bench/gen_quality_diffusion.py --live
    judges), changed by `SIZES.run` (in test mode a tiny one)."""
    return configs.with_overrides(core_diffusion.LIVE, **SIZES.run)


def session_model() -> torch.nn.Module | None:
    return ss[SESSION]["model"] if SESSION in ss else None


# -- the shipped model's pictures, computed once for the class ------------------------------------------
def shipped():
    return resources.shipped(SHIPPED, LESSON.topic.family)


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
    from core.commands.diffusion import shipped_sampling

    stored = loaded.meta.get("sampling") or {}
    return defaults(loaded.model, shipped_sampling(stored) if loaded is shipped() else stored)


def reverse_run(model, label: int, seed: int, sampler: str, steps: int, w: float):
    """(final digit (1, 1, 28, 28), the frames of every step, seconds) for one noise image of `seed`."""
    args = (int(label), int(seed), sampler, int(steps), float(w))
    return _REVERSE.get(("reverse", resources.result_key(model), *args), lambda: _reverse(model, *args))


def _reverse(model, label: int, seed: int, sampler: str, steps: int, w: float):
    frames: list = []
    noise = torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(seed))
    g = torch.Generator().manual_seed(seed + 1)
    t0 = time.perf_counter()
    out = core_diffusion.generate(model, noise, torch.tensor([label]), sampler, steps, w, g, frames)
    return out, frames, time.perf_counter() - t0


def frame_readings(classifier, frames) -> list[tuple[int, float] | None]:
    """The CNN's reading (digit, confidence) of each frame's own x_t, None while the frame is still mostly
    noise (t > NOISY_T): a reading belongs to the picture it is shown with, never the final digit's."""
    readings: list[tuple[int, float] | None] = [None] * len(frames)
    legible = [i for i, f in enumerate(frames) if f.t <= NOISY_T]
    if legible:
        pred, conf = classify(classifier, torch.cat([frames[i].x[:1] for i in legible]))
        for i, p, c in zip(legible, pred, conf):
            readings[i] = (int(p), float(c))
    return readings


def reverse_animation(model, classifier, label: int, seed: int, sampler: str, steps: int, w: float) -> bytes:
    """The reverse run's GIF, each frame with the CNN's reading of that frame (none without a classifier)."""
    args = (int(label), int(seed), sampler, int(steps), float(w))

    def make() -> bytes:
        final, frames, _ = reverse_run(model, *args)
        if classifier is None:
            return figures.reverse_gif(frames, final)
        pred, conf = classify(classifier, final)
        final_reading = (int(pred[0]), float(conf[0]))
        return figures.reverse_gif(frames, final, frame_readings(classifier, frames), final_reading)

    key = ("gif", resources.result_key(model), resources.result_key(classifier), *args)
    return _REVERSE.get(key, make)


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


# -- samplers and guidance ---------------------------------------------------------------------------
def sampler_runs(objective: str) -> list[tuple[str, int]]:
    """What the comparison runs: the many-step sampler and the few-step ones at falling step counts."""
    if objective == "flow":
        return [("euler", 50), ("euler", 20), ("euler", 10), ("euler", 5), ("euler", 2), ("heun", 10)]
    return [("ddpm", 1000), ("ddim", 50), ("ddim", 20), ("ddim", 10), ("ddim", 5)]


def comparison_records(model, classifier, seed: int, per_label: int, guidance: float) -> Iterator[dict]:
    """For each sampler and step count, a record: 10 * per_label samples (one per digit in turn), their
    seconds per 100, the share the classifier reads as asked, and the first row of digits as a picture.
    `epoch` counts the rows (a job's progress bar reads it)."""
    for i, (sampler, steps) in enumerate(sampler_runs(model.objective), 1):
        # 1,000 steps: one row is enough to see it
        n = 10 if sampler == "ddpm" else 10 * per_label
        t0 = time.perf_counter()
        images = core_diffusion.sample(model, n, seed, sampler=sampler, steps=steps, guidance=guidance)
        seconds = time.perf_counter() - t0
        pred, _ = classify(classifier, images) if classifier is not None else (None, None)
        yield {
            "kind": "sampler",
            "epoch": i,
            "sampler": sampler,
            "steps": steps,
            "per_100": 100 * seconds / n,
            "agreement": None if pred is None else float((pred == np.arange(n) % 10).mean()),
            "image": grid_image(images[:10], nrow=10, scale=2),
        }


def shipped_comparison(model, classifier, guidance: float) -> list[dict]:
    """The shipped model's comparison (`comparison_records`, seed 0), computed once per server: the class
    clicking at once waits for one computation and shares its rows (read them, never change them)."""
    per_label = SIZES.per_label
    key = ("compare", resources.result_key(model), resources.result_key(classifier), per_label, guidance)
    return HEAVY.get(key, lambda: list(comparison_records(model, classifier, 0, per_label, guidance)))


def start_comparison(model, classifier, guidance: float) -> jobs.Job:
    """The comparison of this session's own model, as this session's job `COMPARE_JOB`: it waits its turn
    in the server's line and runs at training's lower CPU priority, so a class comparing its own models
    never runs thirty samplers at once (its 1,000-step DDPM row alone takes seconds)."""
    per_label, device = SIZES.per_label, str(next(model.parameters()).device)
    rows = len(sampler_runs(model.objective))
    make = lambda: comparison_records(model, classifier, 0, per_label, guidance)  # noqa: E731
    return jobs.start(COMPARE_JOB, make, rows, device)


def comparison_rows(job: jobs.Job) -> list[dict]:
    return [r for r in list(job.epochs_log) if r.get("kind") == "sampler"]


def guidance_grid(model, classifier, seed: int, sampler: str, steps: int):
    """(picture: a row per digit, a column per guidance scale, every cell from the same noise; the share
    the classifier reads as asked per column), once per server."""
    args = (int(seed), sampler, int(steps))
    key = ("guidance", resources.result_key(model), resources.result_key(classifier), *args)
    return HEAVY.get(key, lambda: _guidance_grid(model, classifier, *args))


def _guidance_grid(model, classifier, seed: int, sampler: str, steps: int):
    noise = torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(seed)).expand(10, -1, -1, -1)
    labels = torch.arange(10)  # one row per digit, all from the same noise
    cols = [core_diffusion.generate(model, noise, labels, sampler, steps, w) for w in GUIDANCE]
    images = torch.stack(cols, dim=1).reshape(-1, 1, 28, 28)  # (50, 1, 28, 28) row-major
    shares = []
    if classifier is not None:
        for col in cols:
            pred, _ = classify(classifier, col)
            shares.append(float((pred == np.arange(10)).mean()))
    return grid_image(images, nrow=len(GUIDANCE), scale=2), shares


def warn_no_shipped() -> None:
    """Why the shipped model cannot be used, as the page's warning (Train stays on offer)."""
    resources.shipped_warning(SHIPPED, LESSON.topic.family, "diffusion.no_shipped")
