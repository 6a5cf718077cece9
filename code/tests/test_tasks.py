"""Tests of seqbook.tasks: the adding problem and copy memory."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from seqbook.tasks import (
    ADDING_BASELINE_MSE,
    adding_problem,
    copy_memory,
    copy_memory_baseline,
)


@pytest.mark.parametrize("T", [2, 7, 20])
def test_adding_problem_shapes_and_markers(T):
    x, y = adding_problem(50, T, np.random.default_rng(0))
    assert x.shape == (50, T, 2) and y.shape == (50, 1)
    assert x.dtype == torch.float32 and y.dtype == torch.float32
    markers = x[..., 1].numpy()
    assert set(np.unique(markers)) <= {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)  # exactly two markers
    half = T // 2
    assert np.all(markers[:, :half].sum(axis=1) == 1)  # one in the first half
    assert np.all(markers[:, half:].sum(axis=1) == 1)  # one in the second half
    values = x[..., 0].numpy()
    assert values.min() >= 0.0 and values.max() <= 1.0


def test_adding_problem_target_is_the_marked_sum():
    x, y = adding_problem(200, 15, np.random.default_rng(1), dtype=torch.float64)
    marked_sum = (x[..., 0] * x[..., 1]).sum(dim=1, keepdim=True)
    torch.testing.assert_close(y, marked_sum)


def test_adding_baseline_is_one_sixth():
    assert ADDING_BASELINE_MSE == pytest.approx(1 / 6)
    _, y = adding_problem(100_000, 4, np.random.default_rng(2))
    mse = torch.mean((y - 1.0) ** 2).item()
    assert abs(mse - ADDING_BASELINE_MSE) < 0.003  # std of this estimate is ~6e-4


def test_adding_problem_is_reproducible_from_the_generator():
    a = adding_problem(5, 6, np.random.default_rng(3))
    b = adding_problem(5, 6, np.random.default_rng(3))
    assert all(torch.equal(p, q) for p, q in zip(a, b, strict=True))


def test_copy_memory_layout():
    T, n, length = 12, 6, 4
    x, y = copy_memory(30, T, np.random.default_rng(4), n_symbols=n, length=length)
    total = T + 2 * length
    assert x.shape == y.shape == (30, total) and x.dtype == y.dtype == torch.int64
    x, y = x.numpy(), y.numpy()
    symbols = x[:, :length]
    assert symbols.min() >= 1 and symbols.max() <= n  # data symbols 1..n
    assert np.all(x[:, length : length + T - 1] == 0)  # T - 1 blanks
    assert np.all(x[:, length + T - 1] == n + 1)  # the delimiter
    assert np.all(x[:, length + T :] == 0)  # blanks while the answer is given
    assert np.all(y[:, :-length] == 0)  # blank targets, then the symbols again
    np.testing.assert_array_equal(y[:, -length:], symbols)


def test_copy_memory_baseline_formula():
    assert copy_memory_baseline(10, 8, 5) == pytest.approx(5 * math.log(8) / 20)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: adding_problem(0, 10, np.random.default_rng(0)), "batch must be"),
        (lambda: adding_problem(4, 1, np.random.default_rng(0)), "T must be at least 2"),
        (lambda: adding_problem(4, 10, 0), "rng must be a numpy Generator"),
        (lambda: copy_memory(4, 0, np.random.default_rng(0)), "T must be at least 1"),
        (lambda: copy_memory(4, 5, np.random.default_rng(0), n_symbols=1), "n_symbols >= 2"),
        (lambda: copy_memory(4, 5, np.random.default_rng(0), length=0), "length >= 1"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_values_without_markers_barely_beat_the_constant_answer():
    # E[y | values] = mean of the first half + mean of the second half: MSE (1/6)(1 - 2/T)
    T = 20
    x, y = adding_problem(100_000, T, np.random.default_rng(5), dtype=torch.float64)
    v = x[..., 0]
    guess = v[:, : T // 2].mean(1, keepdim=True) + v[:, T // 2 :].mean(1, keepdim=True)
    mse = torch.mean((y - guess) ** 2).item()
    assert abs(mse - ADDING_BASELINE_MSE * (1 - 2 / T)) < 0.003
    assert mse < ADDING_BASELINE_MSE - 0.01  # better than always answering 1, but barely
