"""Lesson links: the settings that define a lesson live in the page's URL, so a teacher can hand out
`/xor?xor_lr=0.1&xor_seed=7` and every student opens the same lesson.

- `bind(key)`: keyword arguments for a keyed widget whose value the URL carries, with Streamlit's own
  `bind="query-params"` (the key is the parameter's name). Streamlit drops a value the widget cannot
  take (`xor_lr=abc`, `xor_layers=9`); `notes()` then says so in the student's language.
- `choice(key, options)`: the same for a choice widget whose labels are translated (Streamlit would put
  the label, 「シグモイド」, in the URL, which the other language cannot read): the URL carries the option
  itself (`xor_activation=relu`), read and written by the lab.
- `hide=` / `lock=` (comma-separated widget keys) hide controls or make them read-only for a simpler page,
  as TensorFlow Playground's classroom panel does. A stylesheet does it (`.st-key-<key>`): the widget still
  gives its value, taken from the link. It is a simplification for a lesson, not a security boundary.
- `panel()`: the sidebar's "link to these settings", the current page's URL with every registered value.

Everything here reads and writes only this session's URL and state: a link never changes another
student's page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from ui.i18n import current_lang, t

_KEYS = "_links_keys"  # session_state: {key: "bound" | "choice"} registered by the page drawn in this run
_START = "_links_start"  # session_state: the URL's parameters as this run began
_SYNCED = "_links_synced"  # session_state: {key: the value the lab last wrote for a choice widget}
_NOTES = "_links_notes"  # session_state: this run's notes about ignored values
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")  # a widget key a link may name (safe inside CSS)
SPECIAL = ("lang", "hide", "lock")  # parameters that are not widget values
ss = st.session_state


def begin_run() -> None:
    """Home.py, before the page: forget the last run's registrations, keep the URL as it is now."""
    ss[_KEYS] = {}
    ss[_NOTES] = []
    ss[_START] = {k: st.query_params.get(k) for k in st.query_params}


def bind(key: str) -> dict[str, Any]:
    """`st.slider(..., key=key, **links.bind(key))`: the URL carries this widget's value."""
    ss.setdefault(_KEYS, {})[key] = "bound"
    return {"bind": "query-params"}


def choice(key: str, options: Sequence[Any]) -> str:
    """Before a translated choice widget with key `key`: take its value from the URL when the link brings
    a new one (an unknown one gets a note), and remember to write the chosen option back. Returns `key`."""
    ss.setdefault(_KEYS, {})[key] = "choice"
    synced = ss.setdefault(_SYNCED, {})
    wanted = st.query_params.get(key)
    if wanted is not None and wanted != synced.get(key):
        match = next((o for o in options if str(o) == wanted), None)
        if match is None:
            ss.setdefault(_NOTES, []).append((key, wanted))
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
    link that the page could not use (dropped by Streamlit, or an unknown option)."""
    keys: dict[str, str] = ss.get(_KEYS, {})
    synced = ss.setdefault(_SYNCED, {})
    for key, how in keys.items():
        if how == "choice" and key in ss and ss[key] is not None:
            value = str(ss[key])
            if st.query_params.get(key) != value:
                st.query_params[key] = value
            synced[key] = value
    start: dict = ss.get(_START, {})
    for key, text in start.items():
        if keys.get(key) == "bound" and key not in st.query_params and not _same(str(text), ss.get(key)):
            ss.setdefault(_NOTES, []).append((key, text))


def notes() -> list[tuple[str, str]]:
    """(key, value) of this run's link values that were ignored."""
    return list(ss.get(_NOTES, []))


def _listed(name: str) -> list[str]:
    raw = st.query_params.get(name) or ""
    return [k for k in (part.strip() for part in raw.split(",")) if KEY_RE.match(k)]


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


def link(url_path: str, origin: str | None = None) -> str:
    """The URL of this page with every registered value (and the language, and any hide=/lock=)."""
    if origin is None:
        parts = urlsplit(str(getattr(st.context, "url", "") or "http://localhost:8501"))
        origin = f"{parts.scheme}://{parts.netloc}"
    params = {"lang": current_lang(), **current_values()}
    for name in ("hide", "lock"):
        if listed := _listed(name):
            params[name] = ",".join(listed)
    return f"{origin}/{url_path}?{urlencode(params)}"


def panel(container, url_path: str) -> None:
    """The "link to these settings" box (a copyable URL) and the notes about ignored values."""
    for key, value in notes():
        container.caption(t("links.ignored", param=key, value=str(value)[:40]))
    if ss.get(_KEYS):
        with container.expander(t("links.title"), icon=":material/link:"):
            st.caption(t("links.help"))
            st.code(link(url_path), language=None, wrap_lines=True)
