"""ui.progress's writer, as each replica runs it: one batched write of the Classroom's seats and its
students' milestones, at most every FLUSH_EVERY_S; a pause flag set by another replica stops this
replica's jobs at its next write, and lifting it resumes exactly those."""

from __future__ import annotations

import time

import pytest

from core import classdb, presence, records
from core.jobs import Job, LocalPool
from ui import classroom, progress


@pytest.fixture
def other_replica(monkeypatch, tmp_path):
    """This process is replica "r1" on a class database of the test's own; returns replica "r2"'s store."""
    url = f"sqlite:///{tmp_path / 'class.sqlite3'}"
    monkeypatch.setenv(classdb.ENV_URL, url)
    monkeypatch.setenv("LAB_REPLICA", "r1")
    progress.forget_server_state()
    yield presence.PresenceStore(classdb.ClassDB(url).engine)
    progress.forget_server_state()


def slow_xor_records():
    """A training loop that solves XOR at once and then goes on, slowly, until stopped."""
    yield records.epoch(1, train_loss=0.1, train_acc=1.0)
    for i in range(10_000):
        yield records.step(epoch=2, batch=i + 1, batches=10_000, step=i, loss=0.1, elapsed=0.0)
        time.sleep(0.01)


def wait_for(condition, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        time.sleep(0.02)
    assert condition()


def test_one_write_carries_the_seats_and_milestones_and_a_pause_from_another_replica_is_obeyed(other_replica):
    job = Job(label="xor", device="cpu", epochs=2, make_iter=slow_xor_records)
    job.start(LocalPool())
    try:
        wait_for(lambda: job.state == "running" and job.epochs_log)
        classroom.classroom().check_in("seat-1", "Aki", "xor", {"xor": job})
        writer = progress.writer()
        writer.note_opened("Aki", "xor")
        assert writer.flush() and not writer.flush()  # the next write waits FLUSH_EVERY_S
        (seat,) = other_replica.seats()
        assert (seat.replica, seat.name, seat.page, seat.jobs[0].state) == ("r1", "Aki", "xor", "running")
        assert {(m.page, m.kind) for m in other_replica.milestones()} == {
            ("xor", "opened"),
            ("xor", "trained"),
            ("xor", "target"),  # train_acc 1.0 is the target core.topics declares for XOR
        }

        other_replica.set_paused(True)  # the teacher pressed "pause" on replica r2
        assert writer.flush(force=True)
        job.join(10)
        assert job.state == "paused" and classroom.stopped_by_teacher(job)
        other_replica.set_paused(False)
        assert writer.flush(force=True)
        assert job.state in ("queued", "running") and not classroom.stopped_by_teacher(job)
    finally:
        job.stop()
        job.join(10)
