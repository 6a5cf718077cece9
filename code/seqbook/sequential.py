"""Measuring what makes data sequential: autoregressive fits, autocorrelation, shuffling.

These are the small, exact tools chapter 1 uses to show on real data that order matters, that
values depend on earlier positions, and how far back the useful context reaches: AR fits
and their roots, the rise and fall of a cycle, autocorrelation, a task whose answer depends on
a cue many steps back, and filling gaps. Taught in chapters/01_sequential_problems.ipynb.
"""

from __future__ import annotations

import numpy as np

from seqbook import checks as _checks


def _series(x: np.ndarray, name: str = "series") -> np.ndarray:
    _checks.array(name, x, None, kind="number", min_size=0)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of values over time; got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} has NaN or inf values: fill or drop missing values first")
    return x


def lag_matrix(x: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows [1, x_{t-1}, ..., x_{t-p}] and targets x_t for t = p..len(x)-1: (N, p+1), (N,)."""
    x = _series(x)
    _checks.integer("p", p, minimum=None, hint=" (the AR order)")
    if not 1 <= p < len(x) - 1:
        raise ValueError(f"p must be between 1 and len(x) - 2 = {len(x) - 2}; got {p}")
    X = np.stack([x[p - k : len(x) - k] for k in range(1, p + 1)], axis=1)  # (N, p)
    return np.hstack([np.ones((len(X), 1)), X]), x[p:]


def fit_ar(x: np.ndarray, p: int) -> np.ndarray:
    """Least-squares coefficients [c, a_1..a_p] of x_t = c + sum_k a_k x_{t-k}."""
    X, y = lag_matrix(x, p)
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _check_coef(coef: np.ndarray) -> None:
    _checks.array("coef", coef, 1, "[c, a_1..a_p] as returned by fit_ar", kind="number",
                  min_size=2, finite=True)


def ar_mse(coef: np.ndarray, x: np.ndarray) -> float:
    """Mean squared one-step error of AR coefficients `coef` on series `x`."""
    _check_coef(coef)
    X, y = lag_matrix(x, len(coef) - 1)
    return float(np.mean((X @ coef - y) ** 2))


def ar_forecast(coef: np.ndarray, history: np.ndarray, steps: int) -> np.ndarray:
    """Forecast `steps` values ahead by feeding the AR model its own predictions."""
    _check_coef(coef)
    _checks.integer("steps", steps, minimum=1, hint=" (values to forecast)")
    p = len(coef) - 1
    h = list(_series(history, "history")[-p:])
    if len(h) < p:
        raise ValueError(f"history needs at least p = {p} values; got {len(h)}")
    out = []
    for _ in range(steps):
        nxt = coef[0] + sum(coef[k] * h[-k] for k in range(1, p + 1))
        out.append(nxt)
        h.append(nxt)
    return np.array(out)


def autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelation r_0..r_max_lag of a series (r_0 = 1)."""
    x = _series(x)
    _checks.integer("max_lag", max_lag, minimum=None)
    if len(x) and np.ptp(x) == 0:
        raise ValueError("x is constant: its autocorrelation is undefined (0 / 0); pass a "
                         "series that varies")
    if not 0 <= max_lag < len(x):
        raise ValueError(f"max_lag must be in 0..{len(x) - 1}; got {max_lag}")
    d = x - x.mean()
    denom = float(d @ d)
    return np.array([float(d[: len(d) - k] @ d[k:]) / denom for k in range(max_lag + 1)])


def context_task(n: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose first symbol sets a rule for every later output.

    x: (n, T) ints; x[:, 0] is a mode (0 or 1), x[:, 1:] digits 0..9. y: (n, T-1) with
    y_t = x_t in mode 0 and 9 - x_t in mode 1. The current input alone cannot tell the answer.
    """
    _checks.integer("n", n, minimum=None)
    _checks.integer("T", T, minimum=None)
    _checks.generator("rng", rng)
    if n < 1 or T < 2:
        raise ValueError(f"need n >= 1 sequences of length T >= 2; got n={n}, T={T}")
    mode = rng.integers(0, 2, size=(n, 1))
    digits = rng.integers(0, 10, size=(n, T - 1))
    y = np.where(mode == 0, digits, 9 - digits)
    return np.hstack([mode, digits]), y


def lookup_accuracy(keys_train: np.ndarray, y_train: np.ndarray, keys_test: np.ndarray,
                    y_test: np.ndarray) -> float:
    """Accuracy of the best lookup table key -> most frequent label (fit on train, test on test).

    This is the best any predictor can do that sees only the key, so it measures how much the
    key (for example the current input alone, or the input plus the context) determines y.
    """
    for name, a in (("keys_train", keys_train), ("y_train", y_train), ("keys_test", keys_test),
                    ("y_test", y_test)):
        _checks.array(name, a, (1, 2), "(n,) or (n, k)", min_size=0)
    keys_train, keys_test = np.asarray(keys_train), np.asarray(keys_test)
    if keys_train.ndim == 1:
        keys_train, keys_test = keys_train[:, None], keys_test[:, None]
    y_train = np.asarray(y_train).ravel()
    if len(keys_train) != len(y_train) or len(keys_test) != len(np.asarray(y_test).ravel()):
        raise ValueError("each key needs exactly one label: keys and y must have equal lengths")
    if not len(keys_train) or not len(keys_test):
        raise ValueError("keys_train and keys_test must hold at least one key each; got "
                         f"{len(keys_train)} and {len(keys_test)}")
    if keys_train.ndim != 2 or keys_test.ndim != 2 or keys_train.shape[1] != keys_test.shape[1]:
        raise ValueError(f"keys_train and keys_test must be (n,) or (n, k) with the same k; got "
                         f"shapes {keys_train.shape} and {keys_test.shape}")
    table: dict[tuple, dict] = {}
    for k, label in zip(map(tuple, keys_train), y_train, strict=True):
        table.setdefault(k, {}).setdefault(label, 0)
        table[k][label] += 1
    best = {k: max(v, key=v.get) for k, v in table.items()}
    pred = np.array([best.get(k, -1) for k in map(tuple, keys_test)])
    return float(np.mean(pred == np.asarray(y_test).ravel()))


def fill_missing(x: np.ndarray, method: str) -> np.ndarray:
    """Fill the NaNs of a 1-D series: 'ffill' (last value seen), 'linear' (interpolate
    between neighbours) or 'mean' (the series mean). Leading NaNs take the first value seen."""
    _checks.choice("method", method, ("ffill", "linear", "mean"))
    _checks.array("x", x, 1, "(a 1-D series)", kind="number", min_size=0)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D series; got shape {x.shape}")
    known = ~np.isnan(x)
    if not known.any():
        raise ValueError("x has no observed values to fill from")
    idx = np.arange(len(x))
    if method == "linear":
        return np.interp(idx, idx[known], x[known])
    if method == "mean":
        return np.where(known, x, np.nanmean(x))
    if method == "ffill":
        last = np.maximum.accumulate(np.where(known, idx, -1))
        first = idx[known][0]
        return x[np.where(last < 0, first, last)]
    raise ValueError(f"method must be 'ffill', 'linear' or 'mean'; got {method!r}")


def heldout_r2(x: np.ndarray, p: int, split: int) -> float:
    """R^2 of AR(p) one-step predictions of the held-out values x[split:], fitted on the
    targets before `split` (1 is perfect, 0 is no better than the held-out mean).

    Every order p is scored on the same held-out targets; the first predictions may read
    inputs from before `split`, as a forecaster would.
    """
    resid, _ = heldout_errors(x, p, split)
    held = _series(x)[split:]  # the same targets heldout_errors scored
    return 1.0 - float(np.mean(resid**2)) / float(held.var())


def ar_roots(coef: np.ndarray) -> np.ndarray:
    """Roots z of z^p = a_1 z^(p-1) + ... + a_p for AR coefficients `coef` = [c, a_1..a_p].

    A complex pair r e^(+-i w) makes the AR model a damped oscillator: each cycle lasts
    2 pi / w steps and its amplitude shrinks by the factor |r| per step (|r| < 1 is stable).
    Taught in chapters/01_sequential_problems.ipynb (the AR(2) fit is an 11-year oscillator).
    """
    _check_coef(coef)
    coef = np.asarray(coef, dtype=np.float64)
    if coef.ndim != 1 or len(coef) < 2:
        raise ValueError(f"coef must be [c, a_1, ..., a_p] with p >= 1, as fit_ar returns; "
                         f"got shape {coef.shape}")
    return np.roots(np.r_[1.0, -coef[1:]])  # (p,) complex


def turning_points(x: np.ndarray, half_width: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the maxima and of the minima of a cyclic series: (peaks, troughs).

    A point counts when it is the largest (smallest) value within `half_width` steps on
    either side, so pick `half_width` near half a cycle (5 for the 11-year sunspot cycle).
    Taught in chapters/01_sequential_problems.ipynb (the cycle rises faster than it falls).
    """
    x = _series(x)
    _checks.integer("half_width", half_width, minimum=None, hint=" (steps on either side)")
    if not 1 <= half_width < len(x) // 2:
        raise ValueError(f"half_width must be in 1..{len(x) // 2 - 1}; got {half_width}")
    win = np.lib.stride_tricks.sliding_window_view(x, 2 * half_width + 1)  # (N, 2w+1)
    mid = x[half_width : len(x) - half_width]
    peaks = np.flatnonzero(mid == win.max(axis=1)) + half_width
    troughs = np.flatnonzero(mid == win.min(axis=1)) + half_width
    return peaks, troughs


def rise_and_fall(peaks: np.ndarray, troughs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Steps from each peak's previous trough to the peak (rises) and from each peak to
    its next trough (falls), for the index arrays `turning_points` returns."""
    _checks.array("peaks", peaks, 1, "(n,) of indices", kind="number", min_size=0)
    _checks.array("troughs", troughs, 1, "(n,) of indices", kind="number", min_size=0)
    peaks, troughs = np.asarray(peaks), np.asarray(troughs)
    if len(peaks) == 0 or len(troughs) == 0:
        raise ValueError("peaks and troughs must each hold at least one index")
    rises = [p - troughs[troughs < p].max() for p in peaks if (troughs < p).any()]
    falls = [troughs[troughs > p].min() - p for p in peaks if (troughs > p).any()]
    return np.array(rises), np.array(falls)


def heldout_errors(x: np.ndarray, p: int, split: int) -> tuple[np.ndarray, np.ndarray]:
    """One-step errors of AR(p) on the held-out targets x[split:] (fitted as in
    `heldout_r2`), and whether each target rose above the previous value: (errors, rising).
    Taught in chapters/01_sequential_problems.ipynb (where AR(9) beats AR(2))."""
    x = _series(x)
    _checks.integer("p", p, minimum=1, hint=" (the AR order)")
    _checks.integer("split", split, minimum=None, hint=" (an index into x)")
    if not p + 2 <= split <= len(x) - 2:
        raise ValueError(f"split must leave at least p + 2 values before it and 2 after; "
                         f"got {split}")
    X, y = lag_matrix(x, p)  # row i predicts x[p + i]
    train = np.arange(p, len(x)) < split
    coef = np.linalg.lstsq(X[train], y[train], rcond=None)[0]
    return X[~train] @ coef - y[~train], y[~train] > X[~train, 1]
