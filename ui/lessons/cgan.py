"""The conditional GAN lesson (lesson 003): a cGAN trained on MNIST or scikit-learn's 8x8 digits as a job,
its saved runs, and what only this page draws — the label-fidelity chart, the 8x8 digits' judge and the
small split of the train-on-generated exercise.

Training, saving and reopening are the GAN lesson's (ui.lessons.gan) under this page's key and family;
the shared images, charts and shipped-sample caches are there too.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from core import gan
from ui import jobs, lesson, resources, saved_runs
from ui.charts import COLORS, base_figure
from ui.i18n import t
from ui.lessons import gan as gan_lesson

PAGE = "cgan"
FAMILY = "gan.CondGenerator"


# -- the lesson protocol (ui.lesson) ------------------------------------------------------------------
def train(cfg: gan.GanConfig, x: torch.Tensor, y: torch.Tensor) -> jobs.Job:
    """A new conditional G and D for `cfg`, trained on digits (x, y) as this session's job of the page."""
    return gan_lesson.start_training(sys.modules[__name__], cfg, x, y)


history = gan_lesson.history
metrics = gan_lesson.metrics
arrays = gan_lesson.arrays


def saved(name: str) -> list[lesson.Saved]:
    return saved_runs.listed(PAGE, name)


def reopen(saved_id: str) -> str:
    return gan_lesson.reopen_run(PAGE, saved_id, FAMILY)


# -- label fidelity and the exercise ---------------------------------------------------------------
def fidelity_chart(per_digit: np.ndarray, height: int = 280) -> go.Figure:
    """Label fidelity per requested digit, in %."""
    fig = base_figure(t("gan.v.digit"), t("gan.v.fidelity"), height=height)
    fig.add_bar(x=[str(d) for d in range(10)], y=[100 * v for v in per_digit], marker_color=COLORS[2])
    fig.update_yaxes(ticksuffix="%", range=[0, 100])
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    return fig


def small_split(split, n_train: int = 200, n_test: int = 100):
    """The first images of a split (test mode: the exercise runs in a second)."""
    return replace(
        split,
        x_train=split.x_train[:n_train],
        y_train=split.y_train[:n_train],
        x_test=split.x_test[:n_test],
        y_test=split.y_test[:n_test],
    )


def digits_judge():
    """A small classifier trained on the real 8x8 digits: judges the 8x8 cGAN's label fidelity."""
    return _digits_judge(1 if resources.test_mode() else 30)


@st.cache_resource(show_spinner=False)
def _digits_judge(epochs: int):
    from core.metrics import train_classifier

    split = resources.digits()
    return train_classifier(split.x_train, split.y_train, epochs=epochs, seed=0).requires_grad_(False)
