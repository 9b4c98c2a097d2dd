"""Image data sets beyond MNIST: Fashion-MNIST, CIFAR-10 and a coloured MNIST, offline and checked.

The course's image-classification guide (002) trains on CIFAR-10; Fashion-MNIST (Xiao et al. 2017) is
MNIST's drop-in harder sibling; coloured MNIST (after Arjovsky et al. 2019, "Invariant Risk
Minimization") teaches shortcut learning: in training a digit's colour gives its label away, in testing
it does not. Every set is uint8 images plus int64 labels, read-only and cached per process; a set that
cannot be read raises `DataUnavailable` with a reason code the pages translate.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import pickle
import struct
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.data import DATA_DIR, SPLIT_SEED, Provenance, Split, load_embedded_mnist

DATASETS = ("fashion", "cifar10", "coloured_mnist")
REASONS = ("no_files", "files_invalid", "checksum", "tampered")

FASHION_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist
FASHION_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

CIFAR_FOLDER = "cifar-10-batches-py"
CIFAR_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR_MD5 = "c58f30108f718f92721af3b95e74349a"  # published on https://www.cs.toronto.edu/~kriz/cifar.html
CIFAR_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)

# Coloured MNIST: digit d is drawn in COLOURS[d] in CORRELATION of the training images (the others get
# one of the nine other colours); in testing every image gets a colour drawn uniformly, whatever its digit.
COLOURS = (
    (230, 25, 75),  # 0 red
    (245, 130, 48),  # 1 orange
    (255, 225, 25),  # 2 yellow
    (60, 180, 75),  # 3 green
    (70, 240, 240),  # 4 cyan
    (0, 130, 200),  # 5 blue
    (145, 30, 180),  # 6 purple
    (240, 50, 230),  # 7 magenta
    (250, 190, 212),  # 8 pink
    (255, 255, 255),  # 9 white
)
CORRELATION = 1.0  # every training digit in its own colour: a plain CNN learns the colour, not the shape
# (at 0.95 it learned enough shape to score 63 % on the test set; the lesson needs the shortcut to show)
COLOUR_SEED = 1  # the tints are the same in every process, so runs are comparable


@dataclass(frozen=True)
class ImageSet:
    """A labelled image set: uint8 images (N, H, W) grey or (N, H, W, 3) colour, int64 labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]  # English names; the page's strings hold the Japanese ones
    source: str  # where the images came from, one plain line


class DataUnavailable(Exception):
    """A data set that cannot be used here; `reason` is one of REASONS, for the page to translate."""

    def __init__(self, name: str, reason: str, message: str):
        assert reason in REASONS, f"reason must be one of {REASONS}, got {reason!r}"
        super().__init__(message)
        self.name = name
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# where the files are


def _root(root: Path | None) -> Path:
    return DATA_DIR if root is None else Path(root)


def _fashion_dirs(root: Path | None) -> list[Path]:
    """LAB_FASHION_DIR if set; else data/fashion-mnist, then Debian's folder (only for the default root)."""
    if os.environ.get("LAB_FASHION_DIR"):
        return [Path(os.environ["LAB_FASHION_DIR"])]
    return [_root(root) / "fashion-mnist"] + ([FASHION_SYSTEM_DIR] if root is None else [])


def _idx_path(folder: Path, stem: str) -> Path | None:
    for p in (folder / stem, folder / f"{stem}.gz"):
        if p.is_file():
            return p
    return None


def _fashion_dir(root: Path | None) -> Path | None:
    for d in _fashion_dirs(root):
        if all(_idx_path(d, f) for f in FASHION_FILES):
            return d
    return None


def _cifar_base(root: Path | None) -> Path:
    """LAB_CIFAR_DIR may name the batches' folder itself or the folder that holds it."""
    env = os.environ.get("LAB_CIFAR_DIR")
    return Path(env) if env else _root(root)


def _cifar_dir(base: Path) -> Path:
    return base if (base / "test_batch").is_file() else base / CIFAR_FOLDER


def _cifar_present(base: Path) -> bool:
    d = _cifar_dir(base)
    return all((d / f).is_file() for f in (*CIFAR_BATCHES, "test_batch", "batches.meta"))


def available(root: Path | None = None) -> dict[str, str | None]:
    """For each data set, None if its files are there, else a reason code. Looks at file names only."""
    cifar = _cifar_base(root)
    return {
        "fashion": None if _fashion_dir(root) else "no_files",
        "cifar10": None if _cifar_present(cifar) or (cifar / CIFAR_ARCHIVE).is_file() else "no_files",
        "coloured_mnist": None,  # made from digits that ship with the lab
    }


# ---------------------------------------------------------------------------------------------
# Fashion-MNIST: IDX files


def read_idx(path: Path) -> np.ndarray:
    """One IDX file (plain or .gz) as a uint8 array, checked: magic number, sizes, complete data.

    A short reader instead of torchvision's: torchvision wants its own folder layout and unpacked copies,
    while this reads Debian's .gz files where they are, and says what is wrong with a damaged one."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:  # a truncated .gz ends in EOFError, a garbled one in BadGzipFile
        raise ValueError(f"{path.name}: cannot be read ({e})") from e
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != 0x08:  # 0x08: unsigned bytes
        raise ValueError(f"{path.name}: not an IDX file of unsigned bytes")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path.name}: header cut short")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(f"{path.name}: {len(raw)} bytes, expected {expected} for shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _load_fashion(root: Path | None) -> ImageSet:
    folder = _fashion_dir(root)
    if folder is None:
        where = " or ".join(str(d) for d in _fashion_dirs(root))
        raise DataUnavailable("fashion", "no_files", f"no Fashion-MNIST files in {where}")
    try:
        xs = [read_idx(_idx_path(folder, f)) for f in FASHION_FILES]
        x_tr, y_tr, x_te, y_te = xs
        for x, y in ((x_tr, y_tr), (x_te, y_te)):
            if x.ndim != 3 or x.shape[1:] != (28, 28) or y.ndim != 1 or len(x) != len(y):
                raise ValueError(f"images {x.shape} and labels {y.shape} do not match 28x28 Fashion-MNIST")
            if len(y) and y.max() >= len(FASHION_CLASSES):
                raise ValueError(f"a label is {int(y.max())}, expected 0..9")
    except ValueError as e:
        raise DataUnavailable("fashion", "files_invalid", f"Fashion-MNIST in {folder}: {e}") from e
    return ImageSet(
        "fashion",
        x_tr,
        y_tr.astype(np.int64),
        x_te,
        y_te.astype(np.int64),
        FASHION_CLASSES,
        f"Fashion-MNIST {len(y_tr):,}/{len(y_te):,} ({folder})",
    )


# ---------------------------------------------------------------------------------------------
# CIFAR-10: the official python batches (pickles)


class _BatchUnpickler(pickle.Unpickler):
    """Builds only what the official batches hold: dicts, lists, bytes and NumPy arrays.

    A pickle can name any function to call while it loads; this one refuses every name but NumPy's
    array reconstruction, so a tampered batch fails instead of running code."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),  # as the official files (NumPy 1) name it
        ("numpy._core.multiarray", "_reconstruct"),  # as NumPy 2 names it
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # how Python 3 writes bytes at protocol 2
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a CIFAR-10 batch")
        return super().find_class(module, name)


def _unpickle(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            batch = _BatchUnpickler(f, encoding="bytes").load()
    except pickle.UnpicklingError as e:
        if "is not allowed" in str(e):
            raise DataUnavailable("cifar10", "tampered", f"{path.name} asks to run code: {e}") from e
        raise DataUnavailable("cifar10", "files_invalid", f"{path.name}: {e}") from e
    except (OSError, EOFError, ValueError, TypeError, AttributeError) as e:
        raise DataUnavailable("cifar10", "files_invalid", f"{path.name}: cannot be read ({e})") from e
    if not isinstance(batch, dict):
        raise DataUnavailable("cifar10", "files_invalid", f"{path.name}: not a CIFAR-10 batch")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}


def _cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch → images (N, 32, 32, 3) and labels (N,). Rows hold 1024 red, 1024 green, 1024 blue."""
    batch = _unpickle(path)
    data, labels = batch.get("data"), batch.get("labels")
    ok = isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2 and data.shape[1] == 3072
    if not ok or not isinstance(labels, list) or len(labels) != len(data):
        raise DataUnavailable("cifar10", "files_invalid", f"{path.name}: not a CIFAR-10 batch")
    y = np.asarray(labels, dtype=np.int64)
    if len(y) and (y.min() < 0 or y.max() >= len(CIFAR_CLASSES)):
        raise DataUnavailable("cifar10", "files_invalid", f"{path.name}: a label is outside 0..9")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), y


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def unpack_cifar(archive: Path, into: Path) -> None:
    """Check the archive's published md5, then unpack it safely (no paths outside `into`, no links out)."""
    if _md5(archive) != CIFAR_MD5:
        raise DataUnavailable("cifar10", "checksum", f"{archive.name}: md5 differs from the published one")
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=into) as tmp:  # a failed unpack leaves no half folder
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError, EOFError) as e:
            raise DataUnavailable("cifar10", "files_invalid", f"{archive.name}: cannot unpack ({e})") from e
        if not (Path(tmp) / CIFAR_FOLDER).is_dir():
            raise DataUnavailable("cifar10", "files_invalid", f"{archive.name} holds no {CIFAR_FOLDER}/")
        try:
            os.replace(Path(tmp) / CIFAR_FOLDER, into / CIFAR_FOLDER)
        except OSError as e:  # a half-copied folder of batches is in the way: never delete it for the user
            raise DataUnavailable(
                "cifar10",
                "files_invalid",
                f"{into / CIFAR_FOLDER} is incomplete; remove it to unpack {archive.name}",
            ) from e


def _load_cifar(root: Path | None) -> ImageSet:
    base = _cifar_base(root)
    if not _cifar_present(base) and (base / CIFAR_ARCHIVE).is_file():
        unpack_cifar(base / CIFAR_ARCHIVE, base)
    if not _cifar_present(base):
        raise DataUnavailable("cifar10", "no_files", f"no CIFAR-10 batches in {base / CIFAR_FOLDER}")
    folder = _cifar_dir(base)
    meta = _unpickle(folder / "batches.meta")
    names = tuple(n.decode() if isinstance(n, bytes) else str(n) for n in meta.get("label_names", ()))
    if names != CIFAR_CLASSES:
        raise DataUnavailable("cifar10", "files_invalid", f"batches.meta names {names}, not CIFAR-10's")
    parts = [_cifar_batch(folder / b) for b in CIFAR_BATCHES]
    x_te, y_te = _cifar_batch(folder / "test_batch")
    x_tr = np.concatenate([x for x, _ in parts])
    y_tr = np.concatenate([y for _, y in parts])
    return ImageSet(
        "cifar10", x_tr, y_tr, x_te, y_te, CIFAR_CLASSES, f"CIFAR-10 {len(y_tr):,}/{len(y_te):,} ({folder})"
    )


# ---------------------------------------------------------------------------------------------
# coloured MNIST


def _tint(grey: np.ndarray, colour_ids: np.ndarray) -> np.ndarray:
    """(N, 28, 28) grey digits → (N, 28, 28, 3): each digit's ink in its colour, the background black."""
    palette = np.asarray(COLOURS, dtype=np.uint16)  # (10, 3)
    rgb = grey[..., None].astype(np.uint16) * palette[colour_ids][:, None, None, :]  # (N, 28, 28, 3)
    return (rgb // 255).astype(np.uint8)


def colour_digits(
    grey_train: np.ndarray, y_train: np.ndarray, grey_test: np.ndarray, seed: int = COLOUR_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Tint grey digits: in training CORRELATION of them in their label's colour, the rest in another
    one; in testing a colour drawn uniformly. Seeded, so the same digits always get the same colours."""
    rng = np.random.default_rng(seed)
    colour_tr = y_train.copy()
    off = rng.permutation(len(y_train))[: round((1 - CORRELATION) * len(y_train))]  # these get another
    colour_tr[off] = (y_train[off] + rng.integers(1, 10, len(off))) % 10
    colour_te = rng.integers(0, 10, len(grey_test))  # no relation to the digit
    return _tint(grey_train, colour_tr), _tint(grey_test, colour_te)


def _load_coloured_mnist() -> ImageSet:
    split = load_embedded_mnist()  # always the embedded 4,000/1,000: the same digits on every server
    grey_tr = (split.x_train[:, 0].numpy() * 255).round().astype(np.uint8)  # (4000, 28, 28)
    grey_te = (split.x_test[:, 0].numpy() * 255).round().astype(np.uint8)  # (1000, 28, 28)
    y_tr, y_te = split.y_train.numpy().astype(np.int64), split.y_test.numpy().astype(np.int64)
    x_tr, x_te = colour_digits(grey_tr, y_tr, grey_te)
    return ImageSet(
        "coloured_mnist",
        x_tr,
        y_tr,
        x_te,
        y_te,
        tuple(str(d) for d in range(10)),
        f"embedded MNIST digits, tinted ({CORRELATION:.0%} class colour in training, random in testing)",
    )


# ---------------------------------------------------------------------------------------------
# the public entry points


def _stratified(y: np.ndarray, n: int, seed: int = SPLIT_SEED) -> np.ndarray:
    """Indices of n of the labels y, each class in its share, chosen with a fixed seed (sorted)."""
    if n >= len(y):
        return np.arange(len(y))
    order = np.random.default_rng(seed).permutation(len(y))
    counts = np.bincount(y)
    y_ord = y[order]
    by_class = np.argsort(y_ord, kind="stable")  # positions in `order`, grouped by class, shuffled within
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(y))  # the k-th of its class in the shuffled order gets the key k / class size
    rank[by_class] = (np.arange(len(y)) - first[y_ord[by_class]]) / counts[y_ord[by_class]]
    return np.sort(order[np.argsort(rank, kind="stable")[:n]])


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


@functools.lru_cache(maxsize=8)  # read-only arrays, so every caller in the process can share them
def _cached(name: str, root: str | None, limit: int | None, env: tuple) -> ImageSet:
    if limit is not None:
        full = _cached(name, root, None, env)
        tr = _stratified(full.y_train, limit)
        n_test = max(round(len(full.y_test) * limit / max(len(full.y_train), 1)), len(full.classes))
        te = _stratified(full.y_test, n_test)
        return ImageSet(
            name,
            _frozen(full.x_train[tr]),
            _frozen(full.y_train[tr]),
            _frozen(full.x_test[te]),
            _frozen(full.y_test[te]),
            full.classes,
            f"{full.source}, {len(tr):,}/{len(te):,} of them",
        )
    path = None if root is None else Path(root)
    made = {"fashion": _load_fashion, "cifar10": _load_cifar}.get(name)
    s = made(path) if made else _load_coloured_mnist()
    return ImageSet(
        name, *(_frozen(a) for a in (s.x_train, s.y_train, s.x_test, s.y_test)), s.classes, s.source
    )


def load(name: str, root: Path | None = None, limit: int | None = None) -> ImageSet:
    """One data set of DATASETS, read-only, cached per process; raises DataUnavailable if it cannot be read.

    `limit`: at most that many training images, every class in its share (seed 0); the test set is cut
    to the same fraction, with at least one image per class. `root` replaces data/ (tests).
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    env = (os.environ.get("LAB_FASHION_DIR", ""), os.environ.get("LAB_CIFAR_DIR", ""))
    return _cached(name, None if root is None else str(root), limit, env)


def channel_stats(x: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation in [0, 1] units: the arguments of transforms.Normalize."""
    flat = x.reshape(-1, 1) if x.ndim == 3 else x.reshape(-1, x.shape[-1])  # (pixels, C)
    total = np.zeros(flat.shape[1])
    squares = np.zeros(flat.shape[1])
    for start in range(0, len(flat), 1 << 20):  # in chunks: CIFAR-10 in float64 at once would be 1.2 GB
        chunk = flat[start : start + (1 << 20)].astype(np.float64) / 255.0
        total += chunk.sum(axis=0)
        squares += (chunk**2).sum(axis=0)
    mean = total / len(flat)
    std = np.sqrt(np.maximum(squares / len(flat) - mean**2, 0.0))
    return tuple(float(m) for m in mean), tuple(float(s) for s in std)


def to_tensor(x: np.ndarray) -> torch.Tensor:
    """uint8 images (N, H, W) or (N, H, W, C) → float (N, C, H, W) in [0, 1], as the models take them."""
    t = torch.tensor(x, dtype=torch.uint8)  # a copy: the cached arrays are read-only
    t = t.unsqueeze(1) if t.ndim == 3 else t.permute(0, 3, 1, 2)  # (N, C, H, W)
    return t.contiguous().float() / 255.0


def grey_split(name: str, limit: int | None = None, root: Path | None = None) -> Split:
    """A grey data set (Fashion-MNIST) as the `core.data.Split` the MNIST pages train on: (N, 1, 28, 28)
    floats in [0, 1], so the CNN and the Hyperparameters pages can switch to it without other changes."""
    s = load(name, root, limit)
    assert s.x_train.ndim == 3, f"{name} is a colour set; the MNIST CNN reads one channel"
    prov = Provenance(name, name, s.source, len(s.y_train), len(s.y_test), tuple(s.x_train.shape[1:]))
    return Split(
        to_tensor(s.x_train), torch.tensor(s.y_train), to_tensor(s.x_test), torch.tensor(s.y_test), prov
    )
