"""Tensors page (course 000, 1.3; primer 001, ch. 2–5): create, operate, broadcast, autograd, activations."""

import streamlit as st

from core import tensor_lab as lab
from ui import inputs, links, resources
from ui.i18n import t
from ui.lessons import tensors as lesson
from ui.pages import begin
from ui.panels import tensors as panels

begin("tensors")

ss = st.session_state

st.title(t("tensors.title"))
st.markdown(t("tensors.lead"))

# -- create: the first screen is the thing to do, the tensor it makes, and its shape ----------------------
st.subheader(t("tensors.create"))
c1, c2, c3 = st.columns([2, 2, 1])
kind = c1.selectbox(
    t("tensors.creator"), lab.CREATORS, **links.keep("tensors_kind"), format_func=lambda k: f"torch.{k}"
)
dtype = c3.selectbox("dtype", tuple(lab.DTYPES), **links.keep("tensors_dtype"))
args: dict = {"kind": kind, "dtype": dtype}
if kind == "tensor":
    args["values"] = c2.text_input(
        t("tensors.values"),
        "[[1, 2, 3], [4, 5, 6]]",
        **links.keep("tensors_values"),
        help=t("tensors.values_help"),
    )
elif kind in ("arange", "linspace"):
    a, b, c = c2.columns(3)
    args["start"] = a.number_input("start", value=0.0, **links.keep("tensors_start"))
    args["end"] = b.number_input("end", value=5.0, **links.keep("tensors_end"))
    if kind == "arange":
        args["step"] = c.number_input("step", value=1.0, **links.keep("tensors_step"))
    else:
        args["steps"] = inputs.number(c, "steps", 1, 1000, 5, **links.keep("tensors_steps"))
else:
    args["shape_text"] = c2.text_input(t("tensors.shape"), "2, 3", **links.keep("tensors_shape"))
    if kind == "full":
        args["fill"] = c3.number_input("fill_value", value=7.0, key="tensors_fill")
x = lesson.created(args)
st.code(lesson.creation_code(args), language="python")
if x is not None:
    lesson.show_tensor(x, "x", key="tensors_x")
with st.expander(t("tensors.about")):
    st.markdown(t("tensors.intro"))

# -- operate ------------------------------------------------------------------------------------------------
st.subheader(t("tensors.operate"))
base = x if x is not None else lab.create("arange", start=0, end=6).reshape(2, 3)
if x is None:
    st.caption(t("tensors.fallback"))
panels.operations(base, made=x is not None)

# -- broadcasting ------------------------------------------------------------------------------------------
st.subheader(t("tensors.broadcast"))
c1, c2, c3 = st.columns([1, 1, 3])
shape_a = c1.text_input(t("tensors.shape_a"), "3, 1", **links.keep("tensors_bc_a"))
shape_b = c2.text_input(t("tensors.shape_b"), "4", **links.keep("tensors_bc_b"))
c3.markdown(t("tensors.broadcast_rule"))
panels.broadcast_panel(shape_a, shape_b)

# -- autograd ------------------------------------------------------------------------------------------------
st.subheader(t("tensors.autograd"))
st.markdown(t("tensors.autograd_intro"))
st.latex(r"y = w^2 x + b \qquad \frac{\partial y}{\partial w} = 2wx \qquad \frac{\partial y}{\partial b} = 1")
left, right = st.columns([1, 1])  # the numbers beside the graph they come from
c1, c2, c3 = left.columns(3)
w = c1.slider("w", -3.0, 3.0, 2.0, 0.5, **links.keep("tensors_w"))
xv = c2.slider("x", -3.0, 3.0, 3.0, 0.5, **links.keep("tensors_xv"))
b = c3.slider("b", -3.0, 3.0, 1.0, 0.5, **links.keep("tensors_b"))
ss.setdefault("tensors_calls", 1)
c1, c2 = left.columns(2)
c1.button(
    t("tensors.backward_again"),
    key="tensors_backward",
    width="stretch",
    on_click=lambda: ss.update(tensors_calls=ss.tensors_calls + 1),
)
c2.button(
    t("tensors.zero_grad"),
    key="tensors_zero_grad",
    width="stretch",
    on_click=lambda: ss.update(tensors_calls=1),
)
panels.autograd_panel(lab.autograd_demo(w, xv, b, ss.tensors_calls), lab.no_grad_demo(w, xv), left, right)

# -- activations ----------------------------------------------------------------------------------------------
st.subheader(t("tensors.activations"))
st.markdown(t("tensors.activations_intro"))
panels.activation_panel(lab.activation_curves())

# -- a first training loop -----------------------------------------------------------------------------------
st.subheader(t("tensors.loop"))
st.markdown(t("tensors.loop_intro"))
c1, c2, c3, c4 = st.columns([3, 3, 3, 2], vertical_alignment="bottom")  # the button beside its settings
lr = c1.select_slider(
    t("tensors.lr"), (0.001, 0.01, 0.05, 0.1, 0.3, 0.5, 0.9, 1.2, 2.0), 0.1, **links.keep("tensors_lr")
)
epochs = c2.slider(
    t("tensors.epochs"), 10, lesson.SIZES.loop_epochs_max, 100, 10, **links.keep("tensors_epochs")
)
noise = c3.slider(t("tensors.noise"), 0.0, 1.0, 0.3, 0.1, **links.keep("tensors_noise"))
if c4.button(t("tensors.fit"), key="tensors_fit", type="primary", width="stretch"):
    lesson.fit_line_live(float(lr), int(epochs), float(noise))
with st.expander(t("tensors.loop_code"), icon=":material/code:"):
    st.code(lesson.LOOP_CODE, language="python", wrap_lines=True)

# -- device -----------------------------------------------------------------------------------------------------
st.subheader(t("tensors.device"))
dev = resources.device().name
st.markdown(t("tensors.device_intro", device=dev))
c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
n = c1.select_slider(t("tensors.matmul_n"), (64, 256, 512, 1024), 256, **links.keep("tensors_matmul_n"))
if c2.button(t("tensors.time"), key="tensors_time", width="stretch"):
    lesson.timing_panel(int(n), dev)

if st.toggle(t("common.show_code"), key="tensors_show_code"):
    st.code(lesson.SUMMARY_CODE, language="python", wrap_lines=True)
