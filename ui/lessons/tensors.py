"""The Tensors lesson (course part 1): typed input in, PyTorch's result (or its own message, explained) out:
creating and showing a tensor, the first training loop, timing. Its figures are in ui.figures.tensors; the
"operate" tabs, broadcasting, autograd and activations in ui.panels.tensors."""

from __future__ import annotations

import time

import streamlit as st
import torch

from core import tensor_lab as lab
from ui import charts, resources
from ui.figures import tensors as figures
from ui.i18n import current_lang, t

# the first training loop's epochs slider: its top
SIZES = resources.sizes(full={"loop_epochs_max": 300}, tiny={"loop_epochs_max": 30})
# what a table of values shows at most: a (1, 10000) reshape drawn whole is 10,000 columns the browser
# lays out on every rerun; the caption under the table says it was cut
SHOWN_ROWS, SHOWN_COLS = 50, 20

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
    st.warning(t(f"tensors.perr.{e.code}", **e.params), icon=":material/edit:")


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


def shown_part(v: torch.Tensor) -> torch.Tensor:
    """The corner of a 1-D or 2-D `v` a table draws: at most SHOWN_ROWS x SHOWN_COLS values."""
    return v[:SHOWN_COLS] if v.dim() == 1 else v[:SHOWN_ROWS, :SHOWN_COLS]


def _table(v: torch.Tensor, key: str) -> None:
    """A 1-D (one row) or 2-D tensor as a table, cut to `shown_part` with a caption that says so."""
    part = shown_part(v)
    if v.dim() == 1:
        st.dataframe([dict(enumerate(part.tolist()))], hide_index=True, key=f"{key}_row")
    else:
        st.dataframe(part.numpy(), key=f"{key}_table")
    if part.shape != v.shape:
        st.caption(t("tensors.cut", shown=list(part.shape), shape=list(v.shape)))


def show_tensor(x: torch.Tensor, name: str, key: str) -> None:
    """Shape, dtype and device, then the values: a number, a row, a table (2-D) or one slice (3-D+),
    each table cut to SHOWN_ROWS x SHOWN_COLS values."""
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
    elif v.dim() <= 2:
        _table(v, key)
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
        _table(v[tuple(picks)], f"{key}_slice")


def dim_label():
    """`format_func` of a reduction's dim ("all" or a number), in the language of the run that drew it."""
    lang = current_lang()
    return lambda d: t("tensors.all_dims", lang=lang) if d == "all" else str(d)


# -- first training loop ----------------------------------------------------------------------------------


def fit_line_live(lr: float, epochs: int, noise: float) -> None:
    """Fit y = 2x + 1 with SGD, redrawing the line and the loss a few times a second."""
    x, y = lab.line_data(noise=noise, seed=0)
    c1, c2 = st.columns(2)
    line_slot, loss_slot = c1.empty(), c2.empty()
    metric_slot = st.empty()
    points = x.squeeze(1).tolist(), y.squeeze(1).tolist()
    losses: list[float] = []
    last_draw, rec = 0.0, None
    for rec in lab.fit_line(x, y, lr, epochs):
        losses.append(rec["loss"])
        now = time.perf_counter()
        done = rec["kind"] == "diverged" or rec["epoch"] == epochs
        if now - last_draw > 0.15 or done:
            charts.plot(
                line_slot,
                figures.line_figure(*points, rec),
                key=f"tensors_line_{len(losses)}",
                width="stretch",
            )
            charts.plot(
                loss_slot, figures.loss_figure(losses), key=f"tensors_loss_{len(losses)}", width="stretch"
            )
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
