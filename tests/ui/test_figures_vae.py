"""The VAE figures are built from plain arrays, without Streamlit: what each one shows."""

from __future__ import annotations

import numpy as np
import torch

from ui.figures import vae as figures
from ui.i18n import t


def clusters(n: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Ten well-apart clusters of `n` points each on the plane, digit d around (d, d)."""
    labels = np.repeat(np.arange(10), n)
    jitter = np.tile(np.linspace(-0.1, 0.1, n), 10)
    return np.stack([labels + jitter, labels - jitter], axis=1).astype(np.float32), labels


def test_the_latent_map_draws_one_trace_per_digit_with_its_label():
    points, labels = clusters()
    fig = figures.latent_figure(points, labels, (-1.0, 10.0, -1.0, 10.0), height=400)
    digits = [tr for tr in fig.data if tr.name in {str(d) for d in range(10)}]
    assert [tr.name for tr in digits] == [str(d) for d in range(10)]
    assert [tr.marker.color for tr in digits] == list(figures.DIGIT_COLORS)
    assert len(fig.layout.annotations) == 10  # a label per digit
    assert fig.layout.height == 400 and tuple(fig.layout.xaxis.range) == (-1.0, 10.0)


def test_a_clickable_map_lies_a_grid_of_invisible_targets_under_the_digits():
    points, labels = clusters()
    fig = figures.latent_figure(points, labels, (-1.0, 10.0, -1.0, 10.0), clickable=True, marker=(0.5, 0.5))
    grid = fig.data[0]
    assert grid.name == "grid" and len(grid.x) == figures.CLICK_GRID**2
    assert fig.data[-1].name == t("vae.here") and fig.data[-1].marker.symbol == "star"


def test_labels_of_clusters_at_one_point_are_pushed_apart_inside_the_plot():
    points = np.zeros((30, 2), dtype=np.float32)
    labels = np.repeat(np.arange(10), 3)
    found = figures.digit_labels(points, labels, (-1.0, 1.0, -1.0, 1.0))
    places = [np.array(p) for _, _, p in found]
    closest = min(np.hypot(*(p - q)) / 2 for i, p in enumerate(places) for q in places[i + 1 :])
    assert closest >= figures.LABEL_GAP * 0.99
    assert figures.digit_labels(points[:0], labels[:0], (-1.0, 1.0, -1.0, 1.0)) == []


def test_images_are_scaled_up_with_sharp_pixels():
    digit = torch.zeros(28, 28)
    digit[10:18, 10:18] = 1.0
    img = figures.big(digit, size=196)
    assert img.size == (196, 196)
    assert set(np.unique(np.asarray(img)).tolist()) == {0, 255}  # no blur between black and white
    # pad pixels between the digits, none around them
    assert figures.tile(torch.rand(6, 1, 28, 28), 3, pad=2).shape == (2 * 28 + 2, 3 * 28 + 2 * 2)
    assert figures.strip(torch.rand(4, 1, 28, 28)).size == (6 * (4 * 28 + 3 * 2), 6 * 28)  # one row
    rows = figures.rows_image(torch.rand(3, 1, 28, 28), torch.rand(3, 1, 28, 28))
    assert rows.size == (5 * (3 * 28 + 2 * 2), 5 * (2 * 28 + 2))  # inputs above, reconstructions below


def test_the_curves_draw_reconstruction_and_kl_on_two_axes():
    records = [
        {"kind": "step", "recon": 9.0},
        {"kind": "epoch", "epoch": 1, "recon": 200.0, "val_recon": 210.0, "kl": 5.0},
        {"kind": "epoch", "epoch": 2, "recon": 150.0, "val_recon": 160.0, "kl": 6.0},
    ]
    fig = figures.curves(records)
    assert [tr.name for tr in fig.data] == [t("vae.curve.recon"), t("vae.curve.val_recon"), "KL"]
    assert list(fig.data[0].x) == [1, 2] and fig.data[2].yaxis == "y2"
    assert len(figures.curves(records[:1]).data) == 2  # before an epoch: empty curves, no test curve
