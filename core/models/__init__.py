"""Model families of the course, one file each (mlp, cnn, gan, vae, diffusion, gpt), and what they share.

Every model keeps the arguments it was built with in `model.model_args` (nanoGPT's `model_args`): a
checkpoint stores that dict and `core.checkpoints.load` rebuilds the model from it. A checkpoint names
its family as "<module>.<Class>" (e.g. "cnn.MNISTCNN"); `resolve_family` maps that name back to a class,
but only to classes a module lists in its `FAMILIES` tuple, so a checkpoint can never make the lab import
or build anything else.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import re
from collections.abc import Iterator

import torch
from torch import nn

_FAMILY = re.compile(r"^([a-z_]+)\.([A-Za-z_][A-Za-z0-9_]*)$")


def family_name(model: nn.Module) -> str:
    return f"{type(model).__module__.rsplit('.', 1)[-1]}.{type(model).__name__}"


def resolve_family(name: str) -> type[nn.Module]:
    """The class behind a family name; ValueError for anything not declared in core.models."""
    m = _FAMILY.match(name or "")
    if not m:
        raise ValueError(f"not a model family: {name!r}")
    try:
        module = importlib.import_module(f"core.models.{m.group(1)}")
    except ImportError as e:
        raise ValueError(f"unknown model family: {name!r}") from e
    if m.group(2) not in getattr(module, "FAMILIES", ()):
        raise ValueError(f"unknown model family: {name!r}")
    return getattr(module, m.group(2))


def reset_parameters(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """PyTorch's default init for Linear/Conv layers, drawn from `generator` instead of the global RNG.

    The global RNG is shared by every session's thread, so only a per-run generator makes a seed
    reproduce a run while other students train.
    """
    for layer in model.modules():
        if isinstance(layer, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            if layer.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(layer.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
        elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            layer.reset_parameters()  # deterministic: ones and zeros
    return model


class Dropout(nn.Dropout):
    """`nn.Dropout` that draws its mask from a per-run generator once `attach_generator` gave it one.

    Two reasons: the global RNG is shared by every session's thread (a seed would not reproduce a
    run), and its mask costs a fraction of `bernoulli_`'s random draws on a CPU.
    Without a generator it is exactly `nn.Dropout`; it has no parameters, so checkpoints are unchanged.
    """

    generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0 or self.generator is None:
            return super().forward(x)
        if self.p >= 1:
            return torch.zeros_like(x)
        # 15 uniform random bits per element, four elements per 64-bit draw: a quarter of the draws
        # of torch.rand. p is quantised to 1/32768; the scale uses the quantised p, so E[out] = x.
        n, levels = x.numel(), 32768
        draws = torch.empty((n + 3) // 4, dtype=torch.int64, device=x.device).random_(
            generator=self.generator
        )
        bits = draws.view(torch.int16)[:n].view(x.shape) & 0x7FFF  # (same shape as x) in [0, 32767]
        drop = round(self.p * levels)
        keep = bits >= drop
        return x * keep.to(x.dtype).mul_(levels / (levels - drop))


def attach_generator(model: nn.Module, generator: torch.Generator, device: str | torch.device) -> None:
    """Give every `Dropout` of `model` a generator on `device`, seeded from `generator`."""
    device = torch.device(device)
    seed = int(torch.randint(0, 2**62, (1,), generator=generator).item())
    for layer in model.modules():
        if isinstance(layer, Dropout):
            layer.generator = torch.Generator(device).manual_seed(seed)
            seed += 1


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def model_args(model: nn.Module) -> dict:
    """The constructor arguments `model` was built with (a copy of `model.model_args`)."""
    return dict(model.model_args)


@torch.no_grad()
def ema_update(avg: nn.Module, model: nn.Module, decay: float) -> None:
    """avg <- decay * avg + (1 - decay) * model, the weights' moving average that the GAN and diffusion
    loops sample from; buffers (batch-norm statistics) are copied as they are."""
    for pa, pm in zip(avg.parameters(), model.parameters()):
        pa.lerp_(pm, 1 - decay)
    for ba, bm in zip(avg.buffers(), model.buffers()):
        ba.copy_(bm)


@contextlib.contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Eval mode (dropout off, batch-norm running statistics) inside the block, the previous mode after.

    A training loop can look at its model between batches and go on training as if nothing happened.
    """
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
