"""Lesson links: the settings that define a lesson live in the page's URL, so a teacher can hand out
`/xor?xor_lr=0.1&xor_seed=7` and every student opens the same lesson.

- `bind(key)`: keyword arguments for a keyed widget whose value the URL carries, with Streamlit's own
  `bind="query-params"` (the key is the parameter's name). Streamlit drops a value the widget cannot
  take (`xor_lr=abc`, `xor_layers=9`); `notes()` then says so in the student's language. A value no
  widget can hold (`inf`, `nan`, `1e999`, a thousand digits, more than 40 characters) is taken out of the
  URL by `begin_run` before any widget sees it: Streamlit would stop the page with an OverflowError.
- `choice(key, options)`: the same for a choice widget whose labels are translated (Streamlit would put
  the label, 「シグモイド」, in the URL, which the other language cannot read): the URL carries the option
  itself (`xor_activation=relu`), read and written by the lab.
- `keep(key)`: keyword arguments for a setting the URL does not carry (a seed, the digit to draw), so its
  value survives a visit to another page (docs/streamlit-notes.md, A widget's value is dropped on a run
  that does not draw it). Bound widgets survive through the URL, choice widgets through `choice`.
- `hide=` / `lock=` (comma-separated widget keys) hide controls or make them read-only for a simpler page,
  as TensorFlow Playground's classroom panel does. A stylesheet does it (`.st-key-<key>`): the widget still
  gives its value, taken from the link. It is a simplification for a lesson, not a security boundary, but
  it never reaches what every page needs (`RESERVED`: the language, the name box, projector mode, the
  teacher's message, these notes).
- `panel()`: the notes about ignored values, at the top of the page, and the sidebar's "link to these
  settings", the current page's URL with every registered value.

Everything here reads and writes only this session's URL and state: a link never changes another
student's page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui.i18n import current_lang, t

_KEYS = "_links_keys"  # session_state: {key: "bound" | "choice"} registered by the page drawn in this run
_START = "_links_start"  # session_state: the URL's parameters as this run began
_SYNCED = "_links_synced"  # session_state: {key: the option the lab last wrote to the URL for a choice}
_CHOSEN = "_links_chosen"  # session_state: {key: value} every choice widget's last value, kept across pages
_NOTES = "_links_notes"  # session_state: this run's notes about the link, in the student's language
_DROPPED = "_links_dropped"  # session_state: {key: text} taken out of the URL by this run's begin_run
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")  # a widget key a link may name (safe inside CSS)
SPECIAL = ("lang", "hide", "lock")  # parameters that are not widget values
# What hide=/lock= may never name, by key prefix: the language selector (`lang`), the name box
# (ui.saved_runs, `runs_name`), the projector toggle (ui.sidebar, `projector`), the teacher's message
# (ui.classroom, `class_banner...`), the teacher's page (`teacher_...`) and the notes below (`links_...`).
RESERVED = ("lang", "runs_", "projector", "class_", "teacher_", "links_")
MAX_TEXT = 40  # characters: no widget value of the lab is longer
MAX_NUMBER = 1e15  # beyond every setting, inside what a number box can hold (int64, exact floats)
KEEP = {"persist_state": "session"}  # Streamlit keeps the value while another page is shown
ss = st.session_state


def usable(text: str) -> bool:
    """Can any widget take this URL value? Not a number that is not finite (`inf`, `nan`, `1e999`, a
    thousand digits) or beyond `MAX_NUMBER`, nor a text longer than `MAX_TEXT`. Words are left to the
    widget (an option, `true`), which drops what it cannot take."""
    if len(text) > MAX_TEXT:
        return False
    try:
        number = float(text)
    except ValueError:
        return True
    return math.isfinite(number) and abs(number) <= MAX_NUMBER


def begin_run() -> None:
    """ui.pages.begin, before the page: forget the last run's registrations, keep the URL as it is now,
    take out of it the values no widget can hold (noted in `end_run` if the page has such a widget), and
    give back the choices Streamlit forgot on a visit to another page (before the page's own setdefault)."""
    for key, value in ss.get(_CHOSEN, {}).items():
        if key not in ss:
            ss[key] = value
    ss[_KEYS] = {}
    ss[_NOTES] = []
    ss[_START] = start = {k: st.query_params.get(k) for k in st.query_params}
    dropped = {}
    for key, text in start.items():
        if key not in SPECIAL and not usable(str(text)):
            try:
                del st.query_params[key]
            except StreamlitAPIException:  # bound by an earlier run: Streamlit read the URL then, not now
                continue
            dropped[key] = str(text)
    ss[_DROPPED] = dropped


def bind(key: str) -> dict[str, Any]:
    """`st.slider(..., key=key, **links.bind(key))`: the URL carries this widget's value. On the run that
    took a bad value out of the URL the widget is not bound: Streamlit reads the URL as the session began."""
    ss.setdefault(_KEYS, {})[key] = "bound"
    return {} if key in ss.get(_DROPPED, {}) else {"bind": "query-params"}


def keep(key: str) -> dict[str, Any]:
    """`st.slider(..., **links.keep("gan_grid_n"))`: the widget's key, and Streamlit's own
    `persist_state="session"`, so the setting is still there after a visit to another page.
    Never for a button or an uploader (Streamlit has no such option for them: an action is not kept)."""
    return {"key": key, **KEEP}


def _option(options: Sequence[Any], text: str) -> Any:
    return next((o for o in options if str(o) == text), None)


def choice(key: str, options: Sequence[Any]) -> str:
    """Before a translated choice widget with key `key`: take its value from the URL when the link brings
    a new one (an unknown one gets a note), and remember to write the chosen option back (and to bring it
    back after a visit to another page, `begin_run`). Returns `key`. The widget gets no default argument:
    its value comes through session_state."""
    ss.setdefault(_KEYS, {})[key] = "choice"
    synced = ss.setdefault(_SYNCED, {})
    wanted = st.query_params.get(key)
    if wanted is not None and wanted != synced.get(key):
        match = _option(options, wanted)
        if match is None:
            note(key, wanted)
        else:
            ss[key] = match
        synced[key] = wanted
    return key


def _same(text: str, value: Any) -> bool:
    """Does the URL's `text` say `value` (Streamlit writes 5.0 as "5")?"""
    if isinstance(value, bool):
        return text.lower() == str(value).lower()
    if isinstance(value, (int, float)):
        try:
            return float(text) == float(value)
        except ValueError:
            return False
    return text == str(value)


def end_run() -> None:
    """Home.py, after the page: write the choice widgets' options to the URL, and note every value of the
    link that the page could not use (too big, dropped by Streamlit, or an unknown option)."""
    keys: dict[str, str] = ss.get(_KEYS, {})
    synced, chosen = ss.setdefault(_SYNCED, {}), ss.setdefault(_CHOSEN, {})
    for key, how in keys.items():
        if how == "choice" and key in ss and ss[key] is not None:
            chosen[key] = ss[key]
            value = str(ss[key])
            if st.query_params.get(key) != value:
                st.query_params[key] = value
            synced[key] = value
    dropped: dict[str, str] = ss.get(_DROPPED, {})
    for key, text in ss.get(_START, {}).items():
        if key in dropped:
            if key in keys:
                note(key, text)
        elif keys.get(key) == "bound" and key not in st.query_params and not _same(str(text), ss.get(key)):
            note(key, text)


def note(key: str, value: Any, message: str = "links.ignored", **params: Any) -> None:
    """Say, at the top of the page, what the lab did with the link's `key=value` (ignored by default; the
    range check of ui.inputs says what it used instead)."""
    text = str(value)
    shown = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    ss.setdefault(_NOTES, []).append(t(message, param=key, value=shown, **params))


def correct(key: str, text: str) -> bool:
    """Replace the link's value of `key` by `text` before its widget is drawn (ui.inputs: a number moved
    into its range). False when Streamlit already bound the parameter to the widget in an earlier run."""
    try:
        st.query_params[key] = text
    except StreamlitAPIException:
        return False
    return True


def notes() -> list[str]:
    """This run's notes about the link's values, in the student's language."""
    return list(ss.get(_NOTES, []))


def listed(name: str) -> list[str]:
    """The widget keys this page's link names in `hide=` or `lock=` (checked, reserved ones left out)."""
    return _listed(name)


def _listed(name: str) -> list[str]:
    raw = st.query_params.get(name) or ""
    keys = (part.strip() for part in raw.split(","))
    return [k for k in keys if KEY_RE.match(k) and not k.startswith(RESERVED)]


def stylesheet(hidden: Sequence[str], locked: Sequence[str]) -> str:
    """CSS that hides or locks the widgets with these keys (keys already checked against `KEY_RE`)."""
    rules = [f".st-key-{k} {{ display: none; }}" for k in hidden]
    rules += [f".st-key-{k} {{ pointer-events: none; opacity: 0.55; }}" for k in locked]
    return "<style>\n" + "\n".join(rules) + "\n</style>" if rules else ""


def apply_classroom_view() -> None:
    """Home.py: hide and lock what the link's `hide=` and `lock=` name."""
    css = stylesheet(_listed("hide"), _listed("lock"))
    if css:
        st.html(css)


def current_values() -> dict[str, str]:
    """Every registered widget's value as the URL writes it, in the order the page drew them."""
    out = {}
    for key in ss.get(_KEYS, {}):
        value = ss.get(key)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def link(
    url_path: str,
    origin: str | None = None,
    hide: Sequence[str] | None = None,
    lock: Sequence[str] | None = None,
) -> str:
    """The URL of this page with every registered value (and the language, and the hide=/lock= given, else
    the ones this page was opened with)."""
    if origin is None:
        parts = urlsplit(str(getattr(st.context, "url", "") or "http://localhost:8501"))
        origin = f"{parts.scheme}://{parts.netloc}"
    params = {"lang": current_lang(), **current_values()}
    for name, given in (("hide", hide), ("lock", lock)):
        listed = (
            _listed(name)
            if given is None
            else [k for k in given if KEY_RE.match(k) and not k.startswith(RESERVED)]
        )
        if listed:
            params[name] = ",".join(listed)
    return f"{origin}/{url_path}?{urlencode(params)}"


def panel(container, url_path: str, notes_slot=None) -> None:
    """The notes about the link's values in `notes_slot` (Home.py: the top of the page, where a student
    looks first), else in `container`; then the "link to these settings" box (a copyable URL) there."""
    if said := notes():
        box = (notes_slot or container).container(border=True, key="links_notes")
        for text in said:
            box.text(text)  # as text: a link's value is never read as Markdown (a clickable link) or HTML
    if ss.get(_KEYS):
        with container.expander(t("links.title"), icon=":material/link:"):
            st.caption(t("links.help"))
            from ui import worksheet  # the link with hide/lock ticks, its QR code, "offer to the class"

            worksheet.builder(url_path)
