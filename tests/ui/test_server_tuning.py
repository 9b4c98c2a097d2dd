"""The app's own server tuning for a class on one machine (ui/resources.py): Python's GIL turns shortened
so the event loop is not starved by page reruns (convoy effect), full page runs taking turns, torchvision
imported in the background, and the C event loop and HTTP parser loaded. The bench harness's own tests are
in tests/bench/."""

from __future__ import annotations

import sys

import pytest

from tests.apptest import open_page
from ui import resources


@pytest.fixture
def restore_interval():
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.mark.parametrize(
    ("env", "expected_ms"),
    [(None, 0.5), ("2", 2.0), ("0.25", 0.25), ("abc", 0.5), ("0", 0.5), ("1e9", 0.5), ("nan", 0.5)],
)
def test_gil_turn_is_short_unless_configured(monkeypatch, restore_interval, env, expected_ms):
    sys.setswitchinterval(0.005)  # Python's default
    if env is None:
        monkeypatch.delenv("LAB_SWITCH_INTERVAL_MS", raising=False)
    else:
        monkeypatch.setenv("LAB_SWITCH_INTERVAL_MS", env)
    assert resources.shorten_gil_turns() == pytest.approx(expected_ms)
    assert sys.getswitchinterval() == pytest.approx(expected_ms / 1000)


def test_the_app_shortens_gil_turns_when_it_starts(monkeypatch, restore_interval):
    monkeypatch.delenv("LAB_SWITCH_INTERVAL_MS", raising=False)
    sys.setswitchinterval(0.005)
    at = open_page()
    assert not at.exception
    assert sys.getswitchinterval() == pytest.approx(resources.SWITCH_INTERVAL_MS / 1000)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the server's memory map from /proc")
def test_server_runs_on_uvloop_and_parses_http_with_httptools(tmp_path):
    """requirements.txt brings uvloop and httptools; a running server has both loaded (Streamlit picks
    uvloop for its event loop and uvicorn picks httptools over the pure-Python h11 when they are present),
    so 30 browsers' requests cost the event loop less of Python's lock."""
    import urllib.request
    from pathlib import Path

    from bench import lab_server

    proc, url = lab_server.start(tmp_path / "server.log")
    try:
        with urllib.request.urlopen(url + "/", timeout=30) as r:  # one HTTP request through the parser
            assert r.status == 200
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
    finally:
        lab_server.stop(proc)
    libraries = {
        part
        for line in maps.splitlines()
        if line.endswith(".so") or ".so " in line
        for part in Path(line.split()[-1]).parts
    }
    assert "uvloop" in libraries and "httptools" in libraries


def test_warm_up_imports_torchvision_in_the_background_once():
    """In a fresh interpreter (where nothing has imported torchvision yet): Home's warm-up thread imports it
    without the caller waiting, and a second call starts no second thread."""
    import subprocess
    from pathlib import Path

    code = (
        "import sys, time\n"
        "from ui import resources\n"
        "assert 'torchvision' not in sys.modules\n"
        "t0 = time.perf_counter()\n"
        "th = resources.warm_up_in_background()\n"
        "returned = time.perf_counter() - t0\n"
        "assert resources.warm_up_in_background() is th\n"
        "th.join(120)\n"
        "print(returned, 'torchvision.utils' in sys.modules, th.name, th.daemon)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    returned, imported, name, daemon = out.stdout.split()
    assert float(returned) < 0.5  # the caller (Home's first run) did not do the import itself
    assert (imported, name, daemon) == ("True", "lab-warm-up", "True")


def test_page_runs_take_turns_up_to_the_limit(monkeypatch):
    """At most LAB_PAGE_RUNS full page runs at once; the others wait (no CPU) and all of them finish."""
    import threading
    import time

    monkeypatch.setenv("LAB_PAGE_RUNS", "2")
    monkeypatch.setattr(resources, "_page_slots", None)
    inside, peak, lock = 0, 0, threading.Lock()

    def run() -> None:
        nonlocal inside, peak
        with resources.page_run_slot() as got:
            assert got
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.1)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=run) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert peak == 2 and inside == 0
    assert resources._page_slots.acquire(blocking=False) and resources._page_slots.acquire(blocking=False)


@pytest.mark.parametrize(("env", "expected"), [("3", 3), ("0", None), ("x", None), ("", None)])
def test_page_run_limit_setting(monkeypatch, env, expected):
    import os

    monkeypatch.setenv("LAB_PAGE_RUNS", env)
    assert resources.page_run_slots() == (expected or max(2, os.cpu_count() or 2))


def test_a_page_run_waits_for_its_turn_then_goes_ahead(monkeypatch):
    """Home's full run goes through the turns: with every turn taken by others it waits PAGE_RUN_WAIT_S,
    then renders anyway (a slow page delays the class, never blocks it), keeping no turn it never got."""
    import time

    monkeypatch.setenv("LAB_PAGE_RUNS", "1")
    monkeypatch.setattr(resources, "_page_slots", None)
    monkeypatch.setattr(resources, "PAGE_RUN_WAIT_S", 2.0)
    taken = resources._slots()
    assert taken.acquire(timeout=1)  # another session's long page run holds the only turn
    try:
        t0 = time.perf_counter()
        at = open_page()  # a fresh session: its first run is Home.py's full run
        waited = time.perf_counter() - t0
    finally:
        taken.release()
    assert waited >= 2.0
    assert not at.exception and at.title  # it rendered after the wait
    assert taken.acquire(blocking=False)  # and did not keep a turn it never got
    taken.release()
