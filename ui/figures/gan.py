"""The GAN page's own figures: the animations of a run's epochs and of a walk through z.

The two players' charts are ui.charts' (the cGAN page draws them too); grids, PNG and the digit histogram
are ui.figures.images'.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ui.figures.images import gif_bytes, grid_image


def timeline_gif(grids: Sequence[np.ndarray]) -> bytes:
    """The fixed-z grid of each recorded epoch (uint8 (N, S, S), 8 a row), one frame each, looping."""
    return gif_bytes([grid_image(g, 8, scale=2) for g in grids], ms=500)


def interpolation_frame(path: torch.Tensor, pos: float) -> np.ndarray:
    """The digit at `pos` in [0, 1] along an 11-image walk (11, 1, S, S), enlarged."""
    i = round(pos * (len(path) - 1))
    return grid_image(path[i : i + 1], nrow=1, scale=6)


def interpolation_gif(path: torch.Tensor) -> bytes:
    """The walk from z_a to z_b and back, one digit a frame."""
    frames = [grid_image(f[None], 1, scale=6) for f in torch.cat([path, path.flip(0)])]
    return gif_bytes(frames, ms=80)
