"""Who is where across every replica of the app, and how far each student got: the teacher's progress grid.

Each replica writes its sessions' seats (what ui.classroom keeps in memory: name, page, last seen, a summary
of the jobs, the last error) in one batched write every few seconds, replacing its own rows, and the
milestones its students reached, per name: a page opened, a run trained on it, the page's target reached
(core.topics.Target). What a student submitted to the board and answered to the live question is read from
their own tables (core.classdb, core.questions) when the grid is drawn, never copied. A replica that stops
writing (stopped, crashed) drops out of the view after STALE_S. The tables live on core.classdb's engine:
the same URL, pool and SQLite tuning; SQLAlchemy Core only, no dialect SQL. The teacher's "pause every
training job" is one flag row here, which every replica reads at its next write.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import os
import socket
import threading
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from core import classdb, topics

STALE_S = 30.0  # a replica writes every few seconds: ten silent writes mean it has gone
PURGE_S = 3600.0  # rows of a replica silent this long are deleted by the next write of any replica
KINDS = ("opened", "trained", "target")  # a page's milestones, in the order a student reaches them
RAN = ("running", "paused", "done", "diverged")  # a job in one of these states has trained (not "restored")
MAX_ERROR = 300  # characters of a seat's last error (ui.classroom keeps as many)

metadata = sa.MetaData()
seats_table = sa.Table(
    "presence_seats",
    metadata,
    sa.Column("session_id", sa.String(64), primary_key=True),  # ui.classroom's seat id (one per browser tab)
    sa.Column("replica", sa.String(64), nullable=False),  # LAB_REPLICA: the replica that wrote the row
    sa.Column("name", sa.String(64), nullable=False),  # as the student typed it ("" : no name yet)
    sa.Column("page", sa.String(32), nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),  # the session's last page run (UNIX time)
    sa.Column("jobs", sa.JSON, nullable=False),  # [{"page", "state", "fraction", "device"}, …]
    sa.Column("last_error", sa.String(MAX_ERROR), nullable=False, default=""),
    sa.Column("error_when", sa.Float),
    sa.Column("written", sa.Float, nullable=False),  # the replica's write that put the row here
)
milestones_table = sa.Table(
    "presence_milestones",
    metadata,
    sa.Column("name_key", sa.String(64), primary_key=True),  # classdb.name_key: the same student everywhere
    sa.Column("page", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),  # one of KINDS
    sa.Column("name", sa.String(64), nullable=False),  # as typed, to show
    sa.Column("at", sa.Float, nullable=False),  # when it was first reached
)
flags_table = sa.Table(
    "presence_flags",
    metadata,
    sa.Column("key", sa.String(32), primary_key=True),  # "pause"
    sa.Column("on", sa.Boolean, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),  # +1 at each change: a replica acts once on each
    sa.Column("updated", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class JobNote:
    page: str
    state: str  # core.jobs' states
    fraction: float  # 0..1
    device: str


@dataclass(frozen=True)
class SeatRow:
    session_id: str
    replica: str
    name: str
    page: str
    last_seen: float
    jobs: tuple[JobNote, ...] = ()
    last_error: str = ""
    error_when: float | None = None
    written: float = 0.0


@dataclass(frozen=True)
class Milestone:
    name: str
    page: str
    kind: str  # one of KINDS
    at: float


@dataclass(frozen=True)
class GridRow:
    """One student (one name, on every replica and tab) in the progress grid."""

    name: str
    replicas: tuple[str, ...]  # where the name has a seat now (empty: gone, milestones kept)
    page: str  # the page of its most recent seat ("" when gone)
    last_activity: float
    failed: bool  # one of its jobs ended in an error
    reached: dict[tuple[str, str], float] = field(default_factory=dict)  # (page, kind) → when; see columns()


def replica_name() -> str:
    """This process's name among the replicas: LAB_REPLICA (deploy/replicas.py), else the host's name."""
    return os.environ.get("LAB_REPLICA") or socket.gethostname()


def shared_database() -> bool:
    """LAB_DB_URL names the class database: several replicas may share it, so views come from it."""
    return bool(os.environ.get(classdb.ENV_URL))


def job_milestones(page: str, state: str, epochs_log: Sequence[dict], has_records: bool) -> tuple[str, ...]:
    """What a job of `page` in `state` counts for: ("trained",) once it ran, ("trained", "target") once
    its records meet the topic's declared target. A reopened run ("restored") counts for nothing."""
    if state not in RAN or not has_records:
        return ()
    topic = topics.BY_KEY.get(page)
    if topic is not None and topic.target is not None and topic.target.reached(state, list(epochs_log)):
        return ("trained", "target")
    return ("trained",)


def columns() -> list[tuple[str, str]]:
    """The grid's (page, kind) columns in the course's order: every page of parts 1-3 opened, and the
    pages that train trained and at their target."""
    cols = []
    for topic in topics.TOPICS:
        if topic.part > 3:
            continue
        cols.append((topic.key, "opened"))
        if topic.trains:
            cols.append((topic.key, "trained"))
            if topic.target is not None:
                cols.append((topic.key, "target"))
    return cols


class PresenceStore:
    """The seats and milestones of every replica. Thread-safe: each call takes its own connection."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        _create_tables(engine)

    # -- writing (each replica, every few seconds) -----------------------------------------------------
    def write(
        self,
        replica: str,
        seats: Iterable[SeatRow],
        milestones: Iterable[Milestone] = (),
        now: float | None = None,
    ) -> None:
        """This replica's seats, replacing the ones it wrote before (one transaction), then its milestones."""
        now = time.time() if now is None else now
        rows = [_seat_values(s, replica, now) for s in seats]
        with self.engine.begin() as conn:
            conn.execute(
                seats_table.delete().where(
                    (seats_table.c.replica == replica) | (seats_table.c.written < now - PURGE_S)
                )
            )
            if rows:
                conn.execute(seats_table.insert(), rows)  # one statement for every seat
        self.add_milestones(milestones)

    def add_milestones(self, milestones: Iterable[Milestone], tries: int = 3) -> int:
        """Record what is new (the first time a milestone is reached stays); returns how many were new."""
        first: dict[tuple[str, str, str], dict] = {}
        for m in milestones:
            key = (classdb.name_key(m.name), m.page, m.kind)
            if key[0] and m.kind in KINDS and (key not in first or m.at < first[key]["at"]):
                first[key] = {
                    "name_key": key[0],
                    "page": m.page,
                    "kind": m.kind,
                    "name": m.name[:64],
                    "at": m.at,
                }
        if not first:
            return 0
        names = sorted({k[0] for k in first})
        for attempt in range(tries):
            try:
                with self.engine.begin() as conn:
                    query = sa.select(
                        milestones_table.c.name_key, milestones_table.c.page, milestones_table.c.kind
                    )
                    seen = {
                        tuple(r) for r in conn.execute(query.where(milestones_table.c.name_key.in_(names)))
                    }
                    new = [v for k, v in first.items() if k not in seen]
                    if new:
                        conn.execute(milestones_table.insert(), new)
                    return len(new)
            except sa.exc.IntegrityError:  # another replica wrote one of them a moment ago: look again
                if attempt == tries - 1:
                    raise
        return 0

    # -- reading (the teacher's page) ------------------------------------------------------------------
    def seats(self, now: float | None = None, stale_s: float = STALE_S) -> list[SeatRow]:
        """Every replica's seats, without those of a replica that has not written for `stale_s`."""
        now = time.time() if now is None else now
        query = sa.select(seats_table).where(seats_table.c.written >= now - stale_s)
        with self.engine.connect() as conn:
            rows = [_seat(r._mapping) for r in conn.execute(query)]
        return sorted(rows, key=lambda s: (s.name.casefold(), s.replica, s.session_id))

    def milestones(self) -> list[Milestone]:
        query = sa.select(milestones_table).order_by(milestones_table.c.at)
        with self.engine.connect() as conn:
            return [Milestone(r.name, r.page, r.kind, r.at) for r in conn.execute(query)]

    def clear_milestones(self) -> int:
        """A new lesson: forget every milestone (the board and the answers stay)."""
        with self.engine.begin() as conn:
            return conn.execute(milestones_table.delete()).rowcount

    # -- the teacher's pause -----------------------------------------------------------------------------
    def set_paused(self, on: bool, now: float | None = None) -> int:
        """Turn the class-wide pause on or off; returns its new generation."""
        now = time.time() if now is None else now
        for _ in range(3):
            _, generation = self.pause_state()
            values = {"on": bool(on), "generation": generation + 1, "updated": now}
            try:
                with self.engine.begin() as conn:
                    done = conn.execute(
                        flags_table.update()
                        .where(flags_table.c.key == "pause", flags_table.c.generation == generation)
                        .values(**values)
                    )
                    if done.rowcount == 0 and generation == 0:
                        conn.execute(flags_table.insert().values(key="pause", **values))
                    elif done.rowcount == 0:
                        continue  # another teacher's click moved it since we looked
                return generation + 1
            except sa.exc.IntegrityError:  # two first clicks at once
                continue
        raise RuntimeError("the pause flag kept changing under us")

    def pause_state(self) -> tuple[bool, int]:
        """(on, generation) of the class-wide pause; (False, 0) before the first click."""
        query = sa.select(flags_table.c.on, flags_table.c.generation).where(flags_table.c.key == "pause")
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (False, 0) if row is None else (bool(row.on), int(row.generation))


def _seat_values(s: SeatRow, replica: str, now: float) -> dict:
    return {
        "session_id": s.session_id[:64],
        "replica": replica[:64],
        "name": s.name[:64],
        "page": s.page[:32],
        "last_seen": float(s.last_seen),
        "jobs": [
            {"page": j.page, "state": j.state, "fraction": round(float(j.fraction), 4), "device": j.device}
            for j in s.jobs
        ],
        "last_error": s.last_error[:MAX_ERROR],
        "error_when": s.error_when,
        "written": now,
    }


def _seat(row: Mapping) -> SeatRow:
    jobs = tuple(
        JobNote(
            str(j.get("page", "")),
            str(j.get("state", "")),
            float(j.get("fraction", 0.0)),
            str(j.get("device", "")),
        )
        for j in row["jobs"] or ()
    )
    return SeatRow(
        row["session_id"],
        row["replica"],
        row["name"],
        row["page"],
        row["last_seen"],
        jobs,
        row["last_error"] or "",
        row["error_when"],
        row["written"],
    )


def _create_tables(engine: sa.Engine, tries: int = 3) -> None:
    """As core.classdb's: replicas opening a new database at once race to create the tables."""
    for attempt in range(tries):
        try:
            metadata.create_all(engine)
            return
        except (sa.exc.ProgrammingError, sa.exc.IntegrityError, sa.exc.OperationalError):
            if attempt == tries - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


# -- the grid -----------------------------------------------------------------------------------------
def grid(
    seats: Sequence[SeatRow],
    milestones: Sequence[Milestone],
    submitted: Mapping[str, tuple[str, float]] | None = None,
    answered: Mapping[str, tuple[str, float]] | None = None,
) -> list[GridRow]:
    """One row per student name (tabs and replicas of the same name together), sorted by name as shown.

    `submitted` and `answered` map a name's key to (name, when) and become the ("board", "submitted") and
    ("question", "answered") entries of `reached`. Sessions without a name are left out: they have no
    milestones to show."""
    rows: dict[str, dict] = {}

    def row(name: str) -> dict | None:
        key = classdb.name_key(name)
        if not key:
            return None
        return rows.setdefault(
            key,
            {
                "name": name,
                "replicas": set(),
                "page": "",
                "seen": 0.0,
                "last": 0.0,
                "failed": False,
                "reached": {},
            },
        )

    for s in seats:
        if (r := row(s.name)) is None:
            continue
        r["replicas"].add(s.replica)
        if s.last_seen >= r["seen"]:
            r["name"], r["page"], r["seen"] = s.name, s.page, s.last_seen
        r["last"] = max(r["last"], s.last_seen)
        r["failed"] = r["failed"] or any(j.state == "error" for j in s.jobs)
    for m in milestones:
        if (r := row(m.name)) is None:
            continue
        r["reached"][(m.page, m.kind)] = min(m.at, r["reached"].get((m.page, m.kind), m.at))
        r["last"] = max(r["last"], m.at)
    for where, kind, marks in (("board", "submitted", submitted), ("question", "answered", answered)):
        for key, (name, at) in (marks or {}).items():
            r = rows.get(key) or row(name)
            if r is not None:
                r["reached"][(where, kind)] = at
                r["last"] = max(r["last"], at)
    return [
        GridRow(r["name"], tuple(sorted(r["replicas"])), r["page"], r["last"], r["failed"], r["reached"])
        for _, r in sorted(rows.items(), key=lambda kv: (kv[1]["name"].casefold(), kv[0]))
    ]


EXTRA_COLUMNS = (("board", "submitted"), ("question", "answered"))
CSV_HEAD = ("name", "replica", "page", "last_activity", "last_run_failed")


def grid_csv(rows: Sequence[GridRow]) -> str:
    """The grid as a spreadsheet: a column per (page, milestone) holding when it was first reached."""
    cols = [*columns(), *EXTRA_COLUMNS]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*CSV_HEAD, *(f"{page}.{kind}" for page, kind in cols)])
    for r in rows:
        cells = [r.name, "/".join(r.replicas), r.page, _iso(r.last_activity), int(r.failed)]
        cells += [_iso(r.reached[c]) if c in r.reached else "" for c in cols]
        writer.writerow([_safe_cell(c) for c in cells])
    return buf.getvalue()


def _iso(at: float) -> str:
    return _dt.datetime.fromtimestamp(at).isoformat(timespec="seconds") if at else ""


def _safe_cell(value):
    """A spreadsheet runs a cell that starts with = + - @ as a formula (a typed name can): quote it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# -- what other tables say ----------------------------------------------------------------------------
def submitted(url: str | None = None) -> dict[str, tuple[str, float]]:
    """Names that put something on the board (hidden entries too): key → (name, first time)."""
    entries = classdb.entries_table
    query = sa.select(entries.c.name, entries.c.created).order_by(entries.c.created)
    out: dict[str, tuple[str, float]] = {}
    with classdb.db(url).engine.connect() as conn:  # names and times only: the images stay in the table
        for name, created in conn.execute(query):
            out.setdefault(classdb.name_key(name), (name, created))
    return out


def questions_module():
    """core.questions where it exists (the live questions), else None: the grid goes without answers."""
    try:
        from core import questions  # another part of the lab, which this one does without
    except ImportError:
        return None
    return questions


def answered(url: str | None = None) -> dict[str, tuple[str, float]]:
    """Names that answered the latest question asked: key → (name, when); empty without questions."""
    questions = questions_module()
    if questions is None:
        return {}
    store_ = questions.store(url)
    latest = store_.latest()
    if latest is None:
        return {}
    return {
        classdb.name_key(a.name): (a.name, a.updated)
        for a in store_.answers(latest.id)
        if classdb.name_key(a.name)
    }


def answers_csv(url: str | None = None) -> str | None:
    """Every question's answers as CSV, or None without the questions store."""
    questions = questions_module()
    return None if questions is None else questions.store(url).to_csv()


_OPENING = threading.Lock()


@functools.lru_cache(maxsize=8)  # one store per database, on classdb's engine for it
def _cached(url: str) -> PresenceStore:
    return PresenceStore(classdb.db(url).engine)


def store(url: str | None = None) -> PresenceStore:
    """The presence tables of the class database at `url`, else the one the environment names now."""
    with _OPENING:
        return _cached(url or classdb.default_url())


def class_grid(url: str | None = None, skip_pages: Sequence[str] = ()) -> list[GridRow]:
    """The grid from the database: every replica's fresh seats (not those on `skip_pages`), every
    milestone, the board's names and the latest question's answers."""
    presence_ = store(url)
    seats = [s for s in presence_.seats() if s.page not in skip_pages]
    return grid(seats, presence_.milestones(), submitted(url), answered(url))


REPORT_FILES = ("progress.csv", "board.csv", "answers.csv")  # the last only with the questions store


def report_zip(url: str | None = None, skip_pages: Sequence[str] = ()) -> bytes:
    """The class report: the progress grid, the board (hidden entries too, marked) and, where the live
    questions exist, every answer; each a UTF-8 CSV with a BOM, which spreadsheets need for Japanese."""
    files = {
        "progress.csv": grid_csv(class_grid(url, skip_pages)),
        "board.csv": classdb.db(url).to_csv(include_hidden=True),
    }
    if (answers := answers_csv(url)) is not None:
        files["answers.csv"] = answers
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, "\ufeff" + text)
    return buf.getvalue()
