"""The classroom in a browser: a lesson link sets the page's widgets (a bad value is ignored with a note)
and gives a link back; a student trains and the teacher's page lists them, while a browser without the
token sees no name; projector mode stays on across pages."""

from __future__ import annotations

import time

from bench.lab_server import wait_idle
from tests.e2e.conftest import TEACHER_TOKEN


def test_a_lesson_link_sets_the_widgets_and_a_bad_value_gets_a_note(page, server_url):
    page.goto(f"{server_url}/xor?lang=en&xor_lr=0.5&xor_activation=relu&xor_layers=1&xor_seed=abc")
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator(".st-key-xor_activation input").input_value() == "ReLU"
    assert page.locator(".st-key-xor_lr input[type=range]").get_attribute("aria-valuetext") == "0.5"
    assert page.locator(".st-key-xor_neurons_1").count() == 0  # one hidden layer
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "xor_seed=abc" in sidebar.inner_text() and "ignored" in sidebar.inner_text()
    sidebar.get_by_text("Link to these settings").click()
    link = sidebar.locator('[data-testid="stCode"]').inner_text()
    assert "/xor?lang=en" in link and "xor_lr=0.5" in link and "xor_activation=relu" in link, link
    page.goto(f"{server_url}/xor?lang=ja&hide=xor_lr&lock=xor_gate")
    wait_idle(page)
    page.locator(".st-key-xor_lr").wait_for(state="hidden", timeout=10_000)
    assert page.locator(".st-key-xor_gate").evaluate("e => getComputedStyle(e).pointerEvents") == "none"


def test_the_teacher_sees_a_training_student_and_a_stranger_sees_no_name(browser, server_url):
    student = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    student.goto(f"{server_url}/xor?lang=ja&xor_epochs=20000")
    wait_idle(student)
    student.locator(".st-key-runs_name input").fill("つばさ")
    student.keyboard.press("Enter")
    wait_idle(student)
    student.locator(".st-key-xor_train button").click()
    time.sleep(1.0)

    stranger = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    stranger.goto(f"{server_url}/teacher?lang=ja")
    wait_idle(stranger)
    stranger.locator(".st-key-teacher_token input").fill("not-the-token")
    stranger.keyboard.press("Enter")
    wait_idle(stranger)
    assert "合言葉が違います" in stranger.inner_text("body")
    assert "つばさ" not in stranger.inner_text("body")

    teacher = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    teacher.goto(f"{server_url}/teacher?lang=ja")
    wait_idle(teacher)
    teacher.locator(".st-key-teacher_token input").fill(TEACHER_TOKEN)
    teacher.keyboard.press("Enter")
    wait_idle(teacher)
    stop = teacher.locator('button:has-text("停止：つばさ・XOR")')  # the job's row has its own Stop
    stop.wait_for(timeout=20_000)
    stop.click()
    student.locator(".st-key-xor_resume button:not([disabled])").wait_for(timeout=20_000)  # stopped
    for p in (student, stranger, teacher):
        p.context.close()


def test_projector_mode_stays_on_across_pages(page, server_url):
    page.goto(f"{server_url}/xor?lang=en")
    wait_idle(page)
    size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    page.locator(".st-key-projector label").click()
    wait_idle(page)
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px" != size
    page.locator('[data-testid="stSidebarNav"] a[href$="/gan"]').click()
    wait_idle(page)
    assert page.url.split("?")[0].endswith("/gan")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
