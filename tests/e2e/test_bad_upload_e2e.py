"""Browser test of bad input on the CNN page: real file uploads (`set_input_files`) of a pickle with code
in it, of a zero-stride bomb and of a compressed zip bomb are refused with a message and run nothing; on a Japanese page a file of
the wrong type or size is refused in Japanese, with none of Streamlit's own English in view; a single dot
drawn with the mouse gets "only a dot" instead of a guess."""

from __future__ import annotations

import io
import os
import time

import pytest
import torch

from tests.e2e.conftest import goto, wait_idle

pytestmark = pytest.mark.e2e

UPLOAD = ".st-key-cnn_ckpt_upload input[type=file]"
IMAGE = ".st-key-cnn_upload"
STREAMLIT_ENGLISH = ("Upload", "per file", "not allowed", "Drag and drop", "must be", "or smaller")


class _Payload:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _saved(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _zip_bomb(checkpoint: bytes, member_bytes: int) -> bytes:
    """`checkpoint` (a torch.save zip) zipped again, deflated, with a member of `member_bytes` zeros added:
    a file of a few MB that torch.load would inflate to the member's size."""
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(checkpoint)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with dst.open(src.namelist()[0].split("/")[0] + "/data/999", "w", force_zip64=True) as member:
            for _ in range(member_bytes // 2**20):
                member.write(bytes(2**20))
    return out.getvalue()


def _errors(page, words: str, timeout: float = 20) -> str:
    end = time.time() + timeout
    while time.time() < end:
        text = " ".join(page.locator('[data-testid="stAlertContentError"]').all_inner_texts())
        if words in text:
            return text
        time.sleep(0.3)
    raise AssertionError(f"no error containing {words!r}")


def test_malicious_and_bomb_checkpoints_are_refused(page, server_url, tmp_path):
    from core.models.cnn import MNISTCNN

    marker = tmp_path / "pwned-marker"
    sd = MNISTCNN().state_dict()
    sd["layer3.1.weight"] = torch.empty(1).expand(*sd["layer3.1.weight"].shape)  # zero stride
    goto(page, server_url, "cnn", "en")
    page.get_by_role("tab", name="Train").click()
    for name, data, words in (
        ("code.pth", _saved({"x": _Payload(str(marker))}), "cannot be loaded safely"),
        ("bomb.pth", _saved(sd), "claims more memory"),
        ("zipbomb.pth", _zip_bomb(_saved(MNISTCNN().state_dict()), 2**30), "would unpack to 1,0"),
    ):
        page.locator(UPLOAD).set_input_files(
            {"name": name, "mimeType": "application/octet-stream", "buffer": data}
        )
        wait_idle(page)
        _errors(page, words)
        assert page.locator('[data-testid="stException"]').count() == 0
    assert not marker.exists()


def _shown_text(page, selector: str) -> str:
    """What a student reads in `selector`: its visible text and CSS-generated text, without icon names."""
    return page.locator(selector).evaluate(
        """root => {
            const out = [];
            const walk = el => {
                const style = getComputedStyle(el);
                if (style.display === "none" || el.dataset.testid === "stIconMaterial") return;
                const box = el.getBoundingClientRect();
                if (style.display !== "contents" && box.width <= 1 && box.height <= 1) return;  // screen-reader only
                for (const pseudo of ["::before", "::after"]) {
                    const p = getComputedStyle(el, pseudo);
                    if (p.content && !["none", "normal"].includes(p.content) && p.visibility !== "hidden")
                        out.push(p.content.replace(/^"|"$/g, ""));
                }
                const readable = style.visibility !== "hidden" && style.fontSize !== "0px";
                for (const n of el.childNodes) {
                    if (n.nodeType === 3 && readable) out.push(n.textContent);
                    else if (n.nodeType === 1) walk(n);
                }
            };
            walk(root);
            return out.join(" ").replace(/\\s+/g, " ");
        }"""
    )


def _visible_tooltips(page) -> list[str]:
    return page.locator('[role="tooltip"]').evaluate_all(
        "els => els.filter(e => e.checkVisibility()).map(e => e.innerText)"
    )


def test_wrong_file_type_and_size_are_refused_in_japanese(page, server_url):
    goto(page, server_url, "cnn", "ja")
    page.get_by_role("tab", name="画像をアップロード").click()
    wait_idle(page)
    shown = _shown_text(page, IMAGE)
    assert "PNG" in shown and "10 MB まで" in shown and "ファイルを選ぶ" in shown, shown
    assert not [w for w in STREAMLIT_ENGLISH if w in shown], shown
    page.locator(f"{IMAGE} input[type=file]").set_input_files(
        {"name": "lesson.py", "mimeType": "text/x-python", "buffer": b"print('hello')\n"}
    )
    wait_idle(page)
    assert "画像として読めません" in _errors(page, "画像として読めません")
    page.locator(f"{IMAGE} input[type=file]").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": b"\0" * (11 * 2**20)}  # over 10 MB
    )
    wait_idle(page)
    page.locator(f"{IMAGE} [data-testid=stFileChip][aria-invalid=true]").first.hover()
    time.sleep(0.5)
    shown = _shown_text(page, IMAGE)
    assert "大きすぎて読み込めません" in shown and "10 MB まで" in shown, shown
    assert not [w for w in STREAMLIT_ENGLISH if w in shown], shown
    assert not _visible_tooltips(page)  # Streamlit's English reason, shown on hover, stays hidden
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_single_dot_is_not_guessed(page, server_url):
    goto(page, server_url, "cnn", "en")
    canvas = page.locator(".st-key-cnn_canvas canvas.upper-canvas").first
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # one touch of the pen
    page.mouse.move(5, 5)
    time.sleep(0.5)
    wait_idle(page)
    end = time.time() + 20
    while time.time() < end and "only a dot" not in page.locator(".st-key-cnn_prediction").inner_text():
        time.sleep(0.3)
    assert "only a dot" in page.locator(".st-key-cnn_prediction").inner_text()
    assert page.locator(".st-key-cnn_prediction [data-testid=stMetricValue]").count() == 0
