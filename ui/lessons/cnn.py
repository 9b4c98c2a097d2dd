"""The CNN lesson (course 000, Part 2, `mnist_cnn.py`): which model the page uses (shipped, trained here,
uploaded), training it as a job with its saved runs, and the figures — preprocessing steps, probability
bars, the row of digits read one by one, feature-map grids, heatmaps, the confusion matrix and the "show
the code" script. Streamlit and
Plotly only here; the computation lives in core.cnn and core.preprocess."""

from __future__ import annotations

import copy
import sys
from dataclasses import asdict

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from core import checkpoints
from core import cnn as core_cnn
from core.cnn import FAMILY, CNNTrainConfig
from core.data import Split
from core.images import to_uint8
from core.models import model_args
from core.models.cnn import CNNConfig
from core.preprocess import Steps, digit_parts
from ui import jobs, lesson, resources, saved_runs
from ui.charts import base_figure, epoch_chart, loss_chart
from ui.i18n import t

PAGE = "cnn"
SHIPPED_FILE = "cnn_mnist.pth"
MAX_CKPT_BYTES = 20 * 1024 * 1024  # a course CNN is ~1.7 MB; anything bigger is not one of ours
MAX_PARTS = 6  # more digit-sized parts than this is scribble or a page of text: ask for one digit
RUN = "cnn_run"  # session_state: {"model", "cfg", "batches"} of the run the Train tab shows
ss = st.session_state


# -- the lesson protocol (ui.lesson) ------------------------------------------------------------------
def batches_per_epoch(cfg: CNNTrainConfig, n_train: int) -> int:
    """Batches in one epoch of `cfg` on a training split of `n_train` digits (the loss chart's x scale)."""
    n = min(cfg.train_size or n_train, n_train)
    return -(-n // cfg.batch_size)


def train(cfg: CNNTrainConfig, split: Split) -> jobs.Job:
    """A new CNN for `cfg`, trained on `split` as this session's job and saved to runs/. The model stays in
    the session (`cnn_run`) so the page can use it once the job is not running."""
    device = jobs.train_device()  # the CPU after a GPU fault ("train again on the CPU")
    net, make_iter = core_cnn.make_train_iter(
        cfg, split.x_train, split.y_train, split.x_test, split.y_test, device
    )
    ss[RUN] = {"model": net, "cfg": cfg, "batches": batches_per_epoch(cfg, len(split.x_train))}
    training = lesson.Training(
        model=net,
        model_args=model_args(net),
        settings=asdict(cfg),
        records=make_iter,
        epochs=cfg.epochs,
        device=device,
        meta=core_cnn.checkpoint_meta(cfg, split.provenance.as_dict(), 0, {}),
    )
    return lesson.start(sys.modules[__name__], training)


def history(job: jobs.Job) -> dict:
    return lesson.job_history(job)


def metrics(job: jobs.Job) -> dict:
    return lesson.last_epoch(job, ("val_acc", "val_loss", "train_loss"))


def arrays(job: jobs.Job) -> dict:
    return {}


def saved(name: str) -> list[lesson.Saved]:
    return saved_runs.listed(PAGE, name)


def reopen(saved_id: str) -> str:
    """The saved model back as this session's trained model, with its records in a finished job."""
    opened = saved_runs.opened_run(saved_id, FAMILY)
    cfg = saved_runs.from_dict(CNNTrainConfig, opened.info.config)
    ss[RUN] = {
        "model": opened.model,
        "cfg": cfg,
        "batches": batches_per_epoch(cfg, len(resources.mnist().x_train)),
    }
    saved_runs.restored_job(
        PAGE, opened.history.get("epochs", []), saved_runs.step_records(opened.history), cfg.epochs
    )
    return t("runs.opened", epochs=opened.info.epochs_done)


# -- models ------------------------------------------------------------------------------------
def shipped():
    """The shipped classifier (`core.checkpoints.Loaded`), or None when it is missing or unusable."""
    return resources.shipped(SHIPPED_FILE, FAMILY)


def shipped_note() -> None:
    """The sidebar's line about the shipped classifier: how it was trained, or why it cannot be used."""
    s = shipped()
    if s is None:
        resources.shipped_warning(SHIPPED_FILE, FAMILY, "cnn.no_shipped")
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
    job = jobs.get(PAGE)
    run = ss.get(RUN)
    if run is None or job is None or job.active or not (job.epochs_log or job.steps):  # stopped early is fine
        return None
    tag = (id(job), job.last.get("step", 0))
    if ss.get("_cnn_snapshot_tag") != tag:  # the worker's model keeps training on Resume: copy it
        ss["_cnn_snapshot"] = copy.deepcopy(run["model"]).to("cpu").eval().requires_grad_(False)
        ss["_cnn_snapshot_tag"] = tag
    return ss["_cnn_snapshot"]


def session_checkpoint(model, split: Split) -> bytes:
    """The session's trained model as a .pth to download, with its settings and test accuracy."""
    run = ss[RUN]
    job = jobs.get(PAGE)
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
    if m is not None:
        out["session"] = m
    if ss.get("cnn_uploaded_model") is not None:
        out["uploaded"] = ss["cnn_uploaded_model"]
    return out


def load_uploaded_checkpoint(file) -> str | None:
    """Validate an uploaded .pth and keep it in the session; returns an error message or None."""
    if getattr(file, "size", 0) > MAX_CKPT_BYTES:
        return t("ckpt.too_large")
    try:
        loaded = checkpoints.load(file, expected_family=FAMILY, default_config=asdict(CNNConfig()))
    except checkpoints.CheckpointError as e:
        return t(f"ckpt.{e.code}", family=e.params.get("family", "?"), path=getattr(file, "name", ""))
    ss["cnn_uploaded_model"] = loaded.model.requires_grad_(False)
    ss["cnn_uploaded_name"] = getattr(file, "name", "")
    return None


# -- images ------------------------------------------------------------------------------------
def enlarge(a: np.ndarray, size: int = 112) -> np.ndarray:
    """Nearest-neighbour enlargement (pixels stay visible), longer side = `size`, on a dark square."""
    img = Image.fromarray(to_uint8(a))
    h, w = a.shape
    scale = size / max(h, w)
    img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.NEAREST)
    canvas = Image.new("L", (size, size), 0)
    canvas.paste(img, ((size - img.width) // 2, (size - img.height) // 2))
    return np.asarray(canvas)


def boxed(source: np.ndarray, boxes: list[tuple[int, int, int, int]], size: int = 112) -> np.ndarray:
    """`source` as an RGB thumbnail with each (top, left, bottom, right) box drawn in red."""
    framed = np.stack([to_uint8(source)] * 3, -1)
    line = max(1, max(source.shape) // 112)  # about one pixel of the thumbnail
    for top, left, bottom, right in boxes:
        framed[top:bottom, left : left + line] = framed[top:bottom, right - line : right] = (255, 80, 80)
        framed[top : top + line, left:right] = framed[bottom - line : bottom, left:right] = (255, 80, 80)
    h, w = source.shape
    scale = size / max(h, w)
    thumb = Image.fromarray(framed).resize(
        (max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BILINEAR
    )
    return np.asarray(thumb)


def step_images(steps: Steps) -> list[tuple[str, np.ndarray]]:
    """(caption, image) per preprocessing step, each enlarged to the same square for display."""
    thumb = boxed(steps.source, [steps.bbox])
    h, w = steps.cropped.shape
    sh, sw = steps.scaled.shape
    return [
        (t("cnn.step.source"), thumb),
        (t("cnn.step.cropped", h=h, w=w), enlarge(steps.cropped)),
        (t("cnn.step.scaled", h=sh, w=sw), enlarge(steps.scaled)),
        (t("cnn.step.final", dy=steps.shift[0], dx=steps.shift[1]), enlarge(steps.final)),
    ]


def grid(
    maps: np.ndarray, cols: int = 8, cell: int = 52, gap: int = 2, diverging: bool = False
) -> np.ndarray:
    """(C, h, w) maps tiled into one RGB image, each map scaled to its own range (kernels: blue-red)."""
    c = maps.shape[0]
    rows = -(-c // cols)
    out = np.full((rows * (cell + gap) - gap, cols * (cell + gap) - gap, 3), 235, dtype=np.uint8)
    for i, m in enumerate(maps):
        if diverging:
            v = m / (np.abs(m).max() + 1e-8)  # [-1, 1]: red positive, blue negative, white zero
            rgb = np.stack([1 - np.clip(-v, 0, 1), 1 - np.abs(v), 1 - np.clip(v, 0, 1)], -1)
        else:
            v = (m - m.min()) / (m.max() - m.min() + 1e-8)
            rgb = np.stack([v] * 3, -1)
        img = Image.fromarray(to_uint8(rgb)).resize((cell, cell), Image.Resampling.NEAREST)
        r, q = divmod(i, cols)
        out[r * (cell + gap) : r * (cell + gap) + cell, q * (cell + gap) : q * (cell + gap) + cell] = (
            np.asarray(img)
        )
    return out


def heat_overlay(image28: np.ndarray, heat: np.ndarray, size: int = 168) -> np.ndarray:
    """The digit in grey with `heat` in red on top, enlarged."""
    g = np.asarray(image28, dtype=np.float32) * 0.6
    hmax = float(heat.max())
    h = heat / hmax if hmax > 0 else heat
    rgb = np.stack([np.maximum(g, h), g * (1 - h), g * (1 - h)], -1)
    return np.asarray(Image.fromarray(to_uint8(rgb)).resize((size, size), Image.Resampling.NEAREST))


def parts(steps: Steps | None) -> list[Steps]:
    """The digits of a picture, left to right (core.preprocess.digit_parts); [] when there is no ink."""
    return [] if steps is None else digit_parts(steps.source)


def parts_panel(model, found: list[Steps], key: str) -> None:
    """Several digits: say so, and read each one on its own — never one confident answer for all."""
    if len(found) > MAX_PARTS:
        st.warning(t("cnn.parts.many", n=len(found)), icon=":material/gesture:")
        return
    probs = [core_cnn.predict(model, p.final) for p in found]
    digits = [int(np.argmax(q)) for q in probs]
    st.info(
        t("cnn.parts.found", n=len(found), digits=" ".join(map(str, digits))) + "  \n" + t("cnn.parts.one"),
        icon=":material/format_list_numbered:",
    )
    with st.container(key=key):  # each digit as the CNN saw it (framed 28x28), with its reading
        for col, p, q, d in zip(st.columns(max(3, len(found))), found, probs, digits):
            caption = t("cnn.parts.item", digit=d, p=100 * float(q.max()))
            col.image(enlarge(p.final, 112), caption=caption, width="stretch")


def parts_steps(steps: Steps, found: list[Steps]) -> None:
    """How several digits were cut out: the input with each digit's box (their framing is shown above)."""
    st.markdown(t("cnn.parts.steps"))
    st.image(boxed(steps.source, [p.bbox for p in found], 224), caption=t("cnn.parts.source"), width=224)


# -- charts ------------------------------------------------------------------------------------
def prob_chart(probs: np.ndarray, height: int = 220) -> go.Figure:
    best = int(np.argmax(probs))
    colors = ["#e4572e" if i == best else "#7f9bb3" for i in range(10)]
    fig = base_figure(t("cnn.digit"), t("cnn.probability"))
    fig.add_bar(
        x=[str(i) for i in range(10)],
        y=[float(p) for p in probs],
        marker_color=colors,
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    fig.update_layout(height=height, showlegend=False, margin=dict(l=10, r=10, t=10, b=10))
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    fig.update_xaxes(type="category")
    return fig


def confusion_figure(cm: np.ndarray) -> go.Figure:
    labels = [str(i) for i in range(cm.shape[0])]
    fig = go.Figure(
        go.Heatmap(
            z=cm,
            x=labels,
            y=labels,
            colorscale="Blues",
            text=cm,
            texttemplate="%{text}",
            hovertemplate=t("cnn.eval.hover") + "<extra></extra>",
            showscale=False,
        )
    )
    fig.update_layout(
        height=440,
        margin=dict(l=60, r=10, t=60, b=10),
        font={"size": 16},
        xaxis_title=t("cnn.eval.predicted"),
        yaxis_title=t("cnn.eval.true"),
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    return fig


def loss_figure(job: jobs.Job, batches: int) -> go.Figure:
    """The run's per-batch loss and per-epoch losses; `batches` per epoch places the epochs on the steps."""
    return loss_chart([(s["step"], s["loss"]) for s in job.steps], job.epochs_log, batches)


def accuracy_figure(job: jobs.Job) -> go.Figure:
    """Training and test accuracy per epoch, in percent."""
    fig = epoch_chart(
        job.epochs_log,
        [("train_acc", t("chart.train")), ("val_acc", t("cnn.test_split"))],
        t("chart.accuracy"),
        percent=True,
    )
    fig.update_yaxes(range=[0, 101])
    return fig


# -- show the code -----------------------------------------------------------------------------
def training_script(cfg: CNNTrainConfig) -> str:
    """The course's `mnist_cnn.py` training part, with the Train tab's current settings filled in."""
    return core_cnn.script(cfg)


# -- panels --------------------------------------------------------------------------------------
def is_shipped(model) -> bool:
    """Whether `model` is the shipped classifier every session shares (read-only)."""
    s = shipped()
    return s is not None and model is s.model


def explanation(model, x28: np.ndarray) -> tuple[dict, int, np.ndarray, np.ndarray]:
    """(feature maps, predicted digit, saliency, occlusion map) of one 28x28 digit."""
    k = int(np.argmax(core_cnn.predict(model, x28)))
    return (
        core_cnn.feature_maps(model, x28),
        k,
        core_cnn.saliency(model, x28, k),
        core_cnn.occlusion(model, x28, k),
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def _shipped_explanation(
    _model, _x28: np.ndarray, test_index: int
) -> tuple[dict, int, np.ndarray, np.ndarray]:
    """`explanation` of test digit `test_index` by the shipped model: once for the whole class."""
    return explanation(_model, _x28)


@st.cache_resource(show_spinner=False, max_entries=4)
def _shipped_test_probs(_model, _x_test, n: int) -> np.ndarray:
    """The shipped model's probabilities for the test split: computed once, not once per student."""
    return core_cnn.predict_batch(_model, _x_test)


def inside(model, x28: np.ndarray, test_index: int | None = None) -> None:
    """Shapes table, conv1 kernels, feature maps of both conv layers, saliency and occlusion maps.

    For the shipped model and a test digit (`test_index`) the maps are computed once for every session."""
    conv1 = model.layer1[0]
    c1, c2, hidden = conv1.out_channels, model.layer2[0].out_channels, model.layer3[1].out_features
    left, right = st.columns([2, 3])
    with left:
        st.image(enlarge(x28, 140), caption=t("cnn.inside.input"), width=140)
        table = [f"| {t('cnn.inside.layer')} | {t('cnn.inside.shape')} |", "| --- | --- |"]
        table += [
            f"| {name} | {'×'.join(map(str, shape))} |"
            for name, shape in core_cnn.architecture_shapes(c1, c2, hidden)
        ]
        with st.expander(t("cnn.inside.shapes"), icon=":material/table_rows:"):  # reference: folded
            st.markdown("\n".join(table))
    with right:
        with st.expander(t("cnn.inside.how"), icon=":material/menu_book:"):  # reference: folded
            st.markdown(t("cnn.inside.conv"))
            st.markdown(t("cnn.inside.pool"))
        st.image(
            grid(core_cnn.conv1_kernels(model), cols=8, cell=40, diverging=True),
            caption=t("cnn.inside.kernels", n=c1),
        )
    if test_index is not None and is_shipped(model):
        maps, k, sal, occ = _shipped_explanation(model, x28, test_index)
    else:
        maps, k, sal, occ = explanation(model, x28)
    st.markdown(t("cnn.inside.maps1", n=c1))
    st.image(grid(maps["conv1"], cols=16, cell=64), width="stretch")
    st.markdown(t("cnn.inside.maps2", n=c2))
    st.image(grid(maps["conv2"], cols=16, cell=44), width="stretch")
    st.markdown(t("cnn.inside.why", digit=k))
    a, b, c = st.columns(3)
    a.image(heat_overlay(x28, sal), caption=t("cnn.inside.saliency"), width=168)
    b.image(heat_overlay(x28, occ), caption=t("cnn.inside.occlusion"), width=168)
    c.markdown(t("cnn.inside.why_caption"))  # the key to reading both maps: body text, not small print


def evaluate_panel(model, split) -> None:
    """Accuracy, confusion matrix and misclassified digits on the test split (cached per model)."""
    if is_shipped(model):  # the same for every student: computed once for the class
        probs = _shipped_test_probs(model, split.x_test, len(split.x_test))
    else:
        cache = ss.setdefault("_cnn_eval", {})
        if id(model) not in cache:
            cache.clear()
            cache[id(model)] = core_cnn.predict_batch(model, split.x_test)
        probs = cache[id(model)]
    pred, truth = probs.argmax(1), split.y_test.numpy()
    wrong = np.flatnonzero(pred != truth)
    st.metric(t("cnn.eval.accuracy", n=len(truth)), f"{100 * (pred == truth).mean():.1f}%")
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(truth, pred, labels=list(range(10)))
    left, right = st.columns([1, 1])
    with left:
        st.markdown(t("cnn.eval.confusion"))
        st.plotly_chart(confusion_figure(cm), key="cnn_confusion", width="stretch", theme=None)
    with right:
        st.markdown(t("cnn.eval.wrong", n=len(wrong)))
        shown = wrong[:30]
        if len(shown):
            st.image(
                [enlarge(split.x_test[i, 0].numpy(), 64) for i in shown],
                width=64,
                caption=[
                    t("cnn.eval.item", true=int(truth[i]), pred=int(pred[i]), p=100 * probs[i].max())
                    for i in shown
                ],
            )
