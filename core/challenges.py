"""Class challenges on the board: the teacher sets a goal for the class's Hyperparameters runs ("the best
validation accuracy in at most 3 epochs", "reach 95 %"), the board ranks the runs submitted since, live,
with each student's best run and its settings, and every student sees where their run stands.

One challenge at a time (setting a new one closes the last). Its table lives in the class database beside
the board (core.classdb: the same engine, so one SQLite file or one PostgreSQL for every replica); what it
ranks are the board's own run entries, so nothing is submitted twice.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from core import classdb

MAX_TEXT = 300  # characters: one line on the projector
MAX_EPOCHS = 100

metadata = sa.MetaData()
challenges_table = sa.Table(
    "challenges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("text", sa.String(MAX_TEXT), nullable=False),  # as the teacher wrote it
    sa.Column("max_epochs", sa.Integer),  # runs of more epochs do not count; None: any
    sa.Column("target", sa.Float),  # validation accuracy (0..1) that "reaches the goal"; None: none
    sa.Column("opened", sa.Float, nullable=False),
    sa.Column("closed", sa.Float),  # None while it runs
)


class ChallengeError(ValueError):
    """A challenge that cannot be set; `code` keys the translated message (challenge.err.*)."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class Challenge:
    id: int
    text: str
    max_epochs: int | None
    target: float | None
    opened: float
    closed: float | None

    def counts(self, entry: classdb.Entry) -> bool:
        """Whether a board entry is a run this challenge ranks: a shown run of the Hyperparameters page,
        submitted while the challenge ran, within its epochs."""
        return (
            entry.kind == "run"
            and entry.page == "hyperparams"
            and not entry.hidden
            and entry.test_acc is not None
            and entry.created >= self.opened
            and (self.closed is None or entry.created <= self.closed)
            and (self.max_epochs is None or (entry.epochs or 0) <= self.max_epochs)
        )


@dataclass(frozen=True)
class Place:
    """One name's best run in a challenge."""

    rank: int
    name: str
    acc: float
    epochs: int
    seconds: float
    settings: dict
    reached: bool  # the goal's target met (False when the challenge has none)


class ChallengeStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        metadata.create_all(engine)

    def set(self, text: str, max_epochs: int | None = None, target: float | None = None) -> Challenge:
        """A new challenge (closing the last one). ChallengeError on an empty or over-long text, epochs
        outside 1..MAX_EPOCHS, or a target outside (0, 1]."""
        text = (text or "").strip()
        if not text:
            raise ChallengeError("empty")
        if len(text) > MAX_TEXT:
            raise ChallengeError("too_long", f"{len(text)} > {MAX_TEXT} characters")
        if max_epochs is not None and not 1 <= int(max_epochs) <= MAX_EPOCHS:
            raise ChallengeError("epochs", str(max_epochs))
        if target is not None and not (
            isinstance(target, (int, float)) and math.isfinite(target) and 0 < target <= 1
        ):
            raise ChallengeError("target", str(target))
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(
                challenges_table.update().where(challenges_table.c.closed.is_(None)).values(closed=now)
            )
            new_id = conn.execute(
                challenges_table.insert().values(
                    text=text,
                    max_epochs=None if max_epochs is None else int(max_epochs),
                    target=None if target is None else float(target),
                    opened=now,
                    closed=None,
                )
            ).inserted_primary_key[0]
        return self.get(int(new_id))

    def get(self, challenge_id: int) -> Challenge | None:
        with self.engine.connect() as conn:
            row = conn.execute(challenges_table.select().where(challenges_table.c.id == challenge_id)).first()
        return None if row is None else Challenge(**row._mapping)

    def latest(self) -> Challenge | None:
        """The challenge running now, else the last one (its ranking stays on the board until the next)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                challenges_table.select().order_by(challenges_table.c.id.desc()).limit(1)
            ).first()
        return None if row is None else Challenge(**row._mapping)

    def close(self) -> bool:
        """End the running challenge (its ranking stays); False when none runs."""
        with self.engine.begin() as conn:
            done = conn.execute(
                challenges_table.update()
                .where(challenges_table.c.closed.is_(None))
                .values(closed=time.time())
            )
        return done.rowcount > 0


def ranking(challenge: Challenge, entries: Sequence[classdb.Entry]) -> list[Place]:
    """Each name's best counted run, best first (higher validation accuracy; then fewer epochs, then
    fewer seconds; then the earlier submission). Names compare as the board stores them."""
    best: dict[str, classdb.Entry] = {}
    for e in entries:
        if not challenge.counts(e):
            continue
        key = e.name.casefold()
        if key not in best or _order(e) < _order(best[key]):
            best[key] = e
    ordered = sorted(best.values(), key=_order)
    return [
        Place(
            rank=i + 1,
            name=e.name,
            acc=float(e.test_acc),
            epochs=int(e.epochs or 0),
            seconds=float(e.seconds or 0.0),
            settings=dict(e.settings),
            reached=challenge.target is not None and e.test_acc >= challenge.target,
        )
        for i, e in enumerate(ordered)
    ]


def _order(e: classdb.Entry) -> tuple:
    return (-float(e.test_acc), int(e.epochs or 0), float(e.seconds or 0.0), e.created, e.id)


def place_of(name: str, places: Sequence[Place]) -> Place | None:
    """`name`'s place in a ranking (names compared case-folded), None without a counted run."""
    key = name.strip().casefold()
    return next((p for p in places if p.name.casefold() == key), None)


_OPENING = threading.Lock()


@functools.lru_cache(maxsize=8)  # one store per database, on classdb's engine for it
def _cached(url: str) -> ChallengeStore:
    return ChallengeStore(classdb.db(url).engine)


def store(url: str | None = None) -> ChallengeStore:
    """The challenges in the class database at `url`, else the one the environment names now."""
    with _OPENING:
        return _cached(url or classdb.default_url())
