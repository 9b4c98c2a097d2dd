"""core.presence: every replica's seats in one database (stale ones dropped), milestones kept once per
name with their first time, the targets the registry declares, the class-wide pause, the report's CSV."""

from __future__ import annotations

import csv
import io

import pytest

from core import classdb, presence, topics


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'class.sqlite3'}"


def two_replicas(url):
    """Two replicas of the app (two stores, two engines) on one SQLite file."""
    return presence.PresenceStore(classdb.ClassDB(url).engine), presence.PresenceStore(
        classdb.ClassDB(url).engine
    )


def seat(sid, name, page="xor", seen=1000.0, jobs=()):
    return presence.SeatRow(sid, "", name, page, seen, tuple(jobs))


def test_two_replicas_writing_are_both_seen_and_each_replaces_only_its_own_rows(url):
    r1, r2 = two_replicas(url)
    job = presence.JobNote("xor", "running", 0.25, "cpu")
    r1.write("r1", [seat("a", "あおい", jobs=[job])], now=1000.0)
    r2.write("r2", [seat("b", "Ben", "cnn"), seat("c", "", "home")], now=1001.0)
    seen = r1.seats(now=1002.0)
    assert [(s.name, s.replica, s.page) for s in seen] == [
        ("", "r2", "home"),
        ("Ben", "r2", "cnn"),
        ("あおい", "r1", "xor"),
    ]
    assert seen[-1].jobs == (job,)
    r2.write("r2", [seat("b", "Ben", "gan")], now=1003.0)  # c's tab closed on r2; r1's rows untouched
    assert [(s.name, s.page) for s in r2.seats(now=1004.0)] == [("Ben", "gan"), ("あおい", "xor")]


def test_a_replica_that_stops_writing_drops_out_after_the_stale_time(url):
    r1, r2 = two_replicas(url)
    r1.write("r1", [seat("a", "Aki")], now=1000.0)
    r2.write("r2", [seat("b", "Ben")], now=1000.0 + presence.STALE_S)
    assert {s.name for s in r2.seats(now=1000.0 + presence.STALE_S)} == {"Aki", "Ben"}
    assert {s.name for s in r2.seats(now=1000.0 + presence.STALE_S + 1)} == {"Ben"}
    # a replica silent for PURGE_S is deleted by any replica's next write
    r2.write("r2", [], now=1000.0 + presence.PURGE_S + 1)
    assert r2.seats(now=0.0, stale_s=1e12) == []


def test_milestones_upsert_once_per_name_keeping_the_first_time(url):
    r1, r2 = two_replicas(url)
    ms = presence.Milestone
    assert r1.add_milestones([ms("Aki", "xor", "opened", 10.0), ms("Aki", "xor", "opened", 5.0)]) == 1
    assert r2.add_milestones([ms("aki ", "xor", "opened", 20.0), ms("aki", "xor", "trained", 21.0)]) == 1
    assert r1.add_milestones([ms("", "xor", "opened", 1.0), ms("Aki", "xor", "nonsense", 1.0)]) == 0
    got = sorted((m.page, m.kind, m.at) for m in r1.milestones())
    assert got == [("xor", "opened", 5.0), ("xor", "trained", 21.0)]
    assert r1.clear_milestones() == 2 and r2.milestones() == []


def test_job_milestones_follow_the_targets_the_registry_declares():
    solved = [
        {"kind": "epoch", "epoch": 1, "train_acc": 0.75},
        {"kind": "epoch", "epoch": 2, "train_acc": 1.0},
    ]
    assert presence.job_milestones("xor", "done", solved, True) == ("trained", "target")
    assert presence.job_milestones("xor", "paused", solved[:1], True) == ("trained",)
    assert presence.job_milestones("xor", "restored", solved, True) == ()  # a reopened run is not a new one
    assert presence.job_milestones("xor", "queued", [], False) == ()
    bar = topics.topic("cnn").target.at_least
    assert presence.job_milestones("cnn", "running", [{"kind": "epoch", "val_acc": bar - 0.01}], True) == (
        "trained",
    )
    assert presence.job_milestones("cnn", "running", [{"kind": "epoch", "val_acc": float("nan")}], True) == (
        "trained",
    )
    # a generative page's target is a run that finished
    assert presence.job_milestones("gan", "running", [], True) == ("trained",)
    assert presence.job_milestones("gan", "done", [], True) == ("trained", "target")
    assert all(t.target is not None for t in topics.TOPICS if t.trains)


def test_the_pause_flag_has_generations_every_replica_reads(url):
    r1, r2 = two_replicas(url)
    assert r2.pause_state() == (False, 0)
    assert r1.set_paused(True) == 1 and r2.pause_state() == (True, 1)
    assert r2.set_paused(False) == 2 and r1.pause_state() == (False, 2)


def test_the_grid_joins_names_across_replicas_and_the_report_has_a_column_per_milestone(url):
    r1, r2 = two_replicas(url)
    failed = presence.JobNote("cnn", "error", 0.1, "cuda:0")
    r1.write(
        "r1", [seat("a", "Aki", "xor", 100.0)], [presence.Milestone("Aki", "xor", "opened", 90.0)], now=100.0
    )
    r2.write(
        "r2", [seat("b", "aki", "cnn", 120.0, [failed]), seat("c", "=HYPERLINK()", "home", 50.0)], now=120.0
    )
    rows = presence.grid(
        r1.seats(now=121.0), r1.milestones(), {"ben": ("Ben", 80.0)}, {"aki": ("Aki", 130.0)}
    )
    assert [r.name for r in rows] == ["=HYPERLINK()", "aki", "Ben"]
    aki = rows[1]
    assert aki.replicas == ("r1", "r2") and aki.page == "cnn" and aki.failed and aki.last_activity == 130.0
    assert aki.reached == {("xor", "opened"): 90.0, ("question", "answered"): 130.0}
    assert rows[2].reached == {("board", "submitted"): 80.0} and rows[2].replicas == ()

    table = list(csv.reader(io.StringIO(presence.grid_csv(rows))))
    head = table[0]
    assert head[:5] == list(presence.CSV_HEAD)
    assert {
        "xor.opened",
        "xor.trained",
        "xor.target",
        "tensors.opened",
        "board.submitted",
        "question.answered",
    } <= set(head)
    assert "teacher.opened" not in head and "tensors.trained" not in head
    assert table[1][0] == "'=HYPERLINK()"  # a typed name never runs as a spreadsheet formula
    line = dict(zip(head, table[2], strict=True))
    assert (
        line["replica"] == "r1/r2"
        and line["last_run_failed"] == "1"
        and line["xor.opened"]
        and not line["xor.trained"]
    )


def test_board_entries_count_as_submitted_and_answers_need_the_questions_store(url):
    db = classdb.ClassDB(url)
    db.submit_run("Aki", "hyperparams", {"lr": 0.1}, 0.9, 2, 3.0)
    db.submit_run("Aki", "hyperparams", {"lr": 0.2}, 0.8, 2, 3.0)
    got = presence.submitted(url)
    assert list(got) == ["aki"] and got["aki"][0] == "Aki"
    if presence.questions_module() is None:
        assert presence.answered(url) == {} and presence.answers_csv(url) is None
    else:
        questions = presence.questions_module()
        assert presence.answered(url) == {}
        qid = questions.store(url).ask("2 + 2 ?", "choice", choices=["3", "4"])
        questions.store(url).answer(qid, "session-1", 1, name="Ben")
        questions.store(url).answer(qid, "session-2", 0)  # anonymous: no row to mark
        assert list(presence.answered(url)) == ["ben"]
        assert "Ben" in presence.answers_csv(url)
