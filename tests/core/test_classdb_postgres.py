"""The class board's store on PostgreSQL (`LAB_DB_URL=postgresql+psycopg://...`), as several replicas of the
app share it: the same behaviours as on SQLite (tests/core/test_classdb.py, run here again on this module's
`db`), plus what only a database server brings: engines of several processes writing at once, replicas
creating the tables at the same moment, and a database restart in the middle of a lesson.

A throwaway server (initdb + pg_ctl, PostgreSQL's own binaries) runs once for the module in a temporary
folder, on a unix socket in that folder and no TCP port. PostgreSQL refuses to run as root, so as root it
runs as the `postgres` user. Skipped with a reason where the binaries are missing, except when CI=true,
where a skip would hide a broken set-up, so it fails instead (the rule of tests/e2e/conftest.py).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import classdb
from core.classdb import ClassDB

# The behaviours shared with SQLite, collected again here, where `db` is the PostgreSQL fixture below.
from tests.core.test_classdb import (  # noqa: F401 - pytest collects these names from this module
    PNG,
    SETTINGS,
    at_once,
    test_a_pin_of_the_wrong_shape_is_refused,
    test_a_restart_keeps_entries_hidden_flags_and_pins,
    test_bad_submissions_are_refused_with_a_code,
    test_csv_has_a_row_per_visible_entry_a_column_per_setting_and_no_formulas,
    test_entries_keep_what_was_submitted,
    test_forty_students_submitting_at_once_lose_nothing,
    test_guessing_from_many_browsers_at_once_gets_no_more_tries,
    test_hide_and_clear,
    test_reset_removes_the_pin_and_a_new_one_gets_a_new_salt,
    test_the_right_pin_is_accepted_and_others_refused,
    test_the_teachers_reset_clears_the_count,
    test_wrong_pins_are_counted_per_name_for_every_replica_and_reload,
)

# one throwaway server for the module, not one per xdist worker
pytestmark = pytest.mark.xdist_group("postgres")

DB_USER = "lab"  # the superuser initdb creates; trust authentication on the socket only


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the PostgreSQL tests must run in CI: {reason}")
    pytest.skip(reason)


def pg_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH (/usr/local/bin here), else Debian's versioned folder of the
    `postgresql` package (/usr/lib/postgresql/<version>/bin, the newest)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=str(Path(found).parent)):
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


class Server:
    """A PostgreSQL server in `root` (data, socket, log), as `user` (None: this process's own user)."""

    def __init__(self, bin_dir: Path, root: Path, user: str | None):
        self.bin, self.root, self.user = bin_dir, root, user
        self.data, self.log = root / "data", root / "server.log"

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [*(["runuser", "-u", self.user, "--"] if self.user else []), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr[-1500:]}\n{log}"
            )

    def init(self) -> None:
        initdb = str(self.bin / "initdb")
        # --no-sync: a throwaway cluster need not survive a power cut
        self._run(initdb, "-D", str(self.data), "-U", DB_USER, "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-k {self.root} -c listen_addresses='' -c max_connections=200 -F"  # socket only; no fsync
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{DB_USER}@/postgres?host={self.root}"


@pytest.fixture(scope="module")
def server():
    try:
        import psycopg  # noqa: F401 - the driver LAB_DB_URL names
    except ImportError:
        _unavailable("psycopg is not installed (pip install -r requirements.txt)")
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        _unavailable("PostgreSQL's initdb and pg_ctl not found (apt-get install -y postgresql)")
    user = None
    root = Path(tempfile.mkdtemp(prefix="lab-pg-"))
    if os.geteuid() == 0:  # initdb and postgres refuse root
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            _unavailable("running as root and there is no `postgres` user to run PostgreSQL as")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        user = "postgres"
    srv = Server(bin_dir, root, user)
    srv.init()
    srv.start()
    yield srv
    try:
        srv.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _drop_tables(url: str) -> None:
    engine = sa.create_engine(url)
    classdb.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def empty_url(server):
    """The server's URL with none of the board's tables in it, before and after the test."""
    _drop_tables(server.url)
    yield server.url
    _drop_tables(server.url)


@pytest.fixture
def db(empty_url, monkeypatch):
    monkeypatch.setenv(classdb.ENV_URL, empty_url)
    store = ClassDB()
    yield store
    store.engine.dispose()


def test_lab_db_url_opens_postgresql_through_psycopg_without_sqlite_pragmas(db, empty_url):
    assert db.url == empty_url and db.engine.dialect.name == "postgresql"
    assert db.engine.dialect.driver == "psycopg"
    assert not sa.event.contains(db.engine, "connect", classdb._tune_sqlite), "WAL is for SQLite only"
    classdb.submit_run("ann", "hyperparams", SETTINGS, 0.9, 5, 3.0)  # the module functions follow the URL
    assert [e.name for e in db.entries()] == ["ann"]
    with db.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {"board_entries", "pins"} <= tables


def test_replicas_sharing_the_database_lose_no_write(db):
    """Four engines (four replicas' pools) with ten students each, all writing at once: every row stored once,
    and each replica reads what the others wrote."""
    replicas = [db] + [ClassDB(db.url) for _ in range(3)]

    def student(i: int) -> None:
        store = replicas[i % 4]
        for j in range(4):
            store.submit_run(f"s{i}", "hyperparams", {"j": j}, 0.5, j, 1.0)
        store.submit_gallery(f"s{i}", "vae", PNG)

    errors = at_once(40, student)
    assert not errors, errors[:3]
    for store in replicas:
        got = store.entries()
        assert len(got) == 200 and len({e.id for e in got}) == 200
    runs = replicas[3].entries("run")
    assert {(e.name, e.settings["j"]) for e in runs} == {(f"s{i}", j) for i in range(40) for j in range(4)}
    for store in replicas[1:]:
        store.engine.dispose()


def test_replicas_opening_a_new_database_at_once_all_get_the_tables(empty_url):
    """Every replica creates the tables on first use; eight at the same moment on an empty database all
    succeed (the losers of the race find the winner's tables) and see one and the same board."""
    opened: list[ClassDB] = []
    errors = at_once(8, lambda _: opened.append(ClassDB(empty_url)))
    assert not errors, errors[:3]
    assert len(opened) == 8
    rid = opened[0].submit_run("ann", "hyperparams", SETTINGS, 0.9, 5, 1.0)
    assert all([e.id for e in store.entries()] == [rid] for store in opened)
    for store in opened:
        store.engine.dispose()


def test_a_pin_race_on_one_name_has_one_winner(db):
    """Two students typing a PIN for the same name at once, from different replicas: one PIN is kept (the
    unique key refuses the other, as on SQLite), and only the winner's PIN opens the name."""
    other = ClassDB(db.url)
    results: dict[str, bool] = {}

    def claim(k: int) -> None:
        results[f"pin{k:04d}"] = (db if k % 2 else other).set_pin("Taro", f"pin{k:04d}")

    assert not at_once(12, claim)
    winners = [pin for pin, won in results.items() if won]
    assert len(results) == 12 and len(winners) == 1, results
    assert db.check_pin("taro", winners[0]) and other.check_pin("TARO", winners[0])
    assert not any(db.check_pin("Taro", pin) for pin in results if pin != winners[0])
    other.engine.dispose()


def test_a_pin_is_stored_only_as_a_salted_scrypt_hash_on_the_server(db, server):
    pin = "kq7-pin-Zr42"  # long enough that its bytes do not turn up in the server's files by chance
    assert db.set_pin("ann", pin) and db.set_pin("bob", pin)
    with db.engine.connect() as conn:
        rows = {r.name_key: r for r in conn.execute(classdb.pins_table.select())}
        conn.exec_driver_sql("CHECKPOINT")  # the test's own SQL: every page on disk, in the tables' files
    assert rows["ann"].salt != rows["bob"].salt and rows["ann"].pin_hash != rows["bob"].pin_hash
    assert len(rows["ann"].salt) == 16 and len(rows["ann"].pin_hash) == 32
    assert (rows["ann"].n, rows["ann"].r, rows["ann"].p) == (
        classdb.SCRYPT_N,
        classdb.SCRYPT_R,
        classdb.SCRYPT_P,
    )
    salt = bytes(rows["ann"].salt)
    seen_salt = False
    for path in server.data.rglob("*"):  # the tables and the write-ahead log
        if path.is_file():
            raw = path.read_bytes()
            assert pin.encode() not in raw, f"the PIN as typed is in {path}"
            seen_salt = seen_salt or salt in raw
    assert seen_salt, "the scan did not reach the table's data (the salt is stored in it)"


def test_a_database_restart_costs_the_class_nothing(db, server):
    """The server restarts during a lesson: the replicas' pooled connections are dead, yet the next
    submission succeeds (each is tested before use) and nothing committed before is lost."""
    db.submit_run("ann", "hyperparams", SETTINGS, 0.9, 5, 1.0)
    assert db.set_pin("ann", "123456")
    with db.engine.connect() as conn:  # a connection now waiting in the pool
        conn.execute(sa.select(1))
    server.stop("fast")
    server.start()
    db.submit_gallery("bob", "gan", PNG)
    assert [e.name for e in db.entries()] == ["bob", "ann"] and db.check_pin("ann", "123456")
