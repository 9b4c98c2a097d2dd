"""An independent MNIST judge for generated digits (core/gen_eval.py): not the course's CNN.

Three padded 3x3 convolutions, each followed by a 2x2 max pool, then a dense layer of 128 (the shipped CNN
has two unpadded convolutions and a dense layer of 256), so its features are another network's view of a
digit, as FID's Inception features are for photographs. `features` is the penultimate layer: the 128
units after the dense layer's ReLU.
"""

from __future__ import annotations

import torch
from torch import nn

FAMILIES = ("JudgeNet",)


class JudgeNet(nn.Module):
    def __init__(self, c1: int = 16, c2: int = 32, c3: int = 64, hidden: int = 128):
        super().__init__()
        self.model_args = dict(c1=c1, c2=c2, c3=c3, hidden=hidden)  # what a checkpoint stores
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.conv3 = nn.Conv2d(c2, c3, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.dense = nn.Linear(c3 * 3 * 3, hidden)
        self.head = nn.Linear(hidden, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The penultimate layer: (B, 1, 28, 28) in [0, 1] -> (B, hidden)."""
        assert x.shape[1:] == (1, 28, 28), f"the judge expects Bx1x28x28, got {tuple(x.shape)}"
        h = self.pool(torch.relu(self.conv1(x)))  # (B, c1, 14, 14)
        h = self.pool(torch.relu(self.conv2(h)))  # (B, c2, 7, 7)
        h = self.pool(torch.relu(self.conv3(h)))  # (B, c3, 3, 3)
        return torch.relu(self.dense(h.flatten(1)))  # (B, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, 10) logits
