"""Home: what the lab is, the course's three parts with a link to each page, the environment."""

import streamlit as st
import torch

from ui import pages, resources, sidebar
from ui.i18n import t

pages.begin("home")

st.title(t("app.title"))
st.markdown(t("home.intro"))

st.header(t("home.parts"))
available = {p.key for p in pages.available()}
cols = st.columns(3)
for part, col in zip((1, 2, 3), cols):
    with col.container(border=True):
        # the part's number as a badge above a short title: each title fits the card on one line
        st.badge(t(f"home.part{part}.label"), color="primary")
        st.markdown(f"##### {t(f'home.part{part}.title')}", anchors=False)  # a link icon would wrap
        st.caption(t(f"home.part{part}"))
        for spec in (p for p in pages.PAGES if p.part == part):
            if spec.key in available:
                st.page_link(spec.file, label=t(f"nav.{spec.key}"), icon=spec.icon)
                st.caption(t(f"home.blurb.{spec.key}"))

with st.expander(t("home.env"), expanded=False):
    dev = resources.device()
    st.markdown(f"- **{t('home.env.torch')}**: `{torch.__version__}`")
    st.markdown(f"- **{t('home.env.device')}**: `{dev.name}` — {dev.label}")
    st.markdown(f"- **{t('home.env.devices')}**: " + ", ".join(f"`{d.name}`" for d in resources.devices()))
    st.markdown(f"- **{t('home.env.data')}**: {sidebar.provenance_text(resources.mnist().provenance)}")
    found = resources.shipped_checkpoints()
    st.markdown(f"- **{t('home.env.checkpoints')}**:")
    if not found:
        st.caption(t("home.env.no_checkpoints"))
    for name, meta in found:
        if isinstance(meta, str):
            st.markdown(f"  - `{name}` — ⚠️ {t(f'ckpt.{meta}', family='?', path=name)}")
        else:
            metrics = ", ".join(
                f"{k} {v:.3g}" for k, v in meta.get("metrics", {}).items() if isinstance(v, float)
            )
            data = meta.get("provenance", {}).get("description", "")
            st.markdown(f"  - `{name}` — {meta['family']}; {data}; {metrics}")
