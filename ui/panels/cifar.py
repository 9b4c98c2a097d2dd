"""The larger panels of the image-classification guide page: the data, the model's layers, the augmentation
preview, the evaluation (per class, confusion matrix with its images, top 3, TTA) and the FAQ's runs."""

from __future__ import annotations

import inspect

import numpy as np
import streamlit as st
import torch

from core import cifar as core_cifar
from core.models import simple_cnn
from ui import charts, job_widgets, jobs, links
from ui.figures import cifar as figures
from ui.i18n import labels, relabelled, t
from ui.lessons import cifar as lesson

ss = st.session_state
PER_CLASS = 8  # images per class in the data grid
PREVIEW_SEED = 7  # the augmentation preview draws the same change for the same switches


def examples(d: core_cifar.Data, k: int = PER_CLASS) -> dict[int, np.ndarray]:
    """The first `k` training images of each class, (k, C, H, W)."""
    y = d.y_train.numpy()
    return {c: d.x_train[np.flatnonzero(y == c)[:k]].numpy() for c in range(len(d.classes))}


def data_panel(d: core_cifar.Data, batch: int) -> None:
    """A grid per class with its name, the tensors' shapes, the channels apart, Normalize's numbers."""
    names = lesson.class_names(d)
    c, h, w = d.shape
    st.markdown(t("cifar.data.counts", n_train=len(d.y_train), n_test=len(d.y_test), k=len(names)))
    st.markdown(t("cifar.data.shapes", one=(c, h, w), batch=batch, many=(batch, c, h, w)))
    st.markdown("#### " + t("cifar.data.grid"))
    ex = examples(d)
    cols = st.columns(2)
    for k, name in enumerate(names):
        with cols[k % 2]:
            st.image(figures.tile(figures.to_hwc(ex[k]), PER_CLASS, zoom=2), caption=name)
    st.markdown("#### " + t("cifar.data.channels"))
    image = d.x_train[0].numpy()  # (C, H, W)
    st.caption(t("cifar.data.channels_text") if c == 3 else t("cifar.data.one_channel"))
    parts = figures.channel_images(image)
    shown = [figures.tile(figures.to_hwc(image[None]), 1, zoom=4)] + [
        figures.tile(p[None], 1, zoom=4) for p in parts
    ]
    captions = [names[int(d.y_train[0])]] + (
        [t(f"cifar.data.ch.{i}") for i in range(3)] if c == 3 else [t("cifar.data.ch.grey")]
    )
    st.image(shown, caption=captions)
    st.markdown("#### " + t("cifar.data.stats"))
    means, stds = core_cifar.channel_stats(d.x_train)
    rows = [
        {t("cifar.data.channel"): t(f"cifar.data.ch.{i}") if c == 3 else t("cifar.data.ch.grey"),
         t("cifar.data.mean"): round(m, 4), t("cifar.data.std"): round(s, 4)}
        for i, (m, s) in enumerate(zip(means, stds))
    ]  # fmt: skip
    st.dataframe(rows, hide_index=True, key="cifar_stats")
    st.markdown(t("cifar.data.normalize"))
    after = (torch.from_numpy(image) - torch.tensor(means).view(-1, 1, 1)) / torch.tensor(stds).view(-1, 1, 1)
    st.caption(
        t("cifar.data.before_after", a_min=image.min(), a_max=image.max(), a_mean=image.mean(),
          b_min=float(after.min()), b_max=float(after.max()), b_mean=float(after.mean()))
    )  # fmt: skip
    st.code(
        "transforms.Normalize(\n"
        f"    mean={tuple(round(m, 4) for m in means)},\n"
        f"    std={tuple(round(s, 4) for s in stds)},\n)",
        language="python",
    )


def model_panel(d: core_cifar.Data, cfg: core_cifar.CifarConfig) -> None:
    """Every layer's output shape and parameters (forward hooks), the `16 * 5 * 5` explained, the code."""
    c, s, _ = d.shape
    model = simple_cnn.build(cfg.model, c, s, len(d.classes), width=cfg.width)
    rows = simple_cnn.layer_table(model, torch.zeros(1, c, s, s))
    table = [{t("cifar.model.layer"): "input", t("cifar.model.type"): "", t("cifar.model.shape"): str((1, c, s, s)),
              t("cifar.model.params"): 0}]  # fmt: skip
    table += [
        {t("cifar.model.layer"): r["layer"], t("cifar.model.type"): r["type"], t("cifar.model.shape"): str(r["shape"]),
         t("cifar.model.params"): r["params"]}
        for r in rows
    ]  # fmt: skip
    st.markdown("#### " + t("cifar.model.table"))
    st.dataframe(table, hide_index=True, key="cifar_layers")
    st.markdown(t("cifar.model.total", n=simple_cnn.parameter_count(model)))
    if cfg.model == "simple":
        st.markdown(t("cifar.model.why_400", c=16, s=model.side))
    with st.expander(t("cifar.model.code"), icon=":material/code:"):
        cls = simple_cnn.SimpleCNN if cfg.model == "simple" else simple_cnn.DeeperCNN
        st.code(inspect.getsource(cls), language="python")


def augmentation_preview(d: core_cifar.Data, cfg: core_cifar.CifarConfig) -> None:
    """Eight training images, and the same eight through the augmentation chosen now."""
    x = d.x_train[:8]
    if cfg.grey:
        x = core_cifar.to_grey(x)
    g = torch.Generator().manual_seed(PREVIEW_SEED)
    aug = core_cifar.augment(x, cfg, g)
    st.image(
        figures.tile(figures.to_hwc(torch.cat([x, aug]).numpy()), 8, zoom=2), caption=t("cifar.aug.preview")
    )


def evaluate_panel(d: core_cifar.Data) -> None:
    """Accuracy, per class, the confusion matrix whose cell shows its images, top 3 for one image or a
    photo, and TTA's effect."""
    models = lesson.models_for(d)
    s = lesson.shipped()
    if not models:
        st.info(t("cifar.eval.none"), icon=":material/info:")
        if d.name == "fashion" and s is None:
            st.caption(t("cifar.eval.no_shipped", reason=lesson.shipped_problem()))
        return
    which = st.radio(
        t("cifar.eval.which"), list(models), horizontal=True, format_func=labels("cifar.eval.model."),
        **links.keep(relabelled("cifar_eval_model")),
    )  # fmt: skip
    which = which if which in models else next(iter(models))
    model = models[which]
    if which == "shipped" and s is not None:
        m = s.meta.get("metrics", {})
        st.caption(t("cifar.eval.shipped_meta", model=s.family, epochs=s.meta.get("epochs", "?"),
                     n=m.get("n_test", 0), acc=100 * m.get("test_accuracy", float("nan"))))  # fmt: skip
    grey = which == "session" and lesson.session_model()[1].grey
    names = lesson.class_names(d)
    y = d.y_test.numpy()
    probs = lesson.test_probs(model, d, grey)
    pred = probs.argmax(1)
    matrix = core_cifar.confusion(y, pred, len(names))
    st.markdown(t("cifar.eval.acc", n=len(y), acc=100 * float((pred == y).mean())))
    left, right = st.columns([1.25, 1])
    with left:
        st.markdown("##### " + t("cifar.eval.confusion"))
        event = charts.plot(st, figures.confusion_figure(matrix, names), key="cifar_confusion", on_select="rerun",
                            selection_mode="points", width="stretch")  # fmt: skip
        picked = clicked_cell(event, names)
        if picked is not None:
            ss["cifar_true"], ss["cifar_pred"] = picked
        a, b = st.columns(2)
        ss.setdefault("cifar_true", 0)
        ss.setdefault("cifar_pred", 0)
        true = a.selectbox(
            t("cifar.eval.pick_true"), range(len(names)), format_func=names.__getitem__, key="cifar_true"
        )
        guess = b.selectbox(
            t("cifar.eval.pick_pred"), range(len(names)), format_func=names.__getitem__, key="cifar_pred"
        )
    with right:
        idx = core_cifar.confused(y, pred, int(true), int(guess), k=16)
        key = "cifar.eval.correct" if true == guess else "cifar.eval.confused"
        n = int(matrix[int(true), int(guess)])
        with st.container(key="cifar_confused"):
            st.markdown("##### " + t(key, true=names[int(true)], pred=names[int(guess)], n=n))
            if len(idx):
                st.image(figures.tile(figures.to_hwc(d.x_test[idx].numpy()), 8, zoom=2))
            else:
                st.caption(t("cifar.eval.none_confused"))
        st.markdown("##### " + t("cifar.eval.per_class"))
        acc = core_cifar.per_class_accuracy(matrix)
        charts.plot(
            st, figures.per_class_figure(names, acc, height=280), key="cifar_per_class", width="stretch"
        )
    st.markdown("#### " + t("cifar.eval.top3"))
    top3_panel(model, d, probs, names, grey)
    if st.toggle(t("cifar.eval.tta"), key="cifar_tta"):
        st.caption(t("cifar.eval.tta_text"))
        x = core_cifar.to_grey(d.x_test) if grey else d.x_test
        r = core_cifar.tta_effect(model, x, d.y_test)
        st.markdown(
            t(
                "cifar.eval.tta_result",
                plain=100 * r["plain"],
                tta=100 * r["tta"],
                diff=100 * (r["tta"] - r["plain"]),
            )
        )


def clicked_cell(event, names: list[str]) -> tuple[int, int] | None:
    """(true, predicted) class of a clicked confusion-matrix cell, if any (its x and y are class names)."""
    try:
        p = event["selection"]["points"][-1]
        return names.index(p["y"]), names.index(p["x"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def top3_panel(model, d: core_cifar.Data, probs: np.ndarray, names: list[str], grey: bool) -> None:
    """A test image (or an uploaded photo) and its three likeliest classes."""
    c, s, _ = d.shape
    a, b = st.columns([1, 1])
    idx = a.number_input(t("cifar.eval.index"), 0, len(d.y_test) - 1, 0, key="cifar_test_index")
    mb = core_cifar.MAX_PHOTO_BYTES // 2**20
    file = b.file_uploader(t("cifar.eval.upload", mb=mb), key="cifar_photo")  # read_photo checks the type
    image, p = d.x_test[int(idx)].numpy(), probs[int(idx)]
    caption = names[int(d.y_test[int(idx)])]
    if file is not None:
        try:
            photo = core_cifar.read_photo(file.getvalue())
        except core_cifar.PhotoError as e:
            st.error(t(f"cifar.eval.err.{e.code}", mb=mb))
        else:
            x = core_cifar.photo_input(photo, c, s, dark_background=d.name == "fashion")
            x = core_cifar.to_grey(x) if grey else x
            image, p, caption = x[0].numpy(), core_cifar.probabilities(model, x)[0], file.name
            st.caption(t("cifar.eval.upload_hint", s=s))
    left, right = st.columns([1, 3])
    left.image(figures.tile(figures.to_hwc(image[None]), 1, zoom=4), caption=caption)
    top = core_cifar.top_k(p, 3)
    charts.plot(right, figures.topk_figure([names[i] for i, _ in top], [q for _, q in top]), key="cifar_top3",
                width="stretch")  # fmt: skip


def faq_panel(d: core_cifar.Data, base: core_cifar.CifarConfig) -> None:
    """Pick a symptom, run it and its cure (a job), and see both runs' accuracy side by side."""
    st.markdown(t("cifar.faq.intro"))
    cases = tuple(core_cifar.FAQ)
    case = st.radio(t("cifar.faq.case"), cases, format_func=labels("cifar.faq.case."),
                    **links.keep(relabelled("cifar_faq_pick")))  # fmt: skip
    st.markdown(t(f"cifar.faq.text.{case}"))
    job = jobs.get(lesson.FAQ)
    busy = job is not None and job.active
    if st.button(t("cifar.faq.run"), key="cifar_faq_run", disabled=busy, type="primary"):
        job = lesson.start_faq(case, d, base)
    if job is None or ss.get("cifar_faq_case") != case:
        return
    job_widgets.live(job, faq_live)


def faq_live(job: jobs.Job) -> None:
    job_widgets.status(job)
    charts.plot(st, figures.faq_figure(job.epochs_log), key="cifar_faq_chart", width="stretch")
    for run, r in lesson.faq_summary(job).items():
        label = t(f"cifar.faq.run.{run}")
        if r.get("diverged"):
            st.markdown(t("cifar.faq.result_diverged", run=label))
        elif "test_acc" in r:
            st.markdown(
                t("cifar.faq.result", run=label, train=100 * r["train_acc"], test=100 * r["test_acc"])
            )
