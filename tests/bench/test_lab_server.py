"""bench/lab_server.py, the one launcher of `streamlit run Home.py` for the browser tests, the load bench
and the fault drill: the environment it gives the server, the command it runs, how it fails, and what it
reads back from the server's log."""

from __future__ import annotations

import sys
import time

import pytest

from bench import lab_server


@pytest.fixture
def test_switches(monkeypatch):
    """This process as the test suite sets it up (tests/conftest.py), whatever the shell had."""
    monkeypatch.setenv("LAB_TEST_MODE", "1")
    monkeypatch.setenv("LAB_STRICT_I18N", "1")
    monkeypatch.setenv("LAB_MNIST_DOWNLOAD", "1")


def test_the_bench_server_is_the_real_app_without_a_download(test_switches):
    env = lab_server.server_env({"LAB_RUNS_DIR": "/tmp/x"})
    assert "LAB_TEST_MODE" not in env and "LAB_STRICT_I18N" not in env  # the app as a class sees it
    assert env["LAB_MNIST_DOWNLOAD"] == "0" and env["LAB_RUNS_DIR"] == "/tmp/x"


def test_the_browser_tests_server_is_in_test_mode_and_the_callers_env_wins(test_switches):
    env = lab_server.server_env({"LAB_MNIST_DOWNLOAD": "1"}, test_mode=True)
    assert env["LAB_TEST_MODE"] == "1" and "LAB_STRICT_I18N" not in env
    assert env["LAB_MNIST_DOWNLOAD"] == "1"  # fault 6 of the drill asks for the download


def test_the_command_runs_home_headless_on_localhost(tmp_path):
    cmd = lab_server.command(8765)
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", "Home.py"]
    args = dict(zip(cmd[5::2], cmd[6::2]))
    assert args == {"--server.port": "8765", "--server.headless": "true", "--server.address": "127.0.0.1"}
    traced = lab_server.command(8765, launcher=tmp_path / "traced.py")
    assert traced[:3] == [sys.executable, str(tmp_path / "traced.py"), "run"]


def _fake_streamlit(tmp_path, body: str):
    script = tmp_path / "fake_streamlit.py"
    script.write_text(f"import sys, time\nprint('fake server starting', flush=True)\n{body}\n")
    return script


def test_a_server_that_exits_is_reported_with_its_log(tmp_path):
    log = tmp_path / "logs" / "server.log"
    fake = _fake_streamlit(
        tmp_path, "print('Traceback (most recent call last):\\nboom', flush=True); sys.exit(3)"
    )
    with pytest.raises(RuntimeError, match=r"exited \(3\)") as err:
        lab_server.start(log, launcher=fake, timeout=30)
    assert "fake server starting" in str(err.value)  # the log's tail, not only its name
    assert "fake server starting" in log.read_text()


def test_a_server_that_never_gets_healthy_is_killed(tmp_path, monkeypatch):
    started = []
    real_popen = lab_server.subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(lab_server.subprocess, "Popen", popen)
    fake = _fake_streamlit(tmp_path, "time.sleep(120)")
    t0 = time.perf_counter()
    with pytest.raises(RuntimeError, match="did not become healthy within 2 s"):
        lab_server.start(tmp_path / "server.log", launcher=fake, timeout=2)
    assert time.perf_counter() - t0 < 20
    assert started[0].poll() is not None  # killed, not left running


HEALTHY = """
from http.server import BaseHTTPRequestHandler, HTTPServer

class Ok(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

port = int(sys.argv[sys.argv.index("--server.port") + 1])
HTTPServer(("127.0.0.1", port), Ok).serve_forever()
"""


@pytest.mark.parametrize("kill", [False, True])
def test_a_healthy_server_runs_for_the_block_and_is_ended_after_it(tmp_path, kill):
    fake = _fake_streamlit(tmp_path, HEALTHY)
    with lab_server.running(tmp_path / "server.log", kill=kill, launcher=fake, timeout=30) as (proc, url):
        assert url.startswith("http://127.0.0.1:") and proc.poll() is None
    assert proc.returncode == (-9 if kill else -15)  # SIGKILL of the tree, else a clean SIGTERM


def test_tracebacks_gives_the_last_line_of_each(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(
        "starting\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "    f()\n"
        "\n"
        "ValueError: bad\n"
        "later\n"
        "Traceback (most recent call last):\n"
        '  File "y.py", line 2\n'
    )
    assert lab_server.tracebacks(log) == ["ValueError: bad", "Traceback (most recent call last):"]
