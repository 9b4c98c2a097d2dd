"""The sidebar every page shares: language, device in use, data in use."""

from __future__ import annotations

import streamlit as st

from core.data import Provenance
from ui import resources, saved_runs
from ui.i18n import language_selector, t


def provenance_text(p: Provenance) -> str:
    return t(f"data.{p.source}", n_train=p.n_train, n_test=p.n_test)


def render() -> None:
    with st.sidebar:
        language_selector()
        saved_runs.name_input()
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
