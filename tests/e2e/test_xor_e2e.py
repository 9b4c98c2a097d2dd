"""Browser: the XOR page trains the course network with its default settings, shows 100 % and replays
epoch 0;
the Tensors page explains an impossible reshape with PyTorch's own message."""

from __future__ import annotations

import pytest

from bench.lab_server import set_slider
from tests.e2e.conftest import goto, type_name, wait_idle

pytestmark = pytest.mark.e2e


def test_xor_default_training_reaches_100_percent(page, server_url):
    # at full speed: the default replay speed (slow motion, a pause after every epoch) spends a minute on a
    # busy machine, and the speed is no training setting
    goto(page, server_url, "xor", lang="ja")
    set_slider(page, "xor_speed", 0)  # "full"
    type_name(page, "xor-e2e")
    acc = page.locator(".st-key-xor_accuracy [data-testid='stMetricValue']")
    assert acc.inner_text().strip() != "100%"  # the untrained network gets XOR wrong
    assert page.locator(".st-key-xor_train button").is_enabled()
    page.locator(".st-key-xor_train button").click()
    page.wait_for_function(
        "() => { const e = document.querySelector('.st-key-xor_accuracy [data-testid=stMetricValue]');"
        " return e && e.innerText.trim() === '100%'; }",
        timeout=60_000,
    )
    # 100 % can show before the last epoch; the run must then end and give Train back (a loaded
    # machine takes longer, so wait for it rather than sample the button once)
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-xor_train button'); return b && !b.disabled; }",
        timeout=60_000,
    )
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator(".st-key-xor_train button").is_enabled()  # the run ended; Train is back
    assert page.locator(".st-key-xor_accuracy [data-testid='stMetricValue']").inner_text().strip() == "100%"
    assert page.get_by_text("1000 / 1000").count() >= 1
    # the replay: back to epoch 0, the untrained network is shown again (its map, table and metrics)
    set_slider(page, "xor_replay", 0)
    page.wait_for_function(
        "() => { const e = document.querySelector('.st-key-xor_accuracy [data-testid=stMetricValue]');"
        " return e && e.innerText.trim() !== '100%'; }",
        timeout=30_000,
    )
    wait_idle(page)
    assert page.get_by_text("0 / 1000").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0


def test_tensors_reshape_error_is_explained(page, server_url):
    goto(page, server_url, "tensors", lang="en")
    page.get_by_role("tab", name="reshape / view").click()
    box = page.locator(".st-key-tensors_reshape input")
    box.fill("4, -1")
    box.press("Enter")
    wait_idle(page)
    page.get_by_text("invalid for input of size 6").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
