"""Tests of seqbook.exercises.ch05: the checks accept right answers and reject wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from seqbook.exercises.ch05 import (
    check_cifg_cell,
    check_no_forget_cell,
    check_param_count,
    check_peephole_cell,
    cifg_as_lstm,
    cifg_cell_reference,
    no_forget_as_lstm,
    no_forget_cell_reference,
    peephole_cell_reference,
)
from seqbook.numpy_gated import init_params, lstm_cell, sigmoid


def test_references_reduce_to_the_lstm():
    """Zero peepholes give the plain LSTM (the peephole check's anchor)."""
    rng = np.random.default_rng(0)
    p = init_params("lstm", 3, 4, rng)
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    zeros = (np.zeros(4),) * 3
    assert np.allclose(peephole_cell_reference(p, zeros, x, h, c)[0], lstm_cell(p, x, h, c)[0])


def test_anchors_are_lstms_that_behave_like_the_variants():
    """The checks' expected answers come from lstm_cell, not from the written solutions."""
    rng = np.random.default_rng(1)
    p = init_params("lstm", 3, 4, rng)
    p.b_ih[:] = rng.normal(size=16)
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    gates = lstm_cell(cifg_as_lstm(p), x, h, c)[2]
    i, f = gates[:, :4], gates[:, 4:8]
    assert np.allclose(i, 1 - f, atol=1e-15)  # the coupling, exactly
    assert np.allclose(lstm_cell(no_forget_as_lstm(p), x, h, c)[2][:, 4:8], 1.0, atol=0)
    assert not np.allclose(p.W_ih, cifg_as_lstm(p).W_ih)  # copies: p is unchanged
    for reference, anchor in ((cifg_cell_reference, cifg_as_lstm),
                              (no_forget_cell_reference, no_forget_as_lstm)):
        for want, got in zip(lstm_cell(anchor(p), x, h, c)[:2], reference(p, x, h, c),
                             strict=True):
            assert np.allclose(got, want, atol=1e-12)


def test_variant_checks_reject_near_misses(capsys):
    def input_gate_used(p, x, h, c):  # CIFG that reads the unused input-gate rows
        a_i, a_f, a_g, a_o = np.split(x @ p.W_ih.T + p.b_ih + h @ p.W_hh.T + p.b_hh, 4, 1)
        c_new = sigmoid(a_f) * c + (1 - sigmoid(a_i)) * np.tanh(a_g)
        return sigmoid(a_o) * np.tanh(c_new), c_new

    def forget_gate_kept(p, x, h, c):  # "no forget gate" that still multiplies by f
        return lstm_cell(p, x, h, c)[:2]

    assert not check_cifg_cell(input_gate_used)
    assert not check_no_forget_cell(forget_gate_kept)
    assert "c_t differs" in capsys.readouterr().out


def test_checks_accept_the_references(capsys):
    assert check_peephole_cell(peephole_cell_reference)
    assert check_cifg_cell(cifg_cell_reference)
    assert check_no_forget_cell(no_forget_cell_reference)
    assert "Correct" in capsys.readouterr().out


def test_checks_reject_wrong_answers(capsys):
    assert not check_peephole_cell(lambda p, peep, x, h, c: lstm_cell(p, x, h, c)[:2])
    assert not check_cifg_cell(lambda p, x, h, c: lstm_cell(p, x, h, c)[:2])
    assert not check_no_forget_cell(lambda p, x, h, c: (h, c))
    assert not check_no_forget_cell(lambda p, x, h, c: 1 / 0)  # errors become feedback


def test_param_count_check():
    def right(kind: str, D: int, H: int) -> int:
        return {"rnn": 1, "lstm": 4, "gru": 3}[kind] * (H * D + H * H + 2 * H)

    def one_bias(kind: str, D: int, H: int) -> int:
        return {"rnn": 1, "lstm": 4, "gru": 3}[kind] * (H * D + H * H + H)

    assert check_param_count(right)
    assert not check_param_count(one_bias)
    assert not check_param_count(lambda kind, D, H: 1 / 0)


def test_without_a_forget_gate_the_cell_state_grows_linearly():
    """Exercise 3's claim: max |c_t| doubles from t = 1000 to 2000 (a random walk: x 1.41)."""
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        p = init_params("lstm", 4, 8, rng)
        h, c, peak = np.zeros((1, 8)), np.zeros((1, 8)), []
        for _ in range(2000):
            h, c = no_forget_cell_reference(p, rng.normal(size=(1, 4)), h, c)
            peak.append(np.abs(c).max())
        assert peak[-1] > 100 and 1.7 < peak[-1] / peak[999] < 2.3


def test_step_backward_check_accepts_the_reference(capsys):
    from seqbook.exercises.ch05 import check_lstm_step_backward, lstm_step_backward_reference

    assert check_lstm_step_backward(lstm_step_backward_reference)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, name", [
    (lambda *g: (g[0], g[1], g[2] * 0.0, g[3], g[4], g[5]), "dc_prev"),   # cell path dropped
    (lambda *g: (g[0], g[1], g[2], g[3], g[4].T, g[5]), "dW_hh"),        # transposed
    (lambda *g: (g[0], g[1] + 1e-3, g[2], g[3], g[4], g[5]), "dh_prev"),  # slightly off
])
def test_step_backward_check_names_the_wrong_gradient(capsys, wrong, name):
    from seqbook.exercises.ch05 import check_lstm_step_backward, lstm_step_backward_reference

    def fn(*args):
        return wrong(*lstm_step_backward_reference(*args))

    assert not check_lstm_step_backward(fn)
    assert name in capsys.readouterr().out


def test_step_backward_reference_drops_no_route_into_c():
    """Without the output's route (dh_t * o * tanh'), the check must reject the step."""
    import numpy as np

    from seqbook.exercises import ch05

    def only_cell_path(p, x_t, h, c, dh_t, dc_t):
        return ch05.lstm_step_backward_reference(p, x_t, h, c, np.zeros_like(dh_t), dc_t)

    assert not ch05.check_lstm_step_backward(only_cell_path)
