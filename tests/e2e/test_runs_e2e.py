"""Browser test of "Nothing lost": the name typed in the sidebar stays across page switches; a
hyperparameter comparison trained under it is listed and reopens after the server is restarted."""

from __future__ import annotations

import time

import pytest

from bench import lab_server
from tests.e2e.conftest import free_port, goto, start_server, wait_idle

pytestmark = pytest.mark.e2e
NAME = "たろう"


def _name_box(page):
    return page.locator(".st-key-runs_name input").first


def _type_name(page) -> None:
    _name_box(page).fill(NAME)
    _name_box(page).press("Enter")
    wait_idle(page)


def _rows(page) -> int:
    return page.locator('.st-key-hyperparams_table [role="row"]').count() - 1  # minus the header row


def _until(check, timeout: float = 60) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_name_survives_page_switches_and_a_saved_comparison_survives_a_restart(browser, tmp_path):
    env = {"LAB_RUNS_DIR": str(tmp_path)}
    port = free_port()
    proc = start_server(port, env)
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        url = f"http://127.0.0.1:{port}"
        goto(page, url, "hyperparams", "en")
        _type_name(page)
        for path in ("xor", "cnn", "hyperparams"):  # the shared sidebar keeps the typed name
            page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
            wait_idle(page)
            assert _name_box(page).input_value() == NAME, f"name lost on {path}"
        page.locator(".st-key-hyperparams_preset_channels button").first.click()
        wait_idle(page)
        page.locator(".st-key-hyperparams_train button").first.click()
        assert _until(
            lambda: _rows(page) == 2 and page.locator(".st-key-hyperparams_stop button").first.is_disabled()
        )
        ctx.close()
    finally:
        lab_server.stop(proc)
    assert list(tmp_path.glob(f"hyperparams_*_{NAME}/model.pth")), "two runs saved with their models"

    proc = start_server(port, env)  # the same runs/ folder, a fresh server: no session survives
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        goto(page, f"http://127.0.0.1:{port}", "hyperparams", "en")
        assert _name_box(page).input_value() == ""
        _type_name(page)
        pick = page.locator(".st-key-hyperparams_runs_pick")
        pick.wait_for()
        shown = pick.text_content() + " ".join(i.input_value() for i in pick.locator("input").all())
        assert "2 runs" in shown, shown
        page.locator(".st-key-hyperparams_runs_open button").first.click()
        wait_idle(page)
        assert "Saved comparison opened (2 runs)" in page.locator('[data-testid="stMain"]').inner_text()
        assert _until(lambda: _rows(page) == 2, 20)
        table = page.locator(".st-key-hyperparams_table").text_content()
        assert "#1 channels=16/32" in table and "#2 channels=32/64" in table
        traces = page.locator(".st-key-hyperparams_acc .js-plotly-plot .scatterlayer .trace")
        assert _until(lambda: traces.count() == 2, 20), "one accuracy curve per reopened run"
        assert page.locator('[data-testid="stException"]').count() == 0
        ctx.close()
    finally:
        lab_server.stop(proc)
