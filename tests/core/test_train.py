"""core.train: the loss falls, records are complete, runs reproduce by seed, stop and divergence."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from core.models import Dropout, reset_parameters
from core.models.cnn import MNISTCNN
from core.train import FitConfig, evaluate, fit, run_to_end


def blobs(n: int = 200, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) * 0.5 + y.unsqueeze(1) * 2.0
    return x, y


def small_net(seed: int = 0) -> nn.Module:
    net = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), Dropout(0.1), nn.Linear(16, 2), nn.LogSoftmax(dim=1))
    return reset_parameters(net, torch.Generator().manual_seed(seed))


def test_loss_falls_and_accuracy_rises():
    x, y = blobs()
    cfg = FitConfig(epochs=15, batch_size=32, lr=0.05, seed=0)
    records = run_to_end(fit(small_net(), x, y, cfg, x_val=x, y_val=y))
    assert [r["epoch"] for r in records] == list(range(1, 16))
    assert records[-1]["train_loss"] < 0.5 * records[0]["train_loss"]
    assert records[-1]["val_acc"] > 0.95
    for key in ("train_loss", "train_acc", "val_loss", "val_acc", "lr", "elapsed", "images_per_s"):
        assert key in records[-1]


def test_step_records_come_every_batch():
    x, y = blobs(100)
    steps = [r for r in fit(small_net(), x, y, FitConfig(epochs=2, batch_size=32)) if r["kind"] == "step"]
    assert len(steps) == 2 * 4  # ceil(100 / 32) = 4 batches per epoch
    assert steps[-1]["seen"] == 200 and steps[3]["batch"] == 4 and steps[3]["batches"] == 4


def test_same_seed_same_curve_different_seed_different_curve():
    x, y = blobs()

    def curve(seed):
        cfg = FitConfig(epochs=3, batch_size=16, lr=0.05, seed=seed)
        return [r["loss"] for r in fit(small_net(seed), x, y, cfg) if r["kind"] == "step"]

    assert curve(1) == curve(1)
    assert curve(1) != curve(2)


def test_consumer_can_stop_and_resume_the_same_run():
    x, y = blobs()
    it = fit(small_net(), x, y, FitConfig(epochs=4, batch_size=50, seed=3))
    first = [next(it) for _ in range(5)]  # stop mid-epoch 2
    rest = list(it)  # resume where it stopped
    full = list(fit(small_net(), x, y, FitConfig(epochs=4, batch_size=50, seed=3)))
    assert [r.get("loss") for r in first + rest] == [r.get("loss") for r in full]


def test_closing_the_iterator_stops_cleanly():
    x, y = blobs()
    it = fit(small_net(), x, y, FitConfig(epochs=100, batch_size=10))
    next(it)
    it.close()
    with pytest.raises(StopIteration):
        next(it)


def test_non_finite_loss_ends_the_run_with_a_diverged_record():
    x, y = blobs()
    x[0, 0] = float("nan")
    records = list(fit(small_net(), x, y, FitConfig(epochs=5, batch_size=200)))
    assert records[-1]["kind"] == "diverged" and not math.isfinite(records[-1]["loss"])
    assert len(records) == 1


def test_huge_learning_rate_diverges_or_stays_finite_without_crashing():
    x, y = blobs()
    records = list(fit(small_net(), x * 1e3, y, FitConfig(epochs=5, batch_size=8, lr=1e4, optimizer="sgd")))
    assert records[-1]["kind"] in ("diverged", "epoch")


def test_batch_larger_than_data_and_zero_epochs():
    x, y = blobs(10)
    recs = run_to_end(fit(small_net(), x, y, FitConfig(epochs=2, batch_size=1000)))
    assert len(recs) == 2
    assert list(fit(small_net(), x, y, FitConfig(epochs=0))) == []


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "sgd_momentum"])
@pytest.mark.parametrize("schedule", ["none", "step", "cosine"])
def test_optimizers_and_schedules(optimizer, schedule):
    x, y = blobs(64)
    cfg = FitConfig(epochs=3, batch_size=16, lr=0.05, optimizer=optimizer, schedule=schedule)
    recs = run_to_end(fit(small_net(), x, y, cfg))
    assert len(recs) == 3
    if schedule != "none":
        assert recs[-1]["lr"] < recs[0]["lr"]


def test_bce_for_a_single_sigmoid_output():
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0], [1.0]])  # OR
    net = reset_parameters(nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()), torch.Generator().manual_seed(0))
    recs = run_to_end(fit(net, x, y, FitConfig(epochs=300, batch_size=4, lr=0.1, loss="bce")))
    assert recs[-1]["train_acc"] == 1.0
    assert evaluate(net, x, y, loss="bce")["accuracy"] == 1.0


def test_cnn_trains_a_few_steps_and_evaluates_with_confusion():
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(64, 1, 28, 28, generator=g), torch.randint(0, 10, (64,), generator=g)
    model = reset_parameters(MNISTCNN(c1=4, c2=8, hidden=16), g)
    recs = run_to_end(fit(model, x, y, FitConfig(epochs=2, batch_size=32), x_val=x, y_val=y))
    assert len(recs) == 2
    ev = evaluate(model, x, y, with_confusion=True)
    assert ev["confusion"].shape == (10, 10) and ev["confusion"].sum() == 64


def test_unknown_settings_are_refused():
    x, y = blobs(10)
    with pytest.raises(ValueError):
        next(fit(small_net(), x, y, FitConfig(loss="hinge")))
    with pytest.raises(ValueError):
        next(fit(small_net(), x, y, FitConfig(optimizer="lion")))


def test_generator_dropout_keeps_the_expectation_and_reproduces():
    from core.models import attach_generator

    layer = Dropout(0.3).train()
    attach_generator(layer, torch.Generator().manual_seed(0), "cpu")
    x = torch.ones(200_000)
    out = layer(x)
    kept = (out > 0).float().mean().item()
    assert abs(kept - 0.7) < 0.01  # drops about p of the elements
    assert abs(out.mean().item() - 1.0) < 0.02  # and rescales the rest: E[out] = x
    attach_generator(layer, torch.Generator().manual_seed(0), "cpu")
    assert torch.equal(layer(x), out)  # same generator seed, same mask
    assert torch.equal(layer.eval()(x), x)  # identity in eval mode


def test_transform_changes_every_batch_with_the_runs_generator():
    x, y = blobs(100)
    calls: list[tuple[int, torch.Generator]] = []

    def erase(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        calls.append((len(xb), g))
        return torch.zeros_like(xb)  # the network sees nothing: it cannot beat the class balance

    g = torch.Generator().manual_seed(0)
    cfg = FitConfig(epochs=3, batch_size=32, lr=0.05)
    records = run_to_end(fit(small_net(), x, y, cfg, x_val=x, y_val=y, generator=g, transform=erase))
    assert [n for n, _ in calls] == [32, 32, 32, 4] * 3 and all(gen is g for _, gen in calls)
    assert records[-1]["val_acc"] <= max(y.float().mean().item(), 1 - y.float().mean().item()) + 1e-6


def test_large_cpu_batches_in_chunks_make_the_same_update(monkeypatch):
    import core.train as train

    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(300, 1, 28, 28, generator=g), torch.randint(0, 10, (300,), generator=g)
    cfg = FitConfig(epochs=2, batch_size=300, lr=1e-3)

    def make():
        return reset_parameters(
            MNISTCNN(c1=4, c2=8, hidden=16, dropout=0.0), torch.Generator().manual_seed(1)
        )

    assert train.micro_batch(make(), "cpu", 300) == train.MICRO_BATCH_CPU < 300
    chunked, whole = make(), make()
    rec_chunked = list(fit(chunked, x, y, cfg))
    monkeypatch.setattr(train, "MICRO_BATCH_CPU", 10**9)
    rec_whole = list(fit(whole, x, y, cfg))
    for a, b in zip(chunked.parameters(), whole.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    losses = lambda recs: [r["loss"] for r in recs if r["kind"] == "step"]  # noqa: E731
    assert losses(rec_chunked) == pytest.approx(losses(rec_whole), rel=1e-5)
    assert train.micro_batch(nn.Sequential(nn.BatchNorm1d(2)), "cpu", 300) == 300  # batch norm: never
