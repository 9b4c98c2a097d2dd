"""Fault: a shipped checkpoint missing or corrupt. Every page that shows a shipped model
says so in the user's language and still offers to train; nothing raises.

`core.checkpoints.SHIPPED_DIR` is pointed at a temporary folder (AppTest runs pages in this process).
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from core import checkpoints
from tests.apptest import open_page, texts

REAL_DIR = checkpoints.SHIPPED_DIR
# page file -> the key of its Train button (the "offer to train"); Home lists the checkpoints
PAGES = {
    "app_pages/cnn.py": "cnn_train",
    "app_pages/gan.py": "gan_train",
    "app_pages/cgan.py": "cgan_train",
    "app_pages/vae.py": "vae_train",
    "app_pages/attention.py": "attention_train",
    None: None,  # Home
}
# what each fault makes the pages say, per language (ui/strings/common.py ckpt.*); a file cut in half
# is no longer a zip archive, so core.checkpoints reports it as "not a checkpoint" (either is fine here)
SAYS = {
    ("missing", "ja"): ("見つかりません",),
    ("missing", "en"): ("File not found",),
    ("corrupt", "ja"): ("壊れているか", "チェックポイント（.pth）ではありません"),
    ("corrupt", "en"): ("damaged or cut short", "not a checkpoint (.pth)"),
    ("home", "missing", "ja"): ("学習済みモデルはまだありません",),
    ("home", "missing", "en"): ("No trained models yet",),
}


def _fault_dir(tmp_path: Path, fault: str) -> Path:
    """An empty folder (missing) or one whose checkpoints are cut in half (corrupt)."""
    d = tmp_path / "checkpoints"
    d.mkdir()
    if fault == "corrupt":
        for f in REAL_DIR.glob("*.pth"):
            data = f.read_bytes()
            (d / f.name).write_bytes(data[: len(data) // 2])
    return d


@pytest.mark.parametrize(("fault", "lang"), [("missing", "ja"), ("corrupt", "en")])
@pytest.mark.parametrize("page", list(PAGES), ids=lambda p: (p or "home").split("/")[-1])
def test_page_says_so_and_offers_to_train(tmp_path, page, fault, lang):
    with mock.patch.object(checkpoints, "SHIPPED_DIR", _fault_dir(tmp_path, fault)):
        if page is None:  # Home's environment panel lists each checkpoint or why it is unusable
            at = open_page(None, lang)
        else:
            with mock.patch("ui.canvas.draw", return_value=None):
                at = open_page(page, lang)
    assert not at.exception, at.exception
    body = texts(at) + "\n".join(w.value for w in at.sidebar.warning)
    if page is None:
        says = SAYS[("home", fault, lang) if fault == "missing" else (fault, lang)]
        assert any(s in body for s in says), body[:2000]
        return
    assert any(s in body for s in SAYS[(fault, lang)]), body[:2000]
    train = at.button(key=PAGES[page])
    assert not train.disabled  # the page offers to train instead
