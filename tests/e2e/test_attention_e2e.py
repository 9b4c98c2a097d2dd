"""Browser test of the attention page: the first screen shows Train and the attention heatmaps, and a short
sort run ends with the live heatmaps of the model it trained."""

from __future__ import annotations

import pytest

from core.checkpoints import SHIPPED_DIR
from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e

MAPS = ".st-key-attention_heatmaps .js-plotly-plot"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_first_screen_shows_train_and_the_heatmaps(page, server_url, lang):
    """At 1280x720 the page opens on what to do: the settings, Train and the shipped model's heatmaps
    (where the live ones appear) are inside the first 720 px; the explanations are further down."""
    if not (SHIPPED_DIR / "gpt_sort.pth").exists():
        pytest.skip("no shipped sort model")
    goto(page, server_url, "attention", lang)
    page.locator(MAPS).first.wait_for()
    for selector in (".st-key-attention_train button", MAPS):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, (selector, box)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_short_sort_run_shows_its_heatmaps(page, server_url):
    goto(page, server_url, "attention", "en")
    train = page.locator(".st-key-attention_train button")
    assert train.is_enabled()
    train.click()
    # test mode: 20 updates with a record every 10, each with the maps of the fixed input
    page.get_by_text("Attention at step 20").first.wait_for(timeout=90_000)
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-attention_train button'); return b && !b.disabled; }",
        timeout=60_000,
    )
    wait_idle(page)
    page.evaluate("window.scrollTo(0, 0)")
    assert page.locator(f"{MAPS} g.hm").count() >= 1, "no heatmap drawn"
    for selector in (".st-key-attention_curves .js-plotly-plot", MAPS):  # both charts on the first screen
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, (selector, box)
    assert page.locator('[data-testid="stException"]').count() == 0


# the room a select box has for its text, and each label's width in the box's own font
_FIT = """([sel, labels]) => {
  const input = document.querySelector(sel + ' input');
  const cs = getComputedStyle(input);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = cs.font;
  const room = input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  return labels.filter(l => ctx.measureText(l).width > room).map(l => [l, room]);
}"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_choice_fits_its_box_at_1280x720(page, server_url, lang):
    """Each option of the task and experiment boxes (and the try-it head box) is drawn whole, in the
    usual mode and in projector mode (larger text): none is cut, as 「並べ替え（小さい順」 was."""
    if not (SHIPPED_DIR / "gpt_sort.pth").exists():
        pytest.skip("no shipped sort model")
    from ui.strings import attention as strings

    words = strings.JA if lang == "ja" else strings.EN
    boxes = {
        ".st-key-attention_task": [words[f"attention.task.{k}"] for k in ("sort", "reverse", "text")],
        ".st-key-attention_experiment": [
            words[f"attention.experiment.{k}"] for k in ("none", "no_mask", "one_head", "no_pos")
        ],
        ".st-key-attention_try_head_4": [
            words["attention.heads_mean"],
            words["attention.head_n"].format(n=4),
        ],
    }
    goto(page, server_url, "attention", lang)
    for projector in (False, True):
        if projector:
            page.locator(".st-key-projector label").first.click()
            wait_idle(page)
        for selector, labels in boxes.items():
            page.locator(f"{selector} input").first.wait_for()
            assert page.evaluate(_FIT, [selector, labels]) == [], (selector, projector)
