"""ui.links: a lesson link's values reach the widgets, the link gives them back, values the widgets cannot
take are ignored with a note, and hide=/lock= name only real widget keys."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui import links


def demo_page():
    import streamlit as st

    from ui import links

    links.begin_run()
    st.slider("layers", 0, 3, 2, key="demo_layers", **links.bind("demo_layers"))
    st.select_slider("lr", (0.01, 0.1, 0.5), 0.1, key="demo_lr", **links.bind("demo_lr"))
    names = {"sigmoid": "シグモイド", "relu": "ReLU"}  # translated labels: not what the URL should carry
    st.selectbox("act", tuple(names), key=links.choice("demo_act", tuple(names)), format_func=names.get)
    links.end_run()
    links.panel(st, "demo")


def run_with(params: dict[str, str]) -> AppTest:
    at = AppTest.from_function(demo_page, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def link_text(at: AppTest) -> str:
    return next(c.value for c in at.code if "/demo?" in c.value)


def test_a_link_sets_the_widgets_and_the_page_gives_its_link_back():
    at = run_with({"lang": "en", "demo_layers": "1", "demo_lr": "0.5", "demo_act": "relu"})
    assert not at.exception, at.exception
    assert at.slider(key="demo_layers").value == 1
    assert at.select_slider(key="demo_lr").value == 0.5
    assert at.selectbox(key="demo_act").value == "relu"
    assert link_text(at).endswith("/demo?lang=en&demo_layers=1&demo_lr=0.5&demo_act=relu")
    at.selectbox(key="demo_act").set_value("sigmoid").run()
    assert at.query_params["demo_act"] in ("sigmoid", ["sigmoid"])  # the option, not 「シグモイド」
    at.slider(key="demo_layers").set_value(3).run()
    assert "demo_layers=3" in link_text(at)  # the link follows the student's changes


def test_an_unknown_option_is_ignored_with_a_note_and_the_rest_is_used():
    at = run_with({"lang": "en", "demo_act": "softmax", "demo_layers": "1"})
    assert not at.exception, at.exception
    assert at.selectbox(key="demo_act").value == "sigmoid"  # the default
    assert at.slider(key="demo_layers").value == 1
    notes = [x.value for x in at.text]
    assert any("demo_act=softmax" in n and "ignored" in n for n in notes), notes
    at.run()
    assert not any("softmax" in x.value for x in at.text)  # said once, not on every rerun


def test_a_note_shows_the_links_value_as_text_never_as_markdown():
    """A classmate's link cannot put a clickable link (or HTML) into the note: st.text, not Markdown."""
    value = "[先生の課題](http://x)<b>x</b>"
    at = run_with({"lang": "ja", "demo_act": value})
    assert not at.exception, at.exception
    assert any(value in x.value for x in at.text), [x.value for x in at.text]
    shown = (
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [h.proto.body for h in at.get("html")]
    )
    assert not any("http://x" in m for m in shown), shown


@pytest.mark.parametrize(
    "text, ok",
    [
        ("0.5", True),
        ("-3", True),
        ("relu", True),
        ("true", True),
        ("1e5", True),
        ("inf", False),
        ("-inf", False),
        ("Infinity", False),
        ("nan", False),
        ("1e999", False),
        ("1e16", False),
        ("9" * 30, False),
        ("9" * 5000, False),
        ("x" * 41, False),
    ],
)
def test_values_no_widget_can_hold_are_told_apart(text, ok):
    assert links.usable(text) is ok


def test_hide_and_lock_name_only_widget_keys():
    css = links.stylesheet(["demo_lr"], ["demo_layers"])
    assert (
        ".st-key-demo_lr { display: none; }" in css and ".st-key-demo_layers { pointer-events: none;" in css
    )
    assert links.stylesheet([], []) == ""
    for bad in ("demo_lr}body{display:none", "<script>", "a b", "Demo", ""):
        assert not links.KEY_RE.match(bad), bad


def test_hide_from_the_url_hides_the_widget():
    def page():
        import streamlit as st

        from ui import links

        links.apply_classroom_view()
        st.slider("x", 0, 3, 1, key="demo_x")

    at = AppTest.from_function(page, default_timeout=30)
    at.query_params["hide"] = "demo_x,}body{,demo_y"
    at.run()
    styles = [h.proto.body for h in at.get("html")]
    assert any(".st-key-demo_x { display: none; }" in s for s in styles), styles
    assert not any("body{" in s for s in styles)


def test_hide_and_lock_never_reach_what_every_page_needs():
    """Not the language, the name box, projector mode, the teacher's message or the link's notes."""

    def page():
        import streamlit as st

        from ui import links

        links.apply_classroom_view()
        st.slider("x", 0, 3, 1, key="demo_x")

    from ui import classroom, saved_runs, sidebar

    keys = [
        "lang",
        saved_runs.NAME_KEY,
        sidebar.PROJECTOR,
        classroom.BANNER_KEY,
        f"{classroom.BANNER_KEY}_message",
    ]
    reserved = ",".join([*keys, "teacher_token", "links_notes"])
    at = AppTest.from_function(page, default_timeout=30)
    at.query_params["hide"] = f"{reserved},demo_x"
    at.query_params["lock"] = reserved
    at.run()
    css = "".join(h.proto.body for h in at.get("html"))
    assert ".st-key-demo_x { display: none; }" in css
    for key in reserved.split(","):
        assert f".st-key-{key} " not in css, key
    assert all(key.startswith(links.RESERVED) for key in reserved.split(","))
