"""A small class-conditional U-Net denoiser for 28x28 digits (course Part 3: diffusion models).

One network serves both objectives of the lesson: DDPM's noise prediction (Ho et al. 2020) and the
velocity of flow matching / rectified flow (Lipman et al. 2023; Liu et al. 2023). It sees a noisy image
x_t, the time t in [0, 1] (1 = pure noise) and a digit label; label `N_CLASSES` is the "no class"
token that classifier-free guidance needs (Ho & Salimans 2022). The U-Net follows DDPM's (ResNet blocks
with the time added to every block, skip connections across each resolution), shrunk to 16/32 channels.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

FAMILIES = ("UNet",)
N_CLASSES = 10
NULL_LABEL = N_CLASSES  # the "no class" token: the unconditional model inside the conditional one
OBJECTIVES = ("flow", "ddpm")  # what the output means: the velocity x1 - x0, or the noise eps
SCHEDULES = ("linear", "cosine")  # DDPM's beta schedules (flow matching needs none)


def time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features of t in [0, 1] (the Transformer's positions, DDPM's time): (B,) -> (B, dim).

    t is scaled by 1000 so that the fastest waves change within one of DDPM's 1,000 steps."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000) * torch.arange(half, device=t.device) / half)  # (half,)
    angles = 1000 * t.float()[:, None] * freqs[None]  # (B, half)
    return torch.cat([angles.sin(), angles.cos()], dim=1)  # (B, dim)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice, with the time-and-label embedding added in between (DDPM's block)."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int, groups: int = 8):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, c_out)  # one shift per channel: where in time and which digit
        self.norm2 = nn.GroupNorm(groups, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))  # (B, c_out, H, W)
        h = h + self.emb(F.silu(emb))[:, :, None, None]  # (B, c_out, H, W)
        h = self.conv2(F.silu(self.norm2(h)))  # (B, c_out, H, W)
        return h + self.skip(x)  # (B, c_out, H, W)


class UNet(nn.Module):
    """(x_t, t, label) -> a prediction shaped like x_t: the noise (ddpm) or the velocity (flow).

    28x28 (c1) -> 14x14 (c2) -> 7x7 (c2) and back, each decoder level joined with the encoder's output
    of the same size. `objective` and `schedule` do not change the layers; they are kept in `model_args`
    so a checkpoint says how its outputs are to be read and sampled.
    """

    def __init__(
        self,
        c1: int = 16,
        c2: int = 32,
        emb_dim: int = 64,
        objective: str = "flow",
        schedule: str = "linear",
        timesteps: int = 1000,
    ):
        super().__init__()
        assert objective in OBJECTIVES, f"objective must be one of {OBJECTIVES}, got {objective!r}"
        assert schedule in SCHEDULES, f"schedule must be one of {SCHEDULES}, got {schedule!r}"
        self.objective, self.schedule, self.timesteps = objective, schedule, timesteps
        self.model_args = dict(
            c1=c1, c2=c2, emb_dim=emb_dim, objective=objective, schedule=schedule, timesteps=timesteps
        )
        self.emb_dim = emb_dim
        self.time_mlp = nn.Sequential(
            nn.Linear(emb_dim, 2 * emb_dim), nn.SiLU(), nn.Linear(2 * emb_dim, emb_dim)
        )
        self.label_emb = nn.Embedding(N_CLASSES + 1, emb_dim)  # 10 digits + the "no class" token
        self.stem = nn.Conv2d(1, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, emb_dim)
        self.pool1 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)
        self.down2 = ResBlock(c2, c2, emb_dim)
        self.pool2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.mid1 = ResBlock(c2, c2, emb_dim)
        self.mid2 = ResBlock(c2, c2, emb_dim)
        self.up2 = nn.Conv2d(c2, c2, 3, padding=1)
        self.dec2 = ResBlock(2 * c2, c2, emb_dim)
        self.up1 = nn.Conv2d(c2, c1, 3, padding=1)
        self.dec1 = ResBlock(2 * c1, c1, emb_dim)
        self.out_norm = nn.GroupNorm(8, c1)
        self.out = nn.Conv2d(c1, 1, 3, padding=1)

    def forward(self, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        assert x.shape[1:] == (1, 28, 28), f"the U-Net expects Bx1x28x28, got {tuple(x.shape)}"
        emb = self.time_mlp(time_embedding(t, self.emb_dim)) + self.label_emb(labels)  # (B, emb)
        h0 = self.down1(self.stem(x), emb)  # (B, c1, 28, 28)
        h1 = self.down2(self.pool1(h0), emb)  # (B, c2, 14, 14)
        h = self.mid1(self.pool2(h1), emb)  # (B, c2, 7, 7)
        h = self.mid2(h, emb)  # (B, c2, 7, 7)
        h = self.up2(F.interpolate(h, size=(14, 14), mode="nearest"))  # (B, c2, 14, 14)
        h = self.dec2(torch.cat([h, h1], dim=1), emb)  # (B, c2, 14, 14)
        h = self.up1(F.interpolate(h, size=(28, 28), mode="nearest"))  # (B, c1, 28, 28)
        h = self.dec1(torch.cat([h, h0], dim=1), emb)  # (B, c1, 28, 28)
        return self.out(F.silu(self.out_norm(h)))  # (B, 1, 28, 28)
