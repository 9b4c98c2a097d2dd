"""The image-classification guide lesson (course 002): which data set the page uses and why, the SimpleCNN
trained as a job with its saved runs (`LESSON`), the live panel, the models the Evaluate tab reads (trained
here, or the shipped Fashion-MNIST model) and the FAQ's short runs as a second job. The computation lives
in core.cifar, the figures in ui/figures/cifar.py, the larger panels in ui/panels/cifar.py."""

from __future__ import annotations

import copy
from dataclasses import asdict

import numpy as np
import streamlit as st

from core import cifar as core_cifar
from core import image_data, run_export, runs
from core.models import model_args
from ui import charts, job_widgets, jobs, resources, saved_runs, trainable
from ui.figures import cifar as figures
from ui.i18n import t

RUN = "cifar_run"  # session_state: {"model", "cfg"} of the model trained or reopened here
FAQ = "cifar_faq"  # the session's job key of the FAQ's symptom-and-cure runs
SHIPPED_FILE = "cifar_fashion.pth"
SHIPPED_FAMILY = "simple_cnn.DeeperCNN"
SIZES = resources.sizes(
    # 20,000 of Fashion-MNIST's 60,000: the first test point within seconds (bench/cifar.py)
    full={"epochs": 5, "train_limit": 20_000, "test_limit": 2_000, "load_limit": None, "faq_tiny": False},
    tiny={"epochs": 1, "train_limit": 256, "test_limit": 100, "load_limit": 1_200, "faq_tiny": True},
)
ss = st.session_state


# -- the data ------------------------------------------------------------------------------------------------
def available() -> dict[str, str | None]:
    """Data set → None when it can be used here, else the reason code (file names only: cheap)."""
    return image_data.available()


def default_dataset(avail: dict[str, str | None]) -> str:
    """CIFAR-10 where a teacher added it, else Fashion-MNIST (installed with the lab)."""
    return "cifar10" if avail.get("cifar10") is None else "fashion"


@st.cache_resource(show_spinner=False, max_entries=3)
def data(name: str) -> core_cifar.Data:
    """The data set as tensors, read once per server and shared read-only (raises DataUnavailable)."""
    return core_cifar.load(name, limit=SIZES.load_limit)


def class_names(d: core_cifar.Data) -> list[str]:
    """The classes in the student's language (digits stay digits)."""
    if d.name == "coloured_mnist":
        return list(d.classes)
    return [t(f"cifar.class.{d.name}.{i}") for i in range(len(d.classes))]


# -- the lesson (ui.trainable) -------------------------------------------------------------------------------
def build(cfg: core_cifar.CifarConfig, d: core_cifar.Data) -> trainable.Training:
    """A fresh model of `cfg` on `d`, trained on the CPU: the SimpleCNN is too small to gain from a GPU."""
    model, prepared, g = core_cifar.make_run(cfg, d)
    ss[RUN] = {"model": model, "cfg": cfg}
    return trainable.Training(
        model=model,
        model_args=model_args(model),
        settings=asdict(cfg),
        records=lambda: core_cifar.train(model, prepared, cfg, g),
        epochs=cfg.epochs,
        device="cpu",
        meta=core_cifar.checkpoint_meta(cfg, prepared, 0, {}),
    )


WIDGETS = (
    "dataset",
    "model",
    "epochs",
    "lr",
    "batch_size",
    "flip",
    "crop",
    "jitter",
    "normalize",
    "grey",
    "seed",
)


def restore(opened: runs.OpenedRun, cfg: core_cifar.CifarConfig) -> str:
    """The saved model as this session's model, its records as a finished job, the settings back."""
    ss[RUN] = {"model": opened.model.eval(), "cfg": cfg}
    ss.update({f"cifar_{name}": getattr(cfg, name) for name in WIDGETS})
    saved_runs.restored_job(
        LESSON.key, opened.history.get("epochs", []), saved_runs.step_records(opened.history), cfg.epochs
    )
    return t("runs.opened", epochs=opened.info.epochs_done)


def live(job: jobs.Job) -> None:
    """Progress, then train and test accuracy (the gap is overfitting) beside the loss."""
    job_widgets.status(job)
    points = figures.progress_points(job.steps, job.epochs_log)
    left, right = st.columns(2)
    charts.plot(left, figures.accuracy_figure(points), key="cifar_acc_chart", width="stretch")
    charts.plot(right, figures.loss_figure(job.steps, points), key="cifar_loss_chart", width="stretch")
    if points:
        last = points[-1]
        epoch = next((r["epoch"] for r in reversed(job.epochs_log) if r.get("kind") == "epoch"), 0)
        st.caption(
            t("cifar.live.caption", epoch=epoch, train=100 * last["train_acc"], test=100 * last["test_acc"])
        )
        gap = 100 * (last["train_acc"] - last["test_acc"])
        if gap > 8:
            st.warning(t("cifar.live.gap", gap=gap), icon=":material/trending_up:")


LESSON = trainable.Lesson(
    "cifar", build, restore, live=live, metric_keys=("test_acc", "train_acc", "train_loss")
)


# -- the models the Evaluate tab reads -----------------------------------------------------------------------
def shipped():
    """The shipped Fashion-MNIST model (`core.checkpoints.Loaded`), or None when missing or unusable."""
    return resources.shipped(SHIPPED_FILE, SHIPPED_FAMILY)


def shipped_problem() -> str:
    return resources.shipped_problem(SHIPPED_FILE, SHIPPED_FAMILY)


def session_model():
    """An eval-mode snapshot of the model trained or reopened here and its settings, once its job is idle."""
    job, run = jobs.get(LESSON.key), ss.get(RUN)
    if run is None or job is None or job.active or not (job.epochs_log or job.steps):
        return None
    tag = (id(job), job.last.get("step", 0), id(run["model"]))
    if ss.get("_cifar_snapshot_tag") != tag:  # Resume trains the same object on: evaluate a copy
        ss["_cifar_snapshot"] = copy.deepcopy(run["model"]).to("cpu").eval().requires_grad_(False)
        ss["_cifar_snapshot_tag"] = tag
    return ss["_cifar_snapshot"], run["cfg"]


def models_for(d: core_cifar.Data) -> dict[str, object]:
    """name → model the Evaluate tab may read for data set `d` (its image shape and data set must match)."""
    out: dict[str, object] = {}
    got = session_model()
    if got is not None and got[1].dataset == d.name:
        out["session"] = got[0]
    s = shipped() if d.name == "fashion" else None
    if s is not None:
        out["shipped"] = s.model
    return out


_SHIPPED = resources.SharedResults(max_entries=8)  # the shipped model's test readings: once for the class


def test_probs(model, d: core_cifar.Data, grey: bool = False) -> np.ndarray:
    """`model`'s probabilities for `d`'s test images: once per server for the shipped model, once per model
    in this session for the others."""
    x = core_cifar.to_grey(d.x_test) if grey else d.x_test
    if model is getattr(shipped(), "model", None):
        key = ("probs", resources.result_key(model), d.name, len(x))
        return _SHIPPED.get(key, lambda: core_cifar.probabilities(model, x))
    cache = ss.setdefault("_cifar_probs", {})
    if (id(model), d.name) not in cache:
        cache.clear()
        cache[(id(model), d.name)] = core_cifar.probabilities(model, x)
    return cache[(id(model), d.name)]


# -- the FAQ's runs: a second job of this session ------------------------------------------------------------
def start_faq(case: str, d: core_cifar.Data, base: core_cifar.CifarConfig) -> jobs.Job:
    """The symptom's and the cure's short runs of FAQ `case`, one after the other, as a job (not saved)."""
    symptom, cure = core_cifar.faq_configs(case, base, SIZES.faq_tiny)
    ss["cifar_faq_case"] = case
    return jobs.start(
        FAQ,
        lambda: core_cifar.faq_records(case, d, base, SIZES.faq_tiny),
        symptom.epochs + cure.epochs,
        "cpu",
    )


def faq_summary(job: jobs.Job) -> dict[str, dict]:
    """run → its last epoch record (or its diverged one) of the FAQ job."""
    out: dict[str, dict] = {}
    for r in job.epochs_log:
        if r.get("run") in ("symptom", "cure"):
            out[r["run"]] = r
    return out


def training_script(cfg: core_cifar.CifarConfig) -> str:
    """The run zip's train.py for the Train tab's settings."""
    return run_export.train_script(LESSON.key, asdict(cfg))
