"""The class board in the pages: the submit buttons (a finished hyperparameter run; a sample grid from the
GAN, cGAN or VAE page) and what the board page draws (leaderboard, the class's chart, the gallery, the
teacher's controls). The store is core.classdb; this module only turns page objects into its rows and its
rows into tables and figures.
"""

from __future__ import annotations

import dataclasses
import html
import io
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st
from PIL import Image

from core import classdb
from core import experiments as ex
from ui.charts import COLORS, base_figure
from ui.i18n import relabelled, t
from ui.saved_runs import student_name
from ui.teacher import is_teacher

ss = st.session_state
REFRESH_S = 5.0  # the board page's live refresh; one shared read per SNAPSHOT_TTL_S serves every viewer
SNAPSHOT_TTL_S = 3
GALLERY_N = 8  # newest images on the board
MIN_GAP_S = 2.0  # one session's submissions at most this often (a double click is one submission)
DB_ERRORS = (sa.exc.SQLAlchemyError, OSError)  # the database cannot be opened, read or written
_SUBMITTED = "_board_submitted"  # session_state: the runs this session has submitted
_LAST = "_board_last_submit"  # session_state: time of this session's last submission
OTHER_SETTINGS = ("optimizer", "channels", "dropout", "weight_decay", "schedule", "train_size")


@dataclass(frozen=True)
class Snapshot:
    runs: list[classdb.Entry]  # best first
    gallery: list[classdb.Entry]  # newest first
    n_images: int
    csv: str


@st.cache_data(ttl=SNAPSHOT_TTL_S, show_spinner=False)  # 40 projectors and laptops: one read per few s
def snapshot(url: str) -> Snapshot:
    board = classdb.db(url)
    runs = sorted(board.entries("run"), key=lambda e: (-(e.test_acc or 0.0), e.id))
    images = board.entries("gallery")
    return Snapshot(runs, images[:GALLERY_N], len(images), board.to_csv())


def read() -> Snapshot:
    """What the board shows now (at most SNAPSHOT_TTL_S old, fresh after a write from this server)."""
    return snapshot(classdb.default_url())


def changed() -> None:
    """A write from this server: the next read is fresh for everyone."""
    snapshot.clear()


# -- submitting --------------------------------------------------------------------------------
def _may_submit() -> str | None:
    """The student's name if a submission may go now; otherwise says why not and returns None."""
    name = student_name()
    if not name:
        st.warning(t("board.need_name"), icon=":material/badge:")
        return None
    if time.monotonic() - ss.get(_LAST, -1e9) < MIN_GAP_S:
        st.info(t("board.too_fast"))
        return None
    return name


def _submitted(submit: Callable[[], int]) -> bool:
    """Run a store call and say how it went, in the student's language; never raises."""
    try:
        entry_id = submit()
    except classdb.BoardError as e:
        st.error(t(f"board.err.{e.code}") if e.code in ("name", "image", "value") else e.detail)
        return False
    except DB_ERRORS:  # the disk is full, the file unreadable, the lock held too long
        st.error(t("board.err.db"))
        return False
    ss[_LAST] = time.monotonic()
    changed()
    st.success(t("board.submitted", id=entry_id), icon=":material/leaderboard:")
    return True


def submittable(results: Sequence[ex.RunResult]) -> list[ex.RunResult]:
    """Runs that ended with a test accuracy (the page's validation set is MNIST's test images)."""
    out = []
    for r in results:
        acc = r.final("val_acc")
        if r.finished and acc is not None and math.isfinite(acc):
            out.append(r)
    return out


def _run_key(r: ex.RunResult) -> str:
    return f"{r.run_id}:{r.wall_s:.3f}:{len(r.epochs)}"


def submit_runs(results: Sequence[ex.RunResult], run_name: Callable[[ex.RunResult], str]) -> None:
    """The Hyperparameters page's "Submit to the board": pick a finished run (`hp_submit_run`), submit it
    (`hp_submit`) with its settings, final test accuracy, epochs and seconds."""
    done = submittable(results)
    st.markdown(f"**{t('board.submit')}**")
    if not done:
        st.caption(t("board.no_finished"))
        return
    by_key = {_run_key(r): r for r in done}
    labels = {k: f"{run_name(r)} ・ {100 * r.final('val_acc'):.1f}%" for k, r in by_key.items()}
    if ss.get("hp_submit_run") not in by_key:  # the best run first
        ss["hp_submit_run"] = max(by_key, key=lambda k: by_key[k].final("val_acc"))
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    pick = a.selectbox(
        t("board.submit_run"), list(by_key), key=relabelled("hp_submit_run"), format_func=labels.get
    )
    clicked = b.button(
        t("board.submit"),
        key="hp_submit",
        icon=":material/publish:",
        help=t("board.submit_help"),
        width="stretch",
    )
    if not clicked or pick not in by_key:
        return
    if pick in ss.get(_SUBMITTED, set()):
        st.info(t("board.already"))
        return
    name = _may_submit()
    if name is None:
        return
    r = by_key[pick]
    settings = dataclasses.asdict(r.spec.settings)
    if _submitted(
        lambda: classdb.submit_run(
            name, "hyperparams", settings, r.final("val_acc"), len(r.epochs), round(r.wall_s, 2)
        )
    ):
        ss.setdefault(_SUBMITTED, set()).add(pick)


def png_of(image) -> bytes:
    """PNG bytes of a page's picture: PNG bytes as they are, a PIL image, or a uint8 / [0, 1] array."""
    if isinstance(image, (bytes, bytearray)):
        return bytes(image)
    if isinstance(image, np.ndarray):
        arr = image if image.dtype == np.uint8 else (np.clip(image, 0, 1) * 255).round().astype(np.uint8)
        image = Image.fromarray(arr)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def gallery_button(page: str, image, settings: dict | None = None) -> None:
    """One small button (`<page>_submit`) that puts the sample grid the page shows into the gallery."""
    if not st.button(t("board.submit_image"), key=f"{page}_submit", icon=":material/publish:"):
        return
    name = _may_submit()
    if name is not None:
        _submitted(lambda: classdb.submit_gallery(name, page, png_of(image), settings))


# -- the board page ----------------------------------------------------------------------------
def settings_text(settings: dict) -> str:
    """ "Adam, channels=16/32, dropout=0.1, …": what the leaderboard's lr and batch columns leave out."""
    parts = []
    for name in OTHER_SETTINGS:
        if name not in settings:
            continue
        value = settings[name]
        if name == "optimizer" and value in ex.OPTIMIZERS:
            parts.append(t(f"hyperparams.opt.{value}"))
        elif name == "schedule" and value in ex.SCHEDULES:
            parts.append(t(f"hyperparams.sched.{value}"))
        elif name == "train_size":
            parts.append(f"n={value}")
        else:
            value = tuple(value) if isinstance(value, list) else value
            shown = ex.fmt_value(name, value) if isinstance(value, (int, float, tuple)) else str(value)
            parts.append(f"{t(f'hyperparams.short.{name}')}={shown}")
    return ", ".join(parts)


def leaderboard(runs: Sequence[classdb.Entry]) -> pd.DataFrame:
    """One row per submitted run, best test accuracy first, with translated headers."""
    rows = [
        {
            t("board.col.rank"): i,
            t("board.col.name"): e.name,
            t("board.col.acc"): None if e.test_acc is None else round(100 * e.test_acc, 1),
            t("board.col.lr"): _float(e.settings.get("lr")),
            t("board.col.batch"): e.settings.get("batch_size"),
            t("board.col.epochs"): e.epochs,
            t("board.col.seconds"): None if e.seconds is None else round(e.seconds, 1),
            t("board.col.settings"): settings_text(e.settings),
        }
        for i, e in enumerate(runs, start=1)
    ]
    return pd.DataFrame(rows)


def column_config() -> dict:
    """Widths that keep name, accuracy, lr, batch, epochs and seconds in the first screen's column at
    1280 px (about 410 px wide); the other settings follow and scroll."""
    number = st.column_config.NumberColumn
    return {
        t("board.col.rank"): number(width=32, format="%d"),
        t("board.col.name"): st.column_config.TextColumn(width=86),
        t("board.col.acc"): number(width=62, format="%.1f"),
        t("board.col.lr"): number(width=52, format="%g"),
        t("board.col.batch"): number(width=50, format="%d"),
        t("board.col.epochs"): number(width=60, format="%d"),
        t("board.col.seconds"): number(width=50, format="%.1f"),
        t("board.col.settings"): st.column_config.TextColumn(width=220),
    }


def _float(value) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) and x > 0 else None


def class_chart(runs: Sequence[classdb.Entry], height: int = 360) -> go.Figure:
    """Test accuracy against learning rate (log axis) for every submitted run, one colour per batch size."""
    fig = base_figure(t("board.chart.x"), t("board.chart.y"), height=height)
    legend = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "font": {"size": 16}}
    fig.update_layout(hovermode="closest", legend=legend, margin={"l": 10, "r": 10, "t": 64, "b": 10})
    by_batch: dict[int, list[classdb.Entry]] = {}
    for e in runs:
        batch, lr = e.settings.get("batch_size"), _float(e.settings.get("lr"))
        if isinstance(batch, int) and lr is not None and e.test_acc is not None:
            by_batch.setdefault(batch, []).append(e)
    for i, batch in enumerate(sorted(by_batch)):
        group = by_batch[batch]
        fig.add_scatter(
            x=np.array([_float(e.settings["lr"]) for e in group]),
            y=np.array([100 * e.test_acc for e in group]),
            mode="markers",
            name=t("board.chart.batch", n=batch),
            text=[html.escape(e.name) for e in group],  # Plotly reads tags in text: a name is only text
            marker={"size": 14, "color": COLORS[i % len(COLORS)], "line": {"width": 1, "color": "white"}},
            hovertemplate="%{text}<br>lr=%{x:g}<br>%{y:.1f} %<extra></extra>",
        )
    fig.update_xaxes(type="log")
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    return fig


def gallery(images: Sequence[classdb.Entry], per_row: int = 4) -> None:
    if not images:
        st.caption(t("board.gallery_empty"))
        return
    cols = st.columns(per_row)
    for i, e in enumerate(images):
        with cols[i % per_row]:
            caption = t("board.gallery_item", name=e.name, page=t(f"nav.{e.page}"))
            st.image(e.image, caption=caption, width="stretch")


def item_label(e: classdb.Entry) -> str:
    if e.kind == "run":
        what = f"{100 * (e.test_acc or 0):.1f}%"
    else:
        what = t("board.item_image", page=t(f"nav.{e.page}"))
    return t("board.item", id=e.id, name=e.name, what=what)


def teacher_controls() -> None:
    """Hide one entry (`board_hide_pick`, `board_hide`); clear the board (`board_clear_confirm`,
    `board_clear`). The page draws these for a session that proved the teacher's token only."""
    st.subheader(t("board.teacher"))
    kind, msg = ss.pop("_board_msg", (None, ""))
    if kind:
        (st.success if kind == "success" else st.error)(msg)
    try:
        shown = classdb.entries(limit=500)
    except DB_ERRORS as e:
        st.error(t("board.unavailable", error=type(e).__name__))
        return
    if not shown:
        st.caption(t("board.nothing_to_hide"))
    else:
        labels = {e.id: item_label(e) for e in shown}
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        a.selectbox(t("board.hide_pick"), list(labels), key="board_hide_pick", format_func=labels.get)
        b.button(t("board.hide"), key="board_hide", width="stretch", on_click=_hide)
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    sure = a.checkbox(t("board.clear_confirm"), key="board_clear_confirm")
    b.button(
        t("board.clear"),
        key="board_clear",
        disabled=not sure,
        type="primary",
        width="stretch",
        on_click=_clear,
    )


# Callbacks (they run before the script, so the list below already shows the change); both are drawn for
# the teacher only, and check again, since a callback needs no widget on the screen to be trusted. Each
# reads the widgets' values from the session, as they are in the request that clicked.
def _hide() -> None:
    entry_id = ss.get("board_hide_pick")
    if isinstance(entry_id, int) and is_teacher() and _write(lambda: classdb.hide(entry_id)):
        ss["_board_msg"] = ("success", t("board.hidden_done", id=entry_id))


def _clear() -> None:
    if is_teacher() and ss.get("board_clear_confirm"):
        n = _write(classdb.clear)
        if n is not False:
            ss["board_clear_confirm"] = False
            ss["_board_msg"] = ("success", t("board.cleared", n=n))


def _write(call: Callable[[], object]):
    try:
        done = call()
    except DB_ERRORS:
        ss["_board_msg"] = ("error", t("board.err.db"))
        return False
    changed()
    return done
