"""The GAN lesson (course Part 3.2, DCGAN): G and D trained as a job with GAN-Lab controls, its saved runs,
and the figures both GAN pages share — image grids, the two players' loss charts, the digit histogram,
and the shipped generators' samples computed once for the whole class.

The conditional GAN (ui.lessons.cgan) trains, saves and reopens through the same functions under its
own page key. Grids go through `torchvision.utils.make_grid`, like the course's `save_image(..., nrow=5)`.
"""

from __future__ import annotations

import bisect
import io
import sys
from collections.abc import Sequence
from types import ModuleType

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image

from core import gan
from core import images as core_images
from core.models import model_args
from ui import jobs, lesson, saved_runs
from ui.charts import COLORS, base_figure, finite
from ui.i18n import t

PAGE = "gan"
FAMILY = "gan.Generator"
MAX_GRIDS = 60  # sample grids kept on disk per run (the latest ones): ~3 MB at 64 x 28 x 28
STEP_KEYS = ("step", "d_loss", "g_loss", "d_real", "d_fake")  # what run.json keeps of each step record
ss = st.session_state


# -- the lesson protocol (ui.lesson) ------------------------------------------------------------------
def train(cfg: gan.GanConfig, x: torch.Tensor) -> jobs.Job:
    """A new G and D for `cfg`, trained on images `x` as this session's job of the GAN page."""
    return start_training(sys.modules[__name__], cfg, x, None)


def start_training(
    topic: ModuleType, cfg: gan.GanConfig, x: torch.Tensor, y: torch.Tensor | None
) -> jobs.Job:
    """New G and D for `cfg` in this session (`<page>_G`, `<page>_cfg`) and a job of `topic` (this module
    or ui.lessons.cgan) training them, saved to runs/. `y` (digit labels) makes it a conditional GAN.

    The worker reads the page's `<page>_controls` dict at every step (GAN Lab's "step D only" and slow
    motion); the job keeps the step and epoch records the page draws."""
    page = topic.PAGE
    device = jobs.train_device()  # the CPU after a GPU fault ("train again on the CPU")
    g = torch.Generator().manual_seed(cfg.seed)
    G, D = gan.build_models(cfg, y is not None, g)
    controls = ss.setdefault(f"{page}_controls", {"mode": "both", "delay": 0.0})
    ss[f"{page}_G"], ss[f"{page}_cfg"] = G, cfg

    def records():
        if y is None:
            return gan.train_gan(cfg, x, G, D, device=device, controls=controls, generator=g)
        return gan.train_cgan(cfg, x, y, G, D, device=device, controls=controls, generator=g)

    training = lesson.Training(
        model=G,
        model_args=model_args(G),
        settings=cfg.as_dict(),
        records=records,
        epochs=cfg.epochs,
        device=device,
        controls=controls,  # "step D only" and slow motion, changed by the page while it trains
    )
    return lesson.start(topic, training)


def history(job: jobs.Job) -> dict:
    """The epoch records (their grids go to `arrays`) and the per-step losses and D outputs."""
    steps = [{k: s[k] for k in STEP_KEYS if k in s} for s in list(job.steps)]
    return {"epochs": list(job.epochs_log), "steps": steps}


def metrics(job: jobs.Job) -> dict:
    return lesson.last_epoch(job, ("d_loss", "g_loss"))


def arrays(job: jobs.Job) -> dict:
    """The latest MAX_GRIDS epoch grids (uint8) and their epoch numbers."""
    return lesson.grid_arrays(job, MAX_GRIDS)


def saved(name: str) -> list[lesson.Saved]:
    return saved_runs.listed(PAGE, name)


def reopen(saved_id: str) -> str:
    return reopen_run(PAGE, saved_id, FAMILY)


def reopen_run(page: str, saved_id: str, family: str) -> str:
    """A saved generator back as this session's `<page>_G`, its records (grids included) in a finished
    job, so the charts and the epoch timeline show it as it was trained."""
    opened = saved_runs.opened_run(saved_id, family)
    cfg = saved_runs.from_dict(gan.GanConfig, opened.info.config)
    saved_grids = opened.arrays.get("grids", [])
    by_epoch = dict(zip(opened.arrays.get("grid_epochs", np.array([])).tolist(), saved_grids))
    epochs_log = [
        {**r, "grid": by_epoch[r["epoch"]]} if r.get("epoch") in by_epoch else r
        for r in opened.history.get("epochs", [])
    ]
    ss[f"{page}_G"], ss[f"{page}_cfg"] = opened.model, cfg
    saved_runs.restored_job(page, epochs_log, saved_runs.step_records(opened.history), cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


grids = lesson.grid_records  # the job's epoch records that carry a sample grid, oldest first


# -- the page's first run and the replay of a finished one ---------------------------------------------
def page_defaults(preset: str, test_mode: bool = False) -> gan.GanConfig:
    """The settings the GAN page starts with for `preset`: `gan.LIVE` (readable digits in about a minute
    on a 2-core CPU) or the course's own, for as many epochs; one epoch in test mode."""
    cfg = gan.LIVE if preset == "improved" else gan.with_overrides(gan.COURSE, epochs=gan.LIVE.epochs)
    return gan.with_overrides(cfg, epochs=1) if test_mode else cfg


def replay_pick(ep: Sequence[dict], label: str, key: str) -> dict:
    """The epoch record (with its grid) a slider over the recorded epochs picks, the latest at first.

    A new run or a reopened one may hold other epochs than the slider's last value: that value is moved
    back into range (the latest epoch when it is out of it) before the slider is drawn."""
    first, last = int(ep[0]["epoch"]), int(ep[-1]["epoch"])
    if last <= first:
        return ep[-1]
    value = ss.get(key)
    if not isinstance(value, int) or not first <= value <= last or ss.get(f"_{key}_run") != id(ep[0]):
        ss[key] = last  # a different run: start the replay at its end
    ss[f"_{key}_run"] = id(ep[0])
    picked = st.slider(label, first, last, key=key)
    return min(ep, key=lambda r: abs(int(r["epoch"]) - picked))  # grids are kept for every epoch


def step_at(steps: Sequence[dict], epoch_record: dict | None) -> dict | None:
    """The last step record at or before `epoch_record`'s step (thinned steps may skip it); the latest
    step without one."""
    if not steps:
        return None
    if epoch_record is None or "step" not in epoch_record:
        return steps[-1]
    i = bisect.bisect_right([s["step"] for s in steps], epoch_record["step"])
    return steps[max(0, i - 1)]


# -- images ----------------------------------------------------------------------------------------
def grid_image(images: torch.Tensor | np.ndarray, nrow: int, scale: int = 3, padding: int = 2) -> np.ndarray:
    """(N, 1, S, S) or (N, S, S) in [0, 1] (or uint8) -> one uint8 (H, W) image on a dark grey frame,
    enlarged `scale`x."""
    return core_images.tile(images, nrow, padding=padding, pad_value=0.25, scale=scale)


def png_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def gif_bytes(frames: Sequence[np.ndarray], ms: int = 300) -> bytes:
    """Frames (H, W) uint8 -> an animated GIF that loops (the interpolation / epoch animations)."""
    buf = io.BytesIO()
    images = [Image.fromarray(f) for f in frames]
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=ms, loop=0)
    return buf.getvalue()


# -- charts ----------------------------------------------------------------------------------------
def step_chart(
    steps: Sequence[dict], y_title: str, lines: dict[str, int], height: int = 300, mark: int | None = None
) -> go.Figure:
    """One line per record key of `lines` ({key: colour index}) over the steps, named `gan.v.<key>`;
    `mark`: a step to draw a vertical line at (the epoch the replay shows)."""
    fig = base_figure(t("chart.step"), y_title, height=height)
    if mark is not None and steps:
        fig.add_vline(x=mark, line_width=2, line_dash="dash", line_color="#555555")
    x = [r["step"] for r in steps]
    for key, color in lines.items() if steps else ():  # no steps yet: empty axes, no legend
        fig.add_scatter(
            x=x,
            y=finite([r[key] for r in steps]),
            mode="lines",
            name=t(f"gan.v.{key}"),
            line={"color": COLORS[color], "width": 2},
        )
    return fig


def gan_loss_chart(steps: Sequence[dict], height: int = 300, mark: int | None = None) -> go.Figure:
    """D and G loss per step (the two players' scores)."""
    return step_chart(steps, t("chart.loss"), {"d_loss": 0, "g_loss": 1}, height, mark)


def d_output_chart(steps: Sequence[dict], height: int = 300, mark: int | None = None) -> go.Figure:
    """Mean D(x) on real and D(G(z)) on fake images: 0.5 / 0.5 is the balance point."""
    fig = step_chart(steps, t("gan.v.d_out"), {"d_real": 2, "d_fake": 3}, height, mark)
    if steps:
        fig.add_hline(y=0.5, line_dash="dot", line_color="gray")
    fig.update_yaxes(range=[0, 1])
    return fig


def digit_histogram(shares: np.ndarray, highlight: int | None = None, height: int = 280) -> go.Figure:
    """Share of samples the CNN reads as each digit; ideal is about 10 % each (a spike = mode collapse)."""
    fig = base_figure(t("gan.v.digit"), t("gan.v.share"), height=height)
    colors = [COLORS[1] if highlight is not None and d == highlight else COLORS[0] for d in range(10)]
    fig.add_bar(
        x=[str(d) for d in range(10)], y=[100 * v for v in shares], marker_color=colors, name=t("gan.v.share")
    )
    fig.add_hline(y=10, line_dash="dot", line_color="gray")
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    fig.update_xaxes(type="category")  # every digit labelled
    fig.update_layout(hovermode="closest")
    return fig


def read_digits(classifier, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The shipped CNN's reading of (N, 1, S, S) images in [0, 1] (8x8 digits are upscaled)."""
    from core.metrics import classify

    if images.shape[-1] != 28:
        images = torch.nn.functional.interpolate(images, size=(28, 28), mode="bilinear", align_corners=False)
    return classify(classifier, images)


# -- the shipped generators: computed once per (generator, arguments) for every session -------------------
def from_shipped(G: torch.nn.Module, fn: str, *args) -> torch.Tensor:
    """`core.gan.<fn>(G, *args)` ("sample" or "interpolate") for a shipped generator, which every session
    shares read-only: a class opening the page with the same seed costs one forward pass, not forty.
    The result is shared as well: read it, never change it in place. Keyed by the generator's id: shipped
    models live in `st.cache_resource` as long as these results do ("Clear cache" empties both)."""
    return _from_shipped(G, id(G), fn, args)


def _generator_fn(fn: str):
    return {"sample": gan.sample, "interpolate": gan.interpolate}[fn]


def shipped_png(G: torch.nn.Module, fn: str, args: tuple, nrow: int, scale: int) -> bytes:
    """`png_bytes(grid_image(from_shipped(G, fn, *args), nrow, scale))`, shared likewise: the class sees the
    same grid, so it is tiled and compressed once, not on every rerun of every session (~10 ms each)."""
    return _shipped_png(G, id(G), fn, args, nrow, scale)


def generated_png(G: torch.nn.Module, fn: str, args: tuple, nrow: int, scale: int, *, shared: bool) -> bytes:
    """`core.gan.<fn>(G, *args)` as a PNG grid: through `shipped_png` for a shared generator (once for the
    class), directly for a student's own."""
    if shared:
        return shipped_png(G, fn, args, nrow, scale)
    return png_bytes(grid_image(_generator_fn(fn)(G, *args), nrow=nrow, scale=scale))


def shipped_reading(classifier, G: torch.nn.Module, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`read_digits(classifier, sample(G, n, seed))` for a shipped classifier and generator, shared likewise."""
    return _shipped_reading(classifier, G, (id(classifier), id(G)), n, seed)


def _bounded(fn):
    return st.cache_resource(show_spinner=False, max_entries=64)(fn)  # <= 64 x 200 digits: ~40 MB at most


@_bounded
def _from_shipped(_G, ident: int, fn: str, args: tuple) -> torch.Tensor:
    return _generator_fn(fn)(_G, *args)


@_bounded
def _shipped_png(_G, ident: int, fn: str, args: tuple, nrow: int, scale: int) -> bytes:
    return png_bytes(grid_image(_from_shipped(_G, ident, fn, args), nrow=nrow, scale=scale))


@_bounded
def _shipped_reading(
    _classifier, _G, ident: tuple[int, int], n: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    return read_digits(_classifier, _from_shipped(_G, ident[1], "sample", (n, seed)))
