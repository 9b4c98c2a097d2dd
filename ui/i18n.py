"""Translations: Japanese (default) and English.

Strings live in `ui/strings/<module>.py`, each with a `JA` and an `EN` dict of the same keys, namespaced
by page ("xor.train"). `t("key", n=3)` formats the string of the current language. The language is the
sidebar selector's value (session key `lang`), seeded from the `?lang=` query parameter so it survives a
reload. With LAB_STRICT_I18N=1 (the tests) a missing key raises instead of showing the raw key.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil

import streamlit as st

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"
LANG_LABELS = {"ja": "日本語", "en": "English"}


@functools.lru_cache(maxsize=1)
def catalogs() -> dict[str, dict[str, str]]:
    """All strings per language, merged from every module of ui/strings."""
    import ui.strings as pkg

    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"ui.strings.{info.name}")
        for lang in LANGS:
            table = getattr(module, lang.upper())
            clash = set(table) & set(merged[lang])
            assert not clash, f"keys defined twice ({info.name}): {sorted(clash)[:5]}"
            merged[lang].update(table)
    return merged


KEPT = "_lang"  # a plain session key: the language also when the widget's key is dropped (a page switch)


def current_lang() -> str:
    """The selectbox's value, else the session's last choice, else ?lang= in the URL, else Japanese."""
    for lang in (st.session_state.get("lang"), st.session_state.get(KEPT), st.query_params.get("lang")):
        if lang in LANGS:
            return lang
    return DEFAULT_LANG


def t(key: str, lang: str | None = None, **params: object) -> str:
    lang = lang or current_lang()
    table = catalogs()[lang]
    if key not in table:
        if os.environ.get("LAB_STRICT_I18N") == "1":
            raise KeyError(f"missing translation {key!r} ({lang})")
        table = catalogs()["en"] if key in catalogs()["en"] else {key: key}
    text = table[key]
    return text.format(**params) if params else text


def labels(prefix: str):
    """`format_func=labels("xor.act.")`: an option's label, `t(prefix + option)`, in the language of the
    run that drew the widget. Streamlit (and AppTest) may call a format_func again after the script ended,
    when the session's language can no longer be read; the label keeps the one it was drawn in."""
    lang = current_lang()
    return lambda option: t(f"{prefix}{option}", lang=lang)


SWITCHED = "_lang_switched"  # session_state: this run follows a change of language


def relabelled(key: str) -> str:
    """`key`, for a choice widget whose option labels are translated (radio, selectbox, segmented control,
    select slider with a `format_func` that depends on the language): `st.radio(..., key=relabelled("k"))`.

    Streamlit keeps such a widget's value in the browser as the option's label. After a language switch the
    browser still holds the old language's label, which is none of the new labels, and the widget shows no
    option selected (the value itself is kept). Assigning the value to itself on the switch's run makes
    Streamlit send the chosen option again, under its new label (docs/streamlit-notes.md, "A language
    switch empties choice widgets"). Give such a widget its first value through `st.session_state`, not a
    default argument: Streamlit warns when a widget has both.
    """
    if st.session_state.get(SWITCHED) and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    return key


def language_selector() -> str:
    """The sidebar selectbox (key `lang`); keeps the choice across pages, reruns and reloads.

    Its default is the current language, not the first option: a browser that re-mounts the selectbox
    (a page switch under load) reports the default back as the widget's value, and with index 0 English
    students got Japanese pages (docs/streamlit-notes.md, A remounted widget reports its default).
    The choice is also copied to `KEPT` (A widget's value is dropped on a run that does not draw it).
    """
    current = current_lang()
    before = st.session_state.get(KEPT, current)
    lang = st.selectbox(
        "言語 / Language", LANGS, index=LANGS.index(current), key="lang", format_func=LANG_LABELS.__getitem__
    )
    st.session_state[SWITCHED] = lang != before  # read by `relabelled` on this run's page
    st.session_state[KEPT] = lang
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang
