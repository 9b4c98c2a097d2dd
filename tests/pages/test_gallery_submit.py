"""AppTest of the gallery buttons: the GAN, cGAN and VAE pages each put the sample grid they show on the
class board (`<page>_submit`) as a PNG under the student's name."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core import classdb, runs
from tests.apptest import open_page, sign_in, texts
from ui import board as ui_board


@pytest.fixture
def board(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    return classdb.db()


def test_each_generative_page_submits_its_sample_grid(board):
    """One session through the three pages (one AppTest: the data and models load once)."""
    at = open_page("app_pages/gan.py", "en")
    sign_in(at, "ken")
    for n, page in enumerate(("gan", "cgan", "vae"), start=1):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, at.exception
        ui_board.throttle.clear()  # a student takes longer than the board's gap per name between pages
        at.button(key=f"{page}_submit").click().run()
        assert not at.exception, at.exception
        assert "Submitted to the class board" in texts(at), page
        entry = board.entries("gallery")[0]
        assert len(board.entries("gallery")) == n
        assert (entry.name, entry.page) == ("ken", page)
        grid = Image.open(io.BytesIO(entry.image))
        assert grid.format == "PNG" and min(grid.size) >= 28  # at least one digit's worth
        assert "seed" in entry.settings
    at.button(key="vae_submit").click().run()  # a second click at once: one submission per moment
    assert "Wait a moment" in texts(at) and len(board.entries("gallery")) == 3
