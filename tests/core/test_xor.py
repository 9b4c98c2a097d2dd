"""core/xor.py: the course's XOR run reaches 100 %, the linear model cannot, the generated script agrees."""

import json
import subprocess
import sys
import time
from dataclasses import asdict

import pytest
import torch

from core import run_export, xor
from core.models.mlp import MLP
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def course_run():
    return xor.train(xor.XORConfig())


def test_defaults_are_the_course_settings():
    cfg = xor.XORConfig()
    assert (cfg.gate, cfg.hidden, cfg.activation, cfg.optimizer) == ("XOR", (2, 2), "sigmoid", "adam")
    assert (cfg.lr, cfg.epochs, cfg.batch_size, cfg.seed) == (0.05, 1000, 4, xor.DEFAULT_SEED)
    assert cfg.architecture() == "2-2-2-1"


def test_default_seed_learns_xor(course_run):
    model, summary = course_run
    assert summary["accuracy"] == 1.0
    assert summary["loss"] < 0.01
    assert summary["epochs"] == 1000
    assert all(r["correct"] for r in xor.truth_table(model, "XOR"))


def test_same_seed_same_run():
    cfg = xor.XORConfig(epochs=50)
    a, b = xor.Trainer(cfg), xor.Trainer(cfg)
    la = [r["train_loss"] for r in a.run() if r["kind"] == "epoch"]
    lb = [r["train_loss"] for r in b.run() if r["kind"] == "epoch"]
    assert la == lb and len(la) == 50


def test_step_epoch_continues_the_same_run():
    cfg = xor.XORConfig(epochs=20)
    stepped = xor.Trainer(cfg)
    for _ in range(5):
        rec = stepped.step_epoch()
    assert rec["epoch"] == 5 and stepped.epoch == 5
    for _ in stepped.run():
        pass
    whole = xor.Trainer(cfg)
    for _ in whole.run():
        pass
    assert stepped.history[-1]["train_loss"] == pytest.approx(whole.history[-1]["train_loss"], abs=1e-7)
    assert stepped.step_epoch() is None and stepped.finished


def test_huge_learning_rate_is_reported_not_raised():
    t = xor.Trainer(xor.XORConfig(optimizer="sgd", lr=1e30, hidden=(8,), activation="relu", epochs=50))
    recs = list(t.run())
    assert t.finished
    assert t.diverged == any(r["kind"] == "diverged" for r in recs)


def test_linear_model_cannot_learn_xor_but_network_can():
    rows = {r["gate"]: r for r in xor.compare_linear(xor.XORConfig(epochs=600))}
    for gate in ("AND", "OR", "NAND"):
        assert rows[gate]["linear"] == 1.0
    assert rows["XOR"]["linear"] <= 0.75
    assert rows["XOR"]["network"] == 1.0


def test_decision_grid_and_predict(course_run):
    model, _ = course_run
    xs, ys, z = xor.decision_grid(model, n=11, margin=0.0)
    assert len(xs) == len(ys) == 11 and len(z) == 11 and len(z[0]) == 11
    assert z[0][0] < 0.5 and z[0][-1] > 0.5 and z[-1][0] > 0.5 and z[-1][-1] < 0.5  # z[row=x2][col=x1]
    pred, out = xor.predict(model, 0, 1)
    assert pred == 1 and out > 0.5


def test_step_numbers_match_autograd():
    model, _ = xor.build_model(xor.XORConfig())
    nums = xor.step_numbers(model, "XOR", "sgd", lr=0.5)
    x, y = torch.tensor(nums["x"]), torch.tensor(nums["y"])
    out = model(x)
    assert nums["loss"] == pytest.approx(torch.nn.functional.binary_cross_entropy(out, y).item(), rel=1e-6)
    for layer in nums["layers"]:  # SGD: W_new = W − lr · dW
        w, dw, w_new = (torch.tensor(layer[k]) for k in ("W", "dW", "W_new"))
        assert torch.allclose(w_new, w - 0.5 * dw, atol=1e-6)
    assert len(nums["layers"][0]["z"]) == 4
    assert nums["loss_after"] < nums["loss"]  # one small SGD step downhill
    before = [p.clone() for p in model.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))  # model untouched


def test_network_values_shapes():
    v = xor.network_values(MLP((3, 2)), (1.0, 0.0))
    assert v["sizes"] == [2, 3, 2, 1]
    assert [len(w) for w in v["weights"]] == [3, 2, 1]
    assert v["activations"][0] == [1.0, 0.0]


@pytest.mark.parametrize("cfg", [xor.XORConfig(), xor.XORConfig(gate="AND", hidden=(), epochs=300)])
def test_generated_script_runs_and_matches(cfg, tmp_path):
    _, summary = xor.train(cfg)
    path = tmp_path / "xor_script.py"
    path.write_text(run_export.train_script("xor", asdict(cfg)))
    out = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    acc = float(next(line for line in out.splitlines() if line.startswith("Accuracy:")).split()[1])
    loss = float(next(line for line in out.splitlines() if line.startswith("Loss:")).split()[1])
    assert acc == pytest.approx(summary["accuracy"])
    assert loss == pytest.approx(summary["loss"], abs=2e-6)


def test_config_rejects_bad_values():
    for bad in ({"gate": "XNOR"}, {"lr": 0}, {"batch_size": 5}, {"optimizer": "rmsprop"}, {"hidden": (9,)}):
        with pytest.raises(ValueError):
            xor.XORConfig(**bad)


def test_cli_prints_one_json_line():
    out = subprocess.run(
        [sys.executable, "-m", "core.cli", "xor", "train", "--epochs", "1000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    lines = out.strip().splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["accuracy"] == 1.0 and rec["gate"] == "XOR" and rec["seconds"] > 0 and rec["loss"] < 0.01


def test_cli_rejects_bad_hidden():
    res = subprocess.run(
        [sys.executable, "-m", "core.cli", "xor", "train", "--hidden", "9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "hidden" in res.stderr


def test_run_ends_right_after_a_diverged_record():
    """The job engine reads the last record: "diverged" must be the last thing `run()` yields."""
    t = xor.Trainer(xor.XORConfig(epochs=50))
    step = {"kind": "step", "step": 1, "loss": 0.7}
    t._it = iter([step, {"kind": "diverged", "epoch": 1, "step": 2, "loss": float("nan")}, step])
    recs = list(t.run())
    assert [r["kind"] for r in recs] == ["step", "diverged"] and t.diverged and t.finished


def test_snapshots_are_evenly_spaced_and_bounded():
    assert [xor.snapshot_every(n) for n in (1, 100, 1000, 1050, 20_000)] == [1, 1, 10, 11, 200]
    t = xor.Trainer(xor.XORConfig(epochs=1050))
    for _ in t.run():
        pass
    epochs = sorted(t.snapshots)
    assert epochs[0] == 0 and epochs[-1] == 1050 and epochs[1:-1] == list(range(11, 1050, 11))
    assert len(epochs) <= xor.SNAPSHOTS + 2
    assert t.replay_epochs() == epochs


def test_the_snapshot_at_epoch_k_reproduces_the_model_at_epoch_k():
    """The replay shows the network as it was: the snapshot of epoch k gives the outputs the live model
    gave at epoch k, before training went on (and epoch 0 is the untrained network)."""
    cfg = xor.XORConfig(epochs=200)  # a snapshot every 2 epochs
    t = xor.Trainer(cfg)
    x, _, _ = xor.logic_gate(cfg.gate)
    seen = {0: t.model(x).detach().clone()}
    for _ in range(40):
        t.step_epoch()
        seen[t.epoch] = t.model(x).detach().clone()
    for _ in t.run():  # the rest in one go, as a job plays it
        pass
    with torch.no_grad():
        for k in (0, 2, 10, 40):
            assert torch.allclose(t.model_at(k)(x), seen[k], atol=1e-7), k
        assert not torch.allclose(t.model_at(40)(x), t.model(x))  # training did go on after epoch 40
        assert t.model_at(200) is t.model
    with pytest.raises(KeyError):
        t.model_at(41)  # no snapshot of an odd epoch


def test_snapshots_go_through_the_records_and_back():
    """A job keeps the epoch records; the arrays made from them bring the replay back into a reopened run."""
    cfg = xor.XORConfig(epochs=30)
    t = xor.Trainer(cfg)
    records = [r for r in t.run() if r["kind"] == "epoch"]
    arrays = xor.snapshots_of(records)
    assert arrays["snapshot_epochs"].tolist() == list(range(1, 31))
    assert arrays["snapshot_params"].shape == (30, 15)  # 2-2-2-1: (4 + 2) + (4 + 2) + (2 + 1) numbers
    reopened = xor.Trainer(cfg)
    reopened.model.load_state_dict(t.model.state_dict())
    reopened.load_snapshots(arrays["snapshot_epochs"], arrays["snapshot_params"])
    assert sorted(reopened.snapshots) == list(range(31))
    x, _, _ = xor.logic_gate(cfg.gate)
    with torch.no_grad():
        assert torch.allclose(reopened.model_at(12)(x), t.model_at(12)(x))
    reopened.load_snapshots(None, None)  # a run saved without them: only its final epoch
    assert reopened.snapshots == {} and reopened.replay_epochs() == [reopened.epoch]


def test_delay_rests_between_epochs_and_can_change_during_the_run():
    """Slow motion: a "rest" record of `controls["delay"]` s after every epoch but the last, read at each
    epoch; the job engine takes the pause (without holding a slot), the trainer never sleeps itself."""
    t = xor.Trainer(xor.XORConfig(epochs=6))
    t.controls["delay"] = 0.02
    rests = []
    t0 = time.perf_counter()
    for rec in t.run():
        if rec["kind"] == "rest":
            rests.append(rec["seconds"])
        if rec["kind"] == "epoch" and rec["epoch"] == 3:
            t.controls["delay"] = 5.0  # longer than MAX_DELAY_S: capped
    assert rests == [0.02, 0.02, 1.0, 1.0, 1.0] and t.epoch == 6
    assert time.perf_counter() - t0 < 1.0  # 3.04 s of rests asked for, none slept here
    kinds = {r["kind"] for r in xor.Trainer(xor.XORConfig(epochs=6)).run()}  # full speed by default
    assert "rest" not in kinds
