"""The class board against one student filling it: submissions are counted per name for the whole server
(a new tab or session does not start a new wait) and per minute for everyone; the gallery shows each name's
newest image only; a name is shown as typed, never as Markdown; a name with a PIN submits only from a
session that typed it. And the board's table on a projector: no empty rows, every header whole."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core import classdb, runs
from tests.apptest import open_page, sign_in, texts
from ui import board as ui_board
from ui.i18n import catalogs


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    return classdb.db()


def _png(shade: int = 200) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (8, 8), shade).save(buf, format="PNG")
    return buf.getvalue()


# -- the throttle itself -------------------------------------------------------------------------
def test_one_name_waits_its_gap_whatever_its_case_and_others_do_not():
    throttle = ui_board.Throttle(gap_s=20, per_minute=100)
    assert throttle.take("Hanako", now=0.0) is None
    assert throttle.take("hanako", now=5.0) == "too_fast"  # the same student, as core.runs reads names
    assert throttle.take("taro", now=5.0) is None
    assert throttle.take("Hanako", now=19.9) == "too_fast"
    assert throttle.take("Hanako", now=20.0) is None


def test_the_server_takes_at_most_per_minute_submissions_from_everyone():
    throttle = ui_board.Throttle(gap_s=20, per_minute=3)
    assert [throttle.take(f"n{i}", now=float(i)) for i in range(4)] == [None, None, None, "busy"]
    assert throttle.take("n9", now=59.9) == "busy"
    assert throttle.take("n9", now=60.0) is None  # the first of the minute has left it
    assert throttle.take("n3", now=61.0) is None  # refused before, so not counted against its name


# -- through the pages ---------------------------------------------------------------------------
def _gallery_app():
    import streamlit as st

    from ui import board

    board.gallery_button("gan", st.session_state["_png"])


def _session(name: str, png: bytes, lang: str = "ja") -> AppTest:
    at = AppTest.from_function(_gallery_app)
    at.query_params["lang"] = lang
    at.session_state["_png"] = png
    sign_in(at, name)
    return at.run()


def _click(at: AppTest) -> AppTest:
    at.button(key="gan_submit").click().run()
    assert not at.exception, at.exception
    return at


def test_a_second_session_under_the_same_name_waits_too(store):
    first = _click(_session("はなこ", _png(10)))
    assert "提出しました" in texts(first)
    second = _click(_session("はなこ", _png(20)))  # another tab: a new session, the same name
    wait = catalogs()["ja"]["board.too_fast"].format(s=round(ui_board.NAME_GAP_S))
    assert wait in [i.value for i in second.info]
    other = _click(_session("たろう", _png(30)))
    assert "提出しました" in texts(other)
    assert [e.name for e in store.entries("gallery")] == ["たろう", "はなこ"]


def test_a_name_with_a_pin_submits_only_after_its_pin(store):
    store.set_pin("はなこ", "4321-pin")
    at = _click(_session("はなこ", _png()))
    assert store.entries("gallery") == []
    assert any("PIN" in w.value for w in at.warning), [w.value for w in at.warning]


def test_the_gallery_shows_each_names_newest_image_and_names_as_typed(store):
    marked = "![](https://example.com/x.png)"
    linked = "[先生の課題](https://example.com)"
    for name in ("ann", "ann", "ann", marked, linked, "ANN"):
        store.submit_gallery(name, "gan", _png())
    at = open_page("app_pages/board.py", "en")
    assert not at.exception, at.exception
    captions = [el.value for el in at.text]
    assert all(not img.caption for el in at.get("image") for img in el.proto.imgs)  # Markdown: unused
    assert len(captions) == 3  # ann (any case) once, and the two others
    assert captions[0] == "ANN · GAN"  # the newest of ann's
    assert set(captions[1:]) == {f"{marked} · GAN", f"{linked} · GAN"}  # plain text: shown as typed


def test_the_projector_table_has_no_empty_rows_and_whole_headers(store):
    for i in range(3):
        store.submit_run(f"n{i}", "hyperparams", {"lr": 0.0123456, "batch_size": 64}, 0.9 - i / 10, 3, 5.0)
    at = open_page("app_pages/board.py", "ja")
    at.session_state["projector"] = True
    at.run()
    assert not at.exception, at.exception
    (table,) = at.dataframe
    frame = table.value
    assert catalogs()["ja"]["board.col.settings"] not in frame.columns  # too wide for the projector
    assert list(frame[catalogs()["ja"]["board.col.lr"]]) == [0.012] * 3  # two significant digits
    row = ui_board.row_px(projector=True)
    assert ui_board.table_height(3, projector=True) == 4 * row + 3  # the header and 3 rows, none empty
    assert ui_board.table_height(50, projector=True) == (ui_board.TABLE_ROWS + 1) * row + 3
    widths = {
        name: config["width"]
        for name, config in ui_board.column_config(projector=True).items()
        if isinstance(config, dict) and "width" in config
    }
    font = ui_board.FONT_PX * 21 / 16
    for header, width in widths.items():
        assert width >= ui_board.text_px(header, font) + 20, (header, width)  # the header fits whole
    assert sum(widths.values()) <= 1070 * 4 / 7, widths  # the table's column at 1280 px: no sideways scroll
