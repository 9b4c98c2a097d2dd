"""Browser test of a server's first visit: the page says it is getting ready from the first moment (the
first run imports PyTorch and loads data and models), with the pages' titles in the session's language
already in the sidebar, before anything slow has run (the sidebar's own widgets, drawn after the imports,
are not there yet); then it shows Home without the message."""

from __future__ import annotations

import time

import pytest

from bench import lab_server
from tests.e2e.conftest import free_port, start_server

pytestmark = pytest.mark.e2e


def test_the_first_visit_says_it_is_getting_ready_then_shows_home(browser):
    port = free_port()
    proc = start_server(port)  # a fresh process: nothing imported or loaded yet
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/?lang=ja")
        main = page.locator('[data-testid="stMain"]')
        nav = page.locator('[data-testid="stSidebarNav"]')
        seen: list[str] = []  # what the main area showed, in order: "message", then "home"
        titles_while_warming = ""  # the sidebar's page list, read while the message still showed
        end = time.time() + 120
        while time.time() < end and "home" not in seen:
            text = main.inner_text() if main.count() else ""
            if "準備しています" in text:
                if not seen:
                    seen.append("message")
                    assert page.locator(".st-key-lang").count() == 0, (
                        "the message came only after the slow part"
                    )
                # the browser can draw the message a moment before the list (two messages from the
                # server): the list counts when it comes while the page is still getting ready
                titles = nav.inner_text() if nav.count() else ""
                if "ホーム" in titles:
                    titles_while_warming = titles
            if main.locator("h1").count() and "準備しています" not in text:
                seen.append("home")
            time.sleep(0.05)
        assert seen == ["message", "home"], f"the first visit showed {seen}"
        titles = titles_while_warming
        assert all(title in titles for title in ("ホーム", "拡散モデル", "クラスボード")), titles
        assert "app_pages" not in titles and "Home" not in titles, titles
        assert "PyTorch" in main.locator("h1").first.inner_text()
    finally:
        ctx.close()
        lab_server.stop(proc)
