"""Browser tests: `streamlit run Home.py` on a free port, driven by Playwright + Debian's chromium.

Skipped with a reason where chromium or playwright is missing — except when CI=true, where a skip
would hide a broken set-up, so it fails instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LAB_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, extra_env: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "LAB_TEST_MODE": "1", "LAB_MNIST_DOWNLOAD": "0", **(extra_env or {})}
    env.pop("LAB_STRICT_I18N", None)
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "Home.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stdout.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


@pytest.fixture(scope="session")
def server_url():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    port = free_port()
    proc = start_server(port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def wait_idle(page, timeout: float = 60) -> None:
    """Until the script has finished running (no running-status widget) for a moment."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    end, quiet = time.time() + timeout, None
    while time.time() < end:
        busy = page.locator('[data-testid="stStatusWidget"], [data-testid="stSpinner"]').count()
        if busy == 0:
            quiet = quiet or time.time()
            if time.time() - quiet > 1.0:
                return
        else:
            quiet = None
        time.sleep(0.2)
    raise TimeoutError("page still running")


def goto(page, server_url: str, path: str = "", lang: str = "ja") -> None:
    page.goto(f"{server_url}/{path}?lang={lang}")
    wait_idle(page)
    exc = page.locator('[data-testid="stException"]')
    assert exc.count() == 0, exc.first.inner_text()
