"""The drawing canvas, wrapped so pages share one configuration and tests can stand in for it.

streamlit-drawable-canvas 0.13 (Components v2): pixels come back only with `return_image_data=True`;
white strokes on a black background put the digit in the RGB channels (MNIST polarity; on the default
transparent background it would be in the alpha channel only); a new `key` is the only reliable way to
clear it. See docs/streamlit-notes.md, The canvas: pixels on request, cleared by a new key.
"""

from __future__ import annotations

import numpy as np
import streamlit as st


def draw(key: str, size: int = 280, stroke_width: int = 18) -> np.ndarray | None:
    """A size x size canvas; returns the drawing as (H, W) uint8 grayscale, or None before any stroke."""
    from streamlit_drawable_canvas import st_canvas

    result = st_canvas(
        stroke_width=stroke_width,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=size,
        width=size,
        drawing_mode="freedraw",
        return_image_data=True,
        key=key,
    )
    data = getattr(result, "image_data", None)
    if data is None:
        return None
    rgb = np.asarray(data)[..., :3].max(axis=-1)  # white ink in any channel
    return rgb.astype(np.uint8)


def current_key(base: str) -> str:
    """The canvas key in use for `base`: a new suffix after every `clear(base)`."""
    return f"{base}_{st.session_state.get(f'_{base}_gen', 0)}"


def clear(base: str) -> None:
    """Empty the canvas `base` (a new key remounts it; writing its state does not clear the browser)."""
    st.session_state[f"_{base}_gen"] = st.session_state.get(f"_{base}_gen", 0) + 1
