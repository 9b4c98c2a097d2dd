"""core.train: the loss falls, records are complete, runs reproduce by seed, stop and divergence."""

from __future__ import annotations

import math
import warnings

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


def course_loop(model: nn.Module, x, y, epochs: int, batch: int, seed: int) -> list[float]:
    """The course's plain loop (NCHW, whole batches, for-loop Adam), drawing the run's randomness in
    fit's order: the dropout generators first, then one permutation per epoch."""
    import torch.nn.functional as F

    from core.models import attach_generator

    g = torch.Generator().manual_seed(seed)
    attach_generator(model, g, "cpu")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
    model.train()
    losses = []
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch):
            idx = perm[i : i + batch]
            opt.zero_grad()
            loss = F.nll_loss(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses


@pytest.mark.parametrize("batch,n", [(64, 256), (600, 600)])  # 600: micro-batches of 200 on a CPU
def test_fast_path_trains_like_the_course_loop(batch, n):
    import core.train as train

    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)

    def make():
        return reset_parameters(MNISTCNN(c1=8, c2=16, hidden=32), torch.Generator().manual_seed(1))

    fast, plain = make(), make()
    cfg = FitConfig(epochs=2, batch_size=batch, lr=1e-3, seed=5)
    fast_losses = [r["loss"] for r in fit(fast, x, y, cfg) if r["kind"] == "step"]
    plain_losses = course_loop(plain, x, y, epochs=2, batch=batch, seed=5)
    assert fast_losses == pytest.approx(plain_losses, rel=1e-4)
    for a, b in zip(fast.parameters(), plain.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    # and it did take the fast paths
    assert fast.layer2[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert (train.micro_batch(fast, "cpu", batch) < batch) == (batch > train.MICRO_BATCH_CPU)


def test_plain_path_is_the_same_run_without_the_fast_paths():
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(300, 1, 28, 28, generator=g), torch.randint(0, 10, (300,), generator=g)

    def run(fast: bool):
        model = reset_parameters(MNISTCNN(c1=4, c2=8, hidden=16), torch.Generator().manual_seed(1))
        cfg = FitConfig(epochs=2, batch_size=300, lr=1e-3)
        return model, list(fit(model, x, y, cfg, x_val=x, y_val=y, fast=fast))

    (m_fast, r_fast), (m_plain, r_plain) = run(True), run(False)
    for a, b in zip(m_fast.parameters(), m_plain.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    assert m_plain.layer2[0].weight.is_contiguous()  # NCHW, as built
    assert not m_plain.layer2[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert [r["kind"] for r in r_fast] == [r["kind"] for r in r_plain]
    for a, b in zip(r_fast, r_plain, strict=True):
        for key in ("loss", "train_loss", "train_acc", "val_loss", "val_acc"):
            if key in a:
                assert a[key] == pytest.approx(b[key], rel=1e-4, abs=1e-6), key


def test_chunks_are_near_equal_and_cover_the_batch():
    from core.train import _chunks

    assert [c.stop - c.start for c in _chunks(928, 256)] == [232] * 4  # not 3 x 256 + 160
    assert [c.stop - c.start for c in _chunks(1024, 256)] == [256] * 4
    for n in range(1, 700, 7):
        sizes = [c.stop - c.start for c in _chunks(n, 256)]
        assert sum(sizes) == n and max(sizes) <= 256 and max(sizes) - min(sizes) <= 1
        assert len(sizes) == math.ceil(n / 256)


def test_batched_loss_reads_give_the_same_records():
    x, y = blobs(100)
    cfg = FitConfig(epochs=2, batch_size=16, lr=0.05)
    one = list(fit(small_net(), x, y, cfg, read_every=1))
    three = list(fit(small_net(), x, y, cfg, read_every=3))
    strip = lambda recs: [{k: v for k, v in r.items() if k not in ("elapsed", "images_per_s")} for r in recs]  # noqa: E731
    assert strip(one) == strip(three)
    x[:] = float("nan")  # the first batch diverges: a read of three still names it
    recs = list(fit(small_net(), x, y, cfg, read_every=3))
    assert len(recs) == 1 and recs[0]["kind"] == "diverged" and recs[0]["batch"] == 1


def test_evaluate_matches_one_pass_over_the_whole_set():
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(50, 1, 28, 28, generator=g), torch.randint(0, 10, (50,), generator=g)
    model = reset_parameters(MNISTCNN(c1=4, c2=8, hidden=16), g).eval()
    with torch.no_grad():
        out = model(x)
    ev = evaluate(model, x, y, batch_size=7)  # 8 batches, the last of 1
    assert ev["loss"] == pytest.approx(F.nll_loss(out, y).item(), rel=1e-5)
    assert ev["accuracy"] == pytest.approx((out.argmax(1) == y).float().mean().item())


def test_mixed_precision_only_on_a_gpu_and_checked(monkeypatch):
    import core.train as train
    from core.train import Precision, TrainError, check_fit

    cpu = Precision("bf16", torch.device("cpu"))  # the CPU stays float32: no autocast, no scaler
    assert not cpu.on and cpu.scaler is None
    with cpu.autocast():
        assert not torch.is_autocast_enabled("cpu") and not torch.is_autocast_enabled("cuda")
    with pytest.raises(TrainError):
        check_fit(FitConfig(amp="fp32"), 10)
    monkeypatch.setattr(train.torch.cuda, "is_bf16_supported", lambda: False)
    monkeypatch.setattr(train.torch.cuda, "get_device_name", lambda device=None: "Fake T4")
    with pytest.raises(TrainError, match="Fake T4"):  # an older GPU without bfloat16: said, not crashed
        Precision("bf16", torch.device("cuda:0"))
    with warnings.catch_warnings():  # no CUDA here: GradScaler says it disables itself
        warnings.simplefilter("ignore", UserWarning)
        gpu = Precision("fp16", torch.device("cuda:0"))  # fp16 scales its loss (GradScaler)
    assert gpu.on and gpu.dtype == torch.float16 and gpu.scaler is not None


def test_data_goes_to_a_gpu_once_from_pinned_memory(monkeypatch):
    import core.train as train

    calls = []
    real_to = torch.Tensor.to

    def pin(self):
        calls.append("pin")
        return self

    def to(self, *args, **kwargs):
        calls.append(("to", str(args[0]), kwargs.get("non_blocking", False)))
        return real_to(self, "cpu")  # no GPU here: the tensor stays where it is

    monkeypatch.setattr(torch.Tensor, "pin_memory", pin)
    monkeypatch.setattr(torch.Tensor, "to", to)
    train._on_device(torch.ones(3), torch.device("cuda:1"))
    assert calls == ["pin", ("to", "cuda:1", True)]  # page-locked, then an asynchronous copy
    calls.clear()
    train._on_device(torch.ones(3), torch.device("cpu"))
    assert calls == [("to", "cpu", False)]  # the CPU: no pinning
