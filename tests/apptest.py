"""Helpers for AppTest page tests: run a page through Home.py's navigation in a chosen language."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

TIMEOUT = 60  # seconds per run: the first run imports torch and loads MNIST


def open_page(page_file: str | None = None, lang: str = "ja", timeout: float = TIMEOUT) -> AppTest:
    """Home.py, switched to `page_file` (e.g. "app_pages/xor.py"), in `lang`, after one run."""
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=timeout)
    at.query_params["lang"] = lang
    at.run()
    if page_file:
        at.switch_page(page_file)
        at.run()
    return at


def texts(at: AppTest) -> str:
    """All visible text of the main area (markdown, headers, captions, metrics, buttons...)."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "error",
        "button",
        "metric",
        "text",
        "latex",
    ):
        for el in getattr(at, kind, []):
            for attr in ("value", "label", "body"):
                v = getattr(el, attr, None)
                if isinstance(v, str):
                    parts.append(v)
    return "\n".join(parts)


def sign_in(at: AppTest, name: str) -> AppTest:
    """What a student does in the sidebar's name box (key `runs_name`), before the next `at.run()`."""
    from ui import saved_runs

    at.session_state[saved_runs.NAME_KEY] = name
    at.session_state[saved_runs.KEPT_KEY] = name
    return at
