"""The independent judge of generated digits: FID, precision and recall on constructed feature sets, the
nearest-training-digit distance, the shipped judge, and the command line's one JSON line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core import data, gen_eval
from core.models.judge import JudgeNet


def _cloud(n: int, d: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d))


def test_fid_of_a_set_against_itself_is_zero_and_grows_with_a_shift():
    a = _cloud(400)
    assert gen_eval.fid(a, a) == pytest.approx(0.0, abs=1e-6)
    shifted = gen_eval.fid(a, a + 1.0)  # the means differ by 1 in each of 8 dimensions
    assert shifted == pytest.approx(8.0, rel=1e-6)
    assert gen_eval.fid(a, 2 * a) > 1.0  # same mean, wider spread


def test_fid_of_two_draws_of_one_distribution_is_small_but_not_zero():
    small = gen_eval.fid(_cloud(400, seed=1), _cloud(400, seed=2))
    assert 0 < small < 0.5


def test_precision_and_recall_of_a_copy_are_one():
    real = _cloud(300)
    assert gen_eval.precision_recall(real, real.copy()) == (1.0, 1.0)


def test_one_mode_only_has_high_precision_and_low_recall():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [20.0, 0.0]])  # two far-apart clusters
    real = np.concatenate([rng.normal(size=(300, 2)) + c for c in centres])
    fake = rng.normal(size=(600, 2))  # every sample from the first cluster
    precision, recall = gen_eval.precision_recall(real, fake)
    assert precision >= 0.9
    assert recall <= 0.55


def test_nearest_distance_is_zero_for_a_copied_digit():
    train = (torch.rand(50, 1, 28, 28, generator=torch.Generator().manual_seed(0)) > 0.7).float()
    samples = torch.stack([train[7], 1 - train[3]])
    dist = gen_eval.nearest_distance(samples, train)
    assert dist[0] == pytest.approx(0.0, abs=1e-6)
    assert dist[1] > 0.3


def test_judge_trains_and_gives_features_of_its_penultimate_layer():
    x = (torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(0)) > 0.8).float()
    y = torch.arange(32) % 10
    judge = gen_eval.train_judge(x, y, gen_eval.JudgeConfig(epochs=1, batch_size=16))
    feats, probs = gen_eval.read(judge, x[:5])
    assert feats.shape == (5, 128) and probs.shape == (5, 10)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert not judge.training


def test_evaluate_gives_every_figure_and_a_copy_of_training_digits_is_caught():
    split = data.load_embedded_mnist()
    judge = JudgeNet().eval()  # untrained weights: only the plumbing is judged here
    ref = gen_eval.Reference(
        gen_eval.read(judge, split.x_train[:300])[0], split.x_train[:300], split.x_test[:50]
    )
    copied = gen_eval.evaluate(judge, split.x_train[:60], ref, split.y_train[:60])
    fresh = gen_eval.evaluate(judge, split.x_test[50:110], ref, split.y_test[50:110])
    assert copied["nearest"] == pytest.approx(0.0, abs=1e-6)  # a perfect copy...
    assert fresh["nearest"] > 0.05 and copied["nearest_real"] > 0.05  # ...real new digits are not at 0
    assert 0 <= copied["agreement"] <= 1 and len(copied["shares"]) == 10
    assert copied["floor"] > 0 and copied["fid"] >= 0
    assert gen_eval.evaluate(judge, split.x_test[:20], ref)["agreement"] is None


def test_the_shipped_judge_reads_held_out_digits_and_is_not_the_course_cnn():
    from core import checkpoints

    split = data.load_embedded_mnist()
    judge = gen_eval.load_judge()
    _, probs = gen_eval.read(judge, split.x_test)
    assert (probs.argmax(axis=1) == split.y_test.numpy()).mean() >= 0.95
    meta = checkpoints.read_meta(checkpoints.SHIPPED_DIR / gen_eval.JUDGE_FILE)
    assert meta["family"] == "judge.JudgeNet" and "evaluate --train-judge" in meta["command"]


def test_cli_evaluate_prints_one_json_line_and_refuses_bad_values(capsys):
    from core.cli import main

    assert main(["evaluate", "--model", "cgan", "--n", "40", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    for key in ("fid", "precision", "recall", "agreement", "floor", "seconds", "nearest"):
        assert key in out, key
    assert out["model"] == "cgan" and out["n"] == 40 and 0 <= out["agreement"] <= 1
    assert main(["evaluate", "--model", "gan", "--n", "1"]) == 2
    assert main(["evaluate", "--model", "diffusion", "--band", "0.9", "0.1"]) == 2
    assert main(["evaluate", "--model", "vae", "--guidance", "2"]) == 2
    assert main(["evaluate"]) == 2
    assert "--model" in capsys.readouterr().err
