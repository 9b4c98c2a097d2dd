"""The sidebar every page shares: language, the student's name, projector mode, device and data in use,
and (filled in after the page) the link to the page's settings."""

from __future__ import annotations

import os

import streamlit as st

from core.data import Provenance
from ui import resources, saved_runs
from ui.i18n import language_selector, t
from ui.projector import KEPT as KEPT_PROJECTOR
from ui.projector import PROJECTOR


def provenance_text(p: Provenance) -> str:
    return t(f"data.{p.source}", n_train=p.n_train, n_test=p.n_test)


# The page's own text larger: Streamlit's smallest (labels, captions: 0.875 rem) at 18 px and more; less
# space above the title, so the page's main picture fits the first screen. The charts' text is enlarged
# by Plotly itself (ui.charts.projector_layout), which makes room for it, where enlarging the SVG text
# here would run it into the panels beside it.
PROJECTOR_CSS = """<style>
html { font-size: 21px; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>"""


# The sidebar's own fold button, pressed once per turning-on of the mode: for a browser that remembers having
# opened or closed the sidebar by hand, which a page config's sidebar state does not override. Sent on every
# run while the mode is on, with the turning-on's number: a run interrupted by the next one (a busy server)
# cannot lose it, and the browser presses the button once per number, trying for a few seconds until the
# button is there, unless the sidebar is folded already (then a teacher who opens it again keeps it open).
FOLD_JS = """<script>
(() => {
  const turn = "%s";
  if (window.labFoldedFor === turn) return;
  window.labFoldedFor = turn;
  let tries = 0;
  const fold = () => {
    const bar = document.querySelector('[data-testid="stSidebar"]');
    if (bar && bar.dataset.collapsed === "true") return;  // folded already (by the page config)
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (button) button.click(); else if (++tries < 20) setTimeout(fold, 250);
  };
  setTimeout(fold, 250);
})();
</script>"""
FOLD_TURN = "_projector_fold_turn"  # session_state: how many times the mode was turned on in this session


def render():
    """Draw the sidebar; returns an empty slot at its end, which Home.py fills after the page has run
    (the lesson link, which needs the values of the page's widgets)."""
    ss = st.session_state
    with st.sidebar:
        language_selector()
        saved_runs.name_input()
        if PROJECTOR not in ss:
            ss[PROJECTOR] = ss.get(KEPT_PROJECTOR, False)
        was_on = ss.get(KEPT_PROJECTOR, False)
        st.toggle(t("projector.toggle"), key=PROJECTOR, help=t("projector.help"))
        ss[KEPT_PROJECTOR] = ss[PROJECTOR]
        _fold_sidebar(ss[PROJECTOR], turned_on=ss[PROJECTOR] and not was_on)
        details = st.expander(t("sidebar.details"), expanded=False) if ss[PROJECTOR] else st.container()
        with details:
            _details()
        slot = st.container()
    if ss[PROJECTOR]:
        st.html(PROJECTOR_CSS)
    return slot


def _fold_sidebar(projector: bool, turned_on: bool) -> None:
    """Projector mode gives the page the whole width: the sidebar folds away when the mode goes on (its
    arrow, top left, opens it again) and comes back when it goes off. Streamlit's frontend applies a
    page config's sidebar state whenever the state it is sent changes, not only at the first load,
    unless this browser's user has opened or closed the sidebar by hand on this page, which it remembers
    and respects (Streamlit 1.67's frontend: the sidebar's effect on `initialSidebarState`); for that
    browser FOLD_JS presses the fold button, once for each time the mode goes on (later runs leave the
    sidebar as the teacher puts it)."""
    st.set_page_config(initial_sidebar_state="collapsed" if projector else "auto")
    ss = st.session_state
    if turned_on:
        ss[FOLD_TURN] = ss.get(FOLD_TURN, 0) + 1
    if projector:
        st.html(FOLD_JS % ss.get(FOLD_TURN, 0), unsafe_allow_javascript=True)


def _details() -> None:
    dev = resources.device()
    st.markdown(f"**{t('sidebar.device')}**: `{dev.name}`  \n{dev.label}")
    if dev.free_bytes is not None and dev.total_bytes is not None:
        st.caption(t("sidebar.free", free=dev.free_bytes / 1024**3, total=dev.total_bytes / 1024**3))
    if wanted := resources.device_unavailable():  # LAB_DEVICE=cuda on a machine without one
        used = "CPU" if dev.name == "cpu" else dev.name
        st.warning(t("sidebar.device_missing", wanted=wanted, used=used), icon=":material/memory:")
    prov = resources.mnist().provenance
    st.markdown(f"**{t('sidebar.data')}**: {provenance_text(prov)}")
    if prov.note_code:
        st.caption(t("data.why_not_full", note=t(f"data.note.{prov.note_code}")), help=prov.note)
    if replica := os.environ.get("LAB_REPLICA"):  # several replicas behind a proxy (deploy/replicas.py)
        st.caption(t("sidebar.replica", name=replica))
