"""The live question's chart: a bar per choice with its label escaped (Plotly reads tags in text), the right
one marked only after the reveal; numbers as a histogram whose bars hold every answer."""

from __future__ import annotations

import dataclasses

from core import questions
from ui import questions as ui_questions


def _question(kind: str, choices=(), answer=None, state="open") -> questions.Question:
    return questions.Question(1, kind, "q", "", tuple(choices), answer, "", "", state, True, 0.0)


def _answers(values) -> list[questions.Answer]:
    return [questions.Answer(1, f"s{i}", "", str(v), float(i)) for i, v in enumerate(values)]


def test_choices_are_escaped_and_the_right_one_shows_only_after_the_reveal():
    q = _question("choice", ["<b>bold</b>", "ReLU", "tanh"], answer="1")
    d = questions.distribution(q, _answers([0, 1, 1]))
    fig = ui_questions.figure(d)
    bar = fig.data[0]
    assert list(bar.x) == [1, 2, 0]
    assert bar.y[0] == "1. &lt;b&gt;bold&lt;/b&gt;"
    assert len(set(bar.marker.color)) == 1  # open: no answer given away
    revealed = ui_questions.figure(dataclasses.replace(d, question=dataclasses.replace(q, state="revealed")))
    colours = list(revealed.data[0].marker.color)
    assert colours[1] == ui_questions.RIGHT and ui_questions.RIGHT not in (colours[0], colours[2])


def test_numbers_make_a_histogram_with_the_median_marked():
    q = _question("number", answer=repr(0.9), state="revealed")
    d = questions.distribution(q, _answers([0.5, 0.7, 0.8, 0.9, 0.95]))
    fig = ui_questions.figure(d)
    assert sum(fig.data[0].y) == 5
    lines = [s.x0 for s in fig.layout.shapes]
    assert d.median in lines and 0.9 in lines  # the median, and the right number once revealed


def test_review_keys_pair_each_question_with_its_answer():
    keys = ui_questions.review_keys()
    assert keys[:2] == ("xor.q1", "xor.q2")  # the course's order: XOR is the first page with questions
    assert all(ui_questions.answer_key(k).rsplit(".", 1)[-1].startswith("a") for k in keys)
    assert "diffusion.review.q4" in keys and ui_questions.topic_of("diffusion.review.q4") == "diffusion"
