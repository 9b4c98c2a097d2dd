"""AppTest of the class board page: both languages, empty and filled; the leaderboard best first, the
class's chart one trace per batch size, the newest images, the CSV; the teacher's hide and clear only for a
session that proved the token, and never without LAB_TEACHER_TOKEN."""

from __future__ import annotations

import hashlib
import json

import pytest

from core import classdb, runs
from tests.apptest import open_page, texts
from tests.pages.test_home_page import raw_keys_shown
from ui import board as ui_board

PAGE = "app_pages/board.py"
TOKEN = "teach-me-4321"
PNG = classdb.PNG_MAGIC + b"\x00" * 16
TEACHER_KEYS = ("board_hide", "board_clear", "board_hide_pick", "board_clear_confirm")


@pytest.fixture
def board(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    monkeypatch.delenv("LAB_TEACHER_TOKEN", raising=False)
    return classdb.db()


def _fill(board) -> dict[str, int]:
    ids = {
        "ann": board.submit_run("ann", "hyperparams", {"lr": 0.01, "batch_size": 64}, 0.91, 5, 10.0),
        "bob": board.submit_run("bob", "hyperparams", {"lr": 0.1, "batch_size": 32}, 0.95, 5, 12.0),
        "cai": board.submit_run("cai", "hyperparams", {"lr": 0.001, "batch_size": 64}, 0.80, 3, 8.0),
    }
    ids["dee"] = board.submit_gallery("dee", "gan", _png())
    return ids


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (8, 8), 200).save(buf, format="PNG")
    return buf.getvalue()


def _keys(at) -> set[str]:
    return {w.key for kind in ("button", "selectbox", "checkbox") for w in getattr(at, kind)}


def _names(at) -> list[str]:
    frame = at.dataframe[0].value
    return list(frame[frame.columns[1]])


def _captions(at) -> list[str]:
    """The gallery's captions: plain text under each image (a name is never Markdown)."""
    return [el.value for el in at.text]


def _check_filled(at, lang: str) -> None:
    assert not at.exception, at.exception
    assert raw_keys_shown(texts(at)) == []
    assert _names(at) == ["bob", "ann", "cai"]  # best test accuracy first
    assert list(at.dataframe[0].value.iloc[0])[:7] == [1, "bob", 95.0, 0.1, 32, 5, 12.0]
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    batch = {"en": "batch {}", "ja": "バッチ {}"}[lang]
    assert [d["name"] for d in chart["data"]] == [batch.format(32), batch.format(64)]  # one per batch size
    assert chart["layout"]["xaxis"]["type"] == "log"
    assert _captions(at) == [{"en": "dee · GAN", "ja": "dee ・ GAN"}[lang]]  # the gallery
    count = {"en": "3 runs and 1 images submitted", "ja": "提出 3 件（学習）・ 1 件（画像）"}[lang]
    assert count in texts(at)
    (csv_button,) = at.get("download_button")
    assert csv_button.proto.label == {"en": "Download as CSV", "ja": "CSV でダウンロード"}[lang]
    assert not _keys(at) & set(TEACHER_KEYS), "no teacher's controls without the token"


def test_the_board_in_both_languages_empty_filled_and_unreadable(board, tmp_path, monkeypatch):
    """One session (one AppTest: the data loads once): Japanese, then English."""
    at = open_page(PAGE, "ja")
    assert not at.exception, at.exception
    assert raw_keys_shown(texts(at)) == []
    assert "まだ提出がありません" in texts(at)
    assert not at.dataframe and not _keys(at) & set(TEACHER_KEYS)

    _fill(board)  # submissions from other sessions: the next refresh shows them
    ui_board.changed()  # (a refresh within the snapshot's few seconds would show the same)
    at.run()
    _check_filled(at, "ja")
    at.selectbox(key="lang").set_value("en")  # the sidebar's language box, as a student switches
    at.run()
    _check_filled(at, "en")

    bad = tmp_path / "not_a_db.sqlite3"  # a damaged database file: a message, never a traceback
    bad.write_bytes(b"this is not a database file at all" * 100)
    monkeypatch.setenv(classdb.ENV_URL, f"sqlite:///{bad}")
    at.run()
    assert not at.exception, at.exception
    assert "database could not be opened" in " ".join(e.value for e in at.error)


def test_only_a_session_that_proved_the_token_hides_and_clears(board, monkeypatch):
    ids = _fill(board)
    at = open_page(PAGE, "en")
    digest = hashlib.sha256(TOKEN.encode()).digest()
    at.session_state["_teacher_digest"] = digest  # forged: the server has no token
    at.run()
    assert not at.exception and not _keys(at) & set(TEACHER_KEYS)
    monkeypatch.setenv("LAB_TEACHER_TOKEN", "another-token")  # a digest of the wrong token
    at.run()
    assert not _keys(at) & set(TEACHER_KEYS)

    monkeypatch.setenv("LAB_TEACHER_TOKEN", TOKEN)
    at.run()
    assert not at.exception, at.exception
    assert set(TEACHER_KEYS) <= _keys(at)
    at.selectbox(key="board_hide_pick").set_value(ids["bob"]).run()
    at.button(key="board_hide").click().run()
    assert not at.exception, at.exception
    assert f"Entry #{ids['bob']} is hidden." in texts(at)
    assert _names(at) == ["ann", "cai"]
    assert [e.name for e in board.entries("run", include_hidden=True)] == ["cai", "bob", "ann"]

    assert at.button(key="board_clear").disabled  # the confirmation box first
    at.checkbox(key="board_clear_confirm").check().run()
    at.button(key="board_clear").click().run()
    assert not at.exception, at.exception
    assert "The board is empty (4 entries removed)." in texts(at)
    assert board.entries(include_hidden=True) == [] and not at.dataframe
    assert at.checkbox(key="board_clear_confirm").value is False
