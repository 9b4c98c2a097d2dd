"""The Tensors page's "operate" section: one tab per kind of operation (indexing, reshape/view,
(un)squeeze, cat vs stack, * vs @, reductions) on the tensor made above, each with its result's shape."""

from __future__ import annotations

import streamlit as st
import torch

from core import tensor_lab as lab
from ui import inputs
from ui.i18n import relabelled, t
from ui.lessons import tensors as lesson


def _result(out, label: str, key: str, note: str = "") -> None:
    if out is not None:
        st.markdown(f"`{label}` {note}→ shape **{list(out.shape)}**")
        lesson.show_tensor(out, "result", key)


def _follow_example(key: str, example: str) -> None:
    """Put the example that fits x and the method in the text box `key`, until the student types their own.

    The box is given no default argument: its value lives in the session only (a widget with both makes
    Streamlit warn). The last example shown is kept beside it, so a box still holding it gets the next one.
    """
    ss = st.session_state
    shown = f"{key}_example"
    if key not in ss or ss[key] == ss.get(shown):
        ss[key] = example
    ss[shown] = example


def _typed(text: str, x: torch.Tensor) -> torch.Tensor | None:
    """The tensor of the typed list `text`, of x's dtype (None after showing why not)."""
    return lesson.guarded(lambda: lab.create("tensor", values=text, dtype=str(x.dtype)[6:]))


def _product_operand(x: torch.Tensor, text: str, how: str) -> tuple[torch.Tensor | None, str]:
    """y for `x * y` / `x @ y` and how the result line names it: the typed list, else x (or its transpose)."""
    if text.strip():
        return _typed(text, x), "y"
    if how == "matmul" and x.dim() >= 2:
        return x.mT, "x.mT"
    return x, "x"


def operations(x: torch.Tensor, made: bool = True) -> None:
    """Indexing, reshape/view, (un)squeeze, cat vs stack, * vs @, reductions — each with its shape.
    `made` is False when x is the stand-in for a tensor that could not be made: the words say so."""
    st.caption(t("tensors.operate_on" if made else "tensors.operate_on_fallback", shape=list(x.shape)))
    tabs = st.tabs(
        [
            t("tensors.op.index"),
            "reshape / view",
            "unsqueeze / squeeze",
            "cat / stack",
            "* / @",
            "sum / mean / max",
        ]
    )
    with tabs[0]:
        _follow_example("tensors_index", lab.example_index(x.dim()))
        text = st.text_input(t("tensors.index_expr"), key="tensors_index")
        _result(lesson.guarded(lambda: lab.index(x, text)), f"x[{text}]", "tensors_index_out")
    with tabs[1]:
        c1, c2 = st.columns(2)
        shape = c1.text_input(t("tensors.new_shape"), "-1", key="tensors_reshape")
        method = c2.radio(
            t("tensors.method"), ("reshape", "view"), key="tensors_reshape_method", horizontal=True
        )
        st.caption(t("tensors.reshape_help"))
        _result(
            lesson.guarded(lambda: lab.reshape(x, shape, method)),
            f"x.{method}({shape})",
            "tensors_reshape_out",
        )
    with tabs[2]:
        c1, c2 = st.columns(2)
        dim = inputs.number(c1, "dim", -4, 4, 0, key="tensors_unsq_dim")
        how = c2.radio(t("tensors.method"), ("unsqueeze", "squeeze"), key="tensors_unsq_how", horizontal=True)
        op = lab.unsqueeze if how == "unsqueeze" else lab.squeeze
        _result(lesson.guarded(lambda: op(x, int(dim))), f"x.{how}({int(dim)})", "tensors_unsq_out")
    with tabs[3]:
        c1, c2, c3 = st.columns(3)
        how = c1.radio(t("tensors.method"), ("cat", "stack"), key="tensors_join_how", horizontal=True)
        dim = inputs.number(c2, "dim", -3, 3, 0, key="tensors_join_dim")
        other = c3.text_input(
            t("tensors.other"), "", key="tensors_join_other", placeholder=t("tensors.other_ph")
        )
        y = _typed(other, x) if other.strip() else x
        st.caption(t("tensors.join_help"))
        if y is not None:
            _result(
                lesson.guarded(lambda: lab.join(x, y, how, int(dim))),
                f"torch.{how}([x, y], dim={int(dim)})",
                "tensors_join_out",
            )
    with tabs[4]:
        c1, c2 = st.columns(2)
        how = c1.radio(
            t("tensors.method"),
            ("mul", "matmul"),
            key="tensors_mul_how",
            horizontal=True,
            format_func=lambda h: "x * y" if h == "mul" else "x @ y",
        )
        _follow_example("tensors_mul_other", lab.example_other(tuple(x.shape), how))
        other = c2.text_input(t(f"tensors.other_{how}"), key="tensors_mul_other")
        y, y_name = _product_operand(x, other, how)
        st.caption(t("tensors.mul_help"))
        if y is not None:
            _result(
                lesson.guarded(lambda: lab.multiply(x, y, how)),
                f"x {'*' if how == 'mul' else '@'} {y_name}",
                "tensors_mul_out",
                note=f"· x {list(x.shape)} · {y_name} {list(y.shape)} ",
            )
    with tabs[5]:
        c1, c2, c3 = st.columns(3)
        op = c1.radio(t("tensors.method"), ("sum", "mean", "max"), key="tensors_red_op", horizontal=True)
        dims = ["all"] + list(range(x.dim()))
        dim = c2.selectbox(
            "dim",
            dims,
            key=relabelled("tensors_red_dim"),
            format_func=lesson.dim_label(),
        )
        keep = c3.checkbox("keepdim", key="tensors_red_keep")
        d = None if dim == "all" or dim not in dims else int(dim)
        label = f"x.{op}()" if d is None else f"x.{op}(dim={d}{', keepdim=True' if keep else ''})"
        _result(
            lesson.guarded(lambda: lab.reduce(x, op, d, keep)),
            label + (".values" if op == "max" and d is not None else ""),
            "tensors_red_out",
        )
