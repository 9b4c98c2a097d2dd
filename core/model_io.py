"""Keeping a model (primer 001, 8.1 saving and loading, 8.4 TorchScript; the CIFAR-10 guide's ONNX step;
8.2 timing on a GPU): what a .pth holds, the three classic load errors provoked and explained, resuming
with and without the optimizer's state, and exporting to a torch.export program (.pt2) and to ONNX,
checked by running the exported file on the same inputs.

Every file read here goes through core.checkpoints (a size-checked zip, then torch.load(weights_only=True)).
"""

from __future__ import annotations

import copy
import io
import re
import statistics
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core import checkpoints

# -- what is inside a .pth ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorRow:
    name: str  # the state_dict key: the attribute path of the layer, then weight/bias
    shape: tuple[int, ...]
    dtype: str
    numel: int
    nbytes: int  # numel x bytes per element: what the tensor costs in the file


@dataclass
class Inside:
    rows: list[TensorRow]
    family: str
    config: dict  # the model's constructor arguments, stored beside the weights
    meta: dict  # what else the lab stores: epochs, metrics, the command that made it
    file_bytes: int
    members: list[tuple[str, int]]  # the zip archive's files and their sizes (torch.save writes a zip)

    @property
    def tensor_bytes(self) -> int:
        return sum(r.nbytes for r in self.rows)

    @property
    def parameters(self) -> int:
        return sum(r.numel for r in self.rows)


def inside(source: str | Path | bytes) -> Inside:
    """The tensors of a lab checkpoint (names, shapes, dtypes, bytes), its stored settings and the zip's
    members; CheckpointError for a file the lab refuses. The weights are read, never run."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    loaded = checkpoints.load(data)
    rows = [
        TensorRow(
            k, tuple(v.shape), str(v.dtype).removeprefix("torch."), v.numel(), v.numel() * v.element_size()
        )
        for k, v in loaded.model.state_dict().items()
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the table of contents only: nothing is unpickled
        members = [(m.filename.split("/", 1)[-1], m.file_size) for m in archive.infolist()]
    return Inside(rows, loaded.family, loaded.config, loaded.meta, len(data), members)


# -- the three classic load errors ----------------------------------------------------------------------------
ERRORS = ("keys", "size", "pickled")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # torch.load's message makes one phrase bold for a terminal


class TinyNet(nn.Module):
    """2 → width → 1: the XOR network written as a class with named layers; the errors are provoked on it."""

    def __init__(self, width: int = 4):
        super().__init__()
        self.hidden = nn.Linear(2, width)
        self.out = nn.Linear(width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(self.hidden(x))  # (B, width)
        return torch.sigmoid(self.out(h))  # (B, 1)


class RenamedNet(nn.Module):
    """TinyNet after a tidy-up that renamed its last layer `out` → `head`: the code changed, the file did not."""

    def __init__(self, width: int = 4):
        super().__init__()
        self.hidden = nn.Linear(2, width)
        self.head = nn.Linear(width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(self.hidden(x))  # (B, width)
        return torch.sigmoid(self.head(h))  # (B, 1)


@dataclass
class LoadError:
    kind: str  # one of ERRORS
    exception: str  # the exception's type, as the student would see it
    message: str  # PyTorch's own message, captured
    fixed_diff: float  # after the fix: largest |output - the saved model's output| on the XOR inputs
    detail: dict = field(default_factory=dict)  # what the fix shows (strict=False's lists, needed globals)


def read_file(path: Path) -> Any:
    """What a torch.save file holds, read the lab's one way: core.checkpoints' reader (a size-checked zip,
    then torch.load(weights_only=True)); CheckpointError when refused, its cause PyTorch's own error."""
    return checkpoints._torch_load(path.read_bytes())  # the gateway's reader: the one torch.load of the app


def _xor_inputs() -> torch.Tensor:
    return torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _diff(a: nn.Module, b: nn.Module) -> float:
    with torch.no_grad():
        return float((a(_xor_inputs()) - b(_xor_inputs())).abs().max())


def provoke(kind: str, seed: int = 0) -> LoadError:
    """Make load error `kind` happen for real on a TinyNet saved in a temporary file, capture PyTorch's
    message, then apply the fix and measure that the loaded model computes what the saved one did."""
    assert kind in ERRORS, f"one of {ERRORS}, got {kind!r}"
    torch.manual_seed(seed)
    saved = TinyNet(width=4)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tiny.pth"
        if kind == "pickled":
            torch.save(saved, path)  # the whole object: a pickle that names TinyNet's class
            try:
                read_file(path)
            except checkpoints.CheckpointError as e:
                cause = e.__cause__ or e
                unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(str(path))  # read, not run
                torch.save(saved.state_dict(), path)  # the fix: the state_dict only
                fixed = TinyNet(width=4)
                fixed.load_state_dict(read_file(path))
                return LoadError(kind, type(cause).__name__, _ANSI.sub("", str(cause)), _diff(saved, fixed),
                                 {"globals": sorted(unsafe)})  # fmt: skip
            raise AssertionError("torch.load(weights_only=True) read a whole pickled model")
        # a lab checkpoint: the weights and the settings that rebuild the model (nanoGPT's checkpoints)
        torch.save({"config": {"width": 4}, "state_dict": saved.state_dict()}, path)
        ck = read_file(path)
        target = RenamedNet(width=4) if kind == "keys" else TinyNet(width=8)  # the code changed since
        try:
            target.load_state_dict(ck["state_dict"])
        except RuntimeError as e:
            message, exception = str(e), type(e).__name__
        else:
            raise AssertionError(f"{kind}: load_state_dict accepted the changed model")
    if kind == "keys":
        loose = RenamedNet(width=4)
        result = loose.load_state_dict(ck["state_dict"], strict=False)  # loads what matches, skips the rest
        renamed = {re.sub(r"^out\.", "head.", k): v for k, v in ck["state_dict"].items()}
        fixed = RenamedNet(width=4)
        fixed.load_state_dict(renamed)
        detail = {
            "missing": list(result.missing_keys),
            "unexpected": list(result.unexpected_keys),
            "loose_diff": _diff(saved, loose),  # strict=False ran, but the head is still random
        }
        return LoadError(kind, exception, message, _diff(saved, fixed), detail)
    fixed = TinyNet(**ck["config"])  # rebuilt from the settings stored beside the weights
    fixed.load_state_dict(ck["state_dict"])
    return LoadError(kind, exception, message, _diff(saved, fixed), {"config": ck["config"]})


# -- resuming: the optimizer's state belongs in the checkpoint ---------------------------------------------


@dataclass(frozen=True)
class ResumeConfig:
    width: int = 128  # a wide hidden layer: fresh Adam moves every one of its weights by ±lr at once
    lr: float = 0.03  # Adam, a little high: the stored second moments are what keep its steps small
    batch: int = 64  # mini-batches: noisy gradients, which Adam's moments average out
    epochs: int = 8  # the whole run
    stop: int = 5  # the epoch the checkpoint is written at, then training resumes from the file
    seed: int = 0  # the initial weights and the order of the batches


@dataclass
class Resumed:
    steps_per_epoch: int
    before: list[float]  # the training loss (whole training set) after each step until the checkpoint
    with_state: list[float]  # after each step, resumed with the optimizer's state
    without_state: list[float]  # after each step, resumed with a fresh optimizer (the weights alone)
    checkpoint_bytes: int  # the file with the optimizer's state
    weights_bytes: int  # the model's state_dict alone

    def peak(self, curve: list[float]) -> float:
        """The highest loss in the first epoch after resuming."""
        return max(curve[: self.steps_per_epoch])

    @property
    def jump(self) -> float:
        """How many times higher the loss went without the optimizer's state than with it (first epoch)."""
        return self.peak(self.without_state) / max(self.peak(self.with_state), 1e-12)


def digits_net(width: int, n_in: int = 64, n_out: int = 10) -> nn.Sequential:
    """The small classifier that is trained and resumed: 64 pixels (8x8 digits) → width → 10 classes."""
    return nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Linear(width, n_out))


def _epochs(model, opt, g, x, y, batch, epochs) -> list[float]:
    """`epochs` epochs of mini-batch training; the loss on the whole training set after every step."""
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g)  # (N,): this epoch's shuffle
        for i in range(0, len(x), batch):
            idx = order[i : i + batch]
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                losses.append(float(nn.functional.cross_entropy(model(x), y)))
    return losses


def train_straight(x: torch.Tensor, y: torch.Tensor, cfg: ResumeConfig) -> list[float]:
    """The same run never interrupted: what a good resume must reproduce exactly."""
    x = x.flatten(1)  # (N, features)
    torch.manual_seed(cfg.seed)
    model = digits_net(cfg.width, x.shape[1], int(y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    return _epochs(model, opt, torch.Generator().manual_seed(cfg.seed), x, y, cfg.batch, cfg.epochs)


def resume(x: torch.Tensor, y: torch.Tensor, cfg: ResumeConfig = ResumeConfig()) -> Resumed:
    """Train `cfg.stop` epochs, write a checkpoint (weights, Adam's state, epoch, the shuffle's generator)
    to a temporary file, then resume from it twice: with the optimizer's state, and with a fresh Adam."""
    assert 0 < cfg.stop < cfg.epochs, f"stop inside the run: 0 < {cfg.stop} < {cfg.epochs}"
    x = x.flatten(1)  # (N, 64)
    n_out = int(y.max()) + 1
    torch.manual_seed(cfg.seed)
    model = digits_net(cfg.width, x.shape[1], n_out)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    g = torch.Generator().manual_seed(cfg.seed)
    before = _epochs(model, opt, g, x, y, cfg.batch, cfg.stop)
    curves = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pth"
        torch.save(
            {
                "epoch": cfg.stop,
                "model_state_dict": model.state_dict(),
                "optimizer_state_dict": opt.state_dict(),  # Adam's step count and both moments per weight
                "generator_state": g.get_state(),  # the next epochs shuffle as the uninterrupted run's
            },
            path,
        )
        checkpoint_bytes = path.stat().st_size
        buf = io.BytesIO()
        torch.save(model.state_dict(), buf)
        for keep in (True, False):
            ck = read_file(path)
            resumed = digits_net(cfg.width, x.shape[1], n_out)
            resumed.load_state_dict(ck["model_state_dict"])
            new_opt = torch.optim.Adam(resumed.parameters(), lr=cfg.lr)
            if keep:
                new_opt.load_state_dict(ck["optimizer_state_dict"])
            g2 = torch.Generator()
            g2.set_state(ck["generator_state"])
            curves[keep] = _epochs(resumed, new_opt, g2, x, y, cfg.batch, cfg.epochs - ck["epoch"])
    steps = -(-len(x) // cfg.batch)
    return Resumed(steps, before, curves[True], curves[False], checkpoint_bytes, len(buf.getvalue()))


# -- export: torch.export (.pt2) and ONNX, checked by running the file ------------------------------------------
FORMATS = ("onnx", "pt2")
EXPORT_BATCH = 2  # the batch the program is traced with; it is checked on another size (the batch is dynamic)


def _image(config: dict, batch: int, g: torch.Generator) -> torch.Tensor:
    return torch.rand(batch, 1, 28, 28, generator=g)


def _colour(config: dict, batch: int, g: torch.Generator) -> torch.Tensor:
    """A batch for the CIFAR-10 guide's networks: (B, channels, size, size) as their config says."""
    size = int(config.get("size", 32))
    return torch.rand(batch, int(config.get("in_channels", 3)), size, size, generator=g)


# family → an input of the right shape (B first): the families a page can export
INPUTS: dict[str, Callable[[dict, int, torch.Generator], torch.Tensor]] = {
    "cnn.MNISTCNN": _image,
    "mlp.MLP": lambda c, b, g: torch.rand(b, int(c.get("n_in", 2)), generator=g),
    "sequence.SequenceNet": lambda c, b, g: torch.rand(b, 10, 1, generator=g),
    "gan.Generator": lambda c, b, g: torch.randn(b, int(c.get("latent_dim", 100)), generator=g),
    "simple_cnn.SimpleCNN": _colour,
    "simple_cnn.DeeperCNN": _colour,
}


class ExportError(ValueError):
    """An export that cannot be made: `code` keys the translated message ("family", "failed")."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass
class Exported:
    fmt: str
    data: bytes  # the file, to write or download
    max_diff: float  # largest |exported - PyTorch| on a test batch
    batch: int  # the test batch's size (not the traced one: the batch dimension is dynamic)
    seconds: float
    exporter: str  # which exporter made it


def example_input(family: str, config: dict, batch: int, seed: int = 0) -> torch.Tensor:
    if family not in INPUTS:
        raise ExportError("family", family)
    return INPUTS[family](config, batch, torch.Generator().manual_seed(seed))


def _run_onnx(data: bytes, x: torch.Tensor) -> torch.Tensor:
    import onnxruntime as ort

    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    return torch.from_numpy(out)


def export(model: nn.Module, family: str, config: dict, fmt: str, batch: int = 8, seed: int = 0) -> Exported:
    """`model` as an ONNX file or a .pt2 program (bytes), then both run on the same test batch: the largest
    difference. A copy is exported (a shared model is never touched). Not thread-safe: torch.export traces
    through process-wide state, so callers run one export at a time."""
    assert fmt in FORMATS, f"one of {FORMATS}, got {fmt!r}"
    traced = example_input(family, config, EXPORT_BATCH, seed)
    x = example_input(family, config, batch, seed + 1)
    model = copy.deepcopy(model).eval().requires_grad_(False)
    dims = ({0: torch.export.Dim("batch", min=1, max=4096)},)  # any batch size, not only the traced one
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the exporters' deprecation notes are for PyTorch's developers
            if fmt == "pt2":
                buf = io.BytesIO()
                torch.export.save(torch.export.export(model, (traced,), dynamic_shapes=dims), buf)
                data, exporter = buf.getvalue(), "torch.export"
                out = torch.export.load(io.BytesIO(data)).module()(x)  # the file we just wrote, run back
            else:
                program = torch.onnx.export(
                    model, (traced,), dynamo=True, verbose=False, dynamic_shapes=dims,
                    input_names=["input"], output_names=["output"],
                )  # fmt: skip
                data, exporter = program.model_proto.SerializeToString(), "torch.onnx (dynamo)"
                out = _run_onnx(data, x)
            ref = model(x)
    except ExportError:
        raise
    except Exception as e:  # an exporter's failure names an operator: say which, never a traceback
        raise ExportError("failed", f"{type(e).__name__}: {str(e).splitlines()[0][:300]}") from e
    diff = float((out - ref).abs().max())
    return Exported(fmt, data, diff, batch, time.perf_counter() - start, exporter)


# -- GPU timing done right (8.2) ---------------------------------------------------------------------------


@dataclass
class Timing:
    batch: int
    cpu_ms: float  # median of the CPU forward passes
    device: str = ""  # "" without a GPU
    first_ms: float | None = None  # the GPU's first call: kernels loaded, memory allocated
    unsynced_ms: float | None = None  # without torch.cuda.synchronize: only the launch is timed
    synced_ms: float | None = None  # with it: the real time


def _median_ms(fn: Callable[[], Any], repeats: int, sync: Callable[[], None]) -> float:
    times = []
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def time_forward(model: nn.Module, x: torch.Tensor, repeats: int = 5, device: str | None = None) -> Timing:
    """The forward pass on the CPU, then (where there is a GPU) on it three ways: the first call, after a
    warm-up without synchronising (wrong: CUDA runs asynchronously, so the clock stops at the launch), and
    with torch.cuda.synchronize() around each call (right)."""
    model = copy.deepcopy(model).eval()
    nothing = lambda: None  # noqa: E731
    with torch.no_grad():
        timing = Timing(len(x), _median_ms(lambda: model(x), repeats, nothing))
        if device is None:  # "" asks for the CPU alone
            device = "cuda" if torch.cuda.is_available() else ""
        if not device:
            return timing
        gpu, xg = model.to(device), x.to(device)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        gpu(xg)
        torch.cuda.synchronize()
        timing.first_ms = 1000 * (time.perf_counter() - t0)
        for _ in range(3):  # warm-up: cuDNN picks its algorithms, the allocator keeps its blocks
            gpu(xg)
        timing.unsynced_ms = _median_ms(lambda: gpu(xg), repeats, nothing)
        timing.synced_ms = _median_ms(lambda: gpu(xg), repeats, torch.cuda.synchronize)
        timing.device = torch.cuda.get_device_name(torch.device(device))
    return timing
