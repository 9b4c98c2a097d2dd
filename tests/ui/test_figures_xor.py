"""The XOR figures are built from plain data, without Streamlit: what each one shows."""

from __future__ import annotations

from core import xor
from ui.figures import xor as figures


def trained(epochs: int = 30) -> xor.Trainer:
    trainer = xor.Trainer(xor.XORConfig(epochs=epochs))
    for _ in trainer.run():
        pass
    return trainer


def test_the_network_figure_draws_every_neuron_with_its_activation():
    trainer = trained()
    fig = figures.network_figure(xor.network_values(trainer.model))
    neurons = fig.data[-1]
    assert len(neurons.x) == sum(xor.network_values(trainer.model)["sizes"])  # 2 + 2 + 2 + 1
    assert all(0.0 <= c <= 1.0 for c in neurons.marker.color)
    weights = [tr for tr in fig.data[:-1] if tr.mode == "lines"]
    assert {tr.line.color for tr in weights} <= {figures.POS, figures.NEG}


def test_the_loss_figure_says_where_the_curve_will_be_before_training_and_draws_it_after():
    empty = figures.loss_figure(xor.Trainer(xor.XORConfig(epochs=5)))
    assert not empty.data and empty.layout.annotations[0].text
    fig = figures.loss_figure(trained(), marker_epoch=10)
    assert fig.data and fig.layout.yaxis.type == "log"
    assert any(shape.line.dash == "dot" for shape in fig.layout.shapes)  # the replay's epoch


def test_the_heatmap_shows_the_map_and_the_four_inputs():
    trainer = trained()
    grid = xor.decision_grid(trainer.model)
    rows = xor.truth_table(trainer.model, "XOR")
    fig = figures.heatmap_figure(grid, rows)
    assert fig.data[0].type == "heatmap"
    points = [tr for tr in fig.data if tr.type == "scatter"]
    assert sum(len(tr.x) for tr in points) >= 4


def test_truth_table_rows_and_matrix_text():
    rows = figures.truth_table_rows(xor.truth_table(trained().model, "XOR"))
    assert len(rows) == 4 and {"x1", "x2"} <= set(rows[0])
    assert figures.matrix_text([[1.0, -0.5], [0.25, 0.0]], digits=2) == "[[+1.00, -0.50],\n [+0.25, +0.00]]"
    assert figures.matrix_text([0.5]) == "[+0.500]"
