"""Class board: every student's submitted runs and images on one page for the projector; the leaderboard
and the class's chart (test accuracy against learning rate, by batch size) fill the first screen and
follow new submissions live."""

import streamlit as st

from ui import board, challenges, charts, questions
from ui.i18n import t
from ui.pages import begin
from ui.projector import projector_on
from ui.teacher import is_teacher

begin("board")

st.title(t("board.title"))
st.caption(t("board.lead"))


@st.fragment(run_every=board.REFRESH_S)  # docs/streamlit-notes.md, Live charts are fragments with run_every
def live() -> None:
    try:
        now = board.read()
    except board.DB_ERRORS as e:  # an unreadable database file: said, never a traceback
        st.error(t("board.unavailable", error=type(e).__name__))
        return
    projector = projector_on()
    challenges.board_panel(now.runs)  # the teacher's goal and its live ranking, while one is set
    left, right = st.columns([4, 3] if projector else [5, 4])  # the sidebar folded: room for the table
    with left, st.container(key="board_leaderboard"):
        st.markdown(f"**{t('board.leaderboard')}**")
        if now.runs:
            frame = board.leaderboard(now.runs, settings=not projector)
            st.dataframe(
                frame,
                hide_index=True,
                height=board.table_height(len(now.runs), projector),
                row_height=board.row_px(projector),
                column_config=board.column_config(projector),
            )
        else:
            st.info(t("board.empty"), icon=":material/leaderboard:")
    with right, st.container(key="board_chart"):
        st.markdown(f"**{t('board.chart')}**")
        if now.runs:
            charts.plot(st, board.class_chart(now.runs, height=330), key="board_chart_fig", width="stretch")
        else:
            st.caption(t("board.chart_empty"))
    st.caption(t("board.count", runs=len(now.runs), images=now.n_images))
    st.subheader(t("board.gallery"))
    with st.container(key="board_gallery"):
        board.gallery(now.gallery)
    st.download_button(
        t("board.csv"), now.csv, "class_board.csv", "text/csv", key="board_csv", on_click="ignore"
    )


questions.live_panel(key="board_question")  # the live question while it is on the pages: the first screen
live()
if is_teacher():
    board.teacher_controls()
    challenges.teacher_controls()
