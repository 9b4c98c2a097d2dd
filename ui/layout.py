"""Projector mode's layout: the page's main chart across the whole main area, the rest below it.

A page asks for its row with `main_columns(spec, main=i)` where it would call `st.columns(spec)`: normally
it gets exactly those columns; in projector mode it gets one full-width container per column, the main one
(index `main`) first. Pages draw into them as into columns, so no page needs an if/else of its own."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.projector import projector_on

TALLER = 1.35  # the main chart's height in projector mode: read from the back row, still on one 720-px screen


def main_columns(spec: int | Sequence[float], main: int = 0, **kwargs) -> list[DeltaGenerator]:
    """`st.columns(spec, **kwargs)`, or in projector mode as many full-width containers stacked, the
    `main` one on top; returned in the order of `spec` either way, so `left, right = ...` still reads."""
    if not projector_on():
        return st.columns(spec, **kwargs)
    n = spec if isinstance(spec, int) else len(spec)
    assert 0 <= main < n, f"main must name one of the {n} columns, got {main}"
    slots: list[DeltaGenerator | None] = [None] * n
    slots[main] = st.container()  # created first, so drawn first, whatever order the page fills them in
    for i in range(n):
        if i != main:
            slots[i] = st.container()
    return slots  # type: ignore[return-value]


def main_height(height: int) -> int:
    """The main chart's height in pixels: `height`, or a bit taller in projector mode."""
    return round(height * TALLER) if projector_on() else height
