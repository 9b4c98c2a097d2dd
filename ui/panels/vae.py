"""The VAE page's drawing panel: a digit drawn on the canvas, its reconstruction and its place on the latent
map. The page (app_pages/vae.py) lays it out in its "draw" tab."""

from __future__ import annotations

import streamlit as st
import torch

from core import vae as core_vae
from core.preprocess import problem, to_mnist
from ui import charts
from ui.canvas import draw
from ui.figures import vae as figures
from ui.i18n import t
from ui.lessons import vae as lesson


@st.fragment
def drawing(v: lesson.View) -> None:
    """Draw a digit: the model's reconstruction of it and where its latent point falls on the map (a
    fragment: each stroke reruns only this panel)."""
    ss = st.session_state
    gen = ss.setdefault("vae_canvas_gen", 0)
    a, b = st.columns([2, 3])
    with a, st.container(key="vae_canvas"):
        drawn = draw(f"vae_canvas_{gen}", size=280)
        if st.button(t("vae.clear"), key="vae_clear"):
            ss["vae_canvas_gen"] = gen + 1
            st.rerun(scope="fragment")
    issue = "blank" if drawn is None else problem(to_mnist(drawn))
    if issue == "blank":
        b.info(t("vae.draw_empty"))
        return
    if issue:  # a dot or a filled canvas: the latent point would mean nothing
        b.warning(t(f"input.{issue}"))
        return
    x = torch.as_tensor(to_mnist(drawn).final).reshape(1, 1, 28, 28)  # (1, 1, 28, 28)
    b.image(
        figures.strip(torch.cat([x, core_vae.reconstruct(v.model, x)])),
        width=240,
        caption=t("vae.draw_result"),
        output_format="PNG",
    )
    where = v.proj.apply(core_vae.latent_means(v.model, x))[0]
    charts.plot(
        b,
        figures.latent_figure(v.points, v.labels, v.box, extra=(where[0], where[1]), height=320),
        key="vae_draw_map",
        width="stretch",
        config=figures.PLOT_CONFIG,
    )
