"""Forecasting a series: windows, training-only normalisation, walk-forward origins, baselines.

The conventions, used everywhere in chapters/11_forecasting.ipynb where this is taught: a
forecast is made at an *origin* `o`, the index of the first value it predicts. It may read only
`x[:o]`; its input window is `x[o - window : o]` and its targets are `x[o : o + horizon]`,
so the step-`h` target (h = 1..horizon) is `x[o + h - 1]`. All arrays of forecasts are
(origins, horizon).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqbook import checks as _checks
from seqbook.sequential import _series


def _positive(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive whole number of steps; got {value!r}")
    return int(value)


def _origins(origins: np.ndarray, n: int, first: int, horizon: int) -> np.ndarray:
    o = np.asarray(origins)
    if o.ndim != 1 or not np.issubdtype(o.dtype, np.integer):
        raise ValueError(f"origins must be a 1-D array of integer indices; got {o.dtype} {o.shape}")
    if len(o) and (o.min() < first or o.max() + horizon > n):
        raise ValueError(f"origins must lie in {first}..{n - horizon} (enough history before, "
                         f"`horizon` values after); got {o.min()}..{o.max()}")
    return o


def window_origins(n: int, window: int, horizon: int, start: int = 0, stop: int | None = None
                   ) -> np.ndarray:
    """Every origin `o` with a full input window and all `horizon` targets in x[start:stop].

    That is o = start + window, ..., stop - horizon (stop defaults to n).
    """
    window, horizon = _positive(window, "window"), _positive(horizon, "horizon")
    _checks.integer("n", n, minimum=0, hint=" (the series length)")
    _checks.integer("start", start, minimum=None)
    if stop is not None:
        _checks.integer("stop", stop, minimum=None, hint=" (or None for n)")
    stop = n if stop is None else stop
    if not 0 <= start <= stop <= n:
        raise ValueError(f"need 0 <= start <= stop <= n = {n}; got start={start}, stop={stop}")
    return np.arange(start + window, stop - horizon + 1)


def make_windows(x: np.ndarray, origins: np.ndarray, window: int, horizon: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Inputs x[o - window : o] (N, window); targets x[o : o + horizon]
    (N, horizon)."""
    x = _series(x)
    window, horizon = _positive(window, "window"), _positive(horizon, "horizon")
    o = _origins(origins, len(x), window, horizon)
    inputs = x[o[:, None] + np.arange(-window, 0)]  # (N, window)
    targets = x[o[:, None] + np.arange(horizon)]  # (N, horizon)
    return inputs, targets


@dataclass(frozen=True)
class Scaler:
    """z = (x - mean) / std, with mean and std fitted on the training period only."""

    mean: float
    std: float

    def __post_init__(self) -> None:
        _checks.number("mean", self.mean)
        _checks.number("std", self.std, low=0.0, low_open=True, hint=" (a positive spread)")

    def transform(self, x: np.ndarray) -> np.ndarray:
        _checks.array("x", x, None, "(a series or windows)", kind="number", min_size=0)
        return (np.asarray(x, dtype=np.float64) - self.mean) / self.std

    def inverse(self, z: np.ndarray) -> np.ndarray:
        _checks.array("z", z, None, "(normalised values)", kind="number", min_size=0)
        return np.asarray(z, dtype=np.float64) * self.std + self.mean


def fit_scaler(train: np.ndarray) -> Scaler:
    """A `Scaler` fitted on `train`: pass the training period, never the whole series."""
    train = _series(train, "train")
    if len(train) < 2 or train.std() == 0:
        raise ValueError("train must hold at least 2 values that are not all equal")
    return Scaler(float(train.mean()), float(train.std()))


def naive(x: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The last value seen, x[o - 1], for every step ahead: (N, horizon)."""
    x, horizon = _series(x), _positive(horizon, "horizon")
    o = _origins(origins, len(x), 1, 0)
    return np.repeat(x[o - 1][:, None], horizon, axis=1)


def seasonal_naive(x: np.ndarray, origins: np.ndarray, horizon: int,
                   period: int) -> np.ndarray:
    """The value one season earlier: step h predicts x[o + h - 1 - period * k],
    the latest value of the same phase already known (k = ceil(h / period))."""
    x, horizon = _series(x), _positive(horizon, "horizon")
    period = _positive(period, "period")
    o = _origins(origins, len(x), period, 0)
    h = np.arange(1, horizon + 1)
    back = period * np.ceil(h / period).astype(int)  # (horizon,)
    return x[o[:, None] + h - 1 - back]


def moving_average(x: np.ndarray, origins: np.ndarray, horizon: int, k: int) -> np.ndarray:
    """The mean of the last k values, x[o - k : o], for every step ahead: (N, horizon)."""
    x, horizon, k = _series(x), _positive(horizon, "horizon"), _positive(k, "k")
    o = _origins(origins, len(x), k, 0)
    means = x[o[:, None] + np.arange(-k, 0)].mean(axis=1)
    return np.repeat(means[:, None], horizon, axis=1)


def ar_recursive(coef: np.ndarray, x: np.ndarray, origins: np.ndarray, horizon: int
                 ) -> np.ndarray:
    """AR forecasts from `seqbook.sequential.fit_ar` coefficients [c, a_1..a_p], fed their
    own predictions beyond the first step, for all origins at once: (N, horizon)."""
    x, horizon = _series(x), _positive(horizon, "horizon")
    _checks.array("coef", coef, 1, "[c, a_1..a_p] as fit_ar returns", kind="number",
                  finite=True)
    coef = np.asarray(coef, dtype=np.float64)
    if coef.ndim != 1 or len(coef) < 2:
        raise ValueError(f"coef must be [c, a_1, ..., a_p] with p >= 1; got shape {coef.shape}")
    p = len(coef) - 1
    o = _origins(origins, len(x), p, 0)
    hist = x[o[:, None] + np.arange(-p, 0)]  # (N, p), oldest first
    out = np.empty((len(o), horizon))
    for h in range(horizon):
        out[:, h] = coef[0] + hist[:, ::-1] @ coef[1:]  # a_1 multiplies the latest value
        hist = np.concatenate([hist[:, 1:], out[:, h : h + 1]], axis=1)
    return out


def mae_by_horizon(pred: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Mean absolute error at each step ahead, averaged over origins: (horizon,)."""
    _checks.array("pred", pred, 2, "(origins, horizon)", kind="number", finite=True)
    _checks.array("truth", truth, 2, "(origins, horizon)", kind="number", finite=True)
    pred, truth = np.asarray(pred, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    if pred.shape != truth.shape or pred.ndim != 2:
        raise ValueError(f"pred and truth must both be (origins, horizon); got {pred.shape} "
                         f"and {truth.shape}")
    return np.abs(pred - truth).mean(axis=0)


def coverage(lower: np.ndarray, upper: np.ndarray, truth: np.ndarray) -> float:
    """Fraction of true values inside [lower, upper]: an 80 % interval should give about 0.8."""
    for name, a in (("lower", lower), ("upper", upper), ("truth", truth)):
        _checks.array(name, a, None, "(origins, horizon)", kind="number", finite=True)
    lower, upper, truth = (np.asarray(a, dtype=np.float64) for a in (lower, upper, truth))
    if not lower.shape == upper.shape == truth.shape:
        raise ValueError(f"lower, upper and truth must have one shape; got {lower.shape}, "
                         f"{upper.shape}, {truth.shape}")
    if (lower > upper).any():
        raise ValueError("lower must not exceed upper: are the quantiles in increasing order?")
    return float(((truth >= lower) & (truth <= upper)).mean())
