"""GAN page: the course's DCGAN (Part 3.2), a shipped generator, live training with GAN-Lab controls."""

import inspect

import streamlit as st
import torch

from core import gan
from ui import board, inputs, job_widgets, jobs, layout, links, resources, saved_runs
from ui.i18n import current_lang, relabelled, t
from ui.lessons import gan as lesson
from ui.pages import begin
from ui.sidebar import provenance_text

begin("gan")

PAGE = lesson.PAGE
LANG = current_lang()  # format_func runs again outside the script in AppTest: pin the language
st.title(t("gan.title"))
st.markdown(t("gan.intro"))

cnn = resources.shipped("cnn_mnist.pth", "cnn.MNISTCNN")


def quality_panel(images: torch.Tensor | None, key: str, reading: tuple | None = None) -> None:
    """Histogram of the digits the shipped CNN reads in `images` (or its `reading` of them, already made),
    plus confidence figures."""
    st.markdown(f"**{t('gan.quality')}**")
    if cnn is None:
        resources.shipped_warning("cnn_mnist.pth", "cnn.MNISTCNN", "gan.no_cnn", caption=True)
        return
    pred, conf = reading if reading is not None else lesson.read_digits(cnn.model, images)
    from core.metrics import digit_shares

    c1, c2 = st.columns(2)
    c1.metric(t("gan.mean_conf"), f"{conf.mean():.2f}")
    c2.metric(t("gan.confident"), f"{100 * (conf >= 0.9).mean():.0f}%")
    hist = lesson.digit_histogram(digit_shares(pred), height=230)
    st.plotly_chart(hist, key=f"{key}_hist", width="stretch")
    st.caption(t("gan.quality_help", n=len(pred)))


# -- the shipped generator: the first screen shows its samples and the seed that drew them ---------------
shipped = resources.shipped("gan_mnist.pth", lesson.FAMILY)
G = None if shipped is None else shipped.model
if G is None:
    st.subheader(t("gan.shipped"))
    resources.shipped_warning("gan_mnist.pth", lesson.FAMILY, "gan.no_shipped")
else:
    st.session_state.setdefault("gan_seed", 0)
    # the sample grid is what a GAN is for: in projector mode it spans the main area, the controls below it
    left, right = layout.main_columns([1, 1], main=0)
    with right:  # the heading beside the grid, so the whole grid is on the first screen
        st.subheader(t("gan.shipped"))
        n = st.slider(t("gan.grid_n"), 2, 10, 8, key="gan_grid_n")
        c1, c2 = st.columns([1, 1], vertical_alignment="bottom")
        inputs.number(c1, t("common.seed"), 0, 1_000_000, step=1, key="gan_seed")
        c2.button(
            t("gan.new"),
            key="gan_new",
            icon=":material/casino:",
            width="stretch",
            on_click=lambda: st.session_state.update(gan_seed=st.session_state.gan_seed + 1),
        )
    seed = int(st.session_state.gan_seed)
    with left:
        png = lesson.shipped_png(G, "sample", (n * n, seed), nrow=n, scale=3)  # n x n, shared by the class
        st.image(png, width="stretch")
    with right:
        reading = None if cnn is None else lesson.shipped_reading(cnn.model, G, 200, seed)
        quality_panel(None, "gan_shipped", reading)
    meta = shipped.meta
    data_text = provenance_text(resources.mnist().provenance)
    mapping = G.model_args.get("mapping", 0)  # the shipped G may add a mapping network: say so
    key = "gan.shipped_info_mapping" if mapping else "gan.shipped_info"
    gap = "" if LANG == "ja" else " "  # Japanese sentences follow each other without a space
    refine = gap + t("gan.shipped_refine") if G.model_args.get("refine") else ""  # likewise a 3x3 conv
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.caption(t(key, epochs=meta.get("epochs", "?"), data=data_text, mapping=mapping) + refine)
    c2.download_button(t("gan.download"), png, "gan_samples.png", "image/png", key="gan_download")
    board.gallery_button(PAGE, png, {"seed": seed, "n": n})  # the grid into the class board's gallery

# -- live training: settings beside the slow-motion controls, then Train and its charts -------------------
st.header(t("gan.train_header"))
st.markdown(t("gan.train_intro"))
preset = st.radio(
    t("gan.preset"),
    ("improved", "course"),
    key=relabelled(links.choice("gan_preset", ("improved", "course"))),
    horizontal=True,
    format_func=lambda p: t(f"gan.preset.{p}", lang=LANG),
    help=t("gan.preset_help"),
)
base = gan.PRESETS[preset]
defaults = lesson.page_defaults(preset, resources.test_mode())  # what the page's first run trains
c1, c2 = st.columns(2)
mode = c1.radio(
    t("gan.mode"),
    gan.MODES,
    key=relabelled(links.choice("gan_mode", gan.MODES)),
    horizontal=True,
    help=t("gan.mode_help"),
    format_func=lambda m: t(f"gan.mode.{m}", lang=LANG),
)
delay = c2.slider(t("gan.delay"), 0.0, 1.0, 0.0, 0.05, key="gan_delay")
controls = st.session_state.setdefault("gan_controls", {"mode": "both", "delay": 0.0})
controls.update(mode=mode, delay=delay)  # read by the worker at every step
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
    g_lr = c2.select_slider(
        t("gan.g_lr"), rates, defaults.g_lr, key=f"gan_g_lr_{preset}", **links.bind(f"gan_g_lr_{preset}")
    )  # per preset:
    d_lr = c2.select_slider(
        t("gan.d_lr"), rates, defaults.d_lr, key=f"gan_d_lr_{preset}", **links.bind(f"gan_d_lr_{preset}")
    )  # own defaults
    opt_name = lambda o: t(f"gan.opt.{o}", lang=LANG)  # noqa: E731
    g_opt = c3.selectbox(
        t("gan.g_opt"),
        gan.OPTIMIZERS,
        key=relabelled(links.choice("gan_g_opt", gan.OPTIMIZERS)),
        format_func=opt_name,
    )
    d_opt = c3.selectbox(
        t("gan.d_opt"),
        gan.OPTIMIZERS,
        key=relabelled(links.choice("gan_d_opt", gan.OPTIMIZERS)),
        format_func=opt_name,
    )
    seed = inputs.number(
        c3, t("common.seed"), 0, 1_000_000, 0, key="gan_train_seed", **links.bind("gan_train_seed")
    )
    unit = st.checkbox(t("gan.unit_range"), key="gan_unit_range", **links.bind("gan_unit_range"))


def on_train() -> None:
    split = resources.mnist()
    x = split.x_train[:256] if resources.test_mode() else split.x_train
    cfg = gan.with_overrides(
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
    lesson.train(cfg, x)


job = jobs.get(PAGE)
job_widgets.controls(PAGE, job, on_train)
st.caption(t("gan.epochs_hint", epochs=gan.LIVE.epochs))


def render(job: jobs.Job) -> None:
    job_widgets.status(job)
    steps, ep = list(job.steps), lesson.grids(job)
    shown = ep[-1] if ep else None  # the latest grid while training; the replayed epoch afterwards
    if ep and not job.active:
        st.subheader(t("gan.timeline"))
        shown = lesson.replay_pick(ep, t("gan.epoch_pick"), "gan_epoch")
    marked = shown if shown is not None and not job.active and len(ep) > 1 else None
    at = lesson.step_at(steps, marked)  # the step record the metrics show
    if at is not None:
        m = st.columns(4)
        m[0].metric(t("gan.v.d_loss"), f"{at['d_loss']:.3f}")
        m[1].metric(t("gan.v.g_loss"), f"{at['g_loss']:.3f}")
        m[2].metric(t("gan.v.d_real"), f"{at['d_real']:.2f}")
        m[3].metric(t("gan.v.d_fake"), f"{at['d_fake']:.2f}")
    mark = None if marked is None else marked.get("step")
    c1, c2 = st.columns(2)
    c1.plotly_chart(lesson.gan_loss_chart(steps, mark=mark), key="gan_loss_chart", width="stretch")
    c2.plotly_chart(lesson.d_output_chart(steps, mark=mark), key="gan_d_chart", width="stretch")
    left, right = layout.main_columns([3, 2], main=0)  # the live grid first: it shows what G learned
    if shown is None:
        left.info(t("gan.waiting_grid"))
        return
    img = lesson.grid_image(shown["grid"], nrow=8, scale=3)
    left.markdown(f"**{t('gan.live_grid', epoch=shown['epoch'])}**")
    left.image(img, width="stretch")
    with right:
        quality_panel(torch.from_numpy(shown["grid"][:, None]).float() / 255, "gan_live")
    if not job.active:
        name = f"epoch_{shown['epoch']}.png"
        png = lesson.png_bytes(img)
        left.download_button(t("gan.download"), png, name, "image/png", key="gan_epoch_download")
        if len(ep) > 1 and right.toggle(t("gan.timeline_gif"), key="gan_timeline_gif"):
            frames = [lesson.grid_image(r["grid"], 8, scale=2) for r in ep]
            right.image(lesson.gif_bytes(frames, ms=500), width="stretch")


if job is None:
    st.info(t("gan.before_train"), icon=":material/show_chart:")
job_widgets.live(job, render, interval=0.7)
saved_runs.panel(lesson)

# -- more to explore with the shipped generator, then the reference: formulas, detach, code -------------
if G is not None:
    st.subheader(t("gan.interp"))
    st.markdown(t("gan.interp_help"))
    c1, c2, c3 = st.columns(3)
    seed_a = inputs.number(c1, t("gan.seed_a"), 0, 1_000_000, 1, key="gan_seed_a")
    seed_b = inputs.number(c2, t("gan.seed_b"), 0, 1_000_000, 2, key="gan_seed_b")
    pos = c3.slider(t("gan.interp_t"), 0.0, 1.0, 0.5, 0.1, key="gan_interp_t")
    path = lesson.from_shipped(G, "interpolate", int(seed_a), int(seed_b), 11)  # (11, 1, 28, 28)
    st.image(
        lesson.shipped_png(G, "interpolate", (int(seed_a), int(seed_b), 11), nrow=11, scale=2),
        width="stretch",
    )
    c1, c2 = st.columns([1, 3])
    c1.image(lesson.grid_image(path[round(pos * 10) : round(pos * 10) + 1], nrow=1, scale=6), width=168)
    if c2.toggle(t("gan.animate"), key="gan_animate"):
        frames = lesson.from_shipped(G, "interpolate", int(seed_a), int(seed_b), 24)
        frames = [lesson.grid_image(f[None], 1, scale=6) for f in torch.cat([frames, frames.flip(0)])]
        c2.image(lesson.gif_bytes(frames, ms=80), width=168)

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
