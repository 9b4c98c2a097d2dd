"""Why the server shortens Python's GIL turns (ui.resources.shorten_gil_turns): the "convoy effect".

Streamlit's event loop sends every websocket message and every file of the app to each new browser. Each
socket write gives Python's lock (GIL) up and must win it back from the threads running the sessions'
page scripts; with Python's default turn of 5 ms a busy server makes each write wait up to 5 ms.

This bench reproduces that in one process: `--busy` threads build Plotly figures in a loop (what page
reruns spend their time on), while an asyncio loop sends a file the size of Streamlit's Plotly bundle
(4.7 MB) in 64 KB writes over a local socket, `--files` times. Per switch interval it prints the time
to send one file (p50 / max) and how many figures the busy threads built per second (their throughput,
which must not drop). The last line compares Python's default with the lab's setting.

    python bench/gil_convoy.py [--busy 4] [--files 5]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FILE_BYTES = 4_715_877  # streamlit/static/static/js/PlotlyChart.*.js in Streamlit 1.67
CHUNK = 65_536  # Starlette's FileResponse chunk size


def busy_figures(stop: threading.Event, counts: list[int], k: int) -> None:
    import plotly.graph_objects as go

    xs = list(range(200))
    while not stop.is_set():
        fig = go.Figure()
        fig.add_scatter(x=xs, y=[v * 0.5 for v in xs], mode="lines", line={"width": 2})
        fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 30, "b": 10})
        fig.to_json()
        counts[k] += 1


async def send_files(n: int) -> list[float]:
    """Send `n` files with asyncio (as the server's event loop does) to a reader thread (the browser), over a
    socket with 64 KB buffers, so the loop waits in epoll, without the GIL, between writes; seconds each."""
    a, b = socket.socketpair()
    for sock, opt in ((a, socket.SO_SNDBUF), (b, socket.SO_RCVBUF)):
        sock.setsockopt(socket.SOL_SOCKET, opt, CHUNK)
    a.setblocking(False)
    loop = asyncio.get_running_loop()
    chunk = b"x" * CHUNK

    def browser() -> None:
        got = 0
        while got < n * FILE_BYTES:
            got += len(b.recv(CHUNK))

    reader = threading.Thread(target=browser, daemon=True)
    reader.start()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        sent = 0
        while sent < FILE_BYTES:
            part = chunk[: min(CHUNK, FILE_BYTES - sent)]
            await loop.sock_sendall(a, part)
            sent += len(part)
        times.append(time.perf_counter() - t0)
    reader.join()
    a.close()
    b.close()
    return times


def measure(interval_ms: float, busy: int, files: int) -> dict:
    sys.setswitchinterval(interval_ms / 1000)
    stop, counts = threading.Event(), [0] * busy
    threads = [
        threading.Thread(target=busy_figures, args=(stop, counts, k), daemon=True) for k in range(busy)
    ]
    for th in threads:
        th.start()
    time.sleep(0.5)  # the busy threads are running
    before, t0 = sum(counts), time.perf_counter()
    times = asyncio.run(send_files(files))
    rate = (sum(counts) - before) / (time.perf_counter() - t0)
    stop.set()
    for th in threads:
        th.join()
    return {"p50": statistics.median(times), "max": max(times), "figures_per_s": rate}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--busy", type=int, default=4, help="threads building figures (sessions rerunning pages)")
    ap.add_argument("--files", type=int, default=20, help="files sent per setting")
    args = ap.parse_args()
    from ui.resources import SWITCH_INTERVAL_MS

    original = sys.getswitchinterval()
    alone = asyncio.run(send_files(args.files))
    print(
        f"one {FILE_BYTES / 1e6:.1f} MB file in {CHUNK // 1024} KB writes, no busy threads: "
        f"p50 {1000 * statistics.median(alone):.0f} ms"
    )
    results = {}
    for ms in (5.0, 1.0, SWITCH_INTERVAL_MS):
        r = results[ms] = measure(ms, args.busy, args.files)
        print(
            f"switch interval {ms:>4} ms, {args.busy} busy threads: one file p50 {1000 * r['p50']:.0f} ms, "
            f"max {1000 * r['max']:.0f} ms; busy threads built {r['figures_per_s']:.0f} figures/s"
        )
    sys.setswitchinterval(original)
    slow, fast = results[5.0], results[SWITCH_INTERVAL_MS]
    print(
        f"summary: sending a file while {args.busy} threads rerun pages took {1000 * slow['p50']:.0f} ms with "
        f"Python's 5 ms turns and {1000 * fast['p50']:.0f} ms with the lab's {SWITCH_INTERVAL_MS} ms "
        f"({slow['p50'] / fast['p50']:.1f}x faster); figures/s {slow['figures_per_s']:.0f} -> "
        f"{fast['figures_per_s']:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
