"""Turn a drawing or an uploaded picture into an MNIST-style 28x28 digit (000, Part 2), keeping each step.

MNIST's own recipe (LeCun et al., 1998): crop to the ink, scale into a 20x20 box keeping the aspect ratio,
place it in 28x28 with its centre of mass in the middle. A picture of several digits is split into its
digit-sized parts of connected ink first, read left to right, each framed the same way. Uploads are decoded
defensively with Pillow (size checked before decoding, first frame, EXIF rotation, odd modes, dark-on-light
paper inverted).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage  # installed with scikit-learn, which needs it

BOX = 20  # MNIST: the digit is scaled to fit a 20x20 box...
SIZE = 28  # ...inside a 28x28 image
CENTRE = 14.0  # where MNIST's centres of mass sit (mean over the training digits: row 14.0, col 14.0)
INK = 0.1  # a pixel with at least 10 % of the brightest ink counts when cropping
MAX_BYTES = 10 * 1024 * 1024  # uploads larger than this are refused before decoding
MAX_PIXELS = 40_000_000  # width x height; Pillow's bomb warning starts at ~89 M, error at ~179 M
MAX_SIDE = 20_000
WORK_SIDE = 1024  # big photos are shrunk to this before the digit is looked for (speed, memory)
DOT_SIDE = 0.12  # ink whose bounding box spans < 12 % of the picture's side (a 32-px pen dot: 11 %)...
DOT_FILL = 0.5  # ...and fills over half of that box is a dot, not a digit (digit strokes leave gaps)
FULL_COVER = 0.6  # ink on > 60 % of the picture is a filled canvas (a big thick "8" covers about 30 %)
PART_GAP = 0.015  # ink closer than 1.5 % of the picture's longer side belongs to one part (pencil gaps)
PART_OVERLAP = 0.5  # parts whose columns overlap by half the narrower one are one digit (a 5's detached bar)
PART_HEIGHT = 0.5  # a digit is at least half as tall as the tallest part (a dot or a comma is not)...
PART_INK = 0.08  # ...and holds at least 8 % of the largest part's ink (specks of dust do not)
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF")


class PreprocessError(ValueError):
    """An upload that cannot be read; `code` keys the page's translated message."""

    CODES = ("empty", "too_large", "too_many_pixels", "not_image", "format", "damaged")

    def __init__(self, code: str, detail: str = "", **params):
        assert code in self.CODES, code
        self.code, self.detail, self.params = code, detail, params
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class Steps:
    """Each stage of the pipeline, for display; `final` is what the CNN reads."""

    source: np.ndarray  # (H, W) float32 in [0, 1], white ink on black, as received
    cropped: np.ndarray  # (h, w): the bounding box of the ink
    scaled: np.ndarray  # (h', w') with max(h', w') == 20, aspect ratio kept
    final: np.ndarray  # (28, 28) float32 in [0, 1], centre of mass at (14, 14)
    bbox: tuple[
        int, int, int, int
    ]  # (top, left, bottom, right) of the ink in `source`, bottom/right exclusive
    shift: tuple[int, int]  # (rows, cols) the centring moved the 20x20 box from the geometric centre


def _as_float(image: np.ndarray) -> np.ndarray:
    a = np.asarray(image)
    if a.ndim == 3:  # RGB(A) canvas data: white ink in any colour channel
        a = a[..., :3].max(axis=-1)
    if a.ndim != 2:
        raise ValueError(f"expected a (H, W) or (H, W, C) image, got shape {a.shape}")
    a = a.astype(np.float32)
    if a.size and a.max() > 1.0:
        a /= 255.0
    return np.nan_to_num(a, nan=0.0, posinf=1.0, neginf=0.0).clip(0.0, 1.0)


def _resize(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """Anti-aliased resize of a float image (Pillow's Lanczos in 'F' mode), clipped to [0, 1]."""
    out = Image.fromarray(a.astype(np.float32), mode="F").resize((w, h), Image.Resampling.LANCZOS)
    return np.asarray(out, dtype=np.float32).clip(0.0, 1.0)


def centre_of_mass(a: np.ndarray) -> tuple[float, float]:
    """(row, col) of the intensity-weighted mean position; the middle for an empty image."""
    total = float(a.sum())
    if total <= 0:
        return ((a.shape[0] - 1) / 2, (a.shape[1] - 1) / 2)
    rows, cols = np.indices(a.shape)
    return float((rows * a).sum() / total), float((cols * a).sum() / total)


def to_mnist(image: np.ndarray, ink: float = INK) -> Steps | None:
    """MNIST framing of a white-on-black image ((H, W) or (H, W, C), uint8 or [0, 1]); None if blank."""
    src = _as_float(image)
    peak = float(src.max()) if src.size else 0.0
    if peak < 0.05:  # a blank canvas (or one stray grey pixel) is not a digit
        return None
    src = src / peak  # the faintest pencil gets the same chance as a marker
    mask = src >= ink
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    cropped = src[top:bottom, left:right]  # (h, w)
    h, w = cropped.shape
    scale = BOX / max(h, w)  # the longer side becomes 20 pixels
    sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    scaled = _resize(cropped, sh, sw)  # (sh, sw), max side 20
    # place the box in the middle of 28x28, then move it so the centre of mass lands on (14, 14)
    r0, c0 = (SIZE - sh) // 2, (SIZE - sw) // 2
    cy, cx = centre_of_mass(scaled)
    dy, dx = round(CENTRE - (r0 + cy)), round(CENTRE - (c0 + cx))
    dy = int(min(max(dy, -r0), SIZE - sh - r0))  # never push ink out of the frame
    dx = int(min(max(dx, -c0), SIZE - sw - c0))
    final = np.zeros((SIZE, SIZE), dtype=np.float32)
    final[r0 + dy : r0 + dy + sh, c0 + dx : c0 + dx + sw] = scaled
    return Steps(src, cropped, scaled, final, (top, left, bottom, right), (dy, dx))


def digit_parts(image: np.ndarray, ink: float = INK) -> list[Steps]:
    """The digit-sized parts of the ink, left to right, each framed like MNIST on its own; [] if blank.

    Strokes of one digit need not touch: ink a few pixels apart is joined, and parts stacked in the same
    columns (a 5 whose top bar was drawn apart, a 4 in two strokes) are one digit. Parts much smaller
    than the largest (a dot, a comma, specks of dust) are not digits and are left out. Each part's
    `Steps.bbox` is in the coordinates of the whole picture."""
    src = _as_float(image)
    peak = float(src.max()) if src.size else 0.0
    if peak < 0.05:
        return []
    src = src / peak
    mask = src >= ink
    gap = max(1, round(PART_GAP * max(mask.shape)))
    joined = ndimage.maximum_filter(mask, size=2 * gap + 1)  # close small gaps between strokes
    region, n = ndimage.label(joined, structure=np.ones((3, 3)))  # 8-connected; keeps faint edges too
    labels = np.where(mask, region, 0)  # boxes and amounts count real ink, not the joining margin
    groups: list[dict] = []  # merged left to right: {"ids", "top", "left", "bottom", "right"}
    boxes = ndimage.find_objects(labels)
    for i in sorted((i for i in range(n) if boxes[i] is not None), key=lambda i: boxes[i][1].start):
        rows, cols = boxes[i]
        part = {
            "ids": [i + 1],
            "top": rows.start,
            "left": cols.start,
            "bottom": rows.stop,
            "right": cols.stop,
        }
        last = groups[-1] if groups else None
        narrower = min(last["right"] - last["left"], part["right"] - part["left"]) if last else 0
        if last and min(last["right"], part["right"]) - part["left"] >= PART_OVERLAP * narrower:
            last["ids"] += part["ids"]
            last.update(
                top=min(last["top"], part["top"]),
                bottom=max(last["bottom"], part["bottom"]),
                right=max(last["right"], part["right"]),
            )
        else:
            groups.append(part)
    amounts = ndimage.sum(src, labels, index=np.arange(n + 1))  # ink per label, label 0 = background
    for g in groups:
        g["ink"] = float(amounts[g["ids"]].sum())
    tallest = max(g["bottom"] - g["top"] for g in groups)
    most = max(g["ink"] for g in groups)
    digits = [
        g for g in groups if g["bottom"] - g["top"] >= PART_HEIGHT * tallest and g["ink"] >= PART_INK * most
    ]
    out = []
    for g in digits:
        steps = to_mnist(np.where(np.isin(region, g["ids"]), src, 0.0), ink)
        assert steps is not None, "a part with ink frames to a digit"
        out.append(steps)
    return out


def problem(steps: Steps | None) -> str | None:
    """Why a drawing cannot be read as a digit: "blank", "dot" (a dot or a tiny blob, which framing
    would blow up to a 20x20 disc) or "full" (ink almost everywhere); None for a plausible digit.
    The page says so instead of showing a confident guess."""
    if steps is None:
        return "blank"
    mask = steps.source >= INK
    H, W = mask.shape
    top, left, bottom, right = steps.bbox
    if mask.mean() > FULL_COVER:
        return "full"
    if (
        max(bottom - top, right - left) < DOT_SIDE * max(H, W)
        and mask[top:bottom, left:right].mean() > DOT_FILL
    ):
        return "dot"
    return None


# ---------------------------------------------------------------------------------------------
# Uploads


def _read_limited(source: bytes | BinaryIO, max_bytes: int) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)  # Streamlit's UploadedFile knows its size up front
        if isinstance(size, int) and size > max_bytes:
            raise PreprocessError("too_large", f"{size} bytes", limit_mb=max_bytes / 2**20)
        data = source.read(max_bytes + 1)
    if not data:
        raise PreprocessError("empty", "0 bytes")
    if len(data) > max_bytes:
        raise PreprocessError("too_large", f"more than {max_bytes} bytes", limit_mb=max_bytes / 2**20)
    return data


def _to_gray(im: Image.Image) -> np.ndarray:
    """Any Pillow mode → (H, W) float32 in [0, 1] luminance; transparency composited on a contrasting
    background (white strokes on a transparent canvas must not vanish on white)."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit or float greyscale
        a = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") or a.max() > 255 else 255.0
        return (
            (a / top).clip(0, 1).astype(np.float32) if im.mode != "F" else _as_float(a / max(1e-9, a.max()))
        )
    if im.mode == "P" or im.mode == "PA":
        im = im.convert("RGBA")
    if im.mode == "CMYK":
        im = im.convert("RGB")
    if im.mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float32) / 255.0
        alpha, lum = rgba[..., 3], rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        if alpha.min() < 0.99:  # real transparency: put it on the background that contrasts with the ink
            opaque = alpha > 0.5
            ink_lum = float(lum[opaque].mean()) if opaque.any() else 0.0
            background = 0.0 if ink_lum > 0.5 else 1.0
            return (lum * alpha + background * (1 - alpha)).astype(np.float32)
        return lum.astype(np.float32)
    return np.asarray(im.convert("L"), dtype=np.float32) / 255.0


def normalise_polarity(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """White ink on black, background at 0: invert dark-on-light pictures (judged by the border)."""
    h, w = gray.shape
    k = max(1, min(h, w) // 20)  # a 5 % frame around the picture is mostly paper
    border = np.concatenate([gray[:k].ravel(), gray[-k:].ravel(), gray[:, :k].ravel(), gray[:, -k:].ravel()])
    inverted = float(np.median(border)) > 0.5
    g = 1.0 - gray if inverted else gray
    background = float(
        np.median(np.concatenate([g[:k].ravel(), g[-k:].ravel(), g[:, :k].ravel(), g[:, -k:].ravel()]))
    )
    peak = float(g.max())
    if peak - background < 0.05:  # a flat picture: no digit to find
        return np.zeros_like(g), inverted
    g = ((g - background) / (peak - background)).clip(0, 1)
    g[g < 0.15] = 0.0  # paper texture and JPEG noise are not ink
    return g.astype(np.float32), inverted


def load_upload(
    source: bytes | BinaryIO, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> np.ndarray:
    """An uploaded image file → (H, W) uint8, white ink on black; PreprocessError with a code otherwise."""
    data = _read_limited(source, max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))  # reads the header only: nothing decoded yet
            w, h = im.size
            if w < 1 or h < 1:
                raise PreprocessError("damaged", "zero-sized image")
            if w * h > max_pixels or max(w, h) > MAX_SIDE:
                raise PreprocessError("too_many_pixels", f"{w}x{h}", width=w, height=h)
            if im.format not in FORMATS:
                raise PreprocessError("format", str(im.format), format=str(im.format))
            if getattr(im, "n_frames", 1) > 1:
                im.seek(0)  # animated GIF/PNG/WebP: the first frame
            if im.format == "JPEG":
                im.draft(im.mode, (WORK_SIDE, WORK_SIDE))  # decode big JPEGs at a reduced scale
            im.load()
            im = ImageOps.exif_transpose(im)  # phone photos: apply the stored rotation
            if im.mode in ("P", "PA", "1", "CMYK"):  # palette/bilevel/print colours: plain modes first
                im = im.convert({"P": "RGBA", "PA": "RGBA", "1": "L", "CMYK": "RGB"}[im.mode])
            if max(im.size) > WORK_SIDE:
                im = im.copy()
                im.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
            gray = _to_gray(im)
    except PreprocessError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise PreprocessError("too_many_pixels", str(e)) from e
    except UnidentifiedImageError as e:
        raise PreprocessError("not_image", str(e)) from e
    except (OSError, ValueError, SyntaxError, EOFError) as e:  # truncated or corrupt data
        raise PreprocessError("damaged", f"{type(e).__name__}: {e}") from e
    g, _ = normalise_polarity(gray)
    return (g * 255).round().astype(np.uint8)
