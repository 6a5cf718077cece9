"""Bad arguments to seqbook.sequential raise errors that name the argument (issue 10)."""

import numpy as np
import pytest

from seqbook import sequential as s

RNG = np.random.default_rng(0)
X = RNG.normal(size=50)
COEF = s.fit_ar(X, 2)

CASES = [
    (s.lag_matrix, dict(x=X, p=1.5), TypeError, "p"),
    (s.lag_matrix, dict(x=X, p=0), ValueError, "p"),
    (s.lag_matrix, dict(x=["a", "b", "c"], p=1), TypeError, "series"),
    (s.fit_ar, dict(x=np.r_[X, np.nan], p=2), ValueError, "NaN"),
    (s.ar_mse, dict(coef=[1.0], x=X), ValueError, "coef"),
    (s.ar_mse, dict(coef=np.full(3, np.nan), x=X), ValueError, "coef"),
    (s.ar_forecast, dict(coef=COEF, history=X, steps=0), ValueError, "steps"),
    (s.ar_forecast, dict(coef=COEF, history=X, steps=2.0), TypeError, "steps"),
    (s.ar_forecast, dict(coef=COEF, history=X[:1], steps=2), ValueError, "history"),
    (s.autocorrelation, dict(x=np.ones(10), max_lag=2), ValueError, "constant"),
    (s.autocorrelation, dict(x=X, max_lag=50), ValueError, "max_lag"),
    (s.autocorrelation, dict(x=X, max_lag=2.0), TypeError, "max_lag"),
    (s.context_task, dict(n=0, T=5, rng=RNG), ValueError, "n >= 1"),
    (s.context_task, dict(n=2, T=5, rng=3), TypeError, "rng"),
    (s.lookup_accuracy, dict(keys_train=[1, 2], y_train=[1, 2], keys_test=[], y_test=[]),
     ValueError, "keys_test"),
    (s.lookup_accuracy, dict(keys_train=[1, 2], y_train=[1], keys_test=[1], y_test=[1]),
     ValueError, "keys"),
    (s.lookup_accuracy, dict(keys_train=np.zeros((2, 2)), y_train=[1, 2],
                             keys_test=np.zeros((1, 3)), y_test=[1]), ValueError, "keys_test"),
    (s.fill_missing, dict(x=X, method="zero"), ValueError, "method"),
    (s.fill_missing, dict(x=np.zeros((2, 2)), method="mean"), ValueError, "x"),
    (s.fill_missing, dict(x=[np.nan], method="mean"), ValueError, "x"),
    (s.heldout_r2, dict(x=X, p=2, split=49), ValueError, "split"),
    (s.heldout_r2, dict(x=X, p=0, split=25), ValueError, "p"),
    (s.heldout_r2, dict(x=X, p=2, split=25.0), TypeError, "split"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert s.fit_ar(X.astype(np.float32).tolist(), np.int64(2)).shape == (3,)
    assert s.ar_forecast(list(COEF), X, 3).shape == (3,)
    assert s.autocorrelation(X, 0)[0] == pytest.approx(1.0)
    assert s.fill_missing([1.0, np.nan, 3.0], "linear")[1] == 2.0
    assert s.lookup_accuracy([1, 2], [1, 2], [1], [1]) == 1.0
