"""Browser: Home renders, the language switch changes visible text and survives a reload, a page
link navigates to its fixed URL."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choose_language, goto, wait_idle

pytestmark = pytest.mark.e2e


def test_home_renders_in_japanese_by_default(page, server_url):
    page.goto(server_url)
    wait_idle(page)
    body = page.inner_text("body")
    assert "PyTorch ハンズオン・ラボ" in body
    assert "第1部" in body


def _wait_for_main_text(page, text: str, timeout: float = 60) -> None:
    """Until the page's main area shows `text` (a rerun on a busy server can take many seconds)."""
    page.wait_for_function(
        "t => (document.querySelector('[data-testid=\"stMain\"]') || {}).innerText?.includes(t)",
        arg=text,
        timeout=timeout * 1000,
    )


def test_switching_language_changes_text_and_survives_reload(page, server_url):
    goto(page, server_url, "", lang="ja")
    choose_language(page, "English")
    _wait_for_main_text(page, "PyTorch Hands-on Lab")
    assert "ハンズオン" not in page.locator('[data-testid="stMain"]').inner_text()
    assert "lang=en" in page.url
    page.reload()
    wait_idle(page)
    _wait_for_main_text(page, "PyTorch Hands-on Lab")
    # still English on a second rerun (a widget click) and after navigating to another page
    page.get_by_text("Environment").click()
    wait_idle(page)
    assert "PyTorch version" in page.inner_text("body")


def test_page_link_navigates(page, server_url):
    from ui.pages import available

    pages = available()
    if not pages:
        pytest.skip("no course page has landed yet")
    spec = pages[0]
    goto(page, server_url, "", lang="en")
    page.locator('[data-testid="stMain"] [data-testid="stPageLink"] a').first.click()
    wait_idle(page)
    assert page.url.split("?")[0].endswith(f"/{spec.url_path}")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_page_opened_by_url_on_a_fresh_server_gets_the_lab_shell(browser):
    """docs/streamlit-notes.md, "Pages live in app_pages/, not pages/": the very first request of a fresh
    server, for a page's URL, runs Home.py's navigation and sidebar around that page (a folder named `pages/`
    would make Streamlit run it on its own, with raw file names and no language selector)."""
    import subprocess

    from tests.e2e.conftest import free_port, start_server

    port = free_port()
    proc = start_server(port)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        pg = ctx.new_page()
        pg.set_default_timeout(30_000)
        pg.goto(f"http://127.0.0.1:{port}/xor?lang=en")  # the very first request this server sees
        wait_idle(pg)
        pg.get_by_text("Language").first.wait_for()  # the shared sidebar ran
        nav = pg.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Home" in nav and "hyperparams" not in nav  # translated titles, not file names
        assert pg.url.split("?")[0].endswith("/xor")
        assert "XOR" in pg.locator('[data-testid="stMain"] h1').first.inner_text()
    finally:
        ctx.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_part_card_title_fits_one_line(page, server_url, lang):
    """At 1280x720 the three cards are narrow; a title that wrapped (「第3部 生成モデル」) pushed its card's
    text below the others'."""
    goto(page, server_url, "", lang=lang)
    titles = page.locator('[data-testid="stMain"] :is(h4, h5) [data-heading-text]')
    assert titles.count() == 3, "one title per part"
    for i in range(3):
        title = titles.nth(i)
        line = float(title.evaluate("e => parseFloat(getComputedStyle(e.closest('h4, h5')).lineHeight)"))
        height = title.bounding_box()["height"]
        assert height < 1.5 * line, f"{title.inner_text()!r} wraps: {height:.0f} px for {line:.0f}-px lines"
    parent = '[data-testid="stMain"] :is(h4, h5)'  # the link icon beside a heading wrapped on its own too
    heights = [page.locator(parent).nth(i).bounding_box()["height"] for i in range(3)]
    assert max(heights) - min(heights) <= 1, heights
