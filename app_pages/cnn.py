"""CNN page (course 000, Part 2, `mnist_cnn.py`): draw or upload a digit, look inside, evaluate, retrain."""

import numpy as np
import streamlit as st

from core import cnn as core_cnn
from core.preprocess import PreprocessError, load_upload, problem, to_mnist
from ui import canvas, inputs, job_widgets, jobs, layout, links, resources, saved_runs
from ui.i18n import relabelled, t
from ui.lessons import cnn as lesson
from ui.pages import begin

begin("cnn")

ss = st.session_state
split = resources.mnist()
dev = resources.device().name
tiny = resources.test_mode()

st.title(t("cnn.title"))
st.markdown(t("cnn.intro"))
models = lesson.available_models()
labels = {k: t(f"cnn.model.{k}") for k in models}
with st.sidebar:  # one picker for every tab, always in view
    choice = st.radio(
        t("cnn.model"), list(models), key=relabelled("cnn_model_choice"), format_func=labels.get
    )
    lesson.shipped_note()
model = models.get(choice) if models else None

tab_draw, tab_upload, tab_inside, tab_eval, tab_train, tab_review = st.tabs(
    [
        t("cnn.tab.draw"),
        t("cnn.tab.upload"),
        t("cnn.tab.inside"),
        t("cnn.tab.eval"),
        t("cnn.tab.train"),
        t("common.review"),
    ]
)


def show_prediction(steps, found, key: str) -> None:
    """Metric (the digit alone), confidence and the ten probabilities; each digit on its own when there
    are several (`found`, from lesson.parts); a prompt when there is no ink."""
    if model is None:
        st.warning(t("cnn.no_model"))
    elif steps is None:
        st.info(t("cnn.blank"), icon=":material/edit:")
    elif issue := problem(steps):  # a dot or a filled canvas: say so rather than guess a digit
        st.warning(t(f"input.{issue}"), icon=":material/gesture:")
    elif len(found) > 1:  # "2 5 8" framed as one digit would be one confident wrong answer
        lesson.parts_panel(model, found, key=f"{key}_parts")
    else:
        probs = core_cnn.predict(model, steps.final)
        st.metric(t("cnn.prediction"), str(int(np.argmax(probs))))
        st.caption(t("cnn.confidence", p=100 * float(probs.max())))
        st.plotly_chart(
            lesson.prob_chart(probs, height=layout.main_height(220)),
            key=f"{key}_chart",
            width="stretch",
            config={"displayModeBar": False},
        )


def show_steps(steps, found) -> None:
    if steps is not None and len(found) > 1 and not problem(steps):
        lesson.parts_steps(steps, found)
    elif steps is not None:
        st.markdown(t("cnn.steps"))
        for col, (caption, img) in zip(st.columns(4), lesson.step_images(steps)):
            col.image(img, caption=caption, width=112)


@st.fragment
def draw_panel() -> None:
    """Canvas and prediction rerun alone on every stroke (a fragment), not the whole page."""
    # the prediction bars are what the class reads (the network's answer to the drawing): in projector mode
    # they span the main area, taller, and the canvas goes below them
    left, right = layout.main_columns([1, 1], main=1)
    with left:
        st.markdown(t("cnn.draw.intro"))  # also room for the canvas toolbar, which floats above it on hover
        with st.container(key="cnn_canvas"):
            img = canvas.draw(canvas.current_key("cnn_pad"), 280, int(ss.get("cnn_stroke", 18)))
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        a.slider(t("cnn.stroke"), 8, 32, 18, key="cnn_stroke")
        b.button(t("cnn.clear"), key="cnn_clear", on_click=canvas.clear, args=("cnn_pad",), width="stretch")
        st.caption(t("cnn.undo_hint"))
    steps = to_mnist(img) if img is not None else None
    found = lesson.parts(steps)
    if steps is not None:
        ss["cnn_input_draw"] = steps.final
    with right, st.container(key="cnn_prediction"):
        show_prediction(steps, found, "cnn_draw")
    show_steps(steps, found)


with tab_draw:
    draw_panel()

with tab_upload:
    st.markdown(t("cnn.upload.intro"))
    # no type= filter: the browser would refuse other files in English; core.preprocess refuses them here,
    # in the student's language (the label names the types; ui/streamlit_text.py hides Streamlit's list)
    file = st.file_uploader(t("cnn.upload.label"), key="cnn_upload")
    if file is not None:
        try:
            up_steps = to_mnist(load_upload(file))
        except PreprocessError as e:
            st.error(t(f"cnn.upload.err.{e.code}", **e.params))
        else:
            if up_steps is None:
                st.warning(t("cnn.upload.blank"))
            else:
                ss["cnn_input_upload"] = up_steps.final
                up_found = lesson.parts(up_steps)
                with st.container(key="cnn_upload_prediction"):
                    show_prediction(up_steps, up_found, "cnn_upload")
                show_steps(up_steps, up_found)

with tab_inside:
    st.markdown(t("cnn.inside.intro"))
    sources = ["draw", "upload", "test"]
    src_labels = {s: t(f"cnn.inside.src.{s}") for s in sources}  # translated now: format_func may run later
    a, b = st.columns([3, 1.3], vertical_alignment="bottom")
    st.session_state.setdefault("cnn_inside_source", "test")  # a test digit first: it is always there
    src = a.radio(
        t("cnn.inside.source"),
        sources,
        key=relabelled("cnn_inside_source"),
        horizontal=True,
        format_func=src_labels.get,
    )
    b.button(
        t("cnn.inside.refresh"), key="cnn_inside_refresh", width="stretch"
    )  # a rerun picks up the latest drawing
    if src == "test":
        idx = st.slider(t("cnn.inside.index"), 0, len(split.x_test) - 1, 0, key="cnn_inside_index")
        x28 = split.x_test[idx, 0].numpy()
    else:
        x28 = ss.get(f"cnn_input_{src}")
    if model is None:
        st.warning(t("cnn.no_model"))
    elif x28 is None:
        st.info(t(f"cnn.inside.none.{src}"))
    else:
        lesson.inside(model, x28, test_index=idx if src == "test" else None)
    with st.expander(t("cnn.sandbox.title"), icon=":material/calculate:"):  # a side tool: folded
        st.markdown(t("cnn.sandbox.intro"))
        c = st.columns(4)
        size = inputs.number(c[0], t("cnn.sandbox.size"), 1, 512, 28, key="cnn_sb_size")
        kernel = inputs.number(c[1], t("cnn.sandbox.kernel"), 1, 15, 3, key="cnn_sb_kernel")
        stride = inputs.number(c[2], t("cnn.sandbox.stride"), 1, 8, 1, key="cnn_sb_stride")
        pad = inputs.number(c[3], t("cnn.sandbox.padding"), 0, 8, 0, key="cnn_sb_padding")
        st.latex(rf"\left\lfloor \frac{{{size} + 2\cdot{pad} - {kernel}}}{{{stride}}} \right\rfloor + 1")
        try:
            st.metric(t("cnn.sandbox.out"), f"{core_cnn.conv_output_size(size, kernel, stride, pad)}")
        except ValueError:
            st.metric(t("cnn.sandbox.out"), "—")
            st.markdown(t("cnn.sandbox.too_small"))
        if size + 2 * pad >= kernel and core_cnn.conv_output_size(size, kernel, stride, pad) >= 2:
            st.markdown(t("cnn.sandbox.pool", n=core_cnn.conv_output_size(size, kernel, stride, pad) // 2))

with tab_eval:
    if model is None:
        st.warning(t("cnn.no_model"))
    else:
        lesson.evaluate_panel(model, split)

with tab_train:
    st.markdown(t("cnn.train.intro"))
    job = jobs.get(lesson.PAGE)
    busy = job is not None and job.active
    c = st.columns(3)
    epochs = c[0].slider(
        t("cnn.train.epochs"),
        1,
        30,
        1 if tiny else 5,
        key="cnn_epochs",
        **links.bind("cnn_epochs"),
        disabled=busy,
    )
    lr = c[1].select_slider(
        t("cnn.train.lr"),
        [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 1e-1],
        1e-3,
        key="cnn_lr",
        **links.bind("cnn_lr"),
        disabled=busy,
    )
    batch = c[2].select_slider(
        t("cnn.train.batch"),
        [16, 32, 64, 128, 256, 1024],
        64,
        key="cnn_batch",
        **links.bind("cnn_batch"),
        disabled=busy,
    )
    c = st.columns(3)
    channels = c[0].radio(
        t("cnn.train.channels"),
        ["8/16", "16/32", "32/64"],
        index=1,
        key="cnn_channels",
        **links.bind("cnn_channels"),
        horizontal=True,
        disabled=busy,
    )
    sizes = [128, 500, 1000, 2000, len(split.x_train)]
    n_train = c[1].select_slider(
        t("cnn.train.size"),
        sizes,
        sizes[0] if tiny else sizes[-1],
        key="cnn_train_size",
        **links.bind("cnn_train_size"),
        disabled=busy,
    )
    seed = inputs.number(
        c[2], t("common.seed"), 0, 2**31 - 1, 0, key="cnn_seed", **links.bind("cnn_seed"), disabled=busy
    )
    augment = st.toggle(
        t("cnn.train.augment"), True, key="cnn_augment", **links.bind("cnn_augment"), disabled=busy
    )
    c1, c2 = (int(v) for v in channels.split("/"))
    cfg = core_cnn.CNNTrainConfig(
        c1=c1,
        c2=c2,
        epochs=int(epochs),
        batch_size=int(batch),
        lr=float(lr),
        augment=augment,
        train_size=int(n_train),
        seed=int(seed),
    )
    batches = lesson.batches_per_epoch(cfg, len(split.x_train))

    def on_train() -> None:
        lesson.train(cfg, split)

    job_widgets.controls(lesson.PAGE, job, on_train)

    def render(j: jobs.Job) -> None:
        job_widgets.status(j)
        a, b = st.columns(2)
        per_epoch = ss.get(lesson.RUN, {}).get("batches", batches)  # of the run shown, not of the sliders now
        a.plotly_chart(lesson.loss_figure(j, per_epoch), key="cnn_loss_chart", width="stretch")
        b.plotly_chart(lesson.accuracy_figure(j), key="cnn_acc_chart", width="stretch")

    job_widgets.live(job, render)
    saved_runs.panel(lesson)
    trained = lesson.session_model()
    if trained is not None:
        st.success(t("cnn.train.use"))
        st.button(
            t("cnn.train.use_now"),
            key="cnn_use_session",
            on_click=ss.update,
            kwargs={"cnn_model_choice": "session"},
        )
        st.download_button(
            t("cnn.train.download"),
            lesson.session_checkpoint(trained, split),
            file_name="cnn_session.pth",
            key="cnn_download",
            mime="application/octet-stream",
        )
    st.subheader(t("cnn.ckpt.title"))
    up = st.file_uploader(t("cnn.ckpt.label"), key="cnn_ckpt_upload")  # checkpoints.load checks the rest
    if up is not None and ss.get("_cnn_ckpt_seen") != (up.name, up.size):
        ss["_cnn_ckpt_seen"] = (up.name, up.size)
        ss["_cnn_ckpt_error"] = lesson.load_uploaded_checkpoint(up)
        st.rerun()  # the model picker above now lists the upload
    if up is not None and ss.get("_cnn_ckpt_error"):
        st.error(ss["_cnn_ckpt_error"])
    elif up is not None:
        st.success(t("cnn.ckpt.ok", name=ss.get("cnn_uploaded_name", "")))

with tab_review:
    for i in range(1, 6):
        st.markdown(f"**{i}.** " + t(f"cnn.q{i}"))
        with st.expander(t("common.answer")):
            st.markdown(t(f"cnn.a{i}"))
    if st.toggle(t("common.show_code"), key="cnn_show_code"):
        st.caption(t("cnn.code_caption"))
        st.code(lesson.training_script(cfg), language="python")
