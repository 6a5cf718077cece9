"""Unit tests of the chapter-1 helpers: sequential, domains, connections, exercises.ch01."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.connections import EncoderDecoder, OneToMany, unroll_decoder
from seqbook.domains import (
    build_vocab,
    corridor_episode,
    discounted_return,
    dna_with_motif,
    encode_dna,
    moving_square_clip,
    one_hot,
    tokenize,
)
from seqbook.exercises.ch01 import TASKS, check_connection_types, check_masked_mean
from seqbook.sequences import masked_mean
from seqbook.sequential import (
    ar_forecast,
    ar_mse,
    autocorrelation,
    context_task,
    fill_missing,
    fit_ar,
    heldout_r2,
    lag_matrix,
    lookup_accuracy,
)


def ar2_series(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(2, n):
        x[t] = 1.0 + 0.6 * x[t - 1] - 0.3 * x[t - 2] + 0.1 * rng.normal()
    return x


def test_fit_ar_recovers_known_coefficients():
    coef = fit_ar(ar2_series(4000), 2)
    np.testing.assert_allclose(coef, [1.0, 0.6, -0.3], atol=0.05)


def test_lag_matrix_layout():
    X, y = lag_matrix(np.arange(6.0), 2)
    np.testing.assert_array_equal(X[0], [1, 1, 0])  # [1, x_{t-1}, x_{t-2}] for t = 2
    np.testing.assert_array_equal(y, [2, 3, 4, 5])


def test_heldout_r2_is_high_in_order_and_zero_when_shuffled():
    x = ar2_series(2000)
    assert heldout_r2(x, 2, 1500) > 0.2
    shuffled = np.random.default_rng(1).permutation(x)
    assert abs(heldout_r2(shuffled, 2, 1500)) < 0.05


def test_ar_forecast_continues_a_noise_free_recursion():
    x = [1.0, 2.0]
    for _ in range(10):
        x.append(0.5 + 0.9 * x[-1] - 0.2 * x[-2])
    coef = np.array([0.5, 0.9, -0.2])
    np.testing.assert_allclose(ar_forecast(coef, np.array(x[:5]), 7), x[5:12])
    assert ar_mse(coef, np.array(x)) < 1e-20


def test_autocorrelation_of_a_period_4_signal():
    x = np.tile([1.0, 0.0, -1.0, 0.0], 50)
    r = autocorrelation(x, 4)
    assert r[0] == 1.0 and r[4] > 0.95 and r[2] < -0.95


def test_context_task_rule_and_lookup_accuracy():
    x, y = context_task(3000, 6, np.random.default_rng(0))
    assert np.all(np.where(x[:, :1] == 0, x[:, 1:], 9 - x[:, 1:]) == y)
    d = x[:, 1:]
    assert lookup_accuracy(d[:2000].ravel(), y[:2000].ravel(), d[2000:].ravel(),
                           y[2000:].ravel()) < 0.6
    keys = np.stack([np.repeat(x[:, :1], 5, 1), d], -1).reshape(-1, 2)
    assert lookup_accuracy(keys[:10000], y[:2000].ravel(), keys[10000:], y[2000:].ravel()) == 1


def test_fill_missing_methods():
    x = np.array([np.nan, 1.0, np.nan, 3.0, np.nan])
    np.testing.assert_allclose(fill_missing(x, "linear"), [1, 1, 2, 3, 3])
    np.testing.assert_allclose(fill_missing(x, "ffill"), [1, 1, 1, 3, 3])
    np.testing.assert_allclose(fill_missing(x, "mean"), [2, 1, 2, 3, 2])


@pytest.mark.parametrize("call, match", [
    (lambda: fit_ar(np.ones((3, 3)), 1), "1-D"),
    (lambda: fit_ar(np.array([1.0, np.nan, 2, 3, 4]), 1), "NaN"),
    (lambda: lag_matrix(np.arange(5.0), 4), "p must be"),
    (lambda: autocorrelation(np.arange(5.0), 5), "max_lag"),
    (lambda: fill_missing(np.array([np.nan]), "linear"), "no observed"),
    (lambda: fill_missing(np.ones(3), "spline"), "method"),
    (lambda: heldout_r2(np.arange(20.0), 2, 19), "split"),
    (lambda: context_task(0, 5, np.random.default_rng(0)), "n >= 1"),
])
def test_sequential_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_domain_examples_shapes_and_labels():
    rng = np.random.default_rng(0)
    words = tokenize("I am going to the park.")
    assert words[-1] == "." and build_vocab([words])["<pad>"] == 0
    assert one_hot(np.array([0, 2]), 3).tolist() == [[1, 0, 0], [0, 0, 1]]
    clip, direction = moving_square_clip(5, 8, rng)
    cols = [set(np.flatnonzero(f.any(axis=0))) for f in clip]
    assert clip.shape == (5, 8, 8)
    assert all(cols[t + 1] == {(c + direction) % 8 for c in cols[t]} for t in range(4))
    starts = {frozenset(np.flatnonzero(moving_square_clip(5, 8, rng)[0][0].any(axis=0)))
              for _ in range(50)}
    assert len(starts) > 4  # the first frame does not give the direction away
    dna, pos = dna_with_motif(30, "TATAAA", rng)
    assert dna[pos:pos + 6] == "TATAAA" and encode_dna(dna).sum(axis=1).tolist() == [1] * 30
    obs, acts, rews = corridor_episode(50, rng)
    assert obs.shape == (50, 7) and set(acts.tolist()) <= {-1, 1} and rews.shape == (50,)
    G = discounted_return(np.array([0.0, 0.0, 1.0]), 0.5)
    np.testing.assert_allclose(G, [0.25, 0.5, 1.0])


@pytest.mark.parametrize("call, match", [
    (lambda: one_hot(np.array([3]), 3), "ids must lie"),
    (lambda: moving_square_clip(5, 4, np.random.default_rng(0)), "size"),
    (lambda: dna_with_motif(10, "XYZ", np.random.default_rng(0)), "motif"),
    (lambda: encode_dna("ACGU"), "only the letters"),
    (lambda: discounted_return(np.ones(3), 1.5), "gamma"),
])
def test_domains_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_generating_models_shapes_and_feedback():
    torch.manual_seed(0)
    m = OneToMany(3, 8, 2)
    assert m(torch.randn(4, 3), steps=5).shape == (4, 5, 2)
    e = EncoderDecoder(3, 8, 2)
    assert e(torch.randn(4, 7, 3), steps=2).shape == (4, 2, 2)
    # the encoder state matters: different inputs give different decodings
    a, b = e(torch.randn(1, 7, 3), 2), e(torch.randn(1, 7, 3), 2)
    assert not torch.allclose(a, b)


def test_unroll_decoder_feeds_outputs_back():
    cell, head = torch.nn.RNNCell(2, 4), torch.nn.Linear(4, 2)
    h = torch.randn(1, 4)
    out = unroll_decoder(cell, head, h, 3)
    y1 = head(cell(torch.zeros(1, 2), h))
    y2 = head(cell(y1, cell(torch.zeros(1, 2), h)))
    torch.testing.assert_close(out[:, 0], y1)
    torch.testing.assert_close(out[:, 1], y2)


def test_generating_models_bad_input():
    with pytest.raises(ValueError, match="positive"):
        OneToMany(3, 8, 2)(torch.randn(4, 3), steps=0)
    with pytest.raises(ValueError, match="one vector per example"):
        OneToMany(3, 8, 2)(torch.randn(4, 2, 3), steps=2)
    with pytest.raises(ValueError, match="batch, time, features"):
        EncoderDecoder(3, 8, 2)(torch.randn(4, 3), steps=2)


def test_exercise_checks_accept_right_and_reject_wrong(capsys):
    assert check_connection_types(dict(TASKS))
    wrong = dict(TASKS, **{"speech to text": "many-to-many (aligned)"})
    assert not check_connection_types(wrong)
    assert not check_connection_types({})
    assert check_masked_mean(masked_mean)
    assert not check_masked_mean(lambda p, m: p.mean(axis=1))
    assert not check_masked_mean(lambda p, m: p.mean())
    assert "padded steps" in capsys.readouterr().out
