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
import threading
import time
from collections import deque
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
from ui import saved_runs
from ui.charts import COLORS, base_figure
from ui.i18n import relabelled, t
from ui.saved_runs import student_name
from ui.teacher import is_teacher

ss = st.session_state
REFRESH_S = 5.0  # the board page's live refresh; one shared read per SNAPSHOT_TTL_S serves every viewer
SNAPSHOT_TTL_S = 3
GALLERY_N = 8  # newest images on the board, one per name
# One name's submissions at most this often, from any browser on this server (a new session, or a second
# tab, does not start a new wait): a double click is one submission, and no one fills the gallery alone.
NAME_GAP_S = 20.0
SERVER_PER_MINUTE = 60  # the whole class's submissions per minute: 40 students, each once or twice
DB_ERRORS = (sa.exc.SQLAlchemyError, OSError)  # the database cannot be opened, read or written
_SUBMITTED = "_board_submitted"  # session_state: the runs this session has submitted
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
    return Snapshot(runs, newest_per_name(images)[:GALLERY_N], len(images), board.to_csv())


def newest_per_name(images: Sequence[classdb.Entry]) -> list[classdb.Entry]:
    """The newest image of each name (`images` newest first): one student's many submissions take one
    place in the gallery, not everyone's."""
    seen: set[str] = set()
    out = []
    for e in images:
        key = classdb.name_key(e.name)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def read() -> Snapshot:
    """What the board shows now (at most SNAPSHOT_TTL_S old, fresh after a write from this server)."""
    return snapshot(classdb.default_url())


def changed() -> None:
    """A write from this server: the next read is fresh for everyone."""
    snapshot.clear()


# -- submitting --------------------------------------------------------------------------------
class Throttle:
    """How often submissions may come, kept for the whole server (not per session, which a new tab or a
    reload would start afresh): each name once per `gap_s`, everyone together `per_minute` times a
    minute. Thread-safe: every session's script thread asks the one instance."""

    def __init__(self, gap_s: float = NAME_GAP_S, per_minute: int = SERVER_PER_MINUTE):
        self.gap_s, self.per_minute = gap_s, per_minute
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}  # name key -> time of its last submission
        self._recent: deque[float] = deque()  # times of the server's submissions in the last minute

    def take(self, name: str, now: float | None = None) -> str | None:
        """Count a submission by `name` and return None, or return why it must wait: "too_fast" (this
        name submitted less than `gap_s` ago) or "busy" (the server's minute is full)."""
        now = time.monotonic() if now is None else now
        key = classdb.name_key(name)
        with self._lock:
            while self._recent and now - self._recent[0] >= 60.0:
                self._recent.popleft()
            if now - self._last.get(key, -math.inf) < self.gap_s:
                return "too_fast"
            if len(self._recent) >= self.per_minute:
                return "busy"
            self._last[key] = now
            self._recent.append(now)
            if len(self._last) > 10_000:  # names typed over a long day: forget those long past
                self._last = {k: v for k, v in self._last.items() if now - v < self.gap_s}
            return None


@st.cache_resource(show_spinner=False)
def throttle() -> Throttle:
    """The server's one Throttle (several replicas behind a proxy have one each)."""
    return Throttle()


def _may_submit() -> str | None:
    """The student's name if a submission may go now (and counts it); otherwise says why not and returns
    None."""
    name = student_name()
    if not name:
        st.warning(t("board.need_name"), icon=":material/badge:")
        return None
    if not saved_runs.may_write(name):  # a name with a PIN submits only from a session that typed it
        st.warning(saved_runs.why_not_write(name), icon=":material/lock:")
        return None
    wait = throttle().take(name)
    if wait is not None:
        st.info(t(f"board.{wait}", s=round(NAME_GAP_S)))
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
    changed()
    st.success(t("board.submitted", id=entry_id), icon=":material/leaderboard:")
    return True


def submittable(results: Sequence[ex.RunResult]) -> list[ex.RunResult]:
    """Runs that ended with a validation accuracy: measured on 1,000 held-out digits (MNIST's test images),
    on which the class chooses its hyperparameters, which makes them a validation set, so the lab calls
    it validation accuracy everywhere. Runs on MNIST only: the class's chart compares digits with digits."""
    out = []
    for r in results:
        acc = r.final("val_acc")
        if r.finished and acc is not None and math.isfinite(acc) and r.spec.settings.dataset == "mnist":
            out.append(r)
    return out


def _run_key(r: ex.RunResult) -> str:
    return f"{r.run_id}:{r.wall_s:.3f}:{len(r.epochs)}"


def submit_runs(results: Sequence[ex.RunResult], run_name: Callable[[ex.RunResult], str]) -> None:
    """The Hyperparameters page's "Submit to the board": pick a finished run (`hp_submit_run`), submit it
    (`hp_submit`) with its settings, final validation accuracy, epochs and seconds."""
    done = submittable(results)
    st.markdown(f"**{t('board.submit')}**")
    if not done:
        other = any(r.finished and r.spec.settings.dataset != "mnist" for r in results)
        st.caption(t("board.mnist_only" if other else "board.no_finished"))
        return
    by_key = {_run_key(r): r for r in done}
    labels = {k: f"{run_name(r)} ・ {100 * r.final('val_acc'):.1f}%" for k, r in by_key.items()}
    if ss.get("hp_submit_run") not in by_key:  # the best run first
        ss["hp_submit_run"] = max(by_key, key=lambda k: by_key[k].final("val_acc"))
    # one above the other: beside the list, the button's label was cut short ("Submit to the bo…")
    pick = st.selectbox(
        t("board.submit_run"), list(by_key), key=relabelled("hp_submit_run"), format_func=labels.get
    )
    clicked = st.button(
        t("board.submit"), key="hp_submit", icon=":material/publish:", help=t("board.submit_help")
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


def leaderboard(runs: Sequence[classdb.Entry], settings: bool = True) -> pd.DataFrame:
    """One row per submitted run, best validation accuracy first, with translated headers; `settings`:
    with the column of the other settings (left out on the projector, where it would not fit)."""
    rows = []
    for i, e in enumerate(runs, start=1):
        row = {
            t("board.col.rank"): i,
            t("board.col.name"): e.name,
            t("board.col.acc"): None if e.test_acc is None else round(100 * e.test_acc, 1),
            t("board.col.lr"): _lr(e.settings.get("lr")),
            t("board.col.batch"): e.settings.get("batch_size"),
            t("board.col.epochs"): e.epochs,
            t("board.col.seconds"): None if e.seconds is None else round(e.seconds, 1),
        }
        if settings:
            row[t("board.col.settings")] = settings_text(e.settings)
        rows.append(row)
    return pd.DataFrame(rows)


TABLE_ROWS = 8  # rows on the first screen; more scroll inside the table
ROW_PX = 35  # Streamlit's row height at its normal text size
FONT_PX = 14  # the table's text at the normal size; projector mode's root of 21 px makes it 21/16 larger


def text_px(text: str, font_px: float) -> int:
    """About how wide `text` is drawn: a Japanese character one em, a Latin one about 0.6 em."""
    return round(sum(font_px if ord(c) >= 0x2E80 else 0.6 * font_px for c in text))


def column_config(projector: bool = False) -> dict:
    """Every column as wide as its header needs (a cut header said nothing: 「エポッ」), in the session's
    language and text size; the name a little wider. The table takes no more width than these, so
    it needs no sideways scroll at 1280 px (the other settings, widest, are left out on the projector)."""
    font = FONT_PX * (21 / 16 if projector else 1)
    pad = 26  # the cell's padding on both sides

    def fit(key: str, least: int = 0) -> int:
        return max(text_px(t(key), font) + pad, round(least * font / FONT_PX))

    number = st.column_config.NumberColumn
    config = {
        t("board.col.rank"): number(width=fit("board.col.rank", 32), format="%d"),
        t("board.col.name"): st.column_config.TextColumn(width=fit("board.col.name", 100)),
        t("board.col.acc"): number(width=fit("board.col.acc", 50), format="%.1f"),
        t("board.col.lr"): number(width=fit("board.col.lr", 60)),
        t("board.col.batch"): number(width=fit("board.col.batch", 40), format="%d"),
        t("board.col.epochs"): number(width=fit("board.col.epochs", 30), format="%d"),
        t("board.col.seconds"): number(width=fit("board.col.seconds", 44), format="%.1f"),
    }
    if not projector:
        config[t("board.col.settings")] = st.column_config.TextColumn(width=220)
    return config


def row_px(projector: bool = False) -> int:
    """A row's height, for the table's text size."""
    return round(ROW_PX * (21 / 16 if projector else 1))


def table_height(n_rows: int, projector: bool = False) -> int:
    """The header and the rows there are, at most TABLE_ROWS: no empty rows below the last one."""
    return (min(max(n_rows, 1), TABLE_ROWS) + 1) * row_px(projector) + 3


def _lr(value) -> float | None:
    """A learning rate to two significant digits (0.0066, not 0.006602388943): what a row compares."""
    x = _float(value)
    return None if x is None else float(f"{x:.2g}")


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
            st.image(e.image, width="stretch")
            # plain text, not the image's caption, which is Markdown: `![](URL)` as a name shows as typed
            st.text(t("board.gallery_item", name=e.name, page=t(f"nav.{e.page}")))


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
