"""ui.worksheet, the builder in every page's "link to these settings": ticks make the link's hide=/lock=,
a page opened from a link starts with its ticks, the QR code encodes the link, and only the teacher's
session can offer the link to the class."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from ui import classroom, worksheet

TOKEN = "a long classroom passphrase"


def demo_page():
    import streamlit as st

    from ui import links

    links.begin_run()
    st.slider("layers", 0, 3, 2, key="demo_layers", **links.bind("demo_layers"))
    st.select_slider("lr", (0.01, 0.1, 0.5), 0.1, key="demo_lr", **links.bind("demo_lr"))
    links.end_run()
    links.panel(st, "demo")


def run_with(params: dict[str, str], teacher_digest: bytes | None = None) -> AppTest:
    at = AppTest.from_function(demo_page, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    if teacher_digest is not None:
        at.session_state["_teacher_digest"] = teacher_digest
    return at.run()


def link_text(at: AppTest) -> str:
    return next(c.value for c in at.code if "/demo?" in c.value)


def test_ticks_make_the_links_hide_and_lock():
    at = run_with({"lang": "en", "demo_layers": "1"})
    assert not at.exception, at.exception
    assert "hide=" not in link_text(at)
    at.multiselect(key="links_hide").set_value(["demo_lr"]).run()
    at.multiselect(key="links_lock").set_value(["demo_layers"]).run()
    assert not at.exception, at.exception
    url = link_text(at)
    assert "demo_layers=1" in url and "hide=demo_lr" in url and "lock=demo_layers" in url
    assert "demo_lr" not in at.multiselect(key="links_lock").options  # hidden or locked, not both


def test_a_page_opened_from_a_link_starts_with_its_ticks():
    at = run_with({"lang": "ja", "hide": "demo_lr,lang", "lock": "demo_layers"})
    assert not at.exception, at.exception
    assert at.multiselect(key="links_hide").value == ["demo_lr"]  # "lang" is never hidden
    assert at.multiselect(key="links_lock").value == ["demo_layers"]


def test_the_qr_code_is_a_png_of_the_link_and_a_huge_link_gets_none():
    png = worksheet.qr_png("http://localhost:8501/xor?lang=ja&xor_lr=0.1")
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert worksheet.qr_png("http://localhost:8501/?" + "x" * (worksheet.MAX_QR_CHARS + 1)) is None
    at = run_with({"lang": "en"})
    at.toggle(key="links_qr").set_value(True).run()
    assert not at.exception, at.exception
    assert len(at.get("image")) == 1


def test_only_the_teacher_offers_the_link_to_the_class(monkeypatch):
    monkeypatch.setenv("LAB_TEACHER_TOKEN", TOKEN)
    classroom.classroom().withdraw()
    student = run_with({"lang": "en"})
    assert "links_offer" not in [b.key for b in student.button]
    teacher = run_with({"lang": "en", "demo_lr": "0.5"}, hashlib.sha256(TOKEN.encode()).digest())
    teacher.button(key="links_offer").click().run()
    assert not teacher.exception, teacher.exception
    message = classroom.classroom().message
    assert message is not None and message.link.endswith("/demo?lang=en&demo_layers=2&demo_lr=0.5")
    classroom.classroom().withdraw()
    # a forged call from a session that never typed the token sends nothing
    monkeypatch.setattr(worksheet.teacher, "is_teacher", lambda: False)
    monkeypatch.setattr(worksheet.st, "warning", lambda *a, **k: None)
    assert worksheet.offer("http://localhost:8501/demo") is False
    assert classroom.classroom().message is None


def test_ticks_of_another_pages_keys_are_dropped_not_an_error():
    at = run_with({"lang": "en"})
    at.session_state["links_hide"] = ["gan_grid_n", "demo_lr"]  # left from another page
    at.run()
    assert not at.exception, at.exception
    assert at.multiselect(key="links_hide").value == ["demo_lr"]
