"""Sequences (primer 001, 7.2): an RNN, LSTM or GRU learns a time series from sliding windows.

The primer's task is a sine wave: 200 points over 0..10π, the first 150 for training, windows of 10 values
predicting the next, `nn.LSTM(1, 50, batch_first=True)` and a linear head, MSE, Adam 1e-3, batch 16, 150
epochs. Beside it two real series that statsmodels ships (public domain): yearly sunspot numbers (a cycle of
about 11 years) and the Mauna Loa CO2 record (trend plus season). A series is split by time, never
shuffled: the model learns the past and is tested on the later part only, and the scaling (to [-1, 1], the
range of the cell's tanh) is fitted on the training part alone. Every error is in the series' own units,
beside honest baselines fitted on the same training part (persistence, seasonal persistence, a least-squares
autoregression on the same window, and statsmodels' classical model: Holt-Winters, or an AR whose order AIC
picks). Last, the learning-rate experiment: a run that blows up and its two cures (a lower rate, clipping).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import records
from core.configs import from_dict
from core.models.sequence import CELLS, SequenceNet, init_parameters

SERIES = ("sine", "sunspots", "co2")
MODELS = tuple(CELLS)  # "rnn", "lstm", "gru"
SINE_POINTS, SINE_TRAIN = 200, 150  # the primer: 200 points over 0..10π, the first 150 for training
TEST_FRACTION = 0.2  # the real series: the last 20 % is the test period
HORIZONS = (10, 50)  # the free-running errors the command line reports
BASELINES = ("persistence", "seasonal", "ar", "hw", "autoreg")  # "hw" or "autoreg": statsmodels' model


@dataclass(frozen=True)
class SequenceConfig:
    series: str = "sine"  # sine | sunspots | co2
    noise: float = 0.0  # sine only: the standard deviation of added noise (0: the primer's clean wave)
    second: bool = False  # sine only: add a slower second wave (two frequencies to untangle)
    model: str = "lstm"  # rnn | lstm | gru; the primer's is the LSTM
    hidden: int = 50  # the primer: hidden_layer_size=50
    layers: int = 1  # the primer: one recurrent layer
    window: int = 10  # the primer: seq_length = 10 values predict the 11th
    lr: float = 1e-3  # the primer: Adam lr=0.001
    epochs: int = 150  # the primer: 150 epochs (about 2 s on one CPU core for the sine)
    batch_size: int = 16  # the primer: batch_size=16, shuffle=True (windows are shuffled, the series is not)
    seed: int = 0  # initialisation and shuffling, from one per-run generator

    def __post_init__(self) -> None:
        if self.series not in SERIES:
            raise ValueError(f"unknown series {self.series!r}; choose one of {SERIES}")
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; choose one of {MODELS}")
        if not (0 <= self.noise <= 1 and math.isfinite(self.noise)):
            raise ValueError(f"noise must be 0–1, got {self.noise}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"lr must be a positive number, got {self.lr}")
        if not (2 <= self.window <= 60 and self.epochs >= 1 and self.batch_size >= 1):
            raise ValueError("window must be 2–60, epochs and batch_size at least 1")


# -- the data ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One series split by time, scaled to [-1, 1] by the training part's middle and half its range
    (the scaling never sees the test period)."""

    name: str
    values: np.ndarray  # (N,) float64, in the series' own units
    times: np.ndarray  # (N,) the x axis: the step (sine), the year (sunspots), the decimal year (CO2)
    n_train: int  # values[:n_train] is the past the model learns; the rest is the test period
    season: int  # steps in one cycle: the seasonal baseline looks back this far
    center: float  # (max + min) / 2 of the training part
    half_range: float  # (max - min) / 2 of the training part: its values then span exactly [-1, 1]

    @property
    def n_test(self) -> int:
        return len(self.values) - self.n_train

    def scale(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.center) / self.half_range

    def unscale(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(z, dtype=np.float64) * self.half_range + self.center


def sine_values(noise: float = 0.0, second: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The primer's wave: np.sin(np.linspace(0, 10π, 200)), with a fixed noise draw (seed 0, so every
    student sees the same noisy series) and, optionally, a slower second wave."""
    t = np.linspace(0, np.pi * 10, SINE_POINTS)
    values = np.sin(t)
    if second:
        values = values + 0.5 * np.sin(0.3 * t)
    if noise > 0:
        values = values + np.random.default_rng(0).normal(0.0, noise, SINE_POINTS)
    return np.arange(SINE_POINTS, dtype=np.float64), values


def sunspot_values() -> tuple[np.ndarray, np.ndarray]:
    """Yearly mean sunspot numbers 1700–2008 (statsmodels ships these yearly, not monthly)."""
    from statsmodels.datasets import sunspots  # the dataset module only: statsmodels.api needs more

    data = sunspots.load_pandas().data
    return data["YEAR"].to_numpy(np.float64), data["SUNACTIVITY"].to_numpy(np.float64)


def co2_values() -> tuple[np.ndarray, np.ndarray]:
    """Mauna Loa CO2 (ppm), March 1958 – December 2001: the weekly record averaged per calendar month;
    the few months without any measurement are filled by a straight line between their neighbours."""
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.groupby([weekly.index.year, weekly.index.month]).mean()  # months with data
    first, last = monthly.index[0], monthly.index[-1]
    months = [(y, m) for y in range(first[0], last[0] + 1) for m in range(1, 13)]
    months = [ym for ym in months if first <= ym <= last]
    values = np.array([monthly.get(ym, np.nan) for ym in months], dtype=np.float64)
    gaps = np.isnan(values)
    values[gaps] = np.interp(np.flatnonzero(gaps), np.flatnonzero(~gaps), values[~gaps])
    times = np.array([y + (m - 1) / 12 for y, m in months], dtype=np.float64)
    return times, values


def load_series(name: str, noise: float = 0.0, second: bool = False) -> Series:
    """The series `name`, split by time (the sine as the primer: 150 of 200; the real ones 80/20)."""
    if name == "sine":
        times, values = sine_values(noise, second)
        n_train, season = SINE_TRAIN, 40  # one period is 2π / (10π/199) ≈ 40 steps
    elif name == "sunspots":
        times, values = sunspot_values()
        n_train, season = int(round(len(values) * (1 - TEST_FRACTION))), 11  # the ~11-year solar cycle
    elif name == "co2":
        times, values = co2_values()
        n_train, season = int(round(len(values) * (1 - TEST_FRACTION))), 12  # a year of months
    else:
        raise ValueError(f"unknown series {name!r}; choose one of {SERIES}")
    return split_series(name, times, values, n_train, season)


def split_series(name: str, times, values, n_train: int, season: int) -> Series:
    """A `Series` whose scaling is fitted on values[:n_train] only: the training part maps onto [-1, 1].

    Why [-1, 1] and not z-scores: a cell's output h is a tanh, inside (-1, 1). z-scores stretch the primer's
    sine to ±1.41, and the LSTM's free-running forecast then drifts further (bench/README.md, Sequences);
    [-1, 1] leaves the sine as the primer feeds it. The test period may leave the range (a trend): the
    network must then extrapolate, which the baselines show honestly."""
    values = np.asarray(values, dtype=np.float64)
    if not 2 <= n_train < len(values):
        raise ValueError(f"the training part must leave a test period: {n_train} of {len(values)}")
    train = values[:n_train]
    low, high = float(train.min()), float(train.max())
    half = (high - low) / 2 or 1.0  # a flat training part: keep the scale, avoid dividing by zero
    return Series(name, values, np.asarray(times, dtype=np.float64), n_train, season, (high + low) / 2, half)


def make_windows(x: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The primer's create_sequences: inputs x[i : i+W] (n, W) and targets x[i+W] (n,), n = len(x) - W.
    The target of window i is the value W steps after its first one: the value right after the window."""
    x = np.asarray(x)
    n = len(x) - window
    if n < 1:
        raise ValueError(f"a window of {window} needs more than {window} values, got {len(x)}")
    idx = np.arange(n)[:, None] + np.arange(window)[None, :]  # (n, W)
    return x[idx], x[window:]


def train_windows(s: Series, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows whose inputs and target all lie in the training part (scaled): targets W .. n_train-1."""
    if window >= s.n_train:
        raise ValueError(f"a window of {window} does not fit the {s.n_train} training values")
    return make_windows(s.scale(s.values[: s.n_train]), window)


def test_windows(s: Series, window: int) -> tuple[np.ndarray, np.ndarray]:
    """One window per test value (scaled): its target is the test value, its inputs the W values before
    it, which for the first few come from the end of the training part (the past may be read, never the
    future). Targets are n_train .. N-1."""
    return make_windows(s.scale(s.values[s.n_train - window :]), window)


def as_input(windows: np.ndarray) -> torch.Tensor:
    """(n, W) numbers → the float32 tensor (n, W, 1) a batch_first recurrent layer reads."""
    return torch.as_tensor(np.asarray(windows), dtype=torch.float32).unsqueeze(-1)


# -- the model and its training ----------------------------------------------------------------------------
def build_model(cfg: SequenceConfig) -> tuple[SequenceNet, torch.Generator]:
    """The network of `cfg`, initialised from the per-run generator that then also shuffles the windows."""
    g = torch.Generator().manual_seed(cfg.seed)
    return init_parameters(SequenceNet(cfg.model, cfg.hidden, cfg.layers), g), g


def train(
    model: SequenceNet, s: Series, cfg: SequenceConfig, generator: torch.Generator
) -> Iterator[records.Record]:
    """The primer's loop (MSE, Adam, shuffled batches of windows) as a generator of the lab's records.

    Each epoch record carries the test period's one-step forecast in the series' units ("forecast", a
    list) and its errors ("test_mae", "test_rmse"), so the page redraws the forecast as the model learns.
    """
    x, y = train_windows(s, cfg.window)
    x, y = as_input(x), torch.as_tensor(y, dtype=torch.float32)  # (n, W, 1), (n,)
    xt, _ = test_windows(s, cfg.window)
    xt = as_input(xt)
    actual = s.values[s.n_train :]
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    n, bs = len(x), cfg.batch_size
    batches = math.ceil(n / bs)
    step, t0 = 0, time.perf_counter()
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        perm = torch.randperm(n, generator=generator)  # shuffle=True: the windows, not the series
        total = 0.0
        for b in range(batches):
            idx = perm[b * bs : (b + 1) * bs]
            opt.zero_grad()
            loss = F.mse_loss(model(x[idx]), y[idx])
            value = loss.item()
            if not math.isfinite(value):
                yield records.diverged(epoch, value, step=step)
                return
            loss.backward()
            opt.step()
            step += 1
            total += value * len(idx)
            yield records.step(
                epoch=epoch, batch=b + 1, batches=batches, step=step, loss=value,
                elapsed=time.perf_counter() - t0,
            )  # fmt: skip
        forecast = s.unscale(predict(model, xt))
        if not np.all(np.isfinite(forecast)):
            yield records.diverged(epoch, float("nan"), step=step)
            return
        err = errors(forecast, actual)
        yield records.epoch(
            epoch, step=step, train_loss=total / n, test_mae=err["mae"], test_rmse=err["rmse"],
            forecast=forecast.tolist(), elapsed=time.perf_counter() - t0,
        )  # fmt: skip


@torch.no_grad()
def predict(model: SequenceNet, windows: torch.Tensor | np.ndarray) -> np.ndarray:
    """One-step predictions (scaled) for windows (n, W, 1) or (n, W): each fed with true values."""
    x = windows if isinstance(windows, torch.Tensor) else as_input(windows)
    if x.dim() == 2:
        x = x.unsqueeze(-1)
    was = model.training
    model.eval()
    out = model(x).double().numpy()
    model.train(was)
    return out


# -- forecasts: one-step and free-running ------------------------------------------------------------------
Stepper = Callable[[np.ndarray], np.ndarray]  # windows (B, W) scaled → the next values (B,)


def network_stepper(model: SequenceNet) -> Stepper:
    return lambda w: predict(model, w)


def rollout(stepper: Stepper, windows: np.ndarray, k: int) -> np.ndarray:
    """Free-running: from windows (B, W) of true values, k steps where each prediction is appended to the
    window and the oldest value dropped; after W steps the model reads only its own outputs. (B, k)."""
    w = np.array(windows, dtype=np.float64)
    out = np.empty((len(w), k))
    for h in range(k):
        out[:, h] = stepper(w)
        w = np.concatenate([w[:, 1:], out[:, h : h + 1]], axis=1)
    return out


def free_run(stepper: Stepper, s: Series, window: int, k: int | None = None) -> np.ndarray:
    """The forecast of the first k test values (all by default) from the training part's last window
    only, in the series' units (k,)."""
    k = s.n_test if k is None else min(k, s.n_test)
    start = s.scale(s.values[s.n_train - window : s.n_train])[None, :]  # (1, W)
    return s.unscale(rollout(stepper, start, k)[0])


def horizon_errors(stepper: Stepper, s: Series, window: int, k: int) -> np.ndarray:
    """Mean absolute error at each horizon 1..k (k,), in the series' units, over every start in the test
    period: at start j the model sees the true values before test value j and then only its own outputs."""
    k = min(k, s.n_test)
    x, _ = test_windows(s, window)  # (n_test, W): the true window before each test value
    starts = s.n_test - k + 1
    pred = s.unscale(rollout(stepper, x[:starts], k))  # (starts, k)
    actual = s.values[s.n_train :]
    truth = np.stack([actual[j : j + k] for j in range(starts)])  # (starts, k)
    return np.abs(pred - truth).mean(axis=0)


# -- baselines ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AR:
    """A least-squares autoregression: next = intercept + coef · window, fitted on the training windows."""

    coef: np.ndarray  # (W,), oldest value first
    intercept: float

    def __call__(self, windows: np.ndarray) -> np.ndarray:
        return np.asarray(windows) @ self.coef + self.intercept


def fit_ar(s: Series, window: int) -> AR:
    """The classical baseline, fitted on exactly the network's training windows (scaled)."""
    x, y = train_windows(s, window)
    design = np.hstack([x, np.ones((len(x), 1))])
    sol, *_ = np.linalg.lstsq(design, y, rcond=None)
    return AR(sol[:-1], float(sol[-1]))


def persistence_stepper(windows: np.ndarray) -> np.ndarray:
    """Tomorrow = today: the window's last value."""
    return np.asarray(windows)[:, -1]


def baselines(s: Series, window: int) -> dict[str, np.ndarray]:
    """One-step forecasts of the test period (series units, (n_test,)) of the three baselines: persistence
    (the value before), seasonal persistence (the value one season before) and the least-squares AR."""
    idx = np.arange(s.n_train, len(s.values))
    x, _ = test_windows(s, window)
    return {
        "persistence": s.values[idx - 1],
        "seasonal": s.values[idx - s.season],
        "ar": s.unscale(fit_ar(s, window)(x)),
    }


def errors(pred: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    """Mean absolute and root-mean-square error, in the units of the values."""
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(actual, dtype=np.float64)
    return {"mae": float(np.abs(diff).mean()), "rmse": float(np.sqrt((diff**2).mean()))}


def error_table(
    s: Series,
    window: int,
    forecasts: Mapping[str, np.ndarray],
    classical: Mapping[str, np.ndarray] | None = None,
) -> dict[str, dict[str, float]]:
    """Test errors of the network's (and any other) one-step forecasts beside every baseline's, the
    classical model's (`classical_baseline(s)`, computed by the caller, who may keep it) last."""
    actual = s.values[s.n_train :]
    shown = {**forecasts, **baselines(s, window), **(classical or {})}
    return {name: errors(pred, actual) for name, pred in shown.items()}


def best_baseline(table: Mapping[str, Mapping[str, float]], model: str = "network") -> tuple[str, float]:
    """The baseline with the lowest MAE and how much better the model is (fraction: 0.1 = 10 % lower MAE;
    negative when the baseline wins)."""
    name = min((n for n in table if n in BASELINES), key=lambda n: table[n]["mae"])
    return name, 1 - table[model]["mae"] / table[name]["mae"]


def classical_baseline(s: Series) -> dict[str, np.ndarray]:
    """statsmodels' classical model, fitted on the training part alone, and its one-step forecasts of the
    test period (series units, (n_test,)), named "hw" (Holt-Winters) or "autoreg" (an AR).

    - A fixed cycle (the sine's 40 steps, CO2's 12 months): Holt-Winters, additive season, and for CO2 an
      additive trend. The yearly sunspot cycle wanders between 9 and 14 years, so no fixed season fits it:
      an AR whose order (up to 15 years back) AIC picks on the training part — Yule's model of 1927.
    - No refit on the test period: the fitted model's parameters are applied to the whole series (Holt-
      Winters: its smoothing weights and initial states; the AR: its coefficients), so each test forecast
      reads the observations before it and nothing after — what the network's one-step forecast does too.
    Imported here, not at the top: statsmodels.tsa takes a second to import, the page needs it only now.
    """
    import warnings

    train = s.values[: s.n_train]
    with warnings.catch_warnings():  # convergence chatter of the optimiser: the errors below judge the fit
        warnings.simplefilter("ignore")
        if s.name == "sunspots":
            from statsmodels.tsa.ar_model import ar_select_order

            fitted = ar_select_order(train, maxlag=15, ic="aic").model.fit()
            # the AR's fitted values start after its first p observations: the last n_test are the test's
            return {"autoreg": np.asarray(fitted.apply(s.values).fittedvalues)[-s.n_test :]}
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        shape = {"trend": "add" if s.name == "co2" else None, "seasonal": "add", "seasonal_periods": s.season}
        fit = ExponentialSmoothing(train, initialization_method="estimated", **shape).fit()
        p = fit.params
        trend = shape["trend"] is not None
        again = ExponentialSmoothing(
            s.values, initialization_method="known", initial_level=p["initial_level"],
            initial_trend=p["initial_trend"] if trend else None, initial_seasonal=p["initial_seasons"], **shape,
        ).fit(
            smoothing_level=p["smoothing_level"], smoothing_trend=p["smoothing_trend"] if trend else None,
            smoothing_seasonal=p["smoothing_seasonal"], optimized=False,
        )  # fmt: skip
    return {"hw": np.asarray(again.fittedvalues)[s.n_train :]}


# -- inside the cell ---------------------------------------------------------------------------------------
def memory_map(model: torch.nn.Module, windows: torch.Tensor) -> np.ndarray:
    """|∂ prediction / ∂ input| for each window (n, W, 1) and each of its steps: (n, W), oldest step first.
    How much each prediction depends on each earlier value (distill's "memorization" view)."""
    x = windows.detach().clone().float().requires_grad_(True)
    was = getattr(model, "training", False)
    model.train()  # the recurrent layers' backward needs training mode (no dropout in these models)
    with torch.enable_grad():
        model(x).sum().backward()  # each prediction depends only on its own window: one backward suffices
    model.train(was)
    return x.grad.abs().squeeze(-1).numpy()


@torch.no_grad()
def cell_states(model: SequenceNet, windows: torch.Tensor) -> dict[str, np.ndarray]:
    """The last layer's states after reading each window (n, H): "h" for every cell; for the LSTM also
    its cell state "c" and the gates "i", "f", "g", "o" of that last step, unrolled by hand from the
    weights as in the LSTM equations (nn.LSTM's order of the four blocks is i, f, g, o)."""
    if model.cell != "lstm":
        return {"h": model.hidden_states(windows)[:, -1, :].numpy()}
    seq = windows.float()  # (n, T, in)
    for layer in range(model.layers):
        w_ih = getattr(model.rnn, f"weight_ih_l{layer}")  # (4H, in)
        w_hh = getattr(model.rnn, f"weight_hh_l{layer}")  # (4H, H)
        b = getattr(model.rnn, f"bias_ih_l{layer}") + getattr(model.rnn, f"bias_hh_l{layer}")
        h = seq.new_zeros(len(seq), model.hidden)
        c = torch.zeros_like(h)
        outs = []
        for t in range(seq.shape[1]):
            z = seq[:, t] @ w_ih.T + h @ w_hh.T + b  # (n, 4H)
            i, f, g, o = z.chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g  # forget part of the old memory, write part of the new candidate
            h = o * torch.tanh(c)  # what the cell shows of its memory
            outs.append(h)
        seq = torch.stack(outs, dim=1)  # (n, T, H): the next layer's input
    return {k: v.numpy() for k, v in dict(h=h, c=c, i=i, f=f, g=g, o=o).items()}


def memory_profile(model: torch.nn.Module, windows: torch.Tensor) -> np.ndarray:
    """The memory map averaged over the windows and scaled so its largest step is 1: (W,), oldest first."""
    m = memory_map(model, windows).mean(axis=0)
    return m / max(float(m.max()), 1e-12)


# -- the learning-rate experiment --------------------------------------------------------------------------
@dataclass(frozen=True)
class Arm:
    """One run of the experiment: an optimizer, its learning rate, and clip_grad_norm_'s max_norm."""

    optimizer: str  # "sgd" | "adam"
    lr: float
    clip: float | None = None  # None: no clipping


# Measured on the primer's LSTM and sine at seed 0 (tests/core/test_sequence.py checks symptom and cure).
# Adam at lr 1 is not cured by clipping: Adam divides each gradient by its own running size, so a clipped
# gradient still takes a step of about lr — clipping only limits plain SGD's steps (lr × gradient).
LR_ARMS = {
    "sgd_high": Arm("sgd", 1.0),  # too high: the loss grows a thousandfold, then overflows to inf
    "sgd_low": Arm("sgd", 0.1),  # cure 1: a ten times lower rate
    "sgd_clip": Arm("sgd", 1.0, clip=0.1),  # cure 2: the same rate, the gradient's norm clipped at 0.1
    "adam_high": Arm("adam", 1.0),  # too high: a jump, then stuck near the series' variance (a flat line)
    "adam_clip": Arm("adam", 1.0, clip=0.1),  # clipping does not cure Adam
    "adam_low": Arm("adam", 1e-3),  # the cure: the primer's rate
}


def lr_run(
    model: SequenceNet, x: torch.Tensor, y: torch.Tensor, arm: Arm, steps: int, generator
) -> np.ndarray:
    """The training loss of each step (up to `steps`): the primer's loop with `arm`'s optimizer, rate and
    clipping. A loss that is no longer finite is the last value: the run stops there, as the page's runs do."""
    opt_class = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[arm.optimizer]
    opt = opt_class(model.parameters(), lr=arm.lr)
    losses: list[float] = []
    while len(losses) < steps:
        for idx in torch.randperm(len(x), generator=generator).split(16):  # the primer's batch of 16
            opt.zero_grad()
            loss = F.mse_loss(model(x[idx]), y[idx])
            losses.append(loss.item())
            if not math.isfinite(losses[-1]) or len(losses) == steps:
                return np.array(losses)
            loss.backward()
            if arm.clip is not None:  # rescale the whole gradient so that its norm is at most `clip`
                torch.nn.utils.clip_grad_norm_(model.parameters(), arm.clip)
            opt.step()
    return np.array(losses)


def lr_experiment(
    steps: int = 300, seed: int = 0, arms: Mapping[str, Arm] = LR_ARMS
) -> dict[str, np.ndarray]:
    """Each arm's step losses on the primer's task (LSTM 50, windows of 10, the sine), every arm from the
    same initial weights and the same batches, so the optimizer, rate and clipping are all that differ."""
    s = load_series("sine")
    x, y = train_windows(s, 10)
    x, y = as_input(x), torch.as_tensor(y, dtype=torch.float32)
    out = {}
    for name, arm in arms.items():
        model, g = build_model(SequenceConfig(seed=seed))
        out[name] = lr_run(model, x, y, arm, steps, g)
    return out


def blew_up(losses: np.ndarray) -> int | None:
    """The step (1-based) whose loss stopped being finite, or None."""
    bad = np.flatnonzero(~np.isfinite(np.asarray(losses, dtype=np.float64)))
    return int(bad[0]) + 1 if len(bad) else None


# -- the whole run, for the command line and the bench -----------------------------------------------------
def fit(cfg: SequenceConfig) -> tuple[SequenceNet, Series, list[dict]]:
    """Train to the end; the model, the series and the epoch records."""
    s = load_series(cfg.series, cfg.noise, cfg.second)
    model, g = build_model(cfg)
    history = [r for r in train(model, s, cfg, g) if r["kind"] != "step"]
    return model.eval(), s, history


def summary(model: SequenceNet, s: Series, cfg: SequenceConfig) -> dict:
    """The command line's JSON: one-step test errors of the model and the baselines, free-running MAE."""
    x, _ = test_windows(s, cfg.window)
    table = error_table(s, cfg.window, {"network": s.unscale(predict(model, x))}, classical_baseline(s))
    actual = s.values[s.n_train :]
    free = free_run(network_stepper(model), s, cfg.window)
    return {
        "series": s.name,
        "model": cfg.model,
        "mae": table["network"]["mae"],
        "rmse": table["network"]["rmse"],
        "baselines": {k: v for k, v in table.items() if k != "network"},
        "free_running_mae": {
            str(k): float(np.abs(free[:k] - actual[:k]).mean()) for k in HORIZONS if k <= s.n_test
        },
        "free_running_max_error": float(np.abs(free - actual).max()),
    }


def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the run zip's train.py (core/export_scripts/sequence.tmpl): the settings and the
    series itself (a few hundred numbers), so the script needs neither statsmodels nor the network."""
    cfg = from_dict(SequenceConfig, config)
    s = load_series(cfg.series, cfg.noise, cfg.second)
    return {
        "SERIES": cfg.series,
        "VALUES": [round(float(v), 6) for v in s.values],
        "TRAIN_SIZE": s.n_train,
        "CELL": cfg.model,
        "HIDDEN": cfg.hidden,
        "LAYERS": cfg.layers,
        "WINDOW": cfg.window,
        "LR": cfg.lr,
        "EPOCHS": cfg.epochs,
        "BATCH_SIZE": cfg.batch_size,
        "SEED": cfg.seed,
    }
