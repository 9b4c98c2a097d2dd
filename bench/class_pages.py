"""What one student of bench/classroom_load.py does on each page of the lab, in a browser, and how the bench
checks the result: the same widget keys and checks as the page's browser test in tests/e2e/, at the sizes a
class uses (the real app, not test mode), with the settings turned down where a student would train.

`VISITS` maps a page's key (core/topics.py) to its visit, in the course's order; `assign_pages` spreads the
visits over the sessions round-robin, so that every page is hit by several sessions at once. The two class
screens that stay open all through the run, the teacher's page and the class board, are `watch_screen`; what
they refresh is timed from their browser's websocket frames (`refresh_times`). At the end the teacher asks
the class a live question (`ask_question`, core/questions.py), every session answers it at once from the box
at the top of its page (`answer_question`), and `check_question` reads the class database and the open board.
The figures the bench prints of all this are here too (`page_figures`, `screen_figures`, `question_figures`).

A visit appends what went wrong to `s.problems` (a `classroom_load.Session`, or anything with `index`,
`lang`, `problems`, `exceptions`) and returns a short note of what it saw (or raises: the caller records it).
"""

from __future__ import annotations

import asyncio
import base64
import math
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from ui.i18n import t

EXC = '[data-testid="stException"]'
MAIN = '[data-testid="stMain"]'
IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testScriptState === 'notRunning'
    && app.dataset.testConnectionState === 'CONNECTED'
    && !document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSpinner"]');
}"""  # bench/lab_server.py's _IDLE_JS: Streamlit says no script runs and the browser is connected
TRAIN_WAIT_S = 900  # a Train's end: at 40 students the one CPU job slot has a long queue


# -- the waits every page needs ----------------------------------------------------------------------------
async def wait_idle(page, timeout: float = 180) -> None:
    """Until the page's script has run and finished for 1 s: bench/lab_server.wait_idle, awaited."""
    await page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    end, quiet = time.time() + timeout, None
    while time.time() < end:
        if await page.evaluate(IDLE_JS):
            quiet = quiet or time.time()
            if time.time() - quiet > 1.0:
                return
        else:
            quiet = None
        await asyncio.sleep(0.25)
    raise TimeoutError("page still running")


async def after_input(page, timeout: float = 180) -> None:
    """Until the rerun an input causes has run: on a busy server it can start more than the 1 s of quiet
    `wait_idle` asks for after the input, so first wait (3 s at most) for it to start."""
    try:
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'running'",
            timeout=3000,
        )
    except Exception:  # it ran and ended already, or the input changed nothing the server sees
        pass
    await wait_idle(page, timeout)


async def check_page(page, s, title_key: str) -> None:
    """The page's title is in this session's language, and nothing raised."""
    h1 = (await page.locator(f"{MAIN} h1").first.inner_text()).strip()
    if t(title_key, lang=s.lang) not in h1:
        s.problems.append(f"{title_key}: title {h1!r} not in {s.lang}")
    n = await page.locator(EXC).count()
    if n:
        s.exceptions += n
        s.problems.append(f"{title_key}: {n} exception(s)")


async def nav(page, path: str, title_key: str, lang: str) -> None:
    """Switch page through the sidebar, which keeps the session (a URL load would start a new one)."""
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first
    await link.evaluate("a => a.scrollIntoView({block: 'center'})")  # the page list scrolls on its own
    await link.click()
    await page.wait_for_function(
        "t => { const h = document.querySelector('[data-testid=stMain] h1'); return h && h.innerText.includes(t); }",
        arg=t(title_key, lang=lang),
        timeout=180_000,
    )
    await wait_idle(page)


async def type_name(page, name: str) -> None:
    """The sidebar's name box filled, as a student does before training: a Train without a name opens a
    dialog that asks for one (ui/saved_runs.py), and its modal would stop every later click."""
    box = page.locator(".st-key-runs_name input").first
    await box.fill(name)
    await box.press("Enter")
    await after_input(page)


def lead(key: str, lang: str) -> str:
    """A message's text before its first placeholder, as the browser shows it (Markdown's ** dropped)."""
    return t(key, lang=lang).split("{")[0].replace("*", "")


async def main_text(page) -> str:
    return await page.locator(MAIN).first.inner_text()


async def img_src(page, selector: str) -> str:
    img = page.locator(selector).first
    await img.wait_for(timeout=180_000)
    return await img.get_attribute("src") or ""


async def src_changes(page, selector: str, before: str, timeout: float = 180) -> bool:
    """Until the first image under `selector` has another source than `before`."""
    try:
        await page.wait_for_function(
            "([sel, b]) => { const i = document.querySelector(sel); return i && i.src !== b; }",
            arg=[selector, before],
            timeout=timeout * 1000,
        )
        return True
    except Exception:
        return False


async def slider_home(page, key: str, right: int = 0) -> None:
    """The slider with widget key `key` at its lowest value plus `right` steps, by keyboard as a student."""
    await page.locator(f".st-key-{key} input[type=range], .st-key-{key} [role=slider]").first.focus()
    await page.keyboard.press("Home")
    for _ in range(right):
        await page.keyboard.press("ArrowRight")
    await after_input(page)


async def train_until_done(page, s, key: str, timeout: float = TRAIN_WAIT_S) -> float:
    """Press the page's Train (`<key>_train`) and wait for the job's "finished" notice; the seconds taken.
    A queued job waits its turn; an exception while waiting ends the wait."""
    done = lead("job.done", s.lang).split("（")[0].split("(")[0]
    await page.locator(f".st-key-{key}_train button").first.click()
    t0 = time.perf_counter()
    await page.wait_for_function(
        """(done) => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stAlert]')]
              .some(e => e.innerText.includes(done)) || !!document.querySelector('[data-testid=stException]')""",
        arg=done,
        timeout=timeout * 1000,
    )
    seconds = time.perf_counter() - t0
    await wait_idle(page)
    return seconds


# -- one visit per page ------------------------------------------------------------------------------------
async def visit_tensors(page, s) -> str:
    """reshape / view: an impossible shape is explained with PyTorch's own message."""
    await page.get_by_role("tab", name="reshape / view").click()
    box = page.locator(".st-key-tensors_reshape input")
    await box.fill("4, -1")
    await box.press("Enter")
    await after_input(page)
    try:
        await page.get_by_text("invalid for input of size 6").first.wait_for(timeout=60_000)
    except Exception:
        s.problems.append("tensors: reshape(4, -1) of 6 values not explained")
    return "reshape explained"


async def visit_hyperparams(page, s) -> str:
    """A tiny grid: the channels preset (two runs) on the smallest training set; one curve and one row each."""
    await page.locator(".st-key-hyperparams_preset_channels button").first.click()
    two = t("hyperparams.train", lang=s.lang, n=2)
    await page.locator(".st-key-hyperparams_train").get_by_text(two).first.wait_for(timeout=180_000)
    await after_input(page)
    await page.get_by_text(t("hyperparams.base", lang=s.lang), exact=True).first.click()  # the expander
    await slider_home(page, "hyperparams_train_size")  # 100 images
    await page.locator(".st-key-hyperparams_train").get_by_text(two).first.wait_for(timeout=180_000)
    await page.locator(".st-key-hyperparams_train button").first.click()
    traces = ".st-key-hyperparams_acc .js-plotly-plot .scatterlayer .trace"
    await page.wait_for_function(
        """(sel) => document.querySelectorAll(sel).length === 2
              && !!document.querySelector('.st-key-hyperparams_stop button:disabled')
              || !!document.querySelector('[data-testid=stException]')""",
        arg=traces,
        timeout=TRAIN_WAIT_S * 1000,
    )
    await wait_idle(page)
    n = await page.locator(traces).count()
    if n != 2:
        s.problems.append(f"hyperparams: {n} validation-accuracy curves for 2 runs")
    return f"{n} runs"


async def visit_cifar(page, s) -> str:
    """A prediction: the shipped model's confusion matrix, a click on (Shirt, T-shirt/top) shows those images."""
    await page.get_by_role("tab", name=t("cifar.tab.eval", lang=s.lang), exact=True).click()
    heatmap = page.locator(".st-key-cifar_confusion .nsewdrag").first
    await heatmap.wait_for(timeout=180_000)
    await page.locator(".st-key-cifar_confusion").scroll_into_view_if_needed()
    area = await heatmap.bounding_box()
    await page.mouse.click(area["x"] + area["width"] * 0.05, area["y"] + area["height"] * 0.65)
    shirt, tee = (t(f"cifar.class.fashion.{i}", lang=s.lang) for i in (6, 0))
    want = t("cifar.eval.confused", lang=s.lang, true=shirt, pred=tee, n=987654).split("987654")[0]
    await page.get_by_text(want).first.wait_for(timeout=180_000)
    await wait_idle(page)
    return "confusion cell opened"


async def visit_sequence(page, s) -> str:
    """A short run (the page's first epochs) ends with the forecast beside the baselines and a verdict."""
    await train_until_done(page, s, "sequence")
    await page.locator(".st-key-sequence_forecast .js-plotly-plot").first.wait_for(timeout=180_000)
    legend = await page.locator(".st-key-sequence_forecast").inner_text()
    if t("sequence.model_name.network", lang=s.lang) not in legend:
        s.problems.append("sequence: no network forecast in the chart")
    body = await main_text(page)
    wins, loses = lead("sequence.wins", s.lang) in body, lead("sequence.loses", s.lang) in body
    if not (wins or loses):
        s.problems.append("sequence: no verdict against the baselines")
    return f"network {'beats' if wins else 'loses to'} the baselines"


POINTS = """([key, name]) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    const trace = plot && plot.data && plot.data.find(t => t.name === name);
    return trace ? Array.from(trace.x || []).filter(x => x !== null).length : -1;
}"""  # tests/e2e/test_transfer_e2e.py: the points of one trace, from Plotly's own data


async def visit_transfer(page, s) -> str:
    """A sweep of one update per run: every label count's point of the frozen arm appears on the chart."""
    await slider_home(page, "transfer_steps")
    await train_until_done(page, s, "transfer")
    frozen = t("transfer.arm.frozen", lang=s.lang)
    n = await page.evaluate(POINTS, ["transfer_live", frozen])
    if n < 4:
        s.problems.append(f"transfer: {n} points of the frozen arm, expected 4")
    return f"{n} frozen-arm points"


async def visit_keeping(page, s) -> str:
    """The shipped CNN to ONNX: checked against PyTorch (difference below 1e-4), offered for download."""
    await page.locator(f'{MAIN} [data-testid="stDataFrame"]').first.wait_for(timeout=180_000)
    await page.locator(".st-key-keeping_export button").click()
    await page.locator(".st-key-keeping_download button").wait_for(timeout=600_000)
    await wait_idle(page)
    if lead("keeping.export_ok", s.lang) not in await main_text(page):
        s.problems.append("keeping: the ONNX export differs from PyTorch")
    return "ONNX = PyTorch"


async def visit_cgan(page, s) -> str:
    """The digit picker: 3 redraws the samples."""
    sel = f"{MAIN} [data-testid=stImage] img"
    before = await img_src(page, sel)
    await page.locator(".st-key-cgan_digit button").filter(has_text="3").first.click()
    if not await src_changes(page, sel, before):
        s.problems.append("cgan: the samples did not change for digit 3")
    await wait_idle(page)
    return "digit 3 drawn"


async def visit_vae(page, s) -> str:
    """A click on the latent map's upper left decodes a new digit there (z1 < 0)."""
    plot = page.locator(".st-key-vae_map .js-plotly-plot .nsewdrag").first
    await plot.wait_for(timeout=180_000)
    await plot.scroll_into_view_if_needed()
    sel = ".st-key-vae_decoded img"
    before = await img_src(page, sel)
    box = await plot.bounding_box()
    await page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.25)
    if not await src_changes(page, sel, before):
        s.problems.append("vae: the decoded digit did not change after a click")
    await wait_idle(page)
    caption = await page.locator(".st-key-vae_decoded").inner_text()
    z = re.findall(r"-?\d+\.\d+", caption)
    if not z or float(z[0]) >= 0:
        s.problems.append(f"vae: decoded at {caption.strip()!r}, expected z1 < 0")
    return "decoded"


READING = """() => { const f = document.querySelector('.st-key-diffusion_final');
  const row = f && f.closest('[data-testid=stHorizontalBlock]');
  const m = row && row.querySelector('[data-testid=stMetricValue]'); return m ? m.innerText.trim() : ''; }"""


async def visit_diffusion(page, s) -> str:
    """New noise: the strip of the reverse process is sampled again; the CNN reads the digit asked for (3)."""
    sel = ".st-key-diffusion_strip img"
    before = await img_src(page, sel)
    await page.locator(".st-key-diffusion_new button").click()
    if not await src_changes(page, sel, before):
        s.problems.append("diffusion: the strip did not change for new noise")
    await wait_idle(page)
    read = await page.evaluate(READING)
    return f"CNN reads {read or '?'} for 3"  # a sample can be misread: reported, not a failure


async def visit_attention(page, s) -> str:
    """Train the sort model briefly (the fewest steps), then try it on digits: the page's answer, and the
    right answer it gives when the model is wrong, is the input sorted."""
    await slider_home(page, "attention_steps_sort")
    await train_until_done(page, s, "attention")
    if await page.locator(".st-key-attention_heatmaps .js-plotly-plot g.hm").count() < 1:
        s.problems.append("attention: no heatmap drawn after training")
    box = page.locator(".st-key-attention_try_digits_sort input")
    length = len((await box.input_value()).split())
    digits = [(7 * i + 3) % 10 for i in range(length)]
    await box.fill(" ".join(map(str, digits)))
    await box.press("Enter")
    await wait_idle(page)
    said = await page.locator(".st-key-attention_answer").inner_text()
    right = t("attention.right", lang=s.lang) in said
    truth = " ".join(map(str, sorted(digits)))
    if not right and truth not in said:
        s.problems.append(f"attention: answer {said.splitlines()[:2]} without the sorted input {truth}")
    return f"sort {'right' if right else 'wrong'} after the shortest run"


VISITS = {
    "tensors": visit_tensors,
    "hyperparams": visit_hyperparams,
    "cifar": visit_cifar,
    "sequence": visit_sequence,
    "transfer": visit_transfer,
    "keeping": visit_keeping,
    "cgan": visit_cgan,
    "vae": visit_vae,
    "diffusion": visit_diffusion,
    "attention": visit_attention,
}  # the pages beyond the session's own route (Home, CNN, GAN, XOR), in the course's order


def assign_pages(n: int, pages: list[str], per_session: int) -> list[list[str]]:
    """Each of `n` sessions' pages, round-robin: session i takes visits i*per .. i*per+per-1 of the endless
    list of `pages`, so consecutive sessions take the next pages and, once n*per >= len(pages), every page
    is visited, each by n*per/len(pages) sessions give or take one; a session never takes a page twice."""
    if not pages or per_session <= 0:
        return [[] for _ in range(n)]
    per = min(per_session, len(pages))
    return [[pages[(i * per + j) % len(pages)] for j in range(per)] for i in range(n)]


async def visit(page, s, key: str) -> tuple[float, str]:
    """Go to page `key` through the sidebar, do its visit, check title and exceptions; (seconds, note)."""
    await nav(page, key, f"{key}.title", s.lang)
    t0 = time.perf_counter()
    note = await VISITS[key](page, s)
    seconds = time.perf_counter() - t0
    await check_page(page, s, f"{key}.title")
    return seconds, note


# -- the two class screens that stay open ------------------------------------------------------------------
async def watch_frames(page) -> list[tuple[str, float, int]]:
    """Every websocket frame of this page from now on: (sent|recv, CDP timestamp in s, payload length)."""
    frames: list[tuple[str, float, int]] = []
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    for kind, ev in (("sent", "Network.webSocketFrameSent"), ("recv", "Network.webSocketFrameReceived")):
        cdp.on(ev, lambda e, k=kind: frames.append((k, e["timestamp"], len(e["response"]["payloadData"]))))
    return frames


def rerun_of(payload: str) -> str | None:
    """What a frame a browser sent asks for: a rerun of the fragment with this id, "page" for the whole page,
    or None (not a rerun request; Streamlit's BackMsg, base64 in CDP's event)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    try:
        msg.ParseFromString(base64.b64decode(payload))
    except Exception:  # not a BackMsg: a text frame, a ping
        return None
    if msg.WhichOneof("type") != "rerun_script":
        return None
    return msg.rerun_script.fragment_id or "page"


async def watch_reruns(page) -> list[tuple[str, float, int, str]]:
    """Every websocket frame of this page from now on: (sent|recv, CDP timestamp in s, payload length,
    for a frame sent the rerun it asks for (`rerun_of`, "" for none))."""
    frames: list[tuple[str, float, int, str]] = []
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")

    def sent(e) -> None:
        data = e["response"]["payloadData"]
        frames.append(("sent", e["timestamp"], len(data), rerun_of(data) or ""))

    cdp.on("Network.webSocketFrameSent", sent)
    cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: frames.append(("recv", e["timestamp"], len(e["response"]["payloadData"]), "")),
    )
    return frames


@dataclass
class Refreshes:
    """One self-refreshing part of a page (a fragment with run_every, or the page itself)."""

    took_ms: list[float] = field(default_factory=list)  # request -> the last frame of its reply
    every_s: list[float] = field(default_factory=list)  # between consecutive requests
    kib: list[float] = field(default_factory=list)  # the reply's size


def refresh_times(frames: list[tuple[str, float, int, str]]) -> dict[str, Refreshes]:
    """A page that refreshes itself asks the server for each refresh (a rerun request sent, naming its
    fragment) and gets the redraw back (frames received). Per fragment: each refresh's ms from its request
    to the last frame received before the next request (of any fragment), the seconds between its
    requests, and the KiB of its reply. A request with no reply before the next is not timed; a frame
    sent that is no rerun request is neither a request nor an end."""
    frames = sorted(frames, key=lambda f: f[1])
    asks = [(i, f[1], f[3]) for i, f in enumerate(frames) if f[0] == "sent" and f[3]]
    out: dict[str, Refreshes] = {}
    last: dict[str, float] = {}
    for n, (i, at, frag) in enumerate(asks):
        r = out.setdefault(frag, Refreshes())
        if frag in last:
            r.every_s.append(at - last[frag])
        last[frag] = at
        end = asks[n + 1][0] if n + 1 < len(asks) else len(frames)
        replies = [f for f in frames[i + 1 : end] if f[0] == "recv"]
        if replies:
            r.took_ms.append((replies[-1][1] - at) * 1000)
            r.kib.append(sum(f[2] for f in replies) / 1024)
    return out


def main_part(groups: dict[str, Refreshes]) -> Refreshes | None:
    """The screen's own live view among its refreshing parts: the one with the largest replies (the
    class banner's poll, on every page, sends little back)."""
    timed = [g for g in groups.values() if len(g.took_ms) >= 2]
    return max(timed, key=lambda g: statistics.median(g.kib), default=None)


BOARD_COUNT = (
    re.escape(t("board.count", lang="ja")).replace(r"\{runs\}", r"\d+").replace(r"\{images\}", r"\d+")
)


@dataclass
class Screen:
    """The teacher's page or the class board, open all through the run."""

    key: str
    parts: dict[str, Refreshes] = field(default_factory=dict)  # fragment id -> its refreshes
    seen: list[str] = field(default_factory=list)  # what it showed at each look (the teacher: students)
    exceptions: int = 0
    error: str = ""
    page: object = None  # its browser page while it is open


async def sign_in(page, token: str) -> None:
    await page.locator(".st-key-teacher_token input").fill(token)
    await page.keyboard.press("Enter")
    await wait_idle(page)
    await page.locator(".st-key-teacher_sign_out").wait_for(timeout=60_000)


async def watch_screen(browser, url: str, screen: Screen, token: str, ready, stop) -> None:
    """Open the screen (the teacher signs in), then leave it refreshing itself until `stop`, looking every
    few seconds at what it shows; its refreshes are timed from the frames of its websocket."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await ctx.new_page()
    page.set_default_timeout(180_000)
    frames: list = []
    try:
        await page.goto(f"{url}/{screen.key}?lang=ja")
        await wait_idle(page)
        if screen.key == "teacher":
            await sign_in(page, token)
        frames = await watch_reruns(page)
        screen.page = page
        ready.set()
        metric = f"{MAIN} [data-testid=stMetricValue]"
        while not stop.is_set():
            if screen.key == "teacher" and await page.locator(metric).count():
                screen.seen.append((await page.locator(metric).first.inner_text()).strip())
            elif screen.key == "board":  # its count of submissions
                count = re.search(BOARD_COUNT, await main_text(page))
                screen.seen.append(count.group(0) if count else "")
            screen.exceptions = max(screen.exceptions, await page.locator(EXC).count())
            try:
                await asyncio.wait_for(stop.wait(), 3.0)
            except TimeoutError:
                pass
    except Exception as e:
        screen.error = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
        ready.set()
    finally:
        await asyncio.sleep(0.5)  # the last frame events arrive
        screen.parts, screen.page = refresh_times(frames), None
        await ctx.close()


# -- a live question to the whole class (core/questions.py, ui/questions.py) ---------------------------
QUESTION = "XOR を学習できるのはどれ？"  # the teacher's own question, typed on the teacher's page
CHOICES = ("隠れ層なしの線形モデル", "隠れ層 1 つの MLP", "どちらでもない")
BOX = ".st-key-class_banner_question"  # the student's box at the top of every lesson page (the banner's)


@dataclass
class LiveQuestion:
    """The class's question: asked once every session has arrived, answered by all of them at once."""

    expected: int  # the sessions that will arrive
    arrived: int = 0
    all_here: asyncio.Event = field(default_factory=asyncio.Event)
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    id: int | None = None
    sent: dict[int, int] = field(default_factory=dict)  # session index -> the choice it sent
    clicked_at: list[float] = field(default_factory=list)  # perf_counter of each Answer click
    shown_at: list[float] = field(default_factory=list)  # ... and of its "your answer" on its page
    problems: list[str] = field(default_factory=list)
    stored: int | None = None  # the answers the database holds for it
    stored_counts: tuple[int, ...] = ()
    board_s: float | None = None  # the last Answer click -> the board's count showing every answer
    board_counts: list[tuple[float, int]] = field(default_factory=list)  # (perf_counter, answers) as shown

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived >= self.expected:
            self.all_here.set()


async def ask_question(browser, url: str, token: str, lq: LiveQuestion, db_url: str) -> None:
    """The teacher, in a second tab of the teacher's page, opens a choice question for the class."""
    from core import questions

    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.set_default_timeout(180_000)
    try:
        await page.goto(f"{url}/teacher?lang=ja")
        await wait_idle(page)
        await sign_in(page, token)
        await (
            page.locator(".st-key-questions_source label")
            .filter(has_text=t("questions.source.new", lang="ja"))
            .click()
        )
        await wait_idle(page)
        await page.locator(".st-key-questions_text textarea").fill(QUESTION)
        await (
            page.locator(".st-key-questions_kind label")
            .filter(has_text=t("questions.kind.choice", lang="ja"))
            .click()
        )
        await wait_idle(page)
        await page.locator(".st-key-questions_choices textarea").fill("\n".join(CHOICES))
        await page.locator(".st-key-questions_right_choice input").fill("2")
        await page.locator(".st-key-questions_right_choice input").press("Tab")
        await wait_idle(page)
        await page.locator(".st-key-questions_open button").click()
        await page.get_by_text(t("questions.opened", lang="ja")).first.wait_for(timeout=60_000)
        q = questions.store(db_url).latest(shown_only=True)
        if q is None or q.text != QUESTION or q.kind != "choice" or q.state != "open":
            lq.problems.append(f"the question opened is not the one asked: {q}")
        else:
            lq.id = q.id
    except Exception as e:
        lq.problems.append(f"teacher: {type(e).__name__}: {str(e).splitlines()[0][:160]}")
    finally:
        lq.opened.set()
        await ctx.close()


async def answer_question(page, s, lq: LiveQuestion) -> None:
    """This session answers from the box at the top of the page it is on: choice index % 3, then Answer;
    its page must say its answer back."""
    choice = s.index % len(CHOICES)
    box = page.locator(BOX)
    await box.locator("[role=radiogroup] label").nth(choice).wait_for(timeout=60_000)
    await box.locator("[role=radiogroup] label").nth(choice).click()
    await box.locator("[data-testid=stFormSubmitButton] button").click()
    lq.clicked_at.append(time.perf_counter())
    lq.sent[s.index] = choice
    yours = t("questions.yours", lang=s.lang, answer=CHOICES[choice])
    await box.get_by_text(yours).first.wait_for(timeout=60_000)
    lq.shown_at.append(time.perf_counter())


COUNT_JS = """(re) => { const m = (document.querySelector('.st-key-board_question')?.innerText || '')
  .match(new RegExp(re)); return m ? +m[1] : null; }"""


def count_pattern(lang: str = "ja") -> str:
    """A regex for the answers counted in the live question's line ("{n} 人が回答（生徒 {m} 人中）…"), n as group 1."""
    words = re.escape(t("questions.count", lang=lang)).replace(r"\{n\}", "(\\d+)", 1)
    return r"(?:^|\D)" + re.sub(r"\\\{\w+\\\}", r"\\d+", words)


async def watch_board_count(board, lq: LiveQuestion, stop: asyncio.Event) -> None:
    """From the question's opening on: the board's count of answers, each time it changes (10 looks a second)."""
    pattern = count_pattern()
    while not stop.is_set():
        try:
            n = await board.evaluate(COUNT_JS, pattern)
        except Exception:  # the page is between two redraws
            n = None
        if n is not None and (not lq.board_counts or lq.board_counts[-1][1] != n):
            lq.board_counts.append((time.perf_counter(), n))
        await asyncio.sleep(0.1)


async def check_question(
    lq: LiveQuestion, db_url: str, watcher: asyncio.Task | None, stop: asyncio.Event
) -> None:
    """Every answer sent is stored once (count and choices), and the open board shows the total within
    seconds of the last Answer click."""
    from core import questions

    n = len(lq.sent)
    end = time.time() + 60
    while watcher is not None and time.time() < end and not any(c == n for _, c in lq.board_counts):
        await asyncio.sleep(0.2)
    stop.set()
    if watcher is not None:
        await watcher
    if lq.id is None:
        return
    last = max(lq.clicked_at, default=time.perf_counter())
    shown = [at for at, c in lq.board_counts if c == n]
    if shown:
        lq.board_s = max(0.0, shown[0] - last)
    else:
        lq.problems.append(
            f"board: no count of {n} answers within 60 s (saw {[c for _, c in lq.board_counts]})"
        )
    answers = questions.store(db_url).answers(lq.id)
    lq.stored = len(answers)
    d = questions.store(db_url).distribution(lq.id)
    lq.stored_counts = tuple(d.counts)
    sent_counts = tuple(sum(1 for c in lq.sent.values() if c == i) for i in range(len(CHOICES)))
    if lq.stored != n or len({a.session for a in answers}) != n:
        lq.problems.append(f"{lq.stored} answers stored for {n} sent")
    if lq.stored_counts != sent_counts:
        lq.problems.append(f"stored per choice {lq.stored_counts}, sent {sent_counts}")


# -- the figures the bench prints of them -----------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(q * len(v)) - 1))] if v else float("nan")


def question_figures(lq: LiveQuestion | None, n: int) -> bool:
    """The live question: asked once all N were here, answered by all at once; every answer stored once,
    and the board's count showing them all within 3 s of the last Answer click."""
    if lq is None:
        return True
    back = [b - a for a, b in zip(sorted(lq.clicked_at), sorted(lq.shown_at))]
    spread = max(lq.clicked_at) - min(lq.clicked_at) if lq.clicked_at else float("nan")
    ok = lq.id is not None and len(lq.sent) == n and lq.stored == n and not lq.problems
    ok = ok and lq.board_s is not None and lq.board_s <= 3.0
    print(
        f"live question (choice of {len(CHOICES)}, opened on the teacher's page once all {n} sessions were here): "
        + (
            f"{len(lq.sent)}/{n} answered within {spread:.1f} s of each other, {len(lq.shown_at)} said back on "
            f"their page"
            + (
                f" (Answer click -> said back p50 {statistics.median(back):.1f} s, max {max(back):.1f} s)"
                if back
                else ""
            )
            + f"; stored {lq.stored} (per choice {lq.stored_counts})"
            + (
                f"; the board showed all {len(lq.sent)} {lq.board_s:.1f} s after the last Answer click (≤ 3)"
                if lq.board_s is not None
                else ""
            )
            if lq.id is not None
            else "not asked"
        )
        + "".join(f"\n  question: {p}" for p in lq.problems)
    )
    return ok


def page_figures(sessions: list, pages: list[str]) -> int:
    """One line per page of the round-robin: its sessions, how many got the right result, the action's
    seconds (click -> result, a Train's queue included); returns the number of pages right everywhere."""
    if not pages:
        return 0
    print("pages (action: click -> checked result, in the load browsers; a Train waits in the one queue):")
    right = 0
    for key in pages:
        went = [s for s in sessions if key in s.pages]
        done = [s.visits[key] for s in went if key in s.visits and key not in s.failed]
        secs = [sec for sec, _ in done]
        right += bool(went) and len(done) == len(went)
        notes = Counter(note for _, note in done)
        print(
            f"  {key:<12} {len(done)}/{len(went)} right"
            + (f"; p50 {statistics.median(secs):.1f} s, max {max(secs):.1f} s" if secs else "")
            + (f"; {', '.join(f'{k} ×{v}' for k, v in notes.most_common(3))}" if notes else "")
        )
    return right


def screen_figures(screens: list[Screen]) -> bool:
    """The teacher's page and the board, open all through the run: for each part of it that refreshes itself
    (its live view, the class banner's poll), each refresh (request -> last reply frame, in its own
    browser's network clock) and the time between refreshes; whether both kept going with no exception."""
    ok = True
    for sc in screens:
        own = main_part(sc.parts)
        good = own is not None and not sc.error and sc.exceptions == 0
        ok = ok and good
        print(
            f"{sc.key} screen, open all through"
            + (f"; last shown {sc.seen[-1]!r}" if sc.seen else "")
            + (f"; {sc.exceptions} exception(s)" if sc.exceptions else "")
            + (f"; stopped: {sc.error}" if sc.error else "")
            + ("" if own else "; its live view never refreshed")
        )
        for part in sorted(sc.parts.values(), key=lambda g: -len(g.took_ms)):
            took, every = part.took_ms, part.every_s
            if len(took) < 2:
                continue
            print(
                f"  {'its live view' if part is own else 'another part'} "
                f"(every {statistics.median(every):.1f} s, {statistics.median(part.kib):.1f} KiB back): "
                f"{len(took)} refreshes, each p50 {statistics.median(took):.0f} ms, p95 {pct(took, 0.95):.0f} ms, "
                f"max {max(took):.0f} ms; longest gap {max(every):.1f} s"
            )
    return ok
