"""CNN page (course 000, Part 2, `mnist_cnn.py`): draw or upload a digit, look inside, evaluate, retrain."""

import streamlit as st

from core import cnn as core_cnn
from core.preprocess import PreprocessError, load_upload, to_mnist
from ui import canvas, inputs, job_widgets, jobs, layout, links, resources, saved_runs
from ui.i18n import labels, relabelled, t
from ui.lessons import cnn as lesson
from ui.pages import begin
from ui.panels import cnn as panels

begin("cnn")

ss = st.session_state
split = resources.mnist()

st.title(t("cnn.title"))
st.markdown(t("cnn.intro"))
models = lesson.available_models()
with st.sidebar:  # one picker for every tab, always in view
    choice = st.radio(
        t("cnn.model"),
        list(models),
        **links.keep(relabelled("cnn_model_choice")),
        format_func=labels("cnn.model."),
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
        a.slider(t("cnn.stroke"), 8, 32, 18, **links.keep("cnn_stroke"))
        b.button(t("cnn.clear"), key="cnn_clear", on_click=canvas.clear, args=("cnn_pad",), width="stretch")
        st.caption(
            t("cnn.undo_hint") + (" " + t("cnn.draw.digits_only") if ss.get("cnn_data") == "fashion" else "")
        )
    steps = to_mnist(img) if img is not None else None
    found = lesson.parts(steps)
    if steps is not None:
        ss["cnn_input_draw"] = steps.final
    with right, st.container(key="cnn_prediction"):
        panels.prediction(model, steps, found, "cnn_draw")
    panels.preprocessing(steps, found)


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
                    panels.prediction(model, up_steps, up_found, "cnn_upload")
                panels.preprocessing(up_steps, up_found)

with tab_inside:
    st.markdown(t("cnn.inside.intro"))
    sources = ["draw", "upload", "test"]
    a, b = st.columns([3, 1.3], vertical_alignment="bottom")
    st.session_state.setdefault("cnn_inside_source", "test")  # a test digit first: it is always there
    src = a.radio(
        t("cnn.inside.source"),
        sources,
        **links.keep(relabelled("cnn_inside_source")),
        horizontal=True,
        format_func=labels("cnn.inside.src."),
    )
    # a rerun picks up the latest drawing
    b.button(t("cnn.inside.refresh"), key="cnn_inside_refresh", width="stretch")
    if src == "test":
        idx = st.slider(t("cnn.inside.index"), 0, len(split.x_test) - 1, 0, **links.keep("cnn_inside_index"))
        x28 = split.x_test[idx, 0].numpy()
    else:
        x28 = ss.get(f"cnn_input_{src}")
    if model is None:
        st.warning(t("cnn.no_model"))
    elif x28 is None:
        st.info(t(f"cnn.inside.none.{src}"))
    else:
        panels.inside(model, x28, test_index=idx if src == "test" else None)
    with st.expander(t("cnn.sandbox.title"), icon=":material/calculate:"):  # a side tool: folded
        panels.sandbox()

with tab_eval:
    if model is None:
        st.warning(t("cnn.no_model"))
    else:
        panels.evaluate(model, split)

with tab_train:
    st.markdown(t("cnn.train.intro"))
    job = jobs.get(lesson.LESSON.key)
    busy = job is not None and job.active
    data_name, train_split = lesson.data_choice(busy)
    c = st.columns(3)
    epochs = c[0].slider(
        t("cnn.train.epochs"),
        1,
        30,
        lesson.SIZES.epochs,
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
    sizes = lesson.train_sizes(len(train_split.x_train))
    n_train = c[1].select_slider(
        t("cnn.train.size"),
        sizes,
        lesson.SIZES.train_n or sizes[-1],
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
        dataset=data_name,
    )

    def on_train() -> None:
        lesson.LESSON.train(cfg, train_split)

    job_widgets.controls(lesson.LESSON.key, job, on_train)
    job_widgets.live(job, lesson.LESSON.live)
    saved_runs.panel(lesson.LESSON)
    trained = lesson.session_model()
    if trained is not None and not lesson.reads_digits():
        st.info(t("cnn.train.fashion_done"))
    elif trained is not None:
        st.success(t("cnn.train.use"))
        st.button(
            t("cnn.train.use_now"),
            key="cnn_use_session",
            on_click=ss.update,
            kwargs={"cnn_model_choice": "session"},
        )
    if trained is not None:
        st.download_button(
            t("cnn.train.download"),
            lesson.session_checkpoint(trained, train_split),
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
