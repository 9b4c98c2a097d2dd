"""The diffusion page at 1280x720, as the class sees it: the guidance formula beside its slider stays in one
piece, and after the judge runs each model's heading fits on one line (in both languages)."""

from __future__ import annotations

import pytest

from core.checkpoints import SHIPPED_DIR
from tests.e2e.conftest import wait_idle

pytestmark = pytest.mark.e2e


LINES_JS = """e => {
    // the line boxes of the element's text (its icons and hidden parts aside), grouped by their top
    const tops = [];
    const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(walk.currentNode);
        for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) tops.push(r.top);
    }
    tops.sort((a, b) => a - b);
    return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length;
}"""


def _lines(locator) -> int:
    """How many lines the text of an element is set on."""
    return locator.evaluate(LINES_JS)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_guidance_formula_and_the_judge_headings_are_not_broken(page, server_url, lang):
    if not (SHIPPED_DIR / "diffusion_mnist.pth").exists():
        pytest.skip("no shipped diffusion model")
    page.goto(f"{server_url}/diffusion?lang={lang}")
    wait_idle(page, timeout=240)  # a fresh server samples the first strip and the guidance grid first
    formula = page.locator(".st-key-diffusion_w .katex-html").first
    formula.wait_for()
    # KaTeX sets each line of a broken formula as its own .base box: one box per line
    assert _lines(formula) == 1, "the guidance formula is broken over two lines"

    button = page.locator(".st-key-diffusion_judge_run button")
    button.scroll_into_view_if_needed()
    button.click()
    wait_idle(page, timeout=180)
    headings = page.locator('[data-testid="stMainBlockContainer"] h4')
    headings.first.wait_for(timeout=180_000)
    assert headings.count() == 4, headings.all_inner_texts()  # GAN, VAE, diffusion asked and unasked
    for i in range(headings.count()):
        h = headings.nth(i)
        assert _lines(h) == 1, f"{h.inner_text()!r} wraps onto {_lines(h)} lines"
    assert page.locator('[data-testid="stException"]').count() == 0
