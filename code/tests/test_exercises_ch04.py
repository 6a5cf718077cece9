"""Tests of seqbook.exercises.ch04: the checks accept right answers and reject typical mistakes.

Each wrong answer must be rejected with its own specific hint, not just a generic "not yet";
input that is not an answer at all (not a function, not a model) raises a TypeError.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.exercises.ch04 import (
    check_clip_by_norm,
    check_distance_norms,
    check_irnn,
    check_trained_diagnosis,
    diagnosis_batch,
)
from seqbook.gradients import gradient_ratio, init_recurrent_
from seqbook.models import SequenceModel


def _norms(W, hs, *, swap=False, prev=False, left=False, ord=2, full=True):
    """Exercise 1 written right (defaults) or with one of the usual mistakes."""
    P, out = np.eye(len(W)), [np.linalg.norm(np.eye(len(W)), ord=ord)]
    for t in range(len(hs) - 1, 0, -1):
        s = 1 - hs[t - 1 if prev else t] ** 2
        J = W * s[None, :] if swap else s[:, None] * W
        P = J @ P if left else P @ J
        out.append(np.linalg.norm(P, ord=ord))
    return np.array(out if full else out[1:])


@pytest.mark.parametrize("mistake, hint", [
    (dict(swap=True), "pre-activations"),
    (dict(prev=True), "new state"),
    (dict(left=True), "from the right"),
    (dict(ord="fro"), "spectral norm"),
    (dict(full=False), "shape"),
])
def test_check_distance_norms(capsys, mistake, hint):
    assert check_distance_norms(_norms) is True
    assert "Correct" in capsys.readouterr().out
    assert check_distance_norms(lambda W, hs: _norms(W, hs, **mistake)) is False
    assert hint in capsys.readouterr().out


def test_check_distance_norms_names_stubs_and_other_errors(capsys):
    def stub(W, hs):
        raise NotImplementedError("your code here")

    wrong = {
        "raised NotImplementedError: your code here": stub,
        "forget `return`": lambda W, hs: None,
        "should be": lambda W, hs: _norms(W, hs) * 1.01,
        "include the tanh slopes": lambda W, hs: _norms(W, np.zeros_like(hs)),
        "one NumPy array of numbers": lambda W, hs: ["a"] * len(hs),
    }
    for hint, fn in wrong.items():
        assert check_distance_norms(fn) is False
        assert hint in capsys.readouterr().out, hint


@pytest.mark.parametrize("check", [check_distance_norms, check_clip_by_norm])
@pytest.mark.parametrize("not_a_function", [None, 3, np.zeros(3)])
def test_function_checks_reject_a_non_function(check, not_a_function):
    with pytest.raises(TypeError, match="fn must be your function"):
        check(not_a_function)


def _irnn(**kw):
    model = SequenceModel("rnn", 2, 5, 1, nonlinearity="relu", **kw)
    torch.nn.init.eye_(model.rnn.weight_hh_l0)
    torch.nn.init.zeros_(model.rnn.bias_hh_l0)
    torch.nn.init.zeros_(model.rnn.bias_ih_l0)
    return model


def test_check_irnn_accepts_torch_nn_init_and_the_books_helper(capsys):
    assert check_irnn(_irnn()) is True
    model = SequenceModel("rnn", 2, 5, 1, nonlinearity="relu")
    init_recurrent_(model.rnn, "identity")
    assert check_irnn(model) is True
    assert "Correct" in capsys.readouterr().out


def test_check_irnn_names_each_mistake(capsys):
    def with_(change):
        model = _irnn()
        with torch.no_grad():
            change(model)
        return model

    wrong = {
        "nn.RNN": SequenceModel("lstm", 2, 5, 1),
        "nonlinearity='relu'": SequenceModel("rnn", 2, 5, 1),
        "2 inputs": SequenceModel("rnn", 3, 5, 1, nonlinearity="relu"),
        "eye_": SequenceModel("rnn", 2, 5, 1, nonlinearity="relu"),  # default W_hh
        "zeros_(model.rnn.bias_hh_l0)": with_(lambda m: m.rnn.bias_hh_l0.fill_(0.1)),
        "both biases enter": with_(lambda m: m.rnn.bias_ih_l0.fill_(-0.1)),
        "identity matrix": with_(lambda m: m.rnn.weight_hh_l0.mul_(0.9)),
    }
    for hint, model in wrong.items():
        assert check_irnn(model) is False, hint
        assert hint in capsys.readouterr().out, hint


@pytest.mark.parametrize("not_a_model", [None, "rnn", np.eye(5)])
def test_check_irnn_rejects_a_non_model(not_a_model):
    with pytest.raises(TypeError, match="model must be"):
        check_irnn(not_a_model)


def test_check_clip_by_norm(capsys):
    def right(grads, c):
        n = np.sqrt(sum((g**2).sum() for g in grads))
        return [g * min(1.0, c / (n + 1e-6)) for g in grads]

    def per_array(grads, c):  # clips each array separately: wrong
        return [g * min(1.0, c / np.linalg.norm(g)) for g in grads]

    def always_scales(grads, c):  # also scales up small gradients: wrong
        n = np.sqrt(sum((g**2).sum() for g in grads))
        return [g * c / n for g in grads]

    assert check_clip_by_norm(right) is True
    assert "Correct" in capsys.readouterr().out
    assert check_clip_by_norm(per_array) is False
    assert "same factor" in capsys.readouterr().out
    assert check_clip_by_norm(always_scales) is False
    assert check_clip_by_norm(lambda grads, c: grads[:1]) is False
    assert "one array per input" in capsys.readouterr().out
    assert check_clip_by_norm(lambda grads, c: 1 / 0) is False
    assert "raised ZeroDivisionError" in capsys.readouterr().out


def test_check_trained_diagnosis(capsys):
    model = SequenceModel("rnn", 2, 6, 1)
    init_recurrent_(model.rnn, "orthogonal", rng=np.random.default_rng(9), gain=3.0)
    x, y = diagnosis_batch()
    with torch.no_grad():
        hs = model.rnn(x)[0]
    saturated = float((hs.abs() > 0.9).float().mean())
    ratio = gradient_ratio(model, x, y)
    assert saturated > 0.3  # a radius of 3 saturates many units
    assert check_trained_diagnosis(model, 3.0, saturated, ratio) is True
    assert "saturation" in capsys.readouterr().out
    wrong = {
        "largest |eigenvalue|": (1.0, saturated, ratio),
        "mean of (|h| > 0.9)": (3.0, saturated + 0.2, ratio),
        "gradient_ratio(model, x, y)": (3.0, saturated, ratio * 100),
    }
    for hint, args in wrong.items():
        assert check_trained_diagnosis(model, *args) is False
        assert hint in capsys.readouterr().out, hint
    relu = SequenceModel("rnn", 2, 6, 1, nonlinearity="relu")
    assert check_trained_diagnosis(relu, 1.0, 0.0, 1.0) is False
    assert "tanh model" in capsys.readouterr().out


@pytest.mark.parametrize("args, error", [
    ((None, 1.0, 0.1, 0.1), TypeError),
    (("model", 1.0, 0.1, 0.1), TypeError),
    ((..., "1.2", 0.1, 0.1), TypeError),
    ((..., 1.2, None, 0.1), TypeError),
    ((..., 1.2, 0.1, float("nan")), ValueError),
])
def test_check_trained_diagnosis_rejects_bad_input(args, error):
    model = SequenceModel("rnn", 2, 6, 1)
    args = tuple(model if a is ... else a for a in args)
    with pytest.raises(error):
        check_trained_diagnosis(*args)
