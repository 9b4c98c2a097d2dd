"""Projector mode lays each page's main chart across the whole main area, above the rest and taller; with
the mode off the page keeps its columns exactly as they were.

Where a node sits is read from AppTest's element tree: the blocks from the main area down to it, each
`st.columns` cell being a block of type "column" inside a row of its sibling columns."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.apptest import open_page


@dataclass(frozen=True)
class Main:
    page: str
    main: str  # key of the main chart, or of the keyed container around it
    rest: str  # key of something that sat beside it and goes below it in projector mode
    columns: tuple[tuple[int, int], ...]  # with projector mode off: (columns in the row, index) per level
    chart: str | None = None  # key of the main Plotly chart, whose height grows (images grow with the width)


# XOR is not here: its settings, Train and the map with the loss share one row in both modes, since all of
# them together are the lesson on a 1280x720 screen (tests/e2e/test_xor_layout_e2e.py checks that screen).
PAGES = {
    "gan": Main("app_pages/gan.py", "image", "gan_grid_n", ((2, 0),)),  # the first image is the shipped grid
    "diffusion": Main("app_pages/diffusion.py", "diffusion_strip", "diffusion_label", ((2, 0),)),
    "cnn": Main("app_pages/cnn.py", "cnn_prediction", "cnn_canvas", ((2, 1),)),
    "attention": Main(
        # the rest: the note beside the heatmaps before training, the page's first st.info
        "app_pages/attention.py",
        "attention_heatmaps",
        "info",
        ((2, 1),),
        chart="attention_preview_maps",
    ),
}


def walk(node, path=()):
    """Every node under `node` in document order, with the blocks above it."""
    for child in getattr(node, "children", {}).values():
        yield child, path
        yield from walk(child, (*path, child))


def find(at, key: str):
    """(node, blocks above it) of the first node with `key`; a key without a match names an element type
    (an `st.image` has no key of its own)."""
    nodes = list(walk(at.main))
    for i, (node, path) in enumerate(nodes):
        if getattr(node, "key", None) == key:
            return i, node, path
    for i, (node, path) in enumerate(nodes):
        if node.type == key:
            return i, node, path
    raise AssertionError(f"nothing with key or type {key!r} on the page")


def column_chain(path) -> tuple[tuple[int, int], ...]:
    """(columns in the row, this column's index) for every `st.columns` cell the node is inside."""
    chain, parent = [], None
    for block in path:
        if block.type == "column":
            siblings = list(parent.children.values())
            chain.append((len(siblings), next(i for i, s in enumerate(siblings) if s is block)))
        parent = block
    return tuple(chain)


def height(at, key: str) -> int:
    chart = next(node for node, _ in walk(at.main) if getattr(node, "key", None) == key)
    return json.loads(chart.proto.spec)["layout"]["height"]


def with_projector(at, on: bool):
    """The sidebar's toggle, by its key: AppTest runs a page without Home.py, so without the sidebar."""
    at.session_state["projector"] = on
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("name", sorted(PAGES))
def test_main_chart_spans_the_main_area_in_projector_mode(name):
    spec = PAGES[name]
    at = open_page(spec.page, "ja")
    assert not at.exception, at.exception
    before_i, _, before = find(at, spec.main)
    assert column_chain(before) == spec.columns  # the normal layout: the columns the page always had
    rest_i, _, _ = find(at, spec.rest)

    with_projector(at, True)
    i, _, path = find(at, spec.main)
    assert column_chain(path) == (), f"{name}: the main chart is still inside columns {column_chain(path)}"
    j, _, _ = find(at, spec.rest)
    assert i < j, f"{name}: what sat beside the main chart should come below it"
    if spec.chart is not None:
        normal = height(with_projector(at, False), spec.chart)
        assert height(with_projector(at, True), spec.chart) > normal, f"{name}: the main chart is no taller"

    # and off again: the same columns, the same order as before the mode was ever on
    with_projector(at, False)
    i, _, path = find(at, spec.main)
    assert column_chain(path) == spec.columns
    assert (find(at, spec.rest)[0] < i) == (rest_i < before_i)


def test_vae_keeps_its_map_beside_the_decoded_digit_and_fits_the_first_screen():
    """The VAE's lesson is the pair, a click on the map and the digit it decodes to: in projector mode (the
    sidebar folded away) both stay on one screen, side by side; the radio's label goes, the map is a little
    taller, its z axes' titles large enough that their subscripts read at 18 px."""
    at = open_page("app_pages/vae.py", "ja")
    assert not at.exception, at.exception
    for on in (False, True):
        with_projector(at, on)
        _, _, map_path = find(at, "vae_map")
        _, _, digit_path = find(at, "vae_decoded")
        assert column_chain(map_path) == ((2, 0),) and column_chain(digit_path) == ((2, 1),), on
        assert ("COLLAPSED" in str(at.radio(key="vae_which").label_visibility)) == on  # the radio's label
        layout = json.loads(
            next(n for n, _ in walk(at.main) if getattr(n, "key", None) == "vae_map_vae").proto.spec
        )["layout"]
        assert layout["xaxis"]["title"]["text"] == "z<sub>1</sub>"
        assert 0.7 * layout["yaxis"]["title"]["font"]["size"] >= 18  # Plotly draws <sub> at 70 %
    assert height(with_projector(at, True), "vae_map_vae") > height(with_projector(at, False), "vae_map_vae")


def test_hyperparams_loss_curves_span_the_main_area_in_projector_mode():
    at = open_page("app_pages/hyperparams.py", "en")
    at.button(key="hyperparams_preset_lr").click().run()
    at.button(key="hyperparams_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["hyperparams"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert column_chain(find(at, "hyperparams_loss")[2]) == ((2, 0),)
    normal = height(at, "hyperparams_loss_chart")

    with_projector(at, True)
    i, _, path = find(at, "hyperparams_loss")
    assert column_chain(path) == ()
    assert i < find(at, "hyperparams_acc")[0]
    assert height(at, "hyperparams_loss_chart") > normal
    assert column_chain(find(at, "hyperparams_acc")[2]) == ()  # below it, full width too, not beside it


def test_columns_are_plain_st_columns_when_projector_mode_is_off():
    """Off, the helper hands back Streamlit's own columns: same count, weights and gap."""
    from streamlit.testing.v1 import AppTest

    def app():
        import streamlit as st

        from ui import layout

        st.session_state.setdefault("projector", False)
        for cell, text in zip(layout.main_columns([1, 2.6], main=1, gap="medium"), ("a", "b")):
            cell.markdown(text)
        st.markdown(f"h={layout.main_height(300)}")

    at = AppTest.from_function(app).run()
    assert not at.exception, at.exception
    cols = at.columns
    assert [round(c.weight, 3) for c in cols] == [round(1 / 3.6, 3), round(2.6 / 3.6, 3)]
    assert {c.gap for c in cols} == {"medium"}
    assert [c.markdown[0].value for c in cols] == ["a", "b"]
    assert at.markdown[-1].value == "h=300"

    at.session_state["projector"] = True
    at.run()
    assert not at.exception, at.exception
    assert len(at.columns) == 0
    assert [m.value for m in at.markdown] == ["b", "a", f"h={round(300 * 1.35)}"]  # the main one first
