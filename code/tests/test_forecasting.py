"""Tests of seqbook.forecasting and seqbook.forecast_models: windows without off-by-one errors,
baselines by hand, the pinball loss's minimiser, and bad input (table-driven)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook import forecast_models as fm
from seqbook import forecasting as fc
from seqbook.sequential import ar_forecast, fit_ar

X = np.arange(20, dtype=float)  # value t at index t: a wrong index shows as a wrong value


@pytest.mark.parametrize("n,window,horizon,start,stop,first,last", [
    (20, 3, 2, 0, None, 3, 18), (20, 1, 1, 0, None, 1, 19), (20, 5, 1, 4, 12, 9, 11),
    (10, 4, 6, 0, None, 4, 4)])
def test_window_origins_ends(n, window, horizon, start, stop, first, last):
    o = fc.window_origins(n, window, horizon, start, stop)
    assert o[0] == first and o[-1] == last and len(o) == last - first + 1


def test_windows_are_offset_by_exactly_the_horizon():
    o = fc.window_origins(20, 4, 3)
    inputs, targets = fc.make_windows(X, o, 4, 3)
    assert inputs.shape == (len(o), 4) and targets.shape == (len(o), 3)
    np.testing.assert_array_equal(inputs[:, -1] + 1, targets[:, 0])  # no gap, no overlap
    np.testing.assert_array_equal(targets[:, 0], o)  # the origin is the first target
    assert targets.max() == 19 and inputs.min() == 0  # every value used, none beyond the end
    # a window that ends at the split never sees a value after it
    o = fc.window_origins(20, 4, 3, stop=10)
    assert fc.make_windows(X, o, 4, 3)[1].max() == 9


def test_baselines_by_hand():
    o = np.array([10, 15])
    np.testing.assert_array_equal(fc.naive(X, o, 3), [[9, 9, 9], [14, 14, 14]])
    np.testing.assert_array_equal(fc.moving_average(X, o, 2, 3), [[8, 8], [13, 13]])
    np.testing.assert_array_equal(fc.seasonal_naive(X, o, 5, 4),
                                  [[6, 7, 8, 9, 6], [11, 12, 13, 14, 11]])


def test_ar_recursive_matches_ar_forecast():
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=200)) * 0.1 + np.sin(np.arange(200) / 5)
    coef = fit_ar(x[:150], 3)
    o = np.array([150, 170, 190])
    got = fc.ar_recursive(coef, x, o, 5)
    for row, origin in zip(got, o, strict=True):
        np.testing.assert_allclose(row, ar_forecast(coef, x[:origin], 5), atol=1e-10)


def test_scaler_uses_training_values_only():
    s = fc.fit_scaler(X[:10])
    assert s.mean == 4.5 and np.isclose(s.std, X[:10].std())
    np.testing.assert_allclose(s.inverse(s.transform(X)), X)


def test_metrics():
    truth = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(fc.mae_by_horizon(truth + [[1, -2], [-1, 0]], truth), [1, 1])
    assert fc.coverage(truth - 1, truth + 1, truth) == 1.0
    assert fc.coverage(truth + 0.5, truth + 1, truth) == 0.0


@pytest.mark.parametrize("call,match", [
    (lambda: fc.window_origins(10, 0, 1), "window"),
    (lambda: fc.window_origins(10, 2, 1.5), "horizon"),
    (lambda: fc.window_origins(10, 2, 1, start=5, stop=3), "start"),
    (lambda: fc.make_windows(X, np.array([2]), 3, 1), "origins"),
    (lambda: fc.make_windows(X, np.array([19]), 3, 2), "origins"),
    (lambda: fc.make_windows(X, np.array([5.0]), 3, 1), "integer"),
    (lambda: fc.make_windows(X.reshape(4, 5), np.array([3]), 2, 1), "1-D"),
    (lambda: fc.naive(np.array([1.0, np.nan, 2.0]), np.array([2]), 1), "NaN"),
    (lambda: fc.seasonal_naive(X, np.array([3]), 2, 4), "origins"),
    (lambda: fc.moving_average(X, np.array([5]), 2, 0), "k"),
    (lambda: fc.ar_recursive(np.array([1.0]), X, np.array([5]), 2), "coef"),
    (lambda: fc.fit_scaler(np.ones(5)), "not all equal"),
    (lambda: fc.mae_by_horizon(np.ones((2, 3)), np.ones((3, 2))), "pred and truth"),
    (lambda: fc.coverage(np.ones(3), np.zeros(3), np.ones(3)), "lower"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_pinball_minimiser_is_the_quantile():
    torch.manual_seed(0)
    y = torch.randn(2000, 1)
    c = torch.linspace(-2, 2, 401)
    losses = [fm.pinball_loss(torch.full((2000, 1, 1), float(v)), y, [0.9]).item() for v in c]
    best = c[int(np.argmin(losses))].item()
    assert abs(best - torch.quantile(y, 0.9).item()) < 0.02
    e = torch.randn(5, 3)
    assert torch.isclose(fm.pinball_loss(torch.zeros(5, 3, 1), e, [0.5]), e.abs().mean() / 2)


@pytest.mark.parametrize("pred,q,match", [
    (torch.zeros(5, 3, 2), [0.5], "pred must be"), (torch.zeros(5, 3, 1), [1.0], "quantiles")])
def test_pinball_bad_input(pred, q, match):
    with pytest.raises(ValueError, match=match):
        fm.pinball_loss(pred, torch.zeros(5, 3), q)


@pytest.mark.parametrize("kind", ["gru", "lstm", "rnn", "tcn"])
def test_direct_shapes_and_training_lowers_loss(kind):
    torch.manual_seed(0)
    x = np.sin(np.arange(300) / 4)
    inp, tgt = fc.make_windows(x, fc.window_origins(300, 12, 3), 12, 3)
    m = fm.Direct(kind, 8, 3, n_quantiles=2)
    assert m(torch.zeros(4, 12)).shape == (4, 3, 2)
    losses = fm.train_forecaster(m, inp, tgt, steps=40, quantiles=(0.2, 0.8))
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])


def test_recursive_and_seq2seq():
    torch.manual_seed(0)
    one = fm.Direct("gru", 6, 1)
    x = torch.randn(4, 10)
    out = fm.recursive(one, x, 5)
    assert out.shape == (4, 5)
    # step 2 of the recursion is the one-step model applied to the slid window
    x2 = torch.cat([x[:, 1:], out[:, :1]], dim=1)
    assert torch.allclose(out[:, 1], one(x2)[:, 0, 0], atol=1e-6)
    with pytest.raises(ValueError, match="one-step"):
        fm.recursive(fm.Direct("gru", 6, 3), x, 5)
    s2s = fm.Seq2SeqForecaster(6, 5)
    assert s2s(x).shape == (4, 5) and s2s(x, torch.zeros(4, 5)).shape == (4, 5)
    with pytest.raises(ValueError, match="inputs must be"):
        fm.train_forecaster(s2s, np.zeros((3, 10)), np.zeros((4, 5)), steps=1)


@pytest.mark.parametrize("method", fm.METHODS)
def test_fit_and_forecast_shapes(method):
    x = np.sin(np.arange(120) / 4)
    inp, tgt = fc.make_windows(x, fc.window_origins(120, 10, 3), 10, 3)
    pred, n = fm.fit_and_forecast(method, (inp, tgt), inp[:5], hidden=8, steps=2)
    assert pred.shape == (5, 3) and n > 0
    with pytest.raises(ValueError, match="method"):
        fm.fit_and_forecast("arima", (inp, tgt), inp[:5])
