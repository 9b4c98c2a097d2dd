"""Browser test of a classroom fault: the server is killed (SIGKILL, no clean shutdown) while a CNN trains;
after a restart on the same port a new browser session finds the run under the student's name, with at
most the epoch in progress lost, and reopens it with its curves."""

from __future__ import annotations

import re
import time

import pytest

from bench import lab_server
from core import runs
from tests.e2e.conftest import free_port, goto, start_server, wait_idle

pytestmark = pytest.mark.e2e
NAME = "じろう"


def _new_page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


def _open_cnn_train_tab(page, url: str) -> None:
    goto(page, url, "cnn", "en")
    box = page.locator(".st-key-runs_name input").first
    box.fill(NAME)
    box.press("Enter")
    wait_idle(page)
    page.get_by_role("tab", name="Train", exact=True).click()


def _saved_and_running(page) -> tuple[tuple[int, int] | None, str]:
    """((epochs the page says are saved, epoch in progress) while the run is well short of its end, else
    None; what was seen, for the failure message)."""
    main = page.locator('[data-testid="stMain"]').inner_text()
    saved = re.search(r"Saved to runs/ up to epoch (\d+)\.", main)
    bar = page.locator('[data-testid="stMain"] [data-testid="stProgress"]')
    prog = re.search(r"Epoch (\d+) / (\d+)", bar.first.inner_text()) if bar.count() else None
    seen = f"saved: {saved.group(0) if saved else None}; progress: {prog.group(0) if prog else None}"
    # at least 5 epochs from the end, so the run cannot finish between this look and the kill
    if saved and prog and int(saved.group(1)) < int(prog.group(1)) <= int(prog.group(2)) - 5:
        return (int(saved.group(1)), int(prog.group(1))), seen
    return None, seen


def test_run_survives_a_killed_server_and_reopens_by_name(browser, tmp_path):
    env = {"LAB_RUNS_DIR": str(tmp_path)}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(port, env)
    try:
        ctx, page = _new_page(browser)
        _open_cnn_train_tab(page, url)
        lab_server.set_slider(
            page, "cnn_epochs", 29
        )  # 30 small epochs (500 images, then the test split): killed mid-way
        lab_server.set_slider(page, "cnn_train_size", 1)
        page.locator(".st-key-cnn_channels label").filter(has_text="8/16").first.click()
        wait_idle(page)
        page.locator(".st-key-cnn_train button").first.click()
        seen, looked, end = None, [], time.time() + 120
        while seen is None and time.time() < end:
            seen, what = _saved_and_running(page)
            looked.append(what)
            time.sleep(0.2)
        assert seen, f"the page never said an epoch was saved while training; last looks: {looked[-5:]}"
        lab_server.kill_tree(proc)
        ctx.close()
    finally:
        if proc.poll() is None:
            lab_server.kill_tree(proc)
    saved_shown, in_progress = seen
    (run,) = runs.list_runs("cnn", NAME, root=tmp_path)
    assert run.state == "running"  # killed: nobody wrote an end state
    assert saved_shown <= run.epochs_done < 30 and run.epochs_done >= in_progress - 1  # at most one lost

    proc = start_server(port, env)  # the same port and runs/ folder; no session survives
    try:
        ctx, page = _new_page(browser)
        _open_cnn_train_tab(page, url)
        pick = page.locator(".st-key-cnn_runs_pick")
        pick.wait_for()
        listed = pick.text_content() + " ".join(i.input_value() for i in pick.locator("input").all())
        assert f"{run.epochs_done} epochs · interrupted" in listed, listed
        page.locator(".st-key-cnn_runs_open button").first.click()
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert f"Saved run opened ({run.epochs_done} epochs)" in main, main[:500]
        traces = page.locator(".st-key-cnn_acc_chart .js-plotly-plot .scatterlayer .trace")
        traces.first.wait_for(state="attached", timeout=20_000)  # the accuracy curve is back
        assert page.locator(".st-key-cnn_model_choice label").filter(has_text="session").count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        ctx.close()
    finally:
        lab_server.stop(proc)
