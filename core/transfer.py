"""Transfer learning (primer 001, 7.3), offline: the lab's own CNNs stand in for ImageNet's ResNet-18.

The primer loads pretrained weights, freezes the feature extractor (`requires_grad = False`), replaces the
classifier and trains only it, or fine-tunes every layer with a small learning rate. Here the "pretrained"
network is the course's MNIST CNN trained on the digits 0–4 (checkpoints/transfer_digits04.pth) or on all
ten (checkpoints/cnn_mnist.pth), and the new task has few labels: the digits 5–9 or Fashion-MNIST, with k
labelled examples per class. Three arms share the examples, the seed and the new head's initialisation:
"scratch" (same network, random body), "frozen" (pretrained body, only the head in the optimizer) and
"finetune" (everything trains; the body with a learning rate ten times smaller).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import records
from core.configs import from_dict
from core.models import attach_generator, reset_parameters
from core.models.cnn import MNISTCNN

ARMS = ("scratch", "frozen", "finetune")
SOURCES = {  # the pretrained network of each source task (a file in checkpoints/)
    "0-4": "transfer_digits04.pth",  # the digits 0–4 only: 5–9 are new classes of the same domain
    "0-9": "cnn_mnist.pth",  # every digit: the lab's shipped CNN
}
TARGETS = ("5-9", "digits8", "fashion")
LABELS = (1, 5, 10, 50)  # labelled examples per class on the page's chart
FASHION_TRAIN = 6000  # Fashion-MNIST training images kept: 600 a class
MAX_LABELS = 200  # per class: the embedded MNIST has about 400 of each digit in its training part
FAMILY = "cnn.MNISTCNN"
RESNET_FILE_PATTERN = "resnet18*.pth"  # torchvision's file name: resnet18-f37072fd.pth
RESNET_MAX_BYTES = 64 * 2**20  # the file is 45 MB; nothing larger is read


@dataclass(frozen=True)
class TransferConfig:
    source: str = "0-4"  # the pretrained network: 0-4 (new digits, same domain) or 0-9 (the shipped CNN)
    target: str = "5-9"  # the new task: the digits 5–9, or Fashion-MNIST's ten kinds of clothes
    arms: tuple[str, ...] = ARMS  # the three ways of starting, trained one after the other
    labels: tuple[int, ...] = LABELS  # labelled examples per class, one run per value and arm
    steps: int = 100  # Adam updates per run: enough for 50 labels per class, a few seconds on one core
    batch_size: int = 32  # examples per update (all of them when there are fewer)
    lr: float = 1e-3  # Adam's default: the new head, and the whole network from scratch
    finetune_lr: float = 1e-4  # the pretrained body when fine-tuning: small, so the features are kept
    seed: int = 0  # the labelled examples, the head's initialisation and the batches
    test_limit: int = 0  # test images used (0: all); the tests use a few hundred

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}; choose one of {tuple(SOURCES)}")
        if self.target not in (*TARGETS, "symbols"):
            raise ValueError(f"unknown target {self.target!r}; choose one of {TARGETS}")
        if self.source == "0-9" and self.target == "5-9":
            raise ValueError("the digits 0-9 network has already seen 5-9: choose the source 0-4")
        if not self.arms or any(a not in ARMS for a in self.arms):
            raise ValueError(f"arms must be some of {ARMS}, got {self.arms}")
        if not self.labels or any(not 1 <= int(k) <= MAX_LABELS for k in self.labels):
            raise ValueError(f"labels per class must be 1–{MAX_LABELS}, got {self.labels}")
        for name in ("lr", "finetune_lr"):
            value = getattr(self, name)
            if not (value > 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a positive number, got {value}")
        if self.steps < 1 or self.batch_size < 1 or self.test_limit < 0:
            raise ValueError("steps and batch_size must be at least 1, test_limit at least 0")


# -- the data --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """A target task: images (N, 1, 28, 28) in [0, 1], labels 0..n-1, and the classes' names."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]

    @property
    def n_classes(self) -> int:
        return len(self.classes)


def digits_task(lo: int, hi: int, test_limit: int = 0) -> Task:
    """The MNIST digits lo..hi (the lab's MNIST: the embedded 4,000/1,000 when no files are in data/),
    relabelled 0..hi-lo; the test part is every test digit of those classes."""
    from core.data import load_mnist

    split = load_mnist()

    def pick(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        keep = (y >= lo) & (y <= hi)
        return x[keep], y[keep] - lo

    xtr, ytr = pick(split.x_train, split.y_train)
    xte, yte = pick(split.x_test, split.y_test)
    if test_limit:
        xte, yte = xte[:test_limit], yte[:test_limit]
    return Task(f"{lo}-{hi}", xtr, ytr, xte, yte, tuple(str(d) for d in range(lo, hi + 1)))


def fashion_task(test_limit: int = 0) -> Task:
    """Fashion-MNIST's ten kinds of clothes (core.image_data): 6,000 training images (600 a class, room for
    the largest k) and the test images in the same share (1,000); LookupError when it is not installed."""
    from core import image_data

    reason = image_data.available().get("fashion")
    if reason is not None:
        raise LookupError(f"Fashion-MNIST is not installed on this server ({reason})")
    try:
        data = image_data.load("fashion", limit=FASHION_TRAIN)
    except image_data.DataUnavailable as e:
        raise LookupError(str(e)) from e

    def images(x) -> torch.Tensor:
        return (
            torch.tensor(np.asarray(x), dtype=torch.float32).div(255).unsqueeze(1)
        )  # (N, 1, 28, 28), a copy

    xte, yte = images(data.x_test), torch.tensor(np.asarray(data.y_test), dtype=torch.int64)
    if test_limit:
        xte, yte = xte[:test_limit], yte[:test_limit]
    ytr = torch.tensor(np.asarray(data.y_train), dtype=torch.int64)
    return Task("fashion", images(data.x_train), ytr, xte, yte, tuple(data.classes))


def mnist_frame(x: torch.Tensor) -> torch.Tensor:
    """Small digits (N, 1, h, w) framed as MNIST's: scaled to a 20×20 box in the middle of 28×28."""
    x = F.interpolate(x, size=(20, 20), mode="bilinear", align_corners=False)  # (N, 1, 20, 20)
    return F.pad(x, (4, 4, 4, 4))  # (N, 1, 28, 28)


def digits8_task(test_limit: int = 0) -> Task:
    """scikit-learn's 8×8 digits (1,437 / 360), framed as MNIST: the same ten digits, another hand, pen and
    resolution: what the MNIST CNN learned should carry over, and a network from scratch has little to
    learn from."""
    from core.data import load_digits

    split = load_digits()
    xte, yte = mnist_frame(split.x_test), split.y_test
    if test_limit:
        xte, yte = xte[:test_limit], yte[:test_limit]
    return Task(
        "digits8", mnist_frame(split.x_train), split.y_train, xte, yte, tuple(str(d) for d in range(10))
    )


def load_task(target: str, test_limit: int = 0) -> Task:
    if target == "5-9":
        return digits_task(5, 9, test_limit)
    if target == "digits8":
        return digits8_task(test_limit)
    if target == "fashion":
        return fashion_task(test_limit)
    raise ValueError(f"unknown target {target!r}; choose one of {TARGETS}")


def label_subset(y: torch.Tensor, k: int, seed: int) -> torch.Tensor:
    """Indices of k examples of every class in y, drawn with `seed`. Nested: the first k of each class's
    seeded order, so the 5 examples of k=5 include the one of k=1 (the chart compares more labels, not
    other labels). ValueError when a class has fewer than k."""
    rng = np.random.default_rng(seed)
    labels = y.numpy()
    picked = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < k:
            raise ValueError(f"class {c} has only {len(members)} examples, {k} asked for")
        picked.append(rng.permutation(members)[:k])
    return torch.as_tensor(np.concatenate(picked), dtype=torch.int64)


# -- the three arms ------------------------------------------------------------------------------------------
def body(model: MNISTCNN) -> nn.Sequential:
    """The feature extractor: both conv blocks (conv, ReLU, pool, dropout), what transfers."""
    return nn.Sequential(model.layer1, model.layer2)


def head(model: MNISTCNN) -> nn.Module:
    """The classifier: flatten, dense 800→256, ReLU, dense 256→10; replaced (re-initialised) for a new task."""
    return model.layer3


def make_model(arm: str, source: MNISTCNN | None, generator: torch.Generator) -> MNISTCNN:
    """The network of `arm`: every arm first draws the same random initialisation from `generator` (so the
    new head starts alike in all three); "frozen" and "finetune" then copy the pretrained body in, and
    "frozen" turns its gradients off."""
    if arm not in ARMS:
        raise ValueError(f"unknown arm {arm!r}; choose one of {ARMS}")
    args = dict(source.model_args) if source is not None else {}
    model = reset_parameters(MNISTCNN(**args), generator)
    if arm != "scratch":
        if source is None:
            raise ValueError(f"the {arm!r} arm needs a pretrained network")
        body(model).load_state_dict(body(source).state_dict())
    if arm == "frozen":
        body(model).requires_grad_(False)
    return model


def make_optimizer(model: MNISTCNN, arm: str, lr: float, finetune_lr: float) -> torch.optim.Adam:
    """What each arm hands the optimizer: scratch everything; frozen only the head's parameters (the body's
    would get no gradient anyway, and the optimizer would keep state for nothing); finetune two parameter
    groups, the body with the small learning rate."""
    if arm == "frozen":
        return torch.optim.Adam(head(model).parameters(), lr=lr)
    if arm == "finetune":
        groups = [
            {"params": list(body(model).parameters()), "lr": finetune_lr, "name": "body"},
            {"params": list(head(model).parameters()), "lr": lr, "name": "head"},
        ]
        return torch.optim.Adam(groups)
    return torch.optim.Adam(model.parameters(), lr=lr)


def trainable_count(model: nn.Module) -> int:
    """Parameters that receive a gradient (requires_grad=True)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def set_mode(model: MNISTCNN, arm: str) -> None:
    """Training mode, except a frozen body: it stays in eval mode, so its dropout is off and (for a body with
    batch norm) its running statistics are not overwritten by the new data (see `bn_trap`)."""
    model.train()
    if arm == "frozen":
        body(model).eval()


def class_scores(model: MNISTCNN, x: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Log-probabilities over the task's n classes: the first n of the 10 outputs, renormalised (the other
    outputs get no gradient and never win)."""
    return F.log_softmax(model(x)[:, :n_classes], dim=1)  # (B, n)


@torch.no_grad()
def accuracy(model: MNISTCNN, x: torch.Tensor, y: torch.Tensor, n_classes: int, batch: int = 500) -> float:
    was = model.training
    model.eval()
    right = sum(
        int((class_scores(model, x[i : i + batch], n_classes).argmax(1) == y[i : i + batch]).sum())
        for i in range(0, len(x), batch)
    )
    model.train(was)
    return right / max(1, len(x))


def fit_arm(
    model: MNISTCNN, arm: str, x: torch.Tensor, y: torch.Tensor, n_classes: int, cfg: TransferConfig,
    generator: torch.Generator, run: int = 1, first_step: int = 0, t0: float | None = None,
) -> Iterator[records.Record]:  # fmt: skip
    """Train `model` as `arm` on (x, y) for cfg.steps updates: one step record each (run `run`), or one
    diverged record and the end."""
    opt = make_optimizer(model, arm, cfg.lr, cfg.finetune_lr)
    t0 = time.perf_counter() if t0 is None else t0
    bs = min(cfg.batch_size, len(x))
    for s in range(1, cfg.steps + 1):
        set_mode(model, arm)
        idx = torch.randperm(len(x), generator=generator)[:bs]
        opt.zero_grad()
        loss = F.nll_loss(class_scores(model, x[idx], n_classes), y[idx])
        value = loss.item()
        if not math.isfinite(value):
            yield records.diverged(run, value, step=first_step + s, arm=arm)
            return
        loss.backward()
        opt.step()
        yield records.step(
            epoch=run, batch=s, batches=cfg.steps, step=first_step + s, loss=value,
            elapsed=time.perf_counter() - t0, arm=arm,
        )  # fmt: skip


def runs_of(cfg: TransferConfig) -> list[tuple[str, int]]:
    """The (arm, labels per class) runs of a sweep, in the order they train: by labels, then arm, so the
    chart's three lines grow together."""
    return [(arm, int(k)) for k in cfg.labels for arm in cfg.arms]


def train(
    cfg: TransferConfig, source: MNISTCNN | None, task: Task, into: MNISTCNN | None = None,
    keep: dict | None = None,
) -> Iterator[records.Record]:  # fmt: skip
    """Every (arm, k) run of `cfg` on `task`, one after another; after each an epoch record with its arm,
    labels per class, test accuracy and trainable parameters (`epoch` counts the runs). `into` (the job's
    saved model) receives each run's final weights; `keep`, if given, each arm's latest model."""
    t0, step = time.perf_counter(), 0
    for run, (arm, k) in enumerate(runs_of(cfg), start=1):
        idx = label_subset(task.y_train, k, cfg.seed)
        g = torch.Generator().manual_seed(cfg.seed)  # the same head and batches for every arm
        model = make_model(arm, source, g)
        attach_generator(model, g, "cpu")  # dropout's masks from the run's generator: a seed repeats a run
        started, last = time.perf_counter(), None
        for r in fit_arm(
            model, arm, task.x_train[idx], task.y_train[idx], task.n_classes, cfg, g, run, step, t0
        ):
            last = r
            yield r
            if r["kind"] == "diverged":
                return
        step += cfg.steps
        if into is not None:
            into.load_state_dict(model.state_dict())
        if keep is not None:
            keep[arm] = model.eval()
        yield records.epoch(
            run, step=step, arm=arm, labels=k, train_loss=last["loss"] if last else float("nan"),
            test_accuracy=accuracy(model, task.x_test, task.y_test, task.n_classes),
            trainable=trainable_count(model), seconds=time.perf_counter() - started,
            elapsed=time.perf_counter() - t0,
        )  # fmt: skip


def run_one(cfg: TransferConfig, source: MNISTCNN | None, task: Task, arm: str, k: int) -> dict:
    """One arm at k labels per class, trained to the end: its epoch record (the command line, the bench)."""
    one = TransferConfig(**{**cfg.__dict__, "arms": (arm,), "labels": (k,)})
    last = [r for r in train(one, source, task) if r["kind"] != "step"][-1]
    return last


def chance(task: Task) -> float:
    return 1 / task.n_classes


# -- the pretrained networks -----------------------------------------------------------------------------
def source_path(source: str) -> Path:
    from core.checkpoints import SHIPPED_DIR

    return SHIPPED_DIR / SOURCES[source]


def load_source(source: str) -> MNISTCNN:
    """The pretrained network of `source`, in eval mode (torch.load(weights_only=True) in core.checkpoints)."""
    from core import checkpoints

    return checkpoints.load(source_path(source), expected_family=FAMILY).model.eval()


def train_source(
    x: torch.Tensor, y: torch.Tensor, epochs: int = 10, seed: int = 0, lr: float = 1e-3
) -> MNISTCNN:
    """The pretrained network for 0-4 → 5-9: the shipped CNN's shape (c1=16, c2=32, hidden=256), trained on
    the digits 0–4 alone (`python -m core.cli transfer source`)."""
    g = torch.Generator().manual_seed(seed)
    model = reset_parameters(MNISTCNN(c1=16, c2=32, hidden=256, dropout=0.1), g)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), 64):
            idx = perm[i : i + 64]
            opt.zero_grad()
            F.nll_loss(model(x[idx]), y[idx]).backward()
            opt.step()
    return model.eval()


# -- the batch-norm trap ---------------------------------------------------------------------------------------
def bn_trap(conv: nn.Conv2d, x_source: torch.Tensor, x_target: torch.Tensor, steps: int = 20) -> dict:
    """A frozen body with batch norm, in numbers. `conv` followed by a BatchNorm2d whose statistics are
    fitted on the source images is frozen (requires_grad=False everywhere); then `steps` batches of the
    target pass through it, as a training loop would send them: once in train mode (the running mean
    moves: BN updates its statistics in forward, gradients or not) and once after body.eval() (it stays).
    Returns the first four channels' running mean before and after each, and the largest change."""
    bn = nn.BatchNorm2d(conv.out_channels, momentum=None)  # momentum=None: an exact average over batches
    frozen = nn.Sequential(conv, bn)
    with torch.no_grad():
        frozen.train()
        for i in range(0, len(x_source), 256):
            frozen(x_source[i : i + 256])  # calibrate: the statistics of the source task
    frozen.requires_grad_(False)
    bn.momentum = 0.1  # PyTorch's default, what a loaded network would have
    before = bn.running_mean.clone()
    after = {}
    for mode in ("train", "eval"):
        bn.running_mean.copy_(before)
        frozen.train(mode == "train")
        with torch.no_grad():
            for s in range(steps):
                frozen(x_target[(s * 32) % len(x_target) :][:32])
        after[mode] = bn.running_mean.clone()
    return {
        "channels": 4,
        "before": before[:4].tolist(),
        "after_train": after["train"][:4].tolist(),
        "after_eval": after["eval"][:4].tolist(),
        "shift_train": float((after["train"] - before).abs().max()),
        "shift_eval": float((after["eval"] - before).abs().max()),
        "trainable": trainable_count(frozen),
    }


# -- the primer's ResNet-18, when a teacher has put its weights in data/ -----------------------------------------
def resnet_file(folder: Path) -> Path | None:
    """The torchvision ResNet-18 weights file in `folder` (resnet18-f37072fd.pth), or None."""
    found = sorted(Path(folder).glob(RESNET_FILE_PATTERN))
    return found[0] if found else None


def resnet18_for(path: Path, n_classes: int = 10) -> nn.Module:
    """The primer's 7.3 code, offline: ResNet-18 with the weights read from `path` (weights_only=True: a
    weights file can carry no code), every parameter frozen, and a new `fc` for `n_classes`."""
    import torchvision.models as models

    from core import checkpoints

    model = models.resnet18(weights=None)  # the architecture only: nothing is downloaded
    # the lab's one gateway to torch.load(weights_only=True), with its checks of the archive and its size
    model.load_state_dict(checkpoints._torch_load(Path(path).read_bytes(), RESNET_MAX_BYTES))
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, n_classes)  # new, so requires_grad=True
    return model


# -- your own symbols (drawn on the page) -------------------------------------------------------------------------
MAX_SYMBOLS, MAX_DRAWINGS = 5, 30  # per session: 5 classes × 30 drawings of 28×28 bytes


def split_drawings(labels: Sequence[int], every: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Train and held-out indices of the drawings: every `every`-th drawing of each symbol is held out."""
    labels = np.asarray(labels)
    held = np.zeros(len(labels), dtype=bool)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        held[members[every - 1 :: every]] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def symbols_task(images: np.ndarray, labels: Sequence[int], names: Sequence[str]) -> Task:
    """The student's drawings (N, 28, 28) uint8 as a task: three of every four train, one is held out."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32).div(255).unsqueeze(1)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.int64)
    tr, te = split_drawings(labels)
    return Task("symbols", x[tr], y[tr], x[te], y[te], tuple(names))


def symbols_config(task: Task, steps: int = 100, seed: int = 0) -> TransferConfig:
    """Scratch against a new head on the shipped CNN (frozen last: the run's saved model is its), on as many
    drawings per symbol as the symbol with the fewest has."""
    k = int(np.bincount(task.y_train.numpy()).min()) if len(task.y_train) else 1
    return TransferConfig(
        source="0-9", target="symbols", arms=("scratch", "frozen"), labels=(max(1, min(k, MAX_LABELS)),),
        steps=steps, seed=seed,
    )  # fmt: skip


@torch.no_grad()
def read_symbols(model: MNISTCNN, x: torch.Tensor, n_classes: int) -> np.ndarray:
    """Probabilities (B, n) of each symbol for drawings x (B, 1, 28, 28)."""
    model.eval()
    return class_scores(model, x, n_classes).exp().numpy()


# -- the run zip ---------------------------------------------------------------------------------------------
def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the run zip's train.py (core/export_scripts/transfer.tmpl): the settings; the
    script trains its digits from scratch and, when given the pretrained file, the other arms."""
    cfg = from_dict(TransferConfig, config)
    return {
        "SOURCE": cfg.source,
        "TARGET": "5-9" if cfg.target == "symbols" else cfg.target,  # the drawings stay in the lab
        "ARMS": list(cfg.arms),
        "LABELS": [int(k) for k in cfg.labels],
        "STEPS": cfg.steps,
        "BATCH_SIZE": cfg.batch_size,
        "LR": cfg.lr,
        "FINETUNE_LR": cfg.finetune_lr,
        "SEED": cfg.seed,
        "MODEL_ARGS": {
            k: model_config.get(k, v) for k, v in dict(c1=16, c2=32, hidden=256, dropout=0.1).items()
        },
        # core.run_export ships the run's digits as data.npz: the 8×8 digits, or MNIST's
        "DATASET": "digits" if cfg.target == "digits8" else "mnist",
    }
