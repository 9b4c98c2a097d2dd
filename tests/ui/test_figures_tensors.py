"""The Tensors figures are built from plain data, without Streamlit: what each one shows."""

from __future__ import annotations

import pytest

from core import tensor_lab as lab
from ui.figures import tensors as figures
from ui.i18n import t


def test_each_activation_keeps_its_colour_whichever_others_are_shown():
    curves = lab.activation_curves(n=11)
    names = list(curves)
    both = figures.activation_figure(curves, names[:2], "y", "f(z)")
    second = figures.activation_figure(curves, names[1:2], "dy", "f'(z)")
    assert [tr.name for tr in both.data] == [t(f"tensors.act.{n}") for n in names[:2]]
    assert second.data[0].line.color == both.data[1].line.color
    assert list(second.data[0].y) == curves[names[1]]["dy"] and len(second.data[0].x) == 11
    assert both.layout.yaxis.title.text == "f(z)"
    assert not figures.activation_figure(curves, [], "y", "f(z)").data


def test_the_line_figure_adds_the_learned_line_once_there_is_one():
    x, y = [-0.5, 0.0, 0.5], [0.0, 1.0, 2.0]
    fig = figures.line_figure(x, y, {"kind": "epoch", "w": 2.0, "b": 1.0})
    assert [tr.name for tr in fig.data] == [t("tensors.points"), "y = 2x + 1", t("tensors.learned")]
    assert list(fig.data[2].y) == [-1.0, 3.0]  # w·x + b at x = -1 and 1
    assert len(figures.line_figure(x, y, {"kind": "diverged"}).data) == 2


def test_the_loss_figure_is_logarithmic_and_leaves_a_gap_where_the_loss_blew_up():
    fig = figures.loss_figure([1.0, 0.5, 1e31])
    assert fig.layout.yaxis.type == "log"
    assert list(fig.data[0].x) == [1, 2, 3] and list(fig.data[0].y) == [1.0, 0.5, None]


def test_the_broadcast_table_has_a_row_per_dimension_counted_from_the_right():
    rows = figures.broadcast_rows(lab.broadcast((3, 1), (2, 4)))
    assert [r["dim"] for r in rows] == [-2, -1]
    assert rows[0][t("tensors.bc_out")] == "—" and rows[0][t("tensors.bc_rule")] == t("tensors.bc.clash")
    assert rows[1][t("tensors.bc_out")] == "4" and rows[1][t("tensors.bc_rule")] == t("tensors.bc.stretch_a")


def test_the_broadcast_table_converts_to_arrow_as_it_is():
    """One type per column: Streamlit converts the rows with pyarrow, and a column of numbers and "—"
    fails there and logs a traceback on every rerun before Streamlit patches it up."""
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    for a, b in (((3, 1), (2, 4)), ((3, 1), (4,)), ((2, 3), (5, 2, 3))):
        pa.Table.from_pandas(pd.DataFrame(figures.broadcast_rows(lab.broadcast(a, b))))
