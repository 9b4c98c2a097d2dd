"""The attention figures are built from plain arrays and records, without Streamlit: what each one shows."""

from __future__ import annotations

import numpy as np

from core import attention as core_attention
from ui.figures import attention as figures
from ui.i18n import t


def test_token_labels_draw_the_separator_and_text_characters_readably():
    cfg = core_attention.SORT
    sep = core_attention.separator(cfg.digits)
    assert figures.token_labels([3, 1, sep, 1], cfg) == ["3", "1", figures.SEP, "1"]
    vocab = core_attention.CharVocab.of("あ \n")
    ids = vocab.encode("あ \n").tolist()
    assert figures.token_labels(ids, core_attention.TEXT, vocab) == ["あ", "␣", "⏎"]
    assert figures.token_labels(ids, core_attention.TEXT) == ["?"] * 3  # no vocabulary: unknown


def test_the_heatmaps_have_one_map_per_layer_and_head():
    att = np.random.default_rng(0).random((2, 3, 5, 5))
    fig = figures.heatmaps(att, list("abcde"), height=320)
    assert [tr.type for tr in fig.data] == ["heatmap"] * 6
    assert len(fig.layout.annotations) == 6  # a title per head
    assert fig.layout.height == 320 and list(fig.layout.yaxis.ticktext) == list("abcde")
    assert not fig.layout.yaxis2.showticklabels  # the query labels once, on the left
    many = figures.heatmaps(np.zeros((1, 1, 20, 20)), ["x"] * 20)
    assert many.layout.yaxis.ticktext is None  # a long text's characters would not fit


def test_the_curves_show_loss_and_for_digits_both_accuracies():
    steps = [{"step": 1, "loss": 2.0}, {"step": 2, "loss": float("nan")}]
    ep = [{"step": 2, "acc": 0.5, "token_acc": 0.8, "val_loss": 1.5}]
    fig = figures.curves(steps, ep, "sort")
    assert [tr.name for tr in fig.data] == [
        t("attention.legend.loss"),
        t("attention.legend.acc"),
        t("attention.legend.token_acc"),
    ]
    assert list(fig.data[1].y) == [50.0] and fig.data[1].yaxis == "y2"
    assert fig.data[0].y[1] is None  # a NaN loss leaves a gap
    text = figures.curves(steps, ep, "text")
    assert [tr.name for tr in text.data] == [t("attention.legend.loss"), t("attention.val_loss")]
    assert len(figures.curves([], [], "sort").data) == 2  # no steps yet: no loss curve


def test_row_bars_highlight_the_strongest_position():
    fig = figures.row_bars(np.array([0.1, 0.7, 0.2]), ["3", "1", "→"])
    bar = fig.data[0]
    assert bar.type == "bar" and list(bar.customdata) == ["3", "1", "→"]
    assert bar.marker.color[1] != bar.marker.color[0] == bar.marker.color[2]
    assert tuple(fig.layout.yaxis.range) == (0, 1)


def test_matrix_tex_and_the_results_table():
    assert figures.matrix_tex(np.array([[1.0, -np.inf]]), 1) == "\\begin{bmatrix}1.0 & -\\infty\\end{bmatrix}"
    digits = {"task": "sort", "experiment": "no_mask", "acc": 0.995, "token_acc": None, "val_loss": None}
    text = {"task": "text", "experiment": "none", "acc": None, "token_acc": None, "val_loss": 1.23456}
    rows = figures.results_table([{**digits, "seconds": 12.34, "first_99": 8.0}, {**text, "seconds": None}])
    assert rows[0][t("attention.col.experiment")] == t("attention.experiment.no_mask")
    assert rows[0][t("attention.col.acc")] == "99.5%" and rows[0][t("attention.col.token_acc")] is None
    assert rows[0][t("attention.col.seconds")] == 12.3
    assert rows[1][t("attention.col.val_loss")] == 1.235 and t("attention.col.acc") not in rows[1]


def test_projector_heatmaps_are_fewer_larger_and_from_the_last_layer():
    """In projector mode (large) 2 layers x 4 heads become the last layer's 4 heads, two across, with
    labels of at least 18 px and rows tall enough; a model with few heads keeps every map."""
    att = np.random.default_rng(1).random((2, 4, 12, 12))
    labels = [str(i % 10) for i in range(12)]
    fig = figures.heatmaps(att, labels, height=260, large=True)
    assert len(fig.data) == 4
    for j, trace in enumerate(fig.data):  # the last layer's heads, in order
        assert np.array_equal(np.asarray(trace.z), att[1, j])
    assert [a.text for a in fig.layout.annotations] == [
        t("attention.head_title", layer=2, head=j + 1) for j in range(4)
    ]
    assert {tr.xaxis for tr in fig.data} == {"x", "x2", "x3", "x4"} and fig.layout.xaxis3.domain[0] < 0.5
    assert all(a.font.size >= 18 for a in fig.layout.annotations)
    assert fig.layout.xaxis.tickfont.size >= 18 and fig.layout.yaxis.tickfont.size >= 18
    assert fig.layout.height >= 2 * 300  # two rows of maps, each about as tall as wide
    assert list(fig.layout.xaxis4.ticktext) == labels  # every map keeps its token labels
    small = figures.heatmaps(att, labels, height=260)
    assert len(small.data) == 8 and small.layout.xaxis.tickfont.size < 18 and small.layout.height == 260
    one_head = figures.heatmaps(att[:, :1], labels, height=260, large=True)
    assert len(one_head.data) == 2  # both layers: two maps fit


def test_panels_keep_at_most_four_maps_from_the_last_layer():
    assert figures.panels(2, 4) == [(i, j) for i in range(2) for j in range(4)]
    assert figures.panels(2, 4, large=True) == [(1, 0), (1, 1), (1, 2), (1, 3)]
    assert figures.panels(2, 2, large=True) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert figures.panels(1, 8, large=True) == [(0, j) for j in range(4)]


def test_position_errors_are_percent_bars_per_answer_position():
    fig = figures.position_errors(np.array([0.0, 0.1, 0.5, 0.02]))
    assert list(fig.data[0].x) == ["1", "2", "3", "4"] and np.allclose(fig.data[0].y, [0, 10, 50, 2])
    assert fig.layout.yaxis.range[1] >= 50
    assert figures.position_errors(np.zeros(6)).layout.yaxis.range[1] > 0  # no error: an axis still


def test_wrong_heatmap_has_a_row_per_head_over_the_positions_read():
    att = np.random.default_rng(1).random((2, 2, 6, 6))
    labels = ["1", "1", "→", "1", "1", "2"]
    fig = figures.wrong_heatmap(att, row=4, labels=labels, seen=5)
    z = np.asarray(fig.data[0].z)
    assert fig.data[0].type == "heatmap" and z.shape == (4, 5)  # 2 layers x 2 heads, 5 positions read
    assert np.allclose(z[3], att[1, 1, 4, :5])
    assert list(fig.layout.xaxis.ticktext) == labels[:5] and len(set(fig.data[0].x)) == 5  # repeats kept
