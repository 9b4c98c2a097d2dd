"""Autoencoders of the course (004, ch. 2) for 28x28 digits: a dense AE, a convolutional AE and a VAE.

`DenseAE` is the notes' 784-256-128-16 autoencoder; `ConvAE` their 3x3 stride-2 encoder (32/64/128
channels) with a mirrored decoder; `ConvVAE` the same encoder emitting (mu, logvar) and the sampler
`reparameterize` (Kingma & Welling 2014). Each has `encode / decode / embed`; `vae_loss` = BCE + beta * KL.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

FAMILIES = ("DenseAE", "ConvAE", "ConvVAE")
CHANNELS = (32, 64, 128)  # the notes' encoder widths, mirrored by the decoder


def _conv_args(latent_dim: int, c1: int, c2: int, c3: int, hidden: int) -> dict:
    """What a checkpoint stores: the code size, plus the widths and the dense layer only where they
    differ from the notes' model (so the notes' model keeps its one-argument config)."""
    args: dict = {"latent_dim": latent_dim}
    if (c1, c2, c3) != CHANNELS:
        args |= {"c1": c1, "c2": c2, "c3": c3}
    return args | ({"hidden": hidden} if hidden else {})


def _check_input(x: torch.Tensor) -> None:
    assert x.shape[1:] == (1, 28, 28), f"the autoencoders expect Bx1x28x28, got {tuple(x.shape)}"


class DenseAE(nn.Module):
    """The notes' dense autoencoder; `latent_dim` is 16 there (ReLU on the code, as in the notes)."""

    variational = False

    def __init__(self, latent_dim: int = 16, hidden1: int = 256, hidden2: int = 128):
        super().__init__()
        self.latent_dim = latent_dim
        self.model_args: dict = {"latent_dim": latent_dim}  # the layer widths only when not the notes'
        if (hidden1, hidden2) != (256, 128):
            self.model_args |= {"hidden1": hidden1, "hidden2": hidden2}
        self.encoder = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, hidden1),
            nn.ReLU(),
            nn.Linear(hidden1, hidden2),
            nn.ReLU(),
            nn.Linear(hidden2, latent_dim),
            nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, hidden2),
            nn.ReLU(),
            nn.Linear(hidden2, hidden1),
            nn.ReLU(),
            nn.Linear(hidden1, 784),
            nn.Sigmoid(),
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        _check_input(x)
        return self.encoder(x)  # (B, latent_dim)

    embed = encode  # the point a digit lands on: for an AE, its code

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z).view(-1, 1, 28, 28)  # (B, 1, 28, 28) in [0, 1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def _dense(n_in: int, n_out: int, hidden: int) -> nn.Module:
    """Linear n_in → n_out, or through one ReLU layer of width `hidden` when hidden > 0."""
    if hidden <= 0:
        return nn.Linear(n_in, n_out)
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))


class ConvEncoder(nn.Module):
    """Conv 3x3 stride 2 three times (28 → 14 → 7 → 4), then a linear layer to `out_features`."""

    def __init__(self, out_features: int, c1: int = 32, c2: int = 64, c3: int = 128, hidden: int = 0):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, c1, 3, stride=2, padding=1),
            nn.ReLU(),  # (B, c1, 14, 14)
            nn.Conv2d(c1, c2, 3, stride=2, padding=1),
            nn.ReLU(),  # (B, c2, 7, 7)
            nn.Conv2d(c2, c3, 3, stride=2, padding=1),
            nn.ReLU(),  # (B, c3, 4, 4)
            nn.Flatten(),  # (B, c3 * 16)
        )
        self.fc = _dense(c3 * 4 * 4, out_features, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_input(x)
        return self.fc(self.conv(x))  # (B, out_features)


class ConvDecoder(nn.Module):
    """The encoder mirrored: linear to 128x4x4, then transposed convs 4 → 7 → 14 → 28, sigmoid."""

    def __init__(self, latent_dim: int, c1: int = 32, c2: int = 64, c3: int = 128, hidden: int = 0):
        super().__init__()
        self.c3 = c3
        self.fc = _dense(latent_dim, c3 * 4 * 4, hidden)
        # output_padding picks the larger of the two sizes a stride-2 conv could have come from
        self.deconv = nn.Sequential(
            nn.ReLU(),
            nn.ConvTranspose2d(c3, c2, 3, stride=2, padding=1),
            nn.ReLU(),  # (B, c2, 7, 7)
            nn.ConvTranspose2d(c2, c1, 3, stride=2, padding=1, output_padding=1),
            nn.ReLU(),  # (B, c1, 14, 14)
            nn.ConvTranspose2d(c1, 1, 3, stride=2, padding=1, output_padding=1),  # (B, 1, 28, 28)
            nn.Sigmoid(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.fc(z).view(-1, self.c3, 4, 4)  # (B, c3, 4, 4)
        return self.deconv(h)  # (B, 1, 28, 28) in [0, 1]


class ConvAE(nn.Module):
    """The notes' CNN autoencoder: the code is a point, so nothing keeps clusters close or gap-free."""

    variational = False

    def __init__(self, latent_dim: int = 2, c1: int = 32, c2: int = 64, c3: int = 128, hidden: int = 0):
        super().__init__()
        self.latent_dim = latent_dim
        self.model_args = _conv_args(latent_dim, c1, c2, c3, hidden)
        self.encoder = ConvEncoder(latent_dim, c1, c2, c3, hidden)
        self.decoder = ConvDecoder(latent_dim, c1, c2, c3, hidden)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)  # (B, latent_dim)

    embed = encode

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, 1, 28, 28)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class ConvVAE(nn.Module):
    """Encoder → (mu, logvar) → z = mu + sigma * eps → decoder (the notes' encoder + sampler).

    `hidden > 0` puts one dense ReLU layer of that width between the convolutions and the code on both
    sides (0 = the notes' model): a 2-D code then unfolds into digit shapes more easily.
    """

    variational = True

    def __init__(self, latent_dim: int = 2, c1: int = 32, c2: int = 64, c3: int = 128, hidden: int = 0):
        super().__init__()
        self.latent_dim = latent_dim
        self.model_args = _conv_args(latent_dim, c1, c2, c3, hidden)
        self.encoder = ConvEncoder(2 * latent_dim, c1, c2, c3, hidden)  # the notes' Dense(4): means, log-vars
        self.decoder = ConvDecoder(latent_dim, c1, c2, c3, hidden)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x)  # (B, 2 * latent_dim)
        mu, logvar = h.chunk(2, dim=1)  # (B, latent_dim) each
        return mu, logvar

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)[0]  # the mean: where a digit lands on the map

    def reparameterize(
        self, mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """z = mu + exp(logvar / 2) * eps, eps ~ N(0, I): the randomness moves out of the gradient path."""
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps  # (B, latent_dim)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, 1, 28, 28)

    def forward(
        self, x: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, generator)
        return self.decode(z), mu, logvar


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, sigma^2) || N(0, I)) per sample, summed over latent dims: (B, d) -> (B,).

    -1/2 * sum(1 + log sigma^2 - mu^2 - sigma^2) (Kingma & Welling 2014, Appendix B);
    zero iff mu = 0 and sigma = 1.
    """
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def reconstruction_bce(recon: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy summed over the 784 pixels, per sample: (B, 1, 28, 28) -> (B,)."""
    return F.binary_cross_entropy(recon, x, reduction="none").flatten(1).sum(dim=1)


def vae_loss(
    recon: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, beta: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, reconstruction, KL), batch means: loss = BCE + beta * KL (beta = 1 is the ELBO)."""
    rec = reconstruction_bce(recon, x).mean()
    kl = kl_divergence(mu, logvar).mean()
    return rec + beta * kl, rec, kl


def ae_loss(recon: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A plain autoencoder has only the reconstruction term (same per-image BCE, for comparable curves)."""
    return reconstruction_bce(recon, x).mean()
