"""MNIST framing of drawings and uploads (core.preprocess): off-centre, small, thick and odd-format digits
come out like MNIST digits; a picture of several digits is split into its digits, left to right; bad files
get a clear error code before any large decode."""

from __future__ import annotations

import functools
import io

import numpy as np
import pytest
from PIL import Image

from core.preprocess import CENTRE, PreprocessError, centre_of_mass, digit_parts, load_upload, to_mnist


def _bar_digit(h: int = 120, w: int = 40, thick: int = 12) -> np.ndarray:
    """A '7'-like shape: a top bar and a slanted stroke, white on black, (h, w) uint8."""
    a = np.zeros((h, w), dtype=np.uint8)
    a[:thick, :] = 255
    for r in range(h):
        c = int((w - thick) * (1 - r / h))
        a[r, c : c + thick] = 255
    return a


def _on_canvas(digit: np.ndarray, top: int, left: int, size: int = 280) -> np.ndarray:
    canvas = np.zeros((size, size), dtype=np.uint8)
    canvas[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return canvas


def _assert_mnist_like(final: np.ndarray) -> None:
    assert final.shape == (28, 28) and final.dtype == np.float32
    assert 0.0 <= final.min() and final.max() <= 1.0
    rows, cols = np.nonzero(final > 0.1)
    assert rows.max() - rows.min() + 1 <= 21 and cols.max() - cols.min() + 1 <= 21  # inside a 20x20 box
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 >= 18  # and filling it
    cy, cx = centre_of_mass(final)
    assert abs(cy - CENTRE) <= 0.75 and abs(cx - CENTRE) <= 0.75  # centre of mass in the middle
    assert rows.min() >= 1 and cols.min() >= 1 and rows.max() <= 26 and cols.max() <= 26


@pytest.mark.parametrize("top,left", [(5, 5), (150, 230), (80, 120)])
def test_off_centre_digit_is_centred(top, left):
    steps = to_mnist(_on_canvas(_bar_digit(), top, left))
    assert steps is not None
    _assert_mnist_like(steps.final)
    assert steps.bbox == (top, left, top + 120, left + 40)
    assert steps.scaled.shape == (20, 7)  # aspect ratio 3:1 kept: 120x40 -> 20x7


def test_position_does_not_change_the_result():
    a = to_mnist(_on_canvas(_bar_digit(), 5, 5)).final
    b = to_mnist(_on_canvas(_bar_digit(), 150, 230)).final
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_small_digit_is_scaled_up():
    steps = to_mnist(_on_canvas(_bar_digit(15, 6, 2), 10, 250))
    _assert_mnist_like(steps.final)
    assert steps.scaled.shape[0] == 20


def test_thick_wide_digit_fits_the_box():
    steps = to_mnist(_on_canvas(np.full((100, 260), 255, dtype=np.uint8), 90, 10))  # a fat bar
    assert steps.scaled.shape == (8, 20)
    assert steps.final.sum() > 0 and steps.final[:, :4].sum() == 0 and steps.final[:, -4:].sum() == 0


def test_mnist_digit_round_trips():
    """A real MNIST digit drawn 10x larger comes back close to itself."""
    from core.data import load_mnist

    x = load_mnist().x_test[:10, 0].numpy()
    for a in x:
        big = np.asarray(
            Image.fromarray((a * 255).astype(np.uint8)).resize((280, 280), Image.Resampling.BILINEAR)
        )
        assert np.abs(to_mnist(big).final - a).mean() < 0.06


def test_blank_and_rgba_canvas():
    assert to_mnist(np.zeros((280, 280), dtype=np.uint8)) is None
    assert to_mnist(np.zeros((280, 280, 4), dtype=np.uint8)) is None
    rgba = np.zeros((280, 280, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[100:200, 130:150, :3] = 255
    assert to_mnist(rgba) is not None


# -- several digits in one picture ----------------------------------------------------------------
@functools.cache
def _test_digits() -> np.ndarray:
    from core.data import load_mnist

    return load_mnist().x_test[:50, 0].numpy()


def _mnist_big(index: int, side: int = 90) -> np.ndarray:
    a = (_test_digits()[index] * 255).astype(np.uint8)
    return np.asarray(Image.fromarray(a).resize((side, side), Image.Resampling.BILINEAR))


def _row(indices, side: int = 90, gap: int = 10) -> np.ndarray:
    """Test digits side by side on one black strip, `gap` pixels apart."""
    canvas = np.zeros((side + 40, len(indices) * (side + gap) + 20), dtype=np.uint8)
    for k, i in enumerate(indices):
        left = 10 + k * (side + gap)
        canvas[20 : 20 + side, left : left + side] = _mnist_big(i, side)
    return canvas


def test_three_digits_side_by_side_are_three_parts_left_to_right():
    strip = _row([1, 2, 3])
    parts = digit_parts(strip)
    assert len(parts) == 3
    lefts = [p.bbox[1] for p in parts]
    assert lefts == sorted(lefts) and lefts[0] < 100 < lefts[1] < 200 < lefts[2]
    for p, i in zip(parts, [1, 2, 3]):
        _assert_mnist_like(p.final)
        alone = to_mnist(_mnist_big(i)).final  # each part is framed as if it had been drawn alone
        assert np.abs(p.final - alone).mean() < 0.02


def test_one_digit_and_a_small_dot_is_one_part():
    canvas = _on_canvas(_bar_digit(), 80, 120)
    canvas[200:212, 220:232] = 255  # a pen dot beside the digit
    parts = digit_parts(canvas)
    assert len(parts) == 1
    assert parts[0].bbox == (80, 120, 200, 160)  # the digit's own box, without the dot


def test_strokes_of_one_digit_stay_one_part():
    """A 7 whose top bar was drawn apart, and a 4 written as two strokes, are one digit each."""
    seven = _on_canvas(_bar_digit(), 80, 120)
    seven[80:92] = 0
    seven[70:82, 110:170] = 255  # the bar lifted off and shifted: it no longer touches the stroke
    four = np.zeros((280, 280), dtype=np.uint8)
    four[40:150, 80:92] = 255  # the open left stroke...
    four[140:152, 80:200] = 255  # ...and its crossbar
    four[40:250, 160:172] = 255  # the long right stroke, drawn apart
    for name, image in (("7", seven), ("4", four)):
        assert len(digit_parts(image)) == 1, name


def test_mnist_digits_are_single_parts():
    for a in _test_digits():
        big = np.asarray(
            Image.fromarray((a * 255).astype(np.uint8)).resize((280, 280), Image.Resampling.BILINEAR)
        )
        assert len(digit_parts(big)) == 1


def test_blank_has_no_parts():
    assert digit_parts(np.zeros((280, 280), dtype=np.uint8)) == []


# -- uploads -------------------------------------------------------------------------------------
def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _paper_digit(size: int = 400) -> Image.Image:
    """Dark ink on light grey paper, like a phone photo."""
    a = np.full((size, size), 220, dtype=np.uint8)
    d = 255 - _bar_digit(200, 80, 20)
    a[100:300, 160:240] = np.minimum(a[100:300, 160:240], d)
    return Image.fromarray(a)


def _reference() -> np.ndarray:
    return to_mnist(_on_canvas(_bar_digit(200, 80, 20), 100, 160, 400)).final


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "GIF"])
def test_formats_and_polarity(fmt):
    data = _encode(_paper_digit().convert("RGB") if fmt == "JPEG" else _paper_digit(), fmt)
    gray = load_upload(io.BytesIO(data))
    assert gray.dtype == np.uint8 and gray[0, 0] == 0  # paper became black background
    final = to_mnist(gray).final
    _assert_mnist_like(final)
    assert np.abs(final - _reference()).mean() < 0.06


def test_modes_alpha_palette_16bit_cmyk_animated_exif():
    ref = _reference()
    paper = _paper_digit()
    # transparent background, black ink (alpha holds the digit)
    ink = np.asarray(paper) < 128
    rgba = np.zeros((400, 400, 4), dtype=np.uint8)
    rgba[..., 3] = np.where(ink, 255, 0)
    variants = {
        "rgba": _encode(Image.fromarray(rgba, "RGBA"), "PNG"),
        "palette": _encode(paper.convert("P"), "PNG"),
        "16bit": _encode(Image.fromarray(np.asarray(paper).astype(np.uint16) * 257), "PNG"),
        "cmyk": _encode(paper.convert("CMYK"), "JPEG"),
    }
    frames = [paper, Image.new("L", (400, 400), 0)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    variants["animated"] = buf.getvalue()
    rotated = paper.rotate(90, expand=True)  # stored on its side, EXIF says: rotate back
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation 6: the viewer must turn it 90° clockwise
    variants["exif"] = _encode(rotated.convert("RGB"), "JPEG", exif=exif)
    for name, data in variants.items():
        final = to_mnist(load_upload(data)).final
        assert np.abs(final - ref).mean() < 0.07, name


def test_white_ink_on_transparent_is_not_lost():
    rgba = np.zeros((200, 200, 4), dtype=np.uint8)
    rgba[50:150, 90:110] = (255, 255, 255, 255)
    assert to_mnist(load_upload(_encode(Image.fromarray(rgba, "RGBA"), "PNG"))) is not None


@pytest.mark.parametrize(
    "data,code",
    [(b"", "empty"), (b"hello, not an image", "not_image"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "damaged")],
)
def test_bad_files(data, code):
    with pytest.raises(PreprocessError) as e:
        load_upload(data)
    assert e.value.code in (code, "not_image")


def test_truncated_png_and_too_large():
    data = _encode(_paper_digit(), "PNG")
    with pytest.raises(PreprocessError) as e:
        load_upload(data[: len(data) // 2])
    assert e.value.code in ("damaged", "not_image")
    with pytest.raises(PreprocessError) as e:
        load_upload(data, max_bytes=100)
    assert e.value.code == "too_large"


def test_decompression_bomb_refused_before_decoding():
    """A 20000x20000 PNG compresses to a few hundred KB; it must be refused from its header."""
    big = _encode(Image.new("1", (12000, 12000), 0), "PNG")
    assert len(big) < 2_000_000
    with pytest.raises(PreprocessError) as e:
        load_upload(big)
    assert e.value.code == "too_many_pixels"


def test_flat_picture_is_blank():
    assert to_mnist(load_upload(_encode(Image.new("L", (64, 64), 200), "PNG"))) is None
