"""core/models/gan.py and core/gan.py: shapes, training steps, conditioning, seeds, checkpoints, CLI."""

import copy
import math

import numpy as np
import pytest
import torch

from core import checkpoints, configs, gan
from core.cli import main as cli
from core.models import model_args
from core.models.gan import CondDiscriminator, CondGenerator, Discriminator, Generator, one_hot

TINY = configs.with_overrides(gan.IMPROVED, g_width=16, d_width=8, batch_size=16, epochs=1, n_fixed=20)


def fake_images(n=32, size=28, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, size, size, generator=g), torch.randint(0, 10, (n,), generator=g)


@pytest.mark.parametrize("preset", ["course", "improved"])
def test_unconditional_shapes_and_ranges(preset):
    cfg = gan.PRESETS[preset]
    G, D = gan.build_models(cfg, False, torch.Generator().manual_seed(0))
    z = torch.randn(5, cfg.latent_dim)
    x = G.eval()(z)
    assert x.shape == (5, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1  # Tanh
    assert D(x).shape == (5, 1)


def test_course_generator_matches_the_course_layers():
    G = Generator(100, 128, batch_norm=False)
    assert G.fc.out_features == 128 * 7 * 7
    assert (G.up1.in_channels, G.up1.out_channels, G.up2.out_channels) == (128, 64, 1)
    D = Discriminator(64)
    assert (D.conv1.out_channels, D.conv2.out_channels, D.fc.in_features) == (64, 128, 128 * 7 * 7)


@pytest.mark.parametrize("size", [28, 8])
def test_conditional_shapes(size):
    G, D = CondGenerator(20, 16, size), CondDiscriminator(8, size)
    z, y = torch.randn(4, 20), one_hot(torch.tensor([0, 3, 7, 9]))
    x = G.eval()(z, y)
    assert x.shape == (4, 1, size, size)
    assert D(x, y).shape == (4, 1)
    with pytest.raises(AssertionError, match="expects"):
        D(torch.zeros(4, 1, 5, 5), y)


def test_one_hot():
    assert one_hot(torch.tensor([3])).tolist() == [[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]]


def params(model):
    return [p.detach().clone() for p in model.parameters()]


def changed(before, model):
    return any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


@pytest.mark.parametrize(
    "mode, d_moves, g_moves", [("both", True, True), ("d", True, False), ("g", False, True)]
)
def test_one_step_updates_the_chosen_networks(mode, d_moves, g_moves):
    x, _ = fake_images()
    G, D = gan.build_models(TINY, False, torch.Generator().manual_seed(0))
    g0, d0 = params(G), params(D)
    rec = next(iter(gan.train_gan(TINY, x, G, D, controls={"mode": mode})))
    assert rec["kind"] == "step" and rec["mode"] == mode
    assert 0 <= rec["d_real"] <= 1 and 0 <= rec["d_fake"] <= 1
    assert np.isfinite(rec["d_loss"]) and np.isfinite(rec["g_loss"])
    assert changed(d0, D) == d_moves
    assert changed(g0, G) == g_moves


def test_epoch_record_has_fixed_z_grid_and_cgan_rows_of_ten():
    x, y = fake_images(32, 8)
    cfg = configs.with_overrides(TINY, image_size=8)
    G, D = gan.build_models(cfg, True, torch.Generator().manual_seed(0))
    recs = [r for r in gan.train_cgan(cfg, x, y, G, D) if r["kind"] == "epoch"]
    assert len(recs) == 1
    grid = recs[0]["grid"]
    assert grid.shape == (20, 8, 8) and grid.dtype == np.uint8


def test_same_seed_same_run():
    x, _ = fake_images()

    def run():
        G, D = gan.build_models(TINY, False, torch.Generator().manual_seed(1))
        return [r["d_loss"] for r in gan.train_gan(TINY, x, G, D) if r["kind"] == "step"]

    assert run() == run()


def test_conditioning_changes_the_output():
    G = CondGenerator(10, 16, 28)
    gan.reset_parameters(G, torch.Generator().manual_seed(0))
    a, b = gan.sample(G, 3, seed=5, label=1), gan.sample(G, 3, seed=5, label=8)
    assert (a - b).abs().mean() > 1e-3
    with pytest.raises(ValueError):
        gan.sample(G, 3, seed=5)


def test_sampling_is_reproducible_by_seed():
    G = Generator(10, 16, True)
    gan.reset_parameters(G, torch.Generator().manual_seed(0))
    a, b, c = gan.sample(G, 4, 7), gan.sample(G, 4, 7), gan.sample(G, 4, 8)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.min() >= 0 and a.max() <= 1


def test_interpolation_ends_at_both_latents():
    za, zb = gan.latents(1, 16, 1)[0], gan.latents(1, 16, 2)[0]
    path = gan.slerp(za, zb, torch.linspace(0, 1, 5))
    assert torch.allclose(path[0], za, atol=1e-5) and torch.allclose(path[-1], zb, atol=1e-5)


def test_ema_tracks_the_generator():
    x, _ = fake_images()
    G, D = gan.build_models(TINY, False, torch.Generator().manual_seed(0))
    G_ema = copy.deepcopy(G)
    before = params(G_ema)
    list(gan.train_gan(configs.with_overrides(TINY, ema=0.5), x, G, D, G_ema=G_ema))
    assert changed(before, G_ema)


def test_spectral_norm_discriminator_is_seeded():
    cfg = configs.with_overrides(TINY, spectral_norm=True)
    D1 = gan.build_models(cfg, False, torch.Generator().manual_seed(3))[1]
    D2 = gan.build_models(cfg, False, torch.Generator().manual_seed(3))[1]
    x = torch.rand(2, 1, 28, 28)
    assert torch.equal(D1(x), D2(x))


@pytest.mark.parametrize("conditional", [False, True])
def test_checkpoint_round_trip(tmp_path, conditional):
    G = gan.build_models(TINY, conditional, torch.Generator().manual_seed(0))[0]
    path = checkpoints.save(G, tmp_path / "g.pth", model_args(G), {"epochs": 1})
    family = "gan.CondGenerator" if conditional else "gan.Generator"
    loaded = checkpoints.load(path, expected_family=family).model
    label = 4 if conditional else None
    assert torch.equal(gan.sample(G, 3, 0, label=label), gan.sample(loaded, 3, 0, label=label))


def test_cli_sample_writes_white_on_black_array(tmp_path):
    G = gan.build_models(TINY, False, torch.Generator().manual_seed(0))[0]
    ckpt = checkpoints.save(G, tmp_path / "g.pth", model_args(G))
    out = tmp_path / "s.npy"
    assert (
        cli(["gan", "sample", "--n", "6", "--seed", "3", "--out", str(out), "--checkpoint", str(ckpt)]) == 0
    )
    arr = np.load(out)
    assert arr.shape == (6, 28, 28) and arr.dtype == np.float32
    assert 0 <= arr.min() and arr.max() <= 1
    assert cli(["gan", "sample", "--n", "0", "--out", str(out), "--checkpoint", str(ckpt)]) == 2


def test_cli_cgan_sample_and_bad_label(tmp_path):
    cfg = configs.with_overrides(TINY, image_size=8)
    G = gan.build_models(cfg, True, torch.Generator().manual_seed(0))[0]
    ckpt = checkpoints.save(G, tmp_path / "g.pth", model_args(G))
    out = tmp_path / "s.npy"
    args = ["cgan", "sample", "--n", "4", "--dataset", "digits", "--out", str(out), "--checkpoint", str(ckpt)]
    assert cli(args + ["--label", "5"]) == 0
    assert np.load(out).shape == (4, 8, 8)
    assert cli(args + ["--label", "12"]) == 2
    assert (
        cli(["cgan", "sample", "--label", "1", "--out", str(out), "--checkpoint", str(tmp_path / "none.pth")])
        == 1
    )


def test_train_on_generated_reports_both_accuracies():
    from core.data import load_digits

    split = load_digits()
    small = type(split)(
        split.x_train[:100], split.y_train[:100], split.x_test[:50], split.y_test[:50], split.provenance
    )
    small_cfg = configs.with_overrides(TINY, image_size=8)
    G = gan.build_models(small_cfg, True, torch.Generator().manual_seed(0))[0]
    res = gan.train_on_generated(G, small, epochs=1, per_digit=5)
    assert res["n_generated"] == 50 and res["n_test"] == 50
    assert 0 <= res["acc_generated"] <= 1 and 0 <= res["acc_real"] <= 1


def test_aux_classifier_discriminator_names_digits():
    D = CondDiscriminator(8, 28, aux=True)
    x, y = torch.rand(3, 1, 28, 28), one_hot(torch.tensor([1, 2, 3]))
    adv, cls = D.forward_both(x, y)
    assert adv.shape == (3, 1) and cls.shape == (3, 10)
    cfg = configs.with_overrides(TINY, aux_weight=1.0)
    xs, ys = fake_images()
    G, D = gan.build_models(cfg, True, torch.Generator().manual_seed(0))
    assert D.aux
    rec = next(iter(gan.train_cgan(cfg, xs, ys, G, D)))
    assert np.isfinite(rec["g_loss"])


def test_translate_keeps_background_and_moves_ink():
    x = torch.full((4, 1, 28, 28), -1.0)
    x[:, :, 12:14, 12:14] = 1
    y = gan.translate(x, torch.Generator().manual_seed(0))
    assert y.shape == x.shape and y.min() == -1 and (y > 0).sum() == (x > 0).sum()


def test_minibatch_std_discriminator_sees_batch_variety():
    D = Discriminator(8, mbstd=True)
    gan.reset_parameters(D, torch.Generator().manual_seed(0))
    same = torch.zeros(4, 1, 28, 28)
    varied = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    assert D(same).shape == (4, 1)
    # the first image is the same in both batches; only the batch around it differs
    mixed = torch.cat([same[:1], varied[1:]])
    assert not torch.allclose(D(same)[0], D(mixed)[0])
    cfg = configs.with_overrides(TINY, mbstd=True, d_batch_norm=False)
    G, D = gan.build_models(cfg, False, torch.Generator().manual_seed(0))
    assert D.mbstd and not isinstance(D.bn2, torch.nn.BatchNorm2d)


def test_train_options_reach_the_config():
    """`gan train --spectral-norm --augment` (the shipped GAN's recipe) sets those fields; unset
    on/off flags keep the preset's values."""
    import argparse

    from core.commands.gan import add_train_args, config_from_args

    p = argparse.ArgumentParser()
    add_train_args(p)
    cfg = config_from_args(
        p.parse_args(["--spectral-norm", "--augment", "--no-d-batch-norm", "--epochs", "3"])
    )
    assert (cfg.spectral_norm, cfg.augment, cfg.d_batch_norm, cfg.epochs) == (True, True, False, 3)
    assert cfg.mbstd == gan.IMPROVED.mbstd and cfg.batch_norm == gan.IMPROVED.batch_norm
    assert config_from_args(p.parse_args([])) == gan.IMPROVED


def test_mapping_network_changes_the_generator_and_round_trips(tmp_path):
    from dataclasses import replace

    cfg = replace(TINY, mapping=16)
    G = gan.build_models(cfg, False, torch.Generator().manual_seed(0))[0]
    assert [m.out_features for m in G.mapping if isinstance(m, torch.nn.Linear)] == [16, 16]
    assert G.fc.in_features == 16 and model_args(G)["mapping"] == 16
    assert "mapping" not in model_args(gan.build_models(TINY, False, torch.Generator())[0])
    path = checkpoints.save(G, tmp_path / "m.pth", model_args(G), {"epochs": 0})
    loaded = checkpoints.load(path, expected_family="gan.Generator").model
    assert torch.equal(gan.sample(G, 3, 0), gan.sample(loaded, 3, 0))
    stats = next(
        r
        for r in gan.train_gan(
            cfg,
            torch.rand(8, 1, 28, 28),
            G,
            gan.build_models(cfg, False, torch.Generator().manual_seed(1))[1],
        )
        if r["kind"] == "step"
    )
    assert all(p.grad is not None for p in G.mapping.parameters())  # the mapping is trained with G
    assert math.isfinite(stats["g_loss"])


def test_gan_cli_trains_and_saves_a_generator_with_a_mapping_network(tmp_path):
    from core.cli import main

    out = tmp_path / "g.pth"
    args = [
        "gan",
        "train",
        "--mapping",
        "8",
        "--g-width",
        "8",
        "--d-width",
        "8",
        "--epochs",
        "1",
        "--ema",
        "0",
        "--device",
        "cpu",
        "--quiet",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    loaded = checkpoints.load(out, expected_family="gan.Generator")
    assert loaded.model.model_args["mapping"] == 8 and loaded.meta["train_config"]["mapping"] == 8


def test_refine_conv_adds_a_trained_layer_and_round_trips(tmp_path):
    """`g_refine`: a 3x3 conv at 14x14 in G, trained with it and saved in the checkpoint's config; without
    it G has exactly the parameters it had before (shipped checkpoints still load)."""
    from dataclasses import replace

    from core.cli import main

    plain = gan.build_models(TINY, False, torch.Generator().manual_seed(0))[0]
    G = gan.build_models(replace(TINY, g_refine=True), False, torch.Generator().manual_seed(0))[0]
    conv = G.refine[0]
    assert (conv.in_channels, conv.out_channels, conv.kernel_size) == (
        TINY.g_width // 2,
        TINY.g_width // 2,
        (3, 3),
    )
    assert set(G.state_dict()) - set(plain.state_dict()) and set(plain.state_dict()) < set(G.state_dict())
    assert "refine" not in model_args(plain) and model_args(G)["refine"] is True
    assert gan.sample(G, 3, 0).shape == (3, 1, 28, 28)
    before = conv.weight.detach().clone()
    D = gan.build_models(TINY, False, torch.Generator().manual_seed(1))[1]
    next(
        r
        for r in gan.train_gan(replace(TINY, g_refine=True), torch.rand(8, 1, 28, 28), G, D)
        if r["kind"] == "step"
    )
    assert not torch.equal(before, conv.weight), "one step of G must change the refine conv"
    out = tmp_path / "g.pth"
    args = [
        "gan",
        "train",
        "--g-refine",
        "--g-width",
        "8",
        "--d-width",
        "8",
        "--epochs",
        "1",
        "--ema",
        "0",
        "--device",
        "cpu",
        "--quiet",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    loaded = checkpoints.load(out, expected_family="gan.Generator")
    assert loaded.model.model_args["refine"] and loaded.meta["train_config"]["g_refine"] is True


def test_learning_rate_decay_keeps_the_first_steps_and_slows_the_later_ones():
    """`lr_decay_from`: both learning rates stay as set until that share of the steps, then fall
    linearly towards 0; a run that decays from the start takes the same first step and smaller later ones."""
    assert gan.decay_factor(0, 100, 0.6) == 1.0 and gan.decay_factor(60, 100, 0.6) == 1.0
    assert gan.decay_factor(80, 100, 0.6) == pytest.approx(0.5) and gan.decay_factor(100, 100, 0.6) == 0.0
    x, _ = fake_images(n=64)
    cfg = configs.with_overrides(TINY, batch_norm=False, d_batch_norm=False)
    runs = []
    for start in (1.0, 0.0):
        G, D = gan.build_models(cfg, False, torch.Generator().manual_seed(0))
        g0, steps = params(G), []
        for rec in gan.train_gan(
            configs.with_overrides(cfg, lr_decay_from=start),
            x,
            G,
            D,
            generator=torch.Generator().manual_seed(1),
        ):
            if rec["kind"] == "step":
                steps.append(sum((a - b).norm().item() for a, b in zip(params(G), g0)))
                g0 = params(G)
        runs.append(steps)
    constant, decayed = runs
    assert len(constant) == 4 and decayed[0] == pytest.approx(constant[0])  # step 0: factor 1 in both
    assert decayed[3] < 0.5 * constant[3]  # the last step at a quarter of the rate (Adam steps ~ lr)


@pytest.mark.parametrize("conditional", [False, True])
def test_a_non_finite_loss_ends_the_run_with_its_diverged_record(conditional):
    """The job engine reads the last record: "diverged" must be the last thing the iterator yields."""
    size = 28 if not conditional else 8
    cfg = configs.with_overrides(TINY, image_size=size)
    G, D = gan.build_models(cfg, conditional, torch.Generator().manual_seed(0))
    x, y = fake_images(32, size)
    x = torch.full_like(x, float("nan"))  # D(real) is NaN on the first batch
    it = gan.train_cgan(cfg, x, y, G, D) if conditional else gan.train_gan(cfg, x, G, D)
    records = list(it)
    assert [r["kind"] for r in records] == ["diverged"] and records[0]["step"] == 1
