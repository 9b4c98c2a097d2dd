"""Class challenges in the pages (core.challenges): the teacher's goal form, the board's live ranking of the
runs submitted since the goal was set (with each winner's settings as a lesson link), and a student's own
place against the class. Names and the teacher's text are shown as text or dataframe cells, never Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import challenges, classdb
from core import experiments as ex
from ui import charts
from ui.charts import COLORS, base_figure
from ui.i18n import current_lang, t
from ui.teacher import is_teacher

TOP_N = 10  # ranks on the board: the projector's first screen


def current() -> challenges.Challenge | None:
    """The running (or last) challenge; None without one or when the class database cannot be read."""
    try:
        return challenges.store().latest()
    except Exception:  # the board says what is wrong with its database; the challenge just does not show
        return None


def settings_link(settings: dict, origin: str = "") -> str:
    """A winning run's settings as a lesson link to the Hyperparameters page: its base values, the training
    size and seed (what to vary stays the student's choice)."""
    params = {"lang": current_lang()}
    for name in ex.CHOICES:
        if name in settings:
            value = settings[name]
            params[f"hyperparams_base_{name}"] = str(tuple(value) if isinstance(value, list) else value)
    for name in ("train_size", "seed"):
        if name in settings:
            params[f"hyperparams_{name}"] = str(settings[name])
    return f"{origin}/hyperparams?{urlencode(params)}"


def ranking_frame(places: Sequence[challenges.Place], origin: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("challenge.col.rank"): p.rank,
                t("challenge.col.name"): p.name,
                t("challenge.col.acc"): round(100 * p.acc, 1),
                t("challenge.col.epochs"): p.epochs,
                t("challenge.col.seconds"): round(p.seconds, 1),
                t("challenge.col.reached"): "✓" if p.reached else "",
                t("challenge.col.link"): settings_link(p.settings, origin),
            }
            for p in places
        ]
    )


def goal_text(c: challenges.Challenge) -> str:
    rules = []
    if c.max_epochs is not None:
        rules.append(t("challenge.rule.epochs", n=c.max_epochs))
    if c.target is not None:
        rules.append(t("challenge.rule.target", pct=100 * c.target))
    return " ・ ".join(rules)


def board_panel(entries: Sequence[classdb.Entry], origin: str = "") -> None:
    """The challenge's text, its rules and its live ranking (top TOP_N), above the board's leaderboard."""
    c = current()
    if c is None:
        return
    places = challenges.ranking(c, entries)
    with st.container(border=True, key="board_challenge"):
        head = t("challenge.running") if c.closed is None else t("challenge.ended")
        st.markdown(f"**{head}**")
        st.text(c.text)  # as the teacher typed it
        if rules := goal_text(c):
            st.caption(rules)
        if not places:
            st.caption(t("challenge.none_yet"))
            return
        st.dataframe(
            ranking_frame(places[:TOP_N], origin),
            hide_index=True,
            width="stretch",
            column_config={
                t("challenge.col.link"): st.column_config.LinkColumn(display_text=t("challenge.open"))
            },
        )
        reached = sum(p.reached for p in places)
        st.caption(
            t("challenge.count", n=len(places), reached=reached)
            if c.target
            else t("challenge.count_plain", n=len(places))
        )


def my_place(name: str) -> None:
    """On the page the runs come from: the student's best counted run against the class's (a histogram of
    every name's best, with theirs marked), or how to take part."""
    c = current()
    if c is None or not name:
        return
    try:
        entries = classdb.entries("run")
    except Exception:
        return
    places = challenges.ranking(c, entries)
    st.markdown(f"**{t('challenge.mine')}**")
    st.text(c.text)
    mine = challenges.place_of(name, places)
    if mine is None:
        st.caption(t("challenge.mine_none", rules=goal_text(c) or "-"))
        return
    st.caption(t("challenge.mine_place", rank=mine.rank, n=len(places), acc=100 * mine.acc))
    fig = base_figure(t("challenge.col.acc"), t("challenge.axis.count"), height=220)
    fig.add_trace(go.Histogram(x=[100 * p.acc for p in places], nbinsx=12, marker_color=COLORS[0], name=""))
    fig.add_vline(x=100 * mine.acc, line_color=COLORS[1], line_width=3, annotation_text=t("challenge.you"))
    fig.update_layout(showlegend=False)
    charts.plot(st, fig, key="challenge_mine_chart", width="stretch")


def teacher_controls() -> None:
    """Set a goal (text, most epochs, target accuracy) or end the running one. For a session that typed the
    teacher's token; checked again when a button acts."""
    st.subheader(t("challenge.teacher"))
    with st.form("challenge_form", border=False):
        text = st.text_input(t("challenge.text"), key="challenge_text", max_chars=challenges.MAX_TEXT)
        a, b = st.columns(2)
        epochs = a.number_input(
            t("challenge.max_epochs"), 0, challenges.MAX_EPOCHS, 3, key="challenge_epochs"
        )
        target = b.number_input(t("challenge.target"), 0.0, 100.0, 0.0, 0.5, key="challenge_target")
        go_ = st.form_submit_button(t("challenge.set"), type="primary", icon=":material/flag:")
    if go_:
        set_goal(text, int(epochs) or None, float(target) / 100 or None)
    c = current()
    if c is not None and c.closed is None:
        st.button(t("challenge.close"), key="challenge_close", on_click=close_goal)


def set_goal(text: str, max_epochs: int | None, target: float | None) -> bool:
    if not is_teacher():
        st.warning(t("challenge.not_teacher"), icon=":material/lock:")
        return False
    try:
        challenges.store().set(text, max_epochs, target)
    except challenges.ChallengeError as e:
        st.warning(t(f"challenge.err.{e.code}", max=challenges.MAX_EPOCHS), icon=":material/edit:")
        return False
    except Exception:  # the class database unreachable: said, the form keeps what was typed
        st.error(t("board.err.db"), icon=":material/database:")
        return False
    st.success(t("challenge.set_done"), icon=":material/flag:")
    return True


def close_goal() -> None:
    if is_teacher():
        challenges.store().close()
