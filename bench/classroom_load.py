"""Classroom load test: N students on one server at once, in headless Chromium.

Starts `streamlit run Home.py` on localhost (real data and shipped models, not test mode) and drives N
concurrent sessions, one browser context each (a context is a separate Streamlit session), half in
Japanese and half in English. Each session opens Home and types its name, draws a known digit on the CNN
page (the prediction must be right), asks the GAN page for new samples, then takes one or two more pages of
the lab in turn (round-robin over the other ten, so that every page is hit by several sessions at once;
bench/class_pages.py: diffusion's new noise, attention's brief sort run and a try, a click on the VAE's
latent map, a tiny Hyperparameters grid, a CIFAR confusion cell, a short sequence run, a transfer sweep,
an ONNX export, a tensor reshape, a cGAN digit), and trains XOR with an epoch count of its own; every third
session also trains a small CNN (1 epoch, 500 images, 8/16 channels). Every navigation after the first
load uses the sidebar, so the session (and its jobs) stay. The teacher's page (signed in, with a token made
for the run) and the class board stay open and refreshing all through, in browsers of their own; their
refreshes are timed. Then one throttled client (CDP network emulation) watches a live chart.

In class each student's browser runs on their own laptop; here the N browsers share the server's cores,
so they run held back (SCHED_IDLE, nice, a cpu cgroup where one can be made: `low_priority_chromium`)
and get only the CPU the server leaves. The prediction latency the target is read on is that of one
more student, the probe, whose browser runs at normal priority (as on a laptop of its own) and who
clears and draws a known digit again and again, from before the first of the N arrives until the last
one is done; a second such student trains XOR again and again meanwhile (Train -> first chart point).
The N sessions' own figures are printed too: they include their starved browsers.

Checks, per session: results right and in its own language (each page's as its browser test in tests/e2e
checks it); its own XOR run ("E / E" with its own E); the CNN model picker lists a trained model only in
sessions that trained one; no stException; every probe prediction right; the two class screens refreshed
all through with no exception. Prints latency percentiles (the probe's, every stroke's run timed inside the
server by bench/traced_server.py, the N sessions'), the server's script runs by page (CPU and wall
time), time to the first chart point of each job, queue positions seen, the server's peak RSS (process
tree, from /proc), the CPU time the server and the browsers used, tracebacks in the server log; the
last line a summary.

    .venv/bin/python bench/classroom_load.py [--sessions 30] [--ramp 10] [--no-slow-client] [--no-probe]
        [--pages diffusion,vae,...] [--pages-per-session 2] [--no-screens]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import lab_server  # noqa: E402
from bench.class_pages import (  # noqa: E402  (the per-page student scripts and the waits they share)
    VISITS,
    LiveQuestion,
    Screen,
    answer_question,
    ask_question,
    assign_pages,
    check_page,
    check_question,
    main_part,
    nav,
    page_figures,
    pct,
    question_figures,
    screen_figures,
    type_name,
    visit,
    wait_idle,
    watch_board_count,
    watch_frames,
    watch_screen,
)
from ui.i18n import t  # noqa: E402  (the expected strings, in both languages)

CHROMIUM = lab_server.CHROMIUM  # the probe students' browser; the load's goes through low_priority_chromium
FLAGS = lab_server.CHROMIUM_FLAGS
CANVAS = ".st-key-cnn_canvas canvas.upper-canvas"
METRIC = ".st-key-cnn_prediction [data-testid=stMetricValue]"
DIGITS = {  # known strokes on the 280x280 canvas (as tests/e2e/test_cnn_e2e.py), one mouse-down..up each
    "1": [[(140, 50), (140, 230)]],
    "7": [[(80, 60), (200, 60), (120, 230)]],
    "0": [
        [
            (140 + 60 * math.sin(a / 20 * 2 * math.pi), 140 - 85 * math.cos(a / 20 * 2 * math.pi))
            for a in range(21)
        ]
    ],
}
# one JS probe of a training page: queue position, progress %, XOR epoch metric, done, exceptions
PROBE = """([queued, done]) => {
  const alerts = [...document.querySelectorAll('[data-testid=stMain] [data-testid=stAlert]')].map(e => e.innerText);
  const q = alerts.map(a => a.match(new RegExp(queued))).find(m => m);
  const prog = [...document.querySelectorAll('[data-testid=stMain] [data-testid=stProgress]')].map(e => e.innerText).join(' ');
  const pct = prog.match(/(\\d+)%/);
  const ep = [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMetricValue]')]
      .map(e => e.innerText.trim().match(/^(\\d+) \\/ (\\d+)$/)).find(m => m);
  return {ahead: q ? +q[1] : null, pct: pct ? +pct[1] : null, epoch: ep ? +ep[1] : null,
          of: ep ? +ep[2] : null, done: alerts.some(a => a.includes(done)),
          exc: document.querySelectorAll('[data-testid=stException]').length};
}"""
LATENCY_JS = """(sel) => new Promise(resolve => {
  const end = performance.now() + 60000;
  const tick = () => {
    const e = document.querySelector(sel);
    if (e && e.innerText.trim()) resolve(performance.now() - window.__strokeEnd);
    else if (performance.now() > end) resolve(-1);
    else setTimeout(tick, 5);
  };
  tick();
})"""


def queued_pattern(lang: str) -> str:
    """A regex for the queued notice with its position, from the string catalogue."""
    text = t("job.queued", lang=lang, ahead=987654)
    return re.escape(text.split("987654")[0]) + r"(\d+)"


@dataclass
class Session:
    index: int
    lang: str
    trains_cnn: bool
    digit: str
    xor_epochs: int
    problems: list[str] = field(default_factory=list)
    load_s: float | None = None  # Home's first render
    predict_ms: float | None = None
    server_ms: float | None = None  # the canvas' rerun frame sent -> the last reply frame (CDP network clock)
    first_point_s: dict[str, float] = field(default_factory=dict)  # job -> Train click to first point
    first_look: dict[str, str] = field(default_factory=dict)  # job -> queued(n) | running | done | nothing
    max_ahead: dict[str, int] = field(default_factory=dict)
    exceptions: int = 0
    pages: list[str] = field(default_factory=list)  # its pages beyond Home, CNN, GAN and XOR (class_pages)
    visits: dict[str, tuple[float, str]] = field(default_factory=dict)  # page -> (action's seconds, note)
    failed: list[str] = field(default_factory=list)  # the pages whose visit went wrong

    @property
    def name(self) -> str:
        """The name typed in the sidebar before training (a Train without one opens a dialog)."""
        return f"{'せいと' if self.lang == 'ja' else 'student'}{self.index:02d}"


async def new_page(browser):
    """A new browser context (so a Streamlit session of its own) and its page, with the bench's timeout."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.set_default_timeout(180_000)
    return ctx, page


async def draw(page, strokes) -> None:
    box = await page.locator(CANVAS).first.bounding_box()
    sx, sy = box["width"] / 280, box["height"] / 280
    for stroke in strokes:
        x0, y0 = stroke[0]
        await page.mouse.move(box["x"] + x0 * sx, box["y"] + y0 * sy)
        await page.mouse.down()
        for x, y in stroke[1:]:
            await page.mouse.move(box["x"] + x * sx, box["y"] + y * sy, steps=8)
        await page.mouse.up()
    await page.mouse.move(5, 5)  # the canvas toolbar shows on hover and covers nearby widgets


def server_turnaround(frames: list[tuple[str, float, int]]) -> float | None:
    """ms from the canvas' rerun request (the largest frame sent: it carries the drawing as a PNG) to the
    last frame received before the next request: the server's share of the latency, measured in the
    browser's network stack, so it leaves out the canvas' debounce and the page's rendering."""
    sent = [f for f in frames if f[0] == "sent"]
    if not sent:
        return None
    req = max(sent, key=lambda f: f[2])
    later = [f for f in frames if f[1] > req[1]]
    nxt = next((f[1] for f in later if f[0] == "sent"), float("inf"))
    replies = [f[1] for f in later if f[0] == "recv" and f[1] < nxt]
    return (max(replies) - req[1]) * 1000 if replies else None


async def watch_job(
    page, s: Session, job: str, started: float, until_done: bool, timeout: float = 420
) -> dict:
    """Poll the page after Train: the first thing shown, queue positions, the first chart point."""
    args = [queued_pattern(s.lang), t("job.done", lang=s.lang, seconds=0).split("（")[0].split("(")[0]]
    end = time.time() + timeout
    last: dict = {}
    while time.time() < end:
        last = await page.evaluate(PROBE, args)
        if job not in s.first_look:
            if last["ahead"] is not None:
                s.first_look[job] = f"queued({last['ahead']} ahead)"
            elif last["done"]:
                s.first_look[job] = "done"
            elif last["pct"] is not None or last["epoch"]:
                s.first_look[job] = "running"
        if last["ahead"] is not None:
            s.max_ahead[job] = max(s.max_ahead.get(job, 0), last["ahead"])
        point = (last["epoch"] or 0) >= 1 if job == "xor" else (last["pct"] or 0) > 0 or last["done"]
        if point and job not in s.first_point_s:
            s.first_point_s[job] = time.perf_counter() - started
        if last["exc"]:
            s.problems.append(f"{job}: exception while training")
            s.exceptions += last["exc"]
            return last
        if job in s.first_point_s and (not until_done or last["done"]):
            return last
        await asyncio.sleep(0.3)
    s.problems.append(
        f"{job}: no {'end' if until_done else 'first chart point'} within {timeout:.0f} s ({last})"
    )
    return last


VERBOSE = False


def step(s: Session, what: str) -> None:
    if VERBOSE:
        print(f"  [{time.strftime('%H:%M:%S')}] #{s.index} {what}", flush=True)


async def run_session(browser, url: str, s: Session, delay: float, lq: LiveQuestion | None = None) -> None:
    await asyncio.sleep(delay)
    ctx, page = await new_page(browser)
    here = False
    try:
        step(s, "home")
        # 1. Home
        t0 = time.perf_counter()
        await page.goto(f"{url}/?lang={s.lang}")
        await wait_idle(page)
        s.load_s = time.perf_counter() - t0
        await check_page(page, s, "app.title")
        await type_name(page, s.name)
        step(s, "cnn draw")
        # 2. CNN: draw a known digit, time stroke end -> probabilities (in the page's own clock)
        await nav(page, "cnn", "cnn.title", s.lang)
        await check_page(page, s, "cnn.title")
        await page.wait_for_selector(CANVAS)
        await page.evaluate(
            "() => { window.addEventListener('mouseup', () => { window.__strokeEnd = performance.now(); }, true); }"
        )
        frames = await watch_frames(page)
        await draw(page, DIGITS[s.digit])
        ms = await page.evaluate(LATENCY_JS, METRIC)
        await asyncio.sleep(0.5)  # let the last CDP frame events arrive
        s.server_ms = server_turnaround(frames)
        if ms < 0:
            s.problems.append("cnn: no prediction within 60 s")
        else:
            s.predict_ms = ms
            got = (await page.locator(METRIC).first.inner_text()).strip()
            label = (
                await page.locator(".st-key-cnn_prediction [data-testid=stMetricLabel]").first.inner_text()
            ).strip()
            if got != s.digit:
                s.problems.append(f"cnn: drew {s.digit}, read {got}")
            if label != t("cnn.prediction", lang=s.lang):
                s.problems.append(f"cnn: label {label!r} not in {s.lang}")
        await wait_idle(page)
        step(s, "gan")
        # 3. GAN: new samples
        await nav(page, "gan", "gan.title", s.lang)
        await check_page(page, s, "gan.title")
        img = page.locator('[data-testid="stMain"] [data-testid="stImage"] img').first
        before = await img.get_attribute("src")
        await page.locator(".st-key-gan_new button").click()
        await page.wait_for_function(
            "b => document.querySelector('[data-testid=stMain] [data-testid=stImage] img').src !== b",
            arg=before,
        )
        await wait_idle(page)
        await check_page(page, s, "gan.title")
        # 3b. this session's other pages of the lab, round-robin over them (bench/class_pages.py)
        for key in s.pages:
            step(s, key)
            before = (len(s.problems), s.exceptions)
            try:
                s.visits[key] = await visit(page, s, key)
            except Exception as e:  # a timeout or a missing element: noted, and on to the next page
                s.problems.append(f"{key}: {type(e).__name__}: {str(e).splitlines()[0][:160]}")
            if (len(s.problems), s.exceptions) != before:
                s.failed.append(key)
        step(s, "xor")
        # 4. XOR: this session's own epoch count, Train, watch
        await nav(page, "xor", "xor.title", s.lang)
        box = page.locator(".st-key-xor_epochs input")
        await box.fill(str(s.xor_epochs))
        await box.press("Enter")
        await wait_idle(page)
        started = time.perf_counter()
        await page.locator(".st-key-xor_train button").click()
        await watch_job(page, s, "xor", started, until_done=not s.trains_cnn)
        step(s, "cnn train")
        # 5. a third: CNN training (1 epoch), then back to XOR
        if s.trains_cnn:
            await nav(page, "cnn", "cnn.title", s.lang)
            await page.get_by_role("tab", name=t("cnn.tab.train", lang=s.lang), exact=True).click()
            await page.locator(".st-key-cnn_epochs input[type=range]").first.focus()
            await page.keyboard.press("Home")  # 1 epoch
            await wait_idle(page)
            await page.locator(".st-key-cnn_train_size input[type=range]").first.focus()
            await page.keyboard.press("Home")
            await page.keyboard.press("ArrowRight")  # 500 images: a short run, as in class
            await wait_idle(page)
            await page.locator(".st-key-cnn_channels label").filter(has_text="8/16").first.click()
            await wait_idle(page)
            started = time.perf_counter()
            await page.locator(".st-key-cnn_train button").click()
            await watch_job(page, s, "cnn", started, until_done=True)
            await wait_idle(page)
            await check_page(page, s, "cnn.title")
            await nav(page, "xor", "xor.title", s.lang)
            await watch_job(page, s, "xor", started, until_done=True)
        await wait_idle(page)
        last = await page.evaluate(PROBE, [queued_pattern(s.lang), "\u0000"])
        if (last["epoch"], last["of"]) != (s.xor_epochs, s.xor_epochs):  # its own run, finished
            s.problems.append(
                f"xor: shows {last['epoch']} / {last['of']}, expected {s.xor_epochs} / {s.xor_epochs}"
            )
        await check_page(page, s, "xor.title")
        step(s, "isolation")
        # 6. isolation: a trained CNN only where this session trained one
        await nav(page, "cnn", "cnn.title", s.lang)
        options = await page.locator(".st-key-cnn_model_choice label").all_inner_texts()
        has_own = any(t("cnn.model.session", lang=s.lang) in o for o in options)
        foreign = t("cnn.model.session", lang="en" if s.lang == "ja" else "ja")
        if has_own != s.trains_cnn or any(foreign in o for o in options):
            s.problems.append(f"isolation: model picker {options}")
        await check_page(page, s, "cnn.title")
        # 7. the teacher's live question, once every session is here: all answer it at once
        if lq is not None:
            step(s, "question")
            here = True
            lq.arrive()
            await lq.opened.wait()
            if lq.id is not None:
                await answer_question(page, s, lq)
    except Exception as e:  # a timeout or a missing element: this session got no result
        s.problems.append(f"{type(e).__name__}: {str(e).splitlines()[0][:160]}")
    finally:
        if lq is not None and not here:
            lq.arrive()  # the question does not wait for a session that broke down
        await ctx.close()


@dataclass
class Probe:
    """One more student, on a browser of their own at normal priority (as on their own laptop), who keeps
    drawing on the CNN page for the whole run: clear, draw a known digit, time stroke end -> that digit."""

    latencies: list[float] = field(default_factory=list)
    at: list[float] = field(default_factory=list)  # when each stroke ended, s after the probe was ready
    wrong: list[str] = field(default_factory=list)
    error: str = ""
    shots: Path | None = None  # where screenshots of its failures go


async def probe_student(
    browser, url: str, probe: Probe, ready: asyncio.Event, stop: asyncio.Event, pause: float
) -> None:
    ctx, page = await new_page(browser)
    try:
        await page.goto(f"{url}/?lang=ja")
        await wait_idle(page)
        await nav(page, "cnn", "cnn.title", "ja")
        await page.wait_for_selector(CANVAS)
        await page.evaluate(
            "() => { window.addEventListener('mouseup', () => { window.__strokeEnd = performance.now(); }, true); }"
        )
        ready.set()
        t0, k = time.perf_counter(), 0
        while not stop.is_set():
            digit = list(DIGITS)[k % len(DIGITS)]
            k += 1
            await page.locator(".st-key-cnn_clear button").click()
            await page.wait_for_function("sel => !document.querySelector(sel)", arg=METRIC)
            await page.wait_for_selector(CANVAS)
            await asyncio.sleep(0.3)  # the remounted canvas settles
            await draw(page, DIGITS[digit])
            ms = await page.evaluate(LATENCY_JS, METRIC)
            if ms < 0:
                probe.wrong.append(f"{digit}: no prediction within 60 s")
                if probe.shots:
                    await page.screenshot(path=probe.shots / f"probe_{k}.png")
                continue
            probe.latencies.append(ms)
            probe.at.append(time.perf_counter() - t0 - ms / 1000)
            got = (await page.locator(METRIC).first.inner_text()).strip()
            if got != digit:
                probe.wrong.append(f"drew {digit}, read {got}")
            await asyncio.sleep(pause)
    except Exception as e:
        probe.error = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
        if probe.shots:
            await page.screenshot(path=probe.shots / "probe_error.png")
        ready.set()
    finally:
        await ctx.close()


@dataclass
class TrainProbe:
    """One more student at normal priority who trains XOR again and again for the whole run (a new epoch
    count each time, so each run's chart is told from the last): Train click -> the first chart point."""

    first_point_s: list[float] = field(default_factory=list)
    looks: list[str] = field(default_factory=list)  # queued(n ahead) | running, the first thing seen
    missing: list[str] = field(default_factory=list)
    error: str = ""


async def probe_trainer(
    browser, url: str, probe: TrainProbe, ready: asyncio.Event, stop: asyncio.Event
) -> None:
    ctx, page = await new_page(browser)
    args = [queued_pattern("ja"), t("job.done", lang="ja", seconds=0).split("（")[0]]
    try:
        await page.goto(f"{url}/?lang=ja")
        await wait_idle(page)
        await type_name(page, "プローブ")
        await nav(page, "xor", "xor.title", "ja")
        ready.set()
        k = 0
        while not stop.is_set():
            epochs = 300 + 10 * (k % 20)
            k += 1
            box = page.locator(".st-key-xor_epochs input")
            await box.fill(str(epochs))
            await box.press("Enter")
            await wait_idle(page)
            started = time.perf_counter()
            await page.locator(".st-key-xor_train button").click()
            first, look, end = None, None, time.time() + 300
            while time.time() < end:
                st = await page.evaluate(PROBE, args)
                this_run = st["of"] == epochs and (st["epoch"] or 0) >= 1
                if look is None and st["ahead"] is not None:
                    look = f"queued({st['ahead']} ahead)"
                if first is None and this_run:
                    first = time.perf_counter() - started
                    look = look or "running"
                if this_run and st["epoch"] == epochs and st["done"]:
                    break
                await asyncio.sleep(0.1)
            if first is None:
                probe.missing.append(f"{epochs} epochs: no chart point within 300 s")
            else:
                probe.first_point_s.append(first)
                probe.looks.append(look)
            await asyncio.sleep(2.0)
    except Exception as e:
        probe.error = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
        ready.set()
    finally:
        await ctx.close()


async def slow_client(browser, url: str, kbps: int, latency_ms: int, epochs: int) -> dict:
    """A student on a slow link (throttled after the page loaded) watches a live XOR chart to the end."""
    ctx, page = await new_page(browser)
    frames = {"n": 0, "bytes": 0}
    out: dict = {"ok": False}
    try:
        await page.goto(f"{url}/?lang=en")
        await wait_idle(page)
        await type_name(page, "slow-client")
        await nav(page, "xor", "xor.title", "en")
        box = page.locator(".st-key-xor_epochs input")
        await box.fill(str(epochs))
        await box.press("Enter")
        await wait_idle(page)
        cdp = await ctx.new_cdp_session(page)
        await cdp.send("Network.enable")
        cdp.on(
            "Network.webSocketFrameReceived",
            lambda e: frames.update(
                n=frames["n"] + 1, bytes=frames["bytes"] + len(e["response"]["payloadData"])
            ),
        )
        await cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": latency_ms,
                "downloadThroughput": kbps * 1024 / 8,
                "uploadThroughput": kbps * 1024 / 8,
            },
        )
        t0 = time.perf_counter()
        await page.locator(".st-key-xor_train button").click()
        seen: list[int] = []
        end = time.time() + 300
        while time.time() < end:
            p = await page.evaluate(PROBE, [queued_pattern("en"), "Training finished"])
            if p["epoch"] is not None and (not seen or seen[-1] != p["epoch"]):
                seen.append(p["epoch"])
            if p["done"] and p["epoch"] == epochs:
                break
            await asyncio.sleep(0.2)
        dt = time.perf_counter() - t0
        lost = await page.locator('[data-testid="stConnectionStatus"], [role=dialog]').count()
        out = {
            "ok": bool(seen) and seen[-1] == epochs and not lost,
            "seconds": dt,
            "updates": len(seen),
            "frames": frames["n"],
            "kib": frames["bytes"] / 1024,
            "final": seen[-1] if seen else None,
        }
    except Exception as e:
        out["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
    finally:
        await ctx.close()
    return out


CGROUP_CPU = Path("/sys/fs/cgroup/cpu")  # cgroup v1's cpu controller, where it is mounted and writable


def browser_cgroup() -> Path | None:
    """A cpu cgroup with the smallest share for the load's browsers, or None where none can be made."""
    group = CGROUP_CPU / f"lab_load_browsers_{os.getpid()}"
    try:
        group.mkdir(exist_ok=True)
        (group / "cpu.shares").write_text("2")
    except OSError:
        return None
    return group


def remove_cgroup(group: Path | None) -> None:
    if group is None:
        return
    for _ in range(50):  # the browsers' processes leave the group as they exit
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.2)


def low_priority_chromium(folder: Path, nice: int, group: Path | None) -> tuple[str, str]:
    """Chromium for the load's N students, started so that it only gets the CPU the server leaves: in a
    classroom the students' browsers run on their own laptops, here they share the server's two cores.
    Returns the executable and how it is held back (0: not at all).

    `nice` alone does not do it: Chromium, run as root, raises its own display threads to nice -8, and
    nice weighs thread by thread, so thirty browsers' hundred busy threads outweigh the server's few.
    So the browsers also run under SCHED_IDLE (inherited by every process and thread they start; needs no
    privilege) and, where a cpu cgroup can be made, in one with the smallest share. The bench's driver and
    the probe student's browser stay at normal priority."""
    if nice <= 0:
        return CHROMIUM, "not held back"
    wrapper = folder / "chromium-low"
    lines = ["#!/bin/sh"]
    how = [f"nice {nice}"]
    if group is not None:
        lines.append(f"echo $$ > {group}/cgroup.procs 2>/dev/null")
        how.append("a cpu cgroup with share 2")
    cmd = f'nice -n {nice} {CHROMIUM} "$@"'
    if shutil.which("chrt"):
        cmd = f"chrt --idle 0 {cmd}"
        how.insert(0, "SCHED_IDLE")
    lines.append(f"exec {cmd}")
    wrapper.write_text("\n".join(lines) + "\n")
    wrapper.chmod(0o755)
    return str(wrapper), ", ".join(how)


async def main_async(args) -> int:

    log = Path(tempfile.mkdtemp(prefix="lab_load_")) / "server.log"
    args.token = secrets.token_urlsafe(18)  # the teacher's page is on, for this run only
    env = {  # saved runs and the class board's database of the bench stay out of runs/
        "LAB_RUNS_DIR": str(log.parent / "runs"),
        "LAB_TEACHER_TOKEN": args.token,
    }
    proc, url = lab_server.start(
        log, env=env, launcher=Path(__file__).with_name("traced_server.py"), own_session=args.browser_nice > 0
    )
    sampler = lab_server.RssSampler(proc.pid)
    sampler.start()
    group = browser_cgroup() if args.browser_nice > 0 else None
    chromium, held_back = low_priority_chromium(log.parent, args.browser_nice, group)
    try:
        return await run_load(args, proc, url, log, sampler, chromium, held_back)
    finally:
        sampler.halt()
        lab_server.stop(proc)
        remove_cgroup(group)


async def run_load(args, proc, url: str, log: Path, sampler, chromium: str, held_back: str) -> int:
    from playwright.async_api import async_playwright

    from core.jobs import default_capacity

    n = args.sessions
    sessions = [
        Session(i, "ja" if i % 2 == 0 else "en", i % 3 == 2, list(DIGITS)[i % len(DIGITS)], 200 + 10 * i)
        for i in range(n)
    ]
    for s, pages in zip(sessions, assign_pages(n, args.pages, args.pages_per_session)):
        s.pages = pages
    visited = {key: sum(key in s.pages for s in sessions) for key in args.pages}
    print(f"server {url} (pid {proc.pid}), log {log}")
    print(
        f"sessions: {n} ({sum(s.lang == 'ja' for s in sessions)} ja, {sum(s.lang == 'en' for s in sessions)} en), "
        f"{sum(s.trains_cnn for s in sessions)} also train a CNN; job limit {default_capacity('cpu')} on cpu "
        f"(LAB_MAX_JOBS={os.environ.get('LAB_MAX_JOBS', 'unset')}); ramp {args.ramp:.0f} s; {os.cpu_count()} CPU cores shared with the browsers "
        f"({held_back})"
    )
    print(
        f"pages beyond Home, CNN, GAN, XOR: {args.pages_per_session} per session, round-robin; sessions per page: "
        + (", ".join(f"{k} {v}" for k, v in visited.items()) or "none")
    )
    t_start = time.perf_counter()
    cpu0 = (
        lab_server.tree_cpu_seconds(proc.pid),
        lab_server.tree_cpu_seconds(os.getpid(), {proc.pid}),
        lab_server.machine_cpu_seconds(),
    )
    slow: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=FLAGS)
        # the teacher's page and the class board, open all through the run on the class's own screens (a
        # browser not held back: the teacher's laptop and the projector's)
        screens = [Screen("teacher"), Screen("board")] if args.screens else []
        if screens:
            class_browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            shown, closing = [asyncio.Event() for _ in screens], asyncio.Event()
            screen_tasks = [
                asyncio.create_task(watch_screen(class_browser, url, sc, args.token, ev, closing))
                for sc, ev in zip(screens, shown)
            ]
            for ev in shown:
                await ev.wait()
        lq = LiveQuestion(n) if screens and args.question else None
        if lq is not None:
            from core import classdb

            db_url = f"sqlite:///{log.parent / 'runs' / classdb.DB_FILE}"  # the server's LAB_RUNS_DIR

            counted, watcher = asyncio.Event(), None

            async def ask_when_all_here() -> None:
                nonlocal watcher
                await lq.all_here.wait()
                await ask_question(class_browser, url, args.token, lq, db_url)
                if screens[1].page is not None:  # the board, open all through: its count from now on
                    watcher = asyncio.create_task(watch_board_count(screens[1].page, lq, counted))

            asker = asyncio.create_task(ask_when_all_here())
        probe, trainer, probe_task = Probe(shots=log.parent), TrainProbe(), None
        if (
            args.probe
        ):  # a browser of their own, not held back: the two students whose laptop is not the server
            probe_browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            ready, stop = asyncio.Event(), asyncio.Event()
            probe_task = asyncio.create_task(
                probe_student(probe_browser, url, probe, ready, stop, args.probe_pause)
            )
            trained = asyncio.Event()
            trainer_task = asyncio.create_task(probe_trainer(probe_browser, url, trainer, trained, stop))
            await ready.wait()
            await trained.wait()
            t_start = time.perf_counter()
        await asyncio.gather(
            *(run_session(browser, url, s, args.ramp * s.index / max(1, n), lq) for s in sessions)
        )
        if lq is not None:
            await asker
            await check_question(lq, db_url, watcher, counted)
        wall = time.perf_counter() - t_start
        if probe_task is not None:
            stop.set()
            await asyncio.gather(probe_task, trainer_task)
            await probe_browser.close()
        if screens:
            closing.set()
            await asyncio.gather(*screen_tasks)
            await class_browser.close()
        if args.slow_client:
            slow = await slow_client(browser, url, args.slow_kbps, args.slow_latency, args.slow_epochs)
        cpu = (
            lab_server.tree_cpu_seconds(proc.pid) - cpu0[0],
            lab_server.tree_cpu_seconds(os.getpid(), {proc.pid}) - cpu0[1],
            *(b - a for a, b in zip(cpu0[2], lab_server.machine_cpu_seconds())),
        )
        await browser.close()
    sampler.halt()
    tbs = lab_server.tracebacks(log)
    dropped = [
        ln
        for ln in log.read_text(errors="replace").splitlines()
        if "Disconnected" in ln or "queue is full" in ln
    ]

    lat = [s.predict_ms for s in sessions if s.predict_ms is not None]
    loads = [s.load_s for s in sessions if s.load_s is not None]
    print(f"wall time for all sessions: {wall:.0f} s")
    print(
        f"Home first render: p50 {statistics.median(loads):.1f} s, p95 {pct(loads, 0.95):.1f} s"
        if loads
        else "Home: none"
    )
    pl = probe.latencies
    if args.probe:  # the target's figure: a student whose browser has a CPU of its own, as in class
        print(
            f"prediction latency, probe student (stroke end -> probabilities, incl. the canvas' 200 ms debounce; "
            f"own browser at normal priority, drawing all through the run), n={len(pl)}: "
            + (
                f"p50 {statistics.median(pl):.0f} ms, p95 {pct(pl, 0.95):.0f} ms, max {max(pl):.0f} ms; "
                f"wrong or missing {len(probe.wrong)}"
                if pl
                else "no predictions"
            )
            + (f"; stopped: {probe.error}" if probe.error else "")
        )
        for w in probe.wrong[:5]:
            print(f"  probe: {w}")
        slowest = sorted(zip(pl, probe.at), reverse=True)[:5]
        if slowest:
            print("  slowest: " + ", ".join(f"{ms:.0f} ms at {at:.0f} s" for ms, at in slowest))
    if args.probe:
        fp = trainer.first_point_s
        queued = [x for x in trainer.looks if x.startswith("queued")]
        print(
            f"Train -> first chart point, probe trainer (XOR again and again, own browser at normal priority), "
            f"n={len(fp)}: "
            + (
                f"p50 {statistics.median(fp):.1f} s, p95 {pct(fp, 0.95):.1f} s, max {max(fp):.1f} s; "
                f"{len(queued)} of them first shown queued with their place in line, "
                f"{trainer.looks.count('running')} started at once"
                if fp
                else "none"
            )
            + (f"; {len(trainer.missing)} without a point" if trainer.missing else "")
            + (f"; stopped: {trainer.error}" if trainer.error else "")
        )
    inside = [
        float(m) for m in re.findall(r"LAB_TRACE canvas_rerun_ms=([\d.]+)", log.read_text(errors="replace"))
    ]
    print(
        f"  inside the server, every stroke (its rerun request in -> that run finished), n={len(inside)}: "
        f"p50 {statistics.median(inside):.0f} ms, p95 {pct(inside, 0.95):.0f} ms, max {max(inside):.0f} ms"
        if inside
        else "  inside the server: no stroke reruns traced"
    )
    print(
        f"prediction latency in the {n} load sessions' browsers (they get only the CPU the server leaves: "
        f"{held_back}), n={len(lat)}: "
        f"p50 {statistics.median(lat):.0f} ms, p95 {pct(lat, 0.95):.0f} ms, max {max(lat):.0f} ms"
        if lat
        else "prediction latency in the load sessions: no predictions"
    )
    srv = [s.server_ms for s in sessions if s.server_ms is not None]
    print(
        f"  of which rerun frame sent -> last reply frame (their browsers' network clock), n={len(srv)}: "
        f"p50 {statistics.median(srv):.0f} ms, p95 {pct(srv, 0.95):.0f} ms, max {max(srv):.0f} ms"
        if srv
        else "  server turnaround: not measured"
    )
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for page, kind, cpu_ms, wall_ms in re.findall(
        r"LAB_TRACE run page=(\S+) kind=(\w+) cpu_ms=([\d.]+) wall_ms=([\d.]+)",
        log.read_text(errors="replace"),
    ):
        runs.setdefault((page, kind), []).append((float(cpu_ms), float(wall_ms)))
    if runs:
        total = sum(c for v in runs.values() for c, _ in v) / 1000
        print(
            f"script runs in the server: {sum(map(len, runs.values()))}, {total:.0f} s of their threads' CPU; by page and kind:"
        )
        for (page, kind), v in sorted(runs.items(), key=lambda kv: -sum(c for c, _ in kv[1])):
            run_cpu, wall = [c for c, _ in v], [w for _, w in v]
            print(
                f"  {page:<12} {kind:<8} n={len(v):<5} CPU {sum(run_cpu) / 1000:6.1f} s (per run p50 {statistics.median(run_cpu):5.0f} ms, "
                f"max {max(run_cpu):5.0f}); wall p50 {statistics.median(wall):5.0f} ms, p95 {pct(wall, 0.95):5.0f}, max {max(wall):5.0f}"
            )
    for job in ("xor", "cnn"):
        fp = [s.first_point_s[job] for s in sessions if job in s.first_point_s]
        looks = [s.first_look.get(job, "nothing") for s in sessions if job == "xor" or s.trains_cnn]
        queued = [x for x in looks if x.startswith("queued")]
        if fp:
            print(
                f"{job} jobs: {len(looks)}; Train -> first chart point p50 {statistics.median(fp):.1f} s, "
                f"p95 {pct(fp, 0.95):.1f} s, max {max(fp):.1f} s"
            )
        print(
            f"  first look after Train: {len(queued)} queued with position, "
            f"{looks.count('running')} running, {looks.count('done')} done, {looks.count('nothing')} neither; "
            f"largest position seen: {max([s.max_ahead.get(job, 0) for s in sessions] or [0])} ahead"
        )
    pages_ok = page_figures(sessions, args.pages)
    screens_ok = screen_figures(screens)
    question_ok = question_figures(lq, n)
    server_cpu, client_cpu, busy, idle = cpu
    print(
        f"CPU time during the run ({(busy + idle):.0f} core-seconds on {os.cpu_count()} cores, {idle:.0f} s idle): "
        f"server {server_cpu:.0f} s ({100 * server_cpu / (busy + idle):.0f}%), browsers and their driver "
        f"{client_cpu:.0f} s ({100 * client_cpu / (busy + idle):.0f}%), anything else {busy - server_cpu - client_cpu:.0f} s"
    )
    peak = sampler.peak / 2**30
    print(f"server RSS (process tree): at start {sampler.first / 2**20:.0f} MiB, peak {peak:.2f} GiB")
    exc = sum(s.exceptions for s in sessions)
    print(f"exceptions: {exc} stException element(s), {len(tbs)} traceback(s) in the server log")
    for tb in tbs[:10]:
        print(f"  traceback: {tb}")
    bad = [s for s in sessions if s.problems or s.predict_ms is None]
    print(f"sessions with a wrong or missing result: {len(bad)}")
    for s in bad[:15]:
        print(f"  #{s.index} ({s.lang}): {'; '.join(s.problems) or 'no prediction'}")
    if slow:
        print(
            f"slow client ({args.slow_kbps} kbit/s, +{args.slow_latency} ms): "
            + (
                f"{'kept up' if slow['ok'] else 'FAILED'}, {slow['updates']} chart updates seen in "
                f"{slow['seconds']:.1f} s, {slow['frames']} websocket frames ({slow['kib']:.0f} KiB), "
                f"final epoch {slow['final']}"
                if "seconds" in slow
                else slow.get("error", "?")
            )
        )
    print(f"server log lines about dropped clients: {len(dropped)}")
    # the target is read on the probe student where there is one; without it, in the load's own browsers
    measured = pl if args.probe else lat
    p95 = pct(measured, 0.95) if measured else float("inf")
    probe_ok = not args.probe or not (probe.wrong or probe.error or trainer.missing or trainer.error)
    ok = (
        not bad
        and exc == 0
        and not tbs
        and p95 <= 1000
        and peak <= 4
        and (not slow or slow.get("ok"))
        and probe_ok
        and pages_ok == sum(1 for v in visited.values() if v)
        and screens_ok
        and question_ok
    )
    print(
        f"summary: {'PASS' if ok else 'FAIL'} — {n} sessions, p95 prediction {p95:.0f} ms (≤ 1000; "
        f"{'probe student' if args.probe else 'load browsers'}, n={len(measured)}), "
        f"in the load browsers {pct(lat, 0.95) if lat else float('nan'):.0f} ms, "
        f"RSS peak {peak:.2f} GiB (≤ 4), exceptions {exc + len(tbs)}, wrong/missing {len(bad)}"
        + (f", slow client {'ok' if slow.get('ok') else 'FAILED'}" if slow else "")
        + (
            f", pages {pages_ok}/{sum(1 for v in visited.values() if v)} right in every session"
            + (f" ({len(args.pages)} asked)" if 0 in visited.values() else "")
            if args.pages
            else ""
        )
        + (
            f", question {lq.stored}/{n} stored, board {lq.board_s if lq.board_s is not None else float('nan'):.1f} s"
            f"{'' if question_ok else ' FAILED'}"
            if lq is not None
            else ""
        )
        + (
            ", teacher/board refresh p95 "
            + " / ".join(
                f"{pct(main_part(sc.parts).took_ms, 0.95):.0f}" if main_part(sc.parts) else "-"
                for sc in screens
            )
            + f" ms{'' if screens_ok else ' FAILED'}"
            if screens
            else ""
        )
    )
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which the sessions arrive")
    ap.add_argument("--verbose", action="store_true", help="print each session's steps")
    ap.add_argument("--no-slow-client", dest="slow_client", action="store_false")
    ap.add_argument(
        "--pages",
        type=lambda v: [p for p in v.split(",") if p],
        default=list(VISITS),
        help=f"the pages spread over the sessions besides Home, CNN, GAN and XOR, comma-separated "
        f"(default: all of {','.join(VISITS)}; '' for none)",
    )
    ap.add_argument("--pages-per-session", type=int, default=2, help="pages each session takes in turn")
    ap.add_argument(
        "--no-question",
        dest="question",
        action="store_false",
        help="without the live question the teacher asks at the end, which every session answers at once",
    )
    ap.add_argument(
        "--no-screens",
        dest="screens",
        action="store_false",
        help="without the teacher's page and the class board open all through the run",
    )
    ap.add_argument(
        "--browser-nice",
        type=int,
        default=19,
        help="niceness of the load's Chromium processes, also run under SCHED_IDLE and in a low-share "
        "cpu cgroup where possible (they share the server's cores here); 0: not held back at all",
    )
    ap.add_argument(
        "--no-probe",
        dest="probe",
        action="store_false",
        help="without the probe students (two more sessions, one drawing, one training XOR, own browser at normal priority)",
    )
    ap.add_argument("--probe-pause", type=float, default=1.0, help="probe student's pause between digits, s")
    ap.add_argument("--slow-kbps", type=int, default=400, help="throttled client's bandwidth, kbit/s")
    ap.add_argument("--slow-latency", type=int, default=300, help="throttled client's extra latency, ms")
    ap.add_argument("--slow-epochs", type=int, default=3000, help="XOR epochs the throttled client watches")
    args = ap.parse_args()
    if args.pages_per_session <= 0:
        args.pages = []  # the route of Home, CNN, GAN and XOR only
    unknown = [p for p in args.pages if p not in VISITS]
    if unknown:
        ap.error(f"no such page: {', '.join(unknown)} (choose from {', '.join(VISITS)})")
    global VERBOSE
    VERBOSE = args.verbose
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
