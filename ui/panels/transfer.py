"""Your own symbols, the Transfer learning page's Teachable Machine: the student draws 2–5 symbols of their own
on the CNN page's canvas (ui/canvas.py), names them, trains a new head on the shipped CNN's frozen features
against the same network from scratch (the page's job, ui/lessons/transfer.py), then draws new ones to read.
The drawings stay in the session (at most 5 symbols × 30 drawings) and in the saved run."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from core import transfer as core_tr
from core.preprocess import to_mnist
from ui import board, canvas, jobs
from ui.figures.images import grid_image
from ui.i18n import t
from ui.lessons import transfer as lesson

KEY = "transfer_symbols"  # session_state: {"images": [(28, 28) uint8], "labels": [int], "names": [str]}
ss = st.session_state


def drawings() -> dict:
    return ss.setdefault(KEY, {"images": [], "labels": [], "names": []})


def as_mnist(image: np.ndarray | None) -> np.ndarray | None:
    """The canvas framed as MNIST (28×28 uint8), or None for a blank one."""
    steps = to_mnist(image) if image is not None else None
    return None if steps is None else (steps.final * 255).round().astype(np.uint8)


def _add(label: int) -> None:
    """Button callback: the canvas's drawing as one more example of `label`, then a clean canvas."""
    got = as_mnist(ss.get("_transfer_last_drawing"))
    d = drawings()
    if got is None:
        ss["_transfer_symbols_note"] = "transfer.symbols_blank"
    elif d["labels"].count(label) >= core_tr.MAX_DRAWINGS:
        ss["_transfer_symbols_note"] = "transfer.symbols_full"
    else:
        d["images"].append(got)
        d["labels"].append(label)
        canvas.clear("transfer_pad")


def _reset() -> None:
    ss[KEY] = {"images": [], "labels": [], "names": []}


def ready(d: dict, n: int) -> bool:
    """At least two symbols with four drawings each: three train, one is held out."""
    counts = np.bincount(np.asarray(d["labels"], dtype=int), minlength=n)[:n]
    return int((counts >= 4).sum()) >= 2 and all(c == 0 or c >= 4 for c in counts)


def symbols(busy: bool) -> None:
    st.markdown(t("transfer.symbols_text"))
    d = drawings()
    n = st.slider(t("transfer.symbols_class"), 2, core_tr.MAX_SYMBOLS, 3, key="transfer_sym_n")
    cols = st.columns(n)
    names = [
        col.text_input(
            t("transfer.symbols_name"),
            t("transfer.symbols_default", i=i + 1),
            max_chars=20,
            key=f"transfer_sym_name_{i}",
        )  # fmt: skip
        or t("transfer.symbols_default", i=i + 1)
        for i, col in enumerate(cols)
    ]
    counts = [d["labels"].count(i) for i in range(n)]
    for col, name, c in zip(cols, names, counts):
        col.text(t("transfer.symbols_counts", name=name, n=c))  # a name is text, never markdown
    left, right = st.columns([1, 1.4])
    with left:
        ss["_transfer_last_drawing"] = canvas.draw(canvas.current_key("transfer_pad"), 200, 14)
        label = st.selectbox(
            t("transfer.symbols_class"), range(n), format_func=lambda i: names[i], key="transfer_sym_pick"
        )
        a, b = st.columns(2)
        a.button(t("transfer.symbols_add"), key="transfer_sym_add", on_click=_add, args=(int(label),))
        b.button(
            t("transfer.symbols_clear"),
            key="transfer_sym_clear",
            on_click=canvas.clear,
            args=("transfer_pad",),
        )
        if note := ss.pop("_transfer_symbols_note", ""):
            st.warning(t(note, max=core_tr.MAX_DRAWINGS))
    with right:
        d["names"] = names
        if not ready(d, n):
            st.info(t("transfer.symbols_need"), icon=":material/info:")
        elif st.button(t("transfer.symbols_train"), key="transfer_sym_train", disabled=busy, type="primary"):
            keep = [i for i, v in enumerate(d["labels"]) if v < n]
            picked = {
                "images": [d["images"][i] for i in keep],
                "labels": [d["labels"][i] for i in keep],
                "names": names,
            }
            task = core_tr.symbols_task(picked["images"], picked["labels"], names)
            cfg = core_tr.symbols_config(task, steps=lesson.SIZES.steps)
            lesson.LESSON.train(cfg, picked)
            st.rerun()
        read_panel(names, left)
        st.button(t("transfer.symbols_reset"), key="transfer_sym_reset", on_click=_reset)
        if ready(d, n):  # the class challenge: symbols the class's models may not tell apart
            st.caption(t("transfer.symbols_share"))
            board.gallery_button(lesson.LESSON.key, sheet(d, n), {"symbols": n})


def sheet(d: dict, n: int, per_symbol: int = 8) -> np.ndarray:
    """The drawings as one picture for the class board: a row per symbol, its first `per_symbol` drawings
    (a blank square where it has fewer); the names stay out of the picture (the board shows text as text)."""
    blank = np.zeros((28, 28), np.uint8)
    rows = []
    for label in range(n):
        mine = [img for img, y in zip(d["images"], d["labels"]) if y == label][:per_symbol]
        rows += mine + [blank] * (per_symbol - len(mine))
    return grid_image(np.stack(rows), nrow=per_symbol, scale=2)


def read_panel(names: list[str], drawn_in) -> None:
    """The held-out accuracy of both arms, and what each model reads on the canvas right now."""
    got, job = ss.get("transfer_session"), jobs.get(lesson.LESSON.key)
    if not got or got["cfg"].target != "symbols" or job is None or job.active:
        return
    for r in lesson.results(job):
        st.text(f"{t('transfer.arm.' + r['arm'])}: {100 * r['test_accuracy']:.0f}%")
    image = as_mnist(ss.get("_transfer_last_drawing"))
    if image is None:
        st.caption(t("transfer.symbols_try"))
        return
    x = torch.as_tensor(image, dtype=torch.float32).div(255)[None, None]  # (1, 1, 28, 28)
    for arm, model in got.get("models", {}).items():
        n = min(len(names), got["n_classes"])
        p = core_tr.read_symbols(model, x, n)[0]
        st.text(
            f"{t('transfer.arm.' + arm)} — "
            + t("transfer.symbols_read", name=names[int(p.argmax())], p=float(p.max()))
        )
