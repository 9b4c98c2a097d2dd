"""core/sequence.py: windows and their alignment, a split by time whose scaling never sees the test period,
the three cells' shapes, a seeded run whose loss falls, free-running on its own outputs only, the baselines
and the memory map on models whose answers are known."""

import dataclasses

import numpy as np
import pytest
import torch

from core import sequence as sq
from core.models.sequence import SequenceNet, parameter_count


def ramp(n=30, n_train=20, season=5) -> sq.Series:
    """A hand-made series: 0, 1, 2, …, so every window's target and every baseline is known exactly."""
    return sq.split_series("ramp", np.arange(n), np.arange(n, dtype=float), n_train, season)


def test_the_target_of_window_i_is_value_i_plus_w():
    x = np.arange(100, 120)
    inputs, targets = sq.make_windows(x, 4)
    assert inputs.shape == (16, 4) and targets.shape == (16,)
    for i in range(16):
        assert list(inputs[i]) == list(x[i : i + 4])
        assert targets[i] == x[i + 4]


def test_training_windows_stay_in_the_past_and_test_windows_cover_every_test_value():
    s = ramp()
    x, y = sq.train_windows(s, 3)
    assert s.unscale(y).max() == pytest.approx(19)  # the last training value, never a test one
    assert s.unscale(x).max() == pytest.approx(18)
    xt, yt = sq.test_windows(s, 3)
    assert list(np.round(s.unscale(yt))) == list(range(20, 30))  # one window per test value, in order
    assert list(np.round(s.unscale(xt[0]))) == [17, 18, 19]  # the first reads the end of the past


def test_the_scaling_is_fitted_on_the_training_part_alone_and_maps_it_onto_minus_one_to_one():
    values = np.arange(30, dtype=float)
    a = sq.split_series("a", np.arange(30), values, 20, 5)
    changed = values.copy()
    changed[20:] = 1e6  # whatever the test period holds
    b = sq.split_series("b", np.arange(30), changed, 20, 5)
    assert (a.center, a.half_range) == (b.center, b.half_range) == (9.5, 9.5)
    assert np.array_equal(sq.train_windows(a, 4)[0], sq.train_windows(b, 4)[0])
    scaled = a.scale(values[:20])
    assert (scaled.min(), scaled.max()) == (-1.0, 1.0)  # the range of tanh, the cell's output
    assert np.allclose(a.unscale(a.scale(values)), values)
    sine = sq.load_series("sine")  # the primer's wave goes in (almost) as the primer feeds it
    assert np.allclose(sine.scale(sine.values), sine.values, atol=0.002)


def test_the_sine_is_the_primers_and_the_real_series_are_split_by_time():
    s = sq.load_series("sine")
    assert (len(s.values), s.n_train) == (200, 150)
    assert np.allclose(s.values, np.sin(np.linspace(0, 10 * np.pi, 200)))
    for name, first_year in (("sunspots", 1700), ("co2", 1958)):
        r = sq.load_series(name)
        assert r.times[0] == pytest.approx(first_year, abs=1)
        assert np.all(np.diff(r.times) > 0) and np.all(np.isfinite(r.values))  # in order, gaps filled
        assert r.n_test == pytest.approx(0.2 * len(r.values), abs=1)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("hidden,layers", [(8, 1), (5, 2)])
def test_each_cell_maps_windows_to_one_value_each(cell, hidden, layers):
    model = SequenceNet(cell, hidden, layers)
    assert model(torch.zeros(7, 10, 1)).shape == (7,)
    assert model.hidden_states(torch.zeros(7, 10, 1)).shape == (7, 10, hidden)
    assert sum(p.numel() for p in model.parameters()) == parameter_count(cell, hidden, layers)
    states = sq.cell_states(model, torch.randn(3, 6, 1))
    assert states["h"].shape == (3, hidden)
    if cell == "lstm":  # the hand-unrolled LSTM agrees with nn.LSTM
        assert set(states) == {"h", "c", "i", "f", "g", "o"}
        x = torch.randn(3, 6, 1)
        assert np.allclose(
            sq.cell_states(model, x)["h"], model.hidden_states(x)[:, -1].detach().numpy(), atol=1e-5
        )


def test_the_primers_lstm_has_the_primers_parameter_count():
    # nn.LSTM(1, 50): 4 × (50·1 + 50·50 + 2·50) = 10,600, Linear(50, 1): 51
    assert parameter_count("lstm", 50) == 10_651


def tiny_run(seed=0, epochs=15, lr=0.01):
    cfg = sq.SequenceConfig(hidden=8, window=8, epochs=epochs, lr=lr, seed=seed)
    s = sq.load_series("sine")
    model, g = sq.build_model(cfg)
    return list(sq.train(model, s, cfg, g)), model, s, cfg


def test_a_seeded_run_learns_and_repeats_itself():
    recs, model, s, cfg = tiny_run()
    epochs = [r for r in recs if r["kind"] == "epoch"]
    assert len(epochs) == 15
    assert epochs[-1]["train_loss"] < 0.5 * epochs[0]["train_loss"]
    assert epochs[-1]["test_mae"] < epochs[0]["test_mae"]
    assert len(epochs[-1]["forecast"]) == s.n_test
    again, _, _, _ = tiny_run()
    strip = lambda rs: [{k: v for k, v in r.items() if k != "elapsed"} for r in rs]  # noqa: E731
    assert strip(again) == strip(recs)


def test_a_loss_that_is_not_finite_ends_in_a_diverged_record():
    cfg = sq.SequenceConfig(hidden=4, window=4, epochs=3)
    model, g = sq.build_model(cfg)
    with torch.no_grad():
        model.head.weight.fill_(float("inf"))
    last = list(sq.train(model, sq.load_series("sine"), cfg, g))[-1]
    assert last["kind"] == "diverged"


def test_free_running_reads_only_its_own_outputs_after_the_first_window():
    seen = []

    def stepper(w):
        seen.append(w.copy())
        return w[:, -1] + 100  # a model that adds 100 to the last value it is shown

    out = sq.rollout(stepper, np.array([[1.0, 2.0, 3.0]]), 5)
    assert list(out[0]) == [103, 203, 303, 403, 503]
    assert list(seen[3][0]) == [103, 203, 303]  # after W steps, nothing true is left in its window
    s = ramp()
    free = sq.free_run(lambda w: w[:, -1], s, 3)  # persistence, free-running: the last training value
    assert np.allclose(free, 19) and len(free) == s.n_test


def test_horizon_errors_grow_for_persistence_on_a_ramp():
    s = ramp()
    err = sq.horizon_errors(sq.persistence_stepper, s, 3, 4)
    assert np.allclose(err, [1, 2, 3, 4])  # a ramp rises by 1 a step: h steps ahead, h off


def test_baselines_on_a_ramp_have_known_answers():
    s = ramp()
    b = sq.baselines(s, 3)
    assert np.allclose(b["persistence"], np.arange(19, 29))  # the value before
    assert np.allclose(b["seasonal"], np.arange(15, 25))  # five steps before
    assert np.allclose(b["ar"], np.arange(20, 30))  # a line is an exact autoregression
    table = sq.error_table(s, 3, {"network": np.arange(20, 30) + 2.0})
    assert table["persistence"] == {"mae": pytest.approx(1), "rmse": pytest.approx(1)}
    assert table["seasonal"]["mae"] == pytest.approx(5)
    assert table["network"]["mae"] == pytest.approx(2)
    name, gain = sq.best_baseline(table)
    assert name == "ar" and gain < 0  # the network loses to the line: the page must say so


def test_the_ar_baseline_learns_from_the_training_part_only():
    values = np.arange(30, dtype=float)
    values[20:] = np.random.default_rng(0).normal(0, 50, 10)  # a test period unlike the past
    s = sq.split_series("x", np.arange(30), values, 20, 5)
    ar = sq.fit_ar(s, 3)
    assert np.allclose(s.unscale(ar(sq.train_windows(s, 3)[0])), np.arange(3, 20))


class LastInput(torch.nn.Module):
    """A model that can only see the last value of its window."""

    def forward(self, x):
        return 3.0 * x[:, -1, 0]


def test_the_memory_map_of_a_model_that_sees_only_the_last_input():
    m = sq.memory_map(LastInput(), torch.randn(4, 6, 1))
    assert m.shape == (4, 6)
    assert np.allclose(m[:, -1], 3.0) and np.allclose(m[:, :-1], 0.0)


def test_the_memory_map_of_a_recurrent_net_reaches_back():
    torch.manual_seed(0)
    m = sq.memory_map(SequenceNet("lstm", 8), torch.randn(2, 5, 1))
    assert m.shape == (2, 5) and (m[:, 0] > 0).all()


def seasonal_series(name: str, n=120, n_train=96, season=12) -> sq.Series:
    """A trend plus a yearly cycle plus a little noise, as CO2 looks (or, named "sunspots", an AR(2) cycle)."""
    rng = np.random.default_rng(0)
    if name == "sunspots":
        x = np.zeros(n)
        for i in range(2, n):  # a damped cycle of about 11 steps, kept going by the noise
            x[i] = 1.6 * x[i - 1] - 0.9 * x[i - 2] + rng.normal(0, 1)
        return sq.split_series(name, np.arange(n), 50 + 10 * x, n_train, 11)
    i = np.arange(n)
    values = 300 + 0.1 * i + 3 * np.sin(2 * np.pi * i / season) + rng.normal(0, 0.2, n)
    return sq.split_series(name, i, values, n_train, season)


@pytest.mark.parametrize("name,key", [("co2", "hw"), ("sunspots", "autoreg")])
def test_the_classical_baseline_learns_the_past_and_forecasts_one_step_without_the_future(name, key):
    s = seasonal_series(name)
    got = sq.classical_baseline(s)
    assert set(got) == {key} and got[key].shape == (s.n_test,)
    table = sq.error_table(s, 12, {}, got)
    assert table[key]["mae"] < table["persistence"]["mae"]  # it found the cycle persistence cannot see
    k = 10  # change the test period from its 10th value on: the forecasts up to it cannot move
    changed = s.values.copy()
    changed[s.n_train + k :] += 100.0
    again = sq.classical_baseline(dataclasses.replace(s, values=changed))[key]
    assert np.allclose(again[: k + 1], got[key][: k + 1])  # forecast k reads the values before it only


def test_the_learning_rate_experiment_blows_up_and_both_cures_work_on_sgd_but_clipping_not_on_adam():
    curves = sq.lr_experiment(steps=40)
    first = curves["sgd_high"][0]
    assert all(c[0] == first for c in curves.values())  # the same start and the same first batch
    step = sq.blew_up(curves["sgd_high"])
    assert step is not None and step < 40 and len(curves["sgd_high"]) == step  # stops where it blew up
    assert curves["sgd_high"][step - 2] > 1000 * first  # growing before it overflowed
    for cure in ("sgd_low", "sgd_clip", "adam_low"):
        c = curves[cure]
        assert sq.blew_up(c) is None and len(c) == 40
        assert c.max() <= first * 1.05 and c[-5:].mean() < 0.6 * first, cure  # never jumps, and learns
    for adam in ("adam_high", "adam_clip"):  # lr 1.0 jumps a hundredfold, clipped or not
        assert (
            curves[adam].max() > 100 * first
            and curves[adam][-5:].mean() > 1.5 * curves["adam_low"][-5:].mean()
        )


def test_the_memory_profile_is_largest_one_and_follows_the_map():
    m = sq.memory_profile(LastInput(), torch.randn(4, 6, 1))
    assert m.shape == (6,) and m.max() == pytest.approx(1.0) and np.allclose(m[:-1], 0.0)


def test_bad_settings_say_what_is_wrong():
    with pytest.raises(ValueError, match="series"):
        sq.SequenceConfig(series="stocks")
    with pytest.raises(ValueError, match="window"):
        sq.SequenceConfig(window=1)
    with pytest.raises(ValueError, match="does not fit"):
        sq.train_windows(ramp(), 25)


@pytest.mark.slow
def test_the_command_line_trains_saves_and_forecasts(tmp_path):
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = tmp_path / "seq.pth"
    train = [sys.executable, "-m", "core.cli", "sequence", "train", "--series", "sine", "--model", "gru"]
    done = subprocess.run(
        [*train, "--epochs", "3", "--hidden", "8", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["series"], result["model"]) == ("sine", "gru")
    assert set(result["baselines"]) == {"persistence", "seasonal", "ar", "hw"} and result["mae"] > 0
    assert set(result["free_running_mae"]) == {"10", "50"}
    predict = [
        sys.executable,
        "-m",
        "core.cli",
        "sequence",
        "predict",
        "--checkpoint",
        str(out),
        "--horizon",
        "7",
    ]
    shown = subprocess.run(predict, cwd=ROOT, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    forecast = json.loads(shown.stdout)
    assert len(forecast["forecast"]) == 7 and forecast["times"][0] == 150
