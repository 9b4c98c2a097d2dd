"""The worksheet builder, inside every page's "link to these settings" (ui.links.panel): the teacher sets the
page's values on the page itself, ticks which controls to hide or lock, and gets the lesson link and its QR
code for the projector; a signed-in teacher offers it to the whole class with one click (the class message,
ui.classroom, which shows every student a button to open it and changes nobody's page).

It names no page: the choices are the keys the page registered with ui.links (`bind`, `choice`, `keep`).
"""

from __future__ import annotations

import io

import streamlit as st

from ui import classroom, links, teacher
from ui.i18n import t

QR_SCALE = 6  # pixels per QR module: a ~300 px code a phone reads across a classroom
MAX_QR_CHARS = 1_500  # a longer link makes a QR code too dense to read from the back row


def qr_png(url: str) -> bytes | None:
    """The link as a QR code (PNG bytes, segno: pure Python), or None when it is too long to scan."""
    if len(url) > MAX_QR_CHARS:
        return None
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=QR_SCALE, border=2)
    return buf.getvalue()


def builder(url_path: str) -> None:
    """Hide/lock ticks, the link they make, its QR code and, for the teacher, "offer to the class"."""
    keys = list(links.current_values())
    if not keys:
        return
    for name in ("hide", "lock"):  # a page opened from a link starts with that link's ticks
        key = f"links_{name}"
        if key not in st.session_state:
            st.session_state[key] = [k for k in links.listed(name) if k in keys]
        else:  # ticks of the page before (another page's keys) are not this page's options
            st.session_state[key] = [k for k in st.session_state[key] if k in keys]
    c1, c2 = st.columns(2)
    hide = c1.multiselect(t("worksheet.hide"), keys, key="links_hide")
    if any(k in hide for k in st.session_state["links_lock"]):  # a key is hidden or locked, not both
        st.session_state["links_lock"] = [k for k in st.session_state["links_lock"] if k not in hide]
    lock = c2.multiselect(t("worksheet.lock"), [k for k in keys if k not in hide], key="links_lock")
    url = links.link(url_path, hide=hide, lock=lock)
    st.code(url, language=None, wrap_lines=True)
    if st.toggle(t("worksheet.qr"), key="links_qr"):
        png = qr_png(url)
        if png is None:
            st.caption(t("worksheet.qr_too_long"))
        else:
            st.image(png, width=220, output_format="PNG")
    if teacher.is_teacher():
        if st.button(t("worksheet.offer"), key="links_offer", icon=":material/campaign:"):
            offer(url)


def offer(url: str) -> bool:
    """The teacher's "offer this link to everyone": the class message with the link (a button on every
    student's page; nothing is forced on a page someone is working on). Checked here, not only by hiding the
    button: a session that has not typed the teacher's token offers nothing."""
    if not teacher.is_teacher():
        st.warning(t("worksheet.not_teacher"), icon=":material/lock:")
        return False
    classroom.classroom().send(t("worksheet.offer_text"), url)
    st.success(t("worksheet.offered"), icon=":material/campaign:")
    return True
