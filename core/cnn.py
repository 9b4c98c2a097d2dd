"""Helpers for Part 2's CNN (000, Part 2, `mnist_cnn.py`): training with light augmentation, prediction,
and what the page shows inside the network (feature maps, kernels, saliency, occlusion, conv sizes).

Training is `core.train.fit` (same records); with augmentation on, every batch gets a fresh random affine
warp (`core.images.augment_batch`) from the run's generator, so 4,000 digits are not simply memorised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from core.configs import from_dict
from core.device import one_thread
from core.images import augment_batch
from core.models import reset_parameters
from core.models.cnn import MNISTCNN
from core.train import FitConfig, fit, subset

FAMILY = "cnn.MNISTCNN"


@dataclass(frozen=True)
class CNNTrainConfig:
    """Everything one CNN run needs; frozen so it can key caches and be stored in a checkpoint."""

    c1: int = 32  # conv1 channels (course: 32)
    c2: int = 64  # conv2 channels (course: 64)
    hidden: int = 256  # dense layer width (course: 256)
    dropout: float = 0.1  # course: 0.1
    epochs: int = 20  # 4,000 digits with augmentation: until the test accuracy levels off (bench/README.md)
    batch_size: int = 64  # small batches: more updates per epoch on a small data set
    lr: float = 1e-3  # Adam's default, as in the course
    augment: bool = True  # random affine per batch; off = exactly the course's loop
    train_size: int = 0  # 0 = the whole training split; smaller = faster demo runs
    seed: int = 0  # init, shuffling, dropout and augmentation
    dataset: str = "mnist"  # "mnist" | "fashion" (core.image_data); runs saved before it existed: MNIST

    def model_config(self) -> dict:
        return {"c1": self.c1, "c2": self.c2, "hidden": self.hidden, "dropout": self.dropout}

    def fit_config(self) -> FitConfig:
        return FitConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, seed=self.seed)


def build_model(cfg: CNNTrainConfig, generator: torch.Generator) -> MNISTCNN:
    """A freshly initialised course CNN, its weights drawn from `generator` (reproducible per seed)."""
    return reset_parameters(MNISTCNN(**cfg.model_config()), generator)


def fit_augmented(
    model: nn.Module,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    cfg: FitConfig,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    device: str | torch.device = "cpu",
    generator: torch.Generator | None = None,
) -> Iterator[dict]:
    """`core.train.fit` with a fresh random affine warp of every batch; yields the same records."""
    return fit(
        model,
        x_train,
        y_train,
        cfg,
        x_val,
        y_val,
        device=device,
        generator=generator,
        transform=augment_batch,
    )


def make_train_iter(
    cfg: CNNTrainConfig,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor | None = None,
    y_test: torch.Tensor | None = None,
    device: str | torch.device = "cpu",
) -> tuple[MNISTCNN, Callable[[], Iterator[dict]]]:
    """A new model and a factory of its training iterator (what a training job and the CLI consume)."""
    g = torch.Generator().manual_seed(cfg.seed)
    model = build_model(cfg, g)
    x, y = subset(x_train, y_train, cfg.train_size, cfg.seed)
    runner = fit_augmented if cfg.augment else fit

    def make_iter() -> Iterator[dict]:
        return runner(model, x, y, cfg.fit_config(), x_test, y_test, device=device, generator=g)

    return model, make_iter


def checkpoint_meta(cfg: CNNTrainConfig, provenance: dict, epochs: int, metrics: dict) -> dict:
    return {"provenance": provenance, "epochs": epochs, "metrics": metrics, "train": asdict(cfg)}


# ---------------------------------------------------------------------------------------------
# Inference and "look inside"


@torch.inference_mode()
def predict(model: nn.Module, image28: np.ndarray | torch.Tensor) -> np.ndarray:
    """Ten probabilities for one (28, 28) image in [0, 1] (white ink on black, MNIST framing)."""
    x = torch.as_tensor(np.asarray(image28, dtype=np.float32)).reshape(1, 1, 28, 28)  # (1, 1, 28, 28)
    device = next(model.parameters()).device
    with one_thread():
        return model(x.to(device)).exp()[0].cpu().numpy()  # LogSoftmax → probabilities, (10,)


@torch.inference_mode()
def predict_batch(model: nn.Module, images: torch.Tensor, batch_size: int = 500) -> np.ndarray:
    """Probabilities (N, 10) for images (N, 1, 28, 28)."""
    device = next(model.parameters()).device
    out = [
        model(images[i : i + batch_size].to(device)).exp().cpu() for i in range(0, len(images), batch_size)
    ]
    return torch.cat(out).numpy()


@torch.inference_mode()
def feature_maps(model: MNISTCNN, image28: np.ndarray) -> dict[str, np.ndarray]:
    """conv1 (c1, 26, 26) and conv2 (c2, 11, 11) activations after ReLU for one image."""
    x = torch.as_tensor(np.asarray(image28, dtype=np.float32)).reshape(1, 1, 28, 28)
    maps = model.features(x.to(next(model.parameters()).device))
    return {k: v[0].cpu().numpy() for k, v in maps.items()}


def conv1_kernels(model: MNISTCNN) -> np.ndarray:
    """The first layer's 3x3 kernels, (c1, 3, 3)."""
    return model.layer1[0].weight.detach().cpu()[:, 0].numpy()


def saliency(model: nn.Module, image28: np.ndarray, target: int | None = None) -> np.ndarray:
    """|d log p(target) / d pixel| for one image (Simonyan et al. 2014), scaled to [0, 1]; (28, 28)."""
    x = torch.as_tensor(np.asarray(image28, dtype=np.float32)).reshape(1, 1, 28, 28).clone()
    x = x.to(next(model.parameters()).device).requires_grad_(True)
    with torch.enable_grad():
        out = model(x)  # (1, 10)
        k = int(out.argmax(1)) if target is None else int(target)
        (grad,) = torch.autograd.grad(out[0, k], x)
    s = grad.abs()[0, 0].cpu().numpy()
    return s / s.max() if s.max() > 0 else s


@torch.inference_mode()
def occlusion(
    model: nn.Module, image28: np.ndarray, target: int | None = None, patch: int = 6, stride: int = 2
) -> np.ndarray:
    """Drop in p(target) when a patch x patch square is blanked (Zeiler & Fergus 2014); (28, 28)."""
    img = torch.as_tensor(np.asarray(image28, dtype=np.float32)).reshape(28, 28)
    device = next(model.parameters()).device
    base = model(img.reshape(1, 1, 28, 28).to(device)).exp()[0]
    k = int(base.argmax()) if target is None else int(target)
    positions = [(r, c) for r in range(0, 28 - patch + 1, stride) for c in range(0, 28 - patch + 1, stride)]
    batch = img.repeat(len(positions), 1, 1)  # (P, 28, 28)
    for i, (r, c) in enumerate(positions):
        batch[i, r : r + patch, c : c + patch] = 0.0
    probs = model(batch.unsqueeze(1).to(device)).exp()[:, k].cpu()  # (P,)
    heat, count = torch.zeros(28, 28), torch.zeros(28, 28)
    for (r, c), p in zip(positions, probs):
        heat[r : r + patch, c : c + patch] += float(base[k]) - float(p)
        count[r : r + patch, c : c + patch] += 1
    return (heat / count.clamp(min=1)).clamp(min=0).numpy()


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """floor((size + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1, as in nn.Conv2d's docs."""
    if size < 1 or kernel < 1 or stride < 1 or padding < 0 or dilation < 1:
        raise ValueError("size, kernel, stride and dilation must be >= 1 and padding >= 0")
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def architecture_shapes(c1: int = 32, c2: int = 64, hidden: int = 256) -> list[tuple[str, tuple[int, ...]]]:
    """Layer-by-layer output shapes of the course CNN for one 28x28 image (for the Look-inside table)."""
    s1 = conv_output_size(28, 3)  # 26
    p1 = s1 // 2  # 13
    s2 = conv_output_size(p1, 3)  # 11
    p2 = s2 // 2  # 5
    return [
        ("input", (1, 28, 28)),
        ("conv1 + ReLU", (c1, s1, s1)),
        ("maxpool 2", (c1, p1, p1)),
        ("conv2 + ReLU", (c2, s2, s2)),
        ("maxpool 2", (c2, p2, p2)),
        ("flatten", (c2 * p2 * p2,)),
        ("linear + ReLU", (hidden,)),
        ("linear + log_softmax", (10,)),
    ]


def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the run zip's train.py (core/export_scripts/cnn.tmpl, the course's `mnist_cnn.py`
    training part) for the Train tab's settings; the settings name the whole network."""
    cfg = from_dict(CNNTrainConfig, config)
    return {
        "C1": cfg.c1,
        "C2": cfg.c2,
        "HIDDEN": cfg.hidden,
        "DROPOUT": cfg.dropout,
        "EPOCHS": cfg.epochs,
        "BATCH_SIZE": cfg.batch_size,
        "LR": cfg.lr,
        "AUGMENT": cfg.augment,
        "TRAIN_SIZE": cfg.train_size,  # 0: the whole training split
        "SEED": cfg.seed,
        # core.run_export ships the run's digits as data.npz (or names the full MNIST); Fashion-MNIST is
        # fetched by the script itself (torchvision, --download)
        **({"DATA": "fashion-mnist"} if cfg.dataset == "fashion" else {"DATASET": "mnist"}),
        "FASHION": cfg.dataset == "fashion",
    }
