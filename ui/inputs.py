"""Number boxes that say their range in words.

Streamlit's own number box refuses a value outside `min_value`..`max_value` in the browser: it shows a
small red mark and quietly keeps the old number, so a student who types 99999999 epochs never learns why
nothing changed. These boxes take any number, and the lab checks the range itself: a value outside it is
moved to the nearest end of the range and the box says so, in the student's language, with the range.
A lesson link's number outside the range is moved the same way before the box is drawn, so the box shows
the number in use, and the note at the top of the page says so (ui/links.py).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import links
from ui.i18n import t

ss = st.session_state


def fmt(value: float) -> str:
    """20,000 / 0.05 / -3: as a student would write the number."""
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    return f"{value:g}"


def _check(key: str, label: str, lo: float, hi: float) -> None:
    """on_change: a number outside [lo, hi] (or an emptied box) becomes the nearest allowed one, and the
    box's message says what happened. Runs before the script, so the widget shows the corrected number."""
    value, last = ss.get(key), ss.get(f"_{key}_last", lo)
    if value is None:
        ss[key], reason = last, "inputs.empty"
    elif value < lo or value > hi:
        ss[key], reason = type(value)(min(max(value, lo), hi)), "inputs.range"
    else:
        return
    ss[f"_{key}_msg"] = t(reason, label=label, lo=fmt(lo), hi=fmt(hi), value=fmt(ss[key]))


def _from_link(key: str, label: str, lo: float, hi: float, kind: type) -> float | None:
    """The number to use instead of a lesson link's value for this box when that value is outside
    [lo, hi], with the URL corrected to it and a note; None when the link brings no such value.
    Streamlit reads a link's value as the session begins, so the box must not be bound on this run."""
    text = st.query_params.get(key)
    try:
        wanted = float(text) if text is not None else None
    except ValueError:  # not a number: Streamlit drops it and links.end_run says so
        return None
    if wanted is None or lo <= wanted <= hi:
        return None
    fixed = kind(min(max(wanted, lo), hi))
    if not links.correct(key, str(fixed)):
        return None
    links.note(key, text, "links.clamped", label=label, lo=fmt(lo), hi=fmt(hi), fixed=fmt(fixed))
    return fixed


def number(
    container: Any,
    label: str,
    min_value: float,
    max_value: float,
    value: float | None = None,
    *,
    key: str,
    step: float | None = None,
    help: str | None = None,
    **kwargs: Any,
) -> float:
    """`container.number_input(label, min_value, max_value, value, key=key, ...)` with the range checked
    by the lab (see the module's docstring). The first value comes through `st.session_state`, so a value
    the check sets never clashes with a default. Returns the box's number, always inside the range."""
    if value is None:
        value = min_value
    if step is None:
        step = 1 if isinstance(value, int) and isinstance(min_value, int) else None
    if (
        kwargs.get("bind")
        and (fixed := _from_link(key, label, min_value, max_value, type(value))) is not None
    ):
        kwargs.pop("bind")  # this run only: the box shows the corrected number, not the link's
        ss[key] = fixed
    ss.setdefault(key, value)
    container.number_input(
        label,
        value=None,
        step=step,
        key=key,
        help=help or t("inputs.range_help", lo=fmt(min_value), hi=fmt(max_value)),
        on_change=_check,
        args=(key, label, min_value, max_value),
        **kwargs,
    )
    msg = ss.pop(f"_{key}_msg", "")
    if msg:
        container.warning(msg, icon=":material/error:")
    current = ss[key]
    if current is None or not min_value <= current <= max_value:  # set by code or a link, not typed
        clamped = type(value)(min(max(current if current is not None else value, min_value), max_value))
        if current is not None and kwargs.get("bind"):  # a lesson link's number (ui/links.py): say so
            container.warning(
                t("inputs.range", label=label, lo=fmt(min_value), hi=fmt(max_value), value=fmt(clamped)),
                icon=":material/error:",
            )
        current = clamped
    ss[f"_{key}_last"] = current
    return current


def grey_data_choice(key: str, limit: int, busy: bool = False) -> tuple[str, Any]:
    """A page's "Data" choice between the grey data sets (ui.resources.GREY_SETS): MNIST, or Fashion-MNIST
    where it is installed; (name, its split of at most `limit` Fashion-MNIST images). Widget `key`, kept
    across pages and in lesson links; disabled while the page trains (`busy`)."""
    from core import image_data
    from ui import resources
    from ui.i18n import labels, relabelled

    present = [d for d in resources.GREY_SETS if d == "mnist" or image_data.available()[d] is None]
    if st.session_state.get(key) not in present:
        st.session_state[key] = "mnist"
    name = st.radio(
        t("data.choice"),
        present,
        **links.keep(relabelled(key)),
        format_func=labels("data.choice."),
        horizontal=True,
        disabled=busy,
        help=t("data.choice.note") if len(present) > 1 else t("data.choice.no_fashion"),
    )
    try:
        return name, resources.grey_split(name, limit)
    except image_data.DataUnavailable as e:  # installed but unreadable: say why, train on MNIST
        st.warning(t(f"data.choice.unavailable.{e.reason}"))
        return "mnist", resources.mnist()
