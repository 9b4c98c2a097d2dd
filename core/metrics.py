"""Metrics beyond loss and accuracy: reading images with a classifier, digit histograms, fidelity.

Used to judge generated digits (GAN/cGAN/VAE pages and bench/gen_quality.py): the shipped CNN reads
each sample; a histogram with a spike means mode collapse, low confidence means blurry digits.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


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


def label_fidelity(pred: np.ndarray, requested: np.ndarray) -> float:
    """Share of conditional samples read as the digit that was asked for."""
    return float((pred == requested).mean()) if len(pred) else 0.0
