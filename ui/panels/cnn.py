"""The CNN page's panels (course 000, Part 2): a digit's reading and its preprocessing, several digits read
one by one, the look inside the network, the test-split evaluation and the conv-size sandbox. They draw
ui/figures/cnn.py's figures; the models and the readings the class shares come from ui/lessons/cnn.py."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import cnn as core_cnn
from core.preprocess import Steps, problem
from ui import charts, inputs, layout, links
from ui.figures import cnn as figures
from ui.i18n import t
from ui.lessons import cnn as lesson


def prediction(model, steps: Steps | None, found: list[Steps], key: str) -> None:
    """Metric (the digit alone), confidence and the ten probabilities; each digit on its own when there
    are several (`found`, from lesson.parts); a prompt when there is no ink."""
    if model is None:
        st.warning(t("cnn.no_model"))
    elif steps is None:
        st.info(t("cnn.blank"), icon=":material/edit:")
    elif issue := problem(steps):  # a dot or a filled canvas: say so rather than guess a digit
        st.warning(t(f"input.{issue}"), icon=":material/gesture:")
    elif len(found) > 1:  # "2 5 8" framed as one digit would be one confident wrong answer
        parts(model, found, key=f"{key}_parts")
    else:
        probs = core_cnn.predict(model, steps.final)
        st.metric(t("cnn.prediction"), str(int(np.argmax(probs))))
        st.caption(t("cnn.confidence", p=100 * float(probs.max())))
        charts.plot(
            st,
            figures.prob_chart(probs, height=layout.main_height(220)),
            key=f"{key}_chart",
            width="stretch",
            config={"displayModeBar": False},
        )


def preprocessing(steps: Steps | None, found: list[Steps]) -> None:
    """How the picture became the network's 28x28 input: the four steps, or each digit's box."""
    if steps is not None and len(found) > 1 and not problem(steps):
        parts_steps(steps, found)
    elif steps is not None:
        st.markdown(t("cnn.steps"))
        for col, (caption, img) in zip(st.columns(4), figures.step_images(steps)):
            col.image(img, caption=caption, width=112)


def parts(model, found: list[Steps], key: str) -> None:
    """Several digits: say so, and read each one on its own — never one confident answer for all."""
    if len(found) > lesson.MAX_PARTS:
        st.warning(t("cnn.parts.many", n=len(found)), icon=":material/gesture:")
        return
    probs = [core_cnn.predict(model, p.final) for p in found]
    digits = [int(np.argmax(q)) for q in probs]
    st.info(
        t("cnn.parts.found", n=len(found), digits=" ".join(map(str, digits))) + "  \n" + t("cnn.parts.one"),
        icon=":material/format_list_numbered:",
    )
    with st.container(key=key):  # each digit as the CNN saw it (framed 28x28), with its reading
        for col, p, q, d in zip(st.columns(max(3, len(found))), found, probs, digits):
            caption = t("cnn.parts.item", digit=d, p=100 * float(q.max()))
            col.image(figures.enlarge(p.final, 112), caption=caption, width="stretch")


def parts_steps(steps: Steps, found: list[Steps]) -> None:
    """How several digits were cut out: the input with each digit's box (their framing is shown above)."""
    st.markdown(t("cnn.parts.steps"))
    picture = figures.boxed(steps.source, [p.bbox for p in found], 224)
    st.image(picture, caption=t("cnn.parts.source"), width=224)


def inside(model, x28: np.ndarray, test_index: int | None = None) -> None:
    """Shapes table, conv1 kernels, feature maps of both conv layers, saliency and occlusion maps.

    For the shipped model and a test digit (`test_index`) the maps are computed once for every session."""
    conv1 = model.layer1[0]
    c1, c2, hidden = conv1.out_channels, model.layer2[0].out_channels, model.layer3[1].out_features
    left, right = st.columns([2, 3])
    with left:
        st.image(figures.enlarge(x28, 140), caption=t("cnn.inside.input"), width=140)
        # reference: folded
        with st.expander(t("cnn.inside.shapes"), icon=":material/table_rows:"):
            st.markdown(figures.shapes_table(core_cnn.architecture_shapes(c1, c2, hidden)))
    with right:
        with st.expander(t("cnn.inside.how"), icon=":material/menu_book:"):
            st.markdown(t("cnn.inside.conv"))
            st.markdown(t("cnn.inside.pool"))
        st.image(
            figures.grid(core_cnn.conv1_kernels(model), cols=8, cell=40, diverging=True),
            caption=t("cnn.inside.kernels", n=c1),
        )
    maps, k, sal, occ = lesson.explained(model, x28, test_index)
    st.markdown(t("cnn.inside.maps1", n=c1))
    st.image(figures.grid(maps["conv1"], cols=16, cell=64), width="stretch")
    st.markdown(t("cnn.inside.maps2", n=c2))
    st.image(figures.grid(maps["conv2"], cols=16, cell=44), width="stretch")
    st.markdown(t("cnn.inside.why", digit=k))
    a, b, c = st.columns(3)
    a.image(figures.heat_overlay(x28, sal), caption=t("cnn.inside.saliency"), width=168)
    b.image(figures.heat_overlay(x28, occ), caption=t("cnn.inside.occlusion"), width=168)
    c.markdown(t("cnn.inside.why_caption"))  # the key to reading both maps: body text, not small print


def evaluate(model, split) -> None:
    """Accuracy, confusion matrix and misclassified digits on the test split (cached per model)."""
    probs = lesson.split_probs(model, split)
    pred, truth = probs.argmax(1), split.y_test.numpy()
    wrong = np.flatnonzero(pred != truth)
    st.metric(t("cnn.eval.accuracy", n=len(truth)), f"{100 * (pred == truth).mean():.1f}%")
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(truth, pred, labels=list(range(10)))
    left, right = st.columns([1, 1])
    with left:
        st.markdown(t("cnn.eval.confusion"))
        charts.plot(st, figures.confusion_figure(cm), key="cnn_confusion", width="stretch", theme=None)
    with right:
        st.markdown(t("cnn.eval.wrong", n=len(wrong)))
        shown = wrong[:30]
        if len(shown):
            st.image(
                [figures.enlarge(split.x_test[i, 0].numpy(), 64) for i in shown],
                width=64,
                caption=[
                    t("cnn.eval.item", true=int(truth[i]), pred=int(pred[i]), p=100 * probs[i].max())
                    for i in shown
                ],
            )


def sandbox() -> None:
    """A conv layer's output size for the input size, kernel, stride and padding the student types."""
    st.markdown(t("cnn.sandbox.intro"))
    c = st.columns(4)
    size = inputs.number(c[0], t("cnn.sandbox.size"), 1, 512, 28, **links.keep("cnn_sb_size"))
    kernel = inputs.number(c[1], t("cnn.sandbox.kernel"), 1, 15, 3, **links.keep("cnn_sb_kernel"))
    stride = inputs.number(c[2], t("cnn.sandbox.stride"), 1, 8, 1, **links.keep("cnn_sb_stride"))
    pad = inputs.number(c[3], t("cnn.sandbox.padding"), 0, 8, 0, **links.keep("cnn_sb_padding"))
    st.latex(rf"\left\lfloor \frac{{{size} + 2\cdot{pad} - {kernel}}}{{{stride}}} \right\rfloor + 1")
    try:
        out = core_cnn.conv_output_size(size, kernel, stride, pad)
    except ValueError:
        out = 0
    if out < 1:  # the formula gives 0 or less (-1 for a 5-wide kernel on a 3-wide input): nothing fits
        st.metric(t("cnn.sandbox.out"), "—")
        st.warning(t("cnn.sandbox.too_small", kernel=kernel, padded=size + 2 * pad), icon=":material/block:")
        return
    st.metric(t("cnn.sandbox.out"), f"{out}")
    if out >= 2:
        st.markdown(t("cnn.sandbox.pool", n=out // 2))
