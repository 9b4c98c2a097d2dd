"""Browser tour of every page in both languages: a language switch keeps every choice widget's selection
(radios, select boxes, segmented controls, select sliders), both ways, and the server logs no traceback and
no warning, on any page (checked after each page, so a failure names it)."""

from __future__ import annotations

import time

import pytest

from bench import lab_server
from tests.e2e.conftest import LOGS, choose_language, free_port, goto, log_problems, start_server, wait_idle

pytestmark = pytest.mark.e2e

PAGES = (
    "",
    "tensors",
    "xor",
    "cnn",
    "hyperparams",
    "gan",
    "cgan",
    "vae",
    "diffusion",
    "attention",
    "board",
    "teacher",
)

# Per choice widget in the main area: its key (from the st-key-<key> class around it) and which option is
# shown as chosen — the checked radio's position, the select box's text, the pressed segment's text, the
# select slider's value; "" where none is.
CHOICES_JS = """() => {
  const keyOf = el => { const c = el.closest('[class*="st-key-"]');
    return c ? [...c.classList].find(k => k.startsWith('st-key-')).slice(7) : '?'; };
  const main = document.querySelector('[data-testid="stMain"]');
  const out = [];
  main.querySelectorAll('[data-testid="stRadio"]').forEach(r => {
    const inputs = [...r.querySelectorAll('input[type=radio]')];
    const i = inputs.findIndex(x => x.checked);
    out.push(['radio', keyOf(r), i < 0 ? '' : String(i)]); });
  main.querySelectorAll('[data-testid="stSelectbox"]').forEach(s => {
    const input = s.querySelector('input'); out.push(['selectbox', keyOf(s), input ? input.value : '']); });
  main.querySelectorAll('[data-testid="stButtonGroup"]').forEach(g => {
    const on = [...g.querySelectorAll('button')].filter(b => b.getAttribute('aria-checked') === 'true'
      || b.getAttribute('aria-pressed') === 'true' || (b.dataset.testid || '').endsWith('Active'));
    out.push(['segmented', keyOf(g), on.map(b => b.innerText).join('|')]); });
  main.querySelectorAll('[data-testid="stSlider"] [role=slider]').forEach(s => {
    out.push(['slider', keyOf(s), s.getAttribute('aria-valuetext') || s.getAttribute('aria-valuenow') || '']); });
  return out; }"""


def choices(page, settle_s: float = 20.0) -> list[list[str]]:
    """The choice widgets as shown once the page has settled: on a busy machine the rerun that sends a
    language switch's new labels (or draws the rest of the page) can come after the page first looks
    idle, so the widgets are read again, waiting for the page each time, until two reads a second apart
    agree and none is empty, or `settle_s` passes; then the last read is returned as it is and the test's
    assertions say what is wrong."""
    end = time.time() + settle_s
    found = page.evaluate(CHOICES_JS)
    while time.time() < end:
        time.sleep(1.0)
        wait_idle(page)
        again = page.evaluate(CHOICES_JS)
        if again == found and not empty(again):
            return again
        found = again
    return found


def open_page(page, url: str, path: str) -> None:
    """The page in Japanese, drawn to its end (the first visit after a start warms up for a while)."""
    goto(page, url, path, "ja", timeout=180)  # a first visit loads the page's models, on a busy machine
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    wait_idle(page)


def switch_language(page, name: str) -> None:
    choose_language(page, name)


def empty(found: list[list[str]]) -> list[list[str]]:
    return [c for c in found if c[2] == ""]


@pytest.fixture(scope="module")
def tour_server():
    """A server of its own, so its log holds this tour only."""
    port = free_port()
    proc = start_server(port)
    yield f"http://127.0.0.1:{port}", LOGS / f"server_{port}.log"
    lab_server.stop(proc)


def test_a_language_switch_keeps_every_choice_on_every_page_and_logs_no_warning(browser, tour_server):
    url, log = tour_server
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    checked = 0
    problems: dict[str, list[str]] = {}  # page -> the traceback and warning lines its visit logged
    try:
        for path in PAGES:
            since = log.stat().st_size
            open_page(page, url, path)
            ja = choices(page)
            assert not empty(ja), (path, "ja, first view", empty(ja))
            switch_language(page, "English")
            en = choices(page)
            assert not empty(en), (path, "after ja -> en", empty(en))
            assert [c[:2] for c in en] == [c[:2] for c in ja], (path, "the same widgets in both languages")
            radios = lambda found: [c for c in found if c[0] == "radio"]  # noqa: E731
            assert radios(en) == radios(ja), (path, "the same options chosen")
            switch_language(page, "日本語")
            back = choices(page)
            assert back == ja, (path, "after en -> ja", [(a, b) for a, b in zip(ja, back) if a != b])
            checked += len(ja)
            if found := log_problems(log, since):
                problems[path or "home"] = found
    finally:
        ctx.close()
    assert checked >= 30, f"only {checked} choice widgets found: the tour did not see the pages"
    assert not problems, "the server logged:\n" + "\n".join(
        f"[{page_name}] {line}" for page_name, lines in problems.items() for line in lines[:5]
    )
    assert not log_problems(log), "\n".join(log_problems(log)[:10])  # nor before the first page


def test_the_log_check_finds_a_traceback_and_a_warning(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(
        "2026-12-07 20:00:00.000 Uncaught app execution\n"
        "Traceback (most recent call last):\n"
        '  File "app_pages/tensors.py", line 3, in <module>\n'
        "    table()\n"
        "pyarrow.lib.ArrowTypeError: object of type str cannot be converted to int\n"
        "2026-12-07 20:00:01.000 WARNING streamlit.elements.lib.policies: a default value and a key\n"
    )
    found = log_problems(log)
    assert len(found) == 2 and "ArrowTypeError" in found[0] and "tensors.py" in found[0]
    assert "WARNING streamlit" in found[1]
    assert log_problems(log, since=log.stat().st_size) == []  # only what came after `since`
