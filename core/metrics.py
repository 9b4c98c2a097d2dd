"""Judging generated digits with a classifier, what every generative topic shares (the cGAN lesson 003
and its exercise; 004, ch. 2): a classifier reads each sample, and the shares per digit say what a model
draws (a spike means mode collapse, low confidence blurry digits). Each topic's own judge lives in its
module (core.gan.gan_quality, core.gan.fidelity_per_digit, core.vae.vae_quality, core.diffusion's)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from core.models import reset_parameters
from core.models.cnn import MNISTCNN
from core.train import FitConfig, fit, run_to_end


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
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10), nn.LogSoftmax(dim=1))
    return reset_parameters(mlp, generator)


def train_classifier(x: torch.Tensor, y: torch.Tensor, epochs: int = 5, seed: int = 0) -> nn.Module:
    """The exercise's classifier trained on (x, y), in eval mode (also the 8x8 fidelity judge)."""
    model = small_classifier(x.shape[-1], torch.Generator().manual_seed(seed))
    run_to_end(fit(model, x, y, FitConfig(epochs=epochs, batch_size=64, lr=1e-3, seed=seed)))
    return model.eval()
