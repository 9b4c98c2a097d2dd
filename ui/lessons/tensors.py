"""The Tensors lesson (course part 1) — panels of its page: typed input in, PyTorch's result (or its own message, explained) out."""

from __future__ import annotations

import time

import plotly.graph_objects as go
import streamlit as st
import torch

from core import tensor_lab as lab
from ui import inputs
from ui.charts import COLORS, FONT, base_figure
from ui.i18n import relabelled, t

LOOP_CODE = """import torch

x = torch.rand(30, 1) * 2 - 1             # 30 points in [-1, 1]
y = 2 * x + 1 + 0.3 * torch.randn(30, 1)  # near y = 2x + 1
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([w, b], lr=0.1)
for epoch in range(100):
    optimizer.zero_grad()                 # clear old gradients
    loss = ((w * x + b - y) ** 2).mean()  # MSE
    loss.backward()                       # d loss/dw, d loss/db
    optimizer.step()                      # w, b -= lr * grad
print(w.item(), b.item())                 # close to 2 and 1"""

SUMMARY_CODE = """import torch

x = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.float32)
z = torch.zeros(2, 3); r = torch.rand(2, 3); a = torch.arange(6)
print(x.shape, x.dtype, x.device)  # torch.Size([2, 3]) torch.float32 cpu
x[0, 1:]                           # indexing and slicing
x.reshape(3, -1); x.view(-1)       # -1: "work this size out"
x.unsqueeze(0).shape               # torch.Size([1, 2, 3])
torch.cat([x, x], dim=0).shape     # [4, 3]: an existing dim grows
torch.stack([x, x], dim=0).shape   # [2, 2, 3]: a new dim
x * x; x @ x.T                     # element-wise vs matrix product
x.sum(dim=0); x.mean(dim=1); x.max(dim=1).values
x + torch.tensor([10, 20, 30])     # broadcasting: (2, 3) + (3,)

w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
y = w ** 2 * 3.0 + b
y.backward()
print(w.grad, b.grad)              # tensor(12.) = 2*w*x, tensor(1.)
with torch.no_grad():
    y2 = w * 3.0                   # not recorded: no requires_grad

device = "cuda" if torch.cuda.is_available() else "cpu"
x = x.to(device)"""


# -- errors ------------------------------------------------------------------------------------------------


def show_error(err: lab.OpError) -> None:
    """What the rule of the chosen operation is, in plain words; then PyTorch's own message, wrapped."""
    shapes = {name: list(s) for name, s in zip(("x", "y"), err.shapes)}
    st.error(t(f"tensors.err.{err.explanation}", **shapes), icon=":material/warning:")
    st.code(f"RuntimeError: {err.message}", language="text", wrap_lines=True)


def show_parse_error(e: lab.ParseError) -> None:
    st.warning(t(f"tensors.perr.{e.code}"), icon=":material/edit:")


def guarded(fn):
    """fn() → a tensor, or None after showing a translated message (bad text or PyTorch refused)."""
    try:
        out = fn()
    except lab.ParseError as e:
        show_parse_error(e)
        return None
    if isinstance(out, lab.OpError):
        show_error(out)
        return None
    return out


# -- create -------------------------------------------------------------------------------------------------


def created(args: dict) -> torch.Tensor | None:
    def make():
        kw = {k: v for k, v in args.items() if k != "shape_text"}
        if "shape_text" in args:
            kw["shape"] = lab.parse_shape(args["shape_text"])
            if args["kind"] == "eye" and len(kw["shape"]) not in (1, 2):
                raise lab.ParseError("eye_shape")
        return lab.create(**kw)

    return guarded(make)


def creation_code(args: dict) -> str:
    kind, dtype = args["kind"], f"dtype=torch.{args['dtype']}"
    if kind == "tensor":
        return f"x = torch.tensor({args['values']}, {dtype})"
    if kind == "arange":
        return f"x = torch.arange({args['start']}, {args['end']}, {args['step']}, {dtype})"
    if kind == "linspace":
        return f"x = torch.linspace({args['start']}, {args['end']}, {args['steps']}, {dtype})"
    shape = args.get("shape_text", "").strip().strip("()[]")
    if kind.endswith("_like"):
        return f"base = torch.zeros({shape})\nx = torch.{kind}(base, {dtype})"
    if kind == "full":
        return f"x = torch.full(({shape},), {args['fill']}, {dtype})"
    if kind in ("rand", "randn"):
        return f"g = torch.Generator().manual_seed(0)\nx = torch.{kind}({shape}, generator=g, {dtype})"
    return f"x = torch.{kind}({shape}, {dtype})"


def show_tensor(x: torch.Tensor, name: str, key: str) -> None:
    """Shape, dtype and device, then the values: a number, a row, a table (2-D) or one slice (3-D+)."""
    d = lab.describe(x)
    st.markdown(
        t(
            "tensors.info",
            name=name,
            shape=list(d["shape"]),
            ndim=d["ndim"],
            dtype=d["dtype"],
            device=d["device"],
            numel=d["numel"],
        )
    )
    v = x.detach().cpu()
    if v.dtype == torch.bool:
        v = v.int()
    if v.dim() == 0:
        st.code(f"{name} = {v.item()}", language="text")
    elif v.dim() == 1:
        st.dataframe([dict(enumerate(v.tolist()))], hide_index=True, key=f"{key}_row")
    elif v.dim() == 2:
        st.dataframe(v.numpy(), key=f"{key}_table")
    else:
        lead = v.shape[:-2]
        picks = []
        cols = st.columns(min(4, len(lead)))
        for i, n in enumerate(lead[:4]):
            picks.append(
                cols[i].slider(t("tensors.slice_dim", dim=i), 0, max(0, n - 1), 0, key=f"{key}_s{i}")
                if n > 1
                else 0
            )
        picks += [0] * (len(lead) - len(picks))
        idx = ", ".join(str(p) for p in picks)
        st.caption(t("tensors.slice", name=name, idx=idx))
        st.dataframe(v[tuple(picks)].numpy(), key=f"{key}_slice")


# -- operate --------------------------------------------------------------------------------------------


def _result(out, label: str, key: str, note: str = "") -> None:
    if out is not None:
        st.markdown(f"`{label}` {note}→ shape **{list(out.shape)}**")
        show_tensor(out, "result", key)


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


def _product_operand(x: torch.Tensor, text: str, how: str) -> tuple[torch.Tensor | None, str]:
    """y for `x * y` / `x @ y` and how the result line names it: the typed list, else x (or its transpose)."""
    if text.strip():
        return guarded(lambda: lab.create("tensor", values=text, dtype=str(x.dtype)[6:])), "y"
    if how == "matmul" and x.dim() >= 2:
        return x.mT, "x.mT"
    return x, "x"


def operations(x: torch.Tensor, lang: str) -> None:
    """Indexing, reshape/view, (un)squeeze, cat vs stack, * vs @, reductions — each with its shape."""
    st.caption(t("tensors.operate_on", shape=list(x.shape)))
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
        _result(guarded(lambda: lab.index(x, text)), f"x[{text}]", "tensors_index_out")
    with tabs[1]:
        c1, c2 = st.columns(2)
        shape = c1.text_input(t("tensors.new_shape"), "-1", key="tensors_reshape")
        method = c2.radio(
            t("tensors.method"), ("reshape", "view"), key="tensors_reshape_method", horizontal=True
        )
        st.caption(t("tensors.reshape_help"))
        _result(guarded(lambda: lab.reshape(x, shape, method)), f"x.{method}({shape})", "tensors_reshape_out")
    with tabs[2]:
        c1, c2 = st.columns(2)
        dim = inputs.number(c1, "dim", -4, 4, 0, key="tensors_unsq_dim")
        how = c2.radio(t("tensors.method"), ("unsqueeze", "squeeze"), key="tensors_unsq_how", horizontal=True)
        fn = (
            (lambda: lab.unsqueeze(x, int(dim))) if how == "unsqueeze" else (lambda: lab.squeeze(x, int(dim)))
        )
        _result(guarded(fn), f"x.{how}({int(dim)})", "tensors_unsq_out")
    with tabs[3]:
        c1, c2, c3 = st.columns(3)
        how = c1.radio(t("tensors.method"), ("cat", "stack"), key="tensors_join_how", horizontal=True)
        dim = inputs.number(c2, "dim", -3, 3, 0, key="tensors_join_dim")
        other = c3.text_input(
            t("tensors.other"), "", key="tensors_join_other", placeholder=t("tensors.other_ph")
        )
        y = (
            x
            if not other.strip()
            else guarded(lambda: lab.create("tensor", values=other, dtype=str(x.dtype)[6:]))
        )
        st.caption(t("tensors.join_help"))
        if y is not None:
            _result(
                guarded(lambda: lab.join(x, y, how, int(dim))),
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
                guarded(lambda: lab.multiply(x, y, how)),
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
            format_func=lambda d: t("tensors.all_dims", lang=lang) if d == "all" else str(d),
        )
        keep = c3.checkbox("keepdim", key="tensors_red_keep")
        d = None if dim == "all" or dim not in dims else int(dim)
        label = f"x.{op}()" if d is None else f"x.{op}(dim={d}{', keepdim=True' if keep else ''})"
        _result(
            guarded(lambda: lab.reduce(x, op, d, keep)),
            label + (".values" if op == "max" and d is not None else ""),
            "tensors_red_out",
        )


# -- broadcasting --------------------------------------------------------------------------------------


def broadcast_panel(a_text: str, b_text: str) -> None:
    try:
        sa, sb = lab.parse_shape(a_text, allow_empty=True), lab.parse_shape(b_text, allow_empty=True)
    except lab.ParseError as e:
        show_parse_error(e)
        return
    info = lab.broadcast(sa, sb)
    rows = []
    for i, d in enumerate(info["dims"]):
        rows.append(
            {
                "dim": i - len(info["dims"]),
                "a": d["a"],
                "b": d["b"],
                t("tensors.bc_out"): "—" if d["out"] is None else d["out"],
                t("tensors.bc_rule"): t(f"tensors.bc.{d['rule']}"),
            }
        )
    st.markdown(t("tensors.bc_aligned", a=list(sa), b=list(sb), pa=list(info["a"]), pb=list(info["b"])))
    st.dataframe(rows, hide_index=True, key="tensors_bc_table")
    if info["result"] is None:
        st.error(t("tensors.bc_fail", dim=info["clash"] - len(info["dims"])), icon=":material/warning:")
        st.code(f"RuntimeError: {info['torch']}", language="text", wrap_lines=True)
        return
    st.success(t("tensors.bc_ok", shape=list(info["result"])))
    out = guarded(lambda: lab.broadcast_example(sa, sb))
    if out is not None and len(info["result"]) <= 2:
        a, b, ea, eb, s = out
        cols = st.columns(3)
        for col, (name, v) in zip(cols, (("a →", ea), ("b →", eb), ("a + b", s))):
            col.markdown(f"**{name}** {list(v.shape)}")
            col.code(str(v.numpy()), language="text")
    elif out is not None:
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


def activation_panel(curves: dict, lang: str) -> None:
    st.session_state.setdefault("tensors_acts", ["sigmoid", "tanh", "relu"])
    names = st.multiselect(
        t("tensors.act_pick"),
        list(curves),
        key=relabelled("tensors_acts"),
        format_func=lambda n: t(f"tensors.act.{n}", lang=lang),
    )
    c1, c2 = st.columns(2)
    for col, field, title, key in ((c1, "y", "f(z)", "tensors_act_f"), (c2, "dy", "f'(z)", "tensors_act_df")):
        fig = base_figure("z", title, height=320)
        for n in names:
            c = curves[n]
            fig.add_scatter(
                x=c["z"],
                y=c[field],
                name=t(f"tensors.act.{n}"),
                mode="lines",
                line={"width": 3, "color": COLORS[list(curves).index(n) % len(COLORS)]},
            )
        fig.update_layout(hovermode="x")
        col.plotly_chart(fig, key=key, width="stretch")
    with st.expander(t("tensors.vanishing_title"), icon=":material/lightbulb:"):
        st.markdown(t("tensors.vanishing"))


# -- first training loop ----------------------------------------------------------------------------------


def fit_line_live(lr: float, epochs: int, noise: float) -> None:
    """Fit y = 2x + 1 with SGD, redrawing the line and the loss a few times a second."""
    x, y = lab.line_data(noise=noise, seed=0)
    c1, c2 = st.columns(2)
    line_slot, loss_slot = c1.empty(), c2.empty()
    metric_slot = st.empty()
    losses: list[float] = []
    last_draw, rec = 0.0, None
    xs = [-1.0, 1.0]
    for rec in lab.fit_line(x, y, lr, epochs):
        losses.append(rec["loss"])
        now = time.perf_counter()
        done = rec["kind"] == "diverged" or rec["epoch"] == epochs
        if now - last_draw > 0.15 or done:
            fig = go.Figure()
            fig.add_scatter(
                x=x.squeeze(1).tolist(), y=y.squeeze(1).tolist(), mode="markers", name=t("tensors.points")
            )
            fig.add_scatter(
                x=xs,
                y=[2 * v + 1 for v in xs],
                mode="lines",
                name="y = 2x + 1",
                line={"dash": "dot", "color": "gray"},
            )
            if rec["kind"] == "epoch":
                fig.add_scatter(
                    x=xs,
                    y=[rec["w"] * v + rec["b"] for v in xs],
                    mode="lines",
                    name=t("tensors.learned"),
                    line={"width": 4, "color": COLORS[1]},
                )
            fig.update_layout(
                height=320,
                margin={"l": 10, "r": 10, "t": 30, "b": 10},
                font=FONT,
                yaxis_range=[-2.5, 4.5],
                legend={"orientation": "h", "y": 1.15},
            )
            line_slot.plotly_chart(fig, key=f"tensors_line_{len(losses)}", width="stretch")
            lf = base_figure(t("chart.epoch"), t("chart.loss"), height=320, log_y=True)
            lf.add_scatter(
                x=list(range(1, len(losses) + 1)), y=[v if v < 1e30 else None for v in losses], mode="lines"
            )
            loss_slot.plotly_chart(lf, key=f"tensors_loss_{len(losses)}", width="stretch")
            last_draw = now
            time.sleep(0.05)  # let the browser draw: the loop itself takes milliseconds
    if rec is None:
        return
    if rec["kind"] == "diverged":
        metric_slot.error(t("tensors.diverged", epoch=rec["epoch"], lr=lr), icon=":material/error:")
    else:
        metric_slot.success(t("tensors.learned_wb", w=rec["w"], b=rec["b"], loss=rec["loss"]))


def timing_panel(n: int, device: str) -> None:
    cpu = lab.time_matmul(n, "cpu")
    c1, c2 = st.columns(2)
    c1.metric(t("tensors.cpu_time"), f"{cpu * 1000:.2f} ms")
    if device == "cpu":
        c2.info(t("tensors.no_gpu"))
        return
    gpu = lab.time_matmul(n, device)
    c2.metric(
        t("tensors.gpu_time", device=device), f"{gpu * 1000:.2f} ms", delta=f"×{cpu / max(gpu, 1e-9):.1f}"
    )
    st.code(f"x = torch.rand({n}, {n}).to('{device}')\nprint(x.device)  # {device}", language="python")
