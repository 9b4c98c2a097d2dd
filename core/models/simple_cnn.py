"""The image-classification guide's `SimpleCNN` (course 002, 5.3) and the "deeper model" of its FAQ (Q6).

`SimpleCNN()` is the guide's network for CIFAR-10 (3×32×32): conv 3→6→16 (5×5), two 2×2 poolings, then
fc 400→120→84→10, 62,006 parameters. The lab generalises it by (in_channels, size, n_classes): on
Fashion-MNIST (1×28×28) the two convolutions and poolings leave 16×4×4 = 256 numbers, not the guide's
16×5×5 = 400, which is why `16 * 5 * 5` in the guide is tied to 32×32 images.

Both models read images in [0, 1] and normalise them themselves with the per-channel `mean` and `std`
they were built with (the guide's `transforms.Normalize`), so a checkpoint carries its normalisation and a
photo needs no other preprocessing than resizing. Both output logits (the guide's CrossEntropyLoss).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

FAMILIES = ("SimpleCNN", "DeeperCNN")


def conv_size(size: int, kernel: int, padding: int = 0) -> int:
    """An output side of a stride-1 convolution: size + 2·padding − kernel + 1."""
    return size + 2 * padding - kernel + 1


class _Normalized(nn.Module):
    """What both models share: the per-channel Normalize as buffers, and its checks."""

    def __init__(self, in_channels: int, size: int, n_classes: int, mean, std):
        super().__init__()
        if in_channels not in (1, 3) or not 8 <= size <= 256 or not 2 <= n_classes <= 1000:
            raise ValueError(
                f"in_channels 1 or 3, size 8–256, n_classes 2–1000; got {in_channels}, {size}, {n_classes}"
            )
        mean = [0.0] * in_channels if mean is None else [float(v) for v in mean]
        std = [1.0] * in_channels if std is None else [float(v) for v in std]
        if len(mean) != in_channels or len(std) != in_channels or min(std) <= 0:
            raise ValueError(f"one mean and one positive std per channel, got {mean} and {std}")
        self.in_channels, self.size, self.n_classes = int(in_channels), int(size), int(n_classes)
        self.model_args = dict(
            in_channels=self.in_channels, size=self.size, n_classes=self.n_classes, mean=mean, std=std
        )
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        expected = (self.in_channels, self.size, self.size)
        assert x.dim() == 4 and tuple(x.shape[1:]) == expected, (
            f"expects (B, {expected}), got {tuple(x.shape)}"
        )
        return (x - self.mean) / self.std  # transforms.Normalize(mean, std), per channel


class SimpleCNN(_Normalized):
    """The guide's SimpleCNN: (B, C, S, S) images in [0, 1] → (B, n_classes) logits."""

    def __init__(self, in_channels: int = 3, size: int = 32, n_classes: int = 10, mean=None, std=None):
        super().__init__(in_channels, size, n_classes, mean, std)
        self.side = conv_size(conv_size(size, 5) // 2, 5) // 2  # 32 → 28 → 14 → 10 → 5; 28 → 24 → 12 → 8 → 4
        if self.side < 1:
            raise ValueError(f"images of {size}×{size} are too small for two 5×5 convolutions and poolings")
        self.conv1 = nn.Conv2d(in_channels, 6, kernel_size=5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * self.side * self.side, 120)  # the guide's 16 * 5 * 5 on 32×32 images
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.normalize(x)  # (B, 3, 32, 32)
        x = self.pool(F.relu(self.conv1(x)))  # (B, 6, 14, 14)
        x = self.pool(F.relu(self.conv2(x)))  # (B, 16, 5, 5)
        x = x.flatten(1)  # (B, 400): the guide's x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))  # (B, 120)
        x = F.relu(self.fc2(x))  # (B, 84)
        return self.fc3(x)  # (B, 10): logits, no activation (CrossEntropyLoss applies log-softmax)


class DeeperCNN(_Normalized):
    """The FAQ's "deeper model": three 3×3 convolutions with BatchNorm, each followed by a pooling, and
    a dropout before the classifier. About ten times SimpleCNN's parameters and a few points better."""

    def __init__(
        self, in_channels: int = 3, size: int = 32, n_classes: int = 10, mean=None, std=None, width: int = 32
    ):
        super().__init__(in_channels, size, n_classes, mean, std)
        if not 4 <= int(width) <= 128:
            raise ValueError(f"width 4–128, got {width}")
        self.width = int(width)
        self.model_args["width"] = self.width
        w = self.width
        self.side = size // 2 // 2 // 2  # padding=1 keeps the size; three poolings halve it: 32 → 4, 28 → 3

        def block(c_in: int, c_out: int) -> nn.Sequential:
            return nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(),
                nn.MaxPool2d(2),
            )

        self.block1, self.block2, self.block3 = block(in_channels, w), block(w, 2 * w), block(2 * w, 4 * w)
        self.dropout = nn.Dropout(0.3)
        self.fc1 = nn.Linear(4 * w * self.side * self.side, 256)
        self.fc2 = nn.Linear(256, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.normalize(x)  # (B, 3, 32, 32)
        x = self.block1(x)  # (B, 32, 16, 16)
        x = self.block2(x)  # (B, 64, 8, 8)
        x = self.block3(x)  # (B, 128, 4, 4)
        x = self.dropout(x.flatten(1))  # (B, 2048)
        x = F.relu(self.fc1(x))  # (B, 256)
        return self.fc2(self.dropout(x))  # (B, 10): logits


MODELS = {"simple": SimpleCNN, "deeper": DeeperCNN}


def build(
    name: str, in_channels: int, size: int, n_classes: int, mean=None, std=None, width: int = 16
) -> nn.Module:
    """The model called `name` ("simple" | "deeper", of `width` channels) for in_channels × size × size."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {tuple(MODELS)}")
    if name == "deeper":
        return DeeperCNN(in_channels, size, n_classes, mean, std, width=width)
    return SimpleCNN(in_channels, size, n_classes, mean, std)


def layer_table(model: nn.Module, x: torch.Tensor) -> list[dict]:
    """Every leaf layer's output shape and parameter count for input `x` (a torchinfo-like summary made
    from forward hooks): [{"layer", "type", "shape", "params"}], in the order the layers ran."""
    rows, hooks = [], []
    for name, layer in model.named_modules():
        if name and not list(layer.children()):

            def hook(module, _inputs, output, name=name):
                params = sum(p.numel() for p in module.parameters())
                rows.append(
                    {
                        "layer": name,
                        "type": type(module).__name__,
                        "shape": tuple(output.shape),
                        "params": params,
                    }
                )

            hooks.append(layer.register_forward_hook(hook))
    try:
        with torch.no_grad():
            was = model.training
            model.eval()
            model(x)
            model.train(was)
    finally:
        for h in hooks:
            h.remove()
    return rows


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
