"""core/tensor_lab.py: safe parsing, PyTorch's own errors, broadcasting, autograd against hand math."""

import pytest
import torch

from core import tensor_lab as lab
from ui.i18n import t


def test_parse_values_reads_numbers_and_lists():
    assert lab.parse_values("[[1, 2], [3, -4.5]]") == [[1, 2], [3, -4.5]]
    assert lab.parse_values("(1, 2)") == [1, 2]
    assert lab.parse_values("True") is True


@pytest.mark.parametrize(
    "text, code",
    [
        ("__import__('os').system('echo hi')", "not_number"),
        ("[1, x]", "not_number"),
        ("[1, 2", "syntax"),
        ("", "empty"),
        ("'abc'", "not_number"),
        ("[1] * 10", "not_number"),
        ("[" * 20 + "]" * 20, "too_deep"),
        ("1" * 3000, "too_long"),
    ],
)
def test_parse_values_rejects_everything_else(text, code):
    with pytest.raises(lab.ParseError) as e:
        lab.parse_values(text)
    assert e.value.code == code


def test_parse_shape_and_index():
    assert lab.parse_shape("(2, 3)") == (2, 3)
    assert lab.parse_shape("2x3") == (2, 3)
    assert lab.parse_shape("4, -1", allow_minus_one=True) == (4, -1)
    for bad, code in (("2, a", "shape_syntax"), ("-1, 2", "negative_dim"), ("1000, 1000", "too_big")):
        with pytest.raises(lab.ParseError) as e:
            lab.parse_shape(bad)
        assert e.value.code == code
    assert lab.parse_index("[0, 1:3]") == (0, slice(1, 3))
    assert lab.parse_index("..., ::2") == (Ellipsis, slice(None, None, 2))
    with pytest.raises(lab.ParseError):
        lab.parse_index("0, len(x)")


def test_create_matches_torch():
    t = lab.create("tensor", values="[[1, 2, 3], [4, 5, 6]]", dtype="int64")
    assert torch.equal(t, torch.tensor([[1, 2, 3], [4, 5, 6]]))
    assert lab.create("zeros", shape=(2, 3)).shape == (2, 3)
    assert torch.equal(lab.create("arange", start=0, end=5, step=1, dtype="int64"), torch.arange(5))
    assert lab.create("linspace", start=0, end=1, steps=5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert torch.equal(lab.create("rand", shape=(3,), seed=1), lab.create("rand", shape=(3,), seed=1))
    assert lab.describe(lab.create("ones", shape=(2, 1)))["shape"] == (2, 1)


def test_ragged_list_gives_pytorch_message():
    out = lab.create("tensor", values="[[1, 2], [3]]")
    assert isinstance(out, lab.OpError) and out.code == "ragged" and "length" in out.message


def test_operations_and_their_errors():
    x = torch.arange(6.0).reshape(2, 3)
    assert lab.reshape(x, "3, -1").shape == (3, 2)
    bad = lab.reshape(x, "4, -1")
    assert (
        isinstance(bad, lab.OpError)
        and bad.code == "reshape"
        and "invalid for input of size 6" in bad.message
    )
    assert lab.reshape(x.T, "-1", "view").code == "reshape"  # view on a non-contiguous tensor
    mm = lab.multiply(x, x, "matmul")
    assert mm.code == "matmul" and "2x3" in mm.message
    assert lab.multiply(x, x, "mul").tolist() == (x * x).tolist()
    assert lab.join(x, x, "cat", 0).shape == (4, 3)
    assert lab.join(x, x, "stack", 0).shape == (2, 2, 3)
    assert lab.join(x, torch.zeros(3, 3), "stack", 0).code == "size"
    assert lab.unsqueeze(x, 0).shape == (1, 2, 3)
    assert lab.unsqueeze(x, 5).code == "dim"
    assert lab.squeeze(torch.zeros(1, 3, 1)).shape == (3,)
    assert lab.index(x, "5").code == "index"
    assert lab.index(x, "1, 1:").tolist() == [4.0, 5.0]
    assert lab.reduce(x, "sum", 0).tolist() == [3.0, 5.0, 7.0]
    assert lab.reduce(x, "max", 1).tolist() == [2.0, 5.0]
    assert lab.reduce(torch.arange(4), "mean", None).item() == 1.5


def test_broadcast_rule_agrees_with_torch():
    for a, b in (((3, 1), (4,)), ((2, 1, 5), (3, 1)), ((), (2,)), ((3, 2), (4,)), ((2, 3), (3, 3))):
        info = lab.broadcast(a, b)
        try:
            expected = tuple(torch.broadcast_shapes(a, b))
        except RuntimeError:
            expected = None
        assert info["result"] == expected
        assert (info["clash"] is None) == (expected is not None)
    info = lab.broadcast((3, 2), (4,))
    assert info["b"] == (1, 4) and info["dims"][1]["rule"] == "clash" and isinstance(info["torch"], str)
    a, b, ea, eb, s = lab.broadcast_example((3, 1), (4,))
    assert ea.shape == eb.shape == s.shape == (3, 4) and torch.equal(s, a + b)


@pytest.mark.parametrize("w, x, b", [(2.0, 3.0, 1.0), (-1.5, 0.5, 2.0), (0.0, -3.0, 0.0)])
def test_autograd_matches_hand_calculation(w, x, b):
    d = lab.autograd_demo(w, x, b)
    assert d["y"] == pytest.approx(w * w * x + b)
    assert d["w_grad"] == pytest.approx(2 * w * x) and d["b_grad"] == 1.0
    twice = lab.autograd_demo(w, x, b, backward_calls=2)
    assert twice["w_grad"] == pytest.approx(2 * 2 * w * x) and twice["b_grad"] == 2.0


def test_grad_graph_names_the_chain():
    dot = lab.autograd_demo(2, 3, 1)["dot"]
    assert dot.startswith("digraph") and "AddBackward0" in dot and "PowBackward0" in dot and "w = 2" in dot


def test_no_grad_and_detach():
    d = lab.no_grad_demo(2.0, 3.0)
    assert d["y_requires_grad"] and not d["no_grad_requires_grad"] and not d["detach_requires_grad"]


def test_activation_derivatives_by_autograd():
    c = lab.activation_curves(-2, 2, 5)
    s = torch.sigmoid(torch.tensor(c["sigmoid"]["z"]))
    assert torch.allclose(torch.tensor(c["sigmoid"]["dy"]), s * (1 - s), atol=1e-6)
    assert c["relu"]["dy"] == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert max(c["sigmoid"]["dy"]) <= 0.25 + 1e-6
    assert set(c) == {"sigmoid", "tanh", "relu", "leaky_relu", "gelu"}


def test_fit_line_learns_and_diverges_cleanly():
    x, y = lab.line_data(noise=0.1, seed=0)
    last = list(lab.fit_line(x, y, lr=0.3, epochs=200))[-1]
    assert last["kind"] == "epoch" and abs(last["w"] - 2) < 0.15 and abs(last["b"] - 1) < 0.1
    recs = list(lab.fit_line(x, y, lr=5.0, epochs=200))
    assert recs[-1]["kind"] == "diverged" and len(recs) < 200


def test_time_matmul_positive():
    assert lab.time_matmul(32, "cpu") > 0


def test_each_error_explains_the_operation_that_was_asked_for():
    """`*` and `cat` fail with the same words ("must match the size"); each gets its own rule."""
    x = torch.arange(6.0).reshape(2, 3)
    cases = (
        (lab.multiply(x, torch.ones(3, 2), "mul"), "rule_mul"),
        (lab.multiply(x, torch.ones(2, 3), "matmul"), "rule_matmul"),
        (lab.multiply(x, torch.ones(2), "matmul"), "rule_matmul"),  # a matrix times a vector
        (lab.multiply(torch.ones(3), torch.ones(2), "matmul"), "rule_matmul"),  # two vectors
        (lab.join(x, torch.ones(3, 2), "cat", 0), "rule_cat"),
        (lab.join(x, torch.ones(2), "cat", 0), "rule_cat"),  # different numbers of dims
        (lab.join(x, torch.ones(3, 3), "stack", 0), "rule_stack"),
        (lab.join(x, x, "cat", 5), "dim"),
        (lab.multiply(torch.tensor(5.0), x, "matmul"), "scalar"),
        (lab.join(torch.tensor(1.0), torch.tensor(2.0), "cat", 0), "scalar"),
        (lab.reshape(x, "4, -1"), "reshape"),
        (lab.unsqueeze(x, 5), "dim"),
        (lab.index(x, "5"), "index"),
        (
            lab.multiply(torch.ones(2, 2, dtype=torch.bool), torch.ones(2, 2, dtype=torch.bool), "matmul"),
            "dtype",
        ),
    )
    for out, key in cases:
        assert isinstance(out, lab.OpError), (key, out)
        assert out.explanation == key, (out.op, out.code, out.message, key)
    mul = cases[0][0]
    assert mul.op == "mul" and mul.shapes == ((2, 3), (3, 2)) and "must match the size" in mul.message
    assert lab.explanation("", "size") == "size"  # no operation named: the message's own reading


@pytest.mark.parametrize("shape", [(2, 3), (3,), (), (4, 1), (2, 2, 5), (2, 20), (3, 0)])
def test_the_example_y_works_for_both_products(shape):
    x = torch.ones(shape)
    for how in ("mul", "matmul"):
        text = lab.example_other(shape, how)
        if how == "matmul" and not shape:
            assert text == ""  # a scalar has no matrix product
            continue
        y = lab.create("tensor", values=text) if text else (x if how == "mul" or x.dim() < 2 else x.mT)
        assert isinstance(lab.multiply(x, y, how), torch.Tensor), (shape, how, text)
    assert lab.example_other((2, 3), "mul") == "[10, 20, 30]"
    assert lab.example_other((2, 3), "matmul") == "[[1, 0], [0, 1], [1, 1]]"


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4)])
def test_the_example_index_works(shape):
    assert isinstance(lab.index(torch.ones(shape), lab.example_index(len(shape))), torch.Tensor)


# -- every tensor is bounded before it is allocated -------------------------------------------


@pytest.mark.parametrize("n", [400, 5000])
def test_eye_of_one_number_is_checked_as_n_by_n_before_it_is_built(n, monkeypatch):
    built = []
    monkeypatch.setattr(lab.torch, "eye", lambda *a, **k: built.append(a))  # would record a build
    with pytest.raises(lab.ParseError) as e:
        lab.create("eye", shape=lab.parse_shape(str(n)))
    assert e.value.code == "too_big" and e.value.params["n"] == n * n and e.value.params["shape"] == [n, n]
    assert built == []


def test_eye_message_in_japanese_names_the_shape_and_the_limit():
    with pytest.raises(lab.ParseError) as e:
        lab.create("eye", shape=(400,))
    msg = t(f"tensors.perr.{e.value.code}", lang="ja", **e.value.params)
    assert "[400, 400]" in msg and "160,000" in msg and "10,000" in msg and "n×n" in msg


def test_eye_within_the_limit_is_made():
    assert lab.create("eye", shape=(100,)).shape == (100, 100)  # exactly 10,000
    assert lab.create("eye", shape=(2, 3)).shape == (2, 3)
    with pytest.raises(lab.ParseError, match="too_big|50"):
        lab.create("eye", shape=(50, 300))


@pytest.mark.parametrize(
    "kw, code",
    [
        ({"kind": "arange", "start": 0.0, "end": 1e9, "step": 1.0}, "too_big"),
        ({"kind": "arange", "start": 0.0, "end": 1.0, "step": 1e-9}, "too_big"),
        ({"kind": "arange", "start": -1e308, "end": 1e308, "step": 1.0}, "too_big_count"),
        ({"kind": "linspace", "start": 0.0, "end": 1.0, "steps": 10**7}, "too_big"),
        ({"kind": "arange", "start": 0.0, "end": float("inf")}, "not_finite"),
        ({"kind": "arange", "start": float("nan")}, "not_finite"),
        ({"kind": "full", "shape": (2, 3), "fill": float("inf")}, "not_finite"),
        ({"kind": "zeros_like", "shape": (10_001,)}, "too_big"),
        ({"kind": "rand", "shape": (101, 100)}, "too_big"),
    ],
)
def test_every_creator_is_sized_first(kw, code):
    with pytest.raises(lab.ParseError) as e:
        lab.create(**kw)
    assert e.value.code == code


def test_arange_and_linspace_at_the_limit_are_made():
    assert lab.create("arange", start=0.0, end=10_000.0, step=1.0).numel() == 10_000
    assert lab.create("linspace", start=0.0, end=1.0, steps=10_000).numel() == 10_000


def test_results_of_operations_are_sized_on_the_meta_device_first():
    x = lab.create("zeros", shape=(10_000, 1))
    y = lab.create("tensor", values="[" + ", ".join(["1"] * 100) + "]")  # (100,)
    for op in (lambda: lab.multiply(x, y, "mul"), lambda: lab.multiply(x, y.reshape(1, 100), "matmul")):
        with pytest.raises(lab.ParseError) as e:  # (10000, 100): a million elements
            op()
        assert e.value.code == "too_big" and e.value.params["shape"] == [10_000, 100]
    for how in ("cat", "stack"):
        with pytest.raises(lab.ParseError):
            lab.join(x, x, how, 0)  # 20,000
    small = lab.create("zeros", shape=(50, 1))
    assert lab.multiply(small, y.reshape(1, 100), "matmul").shape == (50, 100)  # 5,000: fine
    assert lab.reshape(x, "1, -1").shape == (1, 10_000)  # the same elements, differently arranged
    assert lab.result_shape(lambda u, v: u @ v, (x, y.reshape(1, 100))) == (10_000, 100)


def test_a_refused_operation_on_meta_still_gets_pytorchs_own_message():
    x = lab.create("arange", start=0.0, end=6.0).reshape(2, 3)
    err = lab.multiply(x, x, "matmul")
    assert isinstance(err, lab.OpError) and "cannot be multiplied" in err.message
    assert isinstance(lab.reshape(x.mT, "6", "view"), lab.OpError)


@pytest.mark.parametrize(
    "parse, text",
    [
        (lab.parse_shape, "9" * 1999),
        (lab.parse_shape, "2, " + "9" * 40),
        (lab.parse_index, "9" * 1999),
        (lab.parse_index, "1:" + "9" * 1990),
        (lab.parse_values, "9" * 1999),
        (lab.parse_values, "1e999"),
        (lab.parse_values, "[1, -1e999]"),
        (lab.parse_values, "[1, 99999999999999999999]"),
    ],
    ids=["shape", "shape_dim", "index", "slice", "int", "1e999", "-1e999", "int64"],
)
def test_numbers_too_large_for_any_dtype_get_a_code(parse, text):
    with pytest.raises(lab.ParseError) as e:
        parse(text)
    assert e.value.code == "number_range"


def test_a_value_of_5000_digits_is_too_long_wherever_it_is_typed():
    for parse in (lab.parse_values, lab.parse_shape, lab.parse_index):
        with pytest.raises(lab.ParseError) as e:
            parse("9" * 5000)
        assert e.value.code == "too_long"


def test_the_broadcast_example_bounds_the_sum_as_well():
    assert lab.broadcast_example((20, 1), (1, 10))[-1].shape == (20, 10)  # 200
    with pytest.raises(lab.ParseError) as e:
        lab.broadcast_example((200, 1), (1, 200))  # each 200, the sum 40,000
    assert e.value.code == "bc_too_big" and e.value.params["n"] == 40_000
