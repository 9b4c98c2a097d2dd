"""The diffusion page's figures, built from plain data without Streamlit: what each one shows."""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np
import torch
from PIL import Image

from core import diffusion as core_diffusion
from ui.figures import diffusion as figures

SCHEDULES = {k: core_diffusion.NoiseSchedule(k, 1000) for k in ("linear", "cosine")}


def frames(n: int) -> list:
    """Reverse-process frames as core.diffusion.generate records them: x_t and the model's x0 estimate."""
    return [
        SimpleNamespace(x=torch.full((1, 1, 28, 28), i / n), x0=torch.ones(1, 1, 28, 28)) for i in range(n)
    ]


def test_frames_are_picked_evenly_with_the_first_and_the_last():
    picked = figures.pick_frames(list(range(50)), 8)
    assert picked[0] == 0 and picked[-1] == 49 and len(picked) == 8 and picked == sorted(picked)
    assert figures.pick_frames([1, 2, 3], 8) == [1, 2, 3]


def test_the_strip_shows_x_t_above_x0_and_ends_in_the_final_digit():
    final = torch.ones(1, 1, 28, 28)
    strip = figures.strip_image(frames(4), final, scale=1)
    # 4 frames + the final digit across, x_t and x0_hat down, 2 px of frame around each
    assert strip.shape == (2 + 2 * 30, 2 + 5 * 30)
    # the first step's x_t (black here) above its x0 estimate (white); the final digit closes the top row
    assert strip[2 + 10, 2 + 10] == 0 and strip[2 + 30 + 10, 2 + 10] == 255
    assert strip[2 + 10, 2 + 4 * 30 + 10] == 255
    assert figures.final_image(final).shape == (5 * 28, 5 * 28)


def test_the_reverse_animation_holds_the_final_digit():
    gif = Image.open(io.BytesIO(figures.reverse_gif(frames(5), torch.ones(1, 1, 28, 28))))
    assert gif.info["duration"] == 120 and gif.n_frames >= 6  # identical final frames may be merged


def test_the_forward_process_noises_the_digit_under_both_schedules():
    x0 = torch.zeros(1, 28, 28)
    clean = figures.forward_pictures(SCHEDULES, x0, 0, seed=0)
    noisy = figures.forward_pictures(SCHEDULES, x0, 999, seed=0)
    assert set(clean) == {"linear", "cosine"} and clean["linear"].shape == (6 * 28, 6 * 28)
    assert noisy["linear"].std() > clean["linear"].std()


def test_the_schedule_figure_draws_both_schedules_and_marks_t():
    fig = figures.schedule_figure(SCHEDULES, "snr", 300)
    assert len(fig.data) == 2 and len(fig.data[0].x) == 1000
    assert fig.layout.yaxis.type == "log" and fig.layout.shapes[0].x0 == 300
    assert figures.schedule_figure(SCHEDULES, "beta", 10).layout.yaxis.type != "log"


def test_the_training_charts_show_the_loss_per_step_and_by_t():
    steps = [{"step": s, "loss": 1.0 / s} for s in range(1, 11)]
    (line,) = figures.loss_chart(steps).data
    assert list(line.x) == list(range(1, 11))
    assert not figures.loss_chart([]).data
    record = {"loss_by_t": [0.5] * core_diffusion.T_BINS}
    (bars,) = figures.loss_by_t_chart(record).data
    assert len(bars.x) == core_diffusion.T_BINS and bars.x[0] == "0.0–0.1"
    assert not figures.loss_by_t_chart(None).data[0].x


def test_the_judge_histogram_is_the_digit_histogram():
    fig = figures.judge_histogram(np.full(10, 0.1))
    assert len(fig.data[0].x) == 10 and fig.layout.height == 220


def test_each_animation_frame_carries_its_own_reading_and_noisy_frames_none():
    pictures = frames(3)
    gif = Image.open(
        io.BytesIO(
            figures.reverse_gif(pictures, torch.ones(1, 1, 28, 28), [None, None, (3, 0.97)], (3, 0.99))
        )
    )
    bands = []
    for i in range(gif.n_frames):
        gif.seek(i)
        frame = np.asarray(gif.convert("L"))
        assert frame.shape[0] > 5 * 28, "a band below the digit holds the reading"
        bands.append(frame[5 * 28 :].max())
    assert bands[0] == 0 and bands[1] == 0, "no reading under the frames that are still noise"
    assert bands[2] > 200 and bands[-1] > 200, "the reading is written under the frames that have one"
    band = figures.with_reading(np.zeros((140, 140), np.uint8), (7, 0.5))
    assert band.shape == (140 + 34, 140) and band[:140].max() == 0
