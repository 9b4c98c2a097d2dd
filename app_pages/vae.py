"""VAE page (course 004, ch. 2): click the latent map to decode, AE vs VAE maps, more views, training."""

import streamlit as st
import torch

from core import vae as core_vae
from ui import board, charts, inputs, job_widgets, jobs, links, resources, saved_runs
from ui.figures import vae as figures
from ui.i18n import labels, relabelled, t
from ui.lessons import vae as lesson
from ui.pages import begin
from ui.panels import vae as panels
from ui.projector import projector_on

begin("vae")

ss = st.session_state
split = resources.mnist()
MAP_HEIGHT = 370 if projector_on() else 340  # the map and the control above it fit a 1280x720 screen

st.title(t("vae.title"))
st.markdown(t("vae.lead"))

# -- 1. The map to click, with the decoded digit beside it (the first screen) ------------------------
job = jobs.get(lesson.LESSON.key)
options = lesson.shipped_options()
if lesson.SESSION in ss and not (job and job.active):
    options.append("session")
if not options:
    st.info(t("vae.no_model"))
else:
    option = st.radio(
        t("vae.which"),
        options,
        **links.keep(relabelled("vae_which")),
        horizontal=True,
        format_func=labels("vae.model."),
        label_visibility="collapsed" if projector_on() else "visible",  # the first screen holds the map
    )
    if option == "session":
        v = lesson.session_view(lesson.session_model(), job.last.get("step", 0) if job else 0)
    else:
        v = lesson.shipped_view(option)

    @st.fragment
    def explorer() -> None:
        k1, k2, kmap = f"vae_z1_{option}", f"vae_z2_{option}", f"vae_map_{option}"
        x0, x1, y0, y1 = v.box
        picked = lesson.picked_point(ss.get(kmap))
        clicked = picked is not None and picked != ss.get(f"_{kmap}_done")  # a new click: sliders go there
        if clicked:
            ss[f"_{kmap}_done"] = picked
        # the sliders' values live in session state only (a default argument too makes Streamlit warn)
        for k, lo, hi, i in ((k1, x0, x1, 0), (k2, y0, y1, 1)):
            ss[k] = min(max(picked[i] if clicked else ss.get(k, (lo + hi) / 2), lo), hi)
        # the lesson is the pair: a click on the map and the digit it decodes to, on one screen. In projector
        # mode too (the sidebar folds away, so both are larger), rather than the digit below the map.
        left, right = st.columns([3, 2])
        with right:  # the picture first, so it stays on the first screen beside the map
            z1, z2 = ss[k1], ss[k2]
            img = core_vae.decode(v.model, v.proj.lift([[z1, z2]]))  # (1, 1, 28, 28)
            with st.container(key="vae_decoded"):
                caption = t("vae.decoded", z1=z1, z2=z2)
                st.image(figures.big(img[0, 0], 224), caption=caption, width=200, output_format="PNG")
            cnn = resources.shipped("cnn_mnist.pth", "cnn.MNISTCNN")
            if cnn is not None:
                from core.metrics import classify

                pred, conf = classify(cnn.model, img)
                # the confidence is a plain number beside the digit: a metric delta would read as "up"
                st.metric(t("vae.cnn_reads", conf=float(conf[0])), f"{pred[0]}", border=False)
            st.slider("$z_1$", x0, x1, step=(x1 - x0) / 200, key=k1, format="%.2f")
            st.slider("$z_2$", y0, y1, step=(y1 - y0) / 200, key=k2, format="%.2f")
        with left, st.container(key="vae_map"):
            fig = figures.latent_figure(
                v.points, v.labels, v.box, marker=(z1, z2), clickable=True, height=MAP_HEIGHT
            )
            charts.plot(
                st,
                fig,
                key=kmap,
                on_select="rerun",
                selection_mode="points",
                width="stretch",
                config=figures.PLOT_CONFIG,
            )
            st.caption(t("vae.click_hint"))
            if v.model.latent_dim > 2:
                st.caption(t("vae.pca", d=v.model.latent_dim))

    explorer()

# -- how it works: the idea and the formulas, folded -------------------------------------------------
with st.expander(t("vae.how"), icon=":material/functions:"):
    st.markdown(t("vae.intro"))
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(t("vae.reparam"))
        st.latex(r"z = \mu + \sigma \odot \varepsilon,\quad \varepsilon \sim \mathcal{N}(0, I)")
        st.latex(r"\sigma = \exp\left(\tfrac{1}{2} \log \sigma^2\right)")
    with c2:
        st.markdown(t("vae.kl"))
        st.latex(r"\mathcal{L} = \mathrm{BCE}(x, \hat{x}) + \beta \cdot \mathrm{KL}")
        st.latex(r"\mathrm{KL} = -\tfrac{1}{2} \sum_j \left(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2\right)")

# -- 2. AE vs VAE, side by side ----------------------------------------------------------------
st.header(t("vae.compare"))
st.caption(t("vae.compare_caption"))
cols = st.columns(2)
for col, shown in zip(cols, ("ae", "vae")):
    view = lesson.shipped_view(shown)
    # short headings of one line each, so the two maps start at the same height
    col.subheader(t(f"vae.compare.{shown}"))
    if view is None:
        col.warning(lesson.unavailable_reason(shown))
        col.info(t("vae.train_instead"))
        continue
    with col.container(key=f"vae_cmp_{shown}_box"):
        charts.plot(
            st,
            figures.latent_figure(view.points, view.labels, view.box, height=360),
            key=f"vae_cmp_{shown}",
            width="stretch",
            config=figures.PLOT_CONFIG,
        )
if hidden := lesson.shipped_dense_width():  # the shipped 2-D models are not exactly the notes' design
    with st.expander(t("vae.shipped_title")):
        st.caption(t("vae.shipped_note", hidden=hidden))

# -- 3. More views of the same model: one tab each, so the page stays short ------------------------------
if options:
    st.header(t("vae.more"))
    tab_map, tab_recon, tab_draw, tab_interp, tab_prior = st.tabs(
        [t(f"vae.tab.{k}") for k in ("manifold", "recon", "draw", "interp", "prior")]
    )
    with tab_map:
        st.caption(t("vae.manifold_caption", x0=v.box[0], x1=v.box[1], y0=v.box[2], y1=v.box[3]))
        grid = lesson.shipped_manifold(option) if option != "session" else lesson.manifold_image(v)
        st.image(figures.big(grid, 630), width=520, output_format="PNG")

    with tab_recon:
        st.caption(t("vae.recon_caption"))
        xs = split.x_test[:12]
        st.image(
            figures.rows_image(xs, core_vae.reconstruct(v.model, xs)), width="stretch", output_format="PNG"
        )

    with tab_draw:
        st.caption(t("vae.draw_caption"))
        panels.drawing(v)

    with tab_interp:
        n_test = len(split.x_test)
        i1, i2 = st.columns(2)
        a = inputs.number(i1, t("vae.interp_a"), 0, n_test - 1, 0, **links.keep("vae_interp_a"))
        b = inputs.number(i2, t("vae.interp_b"), 0, n_test - 1, 1, **links.keep("vae_interp_b"))
        path = core_vae.interpolate(v.model, split.x_test[a], split.x_test[b], 10)  # (10, 1, 28, 28)
        st.image(
            figures.strip(path),
            width="stretch",
            output_format="PNG",
            caption=t("vae.interp_caption", a=int(split.y_test[a]), b=int(split.y_test[b])),
        )

    with tab_prior:
        seed_col, _ = st.columns([1, 3])
        seed = inputs.number(seed_col, t("common.seed"), 0, 10_000, 0, **links.keep("vae_prior_seed"))
        samples = core_vae.sample_prior(v.model, 20, torch.Generator().manual_seed(int(seed)))
        likely = st.toggle(t("vae.likely"), key="vae_likely", help=t("vae.likely_help"))
        shown = core_vae.most_likely(samples) if likely else samples  # the same 20 codes either way
        prior_grid = figures.big(figures.tile(shown, 10, pad=2), 28 * 10)
        st.image(prior_grid, width="stretch", output_format="PNG")
        st.caption(t("vae.prior_caption_ae" if not v.model.variational else "vae.prior_caption"))
        st.caption(t("vae.likely_caption" if likely else "vae.mean_caption"))
        board.gallery_button(
            lesson.LESSON.key, prior_grid, {"model": option, "seed": int(seed), "most_likely": likely}
        )

# -- 4. Train your own -------------------------------------------------------------------------
st.header(t("vae.train"))
st.caption(t("vae.train_caption"))
c1, c2, c3 = st.columns(3)
kinds = ("vae", "ae", "dense")
kind = c1.selectbox(
    t("vae.kind"), kinds, key=relabelled(links.choice("vae_kind", kinds)), format_func=labels("vae.kind.")
)
beta = c2.select_slider(
    "β",
    (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0),
    1.0,
    key="vae_beta",
    **links.bind("vae_beta"),
    disabled=kind != "vae",
    help=t("vae.beta_help"),
)
latent = c3.selectbox(
    t("vae.latent"), (2, 16), key="vae_latent", **links.bind("vae_latent"), help=t("vae.latent_help")
)
c1, c2, _ = st.columns(3)
epochs = c1.slider(
    t("vae.epochs"),
    1,
    lesson.SIZES.epochs_max,
    lesson.SIZES.epochs,
    key="vae_epochs",
    **links.bind("vae_epochs"),
)
seed = inputs.number(c2, t("common.seed"), 0, 10_000, 0, key="vae_seed", **links.bind("vae_seed"))


def on_train() -> None:
    beta_used = beta if kind == "vae" else 0.0  # an AE has no KL term
    lesson.LESSON.train(
        core_vae.VAEConfig(kind=kind, latent_dim=latent, beta=beta_used, epochs=epochs, seed=int(seed))
    )


job_widgets.controls(lesson.LESSON.key, job, on_train)
job_widgets.live(job, lesson.LESSON.live)
saved_runs.panel(lesson.LESSON)
if job is not None and not job.active and lesson.SESSION in ss:
    st.success(t("vae.trained_ready"))

with st.expander(t("common.show_code")):
    st.code(lesson.model_code(), language="python")
