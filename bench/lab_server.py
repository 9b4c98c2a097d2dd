"""Start and watch a real `streamlit run Home.py` for the classroom load test and the fault drill.

The server runs as the classroom would run it: not in test mode (real data, shipped models, full page
sizes), on localhost and a free port, its output kept in a log file we can search for tracebacks.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    log: Path,
    cwd: Path = ROOT,
    env: dict | None = None,
    port: int | None = None,
    timeout: float = 90,
    launcher: Path | None = None,
    own_session: bool = False,
) -> tuple[subprocess.Popen, str]:
    """The app on 127.0.0.1:`port` (free if None), healthy; returns the process and its URL.
    `launcher`: a script taking `streamlit`'s arguments instead of `-m streamlit` (bench/traced_server.py).
    `own_session`: the server in a session of its own, so Linux's autogroup scheduler weighs it as one
    group against the bench's own processes (its driver, the probe's browser), not thread by thread."""
    port = port or free_port()
    full_env = {**os.environ, "LAB_MNIST_DOWNLOAD": "0", **(env or {})}
    for k in ("LAB_TEST_MODE", "LAB_STRICT_I18N"):  # the real app, as a class sees it
        full_env.pop(k, None)
    streamlit = [str(launcher)] if launcher else ["-m", "streamlit"]
    cmd = [
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
    out = open(log, "ab")
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=own_session
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited ({proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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
