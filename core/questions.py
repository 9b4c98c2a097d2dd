"""Live questions for the whole class: the teacher asks (a page's review question, 確認問題, or a new one),
every student answers from the top of whichever page they are on, and the class's answers are counted.

A question is a "choice" (2 to 6 choices), a "number" to guess (the validation accuracy after 5 epochs at
lr 0.1) or a short "text"; it goes open → closed → revealed (its right answer and explanation shown).
One answer per browser session and question, changed as often as the student likes until the question
closes; a name or anonymous, counted apart. The tables live in the class database beside the board
(core.classdb: the same engine, so the same URL, pool and SQLite tuning; `pool_pre_ping` on a database
server, so a restart mid-question costs nothing stored and the next call works).
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import math
import statistics
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from core import classdb, runs

KINDS = ("choice", "number", "text")
STATES = ("open", "closed", "revealed")
MIN_CHOICES, MAX_CHOICES = 2, 6
MAX_TEXT = 500  # characters of a question: two or three sentences on a projector
MAX_CHOICE = 120  # characters of one choice: a line on a phone-sized column
MAX_EXPLANATION = 2_000  # the review questions' answers are a paragraph or two
MAX_ANSWER = 300  # a short free answer; an essay is not a live question
MAX_PAGE = 32  # a page's key (core.topics), as core.classdb stores it
MAX_BINS = 12  # a number question's histogram: readable from the back row

metadata = sa.MetaData()
questions_table = sa.Table(
    "live_questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(8), nullable=False),  # one of KINDS
    sa.Column("text", sa.String(MAX_TEXT), nullable=False),  # as the teacher wrote it (or the source's)
    sa.Column("source", sa.String(64), nullable=False, default=""),  # a review question's key, "xor.q1"
    sa.Column("choices", sa.JSON, nullable=False),  # [] unless kind == "choice"
    sa.Column("answer", sa.String(MAX_ANSWER)),  # the right answer as stored (see _value); None: none
    sa.Column("explanation", sa.Text, nullable=False, default=""),
    sa.Column("page", sa.String(MAX_PAGE), nullable=False, default=""),
    sa.Column("state", sa.String(8), nullable=False),  # one of STATES
    sa.Column("shown", sa.Boolean, nullable=False, default=True),  # False: taken off the students' pages
    sa.Column("created", sa.Float, nullable=False),
)
answers_table = sa.Table(
    "live_answers",
    metadata,
    sa.Column("question_id", sa.Integer, sa.ForeignKey("live_questions.id"), primary_key=True),
    sa.Column("session", sa.String(64), primary_key=True),  # the browser session's own id: one answer each
    sa.Column("name", sa.String(64), nullable=False),  # "" for an anonymous answer
    sa.Column("value", sa.String(MAX_ANSWER), nullable=False),  # see _value
    sa.Column("updated", sa.Float, nullable=False),
)


class QuestionError(ValueError):
    """A question or answer that cannot be stored; `code` keys the translated message (questions.err.*)."""

    CODES = ("empty", "too_long", "kind", "choices", "answer", "not_finite", "closed", "missing", "state")

    def __init__(self, code: str, detail: str = ""):
        assert code in self.CODES, f"unknown QuestionError code {code!r}"
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class Question:
    id: int
    kind: str
    text: str
    source: str
    choices: tuple[str, ...]
    answer: str | None  # stored form: a choice's index, a number's repr, or the text
    explanation: str
    page: str
    state: str
    shown: bool
    created: float

    def shown_value(self, value: str | None) -> str:
        """A stored value (the right answer, or a student's) as the class reads it: a choice's text."""
        if value is None:
            return ""
        if self.kind == "choice":
            i = int(value)
            return self.choices[i] if 0 <= i < len(self.choices) else value
        if self.kind == "number":
            return f"{float(value):g}"
        return value


@dataclass(frozen=True)
class Answer:
    question_id: int
    session: str
    name: str  # "" when anonymous
    value: str
    updated: float


@dataclass(frozen=True)
class Distribution:
    """What the class answered: `total` answers (`named` + `anonymous`); per kind, `counts` (one per
    choice), a histogram of numbers (`edges`, one more than `counts`) and their `median`, or the `texts`
    as (name, text), oldest first."""

    question: Question
    total: int
    named: int
    anonymous: int
    counts: tuple[int, ...] = ()
    edges: tuple[float, ...] = ()
    median: float | None = None
    texts: tuple[tuple[str, str], ...] = ()


def _clean(text: object, limit: int, code_empty: bool = True) -> str:
    """Text as stored: its ends stripped, no control character (a name's rules, core.runs.clean_name, would
    also cut it short and fold letters; a question keeps its line breaks)."""
    if not isinstance(text, str):
        raise QuestionError("empty" if code_empty else "answer", f"not text: {type(text).__name__}")
    lines = ["".join(c for c in line if c.isprintable()) for line in text.strip().splitlines()]
    out = "\n".join(line.rstrip() for line in lines).strip()
    if not out and code_empty:
        raise QuestionError("empty")
    if len(out) > limit:
        raise QuestionError("too_long", f"{len(out)} > {limit} characters")
    return out


def _number(value: object) -> float:
    """A finite float, from a number or the text a student typed: "0.85", or full-width "０．８５" from a
    Japanese input method (NFKC folds it); "85 %" and "0,85" are refused rather than guessed at."""
    try:
        x = float(unicodedata.normalize("NFKC", value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError) as e:
        raise QuestionError("not_finite", repr(value)) from e
    if not math.isfinite(x):
        raise QuestionError("not_finite", repr(value))
    return x


def _value(kind: str, choices: Sequence[str], value: object) -> str:
    """An answer (or the right one) in its stored form: a choice's index, a number's repr, a short text."""
    if kind == "choice":
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise QuestionError("answer", f"a choice is its number, got {value!r}")
        if not 0 <= int(value) < len(choices):
            raise QuestionError("answer", f"choice {value} of {len(choices)}")
        return str(int(value))
    if kind == "number":
        return repr(_number(value))
    return _clean(value, MAX_ANSWER)


class QuestionStore:
    """The live questions on one engine (core.classdb's). Thread-safe: each call its own connection."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        _create_tables(engine)

    # -- the teacher's side ----------------------------------------------------------------------------
    def ask(
        self,
        text: str,
        kind: str = "text",
        choices: Sequence[str] = (),
        answer: object = None,
        explanation: str = "",
        page: str = "",
        source: str = "",
    ) -> int:
        """A new question, open at once (any other open question closes: the class answers one at a time);
        returns its id. QuestionError on a bad question."""
        if kind not in KINDS:
            raise QuestionError("kind", repr(kind))
        text = _clean(text, MAX_TEXT)
        cleaned: list[str] = []
        if kind == "choice":
            cleaned = [_clean(c, MAX_CHOICE) for c in choices]
            if not MIN_CHOICES <= len(cleaned) <= MAX_CHOICES:
                raise QuestionError("choices", f"{len(cleaned)} choices")
        row = {
            "kind": kind,
            "text": text,
            "source": _clean(source, 64, code_empty=False),
            "choices": cleaned,
            "answer": None if answer is None or answer == "" else _value(kind, cleaned, answer),
            "explanation": _clean(explanation or "", MAX_EXPLANATION, code_empty=False),
            "page": _clean(page or "", MAX_PAGE, code_empty=False),
            "state": "open",
            "shown": True,
            "created": time.time(),
        }
        with self.engine.begin() as conn:
            conn.execute(
                questions_table.update().where(questions_table.c.state == "open").values(state="closed")
            )
            return int(conn.execute(questions_table.insert().values(**row)).inserted_primary_key[0])

    def close(self, question_id: int) -> Question:
        """No more answers (those given stay). A revealed question stays revealed."""
        return self._move(question_id, "closed", frm=("open", "closed"))

    def reveal(self, question_id: int) -> Question:
        """The right answer and the explanation to every student; closes the question if it was open."""
        return self._move(question_id, "revealed", frm=STATES)

    def hide(self, question_id: int) -> Question:
        """Off the students' pages (the answers stay, the board and the report still have it)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                questions_table.update().where(questions_table.c.id == int(question_id)).values(shown=False)
            )
        if done.rowcount == 0:
            raise QuestionError("missing", f"question {question_id}")
        if (q := self.question(question_id)) is not None and q.state == "open":
            return self.close(question_id)
        return self.question(question_id)

    def _move(self, question_id: int, to: str, frm: Sequence[str]) -> Question:
        with self.engine.begin() as conn:
            done = conn.execute(
                questions_table.update()
                .where(questions_table.c.id == int(question_id), questions_table.c.state.in_(tuple(frm)))
                .values(state=to)
            )
        q = self.question(question_id)
        if q is None:
            raise QuestionError("missing", f"question {question_id}")
        if done.rowcount == 0 and q.state != to:
            raise QuestionError("state", f"{q.state} → {to}")
        return q

    # -- reading -----------------------------------------------------------------------------------------
    def question(self, question_id: int) -> Question | None:
        query = sa.select(questions_table).where(questions_table.c.id == int(question_id))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _question(row)

    def latest(self, shown_only: bool = False) -> Question | None:
        """The newest question (the one on the students' pages when `shown_only`): one indexed read."""
        query = sa.select(questions_table).order_by(questions_table.c.id.desc()).limit(1)
        if shown_only:
            query = query.where(questions_table.c.shown == sa.true())
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _question(row)

    def questions(self) -> list[Question]:
        """Every question, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(questions_table).order_by(questions_table.c.id))
            return [_question(r) for r in rows]

    def answers(self, question_id: int) -> list[Answer]:
        """The question's answers, oldest change first."""
        query = (
            sa.select(answers_table)
            .where(answers_table.c.question_id == int(question_id))
            .order_by(answers_table.c.updated, answers_table.c.session)
        )
        with self.engine.connect() as conn:
            return [Answer(**r._mapping) for r in conn.execute(query)]

    # -- the students' side ------------------------------------------------------------------------------
    def answer(self, question_id: int, session: str, value: object, name: str = "") -> Answer:
        """This session's answer (a choice's number, a number, a text), replacing its earlier one while the
        question is open. QuestionError("closed") once it is closed, ("answer" / "not_finite" / "empty" /
        "too_long") for a bad value."""
        session = str(session or "")[:64]
        if not session:
            raise QuestionError("answer", "no session")
        q = self.question(question_id)
        if q is None:
            raise QuestionError("missing", f"question {question_id}")
        stored = _value(q.kind, q.choices, value)
        row = {"name": runs.clean_name(name or ""), "value": stored, "updated": time.time()}
        key = (answers_table.c.question_id == q.id) & (answers_table.c.session == session)
        still_open = sa.select(questions_table.c.id).where(
            questions_table.c.id == q.id, questions_table.c.state == "open"
        )
        for _ in range(2):  # an insert that loses a race with the same session's other tab becomes an update
            try:
                with self.engine.begin() as conn:
                    # the state is read in the same transaction as the write: a Close that committed first wins
                    if conn.execute(still_open).first() is None:
                        raise QuestionError("closed", f"question {q.id} is {self._state(conn, q.id)}")
                    if conn.execute(answers_table.update().where(key).values(**row)).rowcount == 0:
                        conn.execute(answers_table.insert().values(question_id=q.id, session=session, **row))
                return Answer(q.id, session, row["name"], stored, row["updated"])
            except sa.exc.IntegrityError:
                continue
        raise QuestionError("answer", "could not store the answer")

    @staticmethod
    def _state(conn, question_id: int) -> str:
        query = sa.select(questions_table.c.state).where(questions_table.c.id == question_id)
        return conn.execute(query).scalar_one_or_none() or "gone"

    # -- what the class answered -------------------------------------------------------------------------
    def distribution(self, question_id: int) -> Distribution:
        q = self.question(question_id)
        if q is None:
            raise QuestionError("missing", f"question {question_id}")
        return distribution(q, self.answers(q.id))

    def to_csv(self) -> str:
        """Every answer to every question, one row each (oldest question first), for the class report.
        A spreadsheet runs a cell that starts with = + - @ as a formula: such text is quoted."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        head = ["question_id", "page", "kind", "question", "state", "name", "answer", "right", "updated"]
        writer.writerow(head)
        query = sa.select(answers_table).order_by(
            answers_table.c.question_id, answers_table.c.updated, answers_table.c.session
        )
        with self.engine.connect() as conn:  # one read of every answer, not one per question
            every = [Answer(**r._mapping) for r in conn.execute(query)]
        by_id = {q.id: q for q in self.questions()}
        for a in every:
            if (q := by_id.get(a.question_id)) is not None:
                right = "" if q.answer is None else int(same_answer(q, a.value, q.answer))
                when = _dt.datetime.fromtimestamp(a.updated).isoformat(timespec="seconds")
                cells = [q.id, q.page, q.kind, q.text, q.state, a.name, q.shown_value(a.value), right, when]
                writer.writerow([classdb._safe_cell(c) for c in cells])
        return buf.getvalue()


def same_answer(q: Question, value: str, right: str) -> bool:
    """An answer is right: the same choice, the same number, the same text (case and spaces aside)."""
    if q.kind == "number":
        return math.isclose(float(value), float(right), rel_tol=1e-9, abs_tol=1e-12)
    if q.kind == "text":
        return " ".join(value.split()).casefold() == " ".join(right.split()).casefold()
    return value == right


def distribution(q: Question, answers: Sequence[Answer]) -> Distribution:
    """Counts per choice; for numbers a histogram (at most MAX_BINS bins) with the median; texts listed."""
    named = sum(1 for a in answers if a.name)
    base = {"question": q, "total": len(answers), "named": named, "anonymous": len(answers) - named}
    if q.kind == "choice":
        counts = [0] * len(q.choices)
        for a in answers:
            counts[int(a.value)] += 1
        return Distribution(**base, counts=tuple(counts))
    if q.kind == "number":
        values = [float(a.value) for a in answers]
        if not values:
            return Distribution(**base)
        lo, hi = min(values), max(values)
        if lo == hi:  # every answer the same: one bin around it
            pad = abs(lo) * 0.05 or 0.5
            edges = np.array([lo - pad, hi + pad])
        else:
            edges = np.histogram_bin_edges(values, bins=min(MAX_BINS, max(1, len(set(values)))))
        counts, edges = np.histogram(values, bins=edges)
        return Distribution(
            **base,
            counts=tuple(int(c) for c in counts),
            edges=tuple(float(e) for e in edges),
            median=float(statistics.median(values)),
        )
    return Distribution(**base, texts=tuple((a.name, a.value) for a in answers))


def _question(row) -> Question:
    m = dict(row._mapping)
    m["choices"] = tuple(m["choices"] or ())
    m["source"] = m["source"] or ""
    m["explanation"] = m["explanation"] or ""
    m["page"] = m["page"] or ""
    return Question(**m)


def _create_tables(engine: sa.Engine, tries: int = 3) -> None:
    """The tables, unless they exist (a restart keeps every question and answer). Replicas that open a new
    database at once race to create them: the loser retries and finds them (as core.classdb does)."""
    for attempt in range(tries):
        try:
            metadata.create_all(engine)
            return
        except (sa.exc.ProgrammingError, sa.exc.IntegrityError, sa.exc.OperationalError):
            if attempt == tries - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


_OPENING = threading.Lock()


@functools.lru_cache(maxsize=8)  # one store per database, on classdb's engine for it
def _cached(url: str) -> QuestionStore:
    return QuestionStore(classdb.db(url).engine)


def store(url: str | None = None) -> QuestionStore:
    """The questions in the class database at `url`, else the one the environment names now
    (core.classdb.default_url)."""
    with _OPENING:
        return _cached(url or classdb.default_url())
