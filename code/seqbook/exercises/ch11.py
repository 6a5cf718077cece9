"""Feedback for the exercises of chapters/11_forecasting.ipynb.

Each `check_...` runs the learner's function on a few cases, prints what went right or wrong
in plain words, and returns True only if everything passed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqbook import forecasting as fc
from seqbook.exercises import call_learner, learner_array, learner_number


def check_windows(fn: Callable[[np.ndarray, int, int], tuple]) -> bool:
    """Check `fn(x, window, horizon) -> (inputs, targets)` over every possible origin."""
    for n, window, horizon in [(10, 3, 2), (12, 1, 1), (9, 4, 5), (20, 7, 3)]:
        x = np.arange(n, dtype=float)  # the value at t is t, so mistakes show as indices
        got, err = call_learner(fn, x, window, horizon)
        if err:
            print(err)
            return False
        want = fc.make_windows(x, fc.window_origins(n, window, horizon), window, horizon)
        try:
            gi, gt = (np.asarray(a, dtype=float) for a in got)
        except (TypeError, ValueError):
            print("return a pair (inputs, targets) of arrays")
            return False
        if gi.shape != want[0].shape or gt.shape != want[1].shape:
            print(f"n={n}, window={window}, horizon={horizon}: inputs must be {want[0].shape} "
                  f"and targets {want[1].shape}; got {gi.shape} and {gt.shape}. The first origin "
                  f"is o = window and the last is o = n - horizon.")
            return False
        if np.array_equal(gi, want[0]) and np.array_equal(gt, want[1]):
            continue
        shift = gt[0, 0] - want[1][0, 0]
        if np.array_equal(gi, want[0]) and shift != 0:
            hint = (f"the targets are shifted by {shift:+.0f}: the step-1 target is x[o], the "
                    f"value right after the window's last value x[o - 1]")
        elif gi[0, -1] == want[1][0, 0]:
            hint = "the inputs include x[o], the first target: that leaks the answer"
        else:
            hint = "inputs are x[o - window : o], targets x[o : o + horizon]"
        print(f"n={n}, window={window}, horizon={horizon}: {hint}.")
        return False
    print("Correct: inputs and targets line up for every origin, with no step lost or leaked.")
    return True


def check_seasonal_naive(fn: Callable[[np.ndarray, np.ndarray, int, int], np.ndarray]) -> bool:
    """Check `fn(x, origins, horizon, period) -> (N, horizon)` against the seasonal naive rule."""
    x = np.arange(40, dtype=float)
    for origins, horizon, period in [(np.array([12, 20]), 3, 12), (np.array([5, 9]), 7, 4),
                                     (np.array([30]), 10, 3)]:
        got, err = call_learner(fn, x, origins, horizon, period)
        if err:
            print(err)
            return False
        want = fc.seasonal_naive(x, origins, horizon, period)
        got, err = learner_array(got, None, "the forecasts as an array")
        if err:
            print(err)
            return False
        if got.shape != want.shape:
            print(f"return one row per origin and one column per step: {want.shape}; got "
                  f"{got.shape}")
            return False
        if not np.array_equal(got, want):
            hint = ("for steps beyond one season (h > period) go back two seasons or more: "
                    "x[o + h - 1 - period] is not known yet at origin o"
                    if horizon > period else "step h predicts x[o + h - 1 - period]")
            print(f"origins={origins.tolist()}, horizon={horizon}, period={period}: got "
                  f"{got[0].tolist()} for the first origin, expected {want[0].tolist()}: {hint}.")
            return False
    print("Correct, including horizons longer than one season.")
    return True


def pinball(pred: np.ndarray, y: np.ndarray, q: float) -> float:
    """Mean pinball loss of the q-quantile forecasts `pred` for targets `y` (a reference)."""
    e = np.asarray(y, dtype=float) - np.asarray(pred, dtype=float)
    return float(np.mean(np.maximum(q * e, (q - 1) * e)))


def check_pinball(fn: Callable[[np.ndarray, np.ndarray, float], float]) -> bool:
    """Check `fn(pred, y, q) -> mean pinball loss` on a few cases."""
    rng = np.random.default_rng(0)
    for q in (0.5, 0.1, 0.9):
        pred, y = rng.normal(size=20), rng.normal(size=20)
        got, err = call_learner(fn, pred, y, q)
        if err is None:
            got, err = learner_number(got, "the mean pinball loss as one number")
        if err:
            print(err)
            return False
        want = pinball(pred, y, q)
        if got is not None and np.isclose(got, want):
            continue
        if got is not None and np.isclose(got, pinball(pred, y, 1 - q)):
            hint = "the weights are swapped: an under-forecast (y > pred) costs q per unit"
        elif got is not None and np.isclose(got, np.mean(np.abs(y - pred))):
            hint = "that is the absolute error; weight it by q or 1 - q by the error's sign"
        else:
            hint = "use mean(max(q e, (q - 1) e)) with e = y - pred"
        print(f"q={q}: you gave {got}, expected {want:.4f}: {hint}.")
        return False
    print("Correct for q = 0.5, 0.1 and 0.9.")
    return True
