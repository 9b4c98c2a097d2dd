"""Course CNN helpers (core.cnn) and the `cnn` CLI: shapes, conv sizes against nn.Conv2d, augmentation,
a short run whose loss falls, look-inside maps, checkpoint validation and the shipped model's accuracy."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from dataclasses import asdict

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from core import checkpoints, device
from core import cnn as core_cnn
from core.images import augment_batch
from core.models.cnn import MNISTCNN, CNNConfig

SHIPPED = checkpoints.SHIPPED_DIR / "cnn_mnist.pth"


@pytest.mark.parametrize("c1,c2,hidden", [(8, 16, 32), (16, 32, 256), (32, 64, 256)])
def test_shapes_match_the_table(c1, c2, hidden):
    model = MNISTCNN(c1, c2, hidden).eval()
    x = torch.rand(3, 1, 28, 28)
    out = model(x)
    assert out.shape == (3, 10)
    torch.testing.assert_close(out.exp().sum(1), torch.ones(3))  # log-probabilities
    shapes = dict(core_cnn.architecture_shapes(c1, c2, hidden))
    maps = model.features(x)
    assert tuple(maps["conv1"].shape[1:]) == shapes["conv1 + ReLU"]
    assert tuple(maps["conv2"].shape[1:]) == shapes["conv2 + ReLU"]
    assert tuple(maps["pool2"].shape[1:]) == shapes["maxpool 2"]


@pytest.mark.parametrize(
    "size,k,s,p", [(28, 3, 1, 0), (28, 5, 2, 2), (13, 3, 1, 1), (7, 7, 3, 0), (32, 4, 4, 1)]
)
def test_conv_output_size_matches_torch(size, k, s, p):
    conv = nn.Conv2d(1, 1, k, s, p)
    assert conv(torch.zeros(1, 1, size, size)).shape[-1] == core_cnn.conv_output_size(size, k, s, p)


def test_conv_output_size_rejects_impossible():
    with pytest.raises(ValueError):
        core_cnn.conv_output_size(28, 0)
    assert core_cnn.conv_output_size(2, 3, 1, 0) == 0  # kernel larger than the input: nothing out


def test_augmentation_is_seeded_and_keeps_the_digit():
    x = torch.zeros(4, 1, 28, 28)
    x[:, :, 6:22, 12:16] = 1.0
    a = augment_batch(x, torch.Generator().manual_seed(1))
    b = augment_batch(x, torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, b)
    assert a.shape == x.shape and not torch.equal(a, x)
    ratio = a.sum((1, 2, 3)) / x.sum((1, 2, 3))
    assert ((ratio > 0.7) & (ratio < 1.4)).all()  # warped, not lost


def _tiny_data(n: int = 160):
    """Ten fixed random blob templates plus noise: learnable in a few steps, no dataset to load."""
    g = torch.Generator().manual_seed(0)
    templates = (torch.rand(10, 1, 28, 28, generator=g) > 0.7).float()
    y = torch.arange(n) % 10
    x = (templates[y] + 0.3 * torch.rand(n, 1, 28, 28, generator=g)).clamp(0, 1)
    return x, y, x[:50], y[:50]


@pytest.mark.parametrize("augment", [False, True])
def test_short_run_loss_falls_and_records(augment):
    x, y, xt, yt = _tiny_data()
    cfg = core_cnn.CNNTrainConfig(c1=8, c2=16, hidden=32, epochs=3, batch_size=32, augment=augment, seed=0)
    model, make_iter = core_cnn.make_train_iter(cfg, x, y, xt, yt)
    records = list(make_iter())
    steps = [r["loss"] for r in records if r["kind"] == "step"]
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert len(epochs) == 3 and len(steps) == 3 * 5
    assert np.mean(steps[-5:]) < np.mean(steps[:5])
    assert {"val_acc", "train_acc", "images_per_s"} <= set(epochs[-1])
    # same seed, same run
    model2, make_iter2 = core_cnn.make_train_iter(cfg, x, y, xt, yt)
    steps2 = [r["loss"] for r in make_iter2() if r["kind"] == "step"]
    assert steps2 == pytest.approx(steps, rel=1e-4)


def test_subset_size():
    x, y, *_ = _tiny_data()
    xs, ys = core_cnn.subset(x, y, 100, 0)
    assert len(xs) == len(ys) == 100
    assert core_cnn.subset(x, y, 0, 0)[0] is x


def test_predict_saliency_occlusion_shapes():
    model = MNISTCNN(8, 16, 32).eval()
    img = np.zeros((28, 28), dtype=np.float32)
    img[6:22, 12:16] = 1.0
    p = core_cnn.predict(model, img)
    assert p.shape == (10,) and abs(p.sum() - 1) < 1e-5
    s = core_cnn.saliency(model, img)
    assert s.shape == (28, 28) and s.max() == pytest.approx(1.0)
    o = core_cnn.occlusion(model, img)
    assert o.shape == (28, 28) and (o >= 0).all()
    assert core_cnn.conv1_kernels(model).shape == (8, 3, 3)
    assert not model.training and all(q.grad is None for q in model.parameters())  # no side effects


def test_checkpoint_round_trip_and_course_state_dict(tmp_path):
    model = MNISTCNN(8, 16, 32)
    path = checkpoints.save(model, tmp_path / "m.pth", {"c1": 8, "c2": 16, "hidden": 32, "dropout": 0.1}, {})
    loaded = checkpoints.load(path, expected_family=core_cnn.FAMILY)
    x = torch.rand(2, 1, 28, 28)
    torch.testing.assert_close(loaded.model(x), model.eval()(x))
    # a bare state_dict, as the course's `torch.save(model.state_dict(), "mnist_cnn.pth")` writes
    course = MNISTCNN()
    buf = io.BytesIO()
    torch.save(course.state_dict(), buf)
    loaded = checkpoints.load(
        buf.getvalue(), expected_family=core_cnn.FAMILY, default_config=asdict(CNNConfig())
    )
    assert loaded.config["c1"] == 32
    with pytest.raises(checkpoints.CheckpointError) as e:  # right family, wrong sizes
        checkpoints.load(path.read_bytes()[:200], expected_family=core_cnn.FAMILY)
    assert e.value.code in ("truncated", "not_checkpoint")


def _write_digit(path, index: int, invert: bool = False):
    from core.data import load_mnist

    s = load_mnist()
    a = (s.x_test[index, 0].numpy() * 255).astype(np.uint8)
    big = Image.fromarray(a).resize((200, 200), Image.Resampling.BILINEAR)
    if invert:
        big = Image.fromarray(255 - np.asarray(big))
    big.save(path)
    return int(s.y_test[index])


@pytest.mark.skipif(not SHIPPED.is_file(), reason="checkpoints/cnn_mnist.pth not trained yet")
def test_shipped_checkpoint_meets_the_target():
    from core.data import load_mnist
    from core.train import evaluate

    loaded = checkpoints.load(SHIPPED, expected_family=core_cnn.FAMILY)
    s = load_mnist()
    acc = evaluate(loaded.model, s.x_test, s.y_test)["accuracy"]
    assert acc >= 0.97
    assert loaded.meta["metrics"]["test_accuracy"] == pytest.approx(acc, abs=1e-6)
    assert loaded.meta["provenance"]["name"] == "mnist" and loaded.meta["epochs"] >= 1
    assert loaded.meta["command"].startswith("python -m core.cli cnn train")


@pytest.mark.skipif(not SHIPPED.is_file(), reason="checkpoints/cnn_mnist.pth not trained yet")
def test_cli_predict_one_json_line_per_file(tmp_path):
    from core.cli import main

    files, labels = [], []
    for i, inv in [(0, False), (1, True), (2, False)]:
        p = tmp_path / f"d{i}.png"
        labels.append(_write_digit(p, i, inv))
        files.append(str(p))
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    out = io.StringIO()
    with redirect_stdout(out):
        rc = main(["cnn", "predict", "--image", *files, str(bad)])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 4 and rc == 1
    assert [d["digit"] for d in lines[:3]] == labels
    assert all(len(d["probs"]) == 10 and abs(sum(d["probs"]) - 1) < 1e-3 for d in lines[:3])
    assert lines[3]["error"] == "not_image"


def test_cli_predict_refuses_a_bad_checkpoint(tmp_path):
    from core.cli import main

    ck = tmp_path / "x.pth"
    ck.write_bytes(b"\x00" * 64)
    img = tmp_path / "d.png"
    Image.new("L", (50, 50), 0).save(img)
    assert main(["cnn", "predict", "--image", str(img), "--checkpoint", str(ck)]) == 2


def test_cli_train_tiny(tmp_path):
    from core.cli import main

    out = tmp_path / "c.pth"
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = main(
            [
                "cnn",
                "train",
                "--epochs",
                "1",
                "--c1",
                "4",
                "--c2",
                "8",
                "--hidden",
                "16",
                "--train-size",
                "200",
                "--batch",
                "64",
                "--out",
                str(out),
                "--device",
                "cpu",
            ]
        )
    assert rc == 0
    summary = json.loads(buf.getvalue().splitlines()[-1])
    meta = checkpoints.load(out, expected_family=core_cnn.FAMILY).meta
    assert meta["metrics"]["test_accuracy"] == pytest.approx(summary["test_accuracy"])
    assert meta["epochs"] == 1 and meta["train"]["train_size"] == 200


def _arc(cx, cy, rx, ry, a0, a1, n=24):
    import math

    return [
        (
            cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
            cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / n)),
        )
        for i in range(n + 1)
    ]


# pen strokes on a 280x280 canvas, the way a student draws each digit with a mouse
STROKES = {
    0: [_arc(140, 140, 60, 90, 0, 360)],
    1: [[(140, 50), (140, 230)]],
    2: [_arc(140, 95, 55, 45, 200, 360) + [(190, 110), (85, 230), (200, 230)]],
    3: [_arc(135, 95, 55, 42, 210, 450)[:-1] + _arc(135, 180, 60, 48, 270, 510)],
    4: [[(170, 50), (80, 170), (210, 170)], [(170, 50), (170, 235)]],
    5: [[(195, 55), (95, 55), (90, 130)] + _arc(135, 175, 60, 55, 230, 480)],
    6: [[(180, 55), (110, 130)] + _arc(140, 180, 50, 50, 200, 560)],
    7: [[(80, 60), (200, 60), (120, 230)]],
    8: [_arc(140, 95, 45, 40, 90, 450), _arc(140, 180, 55, 48, 270, 630)],
    9: [_arc(140, 95, 50, 45, 0, 360), [(190, 95), (180, 235)]],
}


@pytest.mark.skipif(not SHIPPED.is_file(), reason="checkpoints/cnn_mnist.pth not trained yet")
@pytest.mark.parametrize("width", [12, 18, 26])
def test_shipped_model_reads_pen_strokes(width):
    """Drawn digits (thin to thick pen, canvas-sized) are read through the page's preprocessing."""
    from PIL import ImageDraw

    from core.preprocess import to_mnist

    model = checkpoints.load(SHIPPED, expected_family=core_cnn.FAMILY).model
    for digit, strokes in STROKES.items():
        im = Image.new("L", (280, 280), 0)
        pen = ImageDraw.Draw(im)
        for s in strokes:
            pen.line(s, fill=255, width=width, joint="curve")
        probs = core_cnn.predict(model, to_mnist(np.asarray(im)).final)
        assert int(probs.argmax()) == digit, (digit, probs.round(2))


def test_predict_runs_single_threaded_without_touching_other_threads():
    """As on the server: a session thread predicts while other threads (training jobs) keep their count."""
    import threading

    model = MNISTCNN(8, 16, 32).eval()
    before = torch.get_num_threads()
    inside, others = [], []
    entered, release = threading.Event(), threading.Event()

    def session_thread():
        with device.one_thread():
            inside.append(torch.get_num_threads())
            entered.set()
            release.wait(10)
        core_cnn.predict(model, np.zeros((28, 28), dtype=np.float32))
        inside.append(torch.get_num_threads())

    s = threading.Thread(target=session_thread)
    s.start()
    entered.wait(10)
    others.append(torch.get_num_threads())  # a thread already running (a training job) keeps its count
    release.set()
    s.join()
    assert others == [before]
    assert inside[1] == torch.get_num_threads() == before  # restored afterwards
    if device.openmp():
        assert inside[0] == 1
