"""Tests of seqbook.gradcheck: finite differences, relative error and the checker's errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from seqbook.gradcheck import check_gradients, numerical_gradient, relative_error


def test_numerical_gradient_of_a_cubic_and_restores_the_array() -> None:
    a = np.random.default_rng(0).normal(size=(3, 4))
    original = a.copy()
    grad = numerical_gradient(lambda: float(np.sum(a**3)), a)
    assert relative_error(grad, 3 * original**2) < 1e-8
    np.testing.assert_array_equal(a, original)  # bit-for-bit restored


def test_numerical_gradient_works_on_non_contiguous_views() -> None:
    base = np.random.default_rng(1).normal(size=(4, 6))
    view = base[:, ::2].T  # (3, 4), not contiguous: perturbations must still reach `base`
    grad = numerical_gradient(lambda: float(np.sum(np.sin(base))), view)
    assert relative_error(grad, np.cos(view)) < 1e-8


def test_array_is_restored_even_if_the_loss_raises() -> None:
    a = np.ones(3)

    def boom() -> float:
        raise RuntimeError("loss failed")

    with pytest.raises(RuntimeError):
        numerical_gradient(boom, a)
    np.testing.assert_array_equal(a, 1.0)


def test_relative_error() -> None:
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)
    err = relative_error(np.array([1.0, 100.0]), np.array([1.1, 100.0]))
    assert err == pytest.approx(0.1 / 200)
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


@dataclass
class Linear:
    W: np.ndarray  # (O, D)
    b: np.ndarray  # (O,)


def test_check_gradients_with_dicts_and_dataclasses() -> None:
    rng = np.random.default_rng(2)
    p = Linear(rng.normal(size=(2, 3)), rng.normal(size=2))
    x = rng.normal(size=(5, 3))

    def loss() -> float:
        return float(np.sum((x @ p.W.T + p.b) ** 2))

    r = x @ p.W.T + p.b  # (5, 2)
    grads = {"W": 2 * r.T @ x, "b": 2 * r.sum(0), "unused": np.zeros(1)}
    errs = check_gradients(loss, p, grads)
    assert set(errs) == {"W", "b"} and max(errs.values()) < 1e-8
    assert set(check_gradients(loss, {"b": p.b}, grads)) == {"b"}
    assert set(check_gradients(loss, p, Linear(grads["W"], grads["b"]), names=["W"])) == {"W"}
    wrong = check_gradients(loss, p, {"W": grads["W"], "b": -grads["b"]})
    assert wrong["b"] > 0.5 and wrong["W"] < 1e-8  # a sign error is caught, per parameter


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: numerical_gradient(lambda: 0.0, np.ones(2, np.float32)),
            r"float32.*need float64.*rounding noise",
        ),
        (lambda: numerical_gradient(lambda: 0.0, [1.0, 2.0]), r"must be a NumPy array"),
        (lambda: numerical_gradient(lambda: np.ones(2), np.ones(2)), r"must return one number"),
        (
            lambda: numerical_gradient(lambda: 0.0, np.ones(2), eps=0.0),
            r"eps must be a small positive",
        ),
        (
            lambda: check_gradients(lambda: 0.0, {"w": np.ones(2)}, {"w": np.ones(3)}),
            r"analytic\['w'\] has shape \(3,\) but the parameter has shape \(2,\)",
        ),
        (
            lambda: check_gradients(lambda: 0.0, {"w": np.ones(2)}, {"v": np.ones(2)}),
            r"analytic has no gradient for 'w'",
        ),
        (
            lambda: check_gradients(lambda: 0.0, {"w": np.ones(2)}, {"w": np.ones(2)}, names=["v"]),
            r"no parameter named \['v'\]",
        ),
        (lambda: check_gradients(lambda: 0.0, [np.ones(2)], {}), r"dict of arrays or a dataclass"),
        (
            lambda: check_gradients(lambda: 0.0, {"w": np.ones(2, np.float32)}, {"w": np.ones(2)}),
            r"params\['w'\] has dtype float32",
        ),
    ],
)
def test_bad_inputs_raise_helpful_errors(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()
