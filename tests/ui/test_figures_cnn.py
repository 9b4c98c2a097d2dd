"""The CNN figures are built from plain arrays and records, without Streamlit: what each one shows."""

from __future__ import annotations

import numpy as np

from core.preprocess import to_mnist
from ui.figures import cnn as figures


def _stroke() -> np.ndarray:
    """A 280x280 canvas with one thick vertical bar of white ink, off-centre (a "1")."""
    canvas = np.zeros((280, 280), dtype=np.uint8)
    canvas[40:240, 180:210] = 255
    return canvas


def test_enlarge_keeps_the_pixels_square_on_a_dark_square():
    a = np.zeros((28, 14), dtype=np.float32)
    a[:, :7] = 1.0
    big = figures.enlarge(a, 112)
    assert big.shape == (112, 112)
    assert big[:, :28].max() == 0 and big[:, -28:].max() == 0  # the narrow image is centred, dark around
    assert set(np.unique(big[:, 28:84])) <= {0, 255}  # nearest neighbour: no grey in between


def test_the_preprocessing_steps_are_four_thumbnails_the_first_with_a_red_box():
    steps = to_mnist(_stroke())
    images = figures.step_images(steps)
    assert len(images) == 4 and all(caption for caption, _ in images)
    thumb = images[0][1]
    assert thumb.shape == (112, 112, 3)
    red = (thumb[..., 0] > 200) & (thumb[..., 1] < 150) & (thumb[..., 2] < 150)
    assert red.any(), "the ink's box is drawn in red"
    assert all(img.shape == (112, 112) for _, img in images[1:])


def test_boxed_frames_every_box():
    source = np.zeros((100, 200), dtype=np.float32)
    boxes = [(10, 10, 50, 50), (10, 120, 90, 190)]
    framed = figures.boxed(source, boxes, size=200)
    assert framed.shape == (100, 200, 3)
    edges = [(10, 30), (30, 10), (49, 30), (10, 150), (50, 120), (89, 150), (50, 189)]
    assert all(tuple(framed[r, c]) == figures.BOX for r, c in edges)
    assert framed[30, 30].max() == 0 and framed[50, 150].max() == 0  # inside: the picture itself


def test_grid_tiles_the_maps_and_colours_kernels_red_and_blue():
    maps = np.stack([np.full((3, 3), v, dtype=np.float32) for v in (-1.0, 1.0, 0.5)])
    maps[:, 0, 0] = 0.0  # each map has a range of its own
    tiled = figures.grid(maps, cols=2, cell=10, gap=2, diverging=True)
    assert tiled.shape == (2 * 12 - 2, 2 * 12 - 2, 3)
    negative, positive = tiled[5, 5], tiled[5, 17]
    assert negative[2] > negative[0] and positive[0] > positive[2]  # blue negative, red positive
    assert (tiled[17, 17] == 235).all(), "the empty fourth cell stays background"
    grey = figures.grid(maps, cols=3, cell=8)
    assert grey.shape == (8, 3 * 10 - 2, 3) and (grey[..., 0] == grey[..., 1]).all()


def test_heat_overlay_puts_the_heat_in_red():
    digit = np.zeros((28, 28), dtype=np.float32)
    heat = np.zeros((28, 28), dtype=np.float32)
    heat[10:14, 10:14] = 2.0
    over = figures.heat_overlay(digit, heat, size=56)
    assert over.shape == (56, 56, 3)
    assert tuple(over[24, 24]) == (255, 0, 0) and over[0, 0].max() == 0


def test_shapes_table_lists_every_layer():
    table = figures.shapes_table([("input", (1, 28, 28)), ("conv1 + ReLU", (16, 26, 26))])
    lines = table.splitlines()
    assert len(lines) == 4 and lines[1] == "| --- | --- |"
    assert lines[3] == "| conv1 + ReLU | 16×26×26 |"


def test_prob_chart_marks_the_predicted_digit():
    probs = np.full(10, 0.05)
    probs[7] = 0.55
    fig = figures.prob_chart(probs, height=300)
    (bars,) = fig.data
    assert list(bars.x) == [str(i) for i in range(10)] and fig.layout.height == 300
    assert bars.marker.color[7] == figures.BEST and set(bars.marker.color) == {figures.BEST, figures.OTHER}
    assert tuple(fig.layout.yaxis.range) == (0, 1)


def test_confusion_figure_shows_the_counts_true_down_predicted_across():
    cm = np.eye(10, dtype=int) * 90
    cm[3, 5] = 7
    fig = figures.confusion_figure(cm)
    (heat,) = fig.data
    assert heat.type == "heatmap" and np.array_equal(np.asarray(heat.z), cm)
    assert fig.layout.yaxis.autorange == "reversed" and fig.layout.xaxis.side == "top"


def test_the_training_curves_place_the_epochs_on_the_steps():
    steps = [{"step": i, "loss": 2.0 / i} for i in range(1, 21)]
    epochs = [
        {"kind": "epoch", "epoch": 1, "train_loss": 0.5, "val_loss": 0.4, "train_acc": 0.8, "val_acc": 0.85},
        {"kind": "epoch", "epoch": 2, "train_loss": 0.3, "val_loss": 0.3, "train_acc": 0.9, "val_acc": 0.9},
    ]
    loss = figures.loss_figure(steps, epochs, batches=10)
    assert len(loss.data) == 3  # the batches, the training and the validation loss per epoch
    assert list(loss.data[1].x) == [10, 20]
    acc = figures.accuracy_figure(epochs)
    assert [list(tr.y) for tr in acc.data] == [[80.0, 90.0], [85.0, 90.0]]
    assert tuple(acc.layout.yaxis.range) == (0, 101)


def test_the_accuracy_chart_marks_whole_epochs_only():
    """Two epochs: ticks at 1 and 2, not 1, 1.5, 2; a long run keeps about ten ticks, still whole."""

    def epochs(n):
        return [{"kind": "epoch", "epoch": e, "train_acc": 0.5, "val_acc": 0.5} for e in range(1, n + 1)]

    for n, step in ((1, 1), (2, 1), (10, 1), (50, 5), (101, 11)):
        axis = figures.accuracy_figure(epochs(n)).layout.xaxis
        assert axis.dtick == step and axis.tick0 == 1 and axis.tickformat == "d", (n, axis.dtick)
