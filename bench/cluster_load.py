"""Cluster load: two replicas of the lab behind HAProxy and one shared Ray head (deploy/replicas.py), K
simulated students (headless Chromium contexts, test-mode sizes) training the CNN at once on the cluster.

What it prints, in order:
  1. the replica each student landed on (the sidebar's LAB_REPLICA) and whether it held across a reload;
  2. per student: the queue positions its page showed ("N ahead of you"), seconds waiting and training;
  3. whether every job finished (the page said so and runs/ holds the run as done with all its epochs),
     and how the jobs spread over Ray's worker processes (the `ray::_TrainRun` actors' pids, read from
     /proc under the Ray head: how many, how many at once);
  4. one more student's 30-epoch run, whose Ray worker is SIGKILLed once an epoch is saved: what the
     page said, what runs/ kept, and whether the saved-runs panel lists it as interrupted and reopens it.
Waiting and training times are as a poll of every page in turn saw them (its period is printed).
The last line is one summary line. No test asserts these figures (bench/README.md keeps them).

    .venv/bin/python bench/cluster_load.py [--students 6] [--epochs 3] [--train-size 500] [--ray-cpus 2]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import lab_server  # noqa: E402
from core import runs  # noqa: E402
from deploy import replicas  # noqa: E402

REPLICA = re.compile(r"Server \(replica\): (r\d+)")
QUEUED = re.compile(r"Waiting in line \((\d+) ahead of you\)")
DONE = re.compile(r"Training finished \(")
INTERRUPTED = "went away, so training stopped"
OPENED = re.compile(r"Saved run opened \((\d+) epochs\)")
SAVED = re.compile(r"Saved to runs/ up to epoch (\d+)\.")
TRAIN_RUN = "ray::_TrainRun"  # the process title Ray gives an actor of core.cluster's _TrainRun


@dataclass
class Student:
    name: str
    ctx: object
    page: object
    replica: str = ""
    after_reload: str = ""
    positions: list[int] = field(default_factory=list)  # each new "N ahead" the page showed
    clicked: float = 0.0
    started: float | None = None  # the first progress bar
    finished: float | None = None  # "Training finished"


def say(what: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {what}", flush=True)


def until(check, timeout: float, every: float = 0.3):
    end = time.time() + timeout
    while time.time() < end:
        if value := check():
            return value
        time.sleep(every)
    return None


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def replica_of(page) -> str:
    page.get_by_text(REPLICA).first.wait_for(timeout=120_000)
    found = REPLICA.search(page.locator('[data-testid="stSidebar"]').inner_text())
    return found.group(1) if found else "?"


def train_pids(head_pid: int) -> set[int]:
    """The pids of the Ray workers that hold a training actor now (any of the head's descendants)."""
    out = set()
    for pid in lab_server.descendants(head_pid):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(TRAIN_RUN.encode()):
                out.add(pid)
        except OSError:
            pass
    return out


def goto_cnn(st: Student, url: str, epochs: int, train_size: int) -> None:
    """The CNN page with the run's sizes set through the lesson link's query parameters (the page binds
    its widgets to them)."""
    query = f"lang=en&cnn_epochs={epochs}&cnn_train_size={train_size}&cnn_channels=8%2F16"
    st.page.goto(f"{url}/cnn?{query}")
    lab_server.wait_idle(st.page, 120)


def name_and_train_tab(st: Student) -> None:
    box = st.page.locator(".st-key-runs_name input").first
    box.fill(st.name)
    box.press("Enter")
    lab_server.wait_idle(st.page, 120)
    st.page.get_by_role("tab", name="Train", exact=True).click()


def look(st: Student, now: float) -> None:
    text = main_text(st.page)
    if m := QUEUED.search(text):
        ahead = int(m.group(1))
        if not st.positions or st.positions[-1] != ahead:
            st.positions.append(ahead)
    if st.started is None and st.page.locator("[data-testid=stMain] [data-testid=stProgress]").count():
        st.started = now
    if st.finished is None and DONE.search(text):
        st.finished = now


def new_student(browser, name: str) -> Student:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    return Student(name, ctx, page)


def warm(browser, dep) -> None:
    """Each replica's first page run imports and loads for many seconds: both at once, on their own
    ports, so the proxy's turn-taking is left to the students."""
    pages = [new_student(browser, r.name) for r in dep.replicas]
    for st, r in zip(pages, dep.replicas):
        st.page.goto(f"http://127.0.0.1:{r.port}/cnn?lang=en")
    for st in pages:
        replica_of(st.page)
        st.ctx.close()


def kill_drill(browser, dep, st: Student, args) -> tuple[str, dict]:
    """One longer run of `st`, its Ray worker SIGKILLed once an epoch is saved; what followed."""
    out: dict = {}
    goto_cnn(st, dep.url, 30, args.train_size)
    name_and_train_tab(st)
    before = train_pids(dep.ray_head.pid)
    st.page.locator(".st-key-cnn_train button").click()

    def saved_and_pid():
        m = SAVED.search(main_text(st.page))
        pids = train_pids(dep.ray_head.pid) - before
        return (int(m.group(1)), pids) if m and pids else None

    seen = until(saved_and_pid, 180)
    if not seen:
        return "no epoch saved on the cluster within 180 s", out
    out["saved_shown"], pids = seen
    pid = min(pids)  # one run on the cluster now: one actor
    os.kill(pid, signal.SIGKILL)
    out["pid"] = pid
    killed = time.time()
    out["page_said"] = bool(until(lambda: INTERRUPTED in main_text(st.page), 60))
    out["said_after_s"] = time.time() - killed
    listed = [r for r in runs.list_runs("cnn", st.name, root=dep.runs_dir) if r.state == "running"]
    out["kept_epochs"] = listed[0].epochs_done if listed else None
    lab_server.wait_idle(st.page, 60)
    pick = st.page.locator(".st-key-cnn_runs_pick")
    if pick.count():
        shown = pick.text_content() + " ".join(i.input_value() for i in pick.locator("input").all())
        out["listed_interrupted"] = "interrupted" in shown
        st.page.locator(".st-key-cnn_runs_open button").first.click()
        lab_server.wait_idle(st.page, 60)
        m = OPENED.search(main_text(st.page))
        out["reopened_epochs"] = int(m.group(1)) if m else None
    return "", out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=6)
    ap.add_argument("--epochs", type=int, default=3, help="epochs of each student's run (test-mode data)")
    ap.add_argument("--train-size", type=int, default=500, choices=(128, 500, 1000, 2000))
    ap.add_argument("--ray-cpus", type=int, default=2, help="CPUs of the Ray head: jobs that run at once")
    ap.add_argument("--timeout", type=float, default=600, help="s for every job to finish")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    t0 = time.time()
    runs_dir = Path(tempfile.mkdtemp(prefix="lab_cluster_runs_"))
    dep = replicas.start(2, runs_dir=runs_dir, ray=True, ray_cpus=args.ray_cpus, test_mode=True)
    say(f"2 replicas, proxy {dep.url}, Ray head {dep.ray_address} ({args.ray_cpus} CPUs); logs {dep.logs}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=lab_server.CHROMIUM, args=lab_server.CHROMIUM_FLAGS)
            warm(browser, dep)
            say(f"replicas warm after {time.time() - t0:.0f} s")
            students = [new_student(browser, f"student{i + 1}") for i in range(args.students)]
            for st in students:
                goto_cnn(st, dep.url, args.epochs, args.train_size)
                st.replica = replica_of(st.page)
                st.page.reload()  # a new session: the cookie alone brings it back to its replica
                lab_server.wait_idle(st.page, 120)
                st.after_reload = replica_of(st.page)
                name_and_train_tab(st)
            say("students ready; Train on every page")
            for st in students:
                st.page.locator(".st-key-cnn_train button").click()
                st.clicked = time.time()
            pids_seen: set[int] = set()
            most_at_once, loops, end = 0, 0, time.time() + args.timeout
            polled = time.time()
            while time.time() < end and not all(s.finished for s in students):
                now = time.time()
                for st in students:
                    look(st, now)
                pids = train_pids(dep.ray_head.pid)
                pids_seen |= pids
                most_at_once = max(most_at_once, len(pids))
                loops += 1
                time.sleep(0.3)
            period = (time.time() - polled) / max(loops, 1)
            finished = [s for s in students if s.finished]
            saved_done = [
                s
                for s in students
                if any(
                    r.state == "done" and r.epochs_done == args.epochs
                    for r in runs.list_runs("cnn", s.name, root=runs_dir)
                )
            ]
            # a student of its own, so the saved-runs panel lists the killed run alone
            drilled = new_student(browser, "drill")
            problem, drill = kill_drill(browser, dep, drilled, args)
            browser.close()
    finally:
        dep.stop()

    by_replica = {r.name: sum(s.replica == r.name for s in students) for r in dep.replicas}
    held = sum(s.replica == s.after_reload for s in students)
    print(f"landing: {', '.join(f'{s.name}→{s.replica}' for s in students)}")
    print(f"replicas: {by_replica}; held across a reload: {held}/{len(students)}")
    for s in students:
        wait = (s.started - s.clicked) if s.started else float("nan")
        train = (s.finished - s.started) if s.finished and s.started else float("nan")
        print(
            f"{s.name}: queue positions shown {s.positions or '[none: started at once]'}; "
            f"waited {wait:.1f} s, trained {train:.1f} s"
        )
    print(f"(each page looked at every {period:.1f} s)")
    lost = len(students) - len(saved_done)
    print(
        f"jobs: {len(finished)}/{len(students)} said finished; {len(saved_done)}/{len(students)} saved "
        f"done with {args.epochs} epochs in runs/ ({lost} lost)"
    )
    print(
        f"Ray workers: {len(pids_seen)} training-actor processes over the run, at most {most_at_once} at "
        f"once ({args.ray_cpus} CPUs)"
    )
    if problem:
        print(f"killed worker: {problem}")
    else:
        print(
            f"killed worker: pid {drill['pid']} of {drilled.name}'s 30-epoch run after the page said epoch "
            f"{drill['saved_shown']} saved; page said interrupted: {drill['page_said']} "
            f"({drill['said_after_s']:.1f} s); runs/ kept {drill['kept_epochs']} epochs; listed as "
            f"interrupted: {drill.get('listed_interrupted')}; reopened: {drill.get('reopened_epochs')} epochs"
        )
    ok = (
        held == len(students)
        and min(by_replica.values()) > 0
        and lost == 0
        and not problem
        and drill.get("page_said")
        and drill.get("listed_interrupted")
        and drill.get("reopened_epochs") == drill.get("kept_epochs")
    )
    most_ahead = max((max(s.positions) for s in students if s.positions), default=0)
    print(
        f"summary: {'PASS' if ok else 'FAIL'} — {len(students)} students on 2 replicas "
        f"({'/'.join(str(v) for v in by_replica.values())}), sticky {held}/{len(students)}, jobs done "
        f"{len(saved_done)}/{len(students)} (lost {lost}), {len(pids_seen)} Ray workers (≤{most_at_once} at "
        f"once), queue up to {most_ahead} ahead, killed worker → "
        f"{'interrupted, reopened at ' + str(drill.get('reopened_epochs')) + ' epochs' if ok else 'see above'}; "
        f"{time.time() - t0:.0f} s"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
