"""Tests of seqbook.exercises.ch02: right answers pass, typical mistakes get specific feedback."""
# ruff: noqa: E741 (O is the output size, as in W_hy (O, H))

from __future__ import annotations

import numpy as np
import torch

from seqbook.exercises.ch02 import check_last_states, check_param_count, check_rnn_step


def right_count(D: int, H: int, O: int) -> int:
    return H * D + H * H + 2 * H + O * H + O


def test_param_count_accepts_the_formula(capsys) -> None:
    assert check_param_count(right_count)
    assert "Correct" in capsys.readouterr().out


def test_param_count_names_each_typical_mistake(capsys) -> None:
    mistakes = {
        "two hidden biases": lambda D, H, O: right_count(D, H, O) - H,  # one hidden bias
        "H too many": lambda D, H, O: right_count(D, H, O) + H,  # three hidden biases
        "bias b_y": lambda D, H, O: right_count(D, H, O) - O,  # no head bias
        "left out the linear head": lambda D, H, O: H * D + H * H + 2 * H,
        "whole number": lambda D, H, O: right_count(D, H, O) + 0.5,
        "as a number": lambda D, H, O: str(right_count(D, H, O)),
        "raised ZeroDivisionError": lambda D, H, O: 1 / 0,
    }
    for feedback, fn in mistakes.items():
        assert not check_param_count(fn), feedback
        assert feedback in capsys.readouterr().out


def step(x, h, p):
    return np.tanh(x @ p.W_xh.T + h @ p.W_hh.T + p.b_h)


def test_rnn_step_accepts_the_equation(capsys) -> None:
    assert check_rnn_step(step)
    assert "Correct" in capsys.readouterr().out


def test_rnn_step_names_each_typical_mistake(capsys) -> None:
    mistakes = {
        "forgot the bias": lambda x, h, p: np.tanh(x @ p.W_xh.T + h @ p.W_hh.T),
        "apply the tanh": lambda x, h, p: x @ p.W_xh.T + h @ p.W_hh.T + p.b_h,
        "h_t differs": lambda x, h, p: np.maximum(0, x @ p.W_xh.T + h @ p.W_hh.T + p.b_h),
        "Shapes": lambda x, h, p: x @ p.W_xh,  # untransposed weights raise inside
        "must have shape": lambda x, h, p: step(x, h, p)[0],  # dropped the batch axis
    }
    for feedback, fn in mistakes.items():
        assert not check_rnn_step(fn), feedback
        assert feedback in capsys.readouterr().out


def test_last_states_accepts_the_indexing(capsys) -> None:
    assert check_last_states(lambda out, n: out[torch.arange(out.shape[0]), n - 1])
    assert "Correct" in capsys.readouterr().out


def test_last_states_names_each_typical_mistake(capsys) -> None:
    mistakes = {
        "last PADDED step": lambda out, n: out[:, -1],
        "Off by one": lambda out, n: out[torch.arange(out.shape[0]), n],  # index T raises
        "Return a (batch, hidden)": lambda out, n: out,
        "Some rows are wrong": lambda out, n: out[:, 0],
    }
    for feedback, fn in mistakes.items():
        assert not check_last_states(fn), feedback
        assert feedback in capsys.readouterr().out
