"""The teacher's page: who is here and where, every training job with Stop, the queue per device, recent
errors, memory, and a message to the whole class. Behind LAB_TEACHER_TOKEN (ui.teacher)."""

import os

import streamlit as st

from core import classdb
from ui import classroom, jobs, progress, questions, resources, teacher
from ui.i18n import t
from ui.pages import PAGES, begin

begin("teacher")

REFRESH_S = 3
SKIP = ("teacher",)  # the teacher's own session is no student
st.title(t("teacher.title"))

if teacher.setup() == "off":
    st.info(t("teacher.disabled"), icon=":material/lock:")
    st.stop()
if teacher.setup() == "short":  # refused: a short passphrase can be guessed
    st.error(t("teacher.short", n=teacher.MIN_LENGTH), icon=":material/lock:")
    st.stop()

if not teacher.is_teacher():
    with st.form("teacher_sign_in", border=False):
        token = st.text_input(t("teacher.token"), type="password", key="teacher_token")
        signed = st.form_submit_button(t("teacher.sign_in"), type="primary")
    if signed:
        attempt = teacher.try_token(token or "")
        if attempt.ok:
            st.rerun()
        if attempt.checked:
            st.error(t("teacher.wrong"), icon=":material/lock:")
        else:  # the server still pauses after a wrong try (any browser's): this one was not looked at
            st.warning(t("teacher.wait", s=max(1.0, attempt.wait_s)), icon=":material/hourglass_top:")
    st.stop()

st.button(t("teacher.sign_out"), key="teacher_sign_out", on_click=teacher.sign_out)
PAGE_TITLES = {p.key: t(f"nav.{p.key}") for p in PAGES} | {"home": t("nav.home")}


def page_title(key: str) -> str:
    return PAGE_TITLES.get(key, key)


def rss_gib() -> float | None:
    """This server process's resident memory, from /proc (Linux)."""
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        return None
    return None


@st.fragment(run_every=REFRESH_S)
def live_view() -> None:
    room = classroom.classroom()
    progress.students(page_title, SKIP)  # counts and students: every replica's when the database is shared
    st.subheader(t("teacher.jobs"))
    every = room.job_rows(classroom.session_alive)
    rows = [r for r in every if r[2].state in (*jobs.ACTIVE, "error")]
    shared = progress.jobs_table(page_title, SKIP)  # every replica's jobs, when the database is shared
    if not shared and not rows:
        st.caption(t("teacher.no_jobs"))
    elif not shared:
        st.dataframe(
            [
                {
                    t("teacher.col.name"): seat.name or t("teacher.unnamed"),
                    t("teacher.col.page"): page_title(key),
                    t("teacher.col.state"): t(f"teacher.state.{job.state}"),
                    t("teacher.col.progress"): f"{job.fraction():.0%}",
                    t("teacher.col.device"): job.device,
                }
                for seat, key, job in rows
            ],
            hide_index=True,
            width="stretch",
            key="teacher_jobs",
        )
    cols = st.columns(3)  # Stop: this server's jobs only (another replica's job is not an object here)
    for i, (seat, key, job) in enumerate(r for r in rows if r[2].active):
        # a label is Markdown: the student's name goes in with every sign escaped (ui.teacher)
        name = teacher.literal_label(seat.name) if seat.name else t("teacher.unnamed")
        if cols[i % 3].button(
            t("teacher.stop", name=name, page=page_title(key)),
            key=f"teacher_stop_{seat.session_id}_{key}",
            icon=":material/stop_circle:",
        ):
            classroom.stop_job(job)  # the job's own stop(), and the student's page says who
            st.toast(t("teacher.stopped", name=name, page=page_title(key)))
    for device in sorted({job.device for _, _, job in every} | {resources.device().name}):
        states = [job.state for _, _, job in every if job.device == device]
        st.caption(
            t(
                "teacher.per_device",
                device=device,
                running=states.count("running"),
                queued=states.count("queued"),
            )
        )

    st.subheader(t("teacher.errors"))
    errors = room.recent_errors()
    if not errors:
        st.caption(t("teacher.no_errors"))
    else:
        st.dataframe(
            [
                {
                    t("teacher.col.name"): e.name or t("teacher.unnamed"),
                    t("teacher.col.page"): page_title(e.page),
                    "": e.text,
                }
                for e in errors
            ],
            hide_index=True,
            width="stretch",
            key="teacher_errors",
        )
    if (rss := rss_gib()) is not None:
        st.caption(t("teacher.memory", rss=rss))
    dev = resources.device()
    if dev.free_bytes is not None and dev.total_bytes is not None:
        used = (dev.total_bytes - dev.free_bytes) / 1024**3
        st.caption(t("teacher.gpu_memory", name=dev.name, used=used, total=dev.total_bytes / 1024**3))


st.caption(t("teacher.lead"))
live_view()
progress.panel(page_title, SKIP)  # the progress grid of every replica, the class report, pause all

st.subheader(t("teacher.message"))
with st.form("teacher_message", border=False):
    text = st.text_area(t("teacher.message_text"), key="teacher_message_text", max_chars=500, height=80)
    link = st.text_input(t("teacher.message_link"), key="teacher_message_link", max_chars=500)
    sent = st.form_submit_button(t("teacher.send"), type="primary", icon=":material/campaign:")
if sent:
    if not (text or "").strip():
        st.warning(t("teacher.empty_message"), icon=":material/edit:")
    elif not classroom.link_ok((link or "").strip()):
        st.warning(t("teacher.bad_link"), icon=":material/link_off:")
    else:
        classroom.classroom().send(text.strip(), (link or "").strip())
        st.success(t("teacher.sent"), icon=":material/campaign:")
if classroom.classroom().message is not None:
    st.button(t("teacher.clear_message"), key="teacher_withdraw", on_click=classroom.classroom().withdraw)

questions.teacher_panel()  # a live question to the whole class, its answers live (ui/questions.py)

st.subheader(t("teacher.pins"))
with st.form("teacher_pins", border=False):
    pin_name = st.text_input(t("teacher.pin_name"), key="teacher_pin_name", max_chars=40)
    reset = st.form_submit_button(t("teacher.pin_reset"), icon=":material/lock_reset:")
if reset and (pin_name or "").strip():
    name = pin_name.strip()
    try:
        done = classdb.reset_pin(name)
    except Exception:  # the class database unreachable: say so, keep the page
        st.error(t("board.err.db"), icon=":material/database:")
    else:
        shown = teacher.literal_label(name)  # st.success reads Markdown: the name as typed
        (st.success if done else st.info)(t("teacher.pin_done" if done else "teacher.pin_none", name=shown))
