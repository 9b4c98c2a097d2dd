"""Fault drill: provoke each fault a classroom can meet against the real stack and say what happened.

Each fault gets a real `streamlit run Home.py` (not test mode; bench/lab_server.py) and headless
Chromium. Saved runs go to a temporary LAB_RUNS_DIR; faults that need broken files in data/ or
checkpoints/ run the server in a throwaway copy of the repository's tracked files, never in this checkout.

  1. the server killed (SIGKILL of its process tree) mid-training and restarted: CNN and XOR runs
     reopen by the student's name, losing at most the epoch in progress (XOR: at most ~1 s of epochs)
  2. LAB_DEVICE=cuda on a machine without one: the sidebar says so, training runs on the CPU
     (CUDA out of memory cannot be provoked here: its AppTest is run instead, unless --no-pytest)
  3. runs/ not writable (LAB_RUNS_DIR under a regular file): training ends, the page says saving failed
  4. truncated MNIST files in data/: the embedded subset is used and the sidebar says why
  5. a missing (cnn) and a corrupt (gan) shipped checkpoint: the pages say so and offer to train
  6. torchvision's download hanging (a proxy that accepts and never answers) and DNS failing: the first
     page renders within the download timeout plus a few seconds and says which data it uses
Every fault also checks the server log for tracebacks and the page for stException elements.
One line per fault; the last line `drill: N/M faults handled`.

    .venv/bin/python bench/fault_drill.py [--only 1,3] [--no-pytest] [--verbose]
"""

from __future__ import annotations

import argparse
import functools
import math
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import lab_server  # noqa: E402
from core import runs  # noqa: E402
from ui.i18n import t  # noqa: E402  (the expected strings, in both languages)

ROOT = lab_server.ROOT
PAGE_TIMEOUT = 180  # s a real-mode page may take to settle on a busy 2-core machine
NAME = "はなこ"
CANVAS = ".st-key-cnn_canvas canvas.upper-canvas"
METRIC = ".st-key-cnn_prediction [data-testid=stMetricValue]"
ONE = [[(140, 50), (140, 230)]]  # a "1" on the 280x280 canvas, as tests/e2e/test_cnn_e2e.py draws it
# LAB_DOWNLOAD_TIMEOUT for fault 6 (s): longer than the download child's torchvision import
DOWNLOAD_TIMEOUT = 15
VERBOSE = False


def say(what: str) -> None:
    if VERBOSE:
        print(f"  [{time.strftime('%H:%M:%S')}] {what}", flush=True)


# -- the server ------------------------------------------------------------------------------------
kill_tree = lab_server.kill_tree  # SIGKILL of the server's process tree, as a power cut would


@contextmanager
def server(log: Path, env: dict | None = None, cwd: Path = ROOT, port: int | None = None, kill: bool = False):
    """The real app (not test mode) for one fault while the block runs; `kill`: SIGKILL, not a clean stop."""
    with lab_server.running(log, kill=kill, cwd=cwd, env=env, port=port) as (proc, url):
        say(f"server {url} pid {proc.pid} cwd {cwd}")
        yield proc, url


def repo_copy(tmp: Path) -> Path:
    """The repository's tracked files (code, shipped checkpoints, data/README.md) in a throwaway folder."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    dst = tmp / "repo"
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    return dst


# -- the browser -----------------------------------------------------------------------------------
wait_idle = functools.partial(lab_server.wait_idle, timeout=PAGE_TIMEOUT)
set_slider = functools.partial(lab_server.set_slider, timeout=PAGE_TIMEOUT)


def new_page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    return ctx, page


def open_home(page, url: str, lang: str) -> float:
    """The first load (Home); seconds until it has rendered and stopped running."""
    t0 = time.perf_counter()
    page.goto(f"{url}/?lang={lang}")
    page.wait_for_selector("[data-testid=stMain] h1", timeout=180_000)
    wait_idle(page)
    return time.perf_counter() - t0


def nav(page, path: str, title_key: str, lang: str) -> None:
    """Switch page through the sidebar, which keeps the session (a URL load would start a new one)."""
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
    page.wait_for_function(
        "t => { const h = document.querySelector('[data-testid=stMain] h1'); return h && h.innerText.includes(t); }",
        arg=t(title_key, lang=lang),
        timeout=180_000,
    )
    wait_idle(page)


def type_name(page, name: str = NAME) -> None:
    box = page.locator(".st-key-runs_name input").first
    box.fill(name)
    box.press("Enter")
    wait_idle(page)


def exceptions(page) -> int:
    return page.locator('[data-testid="stException"]').count()


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def sidebar_text(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def until(check, timeout: float = 120, every: float = 0.3):
    """`check()`'s first truthy value within `timeout` s, else None."""
    end = time.time() + timeout
    while time.time() < end:
        value = check()
        if value:
            return value
        time.sleep(every)
    return None


def number_after(text: str, key: str, lang: str, arg: str = "epochs") -> int | None:
    """The number a catalogue string `key` shows for `arg` somewhere in `text` (e.g. runs.saved)."""
    head, tail = t(key, lang=lang, **{arg: 987654}).split("987654")
    m = re.search(re.escape(head[-12:]) + r"(\d+)" + re.escape(tail[:6]), text)
    return int(m.group(1)) if m else None


def progress(page) -> tuple[int, int, float] | None:
    """(epoch shown, epochs, percent) from the live progress bar, or None when there is none."""
    bars = page.locator("[data-testid=stMain] [data-testid=stProgress]")
    if not bars.count():
        return None
    text = bars.first.inner_text()
    m, pct = re.search(r"(\d+) / (\d+)", text), re.search(r"(\d+)%", text)
    return (int(m.group(1)), int(m.group(2)), float(pct.group(1)) if pct else 0.0) if m else None


def xor_epoch(page) -> tuple[int, int] | None:
    """The XOR page's "E / N" epoch metric."""
    for v in page.locator("[data-testid=stMain] [data-testid=stMetricValue]").all_inner_texts():
        m = re.fullmatch(r"(\d+) / (\d+)", v.strip())
        if m:
            return int(m.group(1)), int(m.group(2))
    return None


def draw(page, strokes) -> None:
    box = page.locator(CANVAS).first.bounding_box()
    sx, sy = box["width"] / 280, box["height"] / 280
    for stroke in strokes:
        page.mouse.move(box["x"] + stroke[0][0] * sx, box["y"] + stroke[0][1] * sy)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * sx, box["y"] + y * sy, steps=8)
        page.mouse.up()
    page.mouse.move(5, 5)  # the canvas toolbar shows on hover and covers nearby widgets


def set_xor_epochs(page, n: int) -> None:
    box = page.locator(".st-key-xor_epochs input")
    box.fill(str(n))
    box.press("Enter")
    wait_idle(page)


def done_text(lang: str) -> str:
    return t("job.done", lang=lang, seconds=0).split("（")[0].split("(")[0]


# -- the faults ------------------------------------------------------------------------------------
class Fault:
    """One fault's result: what happened, in one line, and whether it was handled."""

    def __init__(self, number: int, title: str, log: Path):
        self.number, self.title, self.log = number, title, log
        self.notes: list[str] = []
        self.problems: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)
        say(text)

    def check(self, ok: bool, text: str) -> bool:
        (self.notes if ok else self.problems).append(text if ok else f"NOT {text}")
        say(("ok: " if ok else "PROBLEM: ") + text)
        return ok

    def no_exceptions(self, page, where: str) -> None:
        n = exceptions(page)
        if n:
            self.problems.append(f"{n} stException on {where}")

    def finish(self) -> bool:
        if self.log.exists():
            tbs = lab_server.tracebacks(self.log)
            if tbs:
                self.problems.append(f"{len(tbs)} traceback(s) in the server log: {tbs[0][:120]}")
            else:
                self.notes.append("no traceback in the log")
        ok = not self.problems
        print(
            f"fault {self.number} {self.title}: "
            + "; ".join(self.notes + self.problems)
            + f" -> {'ok' if ok else 'FAILED'}",
            flush=True,
        )
        return ok


def start_cnn_training(page, lang: str) -> None:
    """A small real-mode run: 5 epochs of 2,000 images, 8/16 channels (a few seconds an epoch)."""
    nav(page, "cnn", "cnn.title", lang)
    page.get_by_role("tab", name=t("cnn.tab.train", lang=lang), exact=True).click()
    set_slider(page, "cnn_epochs", 4)  # 1 + 4 = 5 epochs
    set_slider(page, "cnn_train_size", 3)  # 128, 500, 1000, 2000
    page.locator(".st-key-cnn_channels label").filter(has_text="8/16").first.click()
    wait_idle(page)
    page.locator(".st-key-cnn_train button").click()


def fault_killed(browser, tmp: Path, f: Fault, lang: str = "ja") -> None:
    """1. SIGKILL mid-training, restart on the same port, reopen the runs by name in a new session."""
    env = {"LAB_RUNS_DIR": str(tmp / "runs")}
    port = lab_server.free_port()
    # -- CNN: kill once the page says at least one epoch is saved --------------------------------
    with server(f.log, env, port=port, kill=True) as (proc, url):
        ctx, page = new_page(browser)
        open_home(page, url, lang)
        type_name(page)
        start_cnn_training(page, lang)

        def saved_and_running():
            text = main_text(page)
            saved, prog = number_after(text, "runs.saved", lang), progress(page)
            mid_epoch = prog and prog[0] == (saved or 0) + 1 and prog[2] > 100 * (saved or 0) / prog[1] + 4
            return (saved, prog) if saved and mid_epoch else None  # killed in the epoch after a save

        seen = until(saved_and_running, 240)
        if not f.check(seen is not None, "the page showed an epoch saved while training"):
            return
        saved_shown, (epoch_shown, epochs, pct) = seen
        completed_shown = math.floor(pct * epochs / 100 + 1e-6)
        f.no_exceptions(page, "CNN before the kill")
        kill_tree(proc)
        ctx.close()
    found = runs.list_runs("cnn", NAME, root=tmp / "runs")
    on_disk = found[0].epochs_done if found else 0
    f.note(
        f"CNN killed in epoch {epoch_shown}/{epochs} (page: {completed_shown} done, {saved_shown} saved); "
        f"on disk {on_disk} ({found[0].state if found else 'none'})"
    )
    f.check(on_disk >= saved_shown and on_disk >= completed_shown - 1, "at most the epoch in progress lost")
    # -- XOR: kill mid-run; saves come at most once a second ------------------------------------
    with server(f.log, env, port=port, kill=True) as (proc, url):
        ctx, page = new_page(browser)
        open_home(page, url, lang)
        type_name(page)
        nav(page, "xor", "xor.title", lang)
        set_xor_epochs(page, 20000)
        page.locator(".st-key-xor_train button").click()
        first = until(
            lambda: (
                number_after(main_text(page), "runs.saved", lang)
                and (xor_epoch(page)[0], time.perf_counter())
            ),
            60,
        )
        if not f.check(bool(first) and first[0] < 20000, "XOR showed a save while training"):
            return
        time.sleep(1.3)  # kill between two saves
        shown, t_shown = xor_epoch(page)[0], time.perf_counter()
        saved_shown = number_after(main_text(page), "runs.saved", lang) or 0
        rate = (shown - first[0]) / max(1e-3, t_shown - first[1])  # epochs a second, as the page saw it
        kill_tree(proc)
        ctx.close()
    found = runs.list_runs("xor", NAME, root=tmp / "runs")
    xor_disk = found[0].epochs_done if found else 0
    lost_s = (shown - xor_disk) / max(rate, 1.0)
    lost = (
        "none of the epochs the page showed lost"
        if xor_disk >= shown
        else f"~{lost_s:.1f} s of training lost"
    )
    f.note(
        f"XOR killed at epoch {shown} shown ({saved_shown} saved shown, ~{rate:.0f} epochs/s on the page); "
        f"on disk {xor_disk} ({lost})"
    )
    f.check(xor_disk >= saved_shown and lost_s <= 2.0, "XOR lost at most about a second (one save a second)")
    # -- restart; a new browser session reopens both runs by name -------------------------------
    with server(f.log, env, port=port) as (proc, url):
        ctx, page = new_page(browser)
        open_home(page, url, lang)
        type_name(page)
        nav(page, "cnn", "cnn.title", lang)
        page.get_by_role("tab", name=t("cnn.tab.train", lang=lang), exact=True).click()
        pick = page.locator(".st-key-cnn_runs_pick")
        pick.wait_for(timeout=30_000)
        listed = pick.inner_text() + " ".join(i.input_value() for i in pick.locator("input").all())
        f.check(
            t("runs.state.running", lang=lang) in listed,
            f"the CNN run is listed as interrupted ({listed.strip()!r})",
        )
        page.locator(".st-key-cnn_runs_open button").first.click()
        wait_idle(page)
        opened = t("runs.opened", lang=lang, epochs=on_disk)
        f.check(opened in main_text(page), f"the CNN run reopened ({on_disk} epochs)")
        traces = page.locator(".st-key-cnn_acc_chart .js-plotly-plot .scatterlayer .trace")
        f.check(bool(until(lambda: traces.count() > 0, 20)), "its curves are back")
        page.locator(".st-key-cnn_model_choice label").filter(
            has_text=t("cnn.model.session", lang=lang)
        ).first.click()
        wait_idle(page)
        page.get_by_role("tab", name=t("cnn.tab.draw", lang=lang), exact=True).click()
        page.wait_for_selector(CANVAS, timeout=30_000)
        draw(page, ONE)
        digit = until(
            lambda: page.locator(METRIC).count() and page.locator(METRIC).first.inner_text().strip(), 30
        )
        f.check(bool(digit), f"the reopened model reads a drawn 1 as {digit}")
        f.no_exceptions(page, "CNN after the restart")
        nav(page, "xor", "xor.title", lang)
        page.locator(".st-key-xor_runs_open button").first.click()
        wait_idle(page)
        f.check(xor_epoch(page) == (xor_disk, 20000), f"the XOR run reopened at epoch {xor_epoch(page)}")
        f.no_exceptions(page, "XOR after the restart")
        ctx.close()


def fault_no_cuda(browser, tmp: Path, f: Fault, run_pytest: bool, lang: str = "ja") -> None:
    """2. LAB_DEVICE=cuda on this CPU-only machine; CUDA out of memory through its AppTest."""
    import torch

    if torch.cuda.is_available():
        f.note("this machine has CUDA: LAB_DEVICE=cuda:99 instead")
    wanted = "cuda:99" if torch.cuda.is_available() else "cuda"
    with server(f.log, {"LAB_RUNS_DIR": str(tmp / "runs"), "LAB_DEVICE": wanted}) as (_, url):
        ctx, page = new_page(browser)
        open_home(page, url, lang)
        expected = t("sidebar.device_missing", lang=lang, wanted=wanted, used="CPU")
        f.check(expected in sidebar_text(page), f"the sidebar says 「{expected}」")
        nav(page, "xor", "xor.title", lang)
        set_xor_epochs(page, 300)
        page.locator(".st-key-xor_train button").click()
        finished = until(lambda: xor_epoch(page) == (300, 300) and done_text(lang) in main_text(page), 60)
        f.check(bool(finished), "XOR trained to the end on the CPU")
        f.no_exceptions(page, "XOR")
        ctx.close()
    if not run_pytest:
        f.note(
            "CUDA out of memory: covered by tests/pages/test_runs_pages.py::"
            "test_gpu_out_of_memory_offers_a_cpu_rerun (simulated; not run, --no-pytest)"
        )
        return
    test = "tests/pages/test_runs_pages.py::test_gpu_out_of_memory_offers_a_cpu_rerun"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tail = (done.stdout.strip().splitlines() or ["?"])[-1]
    f.check(done.returncode == 0, f"CUDA out of memory cannot be provoked here: simulated by {test} ({tail})")


def fault_runs_unwritable(browser, tmp: Path, f: Fault, lang: str = "ja") -> None:
    """3. LAB_RUNS_DIR under a regular file (NotADirectoryError, as root ignores chmod)."""
    (tmp / "a_file").write_text("not a folder")
    with server(f.log, {"LAB_RUNS_DIR": str(tmp / "a_file" / "runs")}) as (_, url):
        ctx, page = new_page(browser)
        open_home(page, url, lang)
        type_name(page)
        nav(page, "xor", "xor.title", lang)
        set_xor_epochs(page, 3000)
        page.locator(".st-key-xor_train button").click()
        finished = until(lambda: xor_epoch(page) == (3000, 3000) and done_text(lang) in main_text(page), 120)
        f.check(bool(finished), "XOR trained to the end (3000 / 3000)")
        said = t("runs.save_failed", lang=lang, error="\0").split("\0")[0].rstrip("：:")
        text = main_text(page)
        f.check(said in text, f"the page says 「{said}」")
        m = re.search(re.escape(said) + r"[：:]\s*([^\n]{1,60})", text)
        if m:
            f.note(f"reason shown: {m.group(1)}")
        f.no_exceptions(page, "XOR")
        ctx.close()


def truncated_mnist(raw: Path) -> None:
    """The four MNIST files with right headers but cut short (a download that stopped half-way)."""
    raw.mkdir(parents=True, exist_ok=True)
    for name, magic, n, dims in (
        ("train-images-idx3-ubyte", 2051, 60000, (28, 28)),
        ("train-labels-idx1-ubyte", 2049, 60000, ()),
        ("t10k-images-idx3-ubyte", 2051, 10000, (28, 28)),
        ("t10k-labels-idx1-ubyte", 2049, 10000, ()),
    ):
        header = struct.pack(">" + "I" * (2 + len(dims)), magic, n, *dims)
        (raw / name).write_bytes(header + bytes(1000))


def fault_truncated_mnist(browser, tmp: Path, f: Fault, lang: str = "ja") -> None:
    """4. data/ holds truncated MNIST files (in a copy)."""
    repo = repo_copy(tmp)
    truncated_mnist(repo / "data" / "MNIST" / "raw")
    with server(f.log, {"LAB_RUNS_DIR": str(tmp / "runs")}, cwd=repo) as (_, url):
        ctx, page = new_page(browser)
        seconds = open_home(page, url, lang)
        side = sidebar_text(page)
        f.note(f"first page in {seconds:.1f} s")
        uses = t("data.embedded", lang=lang, n_train=4000, n_test=1000)
        f.check(uses in side, "the sidebar says it uses the embedded subset")
        why = t("data.why_not_full", lang=lang, note=t("data.note.files_invalid", lang=lang))
        f.check(why in side, f"and why: 「{why}」")
        nav(page, "cnn", "cnn.title", lang)
        page.wait_for_selector(CANVAS, timeout=60_000)
        draw(page, ONE)
        digit = until(
            lambda: page.locator(METRIC).count() and page.locator(METRIC).first.inner_text().strip(), 30
        )
        f.check(digit == "1", f"the CNN page works (a drawn 1 read as {digit})")
        f.no_exceptions(page, "Home/CNN")
        ctx.close()


def fault_checkpoints(browser, tmp: Path, f: Fault, lang: str = "ja") -> None:
    """5. checkpoints/cnn_mnist.pth missing and gan_mnist.pth corrupt (in a copy)."""
    repo = repo_copy(tmp)
    (repo / "checkpoints" / "cnn_mnist.pth").unlink()
    gan = repo / "checkpoints" / "gan_mnist.pth"
    data = gan.read_bytes()
    gan.write_bytes(data[: len(data) // 2])
    with server(f.log, {"LAB_RUNS_DIR": str(tmp / "runs")}, cwd=repo) as (_, url):
        ctx, page = new_page(browser)
        open_home(page, url, lang)
        nav(page, "cnn", "cnn.title", lang)
        side = sidebar_text(page)
        missing = t("ckpt.missing", lang=lang, path="cnn_mnist.pth")
        f.check(
            missing in side and t("cnn.train_instead", lang=lang) in side,
            f"CNN page: 「{missing}」 and offers the Train tab",
        )
        f.check(page.locator(".st-key-cnn_train button").is_enabled(), "CNN Train button enabled")
        f.no_exceptions(page, "CNN")
        nav(page, "gan", "gan.title", lang)
        head = t("gan.no_shipped", lang=lang, reason="\0").split("\0")[0]
        text = main_text(page)
        reasons = [t(f"ckpt.{c}", lang=lang) for c in ("truncated", "not_checkpoint")]
        f.check(head in text and any(r in text for r in reasons), f"GAN page: 「{head}…」 with the reason")
        f.check(page.locator(".st-key-gan_train button").is_enabled(), "GAN Train button enabled")
        f.no_exceptions(page, "GAN")
        ctx.close()


class BlackHole:
    """A TCP server on localhost that accepts every connection and never answers (a hung proxy)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._halt.is_set():
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                continue

    def __enter__(self) -> BlackHole:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._halt.set()
        self._thread.join(2)
        for c in self.held:
            c.close()
        self.sock.close()


def fault_download(browser, tmp: Path, f: Fault, lang: str = "ja") -> None:
    """6. torchvision's download hanging behind a silent proxy, then failing DNS (in a copy, no data).

    The download runs in a child process that first imports torchvision (several seconds on a busy
    2-core machine); a timeout shorter than that import kills the child before it reaches the network,
    so the proxy counts its connections to show that the download really hung there."""
    repo = repo_copy(tmp)
    base = {
        "LAB_RUNS_DIR": str(tmp / "runs"),
        "LAB_MNIST_DOWNLOAD": "1",
        "LAB_DOWNLOAD_TIMEOUT": str(DOWNLOAD_TIMEOUT),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    uses = t("data.embedded", lang=lang, n_train=4000, n_test=1000)
    timings: dict[str, float] = {}
    with BlackHole() as hole:
        hang = {k: hole.url for k in ("https_proxy", "http_proxy", "HTTPS_PROXY", "HTTP_PROXY")}
        cases = [
            ("no download (baseline)", {**base, "LAB_MNIST_DOWNLOAD": "0"}, "download_disabled"),
            ("hanging download", {**base, **hang}, "download_timeout"),
            ("DNS failure", {**base, "LAB_MNIST_MIRROR": "http://mnist.invalid/"}, "download_failed"),
        ]
        for what, env, code in cases:
            with server(f.log, env, cwd=repo) as (_, url):
                ctx, page = new_page(browser)
                timings[what] = seconds = open_home(page, url, lang)
                side = sidebar_text(page)
                why = t("data.why_not_full", lang=lang, note=t(f"data.note.{code}", lang=lang))
                said = uses in side and why in side
                f.check(
                    said,
                    f"{what}: first page in {seconds:.1f} s, says 「{why}」"
                    + ("" if said else f" (sidebar: {side[-300:]!r})"),
                )
                f.no_exceptions(page, what)
                ctx.close()
        connections = len(hole.held)
    base_s = timings["no download (baseline)"]
    f.check(connections > 0, f"the download reached the silent proxy ({connections} connection(s) held open)")
    extra = timings["hanging download"] - base_s
    f.check(
        extra <= DOWNLOAD_TIMEOUT + 5,
        f"the hang cost {extra:+.1f} s over the baseline (timeout {DOWNLOAD_TIMEOUT} s)",
    )
    extra = timings["DNS failure"] - base_s
    f.check(
        extra < DOWNLOAD_TIMEOUT,
        f"DNS failure cost {extra:+.1f} s over the baseline (no wait on the network)",
    )
    leftovers = list((repo / "data").rglob("*-ubyte*"))
    f.check(not leftovers, "no partial MNIST files left in data/")


FAULTS = {
    1: ("server killed mid-training", fault_killed),
    2: ("CUDA device unavailable", fault_no_cuda),
    3: ("runs/ not writable", fault_runs_unwritable),
    4: ("truncated MNIST files", fault_truncated_mnist),
    5: ("missing/corrupt shipped checkpoints", fault_checkpoints),
    6: ("MNIST download hanging / DNS failing", fault_download),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="comma-separated fault numbers, e.g. 1,3")
    ap.add_argument("--no-pytest", dest="pytest", action="store_false", help="skip the simulated OOM AppTest")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    chosen = [int(n) for n in args.only.split(",") if n.strip()] or list(FAULTS)
    from playwright.sync_api import sync_playwright

    handled = 0
    with tempfile.TemporaryDirectory(prefix="lab_drill_") as tmp_name, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=lab_server.CHROMIUM, args=lab_server.CHROMIUM_FLAGS)
        for n in chosen:
            title, fn = FAULTS[n]
            tmp = Path(tmp_name) / f"fault{n}"
            tmp.mkdir()
            f = Fault(n, title, tmp / "server.log")
            t0 = time.perf_counter()
            try:
                fn(browser, tmp, f, args.pytest) if n == 2 else fn(browser, tmp, f)
            except Exception as e:  # a timeout or a missing element: this fault was not handled
                f.problems.append(f"drill error {type(e).__name__}: {str(e).splitlines()[0][:160]}")
            f.note(f"{time.perf_counter() - t0:.0f} s")
            handled += f.finish()
        browser.close()
    print(f"drill: {handled}/{len(chosen)} faults handled")
    return 0 if handled == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
