"""Browser tests: `streamlit run Home.py` in test mode on a free port (bench/lab_server.py starts it), driven
by Playwright + Debian's chromium.

Skipped with a reason where chromium or playwright is missing — except when CI=true, where a skip
would hide a broken set-up, so it fails instead. Each server's output goes to a log file under the
system's temporary folder (named in the error when a server does not come up).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from bench import lab_server
from bench.lab_server import free_port, wait_idle  # the browser tests import both from here

CHROMIUM = lab_server.CHROMIUM
LOGS = Path(tempfile.gettempdir()) / f"lab_e2e_{os.getpid()}"  # this test run's server logs


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


TEACHER_TOKEN = "e2e-teacher-passphrase"


# What a server's log must never hold after a browser test: a traceback (an exception a page did not turn
# into a message) or a warning of Streamlit's (a widget given a value two ways, a deprecated argument),
# each logged as a line "... WARNING streamlit...".


def log_problems(log: Path, since: int = 0) -> list[str]:
    """What `log` (from byte `since` on) reports of tracebacks and warnings: each warning line, and each
    traceback as its last frame and its exception, so a failure says what broke and where."""
    if not log.exists():
        return []
    with open(log, "rb") as f:
        f.seek(since)
        lines = f.read().decode(errors="replace").splitlines()
    found = []
    for i, line in enumerate(lines):
        if "WARNING" in line.upper():
            found.append(line)
        elif line.startswith("Traceback"):
            end = next((j for j in range(i + 1, len(lines)) if not lines[j].startswith(" ")), len(lines) - 1)
            found.append("\n".join(["Traceback:", *lines[max(i + 1, end - 2) : end + 1]]))
    return found


def start_server(port: int, extra_env: dict | None = None, timeout: float = 60) -> subprocess.Popen:
    """The app in test mode (LAB_TEST_MODE=1, no MNIST download) on 127.0.0.1:`port`, healthy; its log
    is LOGS/server_<port>.log (appended to when the same port is started again)."""
    proc, _ = lab_server.start(
        LOGS / f"server_{port}.log", env=extra_env, port=port, timeout=timeout, test_mode=True
    )
    return proc


_SERVER_LOGS: list[Path] = []  # this worker's test servers' logs, shown when a browser test fails


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report ends with the last lines of its server's log: on CI the log is gone
    with the machine, and it is what says whether the page raised, warned or was still running."""
    report = yield
    if report.failed and call.when == "call":
        for log in _SERVER_LOGS:
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-40:]
                report.sections.append((f"server log {log.name} (last lines)", "\n".join(tail)))
    return report


def pytest_collection_modifyitems(items):
    """A browser test that fails runs once more before it counts as failed (pytest-rerunfailures; the
    summary still lists it as "rerun"). A browser, a server and three test workers share CI's two cores,
    and a page that waits on both can miss a timeout there that no student would notice; a page that is
    wrong fails twice."""
    for item in items:
        if item.get_closest_marker("e2e") and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))


@pytest.fixture(scope="session")
def server_url():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    port = free_port()
    _SERVER_LOGS.append(LOGS / f"server_{port}.log")
    proc = start_server(port, {"LAB_TEACHER_TOKEN": TEACHER_TOKEN})  # the teacher's page is on
    yield f"http://127.0.0.1:{port}"
    lab_server.stop(proc)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=lab_server.CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def goto(page, server_url: str, path: str = "", lang: str = "ja", timeout: float = 60) -> None:
    """`path` in `lang`, its script run to its end (`timeout` s at most) and no exception shown."""
    page.goto(f"{server_url}/{path}?lang={lang}")
    wait_idle(page, timeout)
    exc = page.locator('[data-testid="stException"]')
    assert exc.count() == 0, exc.first.inner_text()


def choose_language(page, name: str) -> None:
    """The sidebar's language box set to `name` ("English", "日本語"), as a student does it. The box sits
    below the page list, out of a 1280x720 view: scroll it in and open it by its input (a click on the
    box's middle, as Playwright aims, can land beside the input and leave the list closed)."""
    box = page.locator(".st-key-lang")
    box.scroll_into_view_if_needed()
    box.locator("input").click()
    page.get_by_role("option", name=name).click()
    wait_idle(page)


def type_name(page, name: str) -> None:
    """The sidebar's name box filled as a student does before training, so a run is saved under it (a Train
    without a name asks for one in a dialog)."""
    page.locator(".st-key-runs_name input").fill(name)
    page.keyboard.press("Enter")
    wait_idle(page)


def top_when_drawn(page, selector: str, timeout: float = 90) -> float:
    """The top (px) of the first element matching `selector` once it is drawn with a height. Read in one step
    in the browser: a live chart is redrawn a few times a second, so an element found one moment can be
    replaced by the next (Playwright's bounding_box then answers None)."""
    handle = page.wait_for_function(
        "(sel) => { const e = document.querySelector(sel); if (!e) return null;"
        " const r = e.getBoundingClientRect(); return r.height > 0 ? r.top : null; }",
        arg=selector,
        timeout=timeout * 1000,
    )
    return float(handle.json_value())
