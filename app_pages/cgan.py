"""Conditional GAN page (lesson 003): one-hot labels, digit picker, style x digit grid, fidelity, the
train-on-generated exercise, and live training on MNIST or scikit-learn's 8x8 digits."""

import inspect

import streamlit as st

from core import configs, gan
from core.models import gan as gan_models
from ui import board, charts, inputs, job_widgets, jobs, links, resources, saved_runs, trainable
from ui.figures import cgan as figures
from ui.figures.images import grid_image
from ui.i18n import labels, relabelled, t
from ui.lessons import cgan as lesson
from ui.pages import begin
from ui.sidebar import provenance_text

begin("cgan")

PAGE = lesson.LESSON.key
st.title(t("cgan.title"))
# the first screen: the digit picker and its samples; the why is one click away
st.markdown(t("cgan.lead"))
with st.expander(t("cgan.about"), icon=":material/menu_book:"):
    st.markdown(t("cgan.intro"))

dataset = st.radio(
    t("cgan.dataset"),
    tuple(lesson.SHIPPED),
    key=relabelled(links.choice("cgan_dataset", tuple(lesson.SHIPPED))),
    horizontal=True,
    format_func=labels("cgan.dataset."),
)
split = lesson.split_of(dataset)
# 8x8 digits are drawn larger
scale = figures.grid_scale(split.x_train[0])
shipped = lesson.shipped(dataset)
trained, trained_cfg = st.session_state.get("cgan_G"), st.session_state.get("cgan_cfg")
job = jobs.get(PAGE)
mine = (
    trained is not None
    and trained_cfg is not None
    and trained_cfg.image_size == split.x_train.shape[-1]
    and job is not None
    and not job.active
)
use_mine = mine and st.toggle(t("cgan.use_trained"), **links.keep("cgan_use_trained"))
G = trained if use_mine else (None if shipped is None else shipped.model)

# -- generate -------------------------------------------------------------------------------------
if G is None:
    lesson.warn_no_shipped(dataset)
else:
    st.session_state.setdefault("cgan_seed", 0)
    digit = st.segmented_control(t("cgan.digit"), list(range(10)), default=7, **links.keep("cgan_digit"))
    digit = 7 if digit is None else digit
    c2, c3, c4 = st.columns([3, 2, 2], vertical_alignment="bottom")
    n = c2.slider(t("cgan.n"), 4, 20, 10, **links.keep("cgan_n"))
    inputs.number(c3, t("common.seed"), 0, 1_000_000, step=1, **links.keep("cgan_seed"))
    c4.button(
        t("cgan.new"),
        key="cgan_new",
        on_click=lambda: st.session_state.update(cgan_seed=st.session_state.cgan_seed + 1),
    )
    # the shipped generator's outputs are computed once for the whole class; a student's own G is their own
    png = resources.generated_png(
        G, "sample", (n, int(st.session_state.cgan_seed), digit), n, scale, shared=not use_mine
    )
    st.image(png, width="stretch")
    if not use_mine:
        epochs_done = shipped.meta.get("epochs", "?")
        st.caption(t("cgan.shipped_info", epochs=epochs_done, data=provenance_text(split.provenance)))
    st.download_button(t("gan.download"), png, f"cgan_{digit}.png", "image/png", key="cgan_download")
    # the grid into the class board's gallery
    board.gallery_button(PAGE, png, {"digit": digit, "seed": int(st.session_state.cgan_seed)})

    st.subheader(t("cgan.style_grid"))
    st.markdown(t("cgan.style_help"))
    rows = st.slider(t("cgan.rows"), 1, 8, 4, **links.keep("cgan_rows"))
    z, asked = gan.fixed_grid_inputs(G, rows, int(st.session_state.cgan_seed), conditional=True)
    st.image(grid_image(gan.generate(G, z, asked), nrow=10, scale=scale), width="stretch")

    st.subheader(t("cgan.interp"))
    st.markdown(t("cgan.interp_help"))
    c1, c2 = st.columns(2)
    seed_a = inputs.number(c1, t("cgan.seed_a"), 0, 1_000_000, 1, **links.keep("cgan_seed_a"))
    seed_b = inputs.number(c2, t("cgan.seed_b"), 0, 1_000_000, 2, **links.keep("cgan_seed_b"))
    path = (int(seed_a), int(seed_b), 11, digit)
    st.image(resources.generated_png(G, "interpolate", path, 11, scale, shared=not use_mine), width="stretch")

    # -- label fidelity ---------------------------------------------------------------------------
    st.subheader(t("cgan.fidelity_header"))
    per = lesson.SIZES.fidelity_per_digit
    if dataset == "mnist":
        cnn = resources.shipped("cnn_mnist.pth", "cnn.MNISTCNN")
        judge, clf_name = (None if cnn is None else cnn.model), t("cgan.clf.cnn")
    else:
        judge, clf_name = lesson.digits_judge(), t("cgan.clf.digits")
    st.caption(t("cgan.fidelity_help", n=per, clf=clf_name))
    if judge is None:
        resources.shipped_warning("cnn_mnist.pth", "cnn.MNISTCNN", "cgan.no_cnn", caption=True)
    elif st.button(t("cgan.fidelity_run"), key="cgan_fidelity"):
        fid = gan.fidelity_per_digit(G, judge, per_digit=per, seed=int(st.session_state.cgan_seed))
        st.session_state["cgan_fid"] = (dataset, use_mine, fid)
    fid = st.session_state.get("cgan_fid")
    if fid and fid[:2] == (dataset, use_mine):
        st.metric(t("cgan.fidelity_overall"), f"{100 * fid[2]['overall']:.1f}%")
        charts.plot(st, figures.fidelity_chart(fid[2]["per_digit"]), key="cgan_fid_chart", width="stretch")

    # -- the lesson's exercise --------------------------------------------------------------------
    st.subheader(t("cgan.tog_header"))
    tog_epochs = lesson.SIZES.exercise_epochs[dataset]
    real = lesson.exercise_split(split)
    st.markdown(t("cgan.tog_help", n_real=len(real.x_train), n_test=len(real.x_test), epochs=tog_epochs))
    per_real = max(1, len(real.x_train) // 10)
    counts = {
        per_real: t("cgan.tog_count.same", n=10 * per_real),
        5 * per_real: t("cgan.tog_count.more", n=50 * per_real),
    }
    per_digit = st.radio(
        t("cgan.tog_count"),
        list(counts),
        format_func=counts.get,
        horizontal=True,
        help=t("cgan.tog_count_help"),
        **links.keep(relabelled(f"cgan_tog_count_{dataset}")),
    )
    if st.button(t("cgan.tog_run"), key="cgan_tog"):
        with st.spinner(t("cgan.tog_running")):
            res = gan.train_on_generated(G, real, epochs=tog_epochs, per_digit=per_digit, seed=0)
        st.session_state["cgan_tog_result"] = (dataset, use_mine, res)
    res = st.session_state.get("cgan_tog_result")
    if res and res[:2] == (dataset, use_mine):
        c1, c2 = st.columns(2)
        c1.metric(t("cgan.acc_generated"), f"{100 * res[2]['acc_generated']:.1f}%")
        c2.metric(t("cgan.acc_real"), f"{100 * res[2]['acc_real']:.1f}%")
        source = t("cgan.source.trained" if use_mine else "cgan.source.shipped")
        n_gen = t("cgan.n_generated", n=res[2]["n_generated"])
        st.caption(t("cgan.tog_source", source=source) + " · " + n_gen)

# -- live training --------------------------------------------------------------------------------
st.header(t("cgan.train_header"))
st.markdown(t("cgan.train_intro"))
c1, c2, c3 = st.columns(3)
epochs = inputs.number(
    c1,
    t("cgan.epochs"),
    1,
    300,
    lesson.SIZES.epochs[dataset],
    key=f"cgan_epochs_{dataset}",
    **links.bind(f"cgan_epochs_{dataset}"),
)
g_lr = c2.select_slider(
    t("cgan.g_lr"), (5e-5, 1e-4, 2e-4, 4e-4, 1e-3), 2e-4, key="cgan_g_lr", **links.bind("cgan_g_lr")
)
d_lr = c3.select_slider(
    t("cgan.d_lr"), (5e-5, 1e-4, 2e-4, 4e-4, 1e-3), 2e-4, key="cgan_d_lr", **links.bind("cgan_d_lr")
)


def on_train() -> None:
    x, y = lesson.train_data(split)
    width = (64, 32) if dataset == "mnist" else (128, 64)
    cfg = configs.with_overrides(
        gan.IMPROVED,
        epochs=int(epochs),
        g_lr=g_lr,
        d_lr=d_lr,
        image_size=x.shape[-1],
        g_width=width[0],
        d_width=width[1],
        n_fixed=40,
    )
    lesson.LESSON.train(cfg, x, y)


job_widgets.controls(PAGE, job, on_train)
job_widgets.live(job, lesson.LESSON.live, interval=0.7)
saved_runs.panel(lesson.LESSON)
ep = trainable.grid_records(job) if job is not None and not job.active else []
if len(ep) > 1:
    st.subheader(t("cgan.timeline"))
    pick = st.slider(t("gan.epoch_pick"), 1, len(ep), len(ep), key="cgan_epoch")
    grid = ep[pick - 1]["grid"]
    st.image(grid_image(grid, nrow=10, scale=figures.grid_scale(grid)), width="stretch")

if st.toggle(t("common.show_code"), key="cgan_show_code"):
    st.caption(t("cgan.code"))
    source = (
        inspect.getsource(gan_models.CondGenerator) + "\n\n" + inspect.getsource(gan_models.CondDiscriminator)
    )
    st.code(source, language="python")

# reference, after the things to do
with st.expander(t("cgan.theory")):
    st.markdown(t("cgan.loss"))
    st.latex(
        r"\mathcal{L}_D = -\log D(x, y) - \log\bigl(1 - D(G(z, y), y)\bigr)"
        r" \qquad \mathcal{L}_G = -\log D(G(z, y), y)"
    )
    st.subheader(t("cgan.onehot_header"))
    st.markdown(t("cgan.onehot"))
    st.latex(
        r"y = 3 \;\mapsto\; (0, 0, 0, 1, 0, 0, 0, 0, 0, 0) \qquad G\bigl([\,z\,;\,\mathrm{onehot}(y)\,]\bigr)"
    )
    st.info(t("cgan.lesson_note"), icon=":material/menu_book:")
