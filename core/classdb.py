"""The class board and the students' PINs: one small database for the whole class.

The board holds what students submit for everyone to see (a finished hyperparameter run with its test
accuracy, a GAN / cGAN / VAE sample grid); the PINs keep a name's saved runs to its owner. SQLite in the
runs folder by default (WAL mode, so readers never block the one writer, and a busy timeout, so 40
students submitting at once wait their turn instead of failing); `LAB_DB_URL` points it elsewhere (any
database SQLAlchemy speaks: only SQLAlchemy Core, no dialect SQL), such as PostgreSQL
(`postgresql+psycopg://...`) for several replicas of the app on one class. A PIN is stored as an scrypt
hash with its own random salt and parameters, never as typed, and is compared in constant time.

Wrong PINs are counted per name in the database itself (`pin_tries`), so every browser, tab and replica
shares one count and a reload starts nothing over: after FREE_TRIES wrong PINs each further try waits
twice as long as the one before (`pause_after`), up to MAX_PAUSE_S. The SQLite file is made 0o600.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import hashlib
import hmac
import io
import json
import math
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from core import runs

ENV_URL = "LAB_DB_URL"
DB_FILE = "classboard.sqlite3"  # beside the saved runs (runs/ lists only folders, so it is never a run)
KINDS = ("run", "gallery")
MAX_IMAGE_BYTES = 2_000_000  # a sample grid is ~100 KB; anything far larger is not one
MAX_SETTINGS_CHARS = 4_000  # a run's settings as JSON; a dozen numbers and names
BUSY_TIMEOUT_MS = 15_000  # how long a writer waits for the lock before SQLite gives up
PIN_MIN, PIN_MAX = 6, 32  # characters: 6 digits are a million guesses; at the pauses below, years
FREE_TRIES = 3  # wrong PINs a name takes without a pause (typing slips)
MAX_PAUSE_S = 300.0  # the longest pause between tries: a name attacked all lesson still opens for its owner
DB_MODE = 0o600  # the SQLite file (its -wal and -shm files copy it): PIN hashes and names, owner only
# scrypt's cost: 16 MB and ~50 ms per check (RFC 7914's interactive setting). Stored with each hash, so
# raising them later leaves old PINs checkable.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

metadata = sa.MetaData()
entries_table = sa.Table(
    "board_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # "run" | "gallery"
    sa.Column("page", sa.String(32), nullable=False),  # the lab page it came from
    sa.Column("name", sa.String(64), nullable=False),  # as the student typed it
    sa.Column("settings", sa.JSON, nullable=False),  # the run's settings, or what drew the grid
    sa.Column("test_acc", sa.Float),  # 0..1; runs only
    sa.Column("epochs", sa.Integer),
    sa.Column("seconds", sa.Float),
    sa.Column("image", sa.LargeBinary),  # PNG bytes; gallery entries only
    sa.Column("created", sa.Float, nullable=False),  # UNIX time
    sa.Column("hidden", sa.Boolean, nullable=False, default=False),  # hidden by the teacher
)
pins_table = sa.Table(
    "pins",
    metadata,
    sa.Column("name_key", sa.String(64), primary_key=True),  # runs.safe_name, case-folded
    sa.Column("pin_hash", sa.LargeBinary, nullable=False),
    sa.Column("salt", sa.LargeBinary, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("r", sa.Integer, nullable=False),
    sa.Column("p", sa.Integer, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
pin_tries_table = sa.Table(
    "pin_tries",
    metadata,
    sa.Column("name_key", sa.String(64), primary_key=True),  # as in pins
    sa.Column("fails", sa.Integer, nullable=False),  # wrong PINs since the last right one (or reset)
    sa.Column("wait_until", sa.Float, nullable=False),  # UNIX time before which no PIN is checked
)


class BoardError(ValueError):
    """A submission or PIN that cannot be stored; `code` keys the translated message."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class PinTry:
    """What one typed PIN came to: `ok`, or how many seconds the name now waits before the next try."""

    ok: bool
    wait_s: float = 0.0
    fails: int = 0  # wrong PINs counted for the name so far


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    page: str
    name: str
    settings: dict
    test_acc: float | None
    epochs: int | None
    seconds: float | None
    image: bytes | None
    created: float
    hidden: bool


def default_url() -> str:
    """$LAB_DB_URL, else SQLite in the runs folder ($LAB_RUNS_DIR or runs/)."""
    return os.environ.get(ENV_URL) or f"sqlite:///{runs.runs_dir() / DB_FILE}"


def name_key(name: str) -> str:
    """The key a name's PIN is kept under: the same student as core.runs.same_name says."""
    return runs.safe_name(name).casefold()


def _tune_sqlite(dbapi_connection, _record) -> None:
    """Every new SQLite connection: WAL (readers and one writer at once, a crash loses nothing committed)
    and a busy timeout (a writer waits for the lock instead of failing with "database is locked")."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


class ClassDB:
    """The board and the PINs on one database. Thread-safe: every call takes its own connection from the
    engine's pool and commits before it returns."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        if self.url.startswith("sqlite:///") and not self.url.startswith("sqlite:///:memory:"):
            _private_file(Path(os.path.abspath(self.url[len("sqlite:///") :])))
        sqlite = sa.engine.make_url(self.url).get_backend_name() == "sqlite"
        # a database server (PostgreSQL) may restart during a lesson: test a pooled connection before use
        # instead of failing the first student after the restart; a SQLite file has nothing to lose
        self.engine = sa.create_engine(self.url, pool_timeout=60, pool_pre_ping=not sqlite)
        if sqlite:
            event.listen(self.engine, "connect", _tune_sqlite)
        _create_tables(self.engine)

    # -- the board ---------------------------------------------------------------------------
    def submit_run(
        self, name: str, page: str, settings: Mapping, test_acc: float, epochs: int, seconds: float
    ) -> int:
        """A finished run on the leaderboard; returns its id. BoardError on a bad value."""
        acc = _number(test_acc, "test_acc")
        if not 0.0 <= acc <= 1.0:
            raise BoardError("value", f"test accuracy {acc} is not in [0, 1]")
        return self._insert(
            kind="run",
            page=page,
            name=name,
            settings=settings,
            test_acc=acc,
            epochs=int(_number(epochs, "epochs", minimum=0)),
            seconds=_number(seconds, "seconds", minimum=0.0),
        )

    def submit_gallery(self, name: str, page: str, image_png: bytes, settings: Mapping | None = None) -> int:
        """A sample grid (PNG bytes) in the gallery; returns its id. BoardError on a bad image."""
        image = bytes(image_png or b"")
        if not image.startswith(PNG_MAGIC):
            raise BoardError("image", "not a PNG")
        if len(image) > MAX_IMAGE_BYTES:
            raise BoardError("image", f"{len(image)} bytes > {MAX_IMAGE_BYTES}")
        return self._insert(kind="gallery", page=page, name=name, settings=settings or {}, image=image)

    def _insert(self, *, kind: str, page: str, name: str, settings: Mapping, **values: Any) -> int:
        shown = runs.clean_name(name)  # no bidi override reorders the board, no control character
        if not shown:
            raise BoardError("name", "a name is needed")
        if page not in runs.PAGES:
            raise BoardError("value", f"unknown page {page!r}")
        row = {
            "kind": kind,
            "page": page,
            "name": shown,
            "settings": _json_dict(settings),
            "created": time.time(),
            "hidden": False,
            **values,
        }
        with self.engine.begin() as conn:  # one short transaction: the write lock is held for one INSERT
            return int(conn.execute(entries_table.insert().values(**row)).inserted_primary_key[0])

    def entries(self, kind: str | None = None, include_hidden: bool = False, limit: int | None = None):
        """Entries newest first (of one kind, or all), without the hidden ones unless asked."""
        if kind is not None and kind not in KINDS:
            raise BoardError("value", f"kind {kind!r} is not one of {KINDS}")
        query = sa.select(entries_table).order_by(entries_table.c.id.desc())
        if kind is not None:
            query = query.where(entries_table.c.kind == kind)
        if not include_hidden:
            query = query.where(entries_table.c.hidden == sa.false())
        if limit is not None:
            query = query.limit(int(limit))
        with self.engine.connect() as conn:
            return [Entry(**row._mapping) for row in conn.execute(query)]

    def hide(self, entry_id: int, hidden: bool = True) -> bool:
        """Hide an entry from the board (or show it again); False if there is no such entry."""
        with self.engine.begin() as conn:
            done = conn.execute(
                entries_table.update().where(entries_table.c.id == int(entry_id)).values(hidden=bool(hidden))
            )
            return done.rowcount > 0

    def clear(self) -> int:
        """Remove every entry (the PINs stay); returns how many were removed."""
        with self.engine.begin() as conn:
            return conn.execute(entries_table.delete()).rowcount

    def to_csv(self, include_hidden: bool = False) -> str:
        """Every entry as a spreadsheet row (oldest first; images left out), each setting in its own
        column. Text that a spreadsheet would run as a formula ("=...") is quoted."""
        rows = list(reversed(self.entries(include_hidden=include_hidden)))
        keys = sorted({k for e in rows for k in e.settings})
        head = ["id", "kind", "page", "name", "test_acc", "epochs", "seconds", "created", "hidden"]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(head + keys)
        for e in rows:
            created = _dt.datetime.fromtimestamp(e.created).isoformat(timespec="seconds")
            cells = [e.id, e.kind, e.page, e.name, e.test_acc, e.epochs, e.seconds, created, int(e.hidden)]
            cells += [_cell(e.settings.get(k)) for k in keys]
            writer.writerow([_safe_cell(c) for c in cells])
        return buf.getvalue()

    # -- PINs --------------------------------------------------------------------------------
    def has_pin(self, name: str) -> bool:
        return self.pin_stamp(name) is not None

    def pin_stamp(self, name: str) -> str | None:
        """The current PIN's salt as hex (None without a PIN): a session that proved a PIN keeps this,
        so a PIN reset and set anew by someone else needs proving again."""
        query = sa.select(pins_table.c.salt).where(pins_table.c.name_key == name_key(name))
        with self.engine.connect() as conn:
            salt = conn.execute(query).scalar_one_or_none()
        return None if salt is None else bytes(salt).hex()

    def set_pin(self, name: str, pin: str) -> bool:
        """Give `name` a PIN; False if it already has one (only the teacher's reset removes it)."""
        check_pin_format(pin)
        if not name_key(name):
            raise BoardError("name", "a name is needed")
        salt = secrets.token_bytes(16)
        row = {
            "name_key": name_key(name),
            "pin_hash": _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P),
            "salt": salt,
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "created": time.time(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(pins_table.insert().values(**row))
        except sa.exc.IntegrityError:  # the name's key is taken: someone set a PIN first
            return False
        return True

    def check_pin(self, name: str, pin: str) -> bool:
        """Whether `pin` is the PIN of `name` (False without a PIN, and while the name waits after wrong
        PINs). Counts a wrong one, like `try_pin`."""
        return self.try_pin(name, pin).ok

    def try_pin(self, name: str, pin: str) -> PinTry:
        """Check a typed PIN against the name's, counting it for the name in the database.

        The try is counted as wrong before the (slow) check and forgiven when it was right: two browsers
        guessing at once cannot both slip in before the count goes up. While the name waits, nothing is
        checked. Constant-time comparison."""
        key = name_key(name)
        query = sa.select(pins_table).where(pins_table.c.name_key == key)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return PinTry(False)  # no PIN, nothing to guess
        claimed = self._claim_try(key)
        if isinstance(claimed, float):  # the name waits
            return PinTry(False, wait_s=claimed)
        ok = isinstance(pin, str) and 0 < len(pin) <= PIN_MAX  # PINs set when 4 characters were allowed
        ok = ok and hmac.compare_digest(
            _scrypt(pin, bytes(row.salt), row.n, row.r, row.p), bytes(row.pin_hash)
        )
        if ok:
            self._forgive(key)
            return PinTry(True)
        return PinTry(False, wait_s=pause_after(claimed), fails=claimed)

    def pin_wait(self, name: str) -> float:
        """Seconds before `name` takes another PIN (0.0 when it takes one now)."""
        query = sa.select(pin_tries_table.c.wait_until).where(pin_tries_table.c.name_key == name_key(name))
        with self.engine.connect() as conn:
            until = conn.execute(query).scalar_one_or_none()
        return max(0.0, (until or 0.0) - now())

    def _claim_try(self, key: str) -> int | float:
        """Count one more try for `key`: its number of wrong tries now (an int), or the seconds to wait
        (a float) when the name waits or another try is being counted at this very moment."""
        now_s = now()
        with self.engine.connect() as conn:
            seen = conn.execute(sa.select(pin_tries_table).where(pin_tries_table.c.name_key == key)).first()
        if seen is not None and seen.wait_until > now_s:
            return float(seen.wait_until - now_s)
        fails = (seen.fails if seen is not None else 0) + 1
        values = {"fails": fails, "wait_until": now_s + pause_after(fails)}
        try:
            with self.engine.begin() as conn:
                if seen is None:
                    conn.execute(pin_tries_table.insert().values(name_key=key, **values))
                    return fails
                # counted only if nobody counted a try since we looked (no lost update across replicas)
                done = conn.execute(
                    pin_tries_table.update()
                    .where(pin_tries_table.c.name_key == key, pin_tries_table.c.fails == seen.fails)
                    .values(**values)
                )
        except sa.exc.IntegrityError:  # another try inserted the first count a moment ago
            return 1.0
        return fails if done.rowcount == 1 else 1.0

    def _forgive(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(pin_tries_table.delete().where(pin_tries_table.c.name_key == key))

    def reset_pin(self, name: str) -> bool:
        """Remove the PIN of `name` and its count of wrong tries (the teacher's reset); the runs stay.
        False if it had no PIN."""
        with self.engine.begin() as conn:
            conn.execute(pin_tries_table.delete().where(pin_tries_table.c.name_key == name_key(name)))
            done = conn.execute(pins_table.delete().where(pins_table.c.name_key == name_key(name)))
            return done.rowcount > 0


def _create_tables(engine: sa.Engine, tries: int = 3) -> None:
    """The tables, unless they exist: a restart keeps everything. Replicas of the app that open a new
    database at the same moment race to create them; the loser's CREATE fails once the winner commits
    (PostgreSQL: a duplicate in its catalogue), and the next look finds the tables there."""
    for attempt in range(tries):
        try:
            metadata.create_all(engine)  # looks first, creates only what is missing
            return
        except (sa.exc.ProgrammingError, sa.exc.IntegrityError, sa.exc.OperationalError):
            if attempt == tries - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


def now() -> float:
    """The clock of the PIN back-off: UNIX time, the same on every replica (tests move it by hand)."""
    return time.time()


def pause_after(fails: int) -> float:
    """Seconds a name waits after its `fails`-th wrong PIN in a row: none for the first FREE_TRIES, then
    2, 4, 8, … up to MAX_PAUSE_S."""
    return 0.0 if fails <= FREE_TRIES else min(MAX_PAUSE_S, 2.0 ** (fails - FREE_TRIES))


def _private_file(path: Path) -> None:
    """The SQLite file, made before SQLite opens it, readable by its owner only (and its folder)."""
    runs.make_private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, DB_MODE))  # an empty file is a new database
    if path.stat().st_mode & 0o777 != DB_MODE:
        os.chmod(path, DB_MODE)


def check_pin_format(pin: str) -> None:
    """BoardError("pin") unless `pin` is 6 to 32 characters without spaces at its ends."""
    if not isinstance(pin, str) or not PIN_MIN <= len(pin) <= PIN_MAX or pin != pin.strip():
        raise BoardError("pin", f"a PIN has {PIN_MIN} to {PIN_MAX} characters")


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024**2, dklen=32)


def _number(value: Any, what: str, minimum: float | None = None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as e:
        raise BoardError("value", f"{what}: {value!r}") from e
    if not math.isfinite(x) or (minimum is not None and x < minimum):
        raise BoardError("value", f"{what}: {value!r}")
    return x


def _json_dict(settings: Mapping) -> dict:
    """Settings as plain JSON (tuples as lists, NaN refused), small enough for a row."""
    try:
        text = json.dumps(dict(settings or {}), allow_nan=False, default=str)
    except (TypeError, ValueError) as e:
        raise BoardError("value", f"settings: {e}") from e
    if len(text) > MAX_SETTINGS_CHARS:
        raise BoardError("value", f"settings: {len(text)} characters")
    return json.loads(text)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "/".join(str(v) for v in value)  # channels (16, 32) → "16/32", as the page writes them
    return value


def _safe_cell(value: Any) -> Any:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: quote such text (not numbers)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


_OPENING = threading.Lock()  # two sessions' first calls at once would otherwise both create the tables


@functools.lru_cache(maxsize=8)  # one engine (and its pool) per database, opened on first use
def _cached(url: str) -> ClassDB:
    return ClassDB(url)


def _open(url: str) -> ClassDB:
    with _OPENING:
        return _cached(url)


def db(url: str | None = None) -> ClassDB:
    """The database at `url`, else the one $LAB_DB_URL / $LAB_RUNS_DIR point at now; opened once per
    process and URL."""
    return _open(url or default_url())


# The module-level functions the pages call: each on the database the environment names now.
def submit_run(name: str, page: str, settings: Mapping, test_acc: float, epochs: int, seconds: float) -> int:
    return db().submit_run(name, page, settings, test_acc, epochs, seconds)


def submit_gallery(name: str, page: str, image_png: bytes, settings: Mapping | None = None) -> int:
    return db().submit_gallery(name, page, image_png, settings)


def entries(kind: str | None = None, include_hidden: bool = False, limit: int | None = None) -> list[Entry]:
    return db().entries(kind, include_hidden, limit)


def hide(entry_id: int, hidden: bool = True) -> bool:
    return db().hide(entry_id, hidden)


def clear() -> int:
    return db().clear()


def to_csv(include_hidden: bool = False) -> str:
    return db().to_csv(include_hidden)


def has_pin(name: str) -> bool:
    return db().has_pin(name)


def pin_stamp(name: str) -> str | None:
    return db().pin_stamp(name)


def set_pin(name: str, pin: str) -> bool:
    return db().set_pin(name, pin)


def check_pin(name: str, pin: str) -> bool:
    return db().check_pin(name, pin)


def try_pin(name: str, pin: str) -> PinTry:
    return db().try_pin(name, pin)


def pin_wait(name: str) -> float:
    return db().pin_wait(name)


def reset_pin(name: str) -> bool:
    return db().reset_pin(name)
