"""Live questions in the pages: the teacher's controls (ask a review question from the strings or a new one,
close, reveal, take it off), the students' answer box drawn inside the class banner at the top of every
page, and the class's answers as a chart big enough for the projector. The store is core.questions; this
module turns its rows into widgets and figures.

Every text a teacher or a student typed (question, choices, names, answers) is shown as text: `st.text`,
dataframe cells, Markdown-escaped labels (ui.teacher.literal_label) and HTML-escaped Plotly labels.
"""

from __future__ import annotations

import functools
import html
import re

import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from core import classdb, questions
from core.questions import Distribution, Question, QuestionError
from core.topics import TOPICS
from ui import teacher
from ui.charts import COLORS, base_figure, plot
from ui.i18n import catalogs, current_lang, labels, relabelled, t
from ui.saved_runs import student_name

REFRESH_S = 2.0  # the live chart of the answers: a class answers within seconds
POLL_TTL_S = 1  # one shared read of the shown question per second serves every student's banner
DB_ERRORS = (sa.exc.SQLAlchemyError, OSError)
_MINE = "_questions_mine"  # session_state: {question id: this session's stored answer}
_REVIEW = re.compile(r"^(?P<topic>[a-z_]+)\.(?:review\.)?q(?P<n>\d+)$")  # <topic>.qN, <topic>.review.qN
RIGHT, OTHER = "#2ca02c", COLORS[0]


# -- the pages' review questions -----------------------------------------------------------------------
@functools.cache  # the strings are fixed at import; the banner asks on every poll
def review_keys() -> tuple[str, ...]:
    """Every page's review-question key (`<topic>.qN`, `<topic>.review.qN`) with its answer, course order."""
    order = {tp.key: i for i, tp in enumerate(TOPICS)}
    table = catalogs()["ja"]
    found = [(m, k) for k in table if (m := _REVIEW.match(k)) and m["topic"] in order]
    found = [(m, k) for m, k in found if answer_key(k) in table]
    return tuple(k for m, k in sorted(found, key=lambda mk: (order[mk[0]["topic"]], int(mk[0]["n"]))))


def answer_key(question_key: str) -> str:
    return re.sub(r"q(\d+)$", r"a\1", question_key)


def topic_of(question_key: str) -> str:
    m = _REVIEW.match(question_key)
    return m["topic"] if m else ""


def question_text(q: Question) -> str:
    """A review question in the reader's language; a teacher's own as typed."""
    return t(q.source) if q.source in review_keys() else q.text


# -- reading, cached across sessions -------------------------------------------------------------------
@st.cache_data(ttl=POLL_TTL_S, show_spinner=False)
def _shown(url: str) -> Question | None:
    return questions.store(url).latest(shown_only=True)


@st.cache_data(ttl=POLL_TTL_S, show_spinner=False)  # a view without controls may be open on every laptop
def _live(url: str, shown_only: bool) -> tuple[Question | None, Distribution | None]:
    store = questions.store(url)
    q = store.latest(shown_only=shown_only)
    return q, (store.distribution(q.id) if q is not None else None)


def shown_question() -> Question | None:
    """The question on the students' pages (at most POLL_TTL_S old); None when none, or the database is
    unreachable (the banner then says nothing rather than fail every page)."""
    try:
        return _shown(classdb.default_url())
    except DB_ERRORS:
        return None


def class_pages() -> set[str]:
    """The class's own pages (the registry's part 4): the student's box is not drawn there."""
    return {tp.key for tp in TOPICS if tp.part == 4}


def present() -> int:
    """Students here now, on a lesson page: every replica's (core.presence, written every few seconds) where
    the class database is shared, else this server's seats (ui.classroom)."""
    from core import presence
    from ui import classroom

    if presence.shared_database():
        try:
            return sum(1 for s in presence.store().seats() if s.page not in class_pages())
        except Exception:  # the database unreachable: this server's count is still a count
            pass
    seats = classroom.classroom().seats(classroom.session_alive)
    return sum(1 for s in seats if s.page not in class_pages())


# -- the teacher's actions: each checks the session itself, not only the buttons -----------------------
def _as_teacher(call, *args, **kwargs):
    if not teacher.is_teacher():
        raise PermissionError("not signed in as the teacher")
    done = call(*args, **kwargs)
    _shown.clear()  # this server's students see it at their next poll
    _live.clear()
    return done


def ask(text: str, kind: str, **kwargs) -> int:
    return _as_teacher(questions.store().ask, text, kind, **kwargs)


def close(question_id: int) -> Question:
    return _as_teacher(questions.store().close, question_id)


def reveal(question_id: int) -> Question:
    return _as_teacher(questions.store().reveal, question_id)


def hide(question_id: int) -> Question:
    return _as_teacher(questions.store().hide, question_id)


def _act(call, *args, **kwargs) -> bool:
    """Run a teacher's action; a refusal or an unreachable database is said, never a traceback."""
    try:
        call(*args, **kwargs)
    except QuestionError as e:
        st.warning(t(f"questions.err.{e.code}"), icon=":material/edit:")
    except PermissionError:
        st.error(t("questions.err.teacher"), icon=":material/lock:")
    except DB_ERRORS:
        st.error(t("questions.err.db"), icon=":material/database:")
    else:
        return True
    return False


# -- the teacher's controls -----------------------------------------------------------------------------
def teacher_panel() -> None:
    """The teacher's section: a question to ask, and the asked one live with its controls."""
    st.subheader(t("questions.title"))
    st.caption(t("questions.lead"))
    if not teacher.is_teacher():  # the page checks first; this is the belt to its braces
        st.error(t("questions.err.teacher"), icon=":material/lock:")
        return
    _ask_form()
    live_panel(controls=True, key="questions_live")


def _ask_form() -> None:
    source = st.radio(
        t("questions.source"),
        ["review", "new"],
        format_func=labels("questions.source."),
        horizontal=True,
        key=relabelled("questions_source"),
    )
    topics = [tp.key for tp in TOPICS if tp.part < 4]
    lang = current_lang()  # a format_func may be called after the run, when the language is unknown
    if source == "review":
        qkey = st.selectbox(
            t("questions.review_pick"),
            review_keys(),
            format_func=lambda k: f"{t(f'nav.{topic_of(k)}', lang=lang)}：{t(k, lang=lang)}",
            key=relabelled("questions_review"),
        )
        text, page = t(qkey), topic_of(qkey)
    else:
        text = st.text_area(
            t("questions.text"), key="questions_text", max_chars=questions.MAX_TEXT, height=80
        )
        page = st.selectbox(
            t("questions.page"),
            ["", *topics],
            format_func=lambda k: t(f"nav.{k}" if k else "questions.no_page", lang=lang),
            key=relabelled("questions_page"),
        )
    st.session_state.setdefault("questions_kind", "text")  # the pages' review questions are open questions
    kind = st.radio(
        t("questions.kind"),
        questions.KINDS,
        format_func=labels("questions.kind."),
        horizontal=True,
        key=relabelled("questions_kind"),
    )
    choices: list[str] = []
    answer: object = None
    if kind == "choice":
        raw = st.text_area(t("questions.choices"), key="questions_choices", height=130)
        choices = [c for c in (raw or "").splitlines() if c.strip()]
        n = st.number_input(
            t("questions.right_choice"), 0, questions.MAX_CHOICES, 0, 1, key="questions_right_choice"
        )
        answer = int(n) - 1 if n else None  # past the choices typed: the store refuses it ("answer")
    elif kind == "number":
        answer = st.text_input(t("questions.right_number"), key="questions_right_number").strip() or None
    else:
        answer = st.text_input(t("questions.right_text"), key="questions_right_text").strip() or None
    explanation = st.text_area(t("questions.explanation"), key="questions_explanation", height=80)
    if st.button(t("questions.open"), key="questions_open", type="primary", icon=":material/quiz:"):
        kwargs = {"choices": choices, "answer": answer, "explanation": explanation or "", "page": page}
        if source == "review":
            kwargs["source"] = qkey
        if _act(ask, text or "", kind, **kwargs):
            st.success(t("questions.opened"), icon=":material/quiz:")


def live_panel(controls: bool = False, key: str = "questions_view") -> None:
    """The newest question and the class's answers, redrawn every REFRESH_S: for the teacher with the
    controls; without them (a projector's view of the class) only while the question is on the students'
    pages, under its own heading, and nothing otherwise, so it takes the first screen only while it is."""
    st.fragment(run_every=REFRESH_S)(_draw_live)(controls, key)


def _draw_live(controls: bool, key: str) -> None:
    try:
        q, d = _live(classdb.default_url(), not controls)
    except DB_ERRORS:
        st.error(t("questions.err.db"), icon=":material/database:")
        return
    with st.container(key=key):
        if q is None:
            if controls:
                st.caption(t("questions.none_yet"))
            return
        state = t(f"questions.state.{q.state}") + ("" if q.shown else " " + t("questions.hidden"))
        if controls:
            st.markdown(f"**{t('questions.current')}**（{state}）")
        else:
            st.subheader(f"{t('questions.title')}（{state}）")
        words, chart = st.columns([2, 3])  # the question beside its answers: one projector screen
        with words:
            st.text(question_text(q))
            count = t("questions.count", n=d.total, m=present(), named=d.named, anonymous=d.anonymous)
            st.markdown(f"**{count}**")
            if d.median is not None:
                st.markdown(f"**{t('questions.median', median=d.median)}**")
            if q.state == "revealed":
                _right_answer(q, None)
            if controls:
                _controls(q, key)
        with chart:
            distribution_view(d, key)


def _controls(q: Question, key: str) -> None:
    acts = [("close", close, q.state == "open"), ("reveal", reveal, q.state != "revealed")]
    acts.append(("hide", hide, q.shown))
    for name, call, enabled in acts:
        if st.button(t(f"questions.{name}"), key=f"{key}_{name}_{q.id}", disabled=not enabled):
            if _act(call, q.id):
                st.rerun()  # the buttons and the chart in the new state
    st.download_button(
        t("questions.csv"),
        questions.store().to_csv,  # made when clicked, not on every poll of the panel
        "live_questions.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )


def distribution_view(d: Distribution, key: str) -> None:
    if d.question.kind != "text":
        plot(st, figure(d), key=f"{key}_chart", width="stretch")
    elif d.texts:
        name, answer = t("questions.col.name"), t("questions.col.answer")
        rows = [{name: n or t("questions.anonymous_name"), answer: v} for n, v in d.texts]
        st.dataframe(rows, hide_index=True, width="stretch", key=f"{key}_texts")


def figure(d: Distribution, height: int | None = None) -> go.Figure:
    """Counts per choice as horizontal bars (the right one green once revealed), or the numbers'
    histogram with the median (and the right number once revealed) marked. Labels are HTML-escaped:
    Plotly reads tags in text."""
    q = d.question
    right = q.answer if q.state == "revealed" else None
    if q.kind == "choice":
        names = [f"{i + 1}. {html.escape(_short(c))}" for i, c in enumerate(q.choices)]
        fig = base_figure(t("questions.chart.count"), "", height=height or max(260, 60 + 50 * len(names)))
        colours = [RIGHT if right is not None and str(i) == right else OTHER for i in range(len(names))]
        fig.add_bar(x=list(d.counts), y=names, orientation="h", marker_color=colours, text=list(d.counts))
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_xaxes(rangemode="tozero", dtick=1 if max(d.counts, default=0) <= 10 else None)
    else:
        fig = base_figure(t("questions.chart.value"), t("questions.chart.count"), height=height or 300)
        fig.update_yaxes(rangemode="tozero", dtick=1 if max(d.counts, default=0) <= 10 else None)
        if d.counts:
            centres = [(a + b) / 2 for a, b in zip(d.edges[:-1], d.edges[1:], strict=True)]
            widths = [b - a for a, b in zip(d.edges[:-1], d.edges[1:], strict=True)]
            fig.add_bar(x=centres, y=list(d.counts), width=widths, marker_color=OTHER, text=list(d.counts))
        if d.median is not None:
            fig.add_vline(
                x=d.median,
                line_dash="dash",
                annotation_text=t("questions.chart.median"),
                annotation_position="top left",
            )
        if right is not None:
            fig.add_vline(x=float(right), line_color=RIGHT, annotation_text=t("questions.chart.right"))
    fig.update_layout(showlegend=False)
    return fig


def _short(text: str, limit: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


# -- the students' box ----------------------------------------------------------------------------------
def student_part(key: str) -> None:
    """The shown question at the top of a lesson page, drawn inside the class banner's fragment (so its
    poll is the banner's: one cached read). `key` prefixes its widgets' keys (the banner's, which a
    lesson link cannot hide)."""
    from ui.pages import current_page

    if current_page() in class_pages():
        return
    q = shown_question()
    if q is None:
        return
    mine = st.session_state.setdefault(_MINE, {}).get(q.id)
    with st.container(border=True, key=f"{key}_question"):
        st.markdown(f"**{t('questions.live')}**（{t(f'questions.state.{q.state}')}）")
        st.text(question_text(q))
        if q.state == "open":
            _answer_form(q, key)
            mine = st.session_state[_MINE].get(q.id)
        if mine is not None:
            st.text(t("questions.yours", answer=q.shown_value(mine)))
        if q.state == "closed":
            st.caption(t("questions.closed_wait"))
        elif q.state == "revealed":
            _right_answer(q, mine)


def _answer_form(q: Question, key: str) -> None:
    from ui import classroom

    name = student_name()
    base = f"{key}_q{q.id}"
    with st.form(base, border=False):
        if q.kind == "choice":
            value = st.radio(
                t("questions.pick"),
                range(len(q.choices)),
                index=None,
                format_func=lambda i: teacher.literal_label(q.choices[i]),
                key=f"{base}_choice",
            )
        elif q.kind == "number":
            value = st.text_input(t("questions.number"), key=f"{base}_number", max_chars=40)
        else:
            value = st.text_input(t("questions.free"), key=f"{base}_text", max_chars=questions.MAX_ANSWER)
        if name:
            anonymous = st.checkbox(t("questions.as_anonymous"), key=f"{base}_anonymous")
        else:
            anonymous = True
            st.caption(t("questions.no_name"))
        sent = st.form_submit_button(t("questions.send"), type="primary")
    if not sent:
        return
    if value is None:  # no choice picked
        st.warning(t("questions.err.pick"), icon=":material/edit:")
        return
    try:
        done = questions.store().answer(q.id, classroom.seat_id(), value, "" if anonymous else name)
    except QuestionError as e:
        st.warning(t(f"questions.err.{e.code}"), icon=":material/edit:")
    except DB_ERRORS:
        st.error(t("questions.err.db"), icon=":material/database:")
    else:
        st.session_state[_MINE][q.id] = done.value
        st.success(t("questions.saved"), icon=":material/check:")


def _right_answer(q: Question, mine: str | None) -> None:
    """After the reveal: the right answer, whether this session's was, and the explanation."""
    if q.answer is None:
        st.caption(t("questions.no_right"))
    else:
        st.text(t("questions.right", answer=q.shown_value(q.answer)))
        if mine is not None and q.kind != "text":  # a free answer is the class's to discuss, not matched
            right = questions.same_answer(q, mine, q.answer)
            (st.success if right else st.info)(t("questions.right_you" if right else "questions.wrong_you"))
    if q.explanation:
        st.caption(t("questions.explained"))
        st.text(q.explanation)  # the teacher's own: as typed
    elif q.source in review_keys():
        st.caption(t("questions.explained"))
        st.markdown(t(answer_key(q.source)))  # the page's own answer, written as Markdown in ui/strings
