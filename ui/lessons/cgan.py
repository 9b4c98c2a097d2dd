"""The conditional GAN lesson (lesson 003): a cGAN trained on MNIST or scikit-learn's 8x8 digits as a job,
its saved runs and live panel, the 8x8 digits' judge and the data of the train-on-generated exercise.

Its figure is in ui.figures.cgan; the two players' charts (ui.charts), the grids (ui.figures.images) and
the shipped generators' samples computed once for the class (ui.resources) are shared with the GAN page.
"""

from __future__ import annotations

import dataclasses

import streamlit as st
import torch

from core import data, gan, runs
from core.models import model_args
from ui import charts, job_widgets, jobs, resources, saved_runs, trainable
from ui.charts import d_output_chart, gan_loss_chart
from ui.figures.cgan import grid_scale
from ui.figures.images import grid_image
from ui.i18n import t

SHIPPED = {"mnist": "cgan_mnist.pth", "digits": "cgan_digits.pth"}
SIZES = resources.sizes(
    full={
        "epochs": {"mnist": 10, "digits": 60},
        "train_n": None,
        "fidelity_per_digit": 100,
        "exercise_epochs": {"mnist": 3, "digits": 30},
        # (train, test) images of the exercise; None: the whole split
        "exercise_n": None,
        "judge_epochs": 30,
    },
    tiny={
        "epochs": {"mnist": 1, "digits": 1},
        "train_n": 256,
        "fidelity_per_digit": 10,
        "exercise_epochs": {"mnist": 1, "digits": 1},
        # the exercise runs in a second
        "exercise_n": (200, 100),
        "judge_epochs": 1,
    },
)
MAX_GRIDS = 60  # sample grids kept on disk per run (the latest ones)
STEP_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake")  # what run.json keeps of each step record
ss = st.session_state


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def build(cfg: gan.GanConfig, x: torch.Tensor, y: torch.Tensor) -> trainable.Training:
    """A new conditional G and D for `cfg` in this session (`cgan_G`, `cgan_cfg`), trained on digits
    (x, y); the worker reads `cgan_controls` at every step, as on the GAN page."""
    # the CPU after a GPU fault ("train again on the CPU")
    device = jobs.train_device()
    g = torch.Generator().manual_seed(cfg.seed)
    G, D = gan.build_models(cfg, True, g)
    controls = ss.setdefault("cgan_controls", {"mode": "both", "delay": 0.0})
    ss["cgan_G"], ss["cgan_cfg"] = G, cfg
    return trainable.Training(
        model=G,
        model_args=model_args(G),
        settings=dataclasses.asdict(cfg),
        records=lambda: gan.train_cgan(cfg, x, y, G, D, device=device, controls=controls, generator=g),
        epochs=cfg.epochs,
        device=device,
        controls=controls,
    )


def restore(opened: runs.OpenedRun, cfg: gan.GanConfig) -> str:
    """A saved conditional generator back as this session's `cgan_G`, its records (grids included) in a
    finished job."""
    ss["cgan_G"], ss["cgan_cfg"] = opened.model, cfg
    steps = saved_runs.step_records(opened.history)
    saved_runs.restored_job(LESSON.key, trainable.restore_grids(opened), steps, cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


def live_panel(job: jobs.Job) -> None:
    """The two players' charts and the latest fixed-z grid (a row per z, a column per digit)."""
    job_widgets.status(job)
    steps, ep = list(job.steps), trainable.grid_records(job)
    c1, c2 = st.columns(2)
    charts.plot(c1, gan_loss_chart(steps), key="cgan_loss_chart", width="stretch")
    charts.plot(c2, d_output_chart(steps), key="cgan_d_chart", width="stretch")
    if ep:
        st.markdown(f"**{t('cgan.live_grid', epoch=ep[-1]['epoch'])}**")
        grid = ep[-1]["grid"]
        st.image(grid_image(grid, nrow=10, scale=grid_scale(grid)), width="stretch")
    else:
        st.info(t("gan.waiting_grid"))


LESSON = trainable.Lesson(
    "cgan",
    build,
    restore,
    live=live_panel,
    metric_keys=("d_loss", "g_loss"),
    # the per-step losses and D outputs (the epoch records' grids go to `arrays`)
    history=trainable.step_history(*STEP_KEYS),
    arrays=lambda job: trainable.grid_arrays(job, MAX_GRIDS),
)


# -- data, the judge and the exercise ------------------------------------------------------------------
def split_of(dataset: str) -> data.Split:
    return resources.mnist() if dataset == "mnist" else resources.digits()


def shipped(dataset: str):
    """The shipped conditional generator of `dataset` ("mnist" or "digits"), or None."""
    return resources.shipped(SHIPPED[dataset], LESSON.topic.family)


def warn_no_shipped(dataset: str) -> None:
    resources.shipped_warning(SHIPPED[dataset], LESSON.topic.family, "cgan.no_shipped")


def train_data(split: data.Split) -> tuple[torch.Tensor, torch.Tensor]:
    """The digits and labels the page's run learns from (`SIZES.train_n` of them, all for a class)."""
    return split.x_train[: SIZES.train_n], split.y_train[: SIZES.train_n]


def exercise_split(split: data.Split) -> data.Split:
    """The real digits of the train-on-generated exercise: the split, or its first `SIZES.exercise_n`."""
    if SIZES.exercise_n is None:
        return split
    n_train, n_test = SIZES.exercise_n
    return dataclasses.replace(
        split,
        x_train=split.x_train[:n_train],
        y_train=split.y_train[:n_train],
        x_test=split.x_test[:n_test],
        y_test=split.y_test[:n_test],
    )


def digits_judge():
    """A small classifier trained on the real 8x8 digits: judges the 8x8 cGAN's label fidelity."""
    return _digits_judge(SIZES.judge_epochs)


@st.cache_resource(show_spinner=False)
def _digits_judge(epochs: int):
    from core.metrics import train_classifier

    split = resources.digits()
    return train_classifier(split.x_train, split.y_train, epochs=epochs, seed=0).requires_grad_(False)
