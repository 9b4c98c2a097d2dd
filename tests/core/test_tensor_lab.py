"""core/tensor_lab.py: safe parsing, PyTorch's own errors, broadcasting, autograd against hand math."""

import pytest
import torch

from core import tensor_lab as lab


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
