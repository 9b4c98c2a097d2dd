"""The GAN lesson (course Part 3.2, DCGAN): G and D trained as a job with GAN-Lab controls, its saved runs,
the live panel with its epoch-by-epoch replay, and the panel of the digits the shipped CNN reads.

Its figures are in ui.figures.gan (and ui.figures.images, ui.charts for what the other generative pages
draw alike); the shipped generator's samples are computed once for the class by ui.resources.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

import streamlit as st
import torch

from core import configs, gan, runs
from core.metrics import digit_shares
from core.models import model_args
from ui import charts, job_widgets, jobs, layout, resources, saved_runs, trainable
from ui.charts import d_output_chart, gan_loss_chart
from ui.figures import gan as figures
from ui.figures.images import digit_histogram, grid_floats, grid_image, png_bytes
from ui.i18n import current_lang, t

SHIPPED = "gan_mnist.pth"
CNN = ("cnn_mnist.pth", "cnn.MNISTCNN")  # the shipped CNN that reads the generated digits
# epochs None: the preset's own
SIZES = resources.sizes(full={"epochs": None, "train_n": None}, tiny={"epochs": 1, "train_n": 256})
MAX_GRIDS = 60  # sample grids kept on disk per run (the latest ones): ~3 MB at 64 x 28 x 28
STEP_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake")  # what run.json keeps of each step record
ss = st.session_state


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def build(cfg: gan.GanConfig, x: torch.Tensor) -> trainable.Training:
    """New G and D for `cfg` in this session (`gan_G`, `gan_cfg`), trained on images `x`.

    The worker reads the page's `gan_controls` dict at every step (GAN Lab's "step D only" and slow
    motion); the job keeps the step and epoch records the page draws."""
    # the CPU after a GPU fault ("train again on the CPU")
    device = jobs.train_device()
    g = torch.Generator().manual_seed(cfg.seed)
    G, D = gan.build_models(cfg, False, g)
    controls = ss.setdefault("gan_controls", {"mode": "both", "delay": 0.0})
    ss["gan_G"], ss["gan_cfg"] = G, cfg
    return trainable.Training(
        model=G,
        model_args=model_args(G),
        settings=dataclasses.asdict(cfg),
        records=lambda: gan.train_gan(cfg, x, G, D, device=device, controls=controls, generator=g),
        epochs=cfg.epochs,
        device=device,
        # "step D only" and slow motion, changed by the page while it trains
        controls=controls,
    )


def restore(opened: runs.OpenedRun, cfg: gan.GanConfig) -> str:
    """A saved generator back as this session's `gan_G`, its records (grids included) in a finished job,
    so the charts and the epoch timeline show it as it was trained."""
    ss["gan_G"], ss["gan_cfg"] = opened.model, cfg
    steps = saved_runs.step_records(opened.history)
    saved_runs.restored_job(LESSON.key, trainable.restore_grids(opened), steps, cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


def live_panel(job: jobs.Job) -> None:
    """The two players' charts and the latest grid while it trains; afterwards a slider replays the
    recorded epochs (grid, metrics and a mark on the charts at that epoch's step)."""
    job_widgets.status(job)
    steps, ep = list(job.steps), trainable.grid_records(job)
    # the latest grid while training; the replayed epoch afterwards
    shown = ep[-1] if ep else None
    if ep and not job.active:
        st.subheader(t("gan.timeline"))
        shown = replay_pick(ep, t("gan.epoch_pick"), "gan_epoch")
    marked = shown if shown is not None and not job.active and len(ep) > 1 else None
    # the step record the metrics show
    at = step_at(steps, marked)
    if at is not None:
        m = st.columns(4)
        for col, key, digits in zip(m, ("d_loss", "g_loss", "d_real", "d_fake"), (3, 3, 2, 2)):
            col.metric(t(f"gan.v.{key}"), f"{at[key]:.{digits}f}")
    mark = None if marked is None else marked.get("step")
    c1, c2 = st.columns(2)
    charts.plot(c1, gan_loss_chart(steps, mark=mark), key="gan_loss_chart", width="stretch")
    charts.plot(c2, d_output_chart(steps, mark=mark), key="gan_d_chart", width="stretch")
    # the live grid first: it shows what G learned
    left, right = layout.main_columns([3, 2], main=0)
    if shown is None:
        left.info(t("gan.waiting_grid"))
        return
    img = grid_image(shown["grid"], nrow=8, scale=3)
    left.markdown(f"**{t('gan.live_grid', epoch=shown['epoch'])}**")
    left.image(img, width="stretch")
    with right:
        quality_panel("gan_live", images=grid_floats(shown["grid"]))
    if not job.active:
        name = f"epoch_{shown['epoch']}.png"
        left.download_button(t("gan.download"), png_bytes(img), name, "image/png", key="gan_epoch_download")
        if len(ep) > 1 and right.toggle(t("gan.timeline_gif"), key="gan_timeline_gif"):
            right.image(figures.timeline_gif([r["grid"] for r in ep]), width="stretch")


LESSON = trainable.Lesson(
    "gan",
    build,
    restore,
    live=live_panel,
    metric_keys=("d_loss", "g_loss"),
    # the per-step losses and D outputs (the epoch records' grids go to `arrays`)
    history=trainable.step_history(*STEP_KEYS),
    # the latest MAX_GRIDS epoch grids (uint8) and their epoch numbers
    arrays=lambda job: trainable.grid_arrays(job, MAX_GRIDS),
)


# -- the page's first run and the replay of a finished one ---------------------------------------------
def page_defaults(preset: str) -> gan.GanConfig:
    """The settings the GAN page starts with for `preset`: `gan.LIVE` (the live run bench/gen_quality_gan.py
    measures) or the course's own, for as many epochs; `SIZES.epochs` in test mode."""
    cfg = gan.LIVE if preset == "improved" else configs.with_overrides(gan.COURSE, epochs=gan.LIVE.epochs)
    return configs.with_overrides(cfg, epochs=SIZES.epochs)


def train_images() -> torch.Tensor:
    """The MNIST training images the page's run learns from (`SIZES.train_n` of them, all for a class)."""
    return resources.mnist().x_train[: SIZES.train_n]


def replay_pick(ep: Sequence[dict], label: str, key: str) -> dict:
    """The epoch record (with its grid) a slider over the recorded epochs picks, the latest at first.

    A new run or a reopened one may hold other epochs than the slider's last value: that value is moved
    back into range (the latest epoch when it is out of it) before the slider is drawn."""
    first, last = int(ep[0]["epoch"]), int(ep[-1]["epoch"])
    if last <= first:
        return ep[-1]
    value = ss.get(key)
    if not isinstance(value, int) or not first <= value <= last or ss.get(f"_{key}_run") != id(ep[0]):
        # a different run: start the replay at its end
        ss[key] = last
    ss[f"_{key}_run"] = id(ep[0])
    picked = st.slider(label, first, last, key=key)
    # grids are kept for every epoch
    return min(ep, key=lambda r: abs(int(r["epoch"]) - picked))


def step_at(steps: Sequence[dict], epoch_record: dict | None) -> dict | None:
    """The last step record at or before `epoch_record`'s step (thinned steps may skip it); the latest
    step without one."""
    if not steps:
        return None
    if epoch_record is None or "step" not in epoch_record:
        return steps[-1]
    i = bisect.bisect_right([s["step"] for s in steps], epoch_record["step"])
    return steps[max(0, i - 1)]


# -- the shipped generator and the CNN that reads its digits ---------------------------------------------
def shipped():
    """The shipped generator (`core.checkpoints.Loaded`), or None: then `warn_no_shipped` says why."""
    return resources.shipped(SHIPPED, LESSON.topic.family)


def warn_no_shipped() -> None:
    resources.shipped_warning(SHIPPED, LESSON.topic.family, "gan.no_shipped")


def shipped_caption(loaded, data_text: str) -> str:
    """What the shipped generator is: its epochs and data, and the mapping network and the 3x3 refining
    conv where it has them."""
    args = loaded.model.model_args
    # the shipped G may add a mapping network: say so
    mapping = args.get("mapping", 0)
    key = "gan.shipped_info_mapping" if mapping else "gan.shipped_info"
    # Japanese sentences follow each other without a space
    gap = "" if current_lang() == "ja" else " "
    # likewise a 3x3 conv
    refine = gap + t("gan.shipped_refine") if args.get("refine") else ""
    return t(key, epochs=loaded.meta.get("epochs", "?"), data=data_text, mapping=mapping) + refine


def quality_panel(key: str, images: torch.Tensor | None = None, G=None, seed: int = 0) -> None:
    """Histogram of the digits the shipped CNN reads in `images`, or in 200 samples of the shipped
    generator `G` with `seed` (read once for the class), plus confidence figures."""
    st.markdown(f"**{t('gan.quality')}**")
    cnn = resources.shipped(*CNN)
    if cnn is None:
        resources.shipped_warning(*CNN, "gan.no_cnn", caption=True)
        return
    if G is not None:
        pred, conf = resources.shipped_reading(cnn.model, G, 200, seed)
    else:
        pred, conf = resources.read_digits(cnn.model, images)
    c1, c2 = st.columns(2)
    c1.metric(t("gan.mean_conf"), f"{conf.mean():.2f}")
    c2.metric(t("gan.confident"), f"{100 * (conf >= 0.9).mean():.0f}%")
    hist = digit_histogram(digit_shares(pred), height=230)
    charts.plot(st, hist, key=f"{key}_hist", width="stretch")
    st.caption(t("gan.quality_help", n=len(pred)))
