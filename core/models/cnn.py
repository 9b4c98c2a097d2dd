"""The course's MNIST CNN (000, Part 2, `mnist_cnn.py`), with configurable channel counts.

Conv(1→c1, 3) → ReLU → MaxPool 2 → Dropout → Conv(c1→c2, 3) → ReLU → MaxPool 2 → Dropout → Flatten →
Linear(c2·5·5 → hidden) → ReLU → Linear(hidden → 10) → LogSoftmax. The layer names (`layer1..3`) match the
course script, so a `state_dict` saved by `mnist_cnn.py` loads here unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.models import Dropout

FAMILIES = ("MNISTCNN",)


@dataclass(frozen=True)
class CNNConfig:
    c1: int = 32  # first conv's channels (the course uses 32; 16 trains twice as fast)
    c2: int = 64  # second conv's channels (course: 64)
    hidden: int = 256  # width of the dense layer (course: 256)
    dropout: float = 0.1  # course: 0.1 after each pooling; 0 shows overfitting sooner


class MNISTCNN(nn.Module):
    def __init__(self, c1: int = 32, c2: int = 64, hidden: int = 256, dropout: float = 0.1):
        super().__init__()
        self.model_args = dict(c1=c1, c2=c2, hidden=hidden, dropout=dropout)  # what a checkpoint stores
        self.layer1 = nn.Sequential(nn.Conv2d(1, c1, 3, 1), nn.ReLU(), nn.MaxPool2d(2, 2), Dropout(dropout))
        self.layer2 = nn.Sequential(nn.Conv2d(c1, c2, 3, 1), nn.ReLU(), nn.MaxPool2d(2, 2), Dropout(dropout))
        self.layer3 = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c2 * 5 * 5, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 10),
            nn.LogSoftmax(dim=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.shape[1:] == (1, 28, 28), f"the CNN expects Bx1x28x28, got {tuple(x.shape)}"
        h = self.layer1(x)  # (B, c1, 13, 13): 28 -conv3-> 26 -pool2-> 13
        h = self.layer2(h)  # (B, c2, 5, 5): 13 -conv3-> 11 -pool2-> 5
        return self.layer3(h)  # (B, 10) log-probabilities

    def features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Intermediate maps for the "look inside" view, without hooks (the model may be shared)."""
        conv1 = self.layer1[1](self.layer1[0](x))  # (B, c1, 26, 26) after ReLU
        pool1 = self.layer1[2](conv1)  # (B, c1, 13, 13)
        conv2 = self.layer2[1](self.layer2[0](pool1))  # (B, c2, 11, 11)
        return {"conv1": conv1, "pool1": pool1, "conv2": conv2, "pool2": self.layer2[2](conv2)}
