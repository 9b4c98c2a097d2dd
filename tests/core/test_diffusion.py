"""Diffusion models of Part 3: the U-Net's shapes, the schedules against hand-computed values, the forward
process against its closed form, samplers that undo it exactly with an oracle, guidance, a falling loss,
reproducible runs and samples, checkpoints and the command line."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from core import checkpoints, configs, images
from core import diffusion as D
from core.models import model_args
from core.models.diffusion import NULL_LABEL, UNet, time_embedding

TINY = D.DiffusionConfig(c1=8, c2=16, emb_dim=16, epochs=2, batch_size=16, sample_every=1, sample_steps=2)


def _tiny(objective: str = "flow", schedule: str = "linear", seed: int = 0) -> UNet:
    cfg = configs.with_overrides(TINY, objective=objective, schedule=schedule, seed=seed)
    return D.build_model(cfg)


def _digits(n: int = 32):
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(n, 1, 28, 28, generator=g) > 0.8).float()  # sparse "ink" in [0, 1]
    return x, torch.arange(n) % 10


# -- the network ------------------------------------------------------------------------------------


@pytest.mark.parametrize("c1,c2,emb", [(8, 16, 16), (16, 32, 64)])
@pytest.mark.parametrize("objective", ["flow", "ddpm"])
def test_unet_shapes_and_model_args(c1, c2, emb, objective):
    model = UNet(c1, c2, emb, objective=objective)
    x = torch.randn(3, 1, 28, 28)
    out = model(x, torch.rand(3), torch.tensor([0, 9, NULL_LABEL]))
    assert out.shape == (3, 1, 28, 28)
    assert model_args(model) == dict(
        c1=c1, c2=c2, emb_dim=emb, objective=objective, schedule="linear", timesteps=1000
    )
    assert time_embedding(torch.rand(5), emb).shape == (5, emb)


def test_default_unet_is_the_small_one_of_the_lesson():
    n = sum(p.numel() for p in UNet().parameters())
    assert 100_000 < n < 200_000  # ~150k: trains live on a 2-core CPU


def test_wrong_input_shape_is_explained():
    with pytest.raises(AssertionError, match="1x28x28"):
        UNet(8, 16, 16)(torch.randn(2, 1, 32, 32), torch.rand(2), torch.zeros(2, dtype=torch.long))


# -- schedules and the forward process ---------------------------------------------------------------


def test_linear_schedule_matches_hand_computed_values():
    s = D.NoiseSchedule("linear", 1000)
    assert {"betas", "alphas_cumprod", "sqrt_alphas_cumprod", "snr", "posterior_variance"} <= set(
        dict(s.named_buffers())
    )
    b = s.betas.double()
    assert b[0].item() == pytest.approx(1e-4, rel=1e-5)
    assert b[-1].item() == pytest.approx(0.02, rel=1e-5)
    assert b[1].item() == pytest.approx(1e-4 + (0.02 - 1e-4) / 999, rel=1e-5)
    ab = s.alphas_cumprod.double()
    assert ab[0].item() == pytest.approx(1 - 1e-4, rel=1e-7)
    assert ab[1].item() == pytest.approx((1 - b[0].item()) * (1 - b[1].item()), rel=1e-6)
    # prod(1 - beta_t) in closed form through logs, by hand
    ref = math.exp(sum(math.log(1 - (1e-4 + (0.02 - 1e-4) * i / 999)) for i in range(1000)))
    assert ab[-1].item() == pytest.approx(ref, rel=1e-3)
    assert ab[-1].item() < 1e-4  # the last step is (almost) pure noise
    assert (ab[1:] < ab[:-1]).all()  # the signal only ever fades
    assert s.snr[0] > 1e3 and s.snr[-1] < 1e-3


def test_cosine_schedule_matches_its_formula():
    s = D.NoiseSchedule("cosine", 1000)
    f = lambda t: math.cos((t / 1000 + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    for t in (0, 100, 500, 900):
        assert s.alphas_cumprod[t].item() == pytest.approx(f(t + 1) / f(0), rel=1e-4, abs=1e-6)
    ab = s.alphas_cumprod
    assert ab[0].item() > 0.9999 and ab[-1].item() < 1e-6
    assert (ab[1:] <= ab[:-1]).all() and s.betas.max().item() <= 0.999 + 1e-6
    # cosine keeps more signal in the middle than linear (Nichol & Dhariwal's point)
    assert ab[500] > D.NoiseSchedule("linear", 1000).alphas_cumprod[500] * 5


def test_forward_process_matches_its_closed_form():
    s = D.NoiseSchedule("linear", 1000)
    x0 = torch.full((20000, 1, 1, 1), 0.7)
    g = torch.Generator().manual_seed(0)
    x = x0
    k = 300
    for t in range(k + 1):  # step by step: x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps
        x = D.q_step(s, x, torch.full((len(x),), t), torch.randn(x.shape, generator=g))
    ab = s.alphas_cumprod[k].item()
    assert x.mean().item() == pytest.approx(math.sqrt(ab) * 0.7, abs=0.02)
    assert x.std().item() == pytest.approx(math.sqrt(1 - ab), abs=0.02)
    # without noise the steps multiply to exactly sqrt(alpha_bar)
    quiet = x0[:1]
    for t in range(k + 1):
        quiet = D.q_step(s, quiet, torch.tensor([t]), torch.zeros_like(quiet))
    closed = D.q_sample(s, x0[:1], torch.tensor([k]), torch.zeros_like(quiet))
    assert torch.allclose(quiet, closed, rtol=1e-4)
    # rectified flow's straight line: data at t = 0, noise at t = 1
    a, e = torch.rand(2, 1, 28, 28), torch.randn(2, 1, 28, 28)
    assert torch.equal(D.flow_interpolate(a, e, torch.zeros(2)), a)
    assert torch.equal(D.flow_interpolate(a, e, torch.ones(2)), e)


class _Oracle(nn.Module):
    """Predicts the exact noise (ddpm) or velocity (flow) that leads to a known x0."""

    def __init__(self, x0: torch.Tensor, objective: str, sched: D.NoiseSchedule | None = None):
        super().__init__()
        self.x0, self.objective, self.sched = x0, objective, sched

    def forward(self, x, t, labels):
        t = t.view(-1, 1, 1, 1)
        if self.objective == "flow":
            return (x - self.x0) / t  # v = eps - x0 on the line x = (1 - t) x0 + t eps
        idx = (t.view(-1) * self.sched.timesteps).round().long() - 1
        ab = self.sched.alphas_cumprod[idx].view(-1, 1, 1, 1)
        return (x - ab.sqrt() * self.x0) / (1 - ab).sqrt()


@pytest.mark.parametrize("method,steps", [("euler", 1), ("euler", 7), ("heun", 3)])
def test_flow_samplers_undo_the_forward_process_with_an_oracle(method, steps):
    x0 = images.to_signed_range(_digits(4)[0])
    noise = torch.randn(4, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    frames: list = []
    out = D.sample_flow(
        _Oracle(x0, "flow"), noise, torch.zeros(4, dtype=torch.long), 1.0, steps, method, frames
    )
    assert torch.allclose(out, x0, atol=1e-4)
    assert len(frames) == steps and frames[0].t == 1.0
    assert torch.allclose(frames[0].x0, images.to_unit_range(x0), atol=1e-4)  # x0_hat is right from the start


@pytest.mark.parametrize("schedule", ["linear", "cosine"])
def test_ddim_undoes_the_forward_process_with_an_oracle(schedule):
    s = D.NoiseSchedule(schedule, 1000)
    x0 = images.to_signed_range(_digits(3)[0])
    noise = torch.randn(3, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    x_T = D.q_sample(s, x0, torch.full((3,), 999), noise)
    out = D.sample_ddim(_Oracle(x0, "ddpm", s), s, x_T, torch.zeros(3, dtype=torch.long), 1.0, steps=10)
    assert torch.allclose(out, x0, atol=1e-3)


# -- objectives, guidance, training ------------------------------------------------------------------


@pytest.mark.parametrize("objective", ["flow", "ddpm"])
def test_one_step_lowers_the_loss_on_a_tiny_batch(objective):
    model = _tiny(objective)
    s = D.NoiseSchedule("linear", 1000)
    x, y = _digits(16)
    x0 = images.to_signed_range(x)

    def loss() -> torch.Tensor:  # the same t and noise every time: the same seed
        g = torch.Generator().manual_seed(3)
        return D.flow_loss(model, x0, y, g)[0] if objective == "flow" else D.ddpm_loss(model, s, x0, y, g)[0]

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    before = loss()
    opt.zero_grad()
    before.backward()
    opt.step()
    assert loss().item() < before.item()


def test_guidance_zero_is_the_unconditional_prediction_and_the_formula_holds():
    model = _tiny().eval()
    x, y = torch.randn(4, 1, 28, 28), torch.tensor([1, 2, 3, 4])
    t = torch.full((4,), 0.5)
    with torch.no_grad():
        uncond = model(x, t, torch.full_like(y, NULL_LABEL))
        cond = model(x, t, y)
        assert torch.equal(D.guided(model, x, t, y, 0.0), uncond)
        assert torch.equal(D.guided(model, x, t, y, 1.0), cond)
        assert torch.allclose(D.guided(model, x, t, y, 3.0), uncond + 3.0 * (cond - uncond), atol=1e-5)
    assert not torch.allclose(uncond, cond)  # the label embedding does reach the output


@pytest.mark.parametrize("objective,sampler", [("flow", "euler"), ("flow", "heun"), ("ddpm", "ddim")])
def test_guidance_band_covering_every_noise_level_is_plain_guidance(objective, sampler):
    model = _tiny(objective).eval()
    noise, labels = torch.randn(4, 1, 28, 28, generator=torch.Generator().manual_seed(1)), torch.arange(4)
    plain = D.generate(model, noise, labels, sampler, 4, 3.0, band=None)
    assert torch.equal(D.generate(model, noise, labels, sampler, 4, 3.0, band=(0.0, 1.0)), plain)
    partial = D.generate(model, noise, labels, sampler, 4, 3.0, band=(0.3, 0.7))
    cond = D.generate(model, noise, labels, sampler, 4, 1.0, band=None)
    assert not torch.equal(partial, plain) and not torch.equal(partial, cond)


@pytest.mark.parametrize("objective,sampler", [("flow", "euler"), ("ddpm", "ddim")])
def test_an_empty_guidance_band_is_exactly_the_conditional_model(objective, sampler):
    model = _tiny(objective).eval()
    noise, labels = torch.randn(4, 1, 28, 28, generator=torch.Generator().manual_seed(2)), torch.arange(4)
    cond = D.generate(model, noise, labels, sampler, 4, 1.0, band=None)
    for band in ((0.5, 0.5), (0.8, 0.2)):
        assert torch.equal(D.generate(model, noise, labels, sampler, 4, 5.0, band=band), cond)


def test_band_weight_applies_w_only_inside_the_half_open_band():
    assert [D.band_weight(3.0, t, (0.2, 0.6)) for t in (0.1, 0.2, 0.4, 0.6, 0.9)] == [1, 1, 3, 3, 1]
    assert D.band_weight(3.0, 0.05, None) == 3.0


def test_label_dropout_replaces_the_share_asked_for():
    labels = torch.arange(10000) % 10
    dropped = D.drop_labels(labels, 0.1, torch.Generator().manual_seed(0))
    share = (dropped == NULL_LABEL).float().mean().item()
    assert 0.09 < share < 0.11
    kept = dropped != NULL_LABEL
    assert torch.equal(dropped[kept], labels[kept])


@pytest.mark.parametrize("objective", ["flow", "ddpm"])
def test_training_records_and_a_falling_loss(objective):
    x, y = _digits(64)
    cfg = configs.with_overrides(TINY, objective=objective, epochs=3)
    model = D.build_model(cfg)
    ema = D.build_model(cfg)
    ema.load_state_dict(model.state_dict())
    recs = list(D.train_diffusion(model, x, y, cfg, ema_model=ema))
    steps = [r for r in recs if r["kind"] == "step"]
    epochs = [r for r in recs if r["kind"] == "epoch"]
    assert len(steps) == 12 and len(epochs) == 3
    assert {"epoch", "batch", "batches", "step", "seen", "loss", "elapsed"} <= set(steps[0])
    assert epochs[-1]["train_loss"] < epochs[0]["train_loss"]
    assert len(epochs[0]["loss_by_t"]) == D.T_BINS
    assert epochs[0]["grid"].shape == (20, 28, 28) and epochs[0]["grid"].dtype == np.uint8
    assert not torch.equal(next(ema.parameters()), next(model.parameters()))  # the average lags


def test_the_same_seed_gives_the_same_run():
    x, y = _digits(32)
    cfg = configs.with_overrides(TINY, epochs=1, sample_every=5)

    def losses() -> list[float]:
        return [r["loss"] for r in D.train_diffusion(D.build_model(cfg), x, y, cfg) if r["kind"] == "step"]

    assert losses() == losses()


def test_a_non_finite_loss_ends_the_run_with_its_diverged_record(monkeypatch):
    def nan_loss(model, x0, labels, generator, t_dist="logit_normal"):
        loss = sum(p.sum() for p in model.parameters()) * float("nan")
        return loss, loss.expand(len(x0)), torch.rand(len(x0))

    monkeypatch.setattr(D, "flow_loss", nan_loss)
    x, y = _digits(32)
    records = list(D.train_diffusion(_tiny(), x, y, TINY))
    assert [r["kind"] for r in records] == ["diverged"] and records[0]["step"] == 1


# -- sampling, checkpoints, the command line ---------------------------------------------------------


@pytest.mark.parametrize(
    "objective,sampler", [("flow", "euler"), ("flow", "heun"), ("ddpm", "ddim"), ("ddpm", "ddpm")]
)
def test_sampling_is_reproducible_by_seed(objective, sampler):
    model = _tiny(objective)
    a = D.sample(model, 3, seed=5, sampler=sampler, steps=3)
    b = D.sample(model, 3, seed=5, sampler=sampler, steps=3)
    c = D.sample(model, 3, seed=6, sampler=sampler, steps=3)
    assert a.shape == (3, 1, 28, 28) and 0 <= a.min() and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert model.training  # sampling put the model back as it was


def test_frames_carry_x_t_and_the_predicted_digit():
    frames: list = []
    D.generate(_tiny("ddpm"), torch.randn(2, 1, 28, 28), torch.tensor([3, 4]), "ddim", 5, 2.0, frames=frames)
    assert len(frames) == 5 and frames[0].t == 1.0 and frames[-1].t < 0.01
    assert frames[0].x.shape == frames[0].x0.shape == (2, 1, 28, 28)


def test_forward_frames_fade_a_digit_into_noise():
    s = D.NoiseSchedule("cosine", 1000)
    x0 = _digits(1)[0][0]
    f = D.forward_frames(s, x0, [0, 500, 999])
    assert f.shape == (3, 1, 28, 28)
    assert (f[0] - x0).abs().mean() < 0.05 and (f[2] - x0).abs().mean() > 0.3


def test_checkpoint_round_trip(tmp_path):
    model = _tiny("ddpm", "cosine").eval()
    path = checkpoints.save(model, tmp_path / "d.pth", meta={"sampling": {"sampler": "ddim", "steps": 5}})
    raw = torch.load(path, weights_only=True)  # plain types only: the safe loader reads it
    assert raw["family"] == "diffusion.UNet" and raw["config"]["schedule"] == "cosine"
    loaded = checkpoints.load(path, expected_family="diffusion.UNet")
    assert loaded.model.objective == "ddpm" and loaded.model.schedule == "cosine"
    assert loaded.meta["sampling"]["steps"] == 5
    a = D.sample(model, 2, seed=1, sampler="ddim", steps=4)
    assert torch.equal(D.sample(loaded.model, 2, seed=1, sampler="ddim", steps=4), a)


def test_nearest_training_digit_catches_a_copy():
    x, _ = _digits(50)
    idx, dist = D.nearest_training(torch.stack([x[7], 1 - x[3]]), x)
    assert idx[0] == 7 and dist[0] == pytest.approx(0.0, abs=1e-6)
    assert dist[1] > 0.3


def test_cli_sample_and_train(tmp_path, monkeypatch, capsys):
    from core import data
    from core.cli import main

    model = _tiny()
    ck = checkpoints.save(
        model, tmp_path / "d.pth", meta={"sampling": {"sampler": "euler", "steps": 3, "guidance": 1.5}}
    )
    out = tmp_path / "s.npy"
    assert (
        main(["diffusion", "sample", "--n", "12", "--seed", "1", "--out", str(out), "--checkpoint", str(ck)])
        == 0
    )
    s = np.load(out)
    assert s.shape == (12, 28, 28) and s.dtype == np.float32 and 0 <= s.min() and s.max() <= 1
    assert "euler, 3 steps, w = 1.5" in capsys.readouterr().out
    assert np.array_equal(s, D.sample(model, 12, 1, steps=3, guidance=1.5)[:, 0].numpy())  # 0-9 in turn
    args = ["diffusion", "sample", "--n", "2", "--label", "3", "--steps", "2", "--guidance", "0"]
    assert main([*args, "--out", str(out), "--checkpoint", str(ck)]) == 0
    assert (
        main(["diffusion", "sample", "--n", "2", "--label", "12", "--out", str(out), "--checkpoint", str(ck)])
        == 2
    )
    assert "digit 0-9" in capsys.readouterr().err
    assert (
        main(
            [
                "diffusion",
                "sample",
                "--n",
                "2",
                "--sampler",
                "ddim",
                "--out",
                str(out),
                "--checkpoint",
                str(ck),
            ]
        )
        == 2
    )
    assert main(["diffusion", "sample", "--out", str(out), "--checkpoint", str(tmp_path / "none.pth")]) == 2

    split = data.load_mnist(allow_download=False)
    tiny = data.Split(
        split.x_train[:64], split.y_train[:64], split.x_test[:8], split.y_test[:8], split.provenance
    )
    monkeypatch.setattr(data, "load_mnist", lambda *a, **k: tiny)
    monkeypatch.setattr("core.commands.shipped_cnn", lambda: None)  # no 2,000-sample judging here
    trained = tmp_path / "t.pth"
    argv = ["diffusion", "train", "--epochs", "1", "--batch-size", "32", "--c1", "8", "--c2", "16"]
    assert main([*argv, "--steps", "2", "--device", "cpu", "--out", str(trained)]) == 0
    loaded = checkpoints.load(trained, expected_family="diffusion.UNet")
    assert loaded.meta["objective"] == "flow" and loaded.meta["epochs"] == 1
    assert loaded.meta["sampling"] == {"sampler": "euler", "steps": 2, "guidance": 2.0}


def test_flow_times_are_drawn_as_configured():
    def still(x, t, labels):  # a model that never moves: only the drawn times matter here
        return torch.zeros_like(x)

    x0, labels = torch.zeros(4000, 1, 28, 28), torch.zeros(4000, dtype=torch.long)
    near_noise = {}
    for dist in D.FLOW_T:
        t = D.flow_loss(still, x0, labels, torch.Generator().manual_seed(0), dist)[2]
        near_noise[dist] = (t > 0.9).float().mean().item()
    assert 0.08 < near_noise["uniform"] < 0.12  # uniform: a tenth of the times lie within 0.1 of pure noise
    assert near_noise["logit_normal"] < 0.05  # logit-normal: mostly middle times
    with pytest.raises(AssertionError, match="t_dist"):
        D.flow_loss(still, x0[:2], labels[:2], torch.Generator(), "beta")
