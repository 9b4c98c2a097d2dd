"""Projector mode's figures (ui.charts.projector_layout and `charts.plot`, which applies it): every text of a
figure at least 20 px (titles 22), whatever the figure set, sized by Plotly so its margins make room; the
figure a page passed, which may be shared by every session, left as it was; other sessions untouched."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots
from streamlit.testing.v1 import AppTest

from ui import charts


def _figure() -> go.Figure:
    """Small text everywhere a lab figure has text: two panels, a log axis, a legend, panel titles (the
    subplot titles are annotations), a heatmap with its colour bar and cell text, a chart title."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("head 1", "head 2"))
    fig.add_scatter(x=[1e-3, 1e-2, 1e-1], y=[1, 2, 3], name="loss", row=1, col=1)
    fig.add_heatmap(z=[[1, 2], [3, 4]], text=[["a", "b"], ["c", "d"]], texttemplate="%{text}", row=1, col=2)
    fig.update_layout(
        font={"size": 12}, title={"text": "t", "font": {"size": 14}}, legend={"font": {"size": 10}}
    )
    fig.update_xaxes(tickfont={"size": 11}, title={"text": "lr", "font": {"size": 13}})
    fig.update_xaxes(type="log", row=1, col=1)
    fig.add_annotation(x=0.5, y=0.5, text="<b>7</b>", font={"size": 30}, xref="paper", yref="paper")
    return fig


def _sizes(layout_json: dict, data_json: list) -> dict[str, float]:
    """The size of each text the figure's JSON names, by where it is."""
    lay = layout_json
    out = {
        "font": lay["font"]["size"],
        "title": lay["title"]["font"]["size"],
        "legend": lay["legend"]["font"]["size"],
    }
    for name in ("xaxis", "xaxis2", "yaxis", "yaxis2"):
        out[f"{name}.ticks"] = lay[name]["tickfont"]["size"]
        out[f"{name}.title"] = lay[name]["title"]["font"]["size"]
    for i, note in enumerate(lay["annotations"]):
        out[f"annotation{i}"] = note["font"]["size"]
    heat = next(d for d in data_json if d["type"] == "heatmap")
    out["colorbar"] = heat["colorbar"]["tickfont"]["size"]
    out["cells"] = heat["textfont"]["size"]
    return out


def test_every_text_is_at_least_projector_size_and_larger_ones_stay():
    fig = _figure()
    before = json.loads(fig.to_json())
    big = json.loads(charts.projector_layout(fig).to_json())
    sizes = _sizes(big["layout"], big["data"])
    small = {k: v for k, v in sizes.items() if v < charts.PROJECTOR_TICKS}
    assert not small, f"still below {charts.PROJECTOR_TICKS} px: {small}"
    assert sizes["title"] >= charts.PROJECTOR_TITLES and sizes["xaxis.title"] >= charts.PROJECTOR_TITLES
    assert sizes["annotation2"] == 30  # the digit label was larger already: kept
    assert big["layout"]["xaxis"]["dtick"] == 1  # the log axis labels its decades only
    assert big["layout"]["xaxis"]["automargin"] and big["layout"]["yaxis2"]["automargin"]
    assert json.loads(fig.to_json()) == before, "the figure the page passed was changed"


def _app():
    import plotly.graph_objects as go
    import streamlit as st

    from ui import charts

    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    fig.update_layout(font={"size": 12})
    fig.update_xaxes(tickfont={"size": 11})
    charts.plot(st, fig, key="plain")
    charts.plot(st.columns(2)[1], fig, key="in_column")  # into a column, as most pages draw


def _tick_sizes(at) -> list[float]:
    return [json.loads(c.proto.spec)["layout"]["xaxis"]["tickfont"]["size"] for c in at.get("plotly_chart")]


def test_a_session_in_projector_mode_draws_every_chart_large_and_others_do_not():
    at = AppTest.from_function(_app).run()
    assert not at.exception, at.exception
    assert _tick_sizes(at) == [11, 11]  # projector mode off: the figure as the page made it

    at.session_state["projector"] = True
    at.run()
    assert not at.exception, at.exception
    assert _tick_sizes(at) == [charts.PROJECTOR_TICKS] * 2

    other = AppTest.from_function(_app).run()  # another session of the same server, mode off
    assert _tick_sizes(other) == [11, 11]


def test_every_chart_of_the_lab_is_drawn_through_charts_plot():
    """Projector mode reaches a chart only through `charts.plot`: a page calling Streamlit's
    `plotly_chart` itself would draw small text on the projector."""
    root = Path(__file__).resolve().parents[2]
    direct = [
        f"{path.relative_to(root)}:{n}"
        for path in [*root.glob("app_pages/*.py"), *root.glob("ui/**/*.py"), root / "Home.py"]
        if path.name != "charts.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".plotly_chart(" in line
    ]
    assert not direct, f"draw these with charts.plot(container, figure, ...): {direct}"
