"""Tests of seqbook.exercises.ch03: the checks accept right answers and reject typical mistakes.

Each wrong answer must be rejected with its own specific hint, not just a generic "not yet".
"""

from __future__ import annotations

import numpy as np
import pytest

from seqbook.exercises import ch03

SIZES = dict(T=1000, batch=64, hidden=1024, itemsize=4)
FULL = 64 * 1001 * 1024 * 4  # h_0..h_T
CHUNK = 64 * 101 * 1024 * 4  # the carried state plus 100 steps


def test_check_last_hidden_grad(capsys) -> None:
    assert ch03.check_last_hidden_grad(lambda W_hy, dy: dy @ W_hy)
    assert "Correct" in capsys.readouterr().out
    mistakes = {
        "`dy_T @ W_hy`": lambda W_hy, dy: 2 * dy @ W_hy,
        "forget `return`": lambda W_hy, dy: None,
        "should be (3, 4)": lambda W_hy, dy: dy,  # (B, O) instead of (B, H)
        "raised ZeroDivisionError": lambda W_hy, dy: 1 / 0,
    }
    for hint, fn in mistakes.items():
        assert not ch03.check_last_hidden_grad(fn)
        assert hint in capsys.readouterr().out, hint
    assert not ch03.check_last_hidden_grad(np.zeros(3))  # feedback, not a traceback
    assert "pass your function itself" in capsys.readouterr().out.lower()


def test_check_step_jacobian(capsys) -> None:
    assert ch03.check_step_jacobian(lambda W, h: np.diag(1 - h**2) @ W)
    assert ch03.check_step_jacobian(lambda W, h: (1 - h**2)[:, None] * W)
    assert "Correct" in capsys.readouterr().out
    mistakes = {
        "transpose": lambda W, h: (np.diag(1 - h**2) @ W).T,
        "wrong side": lambda W, h: W @ np.diag(1 - h**2),
        "left out the derivative": lambda W, h: W,
        "Not yet: differentiate": lambda W, h: np.diag(1 - h) @ W,
    }
    for hint, fn in mistakes.items():
        assert not ch03.check_step_jacobian(fn)
        assert hint in capsys.readouterr().out, hint


def test_check_backward_step(capsys) -> None:
    def correct(dy, dh_next, h_next, W_hy, W_hh):
        return dy @ W_hy + (dh_next * (1 - h_next**2)) @ W_hh

    assert ch03.check_backward_step(correct)
    assert "Correct" in capsys.readouterr().out
    mistakes = {
        "only the direct term": lambda dy, dh, h, W_hy, W_hh: dy @ W_hy,
        "misses the tanh": lambda dy, dh, h, W_hy, W_hh: dy @ W_hy + dh @ W_hh,
        "Transposed": lambda dy, dh, h, W_hy, W_hh: dy @ W_hy + (dh * (1 - h**2)) @ W_hh.T,
        "has shape": lambda dy, dh, h, W_hy, W_hh: dy,
        "differs from BPTT": lambda dy, dh, h, W_hy, W_hh: dy @ W_hy - (dh * (1 - h**2)) @ W_hh,
    }
    for hint, fn in mistakes.items():
        assert not ch03.check_backward_step(fn)
        assert hint in capsys.readouterr().out, hint


def test_check_activation_bytes_full_bptt_is_exact(capsys) -> None:
    assert ch03.check_activation_bytes(FULL, **SIZES)
    assert ch03.check_activation_bytes(float(FULL), **SIZES)
    assert "Correct" in capsys.readouterr().out
    mistakes = {  # each typical slip gets its own hint
        "remember h_0": 64 * 1000 * 1024 * 4,  # off by only 0.1%: must still be rejected
        "counts numbers": 64 * 1001 * 1024,
        "not in MiB": FULL / 2**20,
        "exact count": FULL * 1.01,
        "one H-vector per state": FULL / 2,
        "positive number": -1,
        "placeholder": 0,
        "Give a number": "a lot",
    }
    for hint, answer in mistakes.items():
        assert not ch03.check_activation_bytes(answer, **SIZES)
        assert hint in capsys.readouterr().out, hint


def test_check_activation_bytes_in_chunks(capsys) -> None:
    assert ch03.check_activation_bytes(CHUNK, chunk=100, **SIZES)
    assert "chunks of 100" in capsys.readouterr().out
    assert ch03.check_activation_bytes(CHUNK, **{**SIZES, "T": 5000}, chunk=100)  # any T
    mistakes = {
        "That is full BPTT": FULL,
        "state carried into the chunk": 64 * 100 * 1024 * 4,
        "counts numbers": 64 * 101 * 1024,
    }
    for hint, answer in mistakes.items():
        assert not ch03.check_activation_bytes(answer, chunk=100, **SIZES)
        assert hint in capsys.readouterr().out, hint
    assert not ch03.check_activation_bytes(FULL, chunk=100, **SIZES)  # not accepted for chunks
    with pytest.raises(ValueError, match="positive ints"):
        ch03.check_activation_bytes(CHUNK, chunk=0, **SIZES)


# ------------------------------------------------------------- the whole backward pass


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _backward(params, x, hs, labels, *, future=True, per_token=True, mask=True, slope_at=0):
    """The solution of the exercise, with switches that plant typical mistakes."""
    logits = hs[:, 1:] @ params.W_hy.T + params.b_y  # (B, T, V)
    real = labels != -100 if mask else np.ones(labels.shape, bool)
    onehot = np.eye(logits.shape[-1])[np.where(labels != -100, labels, 0)]
    dy = (_softmax(logits) - onehot) * real[..., None]
    dy /= real.sum() if per_token else 1.0
    g = {"W_hy": np.einsum("bto,bth->oh", dy, hs[:, 1:]), "b_y": dy.sum(axis=(0, 1))}
    g.update(W_xh=0.0, W_hh=0.0, b_h=0.0)
    dh_next = np.zeros_like(hs[:, 0])
    for t in range(x.shape[1] - 1, -1, -1):
        h = hs[:, t + 1 - slope_at]
        da = (dy[:, t] @ params.W_hy + dh_next) * (1 - h**2)  # delta_t
        g["W_xh"] = g["W_xh"] + da.T @ x[:, t]
        g["W_hh"] = g["W_hh"] + da.T @ hs[:, t]
        g["b_h"] = g["b_h"] + da.sum(axis=0)
        dh_next = da @ params.W_hh if future else 0.0 * dh_next
    return g


def test_check_rnn_backward_accepts_the_solution(capsys) -> None:
    assert ch03.check_rnn_backward(_backward)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "kwargs, hint",
    [
        (dict(future=False), "term from the future"),
        (dict(slope_at=1), "tanh slope"),
        (dict(per_token=False), "did not divide by the number of real tokens"),
        (dict(mask=False), "0 at padded ones"),
    ],
)
def test_check_rnn_backward_rejects_mistakes(capsys, kwargs, hint) -> None:
    assert not ch03.check_rnn_backward(lambda *a: _backward(*a, **kwargs))
    out = capsys.readouterr().out
    assert "Relative error of each gradient" in out and hint in out


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda *a: None, "returned None"),
        (lambda *a: {"W_hh": 0}, "exactly the keys"),
        (lambda *a: 1 / 0, "ZeroDivisionError"),
        (lambda *a: {**_backward(*a), "b_y": np.zeros(2)}, "should be (3,)"),
    ],
)
def test_check_rnn_backward_reports_bad_returns(capsys, fn, hint) -> None:
    assert not ch03.check_rnn_backward(fn)
    assert hint in capsys.readouterr().out
