"""The sequence models of the primer (001, 7.2): a recurrent layer (RNN, LSTM or GRU) over a window of past
values, and a linear head on its last hidden state that predicts the next value.

`SequenceNet(cell="lstm", hidden=50, layers=1)` is the primer's `LSTMModel`; the only difference is the
input's shape: the lab passes `(batch, seq_len, 1)` itself instead of `unsqueeze`-ing inside `forward`.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from core.models import reset_parameters

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
FAMILIES = ("SequenceNet",)


class SequenceNet(nn.Module):
    """window (B, T, 1) → the next value (B,): a recurrent layer, then Linear(hidden, 1) on its last step."""

    def __init__(self, cell: str = "lstm", hidden: int = 50, layers: int = 1):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}; choose one of {tuple(CELLS)}")
        if not (1 <= int(hidden) <= 512 and 1 <= int(layers) <= 4):
            raise ValueError(f"hidden 1–512 and layers 1–4, got {hidden} and {layers}")
        self.cell, self.hidden, self.layers = cell, int(hidden), int(layers)
        self.model_args = dict(cell=cell, hidden=self.hidden, layers=self.layers)
        # batch_first=True: the input is (batch, seq_len, features), as DataLoader batches come
        self.rnn = CELLS[cell](1, self.hidden, num_layers=self.layers, batch_first=True)
        self.head = nn.Linear(self.hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.dim() == 3 and x.shape[2] == 1, f"expects (batch, seq_len, 1), got {tuple(x.shape)}"
        out, _ = self.rnn(x)  # (B, T, H): the last layer's hidden state at every step
        return self.head(out[:, -1, :]).squeeze(1)  # (B,): only the last step predicts

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        """The last layer's hidden state h_t at every step of every window: (B, T, H)."""
        out, _ = self.rnn(x)
        return out


def init_parameters(model: SequenceNet, generator: torch.Generator) -> SequenceNet:
    """PyTorch's default initialisation, drawn from `generator`: U(-1/√H, 1/√H) for every recurrent
    weight and bias (what nn.LSTM.reset_parameters does with the global RNG), the head as any Linear."""
    bound = 1 / math.sqrt(model.hidden)
    with torch.no_grad():
        for p in model.rnn.parameters():
            p.uniform_(-bound, bound, generator=generator)
    return reset_parameters(model, generator)


def parameter_count(cell: str, hidden: int, layers: int = 1) -> int:
    """Trainable numbers of `SequenceNet(cell, hidden, layers)`: 4 gate blocks for the LSTM, 3 for the
    GRU, 1 for the RNN, each (H × in + H × H + 2H), plus the head's H + 1."""
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    total, width = 0, 1
    for _ in range(layers):
        total += gates * (hidden * width + hidden * hidden + 2 * hidden)
        width = hidden
    return total + hidden + 1
