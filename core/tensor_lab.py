"""Tensor playground of Part 1 (000, 1.3; primer 001, chapters 2–5): create, operate, broadcast, autograd.

Everything a user types arrives here as text and is parsed without running it: numbers and nested lists
through `ast.literal_eval` on a checked syntax tree, shapes and index expressions by a small hand parser.
An operation PyTorch refuses returns PyTorch's own message plus a code the page explains (`OpError`).

One server serves the whole class, so every tensor made here is bounded BEFORE it is allocated: a creator's
result shape is worked out by hand (`creation_shape`: `torch.eye(400)` is 400 x 400), an operation's on
PyTorch's "meta" device, which computes shapes without memory (`result_shape`).
"""

from __future__ import annotations

import ast
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from core import records

MAX_ELEMENTS = 10_000  # tensors a user creates stay small: the page prints their values
MAX_TEXT = 2_000  # characters of a typed list
MAX_DIGITS = 15  # digits of a typed size or index: more is no size a 10,000-element tensor has
MAX_INT = 2**63  # PyTorch's int64: a larger typed integer cannot be an element
BROADCAST_MAX = 200  # elements of each tensor (and of the sum) in the broadcasting example
DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
    "int32": torch.int32,
    "bool": torch.bool,
}
CREATORS = (
    "tensor",
    "zeros",
    "ones",
    "full",
    "rand",
    "randn",
    "arange",
    "linspace",
    "eye",
    "zeros_like",
    "ones_like",
    "rand_like",
)


class ParseError(ValueError):
    """Text that is not a number list / shape / index, or a tensor too large to make; `.code` names the
    translated explanation and `.params` fills it in (the shape asked for, its number of elements)."""

    def __init__(self, code: str, detail: str = "", **params):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.params = params


def too_big(shape: tuple[int, ...], n: int | None = None) -> ParseError:
    """The refusal of a tensor of `shape`: says the shape and how many elements (`n`) it would hold."""
    n = math.prod(shape) if n is None else n
    return ParseError("too_big", str(shape), shape=list(shape), n=n, limit=MAX_ELEMENTS)


def check_size(shape: tuple[int, ...]) -> tuple[int, ...]:
    """`shape` if a tensor of it stays within MAX_ELEMENTS, else ParseError("too_big")."""
    if math.prod(shape) > MAX_ELEMENTS:
        raise too_big(shape)
    return shape


def check_finite(**numbers: float) -> None:
    """1e999, inf or nan typed in a number box: refused with the box's name, before any tensor is made."""
    for name, v in numbers.items():
        if not math.isfinite(float(v)):
            raise ParseError("not_finite", name, name=name)


@dataclass(frozen=True)
class OpError:
    """An operation PyTorch refused: its own message, what went wrong, and what the student asked for."""

    message: str  # PyTorch's exception text, unchanged
    code: str  # what went wrong: reshape | matmul | size | dim | index | dtype | ragged | scalar | other
    op: str = ""  # the operation asked for (mul, matmul, cat, stack, reshape, ...); "" when unknown
    shapes: tuple[tuple[int, ...], ...] = ()  # the operands' shapes, for the explanation

    @property
    def explanation(self) -> str:
        """The key of the plain explanation the page shows (translated there)."""
        return explanation(self.op, self.code)


# -- parsing -----------------------------------------------------------------------------------------


def _check_literal(node: ast.AST, depth: int = 0) -> None:
    """Only numbers, True/False, unary minus and lists/tuples are allowed in a typed tensor."""
    if depth > 8:
        raise ParseError("too_deep")
    if isinstance(node, ast.Expression):
        return _check_literal(node.body, depth)
    if isinstance(node, (ast.List, ast.Tuple)):
        for elt in node.elts:
            _check_literal(elt, depth + 1)
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _check_literal(node.operand, depth)
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        if abs(node.value) >= MAX_INT:  # no dtype holds it: PyTorch would only say "Overflow"
            raise ParseError("number_range")
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        if not math.isfinite(node.value):  # 1e999 reads as inf
            raise ParseError("number_range")
        return None
    raise ParseError("not_number", ast.dump(node)[:60])


def parse_values(text: str) -> list | float | int | bool:
    """`[[1, 2], [3, 4]]` → nested Python list; never evaluates anything but number literals."""
    text = (text or "").strip()
    if not text:
        raise ParseError("empty")
    if len(text) > MAX_TEXT:
        raise ParseError("too_long")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise ParseError("syntax", str(e.msg)) from None
    _check_literal(tree)
    value = ast.literal_eval(tree)
    return _to_lists(value)


def _to_lists(v):
    return [_to_lists(e) for e in v] if isinstance(v, (list, tuple)) else v


_INT = re.compile(r"^[+-]?\d+$")


def _int(text: str) -> int:
    """A typed whole number; thousands of digits (slow for int(), refused past 4,300) never reach int()."""
    if len(text.strip().lstrip("+-")) > MAX_DIGITS:
        raise ParseError("number_range")
    return int(text)


def parse_shape(text: str, allow_minus_one: bool = False, allow_empty: bool = False) -> tuple[int, ...]:
    """ "2, 3", "(2, 3)", "2x3" or "[2,3]" → (2, 3). -1 only where `allow_minus_one` (reshape/view)."""
    if len(text or "") > MAX_TEXT:
        raise ParseError("too_long")
    s = (text or "").strip().strip("()[]").replace("x", ",").replace("×", ",")
    parts = [p.strip() for p in s.split(",") if p.strip()]
    if not parts:
        if allow_empty:
            return ()
        raise ParseError("empty")
    if not all(_INT.match(p) for p in parts):
        raise ParseError("shape_syntax", text)
    dims = tuple(_int(p) for p in parts)
    if len(dims) > 6:
        raise ParseError("too_many_dims")
    for d in dims:
        if d < 0 and not (allow_minus_one and d == -1):
            raise ParseError("negative_dim")
    if allow_minus_one and dims.count(-1) > 1:
        pass  # PyTorch's own message says "only one dimension can be inferred": let it speak
    known = math.prod(d for d in dims if d > 0)  # -1 and 0 add no elements
    if known > MAX_ELEMENTS:
        raise too_big(dims, known)
    return dims


def _index_item(part: str):
    part = part.strip()
    if part in ("...", "Ellipsis"):
        return Ellipsis
    if part == "None":
        return None
    if ":" in part:
        bits = part.split(":")
        if len(bits) > 3:
            raise ParseError("index_syntax", part)
        nums = []
        for b in bits:
            b = b.strip()
            if b and not _INT.match(b):
                raise ParseError("index_syntax", part)
            nums.append(_int(b) if b else None)
        return slice(*nums)
    if _INT.match(part):
        return _int(part)
    raise ParseError("index_syntax", part)


def parse_index(text: str) -> tuple:
    """ "0, 1:3", "[:, -1]", "..., 0", "::2" → a tuple usable as `t[index]` (ints, slices, None, ...)."""
    s = (text or "").strip()
    if len(s) > MAX_TEXT:
        raise ParseError("too_long")
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    if not s.strip():
        raise ParseError("empty")
    return tuple(_index_item(p) for p in s.split(","))


# -- creation and operations ---------------------------------------------------------------------------


def explain_code(message: str) -> str:
    """What went wrong, read from PyTorch's message (the codes are translated on the page)."""
    m = message.lower()
    if "zero-dimensional" in m or "at least 1d" in m or "0-dim tensor" in m:
        return "scalar"
    if (
        "invalid for input of size" in m
        or "only one dimension can be inferred" in m
        or "view size is not" in m
    ):
        return "reshape"
    if "mat1 and mat2" in m or "size mismatch" in m or "inconsistent tensor size" in m or "matmul" in m:
        return "matmul"
    if "must match the size" in m or "sizes of tensors must match" in m or "stack expects" in m:
        return "size"
    if "dimension out of range" in m or "dim" in m and "out of range" in m:
        return "dim"
    if "out of bounds" in m or "too many indices" in m or "index" in m:
        return "index"
    if "dtype" in m or "expected scalar type" in m or "not implemented for" in m:
        return "dtype"
    if "ragged" in m or "expected sequence of length" in m:
        return "ragged"
    return "other"


# Faults that lie in the operands, whatever the operation: their own explanation fits best.
OPERAND_FAULTS = ("dtype", "ragged", "scalar", "dim", "index")
# Otherwise a two-operand operation failed on its own rule: explain that rule, not the words of the
# message (PyTorch says "must match the size" for `*` as for `cat`, but the rules differ).
RULES = {"mul": "rule_mul", "matmul": "rule_matmul", "cat": "rule_cat", "stack": "rule_stack"}


def explanation(op: str, code: str) -> str:
    """The explanation for a failed `op` whose message read as `code`: the rule of the chosen operation."""
    if code in OPERAND_FAULTS or op not in RULES:
        return code
    return RULES[op]


def result_shape(
    fn: Callable[..., torch.Tensor], operands: tuple[torch.Tensor, ...]
) -> tuple[int, ...] | None:
    """The shape of `fn(*operands)`, worked out on the "meta" device: PyTorch's shape rules, no memory.

    None when the meta run refuses: the real run then fails too, with PyTorch's own message, before it
    allocates anything.
    """
    metas = tuple(torch.empty_like(t, device="meta") for t in operands)  # same shape, dtype and strides
    try:
        return tuple(fn(*metas).shape)
    except (RuntimeError, IndexError, ValueError, TypeError, NotImplementedError):
        return None


def attempt(
    fn: Callable[..., torch.Tensor], op: str = "", operands: tuple[torch.Tensor, ...] = ()
) -> torch.Tensor | OpError:
    """Run `fn(*operands)`; PyTorch's refusal comes back as an `OpError`, never a traceback.

    A result over MAX_ELEMENTS (an outer product `x @ y`, a broadcast `x * y`, a `cat`) is refused
    (ParseError "too_big") from its shape alone, before the real run allocates it.
    """
    if operands:
        shape = result_shape(fn, operands)
        if shape is not None:
            check_size(shape)
    try:
        return fn(*operands)
    except (RuntimeError, IndexError, ValueError, TypeError) as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return OpError(msg, explain_code(msg), op, tuple(tuple(t.shape) for t in operands))


def creation_shape(
    kind: str, shape: tuple[int, ...], start: float, end: float, step: float, steps: int
) -> tuple[int, ...]:
    """The shape `torch.<kind>(...)` would make, from its arguments alone: what the size check reads."""
    if kind == "eye":  # torch.eye(n) is n x n: checking n alone let torch.eye(5000) through
        return (shape[0], shape[0]) if len(shape) == 1 else tuple(shape[:2])
    if kind == "arange":
        n = math.ceil((end - start) / step) if step != 0 else 0  # step 0: PyTorch's own message
        return (max(n, 0),)
    if kind == "linspace":
        return (max(int(steps), 0),)
    return tuple(shape)


def create(
    kind: str,
    shape: tuple[int, ...] = (2, 3),
    dtype: str = "float32",
    values: str = "",
    start: float = 0.0,
    end: float = 5.0,
    step: float = 1.0,
    steps: int = 5,
    fill: float = 7.0,
    seed: int = 0,
    like: torch.Tensor | None = None,
) -> torch.Tensor | OpError:
    """The tensor `torch.<kind>(...)` would give; `values` is the typed list for `torch.tensor`."""
    if kind not in CREATORS:
        raise ValueError(f"unknown creator {kind!r}")
    dt = DTYPES[dtype]
    g = torch.Generator().manual_seed(seed)  # per-call generator: the global RNG is shared by sessions
    if kind == "tensor":
        data = parse_values(values)  # at most MAX_TEXT characters: a few hundred numbers at most
        return attempt(lambda: torch.tensor(data, dtype=dt))
    check_finite(start=start, end=end, step=step, fill_value=fill)
    if kind.endswith("_like") and like is not None:
        shape = tuple(like.shape)
    try:
        check_size(creation_shape(kind, shape, start, end, step, steps))
    except OverflowError:  # (end - start) / step beyond any float: far too many
        raise ParseError("too_big_count", limit=MAX_ELEMENTS) from None
    if kind == "arange":
        return attempt(lambda: torch.arange(start, end, step, dtype=dt))
    if kind == "linspace":
        return attempt(lambda: torch.linspace(start, end, int(steps), dtype=dt))
    if kind.endswith("_like"):
        base = like if like is not None else torch.zeros(shape)
        fn = {"zeros_like": torch.zeros_like, "ones_like": torch.ones_like}.get(kind)
        if fn is not None:
            return attempt(lambda: fn(base, dtype=dt))
        return attempt(lambda: torch.rand(base.shape, generator=g, dtype=dt))
    if kind == "eye":
        return attempt(lambda: torch.eye(*shape[:2], dtype=dt))
    if kind == "full":
        return attempt(lambda: torch.full(shape, fill, dtype=dt))
    if kind in ("rand", "randn"):
        fn = torch.rand if kind == "rand" else torch.randn
        return attempt(lambda: fn(shape, generator=g, dtype=dt))
    return attempt(lambda: (torch.zeros if kind == "zeros" else torch.ones)(shape, dtype=dt))


def describe(t: torch.Tensor) -> dict:
    """shape, ndim, dtype, device, numel: what the page prints beside every tensor."""
    return {
        "shape": tuple(t.shape),
        "ndim": t.dim(),
        "dtype": str(t.dtype).replace("torch.", ""),
        "device": str(t.device),
        "numel": t.numel(),
    }


def index(t: torch.Tensor, text: str) -> torch.Tensor | OpError:
    idx = parse_index(text)
    return attempt(lambda v: v[idx], "index", (t,))


def reshape(t: torch.Tensor, shape_text: str, method: str = "reshape") -> torch.Tensor | OpError:
    shape = parse_shape(shape_text, allow_minus_one=True)
    return attempt(lambda v: v.view(shape) if method == "view" else v.reshape(shape), method, (t,))


def unsqueeze(t: torch.Tensor, dim: int) -> torch.Tensor | OpError:
    return attempt(lambda v: v.unsqueeze(dim), "unsqueeze", (t,))


def squeeze(t: torch.Tensor, dim: int | None = None) -> torch.Tensor | OpError:
    return attempt(lambda v: v.squeeze() if dim is None else v.squeeze(dim), "squeeze", (t,))


def join(a: torch.Tensor, b: torch.Tensor, how: str, dim: int) -> torch.Tensor | OpError:
    """`torch.cat` (along an existing dim) or `torch.stack` (a new dim) of [a, b]."""
    fn = torch.cat if how == "cat" else torch.stack
    return attempt(lambda u, v: fn([u, v], dim=dim), how, (a, b))


def multiply(a: torch.Tensor, b: torch.Tensor, how: str) -> torch.Tensor | OpError:
    """Element-wise `a * b` (with broadcasting) or matrix product `a @ b`."""
    return attempt(lambda u, v: u * v if how == "mul" else u @ v, how, (a, b))


def example_index(ndim: int) -> str:
    """An index that an x of `ndim` dimensions accepts: row 0 from column 1 on, the tail of a vector, all."""
    return {0: "...", 1: "1:"}.get(ndim, "0, 1:")


def example_other(shape: tuple[int, ...], how: str, longest: int = 8) -> str:
    """A y (as text) that `x * y` or `x @ y` accepts for an x of `shape`: the example the page opens on.

    `*`: one row of x's last size, [10, 20, 30] for (2, 3), which broadcasts over the rows; `@`: a matrix
    with as many rows as x has columns, [[1, 0], [0, 1], [1, 1]] for (2, 3). A last size over `longest`
    gives "" (the page then uses x itself for `*`, its transpose for `@`); a 0-d x has no example for `@`.
    """
    n = shape[-1] if shape else 0
    if how == "mul":
        if not shape:
            return "10"
        return "[" + ", ".join(str(10 * (i + 1)) for i in range(n)) + "]" if n <= longest else ""
    if not shape or n > longest:
        return ""
    rows = ([1, 0], [0, 1], [1, 1])
    return "[" + ", ".join(str(rows[i % 3]) for i in range(n)) + "]"


def reduce(t: torch.Tensor, op: str, dim: int | None, keepdim: bool = False) -> torch.Tensor | OpError:
    """sum / mean / max along `dim` (None: over everything). max along a dim returns its values."""

    def run(t: torch.Tensor) -> torch.Tensor:
        x = t.float() if op == "mean" and not t.is_floating_point() else t
        if dim is None:
            return getattr(x, op)()
        out = getattr(x, op)(dim=dim, keepdim=keepdim)
        return out.values if op == "max" else out

    return attempt(run, op, (t,))


# -- broadcasting ---------------------------------------------------------------------------------------


def broadcast(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> dict:
    """The broadcasting rule step by step (primer 001, ch. 3).

    Shapes are right-aligned and the shorter one padded with 1s on the left; in each dimension the
    sizes must be equal or one of them 1 (which is stretched). Returns {"a": padded a, "b": padded b,
    "dims": [{"a", "b", "out" or None, "rule": "equal"|"stretch_a"|"stretch_b"|"clash"}], "result":
    shape or None, "clash": index of the first clashing dimension or None, "torch": torch's own result
    or message}.
    """
    n = max(len(shape_a), len(shape_b))
    a = (1,) * (n - len(shape_a)) + tuple(shape_a)
    b = (1,) * (n - len(shape_b)) + tuple(shape_b)
    dims, clash = [], None
    for i, (da, db) in enumerate(zip(a, b)):
        if da == db:
            dims.append({"a": da, "b": db, "out": da, "rule": "equal"})
        elif da == 1:
            dims.append({"a": da, "b": db, "out": db, "rule": "stretch_a"})
        elif db == 1:
            dims.append({"a": da, "b": db, "out": da, "rule": "stretch_b"})
        else:
            dims.append({"a": da, "b": db, "out": None, "rule": "clash"})
            clash = i if clash is None else clash
    result = None if clash is not None else tuple(d["out"] for d in dims)
    try:
        torch_result: tuple[int, ...] | str = tuple(torch.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
    except RuntimeError as e:
        torch_result = str(e).splitlines()[0]
    return {"a": a, "b": b, "dims": dims, "result": result, "clash": clash, "torch": torch_result}


def broadcast_example(
    shape_a: tuple[int, ...], shape_b: tuple[int, ...]
) -> tuple[torch.Tensor, ...] | OpError:
    """Small integer tensors of those shapes, their expanded forms and the sum a + b (each at most
    BROADCAST_MAX elements: (200, 1) + (1, 200) would be 40,000)."""
    out = broadcast(shape_a, shape_b)["result"]
    for shape in (shape_a, shape_b, out or ()):
        if math.prod(shape) > BROADCAST_MAX:
            raise ParseError("bc_too_big", shape=list(shape), n=math.prod(shape), limit=BROADCAST_MAX)
    a = torch.arange(math.prod(shape_a)).reshape(shape_a)
    b = (torch.arange(math.prod(shape_b)) * 10).reshape(shape_b)

    def run():
        ea, eb = torch.broadcast_tensors(a, b)
        return a, b, ea, eb, a + b

    return attempt(run)


# -- autograd ---------------------------------------------------------------------------------------------


def autograd_demo(w: float, x: float, b: float, backward_calls: int = 1) -> dict:
    """The primer's y = w²·x + b: forward value, w.grad and b.grad from autograd beside 2wx and 1.

    `backward_calls` > 1 shows that gradients accumulate (grad = calls × 2wx) until zeroed.
    """
    wt = torch.tensor(float(w), requires_grad=True)
    bt = torch.tensor(float(b), requires_grad=True)
    xt = torch.tensor(float(x))  # data, not a parameter: no gradient
    for _ in range(backward_calls):
        y = wt**2 * xt + bt  # builds the graph again each call
        y.backward()
    return {
        "y": y.item(),
        "w_grad": wt.grad.item(),
        "b_grad": bt.grad.item(),
        "hand_w": 2 * w * x,
        "hand_b": 1.0,
        "calls": backward_calls,
        "dot": grad_graph_dot(y, {id(wt): "w", id(bt): "b"}),
    }


def no_grad_demo(w: float, x: float) -> dict:
    """Inside `torch.no_grad()` nothing is recorded; `.detach()` cuts a tensor out of the graph."""
    wt = torch.tensor(float(w), requires_grad=True)
    y = wt * x
    with torch.no_grad():
        z = wt * x
    d = y.detach()
    return {
        "y_requires_grad": y.requires_grad,
        "y_grad_fn": type(y.grad_fn).__name__,
        "no_grad_requires_grad": z.requires_grad,
        "no_grad_grad_fn": None if z.grad_fn is None else "?",
        "detach_requires_grad": d.requires_grad,
        "detach_value": d.item(),
    }


def grad_graph_dot(out: torch.Tensor, names: dict[int, str] | None = None) -> str:
    """Graphviz DOT of the `grad_fn` chain behind `out` (rendered in the browser by st.graphviz_chart)."""
    names = names or {}
    lines = [  # tight boxes, large type: the graph is scaled to a narrow column, so its width sets the print
        "digraph G {",
        "rankdir=BT; nodesep=0.15; ranksep=0.3;",
        'node [fontname="sans-serif", fontsize=20, margin="0.06,0.03", shape=box, style=rounded];',
    ]
    seen: dict[int, str] = {}

    def node_id(fn) -> str:
        if id(fn) not in seen:
            nid = f"n{len(seen)}"
            seen[id(fn)] = nid
            if hasattr(fn, "variable"):  # AccumulateGrad: a leaf tensor that will receive .grad
                v = fn.variable
                label = (
                    f"{names.get(id(v), 'leaf')} = {v.item():.3g}"
                    if v.numel() == 1
                    else names.get(id(v), "leaf")
                )
                lines.append(
                    f'{nid} [label="{label}\\n(.grad)", shape=box, style=filled, fillcolor="#dbeafe"];'
                )
            else:
                lines.append(f'{nid} [label="{type(fn).__name__}"];')
        return seen[id(fn)]

    root = out.grad_fn
    if root is None:
        return 'digraph G { n0 [label="no grad_fn"]; }'
    val = f"{out.item():.3g}" if out.numel() == 1 else "out"
    lines.append(f'out [label="y = {val}", shape=box, style=filled, fillcolor="#fde68a"];')
    lines.append(f"{node_id(root)} -> out;")
    stack, done = [root], set()
    while stack:
        fn = stack.pop()
        if id(fn) in done:
            continue
        done.add(id(fn))
        for nxt, _ in fn.next_functions:
            if nxt is None:
                continue
            lines.append(f"{node_id(nxt)} -> {node_id(fn)};")
            stack.append(nxt)
    lines.append("}")
    return "\n".join(lines)


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
    "gelu": torch.nn.functional.gelu,
}


def activation_curves(lo: float = -5.0, hi: float = 5.0, n: int = 201) -> dict[str, dict[str, list[float]]]:
    """Each activation f(z) and its derivative f'(z), the derivative computed by autograd."""
    out = {}
    for name, f in ACTIVATIONS.items():
        z = torch.linspace(lo, hi, n, requires_grad=True)  # (n,)
        y = f(z)
        (grad,) = torch.autograd.grad(y.sum(), z)  # each y_i depends only on z_i: d(sum)/dz_i = f'(z_i)
        out[name] = {"z": z.detach().tolist(), "y": y.detach().tolist(), "dy": grad.tolist()}
    return out


# -- a first training loop ------------------------------------------------------------------------------


def line_data(n: int = 30, noise: float = 0.3, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy points around y = 2x + 1 for x in [-1, 1]: x (n, 1), y (n, 1)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=g) * 2 - 1
    y = 2 * x + 1 + noise * torch.randn(n, 1, generator=g)
    return x, y


def fit_line(x: torch.Tensor, y: torch.Tensor, lr: float, epochs: int) -> Iterator[dict]:
    """Full-batch SGD on y ≈ w·x + b with MSE, starting from w = b = 0; one record per epoch.

    Yields "epoch" records (core.records) with "loss", "w", "b"; a loss that is no longer finite (too large a learning rate)
    yields {"kind": "diverged"} and stops, instead of training on NaN.
    """
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    for epoch in range(1, epochs + 1):
        opt.zero_grad()
        loss = ((w * x + b - y) ** 2).mean()  # MSE, the course's loss for linear regression
        loss.backward()
        opt.step()
        value = loss.item()
        if not math.isfinite(value) or not math.isfinite(w.item()) or abs(w.item()) > 1e12:
            yield records.diverged(epoch, value, w=w.item(), b=b.item())
            return
        yield records.epoch(epoch, loss=value, w=w.item(), b=b.item())


# -- devices ------------------------------------------------------------------------------------------------


def time_matmul(n: int, device: str, repeats: int = 3) -> float:
    """Median seconds of an (n, n) @ (n, n) matmul on `device` (synchronised on CUDA)."""
    g = torch.Generator().manual_seed(0)
    a = torch.rand(n, n, generator=g).to(device)
    b = torch.rand(n, n, generator=g).to(device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    (a @ b).sum().item()  # warm-up: first call pays for kernels and allocation
    times = []
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        a @ b
        sync()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]
