"""The CNN's data set as a setting: runs saved before it existed read as MNIST, a Fashion-MNIST run's
train.py fetches Fashion-MNIST instead of shipping digits, and the CNN trains on a grey image set."""

from __future__ import annotations

import gzip
import struct
from dataclasses import asdict

import numpy as np
import torch

from core import cnn, image_data, run_export
from core.configs import from_dict


def test_a_run_saved_without_the_field_is_an_mnist_run():
    old = {k: v for k, v in asdict(cnn.CNNTrainConfig(c1=8)).items() if k != "dataset"}
    cfg = from_dict(cnn.CNNTrainConfig, old)
    assert cfg.dataset == "mnist" and cfg.c1 == 8
    script, shipped = run_export._script("cnn", old, None, {"provenance": {"source": "embedded"}})
    assert shipped == "mnist" and "FASHION = False" in script  # the digits still travel as data.npz


def test_a_fashion_run_script_loads_fashion_mnist_and_ships_no_digits():
    config = asdict(cnn.CNNTrainConfig(dataset="fashion", train_size=500))
    script, shipped = run_export._script("cnn", config, None, None)
    assert shipped == ""  # too big to ship: the script fetches it with --download
    assert "FASHION = True" in script and "datasets.FashionMNIST" in script
    compile(script, "train.py", "exec")


def test_the_cnn_trains_on_a_grey_image_set(tmp_path):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for stem, a in (
        ("train-images-idx3-ubyte", rng.integers(0, 256, (60, 28, 28))),
        ("train-labels-idx1-ubyte", np.arange(60) % 10),
        ("t10k-images-idx3-ubyte", rng.integers(0, 256, (20, 28, 28))),
        ("t10k-labels-idx1-ubyte", np.arange(20) % 10),
    ):
        raw = bytes([0, 0, 8, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + a.astype(np.uint8).tobytes()
        (folder / f"{stem}.gz").write_bytes(gzip.compress(raw))
    image_data._cached.cache_clear()
    split = image_data.grey_split("fashion", limit=40, root=tmp_path)
    assert split.x_train.shape == (40, 1, 28, 28) and split.x_train.dtype == torch.float32
    assert split.provenance.name == "fashion" and float(split.x_train.max()) <= 1.0
    cfg = cnn.CNNTrainConfig(c1=4, c2=8, hidden=16, epochs=1, batch_size=20, dataset="fashion")
    _, make_iter = cnn.make_train_iter(cfg, split.x_train, split.y_train, split.x_test, split.y_test)
    done = [r for r in make_iter() if r["kind"] == "epoch"]
    assert len(done) == 1 and 0.0 <= done[0]["val_acc"] <= 1.0
    image_data._cached.cache_clear()
