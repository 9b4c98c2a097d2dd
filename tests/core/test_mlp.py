"""The XOR MLP family (core/models/mlp.py): shapes, layer counts, validation, checkpoint family."""

import pytest
import torch
from torch import nn

from core.models import count_parameters, family_name, resolve_family
from core.models.mlp import MLP, parse_hidden


@pytest.mark.parametrize("hidden", [(), (1,), (2, 2), (8, 8, 8)])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_shapes_and_probability_output(hidden, activation):
    model = MLP(hidden, activation)
    out = model(torch.rand(5, 2))
    assert out.shape == (5, 1)
    assert ((out > 0) & (out < 1)).all()
    assert model.sizes() == [2, *hidden, 1]
    assert len(model.linears) == len(hidden) + 1


def test_course_network_matches_the_course_sequential():
    model = MLP((2, 2), "sigmoid")
    kinds = [type(m) for m in model.net]
    assert kinds == [nn.Linear, nn.Sigmoid, nn.Linear, nn.Sigmoid, nn.Linear, nn.Sigmoid]
    assert count_parameters(model) == 6 + 6 + 3


def test_hidden_activation_is_used():
    assert isinstance(MLP((3,), "relu").net[1], nn.ReLU)
    assert isinstance(MLP((3,), "tanh").net[1], nn.Tanh)
    assert isinstance(MLP((3,), "relu").net[-1], nn.Sigmoid)


@pytest.mark.parametrize("bad", [(9,), (0,), (2, 2, 2, 2), "a,b"])
def test_invalid_hidden_sizes(bad):
    with pytest.raises(ValueError):
        MLP(bad)


def test_parse_hidden_forms():
    assert parse_hidden("2,2") == (2, 2)
    assert parse_hidden("2-4") == (2, 4)
    assert parse_hidden("") == ()
    assert parse_hidden([3]) == (3,)


def test_unknown_activation():
    with pytest.raises(ValueError):
        MLP((2,), "softmax")


def test_family_resolves_for_checkpoints():
    assert family_name(MLP()) == "mlp.MLP"
    assert resolve_family("mlp.MLP") is MLP


def test_activations_lists_every_layer():
    acts = MLP((3, 2)).activations(torch.rand(4, 2))
    assert [a.shape[1] for a in acts] == [2, 3, 2, 1]
