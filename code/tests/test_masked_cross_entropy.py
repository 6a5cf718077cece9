"""Tests of seqbook.numpy_rnn.masked_cross_entropy (taught in chapters/03_bptt.ipynb)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqbook.gradcheck import numerical_gradient, relative_error
from seqbook.numpy_rnn import masked_cross_entropy, softmax_cross_entropy


def _problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(3, 5, 4))
    labels = rng.integers(0, 4, size=(3, 5))
    labels[1, 3:] = -100  # padding
    return logits, labels


def test_matches_torch_cross_entropy_with_ignore_index() -> None:
    logits, labels = _problem()
    loss, grad = masked_cross_entropy(logits, labels)
    z = torch.tensor(logits, requires_grad=True)
    ref = F.cross_entropy(z.reshape(-1, 4), torch.tensor(labels).reshape(-1))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12
    assert relative_error(grad, z.grad.numpy()) < 1e-12


def test_gradient_is_softmax_minus_onehot_and_zero_at_padding() -> None:
    logits, labels = _problem(1)
    _, grad = masked_cross_entropy(logits, labels)
    assert np.all(grad[1, 3:] == 0)
    assert np.abs(grad.sum(axis=-1)).max() < 1e-15  # each row of p - onehot sums to 0
    numeric = numerical_gradient(lambda: masked_cross_entropy(logits, labels)[0], logits)
    assert relative_error(grad, numeric) < 1e-8


def test_without_padding_it_is_the_per_token_mean() -> None:
    logits, labels = _problem(2)
    labels[labels < 0] = 0
    loss, grad = masked_cross_entropy(logits, labels)
    total, dtotal = softmax_cross_entropy(logits, labels)  # sum over time, mean over batch
    assert loss == pytest.approx(total / labels.shape[1])
    np.testing.assert_allclose(grad, dtotal / labels.shape[1])


@pytest.mark.parametrize(
    "logits, labels, match",
    [
        (np.zeros((2, 3)), np.zeros(3, int), r"labels must have shape \(2,\)"),
        (np.zeros((2, 3)), np.zeros(2), r"integer classes"),
        (np.zeros((2, 3), int), np.zeros(2, int), r"float array"),
        (np.zeros((2, 3)), np.array([0, 3]), r"lie in 0\.\.2"),
        (np.zeros((2, 3)), np.full(2, -100), r"no real token"),
        (np.zeros(3), np.zeros((), int), r"float array"),
    ],
)
def test_bad_inputs(logits, labels, match) -> None:
    with pytest.raises(ValueError, match=match):
        masked_cross_entropy(logits, labels)
