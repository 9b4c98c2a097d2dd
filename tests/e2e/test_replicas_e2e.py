"""Browser test of several replicas behind HAProxy (deploy/replicas.py): a browser stays on its replica by
the proxy's cookie across reruns and reloads, a new browser goes to the other replica, and a student whose
replica is killed reloads onto the survivor, where the run saved to the shared runs folder is listed.

Two replicas in test mode and the proxy, on free loopback ports, started once for the module; the
replica's name is read from the sidebar (LAB_REPLICA), as a teacher would read it. Longer than most browser
tests (two cold servers, a real training, a killed process): stickiness and failover live in the proxy and
between processes, so nothing smaller shows them."""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from pathlib import Path

import pytest

from bench import lab_server
from core import runs
from deploy import replicas
from tests.e2e.conftest import LOGS, TEACHER_TOKEN, _unavailable, choose_language, goto, wait_idle

# two replicas and the proxy for the module, not a set per xdist worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("replicas")]
NAME = "さくら"
REPLICA = re.compile(r"(?:Server \(replica\)|サーバー（レプリカ）): (r\d)")


@pytest.fixture(scope="module")
def deployment(browser, tmp_path_factory):
    if not Path(replicas.HAPROXY).exists():
        _unavailable(f"haproxy not found at {replicas.HAPROXY} (apt-get install -y haproxy)")
    runs_dir = tmp_path_factory.mktemp("shared_runs")
    dep = replicas.start(
        2, runs_dir=runs_dir, logs=LOGS / "replicas", test_mode=True, env={"LAB_TEACHER_TOKEN": TEACHER_TOKEN}
    )
    # a replica's first page run imports and loads for many seconds; both at once, straight to their own
    # ports (not through the proxy, whose turn-taking the tests watch), so no test waits for either
    warming = [_context(browser) for _ in dep.replicas]
    for (_, page), r in zip(warming, dep.replicas):
        page.goto(f"http://127.0.0.1:{r.port}/xor?lang=en")
    for (ctx, page), r in zip(warming, dep.replicas):
        page.get_by_text(REPLICA).first.wait_for(timeout=90_000)
        assert _replica(page) == r.name
        ctx.close()
    yield dep
    dep.stop()


def _context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


def _replica(page) -> str:
    """The replica this page's session runs on, as its sidebar says."""
    page.get_by_text(REPLICA).first.wait_for()
    found = REPLICA.search(page.locator('[data-testid="stSidebar"]').inner_text())
    assert found, "the sidebar names no replica"
    return found.group(1)


def _cookie(ctx) -> str | None:
    return next((c["value"] for c in ctx.cookies() if c["name"] == replicas.COOKIE), None)


def _until(check, timeout: float = 60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    return None


def _reload(page) -> None:
    page.reload()
    wait_idle(page)


def test_a_browser_stays_on_its_replica_and_a_new_one_goes_to_the_other(browser, deployment):
    ctx1, page1 = _context(browser)
    goto(page1, deployment.url, "xor", "en")
    first = _replica(page1)
    assert _cookie(ctx1) == first  # the proxy's cookie names the replica that served the page
    choose_language(page1, "日本語")  # a widget click: a rerun over the same session
    assert (
        _replica(page1) == first
        and "サーバー（レプリカ）" in page1.locator('[data-testid="stSidebar"]').inner_text()
    )
    _reload(page1)  # a new Streamlit session, on the same replica
    assert _replica(page1) == first

    ctx2, page2 = _context(browser)  # a new student: no cookie yet, the next replica in turn
    goto(page2, deployment.url, "xor", "en")
    second = _replica(page2)
    assert {first, second} == {"r1", "r2"}
    assert _cookie(ctx2) == second
    _reload(page1)  # the newcomer did not move the first student
    assert _replica(page1) == first
    ctx1.close()
    ctx2.close()


def _type_name(page, name: str = NAME) -> None:
    box = page.locator(".st-key-runs_name input").first
    box.fill(name)
    box.press("Enter")
    wait_idle(page)


def test_the_teacher_on_one_replica_sees_the_students_of_both(browser, deployment):
    """Each replica writes its students to the class database every few seconds; the teacher's class
    report (the progress grid, made at the click) lists the students of both replicas."""
    suffix = str(int(time.time()) % 10_000)  # a rerun's students are new names
    contexts, students = [], {}
    try:
        # one student on each replica: straight to its port, not left to the proxy's turn-taking
        for name, r in zip((f"あおい{suffix}", f"Ben{suffix}"), deployment.replicas, strict=True):
            ctx, page = _context(browser)
            contexts.append(ctx)
            goto(page, f"http://127.0.0.1:{r.port}", "xor", "en")
            _type_name(page, name)
            students[name] = _replica(page)
        assert set(students.values()) == {"r1", "r2"}

        ctx, teacher = _context(browser)
        contexts.append(ctx)
        goto(teacher, deployment.url, "teacher", "en")
        teacher.locator(".st-key-teacher_token input").fill(TEACHER_TOKEN)
        teacher.keyboard.press("Enter")
        wait_idle(teacher)

        def grid() -> set[tuple[str, str, bool]]:
            with teacher.expect_download() as download:
                teacher.locator(".st-key-progress_report button").click()
            with zipfile.ZipFile(download.value.path()) as zf:
                rows = csv.DictReader(io.StringIO(zf.read("progress.csv").decode("utf-8-sig")))
                return {
                    (r["name"], r["replica"], bool(r["xor.opened"])) for r in rows if r["name"] in students
                }

        expected = {(name, replica, True) for name, replica in students.items()}
        assert _until(lambda: grid() == expected, timeout=30), grid()
        connected = teacher.locator('[data-testid="stMetricValue"]').first  # the live view: both too
        assert _until(lambda: connected.inner_text().strip() == "2", timeout=15), connected.inner_text()
    finally:
        for c in contexts:
            c.close()


def test_a_student_of_a_killed_replica_reloads_onto_the_other_and_finds_the_saved_run(browser, deployment):
    ctx, page = _context(browser)
    goto(page, deployment.url, "xor", "en")
    lost = _replica(page)
    _type_name(page)
    lab_server.set_slider(page, "xor_speed", 0)  # "full": no pause between epochs for the eye
    page.locator(".st-key-xor_train button").click()
    saved = _until(
        lambda: [r for r in runs.list_runs("xor", NAME, root=deployment.runs_dir) if r.state == "done"]
    )
    assert saved, "the run never ended as done in the shared runs folder"
    wait_idle(page)

    lab_server.kill_tree(deployment.replica(lost).proc)  # the replica dies, no clean shutdown
    started = time.time()
    _reload(page)
    survivor = _replica(page)
    assert survivor != lost and _cookie(ctx) == survivor, "the reload stayed with the dead replica"
    assert time.time() - started < 30
    assert page.locator(".st-key-runs_name input").first.input_value() == ""  # a new session there
    _type_name(page)
    pick = page.locator(".st-key-xor_runs_pick")
    pick.wait_for()
    listed = pick.text_content() + " ".join(i.input_value() for i in pick.locator("input").all())
    assert "done" in listed or "1000" in listed, listed
    page.locator(".st-key-xor_runs_open button").first.click()
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text(re.compile("opened", re.I)).count() >= 1
    ctx.close()
