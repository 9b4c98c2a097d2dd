"""Digit images as tensors: random affine jitter for training, the [0, 1] <-> [-1, 1] range conversions of
the generative models, and grids of digits for the pages.

The jitter is the augmentation of the CNN (course Part 2) and of the autoencoders (004, ch. 2); the
grids are torchvision's `make_grid`, as the course's `save_image(..., nrow=...)` draws them.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torchvision.utils import make_grid


def augment_batch(
    x: torch.Tensor,
    generator: torch.Generator,
    max_deg: float = 12.0,
    max_shift: float = 2.0,
    scale: tuple[float, float] = (0.9, 1.1),
) -> torch.Tensor:
    """A random affine warp per image: rotation +-max_deg, scale, shift +-max_shift pixels.

    (B, 1, H, W) in [0, 1] -> the same shape in [0, 1]; the draws come from `generator` on its own
    device, so a seed gives the same warps whatever device the images are on.
    """
    B = x.shape[0]
    u = torch.rand(B, 4, generator=generator, device=generator.device).to(x.device)  # (B, 4) in [0, 1)
    angle = (u[:, 0] * 2 - 1) * math.radians(max_deg)  # (B,)
    s = scale[0] + u[:, 1] * (scale[1] - scale[0])  # (B,)
    shift = (u[:, 2:] * 2 - 1) * (max_shift * 2 / x.shape[-1])  # (B, 2): pixels -> [-1, 1] units
    cos, sin = torch.cos(angle) / s, torch.sin(angle) / s  # the inverse map: output -> input coordinates
    rows = (torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1))
    theta = torch.stack(rows, 1).to(x.dtype)  # (B, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)  # (B, H, W, 2)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out.clamp_(0, 1)  # bilinear mixing of [0, 1] pixels may round a hair past 1


def to_signed_range(x: torch.Tensor) -> torch.Tensor:
    """[0, 1] images -> [-1, 1]: the range of a GAN generator's Tanh (so D cannot tell real from fake by
    range), and the range a diffusion model's N(0, 1) noise is matched to."""
    return x * 2 - 1


def to_unit_range(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] images (a model's output) -> [0, 1], clipped: what the pages draw and the CNN reads."""
    return ((x + 1) / 2).clamp(0, 1)


def to_uint8(x: np.ndarray | torch.Tensor) -> np.ndarray:
    """Values in [0, 1] (clipped) -> uint8 0..255, any shape."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return (np.clip(np.asarray(x, dtype=np.float32), 0, 1) * 255).round().astype(np.uint8)


def tile(
    images: torch.Tensor | np.ndarray,
    nrow: int,
    padding: int = 0,
    pad_value: float = 0.0,
    scale: int = 1,
) -> np.ndarray:
    """Images side by side, `nrow` per row: one uint8 (H, W) picture, enlarged `scale` times.

    `images`: (N, 1, S, S) or (N, S, S), floats in [0, 1] or uint8. `padding` pixels of `pad_value`
    go between and around the images (torchvision's `make_grid`); empty cells stay `pad_value`.
    """
    x = torch.as_tensor(np.asarray(images.detach().cpu() if isinstance(images, torch.Tensor) else images))
    x = x.float() / 255 if x.dtype == torch.uint8 else x.float()
    if x.dim() == 3:
        x = x[:, None]  # (N, 1, S, S)
    # (H, W): make_grid gives 3 equal channels
    grid = make_grid(x, nrow=nrow, padding=padding, pad_value=pad_value)[0]
    img = to_uint8(grid)
    return np.kron(img, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else img
