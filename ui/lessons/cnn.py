"""The CNN lesson (course 000, Part 2, `mnist_cnn.py`): which model the page uses (shipped, trained here,
uploaded), training it as a job with its saved runs, the explanations and test-split readings the whole
class shares, and the "show the code" script. The figures are in ui/figures/cnn.py, the page's larger
panels in ui/panels/cnn.py; the computation lives in core.cnn and core.preprocess."""

from __future__ import annotations

import copy
from dataclasses import asdict

import numpy as np
import streamlit as st

from core import checkpoints, run_export, runs
from core import cnn as core_cnn
from core.cnn import CNNTrainConfig
from core.data import Split
from core.models import model_args
from core.models.cnn import CNNConfig
from core.preprocess import Steps, digit_parts
from ui import charts, inputs, job_widgets, jobs, resources, saved_runs, trainable
from ui.figures import cnn as figures
from ui.i18n import t

SHIPPED_FILE = "cnn_mnist.pth"
MAX_CKPT_BYTES = 10 * 1024 * 1024  # a course CNN is ~1.7 MB; anything bigger is not one of ours
# what an upload may unpack to: twice the largest file accepted (torch.save does not compress, so a real
# checkpoint unpacks to its own size; a 1 MB zip bomb asking for 1 GB is refused before torch.load)
MAX_CKPT_INFLATED = 2 * MAX_CKPT_BYTES
MAX_PARTS = 6  # more digit-sized parts than this is scribble or a page of text: ask for one digit
RUN = "cnn_run"  # session_state: {"model", "cfg", "batches"} of the run the Train tab shows
# the Train tab's first settings; train_n None: the whole training split
# fashion_n: Fashion-MNIST images the page loads (stratified), so an epoch stays seconds on a shared CPU
SIZES = resources.sizes(
    full={"epochs": 5, "train_n": None, "fashion_n": 10_000},
    tiny={"epochs": 1, "train_n": 128, "fashion_n": 300},
)
ss = st.session_state


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def batches_per_epoch(cfg: CNNTrainConfig, n_train: int) -> int:
    """Batches in one epoch of `cfg` on a training split of `n_train` digits (the loss chart's x scale)."""
    n = min(cfg.train_size or n_train, n_train)
    return -(-n // cfg.batch_size)


def build(cfg: CNNTrainConfig, split: Split) -> trainable.Training:
    """A new CNN for `cfg`, trained on `split`. The model stays in the session (`cnn_run`) so the page can
    use it once the job is not running."""
    # the CPU after a GPU fault ("train again on the CPU")
    device = jobs.train_device()
    net, make_iter = core_cnn.make_train_iter(
        cfg, split.x_train, split.y_train, split.x_test, split.y_test, device
    )
    ss[RUN] = {"model": net, "cfg": cfg, "batches": batches_per_epoch(cfg, len(split.x_train))}
    return trainable.Training(
        model=net,
        model_args=model_args(net),
        settings=asdict(cfg),
        records=make_iter,
        epochs=cfg.epochs,
        device=device,
        meta=core_cnn.checkpoint_meta(cfg, split.provenance.as_dict(), 0, {}),
    )


def restore(opened: runs.OpenedRun, cfg: CNNTrainConfig) -> str:
    """The saved model back as this session's trained model, with its records in a finished job."""
    ss[RUN] = {
        "model": opened.model,
        "cfg": cfg,
        "batches": batches_per_epoch(cfg, len(training_split(cfg.dataset).x_train)),
    }
    ss["cnn_data"] = cfg.dataset
    saved_runs.restored_job(
        LESSON.key, opened.history.get("epochs", []), saved_runs.step_records(opened.history), cfg.epochs
    )
    return t("runs.opened", epochs=opened.info.epochs_done)


# -- the data it trains on --------------------------------------------------------------------
def training_split(name: str) -> Split:
    """The training data `name` (ui.resources.GREY_SETS): MNIST, or SIZES.fashion_n Fashion-MNIST images."""
    return resources.grey_split(name, SIZES.fashion_n)


def data_choice(busy: bool) -> tuple[str, Split]:
    """The Train tab's "Data" choice: MNIST, or Fashion-MNIST where it is installed; (name, its split)."""
    return inputs.grey_data_choice("cnn_data", SIZES.fashion_n, busy)


def train_sizes(n: int) -> list[int]:
    """The training-size steps up to all n images; a kept size the data lacks moves to the next below."""
    sizes = sorted({k for k in (128, 500, 1000, 2000) if k < n} | {n})
    kept = ss.get("cnn_train_size")
    if kept is not None and kept not in sizes:
        ss["cnn_train_size"] = max([k for k in sizes if k <= kept] or sizes[:1])
    return sizes


def reads_digits() -> bool:
    """Whether the model trained here reads digits (MNIST), so the drawing tabs may use it."""
    return ss.get(RUN, {}).get("cfg", CNNTrainConfig()).dataset == "mnist"


def live(job: jobs.Job) -> None:
    """The job's progress, its loss curve and its accuracy per epoch."""
    job_widgets.status(job)
    a, b = st.columns(2)
    # the epochs are placed on the steps of the run shown, not of the sliders now
    per_epoch = ss.get(RUN, {}).get("batches")
    charts.plot(
        a, figures.loss_figure(job.steps, job.epochs_log, per_epoch), key="cnn_loss_chart", width="stretch"
    )
    charts.plot(b, figures.accuracy_figure(job.epochs_log), key="cnn_acc_chart", width="stretch")


LESSON = trainable.Lesson("cnn", build, restore, live=live, metric_keys=("val_acc", "val_loss", "train_loss"))


# -- models ------------------------------------------------------------------------------------
def shipped():
    """The shipped classifier (`core.checkpoints.Loaded`), or None when it is missing or unusable."""
    return resources.shipped(SHIPPED_FILE, LESSON.topic.family)


def is_shipped(model) -> bool:
    """Whether `model` is the shipped classifier every session shares (read-only)."""
    s = shipped()
    return s is not None and model is s.model


def shipped_note() -> None:
    """The sidebar's line about the shipped classifier: how it was trained, or why it cannot be used."""
    s = shipped()
    if s is None:
        resources.shipped_warning(SHIPPED_FILE, LESSON.topic.family, "cnn.no_shipped")
        st.info(t("cnn.train_instead"))
        return
    m = s.meta.get("metrics", {})
    st.caption(
        t(
            "cnn.shipped_meta",
            acc=100 * m.get("test_accuracy", float("nan")),
            epochs=s.meta.get("epochs", "?"),
            n=m.get("n_test", "?"),
            c1=s.config.get("c1"),
            c2=s.config.get("c2"),
        )
    )


def session_model():
    """An eval-mode snapshot of the model trained on this page, once its job is not running."""
    job = jobs.get(LESSON.key)
    run = ss.get(RUN)
    # stopped early is fine: any epoch or step record makes a model worth using
    if run is None or job is None or job.active or not (job.epochs_log or job.steps):
        return None
    tag = (id(job), job.last.get("step", 0))
    if ss.get("_cnn_snapshot_tag") != tag:  # the worker's model keeps training on Resume: copy it
        ss["_cnn_snapshot"] = copy.deepcopy(run["model"]).to("cpu").eval().requires_grad_(False)
        ss["_cnn_snapshot_tag"] = tag
    return ss["_cnn_snapshot"]


def session_checkpoint(model, split: Split) -> bytes:
    """The session's trained model as a .pth to download, with its settings and test accuracy."""
    run = ss[RUN]
    job = jobs.get(LESSON.key)
    done = [r for r in job.epochs_log if r.get("kind") == "epoch"] if job else []
    meta = core_cnn.checkpoint_meta(
        run["cfg"],
        split.provenance.as_dict(),
        len(done),
        {"test_accuracy": done[-1]["val_acc"] if done else None},
    )
    return checkpoints.to_bytes(model, model_args(model), meta)


def available_models() -> dict[str, object]:
    """name → model for the model picker: shipped, trained here, uploaded."""
    out: dict[str, object] = {}
    s = shipped()
    if s is not None:
        out["shipped"] = s.model
    m = session_model()
    if m is not None and reads_digits():  # a model of clothes would read every drawing as clothes
        out["session"] = m
    if ss.get("cnn_uploaded_model") is not None:
        out["uploaded"] = ss["cnn_uploaded_model"]
    return out


def load_uploaded_checkpoint(file) -> str | None:
    """Validate an uploaded .pth and keep it in the session; returns an error message or None."""
    if getattr(file, "size", 0) > MAX_CKPT_BYTES:
        return t("ckpt.too_large")
    try:
        loaded = checkpoints.load(
            file,
            expected_family=LESSON.topic.family,
            default_config=asdict(CNNConfig()),
            max_inflated=MAX_CKPT_INFLATED,
        )
    except checkpoints.CheckpointError as e:
        if e.code == "inflated":  # say how much it asked for: "too large" would puzzle over a 1 MB file
            return t("cnn.ckpt.inflated", **e.params)
        return t(f"ckpt.{e.code}", family=e.params.get("family", "?"), path=getattr(file, "name", ""))
    ss["cnn_uploaded_model"] = loaded.model.requires_grad_(False)
    ss["cnn_uploaded_name"] = getattr(file, "name", "")
    return None


# -- readings ----------------------------------------------------------------------------------
def parts(steps: Steps | None) -> list[Steps]:
    """The digits of a picture, left to right (core.preprocess.digit_parts); [] when there is no ink."""
    return [] if steps is None else digit_parts(steps.source)


def explanation(model, x28: np.ndarray) -> tuple[dict, int, np.ndarray, np.ndarray]:
    """(feature maps, predicted digit, saliency, occlusion map) of one 28x28 digit."""
    k = int(np.argmax(core_cnn.predict(model, x28)))
    return (
        core_cnn.feature_maps(model, x28),
        k,
        core_cnn.saliency(model, x28, k),
        core_cnn.occlusion(model, x28, k),
    )


_SHIPPED = resources.SharedResults(max_entries=64)  # the shipped model's readings: once for the whole class


def _shipped_explanation(model, x28: np.ndarray, test_index: int) -> tuple[dict, int, np.ndarray, np.ndarray]:
    """`explanation` of test digit `test_index` by the shipped model: once for the whole class."""
    return _SHIPPED.get(("explain", resources.result_key(model), test_index), lambda: explanation(model, x28))


def _shipped_test_probs(model, x_test, n: int) -> np.ndarray:
    """The shipped model's probabilities for the test split: computed once, not once per student."""
    return _SHIPPED.get(
        ("test_probs", resources.result_key(model), n), lambda: core_cnn.predict_batch(model, x_test)
    )


def explained(
    model, x28: np.ndarray, test_index: int | None = None
) -> tuple[dict, int, np.ndarray, np.ndarray]:
    """`explanation`; for the shipped model and a test digit (`test_index`) computed once for every
    session."""
    if test_index is not None and is_shipped(model):
        return _shipped_explanation(model, x28, test_index)
    return explanation(model, x28)


def split_probs(model, split: Split) -> np.ndarray:
    """`model`'s probabilities for the test split: once for the class for the shipped model, once per
    model in this session for the others."""
    if is_shipped(model):
        return _shipped_test_probs(model, split.x_test, len(split.x_test))
    cache = ss.setdefault("_cnn_eval", {})
    if id(model) not in cache:
        cache.clear()
        cache[id(model)] = core_cnn.predict_batch(model, split.x_test)
    return cache[id(model)]


# -- show the code -----------------------------------------------------------------------------
def training_script(cfg: CNNTrainConfig) -> str:
    """The course's `mnist_cnn.py` training part, with the Train tab's current settings filled in (the
    run zip's train.py)."""
    return run_export.train_script("cnn", asdict(cfg))
