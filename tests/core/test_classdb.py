"""The class board's store: many writers at once lose nothing, a restart keeps everything, hide / clear /
CSV, PINs stored only as salted scrypt hashes, wrong PINs counted per name in the database (every
connection, replica and reload shares the count), and a database file only its owner can read."""

from __future__ import annotations

import csv
import io
import sqlite3
import stat
import threading

import pytest

from core import classdb
from core.classdb import BoardError, ClassDB

SETTINGS = {"lr": 0.01, "batch_size": 64, "optimizer": "adam", "channels": (16, 32)}
PNG = classdb.PNG_MAGIC + b"rest of a tiny png"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_RUNS_DIR", str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    return ClassDB()


def test_the_database_is_sqlite_in_wal_mode_inside_the_runs_folder(db, tmp_path):
    db.submit_run("ann", "hyperparams", SETTINGS, 0.9, 5, 3.0)
    path = tmp_path / classdb.DB_FILE
    assert db.url == f"sqlite:///{path}" and path.is_file()
    with sqlite3.connect(path) as raw:  # the mode is kept in the file: any new connection sees it
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with db.engine.connect() as conn:
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert busy == classdb.BUSY_TIMEOUT_MS


def test_lab_db_url_points_the_store_elsewhere(tmp_path, monkeypatch):
    other = tmp_path / "elsewhere.db"
    monkeypatch.setenv(classdb.ENV_URL, f"sqlite:///{other}")
    assert classdb.default_url() == f"sqlite:///{other}"
    classdb.submit_run("ann", "hyperparams", SETTINGS, 0.9, 5, 3.0)  # the module functions follow it
    assert other.is_file() and [e.name for e in ClassDB(f"sqlite:///{other}").entries()] == ["ann"]


def at_once(n: int, work, timeout: float = 60) -> list[BaseException]:
    """`work(i)` for i in 0..n-1 in n threads released together by a barrier; what they raised."""
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            work(i)
        except BaseException as e:  # noqa: BLE001 - returned to the test
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout)
    return errors


def test_forty_students_submitting_at_once_lose_nothing(db):
    """40 threads x 5 submissions (runs and images), started together: all 200 are stored, once each."""

    def student(i: int) -> None:
        for j in range(5):
            if j % 2:
                db.submit_gallery(f"s{i}", "gan", PNG, {"j": j})
            else:
                db.submit_run(f"s{i}", "hyperparams", {**SETTINGS, "j": j}, 0.5 + i / 100, j, 1.0)

    errors = at_once(40, student, timeout=30)
    assert not errors, errors[:3]
    got = db.entries()
    assert len(got) == 200 and len({e.id for e in got}) == 200
    assert {(e.name, e.settings["j"]) for e in got} == {(f"s{i}", j) for i in range(40) for j in range(5)}
    assert len(db.entries("run")) == 120 and len(db.entries("gallery")) == 80


def test_a_restart_keeps_entries_hidden_flags_and_pins(db):
    first = db.submit_run("ann", "hyperparams", SETTINGS, 0.9, 5, 3.0)
    db.submit_gallery("bob", "vae", PNG)
    db.hide(first)
    assert db.set_pin("ann", "432109")
    db.engine.dispose()  # the server stops
    again = ClassDB(db.url)  # a new process: a new engine on the same file
    assert [e.name for e in again.entries(include_hidden=True)] == ["bob", "ann"]
    assert [e.name for e in again.entries()] == ["bob"]
    assert again.entries("gallery")[0].image == PNG
    assert again.check_pin("ann", "432109")


def test_entries_keep_what_was_submitted(db):
    rid = db.submit_run("  たろう  ", "hyperparams", SETTINGS, 0.975, 5, 12.34)
    (e,) = db.entries("run")
    assert e.id == rid and e.kind == "run" and e.page == "hyperparams" and e.name == "たろう"
    assert e.settings == {"lr": 0.01, "batch_size": 64, "optimizer": "adam", "channels": [16, 32]}
    assert (e.test_acc, e.epochs, e.seconds, e.image, e.hidden) == (0.975, 5, 12.34, None, False)
    assert db.entries("gallery") == []


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda db: db.submit_run("", "hyperparams", SETTINGS, 0.9, 5, 1.0), "name"),
        (lambda db: db.submit_run("ann", "hyperparams", SETTINGS, float("nan"), 5, 1.0), "value"),
        (lambda db: db.submit_run("ann", "hyperparams", SETTINGS, 1.5, 5, 1.0), "value"),
        (lambda db: db.submit_run("ann", "hyperparams", SETTINGS, 0.9, -1, 1.0), "value"),
        (lambda db: db.submit_run("ann", "nowhere", SETTINGS, 0.9, 5, 1.0), "value"),
        (lambda db: db.submit_run("ann", "hyperparams", {"x": "y" * 5000}, 0.9, 5, 1.0), "value"),
        (lambda db: db.submit_gallery("ann", "gan", b"GIF89a..."), "image"),
        (lambda db: db.submit_gallery("ann", "gan", PNG + b"x" * classdb.MAX_IMAGE_BYTES), "image"),
    ],
)
def test_bad_submissions_are_refused_with_a_code(db, call, code):
    with pytest.raises(BoardError) as err:
        call(db)
    assert err.value.code == code
    assert db.entries(include_hidden=True) == []


def test_hide_and_clear(db):
    a = db.submit_run("ann", "hyperparams", SETTINGS, 0.9, 5, 1.0)
    b = db.submit_gallery("bob", "gan", PNG)
    assert db.hide(a) and not db.hide(9999)
    assert [e.id for e in db.entries()] == [b]
    assert [e.id for e in db.entries(include_hidden=True)] == [b, a]
    assert db.hide(a, hidden=False) and len(db.entries()) == 2
    db.set_pin("ann", "123456")
    assert db.clear() == 2 and db.entries(include_hidden=True) == []
    assert db.has_pin("ann"), "clearing the board keeps the PINs"


def test_csv_has_a_row_per_visible_entry_a_column_per_setting_and_no_formulas(db):
    db.submit_run("=HYPERLINK(1)", "hyperparams", SETTINGS, 0.9, 5, 1.5)
    hidden = db.submit_run("carol", "hyperparams", SETTINGS, 0.8, 5, 1.5)
    db.submit_gallery("bob", "cgan", PNG, {"digit": 7})
    db.hide(hidden)
    rows = list(csv.DictReader(io.StringIO(db.to_csv())))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(1)", "bob"]  # oldest first; a formula is text
    assert rows[0]["lr"] == "0.01" and rows[0]["channels"] == "16/32" and rows[0]["test_acc"] == "0.9"
    assert rows[1]["digit"] == "7" and rows[1]["kind"] == "gallery" and rows[1]["lr"] == ""
    assert "PNG" not in db.to_csv()  # images stay out
    assert len(list(csv.DictReader(io.StringIO(db.to_csv(include_hidden=True))))) == 3


def test_a_pin_is_stored_only_as_a_salted_scrypt_hash(db, tmp_path):
    assert not db.has_pin("ann")
    assert db.set_pin("ann", "246813") and db.set_pin("bob", "246813")
    raw = (tmp_path / classdb.DB_FILE).read_bytes()
    wal = tmp_path / f"{classdb.DB_FILE}-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"246813" not in raw and "246813".encode("utf-16-le") not in raw
    with db.engine.connect() as conn:
        rows = {r.name_key: r for r in conn.execute(classdb.pins_table.select())}
    assert rows["ann"].salt != rows["bob"].salt, "the same PIN under two names: two salts"
    assert rows["ann"].pin_hash != rows["bob"].pin_hash
    assert len(rows["ann"].salt) == 16 and len(rows["ann"].pin_hash) == 32
    params = (classdb.SCRYPT_N, classdb.SCRYPT_R, classdb.SCRYPT_P)
    assert (rows["ann"].n, rows["ann"].r, rows["ann"].p) == params


def test_the_right_pin_is_accepted_and_others_refused(db):
    assert db.set_pin("Taro", "s3cret!")
    assert db.check_pin("Taro", "s3cret!")
    assert db.check_pin("ｔａｒｏ", "s3cret!"), "the same student as core.runs.same_name"
    for wrong in ("S3CRET!", "", "x" * 1000):  # no more than the free tries: no pause yet
        assert not db.check_pin("Taro", wrong)
    assert not db.check_pin("Hanako", "s3cret!"), "a name without a PIN accepts none"
    assert not db.set_pin("taro", "other1"), "a second PIN for the same name is refused"
    assert db.check_pin("Taro", "s3cret!")


def test_reset_removes_the_pin_and_a_new_one_gets_a_new_salt(db):
    db.set_pin("ann", "111111")
    stamp = db.pin_stamp("ann")
    assert db.reset_pin("ANN") and not db.has_pin("ann") and db.pin_stamp("ann") is None
    assert not db.reset_pin("ann")
    db.set_pin("ann", "111111")
    assert db.pin_stamp("ann") != stamp and db.check_pin("ann", "111111")


@pytest.mark.parametrize("pin", ["123", "1234", "12345", " 123456", "123456 ", "x" * 33, None])
def test_a_pin_of_the_wrong_shape_is_refused(db, pin):
    with pytest.raises(BoardError) as err:
        db.set_pin("ann", pin)
    assert err.value.code == "pin" and not db.has_pin("ann")


def test_a_name_needs_letters_of_some_kind_for_a_pin(db):
    with pytest.raises(BoardError) as err:
        db.set_pin(" \u202e ", "123456")  # nothing left of it: no key to keep a PIN under
    assert err.value.code == "name"


class Clock:
    """core.classdb's clock, moved by hand: the back-off is tested without sleeping."""

    def __init__(self, monkeypatch):
        self.now = 1_000_000.0
        monkeypatch.setattr(classdb, "now", lambda: self.now)


def test_pauses_grow_after_the_free_tries_up_to_a_cap():
    free = classdb.FREE_TRIES
    assert [classdb.pause_after(n) for n in range(free + 1)] == [0.0] * (free + 1)
    pauses = [classdb.pause_after(n) for n in range(free + 1, free + 12)]
    assert pauses[:4] == [2.0, 4.0, 8.0, 16.0]
    assert all(b == min(2 * a, classdb.MAX_PAUSE_S) for a, b in zip(pauses, pauses[1:]))
    assert pauses[-1] == classdb.MAX_PAUSE_S


def test_wrong_pins_are_counted_per_name_for_every_replica_and_reload(db, monkeypatch):
    clock = Clock(monkeypatch)
    assert db.set_pin("Taro", "135790") and db.set_pin("Hanako", "246802")
    replica = ClassDB(db.url)  # another replica (or this one after a restart): the same count
    tries = [(db if k % 2 else replica).try_pin("TARO", f"00000{k}") for k in range(classdb.FREE_TRIES)]
    assert [t.ok for t in tries] == [False] * classdb.FREE_TRIES and tries[-1].wait_s == 0.0
    last = replica.try_pin("taro", "999999")
    assert not last.ok and last.wait_s == classdb.pause_after(classdb.FREE_TRIES + 1) > 0
    waiting = db.try_pin("Taro", "135790")
    assert not waiting.ok and 0 < waiting.wait_s <= last.wait_s, "while the name waits, even the right PIN"
    assert ClassDB(db.url).pin_wait("Taro") == pytest.approx(last.wait_s), "a reload starts nothing over"
    assert db.try_pin("Hanako", "246802").ok, "another name is not held up"

    clock.now += last.wait_s
    again = db.try_pin("Taro", "000000")
    assert not again.ok and again.wait_s == classdb.pause_after(classdb.FREE_TRIES + 2) == 2 * last.wait_s
    clock.now += again.wait_s
    assert replica.try_pin("Taro", "135790").ok
    assert db.pin_wait("Taro") == 0.0 and db.try_pin("Taro", "1").wait_s == 0.0, "the right PIN forgives"


def test_guessing_from_many_browsers_at_once_gets_no_more_tries(db, monkeypatch):
    """Twenty tries at once: each is counted before its (slow) check, so no more than the free tries and
    one more are ever checked."""
    assert db.set_pin("ann", "864209")
    checked = []
    real = classdb._scrypt
    monkeypatch.setattr(classdb, "_scrypt", lambda *a: checked.append(1) or real(*a))
    replicas = [db, ClassDB(db.url)]
    results = []
    threads = [
        threading.Thread(target=lambda k=k: results.append(replicas[k % 2].try_pin("ann", f"{k:06d}")))
        for k in range(20)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(results) == 20 and not any(r.ok for r in results)
    assert 1 <= len(checked) <= classdb.FREE_TRIES + 1, len(checked)
    with db.engine.connect() as conn:
        counted = conn.execute(classdb.pin_tries_table.select()).one().fails
    assert counted == len(checked), "every PIN checked was counted"


def test_the_teachers_reset_clears_the_count(db, monkeypatch):
    Clock(monkeypatch)
    db.set_pin("ann", "975311")
    for k in range(classdb.FREE_TRIES + 2):
        db.try_pin("ann", f"{k:06d}")
    assert db.pin_wait("ann") > 0
    assert db.reset_pin("ann") and db.pin_wait("ann") == 0.0
    assert db.set_pin("ann", "975311") and db.try_pin("ann", "975311").ok


def test_a_pin_set_when_four_characters_were_allowed_still_opens(db, monkeypatch):
    monkeypatch.setattr(classdb, "PIN_MIN", 4)
    assert db.set_pin("ann", "4321")
    monkeypatch.undo()
    assert db.check_pin("ann", "4321")


def test_only_the_owner_reads_the_database_file(tmp_path, monkeypatch):
    root = tmp_path / "fresh" / "runs"
    monkeypatch.setenv("LAB_RUNS_DIR", str(root))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    store = ClassDB()
    store.submit_run("ann", "hyperparams", SETTINGS, 0.9, 5, 3.0)
    store.set_pin("ann", "123456")
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for path in root.iterdir():  # the database and its -wal / -shm files
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    store.engine.dispose()


def test_a_name_is_shown_as_typed_without_control_characters(db):
    db.submit_run("\u202etaro\u200b  yamada\n", "hyperparams", SETTINGS, 0.9, 5, 1.0)
    db.submit_run("🐱" * 60, "hyperparams", SETTINGS, 0.9, 5, 1.0)
    assert [e.name for e in db.entries()] == ["🐱" * 40, "taro yamada"]
