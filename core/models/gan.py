"""DCGAN and conditional GAN for MNIST (28x28) and scikit-learn digits (8x8).

Source: the course's DCGAN script (Part 3, section 3.2) and the cGAN lesson (003); "improved" settings follow Radford et al. 2015 (DCGAN: batch norm,
Adam betas (0.5, 0.999)) and pytorch/examples/dcgan. Discriminators return *logits*: the course's
`Sigmoid` + `BCELoss` is the same loss computed as `BCEWithLogitsLoss`, which cannot overflow.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

FAMILIES = ("Generator", "Discriminator", "CondGenerator", "CondDiscriminator")
N_CLASSES = 10


def one_hot(labels: torch.Tensor, n_classes: int = N_CLASSES) -> torch.Tensor:
    """Digit labels (B,) int64 -> one-hot vectors (B, 10) float: label 3 -> (0,0,0,1,0,...)."""
    return F.one_hot(labels.long(), n_classes).float()


def _norm2d(channels: int, batch_norm: bool) -> nn.Module:
    return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()


def _sn(layer: nn.Module, on: bool) -> nn.Module:
    """Spectral normalisation (Miyato et al. 2018): caps how steeply D can change, so D cannot win
    outright on a small data set and G keeps getting useful gradients."""
    return nn.utils.parametrizations.spectral_norm(layer) if on else layer


class Generator(nn.Module):
    """z (B, latent_dim) -> image (B, 1, 28, 28) in [-1, 1].

    Course: Linear(100 -> 128*7*7) -> ReLU -> ConvT(128 -> 64) -> ReLU -> ConvT(64 -> 1) -> Tanh,
    i.e. `width=128, batch_norm=False`. The improved variant adds batch norm after each hidden layer.
    `mapping > 0` first sends z through two dense LeakyReLU layers of that width (StyleGAN's mapping
    network, Karras et al. 2019): G can then bend the round Gaussian cloud into separate digits
    instead of spreading samples over the blends between them. `refine=True` adds a 3x3 convolution
    (with batch norm and ReLU) at 14x14, between the two upsamplings (as in later DCGAN variants).
    """

    def __init__(
        self,
        latent_dim: int = 100,
        width: int = 128,
        batch_norm: bool = False,
        mapping: int = 0,
        refine: bool = False,
    ):
        super().__init__()
        self.latent_dim, self.width = latent_dim, width
        # what a checkpoint stores; the mapping network and the refining conv are named only when used,
        # so a plain DCGAN's config stays the course's three arguments
        self.model_args = dict(latent_dim=latent_dim, width=width, batch_norm=batch_norm)
        self.model_args |= ({"mapping": mapping} if mapping else {}) | ({"refine": True} if refine else {})
        self.mapping = (
            nn.Sequential(
                nn.Linear(latent_dim, mapping),
                nn.LeakyReLU(0.2),
                nn.Linear(mapping, mapping),
                nn.LeakyReLU(0.2),
            )
            if mapping > 0
            else nn.Identity()
        )
        self.fc = nn.Linear(mapping or latent_dim, width * 7 * 7)
        self.bn0 = nn.BatchNorm1d(width * 7 * 7) if batch_norm else nn.Identity()
        self.up1 = nn.ConvTranspose2d(width, width // 2, kernel_size=4, stride=2, padding=1)
        self.bn1 = _norm2d(width // 2, batch_norm)
        self.refine = (
            nn.Sequential(
                nn.Conv2d(width // 2, width // 2, kernel_size=3, padding=1),
                _norm2d(width // 2, batch_norm),
                nn.ReLU(),
            )
            if refine
            else nn.Identity()
        )
        self.up2 = nn.ConvTranspose2d(width // 2, 1, kernel_size=4, stride=2, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn0(self.fc(self.mapping(z))))  # (B, width*7*7)
        h = h.view(-1, self.width, 7, 7)  # (B, width, 7, 7)
        h = F.relu(self.bn1(self.up1(h)))  # (B, width/2, 14, 14)
        h = self.refine(h)  # (B, width/2, 14, 14): a 3x3 conv may tidy the strokes before upsampling
        return torch.tanh(self.up2(h))  # (B, 1, 28, 28) in [-1, 1]


class Discriminator(nn.Module):
    """image (B, 1, 28, 28) in [-1, 1] -> logit (B, 1); D(x) = sigmoid(logit) = P(real).

    Course: Conv(1 -> 64) -> LeakyReLU 0.2 -> Conv(64 -> 128) -> LeakyReLU -> Linear -> Sigmoid
    (`width=64, batch_norm=False`). Improved: batch norm on the second conv.
    """

    def __init__(
        self, width: int = 64, batch_norm: bool = False, spectral_norm: bool = False, mbstd: bool = False
    ):
        super().__init__()
        self.width, self.spectral_norm, self.mbstd = width, spectral_norm, mbstd
        self.model_args = dict(width=width, batch_norm=batch_norm, spectral_norm=spectral_norm, mbstd=mbstd)
        self.conv1 = _sn(nn.Conv2d(1, width, kernel_size=4, stride=2, padding=1), spectral_norm)
        self.conv2 = _sn(nn.Conv2d(width, width * 2, kernel_size=4, stride=2, padding=1), spectral_norm)
        self.bn2 = _norm2d(width * 2, batch_norm)
        self.fc = _sn(nn.Linear(width * 2 * 7 * 7 + (1 if mbstd else 0), 1), spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.shape[1:] == (1, 28, 28), f"D expects 1x28x28, got {tuple(x.shape[1:])}"
        h = F.leaky_relu(self.conv1(x), 0.2)  # (B, width, 14, 14)
        h = F.leaky_relu(self.bn2(self.conv2(h)), 0.2).flatten(1)  # (B, 2*width*7*7)
        if self.mbstd:  # minibatch std-dev (ProGAN): lets D see a batch that lacks variety
            spread = h.std(dim=0).mean().expand(len(h), 1)  # (B, 1)
            h = torch.cat([h, spread], dim=1)
        return self.fc(h)  # (B, 1) logit


class CondGenerator(nn.Module):
    """G(z, y): noise (B, latent_dim) + one-hot digit (B, 10) -> image (B, 1, S, S) in [-1, 1].

    `image_size=28`: the DCGAN generator fed `[z, onehot(y)]` (MNIST). `image_size=8`: a small MLP,
    as in the lesson's 8x8 scikit-learn digits.
    """

    def __init__(
        self, latent_dim: int = 100, width: int = 128, image_size: int = 28, batch_norm: bool = True
    ):
        super().__init__()
        assert image_size in (8, 28), "image_size is 28 (MNIST) or 8 (scikit-learn digits)"
        self.latent_dim, self.width, self.image_size = latent_dim, width, image_size
        self.model_args = dict(
            latent_dim=latent_dim, width=width, image_size=image_size, batch_norm=batch_norm
        )
        d_in = latent_dim + N_CLASSES
        if image_size == 28:
            self.body = Generator(d_in, width, batch_norm)
        else:
            bn = nn.BatchNorm1d if batch_norm else (lambda n: nn.Identity())
            self.body = nn.Sequential(
                nn.Linear(d_in, width),
                bn(width),
                nn.ReLU(),
                nn.Linear(width, width * 2),
                bn(width * 2),
                nn.ReLU(),
                nn.Linear(width * 2, 64),
                nn.Tanh(),
            )

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """y: one-hot (B, 10)."""
        h = torch.cat([z, y], dim=1)  # (B, latent_dim + 10): the label rides along with the noise
        out = self.body(h)  # (B, 1, 28, 28) or (B, 64)
        return out.view(-1, 1, self.image_size, self.image_size)  # (B, 1, S, S)


class CondDiscriminator(nn.Module):
    """D(x, y): image (B, 1, S, S) + one-hot digit (B, 10) -> logit (B, 1): "a real image OF digit y".

    28x28: the label is broadcast to 10 constant 28x28 planes stacked onto the image (so every conv
    sees it) and concatenated again before the last layer. 8x8: an MLP on `[flatten(x), y]`.
    `aux=True` (28x28, AC-GAN, Odena et al. 2017): the convs see the image only, the label enters by
    projection (Miyato & Koyama 2018), and a second head names the digit (`forward_both`).
    """

    def __init__(
        self,
        width: int = 64,
        image_size: int = 28,
        batch_norm: bool = True,
        spectral_norm: bool = False,
        aux: bool = False,
    ):
        super().__init__()
        assert image_size in (8, 28), "image_size is 28 (MNIST) or 8 (scikit-learn digits)"
        assert not (aux and image_size != 28), "the auxiliary classifier is for 28x28 only"
        self.width, self.image_size, self.spectral_norm, self.aux = width, image_size, spectral_norm, aux
        self.model_args = dict(
            width=width, image_size=image_size, batch_norm=batch_norm, spectral_norm=spectral_norm, aux=aux
        )
        sn = spectral_norm
        if image_size == 28:
            planes = 0 if aux else N_CLASSES
            feat = width * 2 * 7 * 7
            self.conv1 = _sn(nn.Conv2d(1 + planes, width, kernel_size=4, stride=2, padding=1), sn)
            self.conv2 = _sn(nn.Conv2d(width, width * 2, kernel_size=4, stride=2, padding=1), sn)
            self.bn2 = _norm2d(width * 2, batch_norm)
            self.fc = _sn(nn.Linear(feat + planes, 1), sn)
            if aux:
                self.embed = nn.Linear(N_CLASSES, feat, bias=False)  # projection: <embed(y), h>
                self.cls = nn.Linear(feat, N_CLASSES)  # which digit is this? (logits)
        else:
            self.mlp = nn.Sequential(
                nn.Linear(64 + N_CLASSES, width * 2),
                nn.LeakyReLU(0.2),
                nn.Linear(width * 2, width),
                nn.LeakyReLU(0.2),
                nn.Linear(width, 1),
            )

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.forward_both(x, y)[0]

    def forward_both(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(real/fake logit (B, 1), digit logits (B, 10) or None without `aux`)."""
        s = self.image_size
        assert x.shape[1:] == (1, s, s), f"D expects 1x{s}x{s}, got {tuple(x.shape[1:])}"
        if s == 8:
            return self.mlp(torch.cat([x.flatten(1), y], dim=1)), None  # (B, 1)
        if self.aux:
            h = F.leaky_relu(self.conv1(x), 0.2)  # (B, width, 14, 14)
            h = F.leaky_relu(self.bn2(self.conv2(h)), 0.2).flatten(1)  # (B, 2*width*7*7)
            adv = self.fc(h) + (self.embed(y) * h).sum(1, keepdim=True)  # (B, 1)
            return adv, self.cls(h)  # (B, 1), (B, 10)
        planes = y[:, :, None, None].expand(-1, -1, s, s)  # (B, 10, 28, 28)
        h = F.leaky_relu(self.conv1(torch.cat([x, planes], dim=1)), 0.2)  # (B, width, 14, 14)
        h = F.leaky_relu(self.bn2(self.conv2(h)), 0.2)  # (B, 2*width, 7, 7)
        return self.fc(torch.cat([h.flatten(1), y], dim=1)), None  # (B, 1) logit
