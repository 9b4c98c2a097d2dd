"""The image-classification guide (course 002): CIFAR-10 (or Fashion-MNIST where CIFAR-10 is absent, or
the coloured-MNIST shortcut lesson), the guide's SimpleCNN, augmentation, evaluation and its FAQ.

The data come from `core.image_data` (uint8 arrays); this module turns them into tensors in [0, 1]
(the models normalise themselves, see core/models/simple_cnn.py), trains with the guide's loop
(CrossEntropyLoss, Adam 1e-3, batch 32, optional gradient clipping) as an iterator of `core.records`,
evaluates (per class, confusion, top-3, test-time augmentation) and reproduces the FAQ's symptoms.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import image_data, records
from core.configs import from_dict
from core.device import one_thread
from core.models import attach_generator, evaluating, reset_parameters
from core.models.simple_cnn import MODELS, build
from core.train import make_optimizer

DATASETS = image_data.DATASETS  # ("fashion", "cifar10", "coloured_mnist")
OPTIMIZERS = ("adam", "sgd")
PAD = 4  # RandomCrop(size, padding=4), as the guide's FAQ (Q6)


@dataclass(frozen=True)
class CifarConfig:
    """One run's settings; frozen so it keys caches and is stored with the run."""

    dataset: str = "fashion"  # Fashion-MNIST is installed everywhere; CIFAR-10 when a teacher added it
    model: str = "simple"  # the guide's SimpleCNN; "deeper": the FAQ's deeper model with BatchNorm
    width: int = 16  # the deeper model's first channels (then 2x, 4x); 16 trains in minutes on a CPU
    epochs: int = 5  # the guide trains 5 epochs (62.58 % on CIFAR-10)
    batch_size: int = 32  # the guide's batch size
    lr: float = 1e-3  # the guide's Adam learning rate
    optimizer: str = "adam"  # "adam" (the guide) | "sgd" (plain SGD, for the FAQ's learning-rate cases)
    seed: int = 0  # init, shuffling, dropout and augmentation
    flip: bool = False  # RandomHorizontalFlip: a mirrored cat is a cat
    crop: bool = False  # RandomCrop(size, padding=4): the object moves by up to 4 pixels
    jitter: bool = False  # ColorJitter: brightness, contrast, saturation (the cure of the colour shortcut)
    normalize: bool = True  # transforms.Normalize with the training set's per-channel mean and std
    grey: bool = False  # read colour images as grey (the other cure of the colour shortcut)
    grad_clip: float = 0.0  # clip_grad_norm_(max_norm) when > 0 (the FAQ's cure for NaN losses)
    train_limit: int = 20_000  # training images (0: all); 20,000 keep an epoch to seconds on a shared CPU
    test_limit: int = 2_000  # test images evaluated during training (the Evaluate tab uses all)
    evals_per_epoch: int = 4  # test accuracy a few times per epoch: the first point comes within seconds

    def __post_init__(self):
        if self.dataset not in DATASETS or self.model not in MODELS or self.optimizer not in OPTIMIZERS:
            raise ValueError(f"dataset {self.dataset!r}, model {self.model!r}, optimizer {self.optimizer!r}")
        if self.epochs < 1 or self.batch_size < 1 or not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(
                f"epochs {self.epochs}, batch size {self.batch_size} and lr {self.lr} must be > 0"
            )


@dataclass(frozen=True)
class Data:
    """A data set as tensors: images (N, C, H, W) float in [0, 1], labels int64, and what names it."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]
    source: str

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])  # type: ignore[return-value]


def as_tensors(images) -> Data:
    """An `image_data.ImageSet` as `Data`."""
    return Data(
        images.name,
        image_data.to_tensor(images.x_train),
        torch.tensor(images.y_train, dtype=torch.long),
        image_data.to_tensor(images.x_test),
        torch.tensor(images.y_test, dtype=torch.long),
        tuple(images.classes),
        str(images.source),
    )


def load(name: str, root=None, limit: int | None = None) -> Data:
    """`image_data.load` as tensors (raises image_data.DataUnavailable)."""
    return as_tensors(image_data.load(name, root=root, limit=limit))


def channel_stats(x: torch.Tensor) -> tuple[list[float], list[float]]:
    """Per-channel mean and standard deviation of images (N, C, H, W) in [0, 1]: Normalize's numbers."""
    return x.mean(dim=(0, 2, 3)).tolist(), x.std(dim=(0, 2, 3)).tolist()


def to_grey(x: torch.Tensor) -> torch.Tensor:
    """Colour (N, 3, H, W) → the same three channels all set to the luminance: the colour is gone, the
    shapes stay (and the model keeps its three inputs)."""
    if x.shape[1] != 3:
        return x
    lum = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)  # ITU-R 601, as PIL's "L"
    return lum.expand(-1, 3, -1, -1).contiguous()


def prepared(data: Data, cfg: CifarConfig) -> Data:
    """The data a run of `cfg` sees: the first `train_limit` images of a seeded permutation, grey if asked."""
    x, y = data.x_train, data.y_train
    if 0 < cfg.train_limit < len(x):
        idx = torch.randperm(len(x), generator=torch.Generator().manual_seed(cfg.seed))[: cfg.train_limit]
        x, y = x[idx], y[idx]
    xt = data.x_test
    if cfg.grey:
        x, xt = to_grey(x), to_grey(xt)
    return replace(data, x_train=x, y_train=y, x_test=xt)


def build_model(cfg: CifarConfig, data: Data, generator: torch.Generator) -> nn.Module:
    """A fresh model for `data`'s image shape, normalising with its training set's statistics (or not)."""
    c, h, _ = data.shape
    mean, std = channel_stats(data.x_train) if cfg.normalize else (None, None)
    model = build(cfg.model, c, h, len(data.classes), mean, std, cfg.width)
    return reset_parameters(model, generator)


# -- augmentation: torchvision.transforms.v2's RandomHorizontalFlip, RandomCrop, ColorJitter, per image ------
# v2 transforms applied to a batch tensor draw one random choice for the whole batch and use the global RNG;
# these draw one per image from the run's generator, so a seed repeats a run while other students train.
def flip(x: torch.Tensor, g: torch.Generator, p: float = 0.5) -> torch.Tensor:
    """RandomHorizontalFlip(p) on every image of (B, C, H, W) alone."""
    mirror = torch.rand(len(x), generator=g) < p  # (B,)
    return torch.where(mirror.view(-1, 1, 1, 1), x.flip(-1), x)


def crop(x: torch.Tensor, g: torch.Generator, padding: int = PAD) -> torch.Tensor:
    """RandomCrop(size, padding): pad with zeros, then cut a size × size window at a random place."""
    b, _, h, w = x.shape
    padded = F.pad(x, (padding, padding, padding, padding))  # (B, C, H+2p, W+2p)
    dy = torch.randint(0, 2 * padding + 1, (b,), generator=g)
    dx = torch.randint(0, 2 * padding + 1, (b,), generator=g)
    rows = (dy[:, None] + torch.arange(h))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(w))[:, None, :]  # (B, 1, W)
    out = padded[torch.arange(b)[:, None, None], :, rows, cols]  # (B, H, W, C)
    return out.permute(0, 3, 1, 2).contiguous()


def jitter(x: torch.Tensor, g: torch.Generator, strength: float = 0.4) -> torch.Tensor:
    """ColorJitter(brightness, contrast, saturation = strength) and a random hue order of the channels for
    colour images (a red digit may come out green): colour stops being a reliable clue."""
    b = len(x)

    def factor() -> torch.Tensor:
        return (1 + strength * (2 * torch.rand(b, generator=g) - 1)).view(-1, 1, 1, 1)

    out = x * factor()  # brightness
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    out = mean + (out - mean) * factor()  # contrast
    if x.shape[1] == 3:
        grey = to_grey(out)
        out = grey + (out - grey) * factor()  # saturation
        order = torch.stack([torch.randperm(3, generator=g) for _ in range(b)])  # (B, 3)
        out = out[torch.arange(b)[:, None], order]  # the channels swapped: a hue change
    return out.clamp(0, 1)


def augment(x: torch.Tensor, cfg: CifarConfig, g: torch.Generator) -> torch.Tensor:
    """The run's augmentation of one batch (none when every switch is off)."""
    if cfg.flip:
        x = flip(x, g)
    if cfg.crop:
        x = crop(x, g)
    if cfg.jitter:
        x = jitter(x, g)
    return x


# -- training -----------------------------------------------------------------------------------------------
@torch.inference_mode()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 500) -> dict:
    """Mean cross-entropy and accuracy on (x, y)."""
    loss, correct = 0.0, 0
    with evaluating(model), one_thread():
        for i in range(0, len(x), batch):
            out = model(x[i : i + batch])
            loss += F.cross_entropy(out, y[i : i + batch], reduction="sum").item()
            correct += int((out.argmax(1) == y[i : i + batch]).sum())
    n = max(1, len(x))
    return {"loss": loss / n, "accuracy": correct / n}


def train(model: nn.Module, data: Data, cfg: CifarConfig, g: torch.Generator) -> Iterator[dict]:
    """The guide's training loop (zero_grad → forward → CrossEntropyLoss → backward → [clip] → step) on
    `prepared(data, cfg)`, yielding a step record per batch (with `test_acc` a few times per epoch), an
    epoch record with train and test loss and accuracy, or a diverged record when the loss is not finite."""
    attach_generator(model, g, "cpu")
    opt = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)
    x, y = data.x_train, data.y_train
    xt, yt = data.x_test[: cfg.test_limit or None], data.y_test[: cfg.test_limit or None]
    n = len(x)
    batch = min(cfg.batch_size, n)
    batches = math.ceil(n / batch)
    checks = {round(k * batches / cfg.evals_per_epoch) for k in range(1, cfg.evals_per_epoch)} - {0, batches}
    t0, step = time.perf_counter(), 0
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        perm = torch.randperm(n, generator=g)
        loss_sum, correct, seen = 0.0, 0, 0
        for b in range(batches):
            idx = perm[b * batch : (b + 1) * batch]
            # one thread: a batch of 32 small images gains nothing from a second, and on a busy server
            # waiting for it costs many times the work (bench/README.md)
            with one_thread():
                xb, yb = augment(x[idx], cfg, g), y[idx]
                opt.zero_grad(set_to_none=True)
                out = model(xb)  # (B, classes): logits
                loss = F.cross_entropy(out, yb)
                loss.backward()
                if cfg.grad_clip > 0:  # the FAQ's cure for exploding gradients
                    nn.utils.clip_grad_norm_(model.parameters(), max_norm=cfg.grad_clip)
                opt.step()
            step += 1
            value = loss.item()
            if not math.isfinite(value):
                yield records.diverged(epoch, value, step=step, elapsed=time.perf_counter() - t0)
                return
            loss_sum += value * len(idx)
            correct += int((out.argmax(1) == yb).sum())
            seen += len(idx)
            extra = {}
            if b + 1 in checks:
                ev = evaluate(model, xt, yt)
                extra = {"test_loss": ev["loss"], "test_acc": ev["accuracy"], "train_acc": correct / seen}
            yield records.step(epoch=epoch, batch=b + 1, batches=batches, step=step, loss=value,
                               elapsed=time.perf_counter() - t0, **extra)  # fmt: skip
        ev = evaluate(model, xt, yt)
        yield records.epoch(
            epoch,
            step=step,
            train_loss=loss_sum / seen,
            train_acc=correct / seen,
            test_loss=ev["loss"],
            test_acc=ev["accuracy"],
            elapsed=time.perf_counter() - t0,
        )


def make_run(cfg: CifarConfig, data: Data) -> tuple[nn.Module, Data, torch.Generator]:
    """A new seeded model of `cfg`, the data it trains on, and the run's generator."""
    g = torch.Generator().manual_seed(cfg.seed)
    d = prepared(data, cfg)
    return build_model(cfg, d, g), d, g


def fit(cfg: CifarConfig, data: Data) -> tuple[nn.Module, list[dict]]:
    """A whole run (CLI, bench, troubleshooting): the model and its non-step records."""
    model, d, g = make_run(cfg, data)
    return model, [r for r in train(model, d, cfg, g) if r["kind"] != "step"]


# -- evaluation -----------------------------------------------------------------------------------------------
@torch.inference_mode()
def probabilities(model: nn.Module, x: torch.Tensor, tta: bool = False, batch: int = 500) -> np.ndarray:
    """Softmax probabilities (N, classes); `tta`: averaged with those of the mirrored images."""
    out = []
    with evaluating(model), one_thread():
        for i in range(0, len(x), batch):
            xb = x[i : i + batch]
            p = model(xb).softmax(1)
            if tta:
                p = (p + model(xb.flip(-1)).softmax(1)) / 2
            out.append(p)
    return torch.cat(out).numpy() if out else np.zeros((0, 0), dtype=np.float32)


def confusion(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) counts: row = the true class, column = the prediction."""
    return np.bincount(np.asarray(y) * n_classes + np.asarray(pred), minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


def per_class_accuracy(matrix: np.ndarray) -> np.ndarray:
    """Each class's share of correct predictions, from a confusion matrix (NaN for a class never shown)."""
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / np.maximum(totals, 1), np.nan)


def confused(y: np.ndarray, pred: np.ndarray, true: int, guess: int, k: int = 12) -> np.ndarray:
    """Indices of up to `k` test images of class `true` predicted as `guess` (a confusion matrix cell)."""
    return np.flatnonzero((np.asarray(y) == true) & (np.asarray(pred) == guess))[:k]


def top_k(probs: np.ndarray, k: int = 3) -> list[tuple[int, float]]:
    """The `k` likeliest classes of one probability vector, likeliest first."""
    order = np.argsort(-probs)[:k]
    return [(int(i), float(probs[i])) for i in order]


def tta_effect(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict:
    """Accuracy without and with test-time augmentation (the mirrored image's probabilities averaged in)."""
    target = y.numpy()
    plain = float((probabilities(model, x).argmax(1) == target).mean())
    tta = float((probabilities(model, x, tta=True).argmax(1) == target).mean())
    return {"plain": plain, "tta": tta}


MAX_PHOTO_BYTES = 5 * 1024 * 1024  # a phone photo is 2–4 MB; refused before decoding when larger
MAX_PHOTO_PIXELS = 40_000_000  # width × height, checked from the header before the pixels are decoded


class PhotoError(ValueError):
    """An upload that is not a usable photo; `code` keys the page's message."""

    def __init__(self, code: str):
        assert code in ("too_large", "not_image", "too_many_pixels"), code
        self.code = code
        super().__init__(code)


def read_photo(raw: bytes):
    """An uploaded file's bytes → a Pillow image, or PhotoError: too large, not an image, too many pixels."""
    import io

    from PIL import Image, UnidentifiedImageError

    if len(raw) > MAX_PHOTO_BYTES:
        raise PhotoError("too_large")
    try:
        img = Image.open(io.BytesIO(raw))
        if img.width * img.height > MAX_PHOTO_PIXELS:
            raise PhotoError("too_many_pixels")
        img.load()
    except PhotoError:
        raise
    except Image.DecompressionBombError as e:
        raise PhotoError("too_many_pixels") from e
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise PhotoError("not_image") from e
    return img


def photo_input(image, channels: int, size: int, dark_background: bool) -> torch.Tensor:
    """A Pillow image → (1, C, S, S) in [0, 1] as the data set's images look: the centre square, resized;
    grey for a grey data set, with light things on black (`dark_background`, Fashion-MNIST) inverted when
    the photo's border is bright."""
    from PIL import ImageOps

    img = ImageOps.exif_transpose(image).convert("RGB" if channels == 3 else "L")
    img = ImageOps.fit(img, (size, size))
    a = np.asarray(img, dtype=np.float32) / 255.0
    a = a[:, :, None] if a.ndim == 2 else a  # (S, S, C)
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]]).mean()
    if dark_background and border > 0.5:
        a = 1.0 - a
    return torch.from_numpy(a).permute(2, 0, 1).unsqueeze(0).contiguous()


# -- the FAQ: each symptom and its cure as two short seeded runs ---------------------------------------------
# name → (symptom's changes, cure's changes) to a small base run; each run takes seconds on one CPU core
FAQ: dict[str, tuple[dict, dict]] = {
    # Q7: a learning rate of 1.0 blows the loss up (NaN); clipping the gradient and a sane rate cure it
    "lr": ({"optimizer": "sgd", "lr": 1.0}, {"optimizer": "sgd", "lr": 0.05, "grad_clip": 1.0}),
    # Q3/Q6: 300 images for 20 epochs, no augmentation: the training accuracy runs away from the test's
    "overfit": (
        {"train_limit": 300, "epochs": 20, "lr": 3e-3},
        {"train_limit": 300, "epochs": 20, "lr": 3e-3, "flip": True, "crop": True},
    ),
    # Q6: without Normalize, plain SGD learns far less in the same number of steps
    "normalize": ({"optimizer": "sgd", "lr": 0.05, "normalize": False}, {"optimizer": "sgd", "lr": 0.05}),
    # Q1: a batch of 1,024 makes 32 times fewer updates per epoch than 32
    "batch": ({"batch_size": 1024}, {"batch_size": 32}),
}
FAQ_BASE = {"model": "simple", "epochs": 2, "train_limit": 3000, "test_limit": 500, "evals_per_epoch": 1}
FAQ_TINY = {"train_limit": 128, "test_limit": 100, "epochs": 1}  # tests: one short epoch per run


def faq_configs(case: str, base: CifarConfig, tiny: bool = False) -> tuple[CifarConfig, CifarConfig]:
    """The symptom's and the cure's settings of FAQ `case` on `base`'s data and seed (`tiny`: tests)."""
    symptom, cure = FAQ[case]
    common = dict(FAQ_BASE, dataset=base.dataset, seed=base.seed, grey=base.grey)

    def make(changes: dict) -> CifarConfig:
        return replace(CifarConfig(), **{**common, **changes, **(FAQ_TINY if tiny else {})})

    return make(symptom), make(cure)


def faq_records(case: str, data: Data, base: CifarConfig, tiny: bool = False) -> Iterator[dict]:
    """FAQ `case`'s symptom run, then its cure run, as one iterator (a job): every record tagged with
    `run` ("symptom" | "cure"). The symptom's "diverged" record becomes an epoch record with
    `diverged=True`, so the job goes on to the cure instead of ending there."""
    for which, cfg in zip(("symptom", "cure"), faq_configs(case, base, tiny)):
        model, d, g = make_run(cfg, data)
        for r in train(model, d, cfg, g):
            if r["kind"] == "diverged":
                yield records.epoch(r["epoch"], run=which, diverged=True, step=r.get("step", 0))
            else:
                yield {**r, "run": which}


def faq_run(case: str, data: Data, base: CifarConfig, tiny: bool = False) -> dict:
    """Train FAQ `case`'s symptom and cure; {"symptom"|"cure": {"records", "diverged", "train_acc",
    "test_acc", "seconds"}}."""
    out = {}
    for which, cfg in zip(("symptom", "cure"), faq_configs(case, base, tiny)):
        t0 = time.perf_counter()
        _, recs = fit(cfg, data)
        epochs = [r for r in recs if r["kind"] == "epoch"]
        last = epochs[-1] if epochs else {}
        out[which] = {
            "records": recs,
            "diverged": bool(recs) and recs[-1]["kind"] == "diverged",
            "train_acc": last.get("train_acc", float("nan")),
            "test_acc": last.get("test_acc", float("nan")),
            "seconds": time.perf_counter() - t0,
        }
    return out


# -- the run zip and checkpoints --------------------------------------------------------------------------------
def checkpoint_meta(cfg: CifarConfig, data: Data, epochs: int, metrics: dict) -> dict:
    return {
        "settings": asdict(cfg),
        "data": {"name": data.name, "source": data.source, "classes": list(data.classes)},
        "epochs": epochs,
        "metrics": metrics,
    }


def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the run zip's train.py (core/export_scripts/cifar.tmpl) for a run's settings."""
    cfg = from_dict(CifarConfig, config)
    return {
        "DATASET_NAME": cfg.dataset,
        "MODEL": cfg.model,
        "WIDTH": cfg.width,
        "EPOCHS": cfg.epochs,
        "BATCH_SIZE": cfg.batch_size,
        "LR": cfg.lr,
        "OPTIMIZER": cfg.optimizer,
        "FLIP": cfg.flip,
        "CROP": cfg.crop,
        "JITTER": cfg.jitter,
        "NORMALIZE": cfg.normalize,
        "GREY": cfg.grey,
        "GRAD_CLIP": cfg.grad_clip,
        "TRAIN_LIMIT": cfg.train_limit,
        "SEED": cfg.seed,
    }
