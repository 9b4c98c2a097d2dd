"""The supervised training loop of Part 1 (XOR) and Part 2 (CNN), as an iterator of metric records.

The anatomy of the course's `train()`/`test()` (000, Part 2): zero_grad → forward → loss → backward →
step, then evaluate; but batches index a shuffled in-memory tensor (no per-sample DataLoader), every
random draw uses a per-run `torch.Generator`, and a non-finite loss ends the run with a "diverged" record.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core import records
from core.models import attach_generator, evaluating

LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "nll": F.nll_loss,  # model outputs log-probabilities (LogSoftmax), as the course CNN
    "cross_entropy": F.cross_entropy,  # model outputs logits
    "bce": F.binary_cross_entropy,  # model outputs probabilities (Sigmoid), as the XOR MLP
    "mse": F.mse_loss,
}
OPTIMIZERS = ("adam", "sgd", "sgd_momentum")  # the names every config and page uses (make_optimizer)
SCHEDULES = ("none", "step", "cosine")
AMP_MODES = ("off", "bf16", "fp16")  # FitConfig.amp; "fp16" needs a GradScaler, "bf16" does not
READ_EVERY_GPU = 8  # GPU: step losses are read back 8 at a time, one host sync instead of eight


@dataclass(frozen=True)
class FitConfig:
    epochs: int = 10  # passes over the training set (course CNN: 10)
    batch_size: int = 64  # images per update; the course uses 1024 on a GPU
    lr: float = 1e-3  # Adam's usual default, as in the course
    optimizer: str = "adam"  # "adam" | "sgd" | "sgd_momentum"
    momentum: float = 0.9  # only for sgd_momentum
    weight_decay: float = 0.0  # L2 penalty; > 0 fights overfitting
    schedule: str = "none"  # "none" | "step" (halve every epochs//3) | "cosine"
    loss: str = "nll"  # key of LOSSES
    seed: int = 0  # shuffling (and init, where the caller uses reset_parameters)
    eval_batch_size: int = 1000
    amp: str = "off"  # mixed precision on a GPU (AMP_MODES); off on the CPU, where it does not pay


def make_optimizer(
    name: str,
    params: Iterable[torch.Tensor],
    lr: float,
    *,
    beta1: float = 0.9,
    momentum: float = 0.9,
    weight_decay: float = 0.0,
    fused: bool = False,
) -> torch.optim.Optimizer:
    """The optimizer called `name` (one of OPTIMIZERS), for every trainer of the lab.

    "adam": Adam with betas (beta1, 0.999); "sgd": plain SGD; "sgd_momentum": SGD with `momentum`.
    `fused` lets Adam update all tensors in one kernel (CPU and CUDA, float parameters).
    """
    params = list(params)
    if name == "adam":
        betas = (beta1, 0.999)
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=weight_decay, fused=fused or None)
    if name in ("sgd", "sgd_momentum"):
        momentum = momentum if name == "sgd_momentum" else 0.0
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {OPTIMIZERS}")


def make_scheduler(opt: torch.optim.Optimizer, cfg: FitConfig):
    if cfg.schedule == "none":
        return None
    if cfg.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, cfg.epochs // 3), gamma=0.5)
    if cfg.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, cfg.epochs))
    raise ValueError(f"unknown schedule {cfg.schedule!r}; choose one of {SCHEDULES}")


def predictions(output: torch.Tensor) -> torch.Tensor:
    """Class predictions: argmax over classes, or a 0.5 threshold for a single sigmoid output."""
    return (output > 0.5).long().squeeze(1) if output.shape[1] == 1 else output.argmax(dim=1)


def _targets_for_accuracy(y: torch.Tensor) -> torch.Tensor:
    return y.long().squeeze(1) if y.dim() == 2 else y


@torch.inference_mode()
def evaluate(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss: str = "nll",
    batch_size: int = 1000,
    device: str | torch.device = "cpu",
    with_confusion: bool = False,
) -> dict:
    """Mean loss and accuracy on (x, y); with_confusion adds scikit-learn's confusion matrix."""
    loss_fn = LOSSES[loss]
    device = torch.device(device)
    xs, ys = _on_device(x, device), _on_device(y, device)  # one copy, not one per batch
    if device.type == "cpu":
        # passes of at most 256 stay in cache: faster than one pass of 1,000 (bench/README.md, evaluate)
        batch_size = min(batch_size, MICRO_BATCH_CPU)
    total, preds = torch.zeros((), device=device), []
    with evaluating(model):
        for c in _chunks(len(x), batch_size) if len(x) else []:
            xb, yb = xs[c], ys[c]
            out = model(xb)
            total += loss_fn(out, yb, reduction="sum") / (yb[0].numel() if yb.dim() > 1 else 1)
            preds.append(predictions(out))
    total = total.item()  # one host sync for the whole set
    pred = torch.cat(preds).cpu()
    target = _targets_for_accuracy(y).cpu()
    result = {"loss": total / max(1, len(x)), "accuracy": (pred == target).float().mean().item()}
    if with_confusion:
        from sklearn.metrics import confusion_matrix

        labels = list(range(max(2, int(target.max().item()) + 1)))
        result["confusion"] = confusion_matrix(target.numpy(), pred.numpy(), labels=labels)
        result["predictions"] = pred.numpy()
    return result


class TrainError(ValueError):
    """Settings or data a run cannot start with; `code` keys the page's message (`train.err.<code>`)."""

    CODES = ("epochs", "batch_size", "lr", "no_data", "setting")

    def __init__(self, code: str, detail: str = ""):
        assert code in self.CODES, code
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


def _whole(value: object) -> bool:
    """An int, numpy int or integral float (5.0): what `range` and slicing accept after int()."""
    try:
        return float(value) == int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return False


def check_fit(cfg: FitConfig, n_train: int, n_labels: int | None = None, min_epochs: int = 0) -> None:
    """Refuse what cannot train, before any work. Allowed on purpose: a batch larger than the data
    (it becomes the whole data set), a single example, and a huge learning rate (the run diverges and
    says so: that is a lesson, not an error)."""
    known = cfg.loss in LOSSES and cfg.optimizer in OPTIMIZERS and cfg.schedule in SCHEDULES
    if not known or cfg.amp not in AMP_MODES:
        raise TrainError(
            "setting",
            f"loss={cfg.loss!r} optimizer={cfg.optimizer!r} schedule={cfg.schedule!r} amp={cfg.amp!r}",
        )
    if not _whole(cfg.epochs) or cfg.epochs < min_epochs:
        raise TrainError("epochs", f"epochs={cfg.epochs!r}, at least {min_epochs}")
    if not _whole(cfg.batch_size) or cfg.batch_size < 1:
        raise TrainError("batch_size", f"batch_size={cfg.batch_size!r}")
    try:
        lr = float(cfg.lr)
    except (TypeError, ValueError):
        lr = math.nan
    if not (math.isfinite(lr) and lr > 0):
        raise TrainError("lr", f"lr={cfg.lr!r}")
    if n_train < 1 or (n_labels is not None and n_labels != n_train):
        raise TrainError("no_data", f"{n_train} inputs, {n_labels} labels")


def subset(x: torch.Tensor, y: torch.Tensor, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `size` examples of a seeded permutation (all of them when size is 0 or too large): a
    smaller training set, the same for the same seed (the CNN's and the Hyperparameters page's runs)."""
    if size <= 0 or size >= len(x):
        return x, y
    idx = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:size]
    return x[idx], y[idx]


MICRO_BATCH_CPU = 256  # CPU: at most 256 images per pass inside one update (see micro_batch)


def micro_batch(model: nn.Module, device: str | torch.device, batch: int) -> int:
    """The most images per forward/backward pass inside one update of `batch` images.

    On a CPU a large batch is run in chunks whose gradients add up to the same update (a mean loss,
    each chunk weighted by its share), so its activations stay in cache: batch 1024 as 4 x 256 is
    faster per update than one pass (bench/README.md, Training throughput). Chunks of 128 are as
    fast on an idle machine but twice as many small parallel regions, each of which waits for both
    OpenMP threads; on a busy 2-core machine that waiting made them slower than 256. Not with batch
    norm, whose statistics would then be per chunk, and not on a GPU, where one big pass is fastest.
    """
    if torch.device(device).type != "cpu" or batch <= MICRO_BATCH_CPU:
        return batch
    if any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()):
        return batch
    return MICRO_BATCH_CPU


def _chunks(n: int, micro: int) -> list[slice]:
    """ceil(n / micro) chunks of near-equal size: a batch of 928 in at most 256 is 4 x 232, not
    3 x 256 + 160 (a small last chunk costs nearly a full pass's overheads for little work)."""
    k = math.ceil(n / micro)
    bounds = [round(i * n / k) for i in range(k + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


class Precision:
    """Mixed precision for one run: `autocast()` around the forward pass, `backward(loss)` and `step()`.

    Only on a CUDA GPU: there bf16/fp16 matrix products run on tensor cores at several times float32's
    speed. fp16's narrow range underflows small gradients, so its loss is scaled up before backward and
    the gradients scaled back before the step (GradScaler, which also skips a step whose gradients
    overflowed). bf16 has float32's range and needs no scaler. Weights and the optimizer stay float32.
    Everywhere else (and with amp="off") every method is the plain float32 operation.
    """

    def __init__(self, amp: str, device: torch.device):
        self.on = device.type == "cuda" and amp != "off"
        if self.on and amp == "bf16" and not torch.cuda.is_bf16_supported():
            raise TrainError("setting", f"amp='bf16': {torch.cuda.get_device_name(device)} has no bfloat16")
        self.dtype = torch.float16 if amp == "fp16" else torch.bfloat16
        self.scaler = torch.amp.GradScaler("cuda") if self.on and amp == "fp16" else None

    def autocast(self) -> contextlib.AbstractContextManager:
        if not self.on:  # a disabled torch.autocast still costs a context switch per pass
            return contextlib.nullcontext()
        return torch.autocast("cuda", dtype=self.dtype)

    def backward(self, loss: torch.Tensor) -> None:
        (self.scaler.scale(loss) if self.scaler else loss).backward()

    def step(self, opt: torch.optim.Optimizer) -> None:
        if self.scaler is None:
            opt.step()
        else:
            self.scaler.step(opt)  # unscales, and skips the step if a gradient is inf/nan
            self.scaler.update()


def _forward_backward(
    model: nn.Module, loss_fn: Callable, xb: torch.Tensor, yb: torch.Tensor, micro: int, prec: Precision
) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward and backward of one batch (in chunks of at most `micro`); its outputs and mean loss."""
    if len(xb) <= micro:
        with prec.autocast():
            out = model(xb)
            loss = loss_fn(out.float(), yb)  # the loss in float32 even under autocast
        prec.backward(loss)
        return out, loss
    outs, total = [], torch.zeros((), device=xb.device)
    for c in _chunks(len(xb), micro):
        with prec.autocast():
            out = model(xb[c])
            part = loss_fn(out.float(), yb[c]) * (len(out) / len(xb))  # mean over the whole batch
        prec.backward(part)  # gradients accumulate in .grad across chunks
        outs.append(out.detach())
        total += part.detach()
    return torch.cat(outs), total


def _on_device(t: torch.Tensor, device: torch.device) -> torch.Tensor:
    """`t` on `device`, copied once. To a GPU the copy goes from page-locked (pinned) memory, which
    the GPU reads directly by DMA, instead of through an extra staging copy of pageable memory."""
    if device.type == "cuda" and t.device.type == "cpu":
        return t.pin_memory().to(device, non_blocking=True)
    return t.to(device)


def fit(
    model: nn.Module,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    cfg: FitConfig,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    device: str | torch.device = "cpu",
    generator: torch.Generator | None = None,
    start_epoch: int = 0,
    transform: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
    read_every: int | None = None,
    fast: bool = True,
) -> Iterator[dict]:
    """Train `model` in place, yielding a record after every batch and every epoch.

    `transform(x_batch, generator)`, if given, changes every batch before the forward pass (the CNN's
    random affine augmentation), drawing its randomness from the run's generator.

    Records: {"kind": "step", "epoch", "batch", "batches", "step", "seen", "loss", "elapsed"} per batch;
    {"kind": "epoch", "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "elapsed",
    "images_per_s"} per epoch; {"kind": "diverged", ...} once if the loss stops being finite.
    The consumer stops training by no longer iterating (or `close()`); a paused generator resumes
    where it was, model and optimizer state included. `read_every` step records share one read of
    their losses (default: 1 on a CPU, READ_EVERY_GPU on a GPU, where the model runs that many steps
    ahead of the last record).

    `fast` (the default) takes the fast paths: channels-last images, fused Adam, CPU micro-batches,
    FitConfig.amp, batched loss reads. `fast=False` is the course's plain float32 loop on the same
    data, order and dropout masks; the two give the same run up to float rounding (tests/core).
    """
    check_fit(cfg, len(x_train), len(y_train))
    device = torch.device(device)
    g = generator or torch.Generator().manual_seed(cfg.seed)
    loss_fn = LOSSES[cfg.loss]
    model.to(device).train()
    attach_generator(model, g, device)
    # The data set is copied to the device once; every batch then indexes it there (no DataLoader,
    # no per-batch host-to-device copy).
    x_train, y_train = _on_device(x_train, device), _on_device(y_train, device)
    if x_val is not None and y_val is not None:  # once, not once per epoch's evaluate
        x_val, y_val = _on_device(x_val, device), _on_device(y_val, device)
    if fast and x_train.dim() == 4:
        # images: oneDNN/cuDNN convolutions are faster in NHWC, "channels last" (bench/README.md)
        model.to(memory_format=torch.channels_last)
        x_train = x_train.contiguous(memory_format=torch.channels_last)
    n = len(x_train)
    batch = min(cfg.batch_size, n)  # a batch larger than the data set is the whole data set
    batches = math.ceil(n / batch)
    # Fused Adam: one kernel for every parameter's update instead of about ten ops per tensor.
    fusable = device.type in ("cpu", "cuda") and all(p.is_floating_point() for p in model.parameters())
    opt = make_optimizer(
        cfg.optimizer,
        model.parameters(),
        cfg.lr,
        momentum=cfg.momentum,
        weight_decay=cfg.weight_decay,
        fused=fast and fusable,
    )
    sched = make_scheduler(opt, cfg)
    micro = micro_batch(model, device, batch) if fast else batch
    prec = Precision(cfg.amp if fast else "off", device)
    # Reading a loss (`.item()`) waits for the GPU to finish everything queued; so on a GPU the step
    # records wait in `pending` and their losses are read `read_every` at a time. On a CPU the work is
    # already done when the loss exists, and every record goes out at once.
    if read_every is None:
        read_every = READ_EVERY_GPU if fast and device.type == "cuda" else 1
    t0, seen, step = time.perf_counter(), 0, start_epoch * batches
    for epoch in range(start_epoch + 1, cfg.epochs + 1):
        perm = torch.randperm(n, generator=g).to(device)  # drawn on the CPU: the same order on any device
        loss_sum, correct = torch.zeros((), device=device), torch.zeros((), device=device)
        pending: list[tuple[dict, torch.Tensor]] = []
        for b in range(batches):
            idx = perm[b * batch : (b + 1) * batch]
            xb, yb = x_train[idx], y_train[idx]
            if transform is not None:
                xb = transform(xb, g)
            opt.zero_grad(set_to_none=True)
            out, loss = _forward_backward(model, loss_fn, xb, yb, micro, prec)
            prec.step(opt)
            step += 1
            seen += len(idx)
            loss = loss.detach()
            loss_sum += loss * len(idx)  # sums stay on the device, read once per epoch
            correct += (predictions(out.detach()) == _targets_for_accuracy(yb)).sum()
            pending.append(({"batch": b + 1, "step": step, "seen": seen}, loss))
            if len(pending) < read_every and b + 1 < batches:
                continue
            if len(pending) == 1:
                values = [pending[0][1].item()]
            else:
                values = torch.stack([value for _, value in pending]).tolist()  # one host sync
            now = time.perf_counter() - t0
            for (at, _), value in zip(pending, values, strict=True):
                if not math.isfinite(value):
                    yield records.diverged(epoch, value, batch=at["batch"], step=at["step"], elapsed=now)
                    return
                yield records.step(epoch=epoch, batches=batches, loss=value, elapsed=now, **at)
            pending = []
        lr = opt.param_groups[0]["lr"]
        if sched is not None:
            sched.step()
        loss_total, n_correct = torch.stack([loss_sum, correct.float()]).tolist()  # one host sync
        record = records.epoch(
            epoch,
            step=step,
            train_loss=loss_total / n,
            train_acc=n_correct / n,
            lr=lr,
            elapsed=time.perf_counter() - t0,
            images_per_s=seen / max(1e-9, time.perf_counter() - t0),
        )
        if x_val is not None and y_val is not None:
            ev = evaluate(model, x_val, y_val, cfg.loss, cfg.eval_batch_size, device)
            record["val_loss"], record["val_acc"] = ev["loss"], ev["accuracy"]
        yield record


def run_to_end(records: Iterator[dict]) -> list[dict]:
    """Consume a training iterator and return its epoch (and diverged) records — for CLI and tests."""
    return [r for r in records if r["kind"] != "step"]
