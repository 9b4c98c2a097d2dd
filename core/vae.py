"""Training and exploring the autoencoders of the course (004, ch. 2: AE, CNN AE, VAE; Kingma & Welling 2014).

`train_autoencoder` is a generator in the style of `core.train.fit`: a record per batch (loss,
reconstruction and KL terms) and per epoch (plus a 2-D latent map and a manifold grid). The helpers
below turn a model into what the page shows: the latent map, decoded grids, interpolations, samples.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from core import images, records
from core.configs import from_dict
from core.metrics import classify, digit_shares
from core.models import evaluating, model_args, reset_parameters
from core.models.vae import (
    CHANNELS,
    ConvAE,
    ConvVAE,
    DenseAE,
    ae_loss,
    kl_divergence,
    reconstruction_bce,
    vae_loss,
)

KINDS = ("vae", "ae", "dense")  # ConvVAE, ConvAE, DenseAE
FAMILY = {"vae": "vae.ConvVAE", "ae": "vae.ConvAE", "dense": "vae.DenseAE"}


@dataclass(frozen=True)
class VAEConfig:
    kind: str = "vae"  # "vae" | "ae" | "dense" (the notes' order: dense AE, CNN AE, VAE)
    latent_dim: int = 2  # 2 draws as a map; 16 reconstructs sharper but needs a projection to draw
    beta: float = 1.0  # weight of the KL term; 1 is the true ELBO, 0 turns a VAE into a noisy AE
    epochs: int = 10  # a lesson-length run on 4,000 digits (seconds per epoch: bench/README.md, Defaults)
    batch_size: int = 128  # large enough for a stable KL estimate, small enough for ~30 steps/epoch
    lr: float = 1e-3  # Adam's default; the VAE is not sensitive to it
    seed: int = 0  # initial weights, batch order and the sampler's noise
    augment: bool = False  # small random shifts/rotations/scales per batch: 4,000 digits overfit otherwise
    channels: tuple[int, int, int] = CHANNELS  # conv widths (the notes' 32/64/128); wider decodes sharper
    hidden: int = 0  # > 0: a dense ReLU layer of this width on each side of the code (0: the notes' model)
    input_dropout: float = 0.0  # denoising: this share of input pixels is blanked, the target stays whole
    augment_input: bool = False  # jitter only what the encoder sees: the code learns to ignore small shifts

    def as_dict(self) -> dict:
        return asdict(self)


def build_model(cfg: VAEConfig, generator: torch.Generator | None = None) -> nn.Module:
    """A fresh model of `cfg.kind`, initialised from `generator` (or from `cfg.seed`)."""
    assert cfg.kind in KINDS, f"kind must be one of {KINDS}, got {cfg.kind!r}"
    cls = {"vae": ConvVAE, "ae": ConvAE, "dense": DenseAE}[cfg.kind]
    widths = dict(zip(("c1", "c2", "c3"), cfg.channels), hidden=cfg.hidden) if cfg.kind != "dense" else {}
    model = cls(latent_dim=cfg.latent_dim, **widths)
    return reset_parameters(model, generator or torch.Generator().manual_seed(cfg.seed))


def augment_batch(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """`core.images.augment_batch` with the autoencoders' gentler rotation (+-10 deg): (B, 1, 28, 28)."""
    return images.augment_batch(x, generator, max_deg=10.0)


def drop_pixels(x: torch.Tensor, share: float, generator: torch.Generator) -> torch.Tensor:
    """x with a random `share` of its pixels set to 0 (denoising autoencoders, Vincent et al. 2008)."""
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= share
    return x * keep


def _losses(
    model: nn.Module,
    x: torch.Tensor,
    beta: float,
    generator: torch.Generator | None,
    x_in: torch.Tensor | None = None,
):
    """(loss, recon, kl) for one batch; an AE's KL is 0. `x_in` (default x) is what the encoder sees:
    the loss always compares the output with the clean x."""
    x_in = x if x_in is None else x_in
    if getattr(model, "variational", False):
        recon, mu, logvar = model(x_in, generator)
        return vae_loss(recon, x, mu, logvar, beta)
    loss = ae_loss(model(x_in), x)
    return loss, loss, torch.zeros((), device=x.device)


@torch.inference_mode()
def evaluate(model: nn.Module, x: torch.Tensor, beta: float = 1.0, batch_size: int = 500) -> dict:
    """Mean reconstruction (decoding the mean: no sampling noise) and KL on `x`."""
    device = next(model.parameters()).device
    rec_sum = kl_sum = 0.0
    with evaluating(model):
        for i in range(0, len(x), batch_size):
            xb = x[i : i + batch_size].to(device)  # (B, 1, 28, 28)
            if model.variational:
                mu, logvar = model.encode(xb)  # (B, d) each
                rec_sum += reconstruction_bce(model.decode(mu), xb).sum().item()
                kl_sum += kl_divergence(mu, logvar).sum().item()
            else:
                rec_sum += reconstruction_bce(model(xb), xb).sum().item()
    n = max(1, len(x))
    return {"recon": rec_sum / n, "kl": kl_sum / n, "loss": (rec_sum + beta * kl_sum) / n}


def train_autoencoder(
    model: nn.Module,
    x: torch.Tensor,
    cfg: VAEConfig,
    x_test: torch.Tensor | None = None,
    y_test: torch.Tensor | None = None,
    device: str | torch.device = "cpu",
    generator: torch.Generator | None = None,
    map_points: int = 1000,
    grid: int = 15,
    start_epoch: int = 0,
) -> Iterator[dict]:
    """Adam on BCE (+ beta * KL for a VAE), yielding records like `core.train.fit`.

    step:  {"kind": "step", epoch, batch, batches, step, seen, loss, recon, kl, elapsed}
    epoch: {"kind": "epoch", epoch, train_loss, recon, kl, val_loss, val_recon, val_kl, elapsed,
            images_per_s, latent (N, 2) float32, labels (N,), manifold (grid*28, grid*28) uint8}
    """
    device = torch.device(device)
    gen = generator or torch.Generator().manual_seed(cfg.seed)  # batch order (CPU)
    noise = torch.Generator(device).manual_seed(int(torch.randint(0, 2**62, (1,), generator=gen)))
    model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    x_dev = x.to(device)
    n = len(x)
    batches = math.ceil(n / cfg.batch_size)
    t0, step, seen = time.perf_counter(), 0, 0
    for epoch in range(start_epoch + 1, start_epoch + cfg.epochs + 1):
        model.train()
        perm = torch.randperm(n, generator=gen).to(device)
        sums = {"loss": 0.0, "recon": 0.0, "kl": 0.0}
        t_epoch = time.perf_counter()
        for b in range(batches):
            xb = x_dev[perm[b * cfg.batch_size : (b + 1) * cfg.batch_size]]  # (B, 1, 28, 28)
            if cfg.augment:
                xb = augment_batch(xb, noise)
            x_in = augment_batch(xb, noise) if cfg.augment_input else xb
            x_in = drop_pixels(x_in, cfg.input_dropout, noise) if cfg.input_dropout > 0 else x_in
            loss, rec, kl = _losses(model, xb, cfg.beta, noise, x_in)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step, seen = step + 1, seen + len(xb)
            rec_v, kl_v, loss_v = rec.item(), kl.item(), loss.item()
            if not math.isfinite(loss_v):
                yield records.diverged(epoch, loss_v, step=step)
                return
            for k, v in (("loss", loss_v), ("recon", rec_v), ("kl", kl_v)):
                sums[k] += v * len(xb)
            yield records.step(
                epoch=epoch,
                batch=b + 1,
                batches=batches,
                step=step,
                seen=seen,
                loss=loss_v,
                recon=rec_v,
                kl=kl_v,
                elapsed=time.perf_counter() - t0,
            )
        rec = records.epoch(
            epoch,
            batches=batches,
            train_loss=sums["loss"] / n,
            recon=sums["recon"] / n,
            kl=sums["kl"] / n,
            elapsed=time.perf_counter() - t0,
            images_per_s=n / max(1e-9, time.perf_counter() - t_epoch),
        )
        if x_test is not None and len(x_test):
            val = evaluate(model, x_test, cfg.beta)
            rec.update(val_loss=val["loss"], val_recon=val["recon"], val_kl=val["kl"])
            pts = latent_means(model, x_test[:map_points])
            proj = Projection.fit(pts)
            rec["latent"] = proj.apply(pts).astype(np.float32)
            labels = y_test[:map_points].numpy() if y_test is not None else np.zeros(len(pts), np.int64)
            rec["labels"] = labels
            rec["manifold"] = images.tile(manifold(model, grid, extent(model, rec["latent"]), proj), grid)
        model.train()
        yield rec


# ---------------------------------------------------------------------------------------------
# Exploring a trained model (all under inference_mode; shared models are never changed)


def _device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


@torch.inference_mode()
def latent_means(model: nn.Module, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Where each image lands: the code of an AE, the mean mu of a VAE. (N, 1, 28, 28) -> (N, d) CPU."""
    with evaluating(model):
        out = [
            model.embed(x[i : i + batch_size].to(_device(model))).cpu() for i in range(0, len(x), batch_size)
        ]
    return torch.cat(out) if out else torch.zeros(0, model.latent_dim)


@torch.inference_mode()
def decode(model: nn.Module, z: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Images (N, 1, 28, 28) in [0, 1] on the CPU for latent points (N, d)."""
    z = torch.as_tensor(np.asarray(z, dtype=np.float32)).reshape(-1, model.latent_dim)  # (N, d)
    with evaluating(model):
        return model.decode(z.to(_device(model))).cpu()


@dataclass(frozen=True)
class Projection:
    """Latent space <-> the 2-D plane drawn on the page: identity for d = 2, else the top-2 PCA plane.

    `lift` maps a clicked point back to a latent vector (mean + u * pc1 + v * pc2), so a map of a 16-D
    model is clickable too.
    """

    mean: np.ndarray  # (d,)
    basis: np.ndarray  # (2, d), orthonormal rows

    @staticmethod
    def fit(points: torch.Tensor | np.ndarray) -> Projection:
        p = np.asarray(points, dtype=np.float64)
        d = p.shape[1]
        if d == 2:
            return Projection(np.zeros(2), np.eye(2))
        if d == 1:
            return Projection(np.zeros(1), np.array([[1.0], [0.0]]))
        mean = p.mean(axis=0)
        _, _, vt = np.linalg.svd(p - mean, full_matrices=False)  # rows of vt: principal axes
        return Projection(mean, vt[:2])

    def apply(self, points: torch.Tensor | np.ndarray) -> np.ndarray:
        return (np.asarray(points, dtype=np.float64) - self.mean) @ self.basis.T  # (N, 2)

    def lift(self, uv: np.ndarray) -> np.ndarray:
        return self.mean + np.asarray(uv, dtype=np.float64).reshape(-1, 2) @ self.basis  # (N, d)


def extent(
    model: nn.Module | None, points: np.ndarray | None = None, lim: float = 3.0
) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the plane to draw: [-lim, lim]^2 for a VAE's N(0, I), the data's range else."""
    if getattr(model, "variational", False) or points is None or len(points) == 0:
        return (-lim, lim, -lim, lim)
    lo, hi = np.percentile(points, 1, axis=0), np.percentile(points, 99, axis=0)
    pad = 0.05 * (hi - lo + 1e-6)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def grid_points(n: int, box: tuple[float, float, float, float]) -> np.ndarray:
    """n x n plane coordinates, row-major from the top-left (high y first, as an image): (n*n, 2)."""
    xs = np.linspace(box[0], box[1], n)
    ys = np.linspace(box[3], box[2], n)
    return np.array([(x, y) for y in ys for x in xs])


def manifold(
    model: nn.Module,
    n: int = 15,
    box: tuple[float, float, float, float] = (-3, 3, -3, 3),
    proj: Projection | None = None,
) -> torch.Tensor:
    """Decoded digits over an n x n grid of the latent plane: (n*n, 1, 28, 28)."""
    proj = proj or Projection.fit(np.zeros((1, model.latent_dim)))
    return decode(model, proj.lift(grid_points(n, box)))


def interpolate(model: nn.Module, x_a: torch.Tensor, x_b: torch.Tensor, steps: int = 10) -> torch.Tensor:
    """Decoded points on the straight line between two digits' latent means: (steps, 1, 28, 28)."""
    z = latent_means(model, torch.stack([x_a.reshape(1, 28, 28), x_b.reshape(1, 28, 28)]))  # (2, d)
    w = torch.linspace(0, 1, steps).unsqueeze(1)  # (steps, 1)
    return decode(model, (1 - w) * z[0] + w * z[1])


def sample_prior(model: nn.Module, n: int, generator: torch.Generator) -> torch.Tensor:
    """Decode z ~ N(0, I): (n, 1, 28, 28). Meaningful for a VAE; for an AE it shows why it is not."""
    z = torch.randn(n, model.latent_dim, generator=generator)
    return decode(model, z)


def most_likely(images: torch.Tensor) -> torch.Tensor:
    """The decoder's most likely image instead of its mean: each pixel on where its probability exceeds 1/2
    (the mode of the Bernoulli the BCE loss assumes). The mean is the average of every digit that could sit
    at z, a blur; the mode is one clean stroke, and it is what the class's judge reads as a digit best
    (bench/gen_quality_vae.py: FID of the shipped 2-D VAE's prior samples, mean against mode)."""
    return (images > 0.5).to(images.dtype)


@torch.inference_mode()
def reconstruct(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Decoded latent means (no sampling noise): (N, 1, 28, 28) -> (N, 1, 28, 28)."""
    return decode(model, latent_means(model, x))


def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the run zip's train.py (core/export_scripts/vae.tmpl) for a run's settings and its
    model's stored constructor arguments (those the settings build where the run has no model)."""
    cfg = from_dict(VAEConfig, config)
    arch = dict(model_config) or model_args(build_model(cfg))
    c1, c2, c3 = (arch.get(k, d) for k, d in zip(("c1", "c2", "c3"), CHANNELS))
    return {
        "KIND": cfg.kind,
        "FAMILY": FAMILY[cfg.kind],
        "LATENT_DIM": arch["latent_dim"],
        "CHANNELS": (c1, c2, c3),
        "HIDDEN": arch.get("hidden", 0),
        "BETA": cfg.beta,
        "EPOCHS": cfg.epochs,
        "BATCH_SIZE": cfg.batch_size,
        "LR": cfg.lr,
        "SEED": cfg.seed,
        "AUGMENT": cfg.augment,
        "AUGMENT_INPUT": cfg.augment_input,
        "INPUT_DROPOUT": cfg.input_dropout,
        "MODEL_CONFIG": arch,
        "DATASET": "mnist",  # core.run_export ships the run's digits as data.npz (or names the full MNIST)
    }


# ---------------------------------------------------------------------------------------------
# Judging an autoencoder with a classifier


def vae_quality(
    model: nn.Module,
    classifier: nn.Module,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    n_samples: int = 1000,
    seed: int = 0,
) -> dict:
    """How often reconstructions of test digits are read as the right digit, and which digits prior
    samples z ~ N(0, I) are read as (a share per digit; a share near 0 means a digit the prior misses)."""
    pred, _ = classify(classifier, reconstruct(model, x_test))
    samples = sample_prior(model, n_samples, torch.Generator().manual_seed(seed))
    shares = digit_shares(classify(classifier, samples)[0])
    return {
        "recon_acc": float((pred == y_test.numpy()).mean()),
        "prior_shares": [float(s) for s in shares],
        "prior_min_share": float(shares.min()),
    }
