"""Tests of seqbook.bptt (Jacobians, truncation, training, cost) and seqbook.bptt_figures."""

from __future__ import annotations

import numpy as np
import pytest

from seqbook.bptt import (
    autograd_gradients,
    bptt_cost,
    contribution_matrix,
    echo_baseline,
    echo_task,
    flat_grad,
    grad_norm_vs_distance,
    hidden_grad_by_paths,
    jacobian_product,
    numerical_preact_jacobian,
    numerical_step_jacobian,
    params_with_gain,
    step_jacobian,
    train_numpy_rnn,
    truncated_backward,
    truncation_gap,
)
from seqbook.bptt_figures import draw_gradient_flow, dropped_region, truncation_figure
from seqbook.gradcheck import relative_error
from seqbook.numpy_rnn import (
    PARAM_NAMES,
    init_params,
    masked_cross_entropy,
    mse_loss,
    rnn_backward,
    rnn_forward,
)
from seqbook.plots import check_labelled, figure

B, T, D, H, O = 2, 6, 3, 5, 2  # noqa: E741


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    params = init_params(D, H, O, rng, scale=0.8)
    x, targets = rng.normal(size=(B, T, D)), rng.normal(size=(B, T, O))
    ys, hs = rnn_forward(params, x)
    _, dys = mse_loss(ys, targets)
    return params, x, targets, hs, dys


# ----------------------------------------------------------------------------- Jacobians


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_step_jacobian_matches_finite_differences(problem, activation) -> None:
    params, x, _, _, _ = problem
    _, hs = rnn_forward(params, x, activation=activation)
    J = step_jacobian(params.W_hh, hs[:, 3], activation)  # dh_3/dh_2, batched
    assert J.shape == (B, H, H)
    assert relative_error(J, numerical_step_jacobian(params, x[:, 2], hs[:, 2], activation)) < 1e-8
    np.testing.assert_allclose(step_jacobian(params.W_hh, hs[0, 3], activation), J[0])


def test_syllabus_form_of_the_jacobian_is_not_the_jacobian(problem) -> None:
    params, x, _, hs, _ = problem
    J_num = numerical_step_jacobian(params, x[:, 2], hs[:, 2])
    syllabus = params.W_hh * (1 - hs[:, 2] ** 2)[:, None, :]  # W_hh diag(1 - h_t^2)
    assert relative_error(syllabus, J_num) > 1e-2


def test_preactivation_jacobian_is_the_other_textbook_form(problem) -> None:
    params, x, _, hs, _ = problem
    a2 = x[:, 1] @ params.W_xh.T + hs[:, 1] @ params.W_hh.T + params.b_h  # h_2 = tanh(a_2)
    np.testing.assert_allclose(np.tanh(a2), hs[:, 2])
    J_a = numerical_preact_jacobian(params, x[:, 2], a2)  # da_3/da_2
    other_form = params.W_hh * (1 - hs[:, 2] ** 2)[:, None, :]  # W_hh diag(1 - h_t^2)
    assert relative_error(other_form, J_a) < 1e-8
    assert relative_error(step_jacobian(params.W_hh, hs[:, 3]), J_a) > 1e-2


def test_jacobian_product_and_path_sum_agree_with_bptt(problem) -> None:
    params, x, _, hs, dys = problem
    np.testing.assert_allclose(
        jacobian_product(params, hs, 3, 3), np.broadcast_to(np.eye(H), (B, H, H))
    )
    two = step_jacobian(params.W_hh, hs[:, 4]) @ step_jacobian(params.W_hh, hs[:, 3])
    np.testing.assert_allclose(jacobian_product(params, hs, 4, 2), two)
    dhs = rnn_backward(params, x, hs, dys).dhs
    for s in range(1, T + 1):
        assert relative_error(hidden_grad_by_paths(params, hs, dys, s), dhs[:, s - 1]) < 1e-12


def test_autograd_gradients_match_numpy_bptt(problem) -> None:
    params, x, targets, hs, dys = problem
    h0 = np.random.default_rng(1).normal(size=(B, H))
    ys, hs = rnn_forward(params, x, h0)
    loss, dys = mse_loss(ys, targets)
    grads = rnn_backward(params, x, hs, dys)
    loss_t, ref = autograd_gradients(params, x, targets, h0)
    assert abs(loss - loss_t) < 1e-12 and set(ref) == {*PARAM_NAMES, "dh0"}
    for name in ref:
        assert relative_error(getattr(grads, name), ref[name]) < 1e-10, name


# --------------------------------------------------------------------------- training


def test_autograd_cross_entropy_matches_numpy_bptt(problem) -> None:
    params, x, _, hs, _ = problem
    labels = np.random.default_rng(1).integers(0, O, size=(B, T))
    labels[0, -2:] = -100
    dys = masked_cross_entropy(hs[:, 1:] @ params.W_hy.T + params.b_y, labels)[1]
    grads = rnn_backward(params, x, hs, dys)
    _, ref = autograd_gradients(params, x, labels, loss="cross_entropy")
    for name in PARAM_NAMES:
        assert relative_error(getattr(grads, name), ref[name]) < 1e-10, name


def test_echo_task_and_baseline() -> None:
    x, y = echo_task(4, 10, 3, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 10, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(y[:, 3:], x[:, :-3])
    assert not y[:, :3].any()
    assert echo_baseline(10, 3) == pytest.approx(0.7)


def test_train_numpy_rnn_learns_a_short_echo() -> None:
    rng = np.random.default_rng(0)
    params = init_params(1, 16, 1, rng, dtype=np.float32)
    log = train_numpy_rnn(params, lambda: echo_task(16, 12, 2, rng), steps=300, lr=0.05, clip=1.0)
    assert log.losses.shape == log.grad_norms.shape == (300,) and log.seconds > 0
    assert log.final_loss() < 0.3 * log.losses[:10].mean()


# --------------------------------------------------------------------- truncation, gains


def test_truncation_gap_is_zero_at_full_length_and_large_at_one(problem) -> None:
    params, x, targets, _, _ = problem
    gap = truncation_gap(params, x, targets, np.array([1, 3, T, T + 2]))
    assert gap["rel_diff"][2] < 1e-12 and gap["rel_diff"][3] < 1e-12
    assert gap["cosine"][2] == pytest.approx(1.0)
    assert gap["rel_diff"][0] > 1e-3
    ys, hs = rnn_forward(params, x)
    _, dys = mse_loss(ys, targets)
    g1 = flat_grad(rnn_backward(params, x, hs, dys, truncate=1))
    full = flat_grad(rnn_backward(params, x, hs, dys))
    assert gap["rel_diff"][0] == pytest.approx(np.linalg.norm(g1 - full) / np.linalg.norm(full))


def test_gain_controls_vanishing_and_exploding() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 30, 1))
    small = grad_norm_vs_distance(params_with_gain(1, 32, 1, 0.5, np.random.default_rng(1)), x)
    large = grad_norm_vs_distance(params_with_gain(1, 32, 1, 2.5, np.random.default_rng(1)), x)
    assert small.shape == (30,)
    assert small[-1] < 1e-3 * small[0] and large[-1] > 1e3 * large[0]


def test_contribution_matrix_is_lower_triangular_and_sums_to_bptt(problem) -> None:
    params, x, _, hs, dys = problem
    C = contribution_matrix(params, x, dys)
    assert C.shape == (T, T) and np.all(np.triu(C, 1) == 0) and np.all(np.diag(C) > 0)
    full_dh1 = rnn_backward(params, x, hs, dys).dhs[:, 0]  # sum of all L_t's gradients at h_1
    assert np.linalg.norm(full_dh1, axis=-1).mean() <= C[:, 0].sum() + 1e-12  # triangle ineq.


def test_bptt_cost_memory_is_linear_and_flat_when_chunked() -> None:
    params = init_params(1, 8, 1, np.random.default_rng(0), dtype=np.float32)
    full = bptt_cost(params, [10, 40], batch=2, rng=np.random.default_rng(1), repeats=1)
    assert list(full.stored_bytes) == [2 * 11 * 8 * 4, 2 * 41 * 8 * 4]
    assert full.peak_bytes[1] > 2 * full.peak_bytes[0] and np.all(full.seconds > 0)
    chunked = bptt_cost(params, [10, 40], 2, np.random.default_rng(1), chunk=10, repeats=1)
    assert chunked.stored_bytes[0] == chunked.stored_bytes[1] == 2 * 11 * 8 * 4
    assert full.page_faults.shape == (2,)
    assert np.all(np.isnan(full.page_faults) | (full.page_faults >= 0))


def test_draw_gradient_flow_draws() -> None:
    fig, ax = figure()
    draw_gradient_flow(ax, T=3)
    assert len(ax.patches) > 10 and not ax.axison


def test_truncation_figure_is_labelled_and_checks_its_input(problem) -> None:
    params, x, targets, _, dys = problem
    maps = {0.8: contribution_matrix(params, x, dys), 1.8: contribution_matrix(params, x, dys)}
    gaps = {g: truncation_gap(params, x, targets, range(1, T + 1)) for g in maps}
    fig = truncation_figure(maps, gaps, k=2)
    check_labelled(fig)
    assert len(fig.axes) == 4  # two maps, the gap curves and a colour bar
    assert all(len(ax.patches) == 2 for ax in fig.axes[:2])  # hatching and outline
    assert not truncation_figure(maps, gaps, k=T).axes[0].patches  # k = T drops nothing
    with pytest.raises(ValueError, match="same two gains"):
        truncation_figure(maps, {0.8: gaps[0.8]}, k=2)


def test_dropped_region_outlines_exactly_the_dropped_cells() -> None:
    from matplotlib.path import Path

    for T_, k in [(6, 1), (6, 2), (7, 5)]:
        path = Path(dropped_region(T_, k))
        t, s = np.indices((T_, T_))
        inside = path.contains_points(np.c_[s.ravel(), t.ravel()]).reshape(T_, T_)
        np.testing.assert_array_equal(inside, s <= t - k)  # cell centres inside = dropped
    assert dropped_region(5, 5).shape == (0, 2)
    with pytest.raises(ValueError, match="k must be"):
        dropped_region(5, 0)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("k", [1, 2, 3, T - 1, T, T + 4])
def test_truncated_backward_equals_the_loop_of_rnn_backward(problem, activation, k) -> None:
    params, x, targets, _, _ = problem
    ys, hs = rnn_forward(params, x, activation=activation)
    dys = mse_loss(ys, targets)[1]
    loop = rnn_backward(params, x, hs, dys, activation, truncate=k)
    fast = truncated_backward(params, x, hs, dys, k, activation)
    for name in (*PARAM_NAMES, "dh0", "dhs"):
        np.testing.assert_allclose(getattr(fast, name), getattr(loop, name), rtol=0,
                                   atol=1e-12, err_msg=name)
    if k <= 3:  # and a short window is a truncation: not the full gradient
        full = rnn_backward(params, x, hs, dys, activation)
        assert np.abs(fast.W_hh - full.W_hh).max() > 1e-6


def test_truncated_backward_keeps_float32() -> None:
    rng = np.random.default_rng(1)
    params = init_params(D, H, O, rng, dtype=np.float32)
    x = rng.normal(size=(B, T, D)).astype(np.float32)
    ys, hs = rnn_forward(params, x)
    g = truncated_backward(params, x, hs, np.ones_like(ys), 2)
    assert g.W_hh.dtype == g.dhs.dtype == np.float32


TRUNCATED_BAD = [
    (dict(truncate=0), ValueError, r"truncate must be an integer >= 1"),
    (dict(truncate=None), ValueError, r"full BPTT call numpy_rnn.rnn_backward"),
    (dict(truncate=2.5), ValueError, r"truncate must be"),
    (dict(activation="sigmoid"), ValueError, r"activation must be"),
    (dict(params="W"), TypeError, r"params must be RNNParams"),
    (dict(x="text"), TypeError, r"x must be an array"),
    (dict(hs_cut=True), ValueError, r"hs must be finite, of shape"),
    (dict(dys_nan=True), ValueError, r"dys must be finite"),
]


@pytest.mark.parametrize("change, error, match", TRUNCATED_BAD)
def test_truncated_backward_rejects_bad_input(problem, change, error, match) -> None:
    params, x, _, hs, dys = problem
    args = dict(params=params, x=x, hs=hs, dys=dys, truncate=2, activation="tanh")
    if change.pop("hs_cut", False):
        args["hs"] = hs[:, :-1]
    if change.pop("dys_nan", False):
        args["dys"] = np.where(np.arange(T)[None, :, None] == 1, np.nan, dys)
    args |= change
    with pytest.raises(error, match=match):
        truncated_backward(**args)


BAD_INPUTS = [
    (lambda p, x, tg, hs: step_jacobian(p.W_hh, hs[:, 1, :2]), r"h_next \(H,\) or \(batch, H\)"),
    (lambda p, x, tg, hs: step_jacobian(p.W_hh, hs[:, 1], "sigmoid"), r"activation must be"),
    (
        lambda p, x, tg, hs: numerical_step_jacobian(p, x[:, 0], hs[:, 0].astype(np.float32)),
        r"float64",
    ),
    (lambda p, x, tg, hs: numerical_step_jacobian(p, x[0, 0], hs[:, 0]), r"x_next must be"),
    (lambda p, x, tg, hs: numerical_preact_jacobian(p, x[:, 0], hs[:, 0, :2]), r"a_now"),
    (
        lambda p, x, tg, hs: numerical_preact_jacobian(p, x[:, 0], hs[:, 0].astype(np.float32)),
        r"float64",
    ),
    (lambda p, x, tg, hs: jacobian_product(p, hs, 2, 3), r"0 <= s <= t"),
    (lambda p, x, tg, hs: hidden_grad_by_paths(p, hs, tg, 0), r"s must be a time step in 1\.\.6"),
    (lambda p, x, tg, hs: autograd_gradients(p, x, tg[..., :1]), r"targets must be"),
    (lambda p, x, tg, hs: autograd_gradients(p, x, tg, loss="hinge"), r"loss must be"),
    (
        lambda p, x, tg, hs: autograd_gradients(p, x, tg[..., 0], loss="cross_entropy"),
        r"integer classes",
    ),
    (lambda p, x, tg, hs: echo_task(2, 5, 5, np.random.default_rng(0)), r"1 <= delay < T"),
    (lambda p, x, tg, hs: train_numpy_rnn(p, lambda: (x, tg), steps=0, lr=0.1), r"steps must"),
    (lambda p, x, tg, hs: truncation_gap(p, x, tg, [0, 2]), r"ks must be"),
    (lambda p, x, tg, hs: params_with_gain(1, 4, 1, 0.0, np.random.default_rng(0)), r"gain"),
    (lambda p, x, tg, hs: bptt_cost(p, [5], 1, np.random.default_rng(0), chunk=0), r"chunk"),
]


@pytest.mark.parametrize("call, match", BAD_INPUTS)
def test_bad_inputs_raise_helpful_errors(problem, call, match) -> None:
    params, x, targets, hs, _ = problem
    with pytest.raises(ValueError, match=match):
        call(params, x, targets, hs)
