"""Image-classification guide page (course 002): CIFAR-10 (or Fashion-MNIST where it is absent), the guide's
SimpleCNN trained live, the data and the model looked at, evaluation, the FAQ's symptoms and cures, review.

Train is the first tab: the settings beside Train and the live accuracy, on the first screen. The other
tabs follow the guide's order.
"""

import streamlit as st

from core import cifar as core_cifar
from core import image_data
from ui import inputs, job_widgets, jobs, links, saved_runs
from ui.i18n import labels, relabelled, t
from ui.lessons import cifar as lesson
from ui.pages import begin
from ui.panels import cifar as panels

begin("cifar")

PAGE = lesson.LESSON.key
ss = st.session_state

st.title(t("cifar.title"))
st.caption(t("cifar.intro"))

avail = lesson.available()
usable = [name for name in core_cifar.DATASETS if avail.get(name) is None]
tab_train, tab_data, tab_model, tab_eval, tab_faq, tab_review = st.tabs(
    [t(f"cifar.tab.{k}") for k in ("train", "data", "model", "eval", "faq", "review")]
)

job = jobs.get(PAGE)
busy = job is not None and job.active
d, cfg = None, None
with tab_train:
    settings, panel = st.columns([1.15, 2.2], gap="medium")
    with settings:
        if usable:
            ss.setdefault("cifar_dataset", lesson.default_dataset(avail))
            name = st.selectbox(
                t("cifar.dataset"), usable, key=relabelled(links.choice("cifar_dataset", usable)),
                format_func=labels("cifar.ds."), disabled=busy,
            )  # fmt: skip
            try:
                d = lesson.data(name)
            except image_data.DataUnavailable as e:
                st.error(
                    t("cifar.unavailable", name=t(f"cifar.ds.{e.name}"), reason=t(f"cifar.reason.{e.reason}"))
                )
        else:
            st.error(t("cifar.no_data"))
        ss.setdefault("cifar_model", "simple")
        model = st.radio(
            t("cifar.model"), ("simple", "deeper"), **links.keep(relabelled("cifar_model")), horizontal=True,
            format_func=labels("cifar.model."), disabled=busy,
        )  # fmt: skip
        c1, c2 = st.columns(2)
        ss.setdefault("cifar_epochs", lesson.SIZES.epochs)
        epochs = c1.slider(
            t("cifar.epochs"), 1, 20, key="cifar_epochs", **links.bind("cifar_epochs"), disabled=busy
        )
        seed = inputs.number(
            c2, t("common.seed"), 0, 10_000, 0, key="cifar_seed", **links.bind("cifar_seed"), disabled=busy
        )
        c1, c2 = st.columns(2)
        ss.setdefault("cifar_lr", 0.001)
        lr = c1.select_slider(
            t("cifar.lr"), (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.1, 1.0), key="cifar_lr",
            **links.bind("cifar_lr"), disabled=busy,
        )  # fmt: skip
        ss.setdefault("cifar_batch_size", 32)
        batch = c2.select_slider(
            t("cifar.batch"), (8, 16, 32, 64, 128, 256, 1024), key="cifar_batch_size",
            **links.bind("cifar_batch_size"), disabled=busy,
        )  # fmt: skip
        st.markdown("**" + t("cifar.aug.title") + "**")
        c1, c2, c3 = st.columns(3)
        switches = {}
        for col, key in zip((c1, c2, c3), ("flip", "crop", "jitter")):
            ss.setdefault(f"cifar_{key}", False)
            switches[key] = col.checkbox(t(f"cifar.aug.{key}"), **links.keep(f"cifar_{key}"), disabled=busy)
        c1, c2 = st.columns(2)
        ss.setdefault("cifar_normalize", True)
        normalize = c1.checkbox(t("cifar.normalize"), **links.keep("cifar_normalize"), disabled=busy)
        ss.setdefault("cifar_grey", False)
        grey = c2.checkbox(
            t("cifar.grey"), **links.keep("cifar_grey"), disabled=busy or d is None or d.shape[0] == 1
        )
        if d is not None:
            cfg = core_cifar.CifarConfig(
                dataset=d.name, model=model, epochs=int(epochs), lr=float(lr), batch_size=int(batch),
                optimizer="adam", seed=int(seed), normalize=bool(normalize), grey=bool(grey) and d.shape[0] == 3,
                train_limit=lesson.SIZES.train_limit, test_limit=lesson.SIZES.test_limit, **switches,
            )  # fmt: skip

    def on_train() -> None:
        lesson.LESSON.train(cfg, d)
        ss["cifar_eval_model"] = "session"  # the Evaluate tab shows the new model once it has trained

    with panel:
        job_widgets.controls(PAGE, job, on_train, disabled=cfg is None)
        if job is not None:
            job_widgets.live(job, lesson.LESSON.live)
        else:
            st.info(t("cifar.rest"), icon=":material/info:")
        if d is not None:
            key = "fashion_default" if d.name == "fashion" and avail.get("cifar10") else d.name
            st.markdown(t(f"cifar.using.{key}"))
        if d is not None and cfg is not None:
            n = min(cfg.train_limit or len(d.y_train), len(d.y_train))
            st.caption(
                t("cifar.settings_caption", n=n, m=min(cfg.test_limit or len(d.y_test), len(d.y_test)))
            )
            panels.augmentation_preview(d, cfg)
        if avail.get("cifar10"):
            st.caption(t("cifar.how_to_add"))
        if d is not None:
            st.caption(t("cifar.source", source=d.source))
    saved_runs.panel(lesson.LESSON)

with tab_data:
    if d is not None:
        panels.data_panel(d, int(batch))

with tab_model:
    if d is not None and cfg is not None:
        panels.model_panel(d, cfg)

with tab_eval:
    if d is not None and not busy:
        panels.evaluate_panel(d)
    elif busy:
        st.info(t("cifar.rest"), icon=":material/info:")

with tab_faq:
    if d is not None and cfg is not None:
        panels.faq_panel(d, cfg)

with tab_review:
    for i in range(1, 6):
        with st.expander(t(f"cifar.q{i}")):
            st.markdown(t(f"cifar.a{i}"))
    if st.toggle(t("common.show_code"), key="cifar_show_code") and cfg is not None:
        code = lesson.training_script(cfg)
        st.caption(t("cifar.code_caption"))
        st.code(code, language="python")
        st.download_button(t("cifar.download"), code, f"cifar_{cfg.dataset}.py", key="cifar_download")
