"""The XOR multilayer perceptron of Part 1 (000, 1.4.2): Linear → activation, repeated, → Linear → Sigmoid.

The course network is 2-2-2-1 with Sigmoid everywhere (`nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(),
nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())`); here the number of hidden layers
(0–3), their width (1–8) and the hidden activation can change. With no hidden layer it is logistic
regression: a single straight line, which solves AND and OR but never XOR.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

FAMILIES = ("MLP",)
ACTIVATIONS: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
MAX_LAYERS, MAX_WIDTH = 3, 8


def parse_hidden(hidden: Sequence[int] | str) -> tuple[int, ...]:
    """(2, 2) from (2, 2), [2, 2] or "2,2"; "" or () for no hidden layer. ValueError outside 0–3 x 1–8."""
    if isinstance(hidden, str):
        parts = [p.strip() for p in hidden.replace("-", ",").split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise ValueError(f"hidden layer sizes must be whole numbers, got {hidden!r}")
        hidden = [int(p) for p in parts]
    sizes = tuple(int(h) for h in hidden)
    if len(sizes) > MAX_LAYERS or any(not 1 <= h <= MAX_WIDTH for h in sizes):
        raise ValueError(f"0–{MAX_LAYERS} hidden layers of 1–{MAX_WIDTH} neurons, got {sizes}")
    return sizes


class MLP(nn.Module):
    """Binary classifier on 2 inputs; outputs a probability (B, 1) for BCELoss, as the course's model."""

    def __init__(self, hidden: Sequence[int] | str = (2, 2), activation: str = "sigmoid", n_in: int = 2):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {tuple(ACTIVATIONS)}")
        self.hidden = parse_hidden(hidden)
        self.activation = activation
        # what a checkpoint stores; the input width is named only when it is not the course's 2
        self.model_args = dict(hidden=list(self.hidden), activation=activation) | (
            {"n_in": n_in} if n_in != 2 else {}
        )
        layers: list[nn.Module] = []
        width = n_in
        for h in self.hidden:
            layers += [nn.Linear(width, h), ACTIVATIONS[activation]()]
            width = h
        layers += [nn.Linear(width, 1), nn.Sigmoid()]  # the output is always a probability
        self.net = nn.Sequential(*layers)

    @property
    def linears(self) -> list[nn.Linear]:
        """The weight layers in order (for drawing the network)."""
        return [m for m in self.net if isinstance(m, nn.Linear)]

    def sizes(self) -> list[int]:
        """Neurons per layer, input to output: [2, 2, 2, 1] for the course network."""
        return [self.linears[0].in_features] + [lin.out_features for lin in self.linears]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.dim() == 2 and x.shape[1] == self.linears[0].in_features, (
            f"the MLP expects (B, {self.linears[0].in_features}), got {tuple(x.shape)}"
        )
        return self.net(x)  # (B, 1) in (0, 1)

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output after its activation, input first: [(B, 2), (B, h1), ..., (B, 1)]."""
        outs = [x]
        for m in self.net:
            x = m(x)
            if not isinstance(m, nn.Linear):
                outs.append(x)
        return outs
