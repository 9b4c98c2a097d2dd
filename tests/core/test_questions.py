"""core.questions: one answer per session and question, changed until the question closes; closed means
closed; reveal; anonymous answers counted apart; the distribution per kind; validation codes; a CSV for the
report; a fresh engine on the same file sees everything stored before."""

from __future__ import annotations

import csv
import io
import math

import pytest

from core import classdb, questions
from core.questions import QuestionError


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'class.sqlite3'}"


@pytest.fixture
def qs(url) -> questions.QuestionStore:
    return questions.store(url)


def test_one_answer_per_session_changeable_until_closed(qs):
    qid = qs.ask("Which activation?", "choice", ["Sigmoid", "ReLU", "tanh"], answer=1, page="xor")
    qs.answer(qid, "s1", 0, name="ann")
    qs.answer(qid, "s1", 2, name="ann")  # changed her mind: still one answer
    qs.answer(qid, "s2", 1, name="bob")
    got = {a.session: a.value for a in qs.answers(qid)}
    assert got == {"s1": "2", "s2": "1"}
    assert qs.distribution(qid).counts == (0, 1, 1)

    assert qs.close(qid).state == "closed"
    with pytest.raises(QuestionError) as e:
        qs.answer(qid, "s1", 0, name="ann")
    assert e.value.code == "closed"
    with pytest.raises(QuestionError) as e:
        qs.answer(qid, "s3", 0)  # a newcomer cannot answer a closed question either
    assert e.value.code == "closed"
    assert {a.session: a.value for a in qs.answers(qid)} == {"s1": "2", "s2": "1"}  # what was given stays


def test_reveal_follows_close_and_asking_again_closes_the_open_question(qs):
    first = qs.ask("2 + 2?", "number", answer=4, explanation="four")
    assert qs.latest(shown_only=True).id == first and qs.question(first).state == "open"
    q = qs.reveal(first)  # from open: closed and revealed at once
    assert q.state == "revealed" and q.shown_value(q.answer) == "4" and q.explanation == "four"
    with pytest.raises(QuestionError) as e:
        qs.close(first)  # revealed stays revealed
    assert e.value.code == "state"
    with pytest.raises(QuestionError) as e:
        qs.answer(first, "s1", 4)
    assert e.value.code == "closed"

    second = qs.ask("Name a loss", "text")
    third = qs.ask("Name an optimizer", "text")
    assert qs.question(second).state == "closed" and qs.question(third).state == "open"
    qs.hide(third)
    assert qs.question(third).state == "closed" and qs.latest(shown_only=True).id == second
    assert qs.latest().id == third  # the board still shows the last one
    with pytest.raises(QuestionError) as e:
        qs.reveal(999)
    assert e.value.code == "missing"


def test_anonymous_answers_are_counted_apart(qs):
    qid = qs.ask("Is a GAN supervised?", "choice", ["yes", "no"])
    qs.answer(qid, "s1", 1, name="ann")
    qs.answer(qid, "s2", 1)  # no name in the sidebar
    qs.answer(qid, "s3", 0, name="")
    d = qs.distribution(qid)
    assert (d.total, d.named, d.anonymous) == (3, 1, 2)
    assert d.counts == (1, 2)


def test_numbers_give_a_histogram_and_the_median(qs):
    qid = qs.ask("Validation accuracy after 5 epochs at lr 0.1?", "number", answer=0.9)
    for i, v in enumerate([0.5, 0.7, 0.8, 0.9, 0.95, "０．８５"]):  # full-width, as a Japanese IME types it
        qs.answer(qid, f"s{i}", v, name=f"n{i}")
    d = qs.distribution(qid)
    assert d.total == 6 and sum(d.counts) == 6 and len(d.edges) == len(d.counts) + 1
    assert d.edges[0] == 0.5 and d.edges[-1] == 0.95
    assert d.median == pytest.approx(0.825)

    same = qs.ask("Batch size?", "number")
    qs.answer(same, "a", 64)
    qs.answer(same, "b", 64)
    d = qs.distribution(same)
    assert d.counts == (2,) and d.edges[0] < 64 < d.edges[1] and d.median == 64
    assert qs.distribution(qs.ask("Nobody answers", "number")).counts == ()


def test_text_answers_are_listed_in_order(qs):
    qid = qs.ask("What does backward() do?", "text", answer="computes gradients")
    qs.answer(qid, "s1", "  computes   gradients ", name="ann")
    qs.answer(qid, "s2", "<b>updates</b> weights")
    d = qs.distribution(qid)
    assert d.texts == (("ann", "computes   gradients"), ("", "<b>updates</b> weights"))


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"text": "  "}, "empty"),
        ({"text": "x" * (questions.MAX_TEXT + 1)}, "too_long"),
        ({"text": "q", "kind": "essay"}, "kind"),
        ({"text": "q", "kind": "choice", "choices": ["only one"]}, "choices"),
        ({"text": "q", "kind": "choice", "choices": list("abcdefg")}, "choices"),
        ({"text": "q", "kind": "choice", "choices": ["a", " "]}, "empty"),
        ({"text": "q", "kind": "choice", "choices": ["a", "b"], "answer": 2}, "answer"),
        ({"text": "q", "kind": "number", "answer": "nan"}, "not_finite"),
        ({"text": "q", "kind": "number", "answer": float("inf")}, "not_finite"),
        ({"text": "q", "explanation": "x" * (questions.MAX_EXPLANATION + 1)}, "too_long"),
    ],
)
def test_a_bad_question_is_refused_with_a_code(qs, kwargs, code):
    with pytest.raises(QuestionError) as e:
        qs.ask(**kwargs)
    assert e.value.code == code
    assert qs.questions() == []


@pytest.mark.parametrize(
    "kind, value, code",
    [
        ("number", "abc", "not_finite"),
        ("number", "0,85", "not_finite"),  # a decimal comma is not guessed at
        ("number", math.nan, "not_finite"),
        ("number", "-inf", "not_finite"),
        ("choice", 5, "answer"),
        ("choice", "1", "answer"),
        ("text", "", "empty"),
        ("text", "y" * (questions.MAX_ANSWER + 1), "too_long"),
    ],
)
def test_a_bad_answer_is_refused_with_a_code(qs, kind, value, code):
    qid = qs.ask("q", kind, ["a", "b"] if kind == "choice" else ())
    with pytest.raises(QuestionError) as e:
        qs.answer(qid, "s1", value)
    assert e.value.code == code
    assert qs.answers(qid) == []


def test_the_report_has_every_answer_and_quotes_formulas(qs):
    qid = qs.ask("Pick one", "choice", ["=1+1", "two"], answer=1, page="xor")
    qs.answer(qid, "s1", 0, name="ann")
    qs.answer(qid, "s2", 1)
    rows = list(csv.DictReader(io.StringIO(qs.to_csv())))
    assert [(r["name"], r["answer"], r["right"]) for r in rows] == [("ann", "'=1+1", "0"), ("", "two", "1")]
    assert {r["page"] for r in rows} == {"xor"} and "s1" not in qs.to_csv()  # no session ids in a report


def test_a_fresh_engine_on_the_same_file_sees_everything(url, qs):
    qid = qs.ask("Which is a loss?", "choice", ["MSE", "ReLU"], answer=0, explanation="MSE is a loss")
    qs.answer(qid, "s1", 0, name="ann")
    qs.answer(qid, "s2", 1)
    qs.close(qid)
    again = questions.QuestionStore(classdb.ClassDB(url).engine)  # a restarted server, its own pool
    assert again.question(qid) == qs.question(qid)
    assert again.distribution(qid).counts == (1, 1)
    with pytest.raises(QuestionError):
        again.answer(qid, "s3", 0)
    assert again.reveal(qid).state == "revealed"
    assert qs.question(qid).state == "revealed"  # and the first engine sees the new engine's write


def test_the_store_shares_classdbs_engine(url):
    assert questions.store(url).engine is classdb.db(url).engine
