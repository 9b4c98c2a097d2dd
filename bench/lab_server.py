"""The real app under a browser: start `streamlit run Home.py`, watch it, stop it, and drive its pages.

One launcher for everything that needs the app as a browser sees it: the browser tests (tests/e2e,
`test_mode=True`: tiny sizes), the classroom load test and the fault drill (the app as a class runs it:
real data, shipped models, full page sizes). The server listens on 127.0.0.1 and a free port unless given
one, is healthy (`/_stcore/health` answers 200) before `start` returns, and writes its output to a log
file that the caller can search for tracebacks. MNIST is never downloaded unless the caller's `env` asks.

The browser side that those drivers share lives here too: the Chromium they launch (LAB_CHROMIUM, else
Debian's /usr/bin/chromium) with its flags, and the waits and inputs every page needs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# -- the server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(env: dict | None = None, test_mode: bool = False) -> dict[str, str]:
    """The server's environment: this process's, without the test suite's switches (LAB_TEST_MODE,
    LAB_STRICT_I18N) unless `test_mode` (LAB_TEST_MODE=1), with MNIST's download off; `env` last."""
    full = {k: v for k, v in os.environ.items() if k not in ("LAB_TEST_MODE", "LAB_STRICT_I18N")}
    full["LAB_MNIST_DOWNLOAD"] = "0"
    if test_mode:
        full["LAB_TEST_MODE"] = "1"
    return {**full, **(env or {})}


def command(port: int, launcher: Path | None = None) -> list[str]:
    """`python -m streamlit run Home.py` headless on 127.0.0.1:`port`; `launcher`: a script that takes
    `streamlit`'s arguments instead of `-m streamlit` (bench/traced_server.py)."""
    streamlit = [str(launcher)] if launcher else ["-m", "streamlit"]
    return [
        sys.executable,
        *streamlit,
        "run",
        "Home.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
    ]


def _log_tail(log: Path, chars: int = 2000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def start(
    log: Path,
    cwd: Path = ROOT,
    env: dict | None = None,
    port: int | None = None,
    timeout: float = 90,
    launcher: Path | None = None,
    own_session: bool = False,
    test_mode: bool = False,
) -> tuple[subprocess.Popen, str]:
    """The app on 127.0.0.1:`port` (a free one if None), healthy; returns the process and its URL.

    Its stdout and stderr are appended to `log` (a file, so a chatty server never blocks on a full pipe);
    if it exits or is not healthy within `timeout` s, it is killed and the error carries the log's tail.
    `cwd`: the checkout to run (the fault drill runs a throwaway copy). `test_mode`: LAB_TEST_MODE=1, the
    browser tests' tiny sizes. `own_session`: the server in a session of its own, so Linux's autogroup
    scheduler weighs it as one group against the bench's own processes (its driver, the probe's browser),
    not thread by thread."""
    port = port or free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            command(port, launcher),
            cwd=cwd,
            env=server_env(env, test_mode),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=own_session,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited ({proc.returncode}); {log}:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    kill_tree(proc)
    raise RuntimeError(f"streamlit did not become healthy within {timeout:.0f} s; {log}:\n{_log_tail(log)}")


@contextmanager
def running(log: Path, kill: bool = False, **start_kwargs) -> Iterator[tuple[subprocess.Popen, str]]:
    """`start(log, **start_kwargs)` for the length of a `with` block: if the server still runs when the
    block ends or raises, `stop` it, or with `kill` SIGKILL its process tree (a block that simulates a power
    cut must not give the server a clean shutdown when it fails half-way)."""
    proc, url = start(log, **start_kwargs)
    try:
        yield proc, url
    finally:
        if proc.poll() is None:
            (kill_tree if kill else stop)(proc)


def stop(proc: subprocess.Popen) -> None:
    """A clean shutdown (SIGTERM), SIGKILL after 15 s."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the server and everything it started, as a power cut or the OOM killer would: no atexit
    handlers, no finally blocks."""
    for pid in [proc.pid, *descendants(proc.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(10)


def descendants(pid: int) -> list[int]:
    """`pid`'s children, grandchildren, ... from /proc (the torchvision download runs as a child)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, from /proc."""
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def tree_cpu_seconds(pid: int, exclude: set[int] = frozenset()) -> float:
    """CPU time (user + system) used so far by `pid` and its descendants, including descendants that
    already ended and were reaped by their parents (a browser's closed tabs), skipping `exclude` subtrees."""
    tick = os.sysconf("SC_CLK_TCK")
    skip = set(exclude)
    for e in exclude:
        skip.update(descendants(e))
    total = 0
    for p in [pid, *descendants(pid)]:
        if p in skip:
            continue
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since boot, all cores, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    busy = sum(values[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")


class RssSampler(threading.Thread):
    """Samples the server tree's RSS every `every` seconds; `.peak` and `.first` in bytes."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak = self.first = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            rss = tree_rss_bytes(self.pid)
            self.first = self.first or rss
            self.peak = max(self.peak, rss)
            self._halt.wait(self.every)

    def halt(self) -> None:
        self._halt.set()
        self.join(5)


def tracebacks(log: Path) -> list[str]:
    """The last line of each traceback the server printed."""
    lines = log.read_text(errors="replace").splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                j += 1
            out.append(lines[j] if j < len(lines) else line)
    return out


# -- the browser -----------------------------------------------------------------------------------
# Streamlit's app element says whether a script run is going on (`data-test-script-state`: "initial" before
# the first run, "running", "notRunning", ...) and whether the browser is connected: the status widget alone
# is not shown before the server has answered, which on a busy machine can take longer than a second.
_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testScriptState === 'notRunning'
    && app.dataset.testConnectionState === 'CONNECTED'
    && !document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSpinner"]');
}"""


def wait_idle(page, timeout: float = 60, every: float = 0.2) -> None:
    """Until the page's script has run and finished (Streamlit says it is not running, no status widget or
    spinner) for a second."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    end, quiet = time.time() + timeout, None
    while time.time() < end:
        if page.evaluate(_IDLE_JS):
            quiet = quiet or time.time()
            if time.time() - quiet > 1.0:
                return
        else:
            quiet = None
        time.sleep(every)
    raise TimeoutError("page still running")


def set_slider(page, key: str, steps_right: int, timeout: float = 60) -> None:
    """The slider with widget key `key` at its lowest value plus `steps_right` steps (keyboard, as a
    student would), then until the rerun it causes is done."""
    page.locator(f".st-key-{key} input[type=range], .st-key-{key} [role=slider]").first.focus()
    page.keyboard.press("Home")
    for _ in range(steps_right):
        page.keyboard.press("ArrowRight")
    wait_idle(page, timeout)
