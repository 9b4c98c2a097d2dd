"""GAN page: the course's DCGAN (Part 3.2), a shipped generator, live training with GAN-Lab controls."""

import inspect

import streamlit as st

from core import configs, gan
from ui import board, inputs, job_widgets, jobs, layout, links, resources, saved_runs
from ui.figures import gan as figures
from ui.i18n import labels, relabelled, t
from ui.lessons import gan as lesson
from ui.pages import begin
from ui.sidebar import provenance_text

begin("gan")

PAGE = lesson.LESSON.key
st.title(t("gan.title"))
st.markdown(t("gan.intro"))

# -- the shipped generator: the first screen shows its samples and the seed that drew them ---------------
shipped = lesson.shipped()
G = None if shipped is None else shipped.model
if G is None:
    st.subheader(t("gan.shipped"))
    lesson.warn_no_shipped()
else:
    st.session_state.setdefault("gan_seed", 0)
    # the sample grid is what a GAN is for: in projector mode it spans the main area, the controls below it
    left, right = layout.main_columns([1, 1], main=0)
    # the heading beside the grid, so the whole grid is on the first screen
    with right:
        st.subheader(t("gan.shipped"))
        n = st.slider(t("gan.grid_n"), 2, 10, 8, **links.keep("gan_grid_n"))
        c1, c2 = st.columns([1, 1], vertical_alignment="bottom")
        inputs.number(c1, t("common.seed"), 0, 1_000_000, step=1, **links.keep("gan_seed"))
        c2.button(
            t("gan.new"),
            key="gan_new",
            icon=":material/casino:",
            width="stretch",
            on_click=lambda: st.session_state.update(gan_seed=st.session_state.gan_seed + 1),
        )
    seed = int(st.session_state.gan_seed)
    with left:
        # n x n, shared by the class
        png = resources.shipped_png(G, "sample", (n * n, seed), nrow=n, scale=3)
        st.image(png, width="stretch")
    with right:
        lesson.quality_panel("gan_shipped", G=G, seed=seed)
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.caption(lesson.shipped_caption(shipped, provenance_text(resources.mnist().provenance)))
    c2.download_button(t("gan.download"), png, "gan_samples.png", "image/png", key="gan_download")
    # the grid into the class board's gallery
    board.gallery_button(PAGE, png, {"seed": seed, "n": n})

# -- live training: settings beside the slow-motion controls, then Train and its charts -------------------
st.header(t("gan.train_header"))
st.markdown(t("gan.train_intro"))
preset = st.radio(
    t("gan.preset"),
    ("improved", "course"),
    key=relabelled(links.choice("gan_preset", ("improved", "course"))),
    horizontal=True,
    format_func=labels("gan.preset."),
    help=t("gan.preset_help"),
)
base = gan.PRESETS[preset]
# what the page's first run trains
defaults = lesson.page_defaults(preset)
c1, c2 = st.columns(2)
mode = c1.radio(
    t("gan.mode"),
    gan.MODES,
    key=relabelled(links.choice("gan_mode", gan.MODES)),
    horizontal=True,
    help=t("gan.mode_help"),
    format_func=labels("gan.mode."),
)
delay = c2.slider(t("gan.delay"), 0.0, 1.0, 0.0, 0.05, **links.keep("gan_delay"))
controls = st.session_state.setdefault("gan_controls", {"mode": "both", "delay": 0.0})
# read by the worker at every step
controls.update(mode=mode, delay=delay)
with st.expander(t("gan.settings")):
    c1, c2, c3 = st.columns(3)
    epochs = inputs.number(
        c1, t("gan.epochs"), 1, 200, defaults.epochs, key="gan_epochs", **links.bind("gan_epochs")
    )
    sizes, rates = (16, 32, 64, 128, 256, 512), (5e-5, 1e-4, 2e-4, 4e-4, 1e-3, 2e-3)
    batch = c1.select_slider(
        t("gan.batch_size"),
        sizes,
        defaults.batch_size,
        key=f"gan_batch_{preset}",
        **links.bind(f"gan_batch_{preset}"),
    )
    # per preset: its own defaults
    g_lr = c2.select_slider(
        t("gan.g_lr"), rates, defaults.g_lr, key=f"gan_g_lr_{preset}", **links.bind(f"gan_g_lr_{preset}")
    )
    d_lr = c2.select_slider(
        t("gan.d_lr"), rates, defaults.d_lr, key=f"gan_d_lr_{preset}", **links.bind(f"gan_d_lr_{preset}")
    )
    g_opt = c3.selectbox(
        t("gan.g_opt"),
        gan.OPTIMIZERS,
        key=relabelled(links.choice("gan_g_opt", gan.OPTIMIZERS)),
        format_func=labels("gan.opt."),
    )
    d_opt = c3.selectbox(
        t("gan.d_opt"),
        gan.OPTIMIZERS,
        key=relabelled(links.choice("gan_d_opt", gan.OPTIMIZERS)),
        format_func=labels("gan.opt."),
    )
    seed = inputs.number(
        c3, t("common.seed"), 0, 1_000_000, 0, key="gan_train_seed", **links.bind("gan_train_seed")
    )
    unit = st.checkbox(t("gan.unit_range"), key="gan_unit_range", **links.bind("gan_unit_range"))


def on_train() -> None:
    cfg = configs.with_overrides(
        base,
        epochs=int(epochs),
        batch_size=int(batch),
        g_lr=g_lr,
        d_lr=d_lr,
        g_optimizer=g_opt,
        d_optimizer=d_opt,
        seed=int(seed),
        unit_range=unit,
        n_fixed=64,
    )
    lesson.LESSON.train(cfg, lesson.train_images())


job = jobs.get(PAGE)
job_widgets.controls(PAGE, job, on_train)
st.caption(t("gan.epochs_hint", epochs=gan.LIVE.epochs))
if job is None:
    st.info(t("gan.before_train"), icon=":material/show_chart:")
job_widgets.live(job, lesson.LESSON.live, interval=0.7)
saved_runs.panel(lesson.LESSON)

# -- more to explore with the shipped generator, then the reference: formulas, detach, code -------------
if G is not None:
    st.subheader(t("gan.interp"))
    st.markdown(t("gan.interp_help"))
    c1, c2, c3 = st.columns(3)
    seed_a = inputs.number(c1, t("gan.seed_a"), 0, 1_000_000, 1, **links.keep("gan_seed_a"))
    seed_b = inputs.number(c2, t("gan.seed_b"), 0, 1_000_000, 2, **links.keep("gan_seed_b"))
    pos = c3.slider(t("gan.interp_t"), 0.0, 1.0, 0.5, 0.1, **links.keep("gan_interp_t"))
    # (11, 1, 28, 28)
    path = resources.from_shipped(G, "interpolate", int(seed_a), int(seed_b), 11)
    st.image(
        resources.shipped_png(G, "interpolate", (int(seed_a), int(seed_b), 11), nrow=11, scale=2),
        width="stretch",
    )
    c1, c2 = st.columns([1, 3])
    c1.image(figures.interpolation_frame(path, pos), width=168)
    if c2.toggle(t("gan.animate"), key="gan_animate"):
        walk = resources.from_shipped(G, "interpolate", int(seed_a), int(seed_b), 24)
        c2.image(figures.interpolation_gif(walk), width=168)

with st.expander(t("gan.theory")):
    st.markdown(t("gan.minimax"))
    st.latex(
        r"\min_G \max_D \; \mathbb{E}_{x \sim p_{data}}[\log D(x)]"
        r" + \mathbb{E}_{z \sim \mathcal{N}(0, I)}[\log(1 - D(G(z)))]"
    )
    st.markdown(t("gan.losses"))
    st.latex(r"\mathcal{L}_D = -\log D(x) - \log(1 - D(G(z))) \qquad \mathcal{L}_G = -\log D(G(z))")
    st.info(t("gan.range"), icon=":material/info:")

with st.expander(t("gan.detach_header")):
    st.markdown(t("gan.detach"))
    st.markdown(t("gan.d_wins"))
    if st.toggle(t("common.show_code"), key="gan_show_code"):
        st.caption(t("gan.code"))
        source = inspect.getsource(gan.d_step) + "\n\n" + inspect.getsource(gan.g_step)
        st.code(source, language="python")
