"""The server shortens Python's GIL turns so its event loop is not starved by page reruns (convoy effect)."""

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


@pytest.mark.parametrize(("env", "expected_ms"), [(None, 0.5), ("2", 2.0), ("0.25", 0.25), ("abc", 0.5),
                                                  ("0", 0.5), ("1e9", 0.5), ("nan", 0.5)])  # fmt: skip
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
    libraries = {part for line in maps.splitlines() if line.endswith(".so") or ".so " in line
                 for part in Path(line.split()[-1]).parts}  # fmt: skip
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
