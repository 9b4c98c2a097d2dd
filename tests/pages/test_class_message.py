"""The teacher's message on a student's page: drawn by a fragment that polls every few seconds (so it reaches
a page nobody clicks; the browser test tests/e2e/test_classroom_e2e.py times it), shown as typed and never
as Markdown or HTML, dismissed for good by the student, and a new message shows again."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.apptest import open_page, texts
from ui import classroom

SAYS = {"ja": "先生からのお知らせ", "en": "From the teacher"}
TRICKY = "**太字** [課題](http://x) ![](http://x/y.png) <img src=x onerror=alert(1)> :red[赤] $x^2$"


def rendered(at) -> str:
    """What the page drew as Markdown (where a message must never go)."""
    return " ".join(m.value for m in at.markdown)


def test_the_banner_is_a_fragment_that_polls_every_few_seconds(monkeypatch):
    real = st.fragment
    made: list[tuple[str, object]] = []

    def spy(func=None, *, run_every=None, **kwargs):
        def wrap(f):
            made.append((f.__name__, run_every))
            return real(f, run_every=run_every, **kwargs)

        return wrap if func is None else wrap(func)

    monkeypatch.setattr(st, "fragment", spy)
    at = open_page("app_pages/xor.py", "en")
    assert not at.exception, at.exception
    assert ("_draw_banner", classroom.BANNER_EVERY_S) in made
    assert 1 <= classroom.BANNER_EVERY_S <= 5  # within seconds, and not a poll per second per student


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_message_is_shown_as_typed(lang):
    student = open_page("app_pages/tensors.py", lang)
    assert SAYS[lang] not in texts(student)
    classroom.classroom().send(TRICKY, "https://example.org/課題")
    student.run()
    assert not student.exception, student.exception
    assert SAYS[lang] in texts(student)
    assert [el.value for el in student.text] == [TRICKY]  # st.text: the characters, nothing interpreted
    assert "太字" not in rendered(student) and "img" not in rendered(student)
    with pytest.raises(ValueError):  # a link that would run code never reaches a page
        classroom.classroom().send("click", "javascript:alert(1)")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_dismissed_message_stays_dismissed_and_a_new_one_appears(lang):
    room = classroom.classroom()
    room.send("first")
    student = open_page("app_pages/xor.py", lang)
    assert "first" in texts(student)
    key = next(b.key for b in student.button if b.key.startswith(f"{classroom.BANNER_KEY}_dismiss_"))
    student.button(key=key).click().run()
    assert SAYS[lang] not in texts(student)
    student.run()
    student.run()
    assert SAYS[lang] not in texts(student)  # not on the next runs either
    room.send("second")
    student.run()
    assert "second" in texts(student) and "first" not in texts(student)
    room.withdraw()
    student.run()
    assert SAYS[lang] not in texts(student)
