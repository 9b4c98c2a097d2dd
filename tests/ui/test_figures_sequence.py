"""ui/figures/sequence.py: each figure builds from plain arrays, draws what it is given where it belongs."""

import numpy as np

from core import sequence as core_seq
from ui.figures import sequence as figures


def test_the_window_figure_marks_the_window_and_its_target():
    times, values = np.arange(40.0), np.sin(np.arange(40.0))
    fig = figures.window_figure(times, values, 30, 5, start=3)
    inputs, target = fig.data[1], fig.data[2]
    assert list(inputs.x) == [3, 4, 5, 6, 7]
    assert list(target.x) == [8] and target.y[0] == values[8]  # window i's target is value i + W


def test_every_forecast_is_drawn_at_the_time_it_predicts():
    s = core_seq.load_series("sine")
    shown = {"network": s.values[s.n_train :] + 0.1, "free": None} | core_seq.baselines(s, 10)
    fig = figures.forecast_figure(s.times, s.values, s.n_train, shown)
    drawn = [tr for tr in fig.data if tr.name != fig.data[0].name]
    assert len(drawn) == 4  # network and the three baselines; the missing free-running one is left out
    for trace in drawn:
        assert trace.x[0] == s.times[s.n_train] and len(trace.x) == s.n_test


def test_the_horizon_states_and_memory_figures_build():
    fig = figures.horizon_figure({"network": [0.1, 0.2, 0.4], "persistence": [0.3, 0.5, 0.6]}, "ppm")
    assert [len(tr.x) for tr in fig.data] == [3, 3]
    states = np.random.default_rng(0).normal(size=(50, 8))
    heat = figures.states_figure(states, np.arange(50.0))
    assert np.asarray(heat.data[0].z).shape == (8, 50)  # units down, time across
    mem = figures.memory_figure({"RNN": np.array([0.0, 0.5, 1.0]), "LSTM": np.array([0.6, 0.8, 1.0])})
    assert len(mem.data) == 2 and list(mem.data[0].x) == [3, 2, 1]  # steps back, the oldest first
    assert mem.layout.yaxis.type == "log" and min(mem.data[0].y) > 0  # a zero would vanish from a log axis


def test_the_learning_rate_chart_survives_inf_and_nan_and_marks_the_blow_up():
    curves = {
        "sgd_high": np.array([0.5, 3.0, 4e3, 2e20, np.inf]),  # overflowed at step 5
        "sgd_low": np.array([0.5, 0.4, 0.3, 0.2, 0.1]),
        "sgd_clip": np.array([0.5, np.nan]),  # NaN at step 2, with nothing above the ceiling
    }
    fig = figures.lr_figure(curves)
    fig.to_json()  # the chart is sent as JSON: no inf may reach it
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    assert len(lines) == 3 and all(v is None or np.isfinite(v) for tr in lines for v in tr.y)
    assert lines[0].y[4] is None and lines[0].y[3] <= 10 * figures.LOSS_CEILING  # cut at the top, not dropped
    marks = [tr for tr in fig.data if tr.mode == "markers"]
    assert [tr.x[0] for tr in marks] == [5, 2]  # a cross where each blew up
    words = [a.text for a in fig.layout.annotations]
    assert len(words) == 2 and "2.0e+20" in words[0] and "5" in words[0]  # how large it grew, and when
    low, high = fig.layout.yaxis.range
    assert low < np.log10(0.1) and high <= np.log10(3 * figures.LOSS_CEILING)
