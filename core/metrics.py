"""Judging generated digits with a classifier (the cGAN lesson 003 and its exercise; 004, ch. 2).

A classifier reads each sample: a digit histogram with a spike means mode collapse, low confidence
blurry digits, a cGAN sample read as another digit than asked for an ignored label. Lesson 003's
exercise: train a classifier on generated digits only and test it on real ones.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import gan, vae
from core.models import reset_parameters
from core.models.cnn import MNISTCNN
from core.models.gan import N_CLASSES, CondGenerator
from core.train import FitConfig, evaluate, fit, run_to_end


@torch.inference_mode()
def classify(model: nn.Module, images: torch.Tensor, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Predicted digit and its probability for each image (N, 1, 28, 28) in [0, 1]."""
    preds, confs = [], []
    for i in range(0, len(images), batch_size):
        logp = model(images[i : i + batch_size].float())  # (B, 10) log-probabilities
        conf, pred = logp.exp().max(dim=1)
        preds.append(pred.cpu().numpy())
        confs.append(conf.cpu().numpy())
    if not preds:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(preds), np.concatenate(confs)


def digit_shares(pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Share of samples read as each digit (sums to 1)."""
    counts = np.bincount(pred.astype(np.int64), minlength=n_classes)[:n_classes]
    return counts / max(1, counts.sum())


# -- the judges ---------------------------------------------------------------------------------


def small_classifier(image_size: int, generator: torch.Generator) -> nn.Module:
    """The exercise's classifier: the course CNN for 28x28, a small MLP for 8x8."""
    if image_size == 28:
        return reset_parameters(MNISTCNN(), generator)
    mlp = nn.Sequential(
        nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, N_CLASSES), nn.LogSoftmax(dim=1)
    )
    return reset_parameters(mlp, generator)


def train_classifier(x: torch.Tensor, y: torch.Tensor, epochs: int = 5, seed: int = 0) -> nn.Module:
    """The exercise's classifier trained on (x, y), in eval mode (also the 8x8 fidelity judge)."""
    model = small_classifier(x.shape[-1], torch.Generator().manual_seed(seed))
    run_to_end(fit(model, x, y, FitConfig(epochs=epochs, batch_size=64, lr=1e-3, seed=seed)))
    return model.eval()


# -- GAN and cGAN -------------------------------------------------------------------------------


def gan_quality(G: nn.Module, classifier: nn.Module, n: int = 1000, seed: int = 0) -> dict:
    """Read n samples of an unconditional G with `classifier`: share per digit (a spike = mode
    collapse), mean confidence, and the share read with confidence >= 0.9."""
    pred, conf = classify(classifier, gan.sample(G, n, seed))
    return {
        "pred": pred,
        "conf": conf,
        "shares": digit_shares(pred),
        "mean_conf": float(conf.mean()),
        "confident": float((conf >= 0.9).mean()),
    }


def generated_dataset(G: CondGenerator, per_digit: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """per_digit cGAN samples of each digit: x (10*per_digit, 1, S, S) in [0, 1], y (10*per_digit,)."""
    labels = torch.arange(N_CLASSES).repeat_interleave(per_digit)  # (10*per_digit,)
    z = gan.latents(len(labels), G.latent_dim, seed)
    xs = [gan.generate(G, z[i : i + 1000], labels[i : i + 1000]) for i in range(0, len(labels), 1000)]
    return torch.cat(xs), labels


def fidelity_per_digit(
    G: CondGenerator, classifier: nn.Module, per_digit: int = 100, seed: int = 0, upscale: bool = False
) -> dict:
    """Share of cGAN samples read as the requested digit, per digit and overall (`upscale`: 8x8
    samples are enlarged to 28x28 for an MNIST classifier)."""
    x, labels = generated_dataset(G, per_digit, seed)
    if upscale and x.shape[-1] != 28:
        x = F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False)
    pred, conf = classify(classifier, x)
    hit = pred == labels.numpy()
    per = np.array([hit[labels.numpy() == d].mean() for d in range(N_CLASSES)])
    return {"per_digit": per, "overall": float(hit.mean()), "mean_conf": float(conf.mean())}


def train_on_generated(
    G: CondGenerator, real, epochs: int = 5, per_digit: int | None = None, seed: int = 0
) -> dict:
    """Lesson 003's exercise: accuracy on the real test split of a classifier trained on cGAN samples
    only, and of the same classifier trained on the real training split (same size, epochs and seed).

    `real`: a split with x_train, y_train, x_test, y_test (`core.data.load_mnist()` or `load_digits()`).
    """
    per_digit = per_digit or max(1, len(real.x_train) // N_CLASSES)
    xg, yg = generated_dataset(G, per_digit, seed + 777)
    out = {"n_generated": len(xg), "n_real": len(real.x_train), "n_test": len(real.x_test)}
    for name, (x, y) in {"generated": (xg, yg), "real": (real.x_train, real.y_train)}.items():
        model = train_classifier(x, y, epochs, seed)
        out[f"acc_{name}"] = evaluate(model, real.x_test, real.y_test)["accuracy"]
    return out


# -- autoencoders -------------------------------------------------------------------------------


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
    pred, _ = classify(classifier, vae.reconstruct(model, x_test))
    samples = vae.sample_prior(model, n_samples, torch.Generator().manual_seed(seed))
    shares = digit_shares(classify(classifier, samples)[0])
    return {
        "recon_acc": float((pred == y_test.numpy()).mean()),
        "prior_shares": [float(s) for s in shares],
        "prior_min_share": float(shares.min()),
    }
