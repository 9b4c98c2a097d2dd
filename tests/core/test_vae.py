"""Autoencoders of 004 ch. 2: shapes, the KL term against torch.distributions, a falling loss, the CLI."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.distributions import Normal
from torch.distributions import kl_divergence as torch_kl

from core import checkpoints
from core.images import tile
from core.models import model_args
from core.models.vae import ConvAE, ConvVAE, DenseAE, kl_divergence, reconstruction_bce, vae_loss
from core.vae import (
    Projection,
    VAEConfig,
    build_model,
    decode,
    interpolate,
    latent_means,
    manifold,
    most_likely,
    reconstruct,
    sample_prior,
    train_autoencoder,
)


@pytest.mark.parametrize("cls", [DenseAE, ConvAE, ConvVAE])
@pytest.mark.parametrize("d", [2, 16])
def test_shapes(cls, d):
    model = cls(latent_dim=d)
    x = torch.rand(5, 1, 28, 28)
    z = model.embed(x)
    assert z.shape == (5, d)
    out = model.decode(z)
    assert out.shape == (5, 1, 28, 28)
    assert 0 <= out.min() and out.max() <= 1  # sigmoid output, as BCE needs
    if cls is ConvVAE:
        mu, logvar = model.encode(x)
        assert mu.shape == logvar.shape == (5, d)
        recon, mu2, _ = model(x)
        assert recon.shape == x.shape and torch.equal(mu, mu2)


def test_wrong_input_shape_is_explained():
    with pytest.raises(AssertionError, match="1x28x28"):
        ConvVAE().encode(torch.rand(2, 1, 32, 32))


def test_kl_zero_for_standard_normal_and_matches_torch():
    mu, logvar = torch.zeros(4, 3), torch.zeros(4, 3)
    assert torch.allclose(kl_divergence(mu, logvar), torch.zeros(4))
    g = torch.Generator().manual_seed(1)
    mu, logvar = torch.randn(6, 5, generator=g), torch.randn(6, 5, generator=g)
    ref = torch_kl(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)).sum(dim=1)
    assert torch.allclose(kl_divergence(mu, logvar), ref, atol=1e-5)
    assert (kl_divergence(mu, logvar) > 0).all()


def test_vae_loss_terms_and_beta():
    x = torch.rand(3, 1, 28, 28)
    recon = torch.full_like(x, 0.5)
    mu, logvar = torch.ones(3, 2), torch.zeros(3, 2)
    loss, rec, kl = vae_loss(recon, x, mu, logvar, beta=2.0)
    assert torch.allclose(rec, reconstruction_bce(recon, x).mean())
    assert torch.allclose(kl, torch.tensor(1.0))  # 0.5 * (1^2 + 1^2)
    assert torch.allclose(loss, rec + 2.0 * kl)
    assert torch.allclose(reconstruction_bce(recon, x), torch.full((3,), 784 * np.log(2.0)), rtol=1e-5)


def test_reparameterize_is_seeded_and_uses_sigma():
    model = ConvVAE()
    mu, logvar = torch.zeros(1000, 2), torch.full((1000, 2), np.log(4.0))  # sigma = 2
    a = model.reparameterize(mu, logvar, torch.Generator().manual_seed(3))
    b = model.reparameterize(mu, logvar, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    assert 1.8 < a.std().item() < 2.2


def _digits(n=256):
    from core.data import load_mnist

    s = load_mnist(allow_download=False)
    return s.x_train[:n], s.x_test[:64], s.y_test[:64]


@pytest.mark.parametrize("kind", ["vae", "ae", "dense"])
def test_loss_falls_and_records(kind):
    x, xt, yt = _digits()
    cfg = VAEConfig(kind=kind, epochs=3, batch_size=64, seed=0)
    model = build_model(cfg)
    recs = list(train_autoencoder(model, x, cfg, xt, yt, grid=5, map_points=50))
    steps = [r for r in recs if r["kind"] == "step"]
    epochs = [r for r in recs if r["kind"] == "epoch"]
    assert len(steps) == 12 and len(epochs) == 3
    assert {"loss", "recon", "kl", "batch", "batches"} <= set(steps[0])
    assert epochs[-1]["train_loss"] < epochs[0]["train_loss"] * 0.9
    assert epochs[-1]["latent"].shape == (50, 2) and epochs[-1]["labels"].shape == (50,)
    assert epochs[-1]["manifold"].shape == (140, 140) and epochs[-1]["manifold"].dtype == np.uint8
    if kind == "vae":
        assert all(r["kl"] > 0 for r in steps)
    else:
        assert all(r["kl"] == 0 for r in steps)


def test_augment_batch_jitters_but_keeps_digits():
    from core.vae import augment_batch

    x, _, _ = _digits(16)
    a = augment_batch(x, torch.Generator().manual_seed(0))
    b = augment_batch(x, torch.Generator().manual_seed(0))
    assert a.shape == x.shape and torch.equal(a, b)
    assert 0 <= a.min() and a.max() <= 1
    assert 0.02 < (a - x).abs().mean() < 0.3  # moved, but not destroyed
    assert abs(a.sum().item() / x.sum().item() - 1) < 0.25  # about the same amount of ink


def test_training_is_reproducible():
    x, _, _ = _digits(128)
    cfg = VAEConfig(epochs=1, batch_size=64, seed=5)
    a = [r["loss"] for r in train_autoencoder(build_model(cfg), x, cfg) if r["kind"] == "step"]
    b = [r["loss"] for r in train_autoencoder(build_model(cfg), x, cfg) if r["kind"] == "step"]
    assert a == b


def test_helpers_shapes_and_round_trip():
    x, _, _ = _digits(32)
    model = build_model(VAEConfig())
    z = latent_means(model, x)
    assert z.shape == (32, 2)
    assert torch.allclose(decode(model, z), reconstruct(model, x))
    assert torch.allclose(latent_means(model, x), z)  # eval mode: the mean, no noise
    assert manifold(model, 4).shape == (16, 1, 28, 28)
    assert interpolate(model, x[0], x[1], steps=7).shape == (7, 1, 28, 28)
    g = torch.Generator().manual_seed(0)
    assert sample_prior(model, 9, g).shape == (9, 1, 28, 28)
    assert tile(torch.zeros(5, 1, 28, 28), 3).shape == (56, 84)


def test_projection_lifts_back_for_larger_latents():
    g = torch.Generator().manual_seed(0)
    pts = torch.randn(200, 16, generator=g) * torch.linspace(3, 0.1, 16)
    proj = Projection.fit(pts)
    uv = proj.apply(pts)
    assert uv.shape == (200, 2)
    assert np.allclose(proj.apply(proj.lift(uv)), uv, atol=1e-6)
    assert np.allclose(Projection.fit(torch.zeros(3, 2)).apply(np.array([[1.0, 2.0]])), [[1.0, 2.0]])


def test_to_mnist_centres_a_drawing():
    from core.preprocess import to_mnist  # the page's framing of a drawing (core.vae had a copy)

    canvas = np.zeros((280, 280), np.uint8)
    canvas[20:120, 200:230] = 255  # a bar in the top-right corner
    img = to_mnist(canvas).final
    assert img.shape == (28, 28) and img.max() > 0.9
    ys, xs = np.nonzero(img > 0.5)
    assert abs(ys.mean() - 13.5) < 2 and abs(xs.mean() - 13.5) < 2
    assert to_mnist(np.zeros((280, 280), np.uint8)) is None


def test_checkpoint_round_trip(tmp_path):
    model = build_model(VAEConfig(latent_dim=3))
    path = checkpoints.save(model, tmp_path / "v.pth", model_args(model), {"epochs": 0})
    loaded = checkpoints.load(path, expected_family="vae.ConvVAE")
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(loaded.model.embed(x), model.eval().embed(x))


def test_cli_sample_encode_decode(tmp_path, capsys):
    from core.cli import main

    ck = checkpoints.save(build_model(VAEConfig()), tmp_path / "v.pth", {"latent_dim": 2}, {})
    out = tmp_path / "s.npy"
    assert main(["vae", "sample", "--n", "5", "--seed", "1", "--out", str(out), "--checkpoint", str(ck)]) == 0
    s = np.load(out)
    assert s.shape == (5, 28, 28) and 0 <= s.min() and s.max() <= 1
    assert (
        main(["vae", "encode", "--in", str(out), "--out", str(tmp_path / "z.npy"), "--checkpoint", str(ck)])
        == 0
    )
    z = np.load(tmp_path / "z.npy")
    assert z.shape == (5, 2)
    assert (
        main(
            [
                "vae",
                "decode",
                "--in",
                str(tmp_path / "z.npy"),
                "--out",
                str(tmp_path / "d.npy"),
                "--checkpoint",
                str(ck),
            ]
        )
        == 0
    )
    assert np.load(tmp_path / "d.npy").shape == (5, 28, 28)
    np.save(tmp_path / "bad.npy", np.zeros((3, 5)))
    assert (
        main(
            [
                "vae",
                "decode",
                "--in",
                str(tmp_path / "bad.npy"),
                "--out",
                str(tmp_path / "x.npy"),
                "--checkpoint",
                str(ck),
            ]
        )
        == 2
    )
    assert "expected latent points" in capsys.readouterr().err
    assert (
        main(["vae", "sample", "--out", str(tmp_path / "y.npy"), "--checkpoint", str(tmp_path / "no.pth")])
        == 2
    )
    assert model_args(build_model(VAEConfig(latent_dim=16))) == {"latent_dim": 16}


def test_wider_vae_round_trips_through_a_checkpoint(tmp_path):
    model = build_model(VAEConfig(channels=(8, 16, 24)))
    config = model_args(model)
    assert config == {"latent_dim": 2, "c1": 8, "c2": 16, "c3": 24}
    loaded = checkpoints.load(
        checkpoints.save(model, tmp_path / "w.pth", config, {}), expected_family="vae.ConvVAE"
    )
    assert tuple(loaded.model.model_args[c] for c in ("c1", "c2", "c3")) == (8, 16, 24)
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(
        loaded.model.eval().decode(loaded.model.embed(x)), model.eval().decode(model.embed(x))
    )


@pytest.mark.parametrize("kind", ["vae", "ae"])
def test_dense_layer_round_trips_through_a_checkpoint(tmp_path, kind):
    model = build_model(VAEConfig(kind=kind, hidden=32))
    config = model_args(model)
    assert config == {"latent_dim": 2, "hidden": 32}
    assert isinstance(model.decoder.fc, torch.nn.Sequential) and model.decoder.fc[0].out_features == 32
    family = "vae.ConvVAE" if kind == "vae" else "vae.ConvAE"
    loaded = checkpoints.load(checkpoints.save(model, tmp_path / "h.pth", config, {}), expected_family=family)
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(
        loaded.model.eval().decode(loaded.model.embed(x)), model.eval().decode(model.embed(x))
    )
    assert "hidden" not in model_args(build_model(VAEConfig(kind=kind)))  # the notes' model: plain Linear


def test_input_dropout_blanks_the_input_but_the_loss_targets_the_clean_digit():
    from core.vae import _losses, drop_pixels

    x = torch.rand(64, 1, 28, 28) * 0.9 + 0.1  # no pixel is 0 before dropping
    dropped = drop_pixels(x, 0.25, torch.Generator().manual_seed(0))
    blank = (dropped == 0).float().mean().item()
    assert 0.22 < blank < 0.28
    kept = dropped != 0
    assert torch.equal(dropped[kept], x[kept])  # nothing added, nothing moved
    model = build_model(VAEConfig(kind="ae"))
    loss_clean_target, *_ = _losses(model, x, 1.0, None, x_in=dropped)
    loss_dropped_target, *_ = _losses(model, dropped, 1.0, None)
    assert not torch.isclose(loss_clean_target, loss_dropped_target)
    assert torch.isclose(
        loss_clean_target,
        torch.nn.functional.binary_cross_entropy(model(dropped), x, reduction="none")
        .flatten(1)
        .sum(1)
        .mean(),
    )


def test_denoising_training_runs_and_the_cli_records_it(tmp_path, capsys):
    from core.cli import main

    out = tmp_path / "d.pth"
    args = [
        "vae",
        "train",
        "--epochs",
        "1",
        "--hidden",
        "16",
        "--input-dropout",
        "0.3",
        "--augment-input",
        "--device",
        "cpu",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    loaded = checkpoints.load(out, expected_family="vae.ConvVAE")
    assert loaded.model.model_args["hidden"] == 16
    train_config = loaded.meta["train_config"]
    assert train_config["input_dropout"] == 0.3 and train_config["augment_input"] is True
    with pytest.raises(SystemExit):
        main(["vae", "train", "--input-dropout", "1.5"])
    assert "0-0.9" in capsys.readouterr().err


def test_a_non_finite_loss_ends_the_run_with_its_diverged_record(monkeypatch):
    """The job engine reads the last record: "diverged" must be the last thing the iterator yields."""
    import core.vae as core_vae

    def nan_losses(model, x, beta, generator, x_in=None):  # a NaN loss that still backpropagates
        loss = sum(p.sum() for p in model.parameters()) * float("nan")
        return loss, loss, loss

    monkeypatch.setattr(core_vae, "_losses", nan_losses)
    x = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    cfg = VAEConfig(epochs=3, batch_size=16)
    records = list(train_autoencoder(build_model(cfg), x, cfg))
    assert [r["kind"] for r in records] == ["diverged"] and records[0]["step"] == 1


def test_most_likely_image_is_each_pixels_mode():
    p = torch.tensor([[[[0.1, 0.49, 0.51, 0.9]]]])
    assert most_likely(p).tolist() == [[[[0.0, 0.0, 1.0, 1.0]]]]
    assert most_likely(p).dtype == p.dtype and most_likely(p).shape == p.shape
