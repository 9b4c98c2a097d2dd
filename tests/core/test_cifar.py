"""core.cifar and core/models/simple_cnn.py: the guide's SimpleCNN (62,006 parameters on CIFAR-10), its
shapes on 28×28 and 32×32, augmentation against torchvision's own transforms, a seeded run whose loss falls,
evaluation on known cases, and the FAQ's symptoms on tiny data."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import torch
from torchvision.transforms.v2 import functional as TF

from core import cifar as cf
from core import image_data
from core.models import simple_cnn


def tiny_data(n_train: int = 96, n_test: int = 40, colour: bool = False, seed: int = 0) -> cf.Data:
    """Three classes anyone can tell apart: a bright top half, a bright bottom half, a bright left half,
    with noise (so the loss can fall in a few steps)."""
    g = torch.Generator().manual_seed(seed)
    c, s = (3, 32) if colour else (1, 28)

    def make(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.arange(n) % 3
        x = torch.rand(n, c, s, s, generator=g) * 0.3
        x[y == 0, :, : s // 2] += 0.6
        x[y == 1, :, s // 2 :] += 0.6
        x[y == 2, :, :, : s // 2] += 0.6
        return x.clamp(0, 1), y

    x, y = make(n_train)
    xt, yt = make(n_test)
    return cf.Data("fashion", x, y, xt, yt, ("top", "bottom", "left"), "made in the test")


def test_the_guides_simple_cnn_has_62006_parameters_on_cifar10():
    model = simple_cnn.SimpleCNN(3, 32, 10)
    assert simple_cnn.parameter_count(model) == 62_006
    assert model(torch.rand(4, 3, 32, 32)).shape == (4, 10)


@pytest.mark.parametrize(
    ("c", "s", "side"),
    [(1, 28, 4), (3, 32, 5)],  # 28 → 24 → 12 → 8 → 4; 32 → 28 → 14 → 10 → 5
)
@pytest.mark.parametrize("name", ["simple", "deeper"])
def test_shapes_for_grey_28_and_colour_32(c, s, side, name):
    model = simple_cnn.build(name, c, s, 10)
    assert model(torch.rand(2, c, s, s)).shape == (2, 10)
    if name == "simple":
        assert model.side == side and model.fc1.in_features == 16 * side * side
        rows = simple_cnn.layer_table(model, torch.zeros(1, c, s, s))
        assert [r["layer"] for r in rows] == ["conv1", "pool", "conv2", "pool", "fc1", "fc2", "fc3"]
        assert rows[3]["shape"] == (1, 16, side, side)
        assert sum(r["params"] for r in rows) == simple_cnn.parameter_count(model)
    with pytest.raises(AssertionError, match="expects"):
        model(torch.rand(2, c, s + 1, s + 1))


def test_the_model_normalises_with_its_own_mean_and_std():
    model = simple_cnn.SimpleCNN(3, 32, 10, mean=[0.5, 0.4, 0.3], std=[0.2, 0.2, 0.2])
    x = torch.rand(1, 3, 32, 32)
    expected = (x - torch.tensor([0.5, 0.4, 0.3]).view(1, 3, 1, 1)) / 0.2
    assert torch.allclose(model.normalize(x), expected)
    with pytest.raises(ValueError):
        simple_cnn.SimpleCNN(3, 32, 10, mean=[0.5], std=[0.2])


def test_flip_and_crop_match_torchvisions_per_image():
    g = torch.Generator().manual_seed(3)
    x = torch.rand(6, 3, 32, 32)
    out = cf.flip(x, torch.Generator().manual_seed(3))
    mirrored = torch.rand(6, generator=g) < 0.5
    for i in range(6):
        assert torch.equal(out[i], TF.horizontal_flip(x[i]) if mirrored[i] else x[i])
    out = cf.crop(x, torch.Generator().manual_seed(5))
    g = torch.Generator().manual_seed(5)
    dy, dx = torch.randint(0, 9, (6,), generator=g), torch.randint(0, 9, (6,), generator=g)
    padded = TF.pad(x, [4])
    for i in range(6):
        assert torch.equal(out[i], TF.crop(padded[i], int(dy[i]), int(dx[i]), 32, 32))


@pytest.mark.parametrize("colour", [False, True])
def test_augmentation_keeps_shapes_and_range(colour):
    d = tiny_data(colour=colour)
    cfg = cf.CifarConfig(flip=True, crop=True, jitter=True)
    out = cf.augment(d.x_train, cfg, torch.Generator().manual_seed(0))
    assert out.shape == d.x_train.shape and 0 <= out.min() and out.max() <= 1
    assert not torch.equal(out, d.x_train)
    same = cf.augment(d.x_train, cf.CifarConfig(), torch.Generator().manual_seed(0))
    assert torch.equal(same, d.x_train)  # every switch off: the images as they are


def _run(cfg: cf.CifarConfig, d: cf.Data) -> list[dict]:
    model, prepared, g = cf.make_run(cfg, d)
    return list(cf.train(model, prepared, cfg, g))


def test_a_seeded_run_learns_and_repeats():
    d = tiny_data()
    cfg = cf.CifarConfig(epochs=3, batch_size=16, lr=3e-3, train_limit=0, test_limit=0)
    recs = _run(cfg, d)
    epochs = [r for r in recs if r["kind"] == "epoch"]
    steps = [r for r in recs if r["kind"] == "step"]
    assert len(epochs) == 3 and len(steps) == 3 * 6
    assert epochs[-1]["train_loss"] < epochs[0]["train_loss"] and epochs[-1]["test_acc"] > 0.6
    assert sum("test_acc" in r for r in steps) == 3 * 3  # evaluations inside each epoch, before its end

    def strip(rs):
        return [{k: v for k, v in r.items() if k != "elapsed"} for r in rs]

    assert strip(_run(cfg, d)) == strip(recs)


def test_a_huge_learning_rate_ends_with_a_diverged_record():
    d = tiny_data()
    cfg = cf.CifarConfig(epochs=3, optimizer="sgd", lr=1e6, normalize=False, train_limit=0)
    recs = _run(cfg, d)
    assert recs[-1]["kind"] == "diverged" and not math.isfinite(recs[-1]["loss"])


def test_confusion_per_class_and_confused_images_on_a_known_case():
    y = np.array([0, 0, 0, 1, 1, 2])
    pred = np.array([0, 1, 1, 1, 1, 0])
    m = cf.confusion(y, pred, 3)
    assert m.tolist() == [[1, 2, 0], [0, 2, 0], [1, 0, 0]]
    assert cf.per_class_accuracy(m).tolist() == pytest.approx([1 / 3, 1.0, 0.0])
    assert cf.confused(y, pred, 0, 1).tolist() == [1, 2]
    assert cf.top_k(np.array([0.1, 0.6, 0.05, 0.25]), 3) == [(1, 0.6), (3, 0.25), (0, 0.1)]


def test_tta_on_a_mirror_blind_model_changes_nothing_and_a_flip_probe_does():
    d = tiny_data(n_test=30)
    model = simple_cnn.SimpleCNN(1, 28, 3)
    probs = cf.probabilities(model, d.x_test)
    assert probs.shape == (30, 3) and np.allclose(probs.sum(1), 1, atol=1e-5)
    tta = cf.probabilities(model, d.x_test, tta=True)
    mirrored = cf.probabilities(model, d.x_test.flip(-1))
    assert np.allclose(tta, (probs + mirrored) / 2, atol=1e-6)
    r = cf.tta_effect(model, d.x_test, d.y_test)
    assert set(r) == {"plain", "tta"} and 0 <= r["plain"] <= 1


def test_a_photo_is_read_size_limited_and_refused_when_it_is_no_image():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (250, 250, 250)).save(buf, format="PNG")
    img = cf.read_photo(buf.getvalue())
    x = cf.photo_input(img, 1, 28, dark_background=True)
    assert x.shape == (1, 1, 28, 28) and float(x.max()) < 0.05  # a white background comes out dark
    assert cf.photo_input(img, 3, 32, dark_background=False).shape == (1, 3, 32, 32)
    with pytest.raises(cf.PhotoError) as e:
        cf.read_photo(b"not an image at all")
    assert e.value.code == "not_image"
    with pytest.raises(cf.PhotoError) as e:
        cf.read_photo(b"\0" * (cf.MAX_PHOTO_BYTES + 1))
    assert e.value.code == "too_large"


def test_grey_keeps_three_equal_channels():
    x = torch.rand(2, 3, 8, 8)
    g = cf.to_grey(x)
    assert g.shape == x.shape and torch.equal(g[:, 0], g[:, 1]) and torch.equal(g[:, 1], g[:, 2])


@pytest.fixture(scope="module")
def fashion() -> cf.Data:
    if image_data.available()["fashion"] is not None:
        pytest.skip("Fashion-MNIST is not installed here")
    return cf.load("fashion", limit=600)


def test_faq_a_learning_rate_of_one_learns_nothing_and_its_cure_stays_finite(fashion):
    lr = cf.faq_run("lr", fashion, cf.CifarConfig(), tiny=True)
    # on the page's 3,000 images the loss reaches nan; in one tiny epoch it at least learns nothing
    assert lr["symptom"]["diverged"] or lr["symptom"]["test_acc"] <= 0.2
    assert not lr["cure"]["diverged"] and math.isfinite(lr["cure"]["test_acc"])
    symptom, cure = cf.faq_configs("lr", cf.CifarConfig())
    assert symptom.lr == 1.0 and symptom.grad_clip == 0 and cure.grad_clip == 1.0


def test_faq_records_tag_both_runs_and_a_big_batch_makes_fewer_updates(fashion):
    recs = list(cf.faq_records("batch", fashion, cf.CifarConfig(), tiny=True))
    steps = {run: sum(r["kind"] == "step" and r["run"] == run for r in recs) for run in ("symptom", "cure")}
    assert steps["symptom"] == 1 and steps["cure"] == 4  # 128 images: one batch of 1,024, or four of 32
    symptom, cure = cf.faq_configs("overfit", cf.CifarConfig(), tiny=True)
    assert not symptom.flip and cure.flip and cure.crop and symptom.train_limit == cure.train_limit
    symptom, cure = cf.faq_configs("normalize", cf.CifarConfig(), tiny=True)
    assert not symptom.normalize and cure.normalize and symptom.lr == cure.lr


def test_the_command_trains_saves_and_predicts(tmp_path, monkeypatch, capsys):
    import json

    from core import cli
    from core.commands import cifar as command

    d = tiny_data(n_train=64, n_test=30)
    raw = (d.x_train[:, 0].numpy() * 255).astype(np.uint8)
    names = tuple(f"c{i}" for i in range(10))
    fake = image_data.ImageSet(
        "fashion", raw, d.y_train.numpy(), raw[:30], d.y_train.numpy()[:30], names, "test"
    )
    monkeypatch.setattr(image_data, "load", lambda name, root=None, limit=None: fake)
    out = tmp_path / "m.pth"
    assert cli.main(["images", "train", "--dataset", "fashion", "--epochs", "1", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["dataset"] == "fashion" and summary["params"] == 44_426 and 0 <= summary["test_acc"] <= 1
    np.save(tmp_path / "x.npy", raw[:5])
    assert cli.main(["images", "predict", "--npy", str(tmp_path / "x.npy"), "--checkpoint", str(out)]) == 0
    lines = capsys.readouterr().out.split()
    assert len(lines) == 5 and all(0 <= int(v) < 10 for v in lines)
    np.save(tmp_path / "bad.npy", raw[:2].astype(np.float32))
    assert cli.main(["images", "predict", "--npy", str(tmp_path / "bad.npy"), "--checkpoint", str(out)]) == 2
    assert "expected uint8" in capsys.readouterr().err
    assert command.SHIPPED.endswith(".pth")


def test_script_constants_name_every_setting():
    cfg = cf.CifarConfig(dataset="cifar10", flip=True, grad_clip=1.0)
    c = cf.script_constants(vars(cfg), {})
    assert c["DATASET_NAME"] == "cifar10" and c["FLIP"] is True and c["GRAD_CLIP"] == 1.0
