"""Tests of seqbook.gradients (Jacobian products, clipping, the cliff, inits)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.gradcheck import check_gradients, relative_error
from seqbook.gradients import (
    clip_by_norm,
    clip_by_value,
    descend,
    distance_setup,
    global_norm,
    gradient_ratio,
    init_recurrent_,
    jacobian_products,
    largest_singular_value,
    loss_along_direction,
    norm_vs_distance,
    orthogonal,
    product_singular_values,
    recorded_step_norms,
    recurrent_params,
    scalar_rnn,
    scale_to,
    spectral_radius,
    step_jacobians,
)
from seqbook.models import SequenceModel
from seqbook.numpy_rnn import rnn_backward, rnn_forward
from seqbook.tasks import adding_problem
from seqbook.train import fit


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------------ recurrent matrices


def test_orthogonal_is_orthogonal_with_gain():
    Q = orthogonal(7, rng(), gain=1.3)
    assert Q.shape == (7, 7)
    np.testing.assert_allclose(Q.T @ Q, 1.3**2 * np.eye(7), atol=1e-12)
    assert spectral_radius(Q) == pytest.approx(1.3)
    assert largest_singular_value(Q) == pytest.approx(1.3)


def test_radius_and_singular_value_differ_for_a_non_normal_matrix():
    W = np.array([[0.5, 3.0], [0.0, 0.5]])  # eigenvalues 0.5, but it stretches by ~3
    assert spectral_radius(W) == pytest.approx(0.5)
    assert largest_singular_value(W) == pytest.approx(np.linalg.svd(W)[1][0])
    assert largest_singular_value(W) > 3


@pytest.mark.parametrize("by, measure", [("spectral_radius", spectral_radius),
                                         ("singular_value", largest_singular_value)])
def test_scale_to_hits_the_target(by, measure):
    W = rng(1).standard_normal((10, 10))
    assert measure(scale_to(W, 0.9, by=by)) == pytest.approx(0.9)


def test_recurrent_params_radius_and_shapes():
    p = recurrent_params(12, 0.8, rng(), input_size=3)
    assert p.W_xh.shape == (12, 3) and p.W_hh.shape == (12, 12) and p.W_hy.shape == (1, 12)
    assert spectral_radius(p.W_hh) == pytest.approx(0.8)
    assert largest_singular_value(p.W_hh) == pytest.approx(0.8)


def test_matrix_helpers_reject_bad_input():
    with pytest.raises(ValueError, match="square"):
        spectral_radius(np.ones((2, 3)))
    with pytest.raises(ValueError, match="by must be"):
        scale_to(np.eye(2), 1.0, by="frobenius")
    with pytest.raises(ValueError, match="non-negative"):
        scale_to(np.eye(2), -1.0)
    with pytest.raises(ValueError, match="zeros"):
        scale_to(np.zeros((2, 2)), 1.0)
    with pytest.raises(ValueError, match="positive matrix size"):
        orthogonal(0, rng())


# ------------------------------------------------------------------ Jacobian products


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_step_jacobians_match_autograd(activation):
    r = rng(2)
    p = recurrent_params(5, 1.1, r, input_size=2)
    p.b_h[:] = r.normal(size=5) * 0.3
    x = r.standard_normal((2, 4, 2))
    _, hs = rnn_forward(p, x, activation=activation)
    J = step_jacobians(p, hs, activation)
    assert J.shape == (2, 4, 5, 5)
    act = torch.tanh if activation == "tanh" else torch.relu
    W_xh, W_hh, b = (torch.tensor(a) for a in (p.W_xh, p.W_hh, p.b_h))
    for b_i in range(2):
        for t in range(1, 5):  # J[:, t-1] = dh_t/dh_{t-1}
            def step(h, b_i=b_i, t=t):
                return act(W_xh @ torch.tensor(x[b_i, t - 1]) + W_hh @ h + b)
            auto = torch.autograd.functional.jacobian(step, torch.tensor(hs[b_i, t - 1]))
            assert relative_error(J[b_i, t - 1], auto.numpy()) < 1e-12


def test_jacobian_products_reproduce_bptt():
    r = rng(3)
    p = recurrent_params(6, 1.2, r, input_scale=0.5)
    x = r.standard_normal((3, 9, 1))
    ys, hs = rnn_forward(p, x)
    dys = np.zeros_like(ys)
    dys[:, -1] = r.normal(size=(3, 1))
    g = rnn_backward(p, x, hs, dys)
    P = jacobian_products(step_jacobians(p, hs))
    assert P.shape == (3, 10, 6, 6)
    np.testing.assert_allclose(P[:, 0], np.broadcast_to(np.eye(6), (3, 6, 6)))
    via_products = np.einsum("bkij,bi->bkj", P, g.dhs[:, -1])
    via_bptt = np.concatenate([g.dhs[:, ::-1], g.dh0[:, None]], axis=1)
    assert relative_error(via_products, via_bptt) < 1e-12


def test_products_obey_the_bound_and_linear_regime():
    r = rng(4)
    p = recurrent_params(8, 0.7, r, input_scale=1.0)
    s = product_singular_values(p, r.standard_normal((2, 20, 1)))
    assert s.shape == (2, 21, 8)
    assert np.all(np.diff(s, axis=-1) <= 1e-12)  # sorted, largest first
    assert np.all(s[..., 0] <= 0.7 ** np.arange(21) * (1 + 1e-9))  # eq-bound with gamma = 1
    # tiny inputs keep tanh' ~ 1, so the product of (0.7 Q) has norm ~ 0.7^k
    tiny = norm_vs_distance(0.7, T=20, hidden=8, input_scale=1e-4)
    np.testing.assert_allclose(tiny, 0.7 ** np.arange(21), rtol=1e-3)


def test_norm_vs_distance_vanishes_and_explodes():
    assert norm_vs_distance(0.5, T=30)[30] < 1e-8
    assert norm_vs_distance(1.5, T=30, input_scale=0.1)[30] > 10
    with pytest.raises(ValueError, match="positive"):
        norm_vs_distance(1.0, T=0)


def test_radius_of_a_slope_scaled_matrix_can_exceed_the_radius():
    # why rho(W_hh) is only a guide for the RNN's product: D W with D in (0, 1]
    W = np.array([[1.0, 4.0], [-1.0, -3.0]])  # non-normal, eigenvalue -1 twice
    D = np.diag([0.5, 1.0])
    assert spectral_radius(W) == pytest.approx(1.0, abs=1e-6)
    assert spectral_radius(D @ W) > 2.0


def test_distance_setup_is_what_norm_vs_distance_measures():
    params, x = distance_setup(1.2, T=12, hidden=6, batch=3, input_scale=0.5, seed=7)
    assert x.shape == (3, 12, 1) and params.W_hh.shape == (6, 6)
    assert spectral_radius(params.W_hh) == pytest.approx(1.2)
    top = product_singular_values(params, x)[..., 0]  # (B, T + 1)
    want = np.exp(np.log(top).mean(axis=0))
    got = norm_vs_distance(1.2, T=12, hidden=6, batch=3, input_scale=0.5, seed=7)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    with pytest.raises(ValueError, match="positive"):
        distance_setup(1.0, batch=0)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_gradient_ratio_matches_autograd(act):
    torch.manual_seed(0)
    model = SequenceModel("rnn", 2, 5, 1, nonlinearity=act).double()
    x, y = adding_problem(4, 7, rng(8), dtype=torch.float64)
    rnn = model.rnn
    f = torch.tanh if act == "tanh" else torch.relu
    h, hs = torch.zeros(4, 5, dtype=torch.float64), []
    for t in range(7):  # the same recurrence as nn.RNN, keeping every h_t
        h = f(x[:, t] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
              + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        h.retain_grad()
        hs.append(h)
    torch.testing.assert_close(torch.stack(hs, 1), rnn(x)[0])
    torch.nn.functional.mse_loss(model.head(h), y).backward()
    first, last = (hs[i].grad.norm(dim=1).mean().item() for i in (0, -1))
    assert gradient_ratio(model, x, y) == pytest.approx(first / last, rel=1e-9)
    with pytest.raises(ValueError, match="SequenceModel"):
        gradient_ratio(SequenceModel("lstm", 2, 5, 1), x, y)


def test_jacobian_helpers_reject_bad_shapes():
    p = recurrent_params(4, 1.0, rng())
    with pytest.raises(ValueError, match="hs must be"):
        step_jacobians(p, np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="J must be"):
        jacobian_products(np.zeros((2, 3, 4)))


# ------------------------------------------------------------------ clipping


def _torch_clipped(grads, **kw):
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for prm, g in zip(params, grads, strict=True):
        prm.grad = torch.tensor(g)
    if "max_norm" in kw:
        torch.nn.utils.clip_grad_norm_(params, kw["max_norm"])
    else:
        torch.nn.utils.clip_grad_value_(params, kw["clip_value"])
    return [prm.grad.numpy() for prm in params]


@pytest.mark.parametrize("scale", [0.01, 10.0])
def test_clip_by_norm_matches_torch(scale):
    grads = [scale * rng(5).normal(size=(4, 3)), scale * rng(6).normal(size=4)]
    ours = clip_by_norm(grads, 1.0)
    for a, b in zip(ours, _torch_clipped(grads, max_norm=1.0), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert global_norm(ours) <= 1.0 + 1e-9
    if scale == 0.01:  # small gradients pass through unchanged
        for a, g in zip(ours, grads, strict=True):
            np.testing.assert_array_equal(a, g)


def test_clip_by_value_matches_torch_and_can_turn_the_direction():
    grads = [np.array([5.0, 0.05, -3.0]), np.array([[0.2, -0.01]])]
    ours = clip_by_value(grads, 0.1)
    for a, b in zip(ours, _torch_clipped(grads, clip_value=0.1), strict=True):
        np.testing.assert_allclose(a, b)
    flat = np.concatenate([g.ravel() for g in grads])
    clipped = np.concatenate([g.ravel() for g in ours])
    assert flat @ clipped / np.linalg.norm(flat) / np.linalg.norm(clipped) < 0.95


@pytest.mark.parametrize("clip", [None, 0.5])
def test_recorded_step_norms_are_the_norms_after_clipping(clip):
    torch.manual_seed(1)
    model = torch.nn.Linear(3, 2)
    x, y = torch.randn(16, 3), torch.randn(16, 2)

    def step_loss(step):
        return 10 * torch.nn.functional.mse_loss(model(x), y)

    with recorded_step_norms() as used:
        hist = fit(model, step_loss, steps=5, lr=0.01, optimizer="sgd",
                   clip_norm=clip, progress=False)
    raw = np.array(hist.grad_norms)
    want = raw if clip is None else np.minimum(raw, clip)
    assert len(used) == 5 and raw.min() > 0.5  # clipping was active
    np.testing.assert_allclose(used, want, rtol=1e-5)
    fit(model, step_loss, steps=2, lr=0.01, progress=False)
    assert len(used) == 5  # the hook is gone after the block


def test_clipping_rejects_bad_input():
    with pytest.raises(ValueError, match="list of NumPy arrays"):
        clip_by_norm(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="max_norm must be"):
        clip_by_norm([np.ones(3)], 0.0)
    with pytest.raises(ValueError, match="clip_value must be"):
        clip_by_value([np.ones(3)], -1.0)


# ------------------------------------------------------------------ the cliff


def test_scalar_rnn_gradient_matches_finite_differences_and_autograd():
    w, b = np.array([1.7]), np.array([-0.3])
    _, dw, db = scalar_rnn(w, b, T=12)
    errs = check_gradients(lambda: float(scalar_rnn(w, b, T=12)[0].sum()), {"w": w, "b": b},
                           {"w": dw, "b": db})
    assert max(errs.values()) < 1e-7
    wt = torch.tensor(1.7, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(-0.3, dtype=torch.float64, requires_grad=True)
    h = torch.tensor(0.5, dtype=torch.float64)
    for _ in range(12):
        h = torch.tanh(wt * h + bt)
    ((h + 0.5) ** 2).backward()
    assert relative_error(dw, wt.grad.numpy()[None]) < 1e-12
    assert relative_error(db, bt.grad.numpy()[None]) < 1e-12


def test_scalar_rnn_broadcasts_over_a_grid_and_has_a_cliff():
    L, dw, db = scalar_rnn(np.linspace(0, 3, 5)[None, :], np.linspace(-1, 1, 4)[:, None])
    assert L.shape == dw.shape == db.shape == (4, 5)
    b = np.linspace(-1.0, 0.5, 3001)
    loss = scalar_rnn(1.8, b)[0]
    assert np.abs(np.diff(loss)).max() > 0.5  # one tiny step in b changes the loss a lot
    with pytest.raises(ValueError, match="positive number of steps"):
        scalar_rnn(1.0, 0.0, T=0)


def test_loss_along_direction_and_descend():
    def quad(th):
        return float(th @ th)

    out = loss_along_direction(quad, np.array([1.0, 0.0]), np.array([0.0, 1.0]), [-1, 0, 2])
    np.testing.assert_allclose(out, [2.0, 1.0, 5.0])
    with pytest.raises(ValueError, match="direction must have"):
        loss_along_direction(quad, np.zeros(2), np.zeros(3), [0.0])

    def lg(th):
        return float(th @ th), 2 * th

    thetas, losses = descend(lg, np.array([3.0, -4.0]), lr=0.1, steps=50)
    assert thetas.shape == (51, 2) and losses.shape == (51,)
    assert losses[-1] < 1e-8 and np.all(np.diff(losses) < 0)
    thetas, _ = descend(lg, np.array([300.0, -400.0]), lr=0.1, steps=5, clip_norm=1.0)
    assert np.linalg.norm(np.diff(thetas, axis=0), axis=1).max() <= 0.1 + 1e-9
    with pytest.raises(ValueError, match="lr > 0"):
        descend(lg, np.zeros(2), lr=0.0, steps=3)


# ------------------------------------------------------------------ torch initialisations


def test_init_recurrent_identity_and_orthogonal():
    model = SequenceModel("rnn", 2, 6, 1, nonlinearity="relu")
    init_recurrent_(model.rnn, "identity")
    assert torch.equal(model.rnn.weight_hh_l0.detach(), torch.eye(6))
    assert model.rnn.bias_hh_l0.abs().max() == 0 and model.rnn.bias_ih_l0.abs().max() == 0
    init_recurrent_(model.rnn, "orthogonal", rng=rng(), gain=0.9)
    W = model.rnn.weight_hh_l0.detach().double()
    torch.testing.assert_close(W.T @ W, 0.81 * torch.eye(6, dtype=torch.float64), atol=1e-6, rtol=0)


def test_init_recurrent_rejects_bad_input():
    rnn = torch.nn.RNN(2, 4)
    with pytest.raises(ValueError, match="kind must be"):
        init_recurrent_(rnn, "xavier")
    with pytest.raises(ValueError, match="pass rng"):
        init_recurrent_(rnn, "orthogonal")
    with pytest.raises(ValueError, match="one-layer torch.nn.RNN"):
        init_recurrent_(torch.nn.LSTM(2, 4), "identity")
