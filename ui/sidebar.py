"""The sidebar every page shares: language, the student's name, projector mode, device and data in use,
and (filled in after the page) the link to the page's settings."""

from __future__ import annotations

import os

import streamlit as st

from core.data import Provenance
from ui import resources, saved_runs
from ui.i18n import language_selector, t


def provenance_text(p: Provenance) -> str:
    return t(f"data.{p.source}", n_train=p.n_train, n_test=p.n_test)


PROJECTOR = "projector"  # the toggle's key
_PROJECTOR_KEPT = "_projector"  # a plain copy: the toggle's value survives a run that does not draw it
# Plotly's larger text is for charts of one x axis: in a grid of panels (the attention heatmaps) `.xtick`
# is the first panel's axis alone, and 20-px ticks there would run into the panel titles
_ONE_PANEL = '[data-testid="stMain"] .js-plotly-plot:not(:has(.x2tick))'
PROJECTOR_CSS = f"""<style>
html {{ font-size: 20px; }}
{_ONE_PANEL} .xtick text, {_ONE_PANEL} .ytick text,
[data-testid="stMain"] .js-plotly-plot .legendtext {{ font-size: 20px !important; }}
{_ONE_PANEL} .g-xtitle text, {_ONE_PANEL} .g-ytitle text,
[data-testid="stMain"] .js-plotly-plot .gtitle {{ font-size: 22px !important; }}
</style>"""


def projector_on() -> bool:
    return bool(st.session_state.get(PROJECTOR, st.session_state.get(_PROJECTOR_KEPT, False)))


def render():
    """Draw the sidebar; returns an empty slot at its end, which Home.py fills after the page has run
    (the lesson link, which needs the values of the page's widgets)."""
    ss = st.session_state
    with st.sidebar:
        language_selector()
        saved_runs.name_input()
        if PROJECTOR not in ss:
            ss[PROJECTOR] = ss.get(_PROJECTOR_KEPT, False)
        st.toggle(t("projector.toggle"), key=PROJECTOR, help=t("projector.help"))
        ss[_PROJECTOR_KEPT] = ss[PROJECTOR]
        details = st.expander(t("sidebar.details"), expanded=False) if ss[PROJECTOR] else st.container()
        with details:
            _details()
        slot = st.container()
    if ss[PROJECTOR]:
        st.html(PROJECTOR_CSS)
    return slot


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
