"""Browser test of the class board: on a projector-sized window the leaderboard and the class's chart are
in the first screen, an image a student submits from the GAN page appears on the open board by itself,
without a reload, and a name that looks like Markdown (an image, a link) shows as typed."""

from __future__ import annotations

import time

import pytest

from core import classdb
from tests.e2e.conftest import goto, wait_idle
from ui.board import GALLERY_N, newest_per_name

pytestmark = pytest.mark.e2e


def _until(check, timeout: float = 30) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_a_submission_appears_on_the_open_board(browser, server_url):
    store = classdb.ClassDB()  # the suite's runs folder ($LAB_RUNS_DIR), which the test server shares
    store.submit_run("ann-e2e", "hyperparams", {"lr": 0.01, "batch_size": 64}, 0.93, 5, 11.0)
    store.submit_run("bob-e2e", "hyperparams", {"lr": 0.1, "batch_size": 32}, 0.61, 5, 9.5)
    n_runs, n_images = len(store.entries("run")), len(store.entries("gallery"))
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        board, student = ctx.new_page(), ctx.new_page()
        for p in (board, student):
            p.set_default_timeout(30_000)
        goto(board, server_url, "board", "en")
        board.locator(".st-key-board_chart .js-plotly-plot").first.wait_for()
        for selector in (".st-key-board_leaderboard", ".st-key-board_chart .js-plotly-plot"):
            box = board.locator(selector).first.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, (selector, box)
        rows = board.locator('.st-key-board_leaderboard [role="row"]')
        assert _until(lambda: rows.count() == n_runs + 1), rows.count()  # the header and every run
        assert board.locator(".st-key-board_chart .scatterlayer .trace").count() >= 2  # batch 32 and 64
        gallery = board.locator(".st-key-board_gallery")
        assert "ken-e2e" not in gallery.inner_text()

        goto(student, server_url, "gan", "en")
        name = student.locator(".st-key-runs_name input").first
        name.fill("ken-e2e")
        name.press("Enter")
        wait_idle(student)
        student.locator(".st-key-gan_submit button").first.click()
        wait_idle(student)
        assert "Submitted to the class board" in student.locator('[data-testid="stMain"]').inner_text()

        # the board, untouched since it opened, refreshes itself
        assert _until(lambda: "ken-e2e · GAN" in gallery.inner_text()), gallery.inner_text()
        assert gallery.locator("img").count() == len(newest_per_name(store.entries("gallery"))[:GALLERY_N])
        count = f"{n_runs} runs and {n_images + 1} images submitted"
        assert count in board.locator('[data-testid="stMain"]').inner_text()
        for p in (board, student):
            assert p.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx.close()
    assert store.entries("gallery")[0].name == "ken-e2e"


def test_a_name_that_looks_like_markdown_shows_as_typed(browser, server_url):
    from tests.pages.test_board_page import _png

    store = classdb.ClassDB()
    names = ("![](https://example.com/x.png)", "[先生の課題](https://example.com)")
    for name in names:
        store.submit_gallery(name, "gan", _png())
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        goto(page, server_url, "board", "ja")
        gallery = page.locator(".st-key-board_gallery")
        assert _until(lambda: all(name in gallery.inner_text() for name in names)), gallery.inner_text()
        links = [a.evaluate("e => e.parentElement.outerHTML")[:300] for a in gallery.locator("a").all()]
        assert links == [], "a name became a link"
        assert gallery.locator('img[src*="example.com"]').count() == 0, "a name became an image"
    finally:
        ctx.close()
