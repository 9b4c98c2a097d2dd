"""The Tensors page's panels: the "operate" section (one tab per kind of operation: indexing,
reshape/view, (un)squeeze, cat vs stack, * vs @, reductions, on the tensor made above, each with its result's
shape), broadcasting, autograd beside the hand calculation, and the activation functions."""

from __future__ import annotations

import streamlit as st
import torch

from core import tensor_lab as lab
from ui import charts, inputs
from ui.figures import tensors as figures
from ui.i18n import labels, relabelled, t
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


# -- broadcasting --------------------------------------------------------------------------------------


def broadcast_panel(a_text: str, b_text: str) -> None:
    try:
        sa, sb = lab.parse_shape(a_text, allow_empty=True), lab.parse_shape(b_text, allow_empty=True)
    except lab.ParseError as e:
        lesson.show_parse_error(e)
        return
    info = lab.broadcast(sa, sb)
    st.markdown(t("tensors.bc_aligned", a=list(sa), b=list(sb), pa=list(info["a"]), pb=list(info["b"])))
    st.dataframe(figures.broadcast_rows(info), hide_index=True, key="tensors_bc_table")
    if info["result"] is None:
        st.error(t("tensors.bc_fail", dim=info["clash"] - len(info["dims"])), icon=":material/warning:")
        st.code(f"RuntimeError: {info['torch']}", language="text", wrap_lines=True)
        return
    st.success(t("tensors.bc_ok", shape=list(info["result"])))
    try:
        out = lab.broadcast_example(sa, sb)
    except lab.ParseError as e:  # the rule above still holds: only the values are too many to print
        st.caption(t(f"tensors.perr.{e.code}", **e.params))
        return
    if isinstance(out, lab.OpError):
        lesson.show_error(out)
    elif len(info["result"]) <= 2:
        a, b, ea, eb, s = out
        cols = st.columns(3)
        for col, (name, v) in zip(cols, (("a →", ea), ("b →", eb), ("a + b", s))):
            col.markdown(f"**{name}** {list(v.shape)}")
            col.code(str(v.numpy()), language="text")
    else:
        st.caption(t("tensors.bc_big"))


# -- autograd --------------------------------------------------------------------------------------------


def autograd_panel(demo: dict, nograd: dict, left, right) -> None:
    """The numbers (autograd beside the hand calculation) in `left`, the graph they came from in `right`."""
    with left:
        _autograd_numbers(demo)
    with right:
        st.graphviz_chart(demo["dot"], width="stretch")
        st.caption(t("tensors.graph_caption"))
    with st.expander(t("tensors.nograd_title")):
        st.markdown(
            t(
                "tensors.nograd",
                req=nograd["y_requires_grad"],
                fn=nograd["y_grad_fn"],
                nreq=nograd["no_grad_requires_grad"],
                dreq=nograd["detach_requires_grad"],
            )
        )


def _autograd_numbers(demo: dict) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("y", f"{demo['y']:.3f}")
    with c2.container(key="tensors_wgrad"):
        st.metric("w.grad", f"{demo['w_grad']:.3f}", help=t("tensors.hand_w", v=demo["hand_w"]))
    c3.metric("b.grad", f"{demo['b_grad']:.3f}")
    st.markdown(
        t(
            "tensors.hand",
            hw=demo["hand_w"],
            hb=demo["hand_b"],
            calls=demo["calls"],
            w=demo["w_grad"],
            b=demo["b_grad"],
        )
    )
    if demo["calls"] > 1:
        st.warning(t("tensors.accumulated", calls=demo["calls"]), icon=":material/add_circle:")


# -- activations ------------------------------------------------------------------------------------------


def activation_panel(curves: dict) -> None:
    st.session_state.setdefault("tensors_acts", ["sigmoid", "tanh", "relu"])
    names = st.multiselect(
        t("tensors.act_pick"),
        list(curves),
        key=relabelled("tensors_acts"),
        format_func=labels("tensors.act."),
    )
    c1, c2 = st.columns(2)
    for col, field, title, key in ((c1, "y", "f(z)", "tensors_act_f"), (c2, "dy", "f'(z)", "tensors_act_df")):
        charts.plot(col, figures.activation_figure(curves, names, field, title), key=key, width="stretch")
    with st.expander(t("tensors.vanishing_title"), icon=":material/lightbulb:"):
        st.markdown(t("tensors.vanishing"))
