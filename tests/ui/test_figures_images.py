"""The figures the generative pages share, built from plain data without Streamlit: what each one shows."""

from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image

from ui import charts
from ui.figures import images
from ui.i18n import t


def test_a_grid_tiles_the_digits_on_a_frame_and_enlarges_them():
    digits = torch.ones(6, 1, 8, 8)
    img = images.grid_image(digits, nrow=3, scale=2, padding=2)
    assert img.dtype == np.uint8
    # 3 across and 2 down, 2 pixels of frame around each, then enlarged twice
    assert img.shape == (2 * (2 * 10 + 2), 2 * (3 * 10 + 2))
    assert img[0, 0] == round(0.25 * 255) and img.max() == 255  # the grey frame, the white digits
    same = images.grid_image((digits[:, 0] * 255).to(torch.uint8).numpy(), nrow=3, scale=2, padding=2)
    assert np.array_equal(img, same), "a record's uint8 grid tiles as its floats do"


def test_a_records_grid_comes_back_as_the_images_a_classifier_reads():
    grid = np.full((4, 28, 28), 255, np.uint8)
    x = images.grid_floats(grid)
    assert x.shape == (4, 1, 28, 28) and x.dtype == torch.float32 and float(x.max()) == 1.0


def test_png_and_gif_bytes_hold_the_pictures():
    frame = np.zeros((10, 20), np.uint8)
    png = Image.open(io.BytesIO(images.png_bytes(frame)))
    assert png.format == "PNG" and png.size == (20, 10)
    gif = Image.open(io.BytesIO(images.gif_bytes([frame, frame + 255, frame], ms=50)))
    assert gif.format == "GIF" and gif.n_frames == 3 and gif.info["loop"] == 0


def test_the_digit_histogram_shows_each_digits_share_and_the_even_line():
    shares = np.full(10, 0.1)
    shares[3], shares[4] = 0.2, 0.0
    fig = images.digit_histogram(shares, highlight=3, height=200)
    (bars,) = fig.data
    assert list(bars.x) == [str(d) for d in range(10)] and bars.y[3] == 20 and bars.y[4] == 0
    assert bars.marker.color[3] != bars.marker.color[0]  # the highlighted digit
    assert fig.layout.shapes[0].y0 == 10 and fig.layout.height == 200  # ideal: 10 % each
    assert fig.layout.xaxis.type == "category"


def test_the_two_players_charts_draw_one_line_each_and_mark_the_replayed_step():
    steps = [{"step": s, "d_loss": 1.0, "g_loss": 2.0, "d_real": 0.7, "d_fake": 0.3} for s in range(1, 6)]
    loss = charts.gan_loss_chart(steps, mark=3)
    assert [tr.name for tr in loss.data] == [t("gan.v.d_loss"), t("gan.v.g_loss")]
    assert list(loss.data[0].x) == [1, 2, 3, 4, 5] and list(loss.data[1].y) == [2.0] * 5
    assert [s.x0 for s in loss.layout.shapes] == [3]
    out = charts.d_output_chart(steps)
    assert [tr.name for tr in out.data] == [t("gan.v.d_real"), t("gan.v.d_fake")]
    assert tuple(out.layout.yaxis.range) == (0, 1) and out.layout.shapes[0].y0 == 0.5  # the balance point
    assert not charts.gan_loss_chart([]).data  # no steps yet: empty axes
