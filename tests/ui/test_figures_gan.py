"""The GAN page's own figures, built from plain data without Streamlit: what each one shows."""

from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image

from ui.figures import gan as figures
from ui.figures.images import grid_image


def test_the_timeline_animates_one_grid_per_recorded_epoch():
    grids = [np.full((16, 28, 28), 40 * e, np.uint8) for e in range(3)]
    gif = Image.open(io.BytesIO(figures.timeline_gif(grids)))
    assert gif.n_frames == 3 and gif.info["duration"] == 500
    # 8 digits a row, two rows, enlarged twice
    assert gif.size == grid_image(grids[0], 8, scale=2).shape[::-1]


def test_the_walk_through_z_shows_the_digit_at_the_slider_and_animates_there_and_back():
    path = torch.linspace(0, 1, 11).reshape(11, 1, 1, 1).expand(11, 1, 28, 28)
    start, middle, end = (figures.interpolation_frame(path, pos) for pos in (0.0, 0.5, 1.0))
    # one digit (make_grid frames a single image not at all), enlarged 6x
    assert start.shape == (6 * 28, 6 * 28)
    assert start[20, 20] == 0 and middle[20, 20] == round(0.5 * 255) and end[20, 20] == 255
    gif = Image.open(io.BytesIO(figures.interpolation_gif(path)))
    # there and back: Pillow may merge the two equal frames at the turn into one
    assert gif.n_frames in (2 * 11 - 1, 2 * 11) and gif.info["duration"] == 80
