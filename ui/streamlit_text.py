"""Streamlit's own words in the session's language: the file uploader's button, its drop hint and its
"file too large" refusal, and the status widget's Stop button. Streamlit 1.67 has no setting or parameter
for these (they are fixed English in its frontend), so `apply()` injects a stylesheet that hides each
English text and shows ours in its place (CSS `content`), keyed on Streamlit's stable `data-testid`s.

What the override hides, the pages say in their own words: an uploader's label names the file types and
the size limit, and a file of the wrong type reaches the page, which refuses it with its own message (no
`type=` filter, which would refuse it in the browser in English). The only refusal left to the browser is
a file over `server.maxUploadSize`: its English reason (a tooltip, and a screen reader's alert) is hidden
and a message in the session's language is shown under the uploader instead.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import current_lang

WORDS = {  # Streamlit's built-in text, not page text: kept here beside the selectors they replace
    "ja": {
        "upload": "ファイルを選ぶ",
        "drop": "ここにファイルをドロップ",
        "too_large": "このファイルは大きすぎて読み込めません（1 ファイル {mb} MB まで）。",
        "stop": "停止",
        "stopping": "停止しています…",
    },
    "en": {
        "upload": "Upload",
        "drop": "Drop the file here",
        "too_large": "This file is too large to upload ({mb} MB per file at most).",
        "stop": "Stop",
        "stopping": "Stopping…",
    },
}


def _css_string(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes and `<` escaped: it sits inside <style>)."""
    out = "".join(c if c.isalnum() or ord(c) > 127 or c in " .,()…" else f"\\{ord(c):x} " for c in text)
    return f'"{out}"'


def stylesheet(lang: str) -> str:
    """The <style> block that puts `lang`'s words in place of Streamlit's English."""
    w = WORDS[lang]
    mb = st.get_option("server.maxUploadSize")
    up = '[data-testid="stFileUploaderDropzone"]'
    status = '[data-testid="stStatusWidget"] button'
    return f"""<style>
{up} button [data-testid="stMarkdownContainer"] {{ display: none; }}
{up} button span[data-has-shortcut]::after {{ content: {_css_string(w["upload"])}; }}
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
{up} > div > span:only-child {{ font-size: 0; visibility: hidden; }}
{up} > div > span:only-child::after {{
  content: {_css_string(w["drop"])}; font-size: 1rem; visibility: visible;
}}
[role="tooltip"]:has([data-testid="stTooltipErrorContent"]) {{ display: none; }}
[data-testid="stFileChip"] [role="alert"] {{ display: none; }}
[data-testid="stFileUploader"]:has([data-testid="stFileChip"][aria-invalid="true"])::after {{
  content: {_css_string(w["too_large"].format(mb=mb))};
  display: block; margin-top: 0.5rem; color: #b42318; font-size: 1rem;
}}
{status} {{ font-size: 0; visibility: hidden; }}
{status}::after {{ content: {_css_string(w["stop"])}; font-size: 0.875rem; visibility: visible; }}
{status}:disabled::after {{ content: {_css_string(w["stopping"])}; }}
</style>"""


def apply() -> None:
    """Inject the stylesheet for the session's language; call once per run, before the page (Home.py).
    A <style>-only st.html takes no room on the page."""
    st.html(stylesheet(current_lang()))
