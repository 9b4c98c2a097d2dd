"""Transfer learning's core (core/transfer.py): the label subsets, the three arms' models and optimizers,
a frozen body that really stays frozen, the BatchNorm trap in numbers, and a seeded sweep on tiny data."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core import records
from core import transfer as tr
from core.models import reset_parameters
from core.models.cnn import MNISTCNN


def _source(seed: int = 0) -> MNISTCNN:
    return reset_parameters(MNISTCNN(c1=4, c2=8, hidden=16), torch.Generator().manual_seed(seed)).eval()


def _task(n_per_class: int = 12, n_classes: int = 3, seed: int = 0) -> tr.Task:
    """Tiny separable images: class c lights up row block c, plus noise."""
    g = torch.Generator().manual_seed(seed)

    def make(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.arange(n_classes).repeat_interleave(n)
        x = 0.1 * torch.rand(len(y), 1, 28, 28, generator=g)
        for i, c in enumerate(y.tolist()):
            x[i, 0, 4 + 8 * c : 10 + 8 * c, 4:24] += 0.9
        return x, y

    (xtr, ytr), (xte, yte) = make(n_per_class), make(10)
    return tr.Task("toy", xtr, ytr, xte, yte, tuple(str(c) for c in range(n_classes)))


def _cfg(**kw) -> tr.TransferConfig:
    return tr.TransferConfig(**{"steps": 12, "batch_size": 8, "lr": 3e-3, **kw})


def test_label_subsets_are_k_per_class_seeded_and_nested():
    y = torch.tensor([0, 1, 2] * 20)
    five = tr.label_subset(y, 5, seed=3)
    assert sorted(torch.bincount(y[five]).tolist()) == [5, 5, 5]
    assert torch.equal(five, tr.label_subset(y, 5, seed=3))
    assert not torch.equal(five, tr.label_subset(y, 5, seed=4))
    one = set(tr.label_subset(y, 1, seed=3).tolist())
    assert one <= set(five.tolist())  # more labels add examples; they do not swap them
    with pytest.raises(ValueError, match="only 20"):
        tr.label_subset(y, 21, seed=0)


def test_arms_share_the_head_init_and_transfer_the_body():
    src = _source(1)
    made = {arm: tr.make_model(arm, src, torch.Generator().manual_seed(7)) for arm in tr.ARMS}
    for arm in tr.ARMS:
        assert torch.equal(made[arm].layer3[1].weight, made["scratch"].layer3[1].weight)
    assert torch.equal(made["frozen"].layer1[0].weight, src.layer1[0].weight)
    assert torch.equal(made["finetune"].layer2[0].weight, src.layer2[0].weight)
    assert not torch.equal(made["scratch"].layer1[0].weight, src.layer1[0].weight)
    total = sum(p.numel() for p in made["scratch"].parameters())
    body = sum(p.numel() for p in tr.body(made["frozen"]).parameters())
    assert tr.trainable_count(made["scratch"]) == tr.trainable_count(made["finetune"]) == total
    assert tr.trainable_count(made["frozen"]) == total - body


def test_optimizers_hold_only_the_head_or_two_groups():
    src = _source()
    frozen = tr.make_model("frozen", src, torch.Generator().manual_seed(0))
    opt = tr.make_optimizer(frozen, "frozen", 1e-3, 1e-4)
    held = {id(p) for g in opt.param_groups for p in g["params"]}
    assert held == {id(p) for p in frozen.layer3.parameters()}
    fine = tr.make_model("finetune", src, torch.Generator().manual_seed(0))
    groups = tr.make_optimizer(fine, "finetune", 1e-3, 1e-4).param_groups
    assert [(g["name"], g["lr"]) for g in groups] == [("body", 1e-4), ("head", 1e-3)]
    assert sum(len(g["params"]) for g in groups) == len(list(fine.parameters()))


def test_a_frozen_body_is_identical_after_training_and_the_head_moved():
    src, task = _source(), _task()
    model = tr.make_model("frozen", src, torch.Generator().manual_seed(0))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    g = torch.Generator().manual_seed(0)
    out = list(tr.fit_arm(model, "frozen", task.x_train, task.y_train, task.n_classes, _cfg(), g))
    assert [r["kind"] for r in out] == ["step"] * 12
    after = model.state_dict()
    for k in before:
        same = torch.equal(before[k], after[k])
        assert same == k.startswith(("layer1.", "layer2.")), k
    assert all(p.grad is None for p in tr.body(model).parameters())


def test_a_seeded_sweep_beats_chance_and_repeats():
    src, task = _source(), _task()
    cfg = _cfg(arms=("scratch", "frozen"), labels=(2, 6))
    into, keep = MNISTCNN(c1=4, c2=8, hidden=16), {}
    out = list(tr.train(cfg, src, task, into, keep))
    ends = [r for r in out if r["kind"] == "epoch"]
    assert [(r["arm"], r["labels"], r["epoch"]) for r in ends] == [
        ("scratch", 2, 1), ("frozen", 2, 2), ("scratch", 6, 3), ("frozen", 6, 4)
    ]  # fmt: skip
    assert max(r["test_accuracy"] for r in ends) > 1 / 3 + 0.2
    assert ends[1]["trainable"] < ends[0]["trainable"]
    assert sum(1 for r in out if r["kind"] == "step") == 4 * cfg.steps
    again = [r for r in tr.train(cfg, src, task) if r["kind"] == "epoch"]
    drop = ("elapsed", "seconds")
    assert [{k: v for k, v in r.items() if k not in drop} for r in again] == [
        {k: v for k, v in r.items() if k not in drop} for r in ends
    ]
    assert torch.equal(into.layer3[3].weight, keep["frozen"].layer3[3].weight)  # the last run's weights


def test_a_loss_that_is_not_finite_ends_the_run_with_a_diverged_record():
    src, task = _source(), _task()
    cfg = _cfg(arms=("scratch",), labels=(2,), lr=1e9, steps=30)
    out = list(tr.train(cfg, src, task))
    assert out[-1]["kind"] == "diverged" and out[-1]["arm"] == "scratch"


def test_the_batchnorm_trap_in_numbers():
    g = torch.Generator().manual_seed(0)
    conv = nn.Conv2d(1, 4, 3)
    x_src = torch.rand(64, 1, 28, 28, generator=g)
    x_new = torch.rand(64, 1, 28, 28, generator=g) * 3 + 1  # brighter: other statistics
    n = tr.bn_trap(conv, x_src, x_new, steps=5)
    assert n["trainable"] == 0  # frozen everywhere
    assert n["shift_train"] > 0.1  # train mode: the statistics follow the new data
    assert n["shift_eval"] == 0.0 and n["after_eval"] == n["before"]
    assert n["after_train"] != n["before"]


def test_the_config_says_what_is_wrong():
    with pytest.raises(ValueError, match="already seen"):
        tr.TransferConfig(source="0-9", target="5-9")
    with pytest.raises(ValueError, match="labels per class"):
        tr.TransferConfig(labels=(0,))
    with pytest.raises(ValueError, match="arms"):
        tr.TransferConfig(arms=("everything",))


def test_the_primers_resnet18_loads_a_weights_file_from_data(tmp_path):
    import torchvision.models as models

    assert tr.resnet_file(tmp_path) is None
    torch.save(models.resnet18(weights=None).state_dict(), tmp_path / "resnet18-f37072fd.pth")
    found = tr.resnet_file(tmp_path)
    assert found is not None and found.name == "resnet18-f37072fd.pth"
    model = tr.resnet18_for(found, n_classes=10)
    assert tr.trainable_count(model) == 512 * 10 + 10  # only the new fc
    assert model.fc.out_features == 10 and model.fc.weight.requires_grad


def test_symbols_hold_out_one_in_four_and_train():
    import numpy as np

    images = np.zeros((16, 28, 28), dtype=np.uint8)
    labels = [0] * 8 + [1] * 8
    images[:8, 4:12, :] = 255
    images[8:, 16:24, :] = 255
    task = tr.symbols_task(images, labels, ["○", "×"])
    assert len(task.y_train) == 12 and len(task.y_test) == 4 and task.classes == ("○", "×")
    cfg = tr.symbols_config(task, steps=10)
    assert cfg.labels == (6,) and cfg.arms == ("scratch", "frozen")
    keep: dict = {}
    ends = [r for r in tr.train(cfg, _source(), task, keep=keep) if r["kind"] == "epoch"]
    assert {r["arm"] for r in ends} == {"scratch", "frozen"} and set(keep) == {"scratch", "frozen"}
    p = tr.read_symbols(keep["frozen"], task.x_test, 2)
    assert p.shape == (4, 2) and np.allclose(p.sum(1), 1, atol=1e-5)


def test_records_are_the_typed_kinds():
    src, task = _source(), _task()
    out = list(tr.train(_cfg(arms=("frozen",), labels=(1,), steps=2), src, task))
    assert {r["kind"] for r in out} <= set(records.KINDS)


def test_the_8x8_digits_are_framed_as_mnist():
    task = tr.load_task("digits8", test_limit=50)
    assert task.x_train.shape[1:] == (1, 28, 28) and len(task.x_test) == 50 and task.n_classes == 10
    ink = task.x_train[:, 0].sum(0)  # (28, 28): where any digit has ink
    assert (
        ink[:4].sum() == 0 and ink[-4:].sum() == 0 and ink[:, :4].sum() == 0
    )  # a 4-pixel margin, as MNIST's
    assert float(task.x_train.max()) <= 1.0
