"""Tests of seqbook.numpy_rnn: torch equivalence, BPTT vs finite differences and autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.gradcheck import check_gradients, relative_error
from seqbook.numpy_rnn import (
    PARAM_NAMES,
    RNNGrads,
    RNNParams,
    hidden_grad_norms,
    init_params,
    mse_loss,
    rnn_backward,
    rnn_forward,
    sgd_step,
    softmax,
    softmax_cross_entropy,
)

B, T, D, H, O = 3, 5, 4, 6, 2  # noqa: E741 (O = output size, as in W_hy (O, H)); small on purpose: every test runs in milliseconds


def torch_model(activation: str, seed: int = 0) -> tuple[torch.nn.RNN, torch.nn.Linear]:
    """A float64 torch RNN + read-out with torch's default initialisation."""
    torch.manual_seed(seed)
    rnn = torch.nn.RNN(D, H, nonlinearity=activation, batch_first=True, dtype=torch.float64)
    return rnn, torch.nn.Linear(H, O, dtype=torch.float64)


def batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random inputs x, initial state h0, regression targets and class labels."""
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(B, T, D)),
        rng.normal(size=(B, H)),
        rng.normal(size=(B, T, O)),
        rng.integers(0, O, size=(B, T)),
    )


def torch_unrolled(
    params: RNNParams,
    x: np.ndarray,
    h0: np.ndarray,
    activation: str,
    loss_fn,
    detach_at: int | None = None,
):
    """An explicit torch loop over time (independent of numpy_rnn) that exposes every h_t.

    If ``detach_at`` is s > 0, the state entering 0-based step s is detached.
    """
    W = {n: torch.tensor(getattr(params, n), requires_grad=True) for n in PARAM_NAMES}
    h = h0_t = torch.tensor(h0, requires_grad=True)
    act = torch.tanh if activation == "tanh" else torch.relu
    xt, hs, ys = torch.from_numpy(x), [], []
    for s in range(x.shape[1]):
        if s == detach_at and s > 0:
            h = h.detach()
        h = act(xt[:, s] @ W["W_xh"].T + h @ W["W_hh"].T + W["b_h"])  # (B, H)
        h.retain_grad()
        hs.append(h)
        ys.append(h @ W["W_hy"].T + W["b_y"])  # (B, O)
    loss_fn(torch.stack(ys, dim=1)).backward()
    zero = torch.zeros_like
    grads = {n: (W[n].grad if W[n].grad is not None else zero(W[n])).numpy() for n in W}
    grads["dh0"] = (h0_t.grad if h0_t.grad is not None else zero(h0_t)).numpy()
    grads["dhs"] = np.stack([(h.grad if h.grad is not None else zero(h)).numpy() for h in hs], 1)
    return grads


# ------------------------------------------------------------------------------ forward


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("with_h0", [False, True])
def test_forward_matches_torch(activation: str, with_h0: bool) -> None:
    rnn, linear = torch_model(activation)
    params = RNNParams.from_torch(rnn, linear)
    x, h0, _, _ = batch()
    ys, hs = rnn_forward(params, x, h0 if with_h0 else None, activation=activation)
    with torch.no_grad():
        out, h_last = rnn(torch.from_numpy(x), torch.from_numpy(h0)[None] if with_h0 else None)
        ys_torch = linear(out)
    assert ys.shape == (B, T, O) and hs.shape == (B, T + 1, H)
    assert np.abs(ys - ys_torch.numpy()).max() < 1e-12
    assert np.abs(hs[:, 1:] - out.numpy()).max() < 1e-12
    assert np.abs(hs[:, -1] - h_last[0].numpy()).max() < 1e-12
    np.testing.assert_array_equal(hs[:, 0], h0 if with_h0 else 0.0)


def test_from_torch_without_biases_and_bad_models() -> None:
    rnn = torch.nn.RNN(D, H, bias=False, batch_first=True, dtype=torch.float64)
    params = RNNParams.from_torch(rnn, torch.nn.Linear(H, O, bias=False, dtype=torch.float64))
    assert not params.b_h.any() and not params.b_y.any() and params.W_xh.dtype == np.float64
    with pytest.raises(ValueError, match="one-layer"):
        RNNParams.from_torch(torch.nn.RNN(D, H, num_layers=2), torch.nn.Linear(H, O))
    with pytest.raises(ValueError, match="nn.RNN, torch.nn.Linear"):
        RNNParams.from_torch(torch.nn.LSTM(D, H), torch.nn.Linear(H, O))
    with pytest.raises(ValueError, match="in_features"):
        RNNParams.from_torch(torch.nn.RNN(D, H), torch.nn.Linear(H + 1, O))


def test_init_params_shapes_dtype_and_seed() -> None:
    p = init_params(D, H, O, np.random.default_rng(1))
    q = init_params(D, H, O, np.random.default_rng(1), scale=0.5, dtype=np.float32)
    assert [getattr(p, n).shape for n in PARAM_NAMES] == [(H, D), (H, H), (H,), (O, H), (O,)]
    assert q.W_hh.dtype == np.float32 and np.abs(q.W_hh).max() <= 0.5
    assert np.abs(p.W_hh).max() <= 1 / np.sqrt(H)
    np.testing.assert_array_equal(p.W_hh, init_params(D, H, O, np.random.default_rng(1)).W_hh)
    with pytest.raises(ValueError, match=r"sizes must be positive integers; got \(4, 0, 2\)"):
        init_params(D, 0, O, np.random.default_rng(0))


# ------------------------------------------------------------------------------ backward


def numpy_loss_and_grads(params, x, h0, targets, labels, activation, loss):
    ys, hs = rnn_forward(params, x, h0, activation)
    value, dys = mse_loss(ys, targets) if loss == "mse" else softmax_cross_entropy(ys, labels)
    return value, rnn_backward(params, x, hs, dys, activation)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_backward_matches_finite_differences(activation: str, loss: str) -> None:
    params = init_params(D, H, O, np.random.default_rng(2), scale=0.6)
    x, h0, targets, labels = batch(3)
    _, grads = numpy_loss_and_grads(params, x, h0, targets, labels, activation, loss)

    def loss_fn() -> float:
        return numpy_loss_and_grads(params, x, h0, targets, labels, activation, loss)[0]

    errs = check_gradients(loss_fn, params, grads)  # dataclass in, dataclass in
    errs |= check_gradients(loss_fn, {"h0": h0}, {"h0": grads.dh0})
    assert set(errs) == {*PARAM_NAMES, "h0"}
    assert max(errs.values()) < 1e-6, errs


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_backward_matches_torch_autograd(activation: str, loss: str) -> None:
    rnn, linear = torch_model(activation, seed=4)
    params = RNNParams.from_torch(rnn, linear)
    x, h0, targets, labels = batch(5)
    value, grads = numpy_loss_and_grads(params, x, h0, targets, labels, activation, loss)

    # 1) against torch's own nn.RNN + nn.Linear
    h0_t = torch.tensor(h0, requires_grad=True)
    ys_t = linear(rnn(torch.from_numpy(x), h0_t[None])[0])
    if loss == "mse":
        loss_t = ((ys_t - torch.from_numpy(targets)) ** 2).sum() / (B * O)
    else:
        flat_labels = torch.from_numpy(labels).reshape(-1)
        loss_t = (
            torch.nn.functional.cross_entropy(ys_t.reshape(-1, O), flat_labels, reduction="sum") / B
        )
    loss_t.backward()
    assert abs(value - loss_t.item()) < 1e-12
    reference = {
        "W_xh": rnn.weight_ih_l0.grad,
        "W_hh": rnn.weight_hh_l0.grad,
        "b_h": rnn.bias_ih_l0.grad,
        "W_hy": linear.weight.grad,
        "b_y": linear.bias.grad,
        "dh0": h0_t.grad,
    }
    torch.testing.assert_close(rnn.bias_ih_l0.grad, rnn.bias_hh_l0.grad)  # both equal db_h
    for name, ref in reference.items():
        assert relative_error(getattr(grads, name), ref.numpy()) < 1e-10, name

    # 2) dL/dh_t for every t, from an unrolled torch loop with retain_grad
    _, dys = (
        mse_loss(rnn_forward(params, x, h0, activation)[0], targets)
        if loss == "mse"
        else softmax_cross_entropy(rnn_forward(params, x, h0, activation)[0], labels)
    )
    ref = torch_unrolled(params, x, h0, activation, lambda ys: (ys * torch.from_numpy(dys)).sum())
    assert relative_error(grads.dhs, ref["dhs"]) < 1e-10


# ---------------------------------------------------------------------------- truncated BPTT


def truncated_reference(params, x, h0, dys, activation, k) -> dict[str, np.ndarray]:
    """Sum over t of the gradient of L_t = <dL/dy_t, y_t>, detaching the state before step t-k+1."""
    total: dict[str, np.ndarray] = {}
    for t in range(x.shape[1]):
        only_t = np.zeros_like(dys)
        only_t[:, t] = dys[:, t]
        w = torch.from_numpy(only_t)
        g = torch_unrolled(params, x, h0, activation, lambda ys, w=w: (ys * w).sum(), t - k + 1)
        total = {n: total.get(n, 0) + g[n] for n in g}
    return total


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_truncated_bptt(activation: str) -> None:
    params = init_params(D, H, O, np.random.default_rng(6), scale=0.8)
    x, h0, targets, _ = batch(7)
    ys, hs = rnn_forward(params, x, h0, activation)
    _, dys = mse_loss(ys, targets)
    full = rnn_backward(params, x, hs, dys, activation)
    names = [*PARAM_NAMES, "dh0", "dhs"]
    for k in (T, T + 3):  # a window that covers the whole sequence is full BPTT
        trunc = rnn_backward(params, x, hs, dys, activation, truncate=k)
        for n in names:
            assert relative_error(getattr(trunc, n), getattr(full, n)) < 1e-12, (k, n)
    for k in (1, 2, 3):  # shorter windows agree with torch + detach, and differ from full BPTT
        trunc = rnn_backward(params, x, hs, dys, activation, truncate=k)
        ref = truncated_reference(params, x, h0, dys, activation, k)
        for n in names:
            assert relative_error(getattr(trunc, n), ref[n]) < 1e-12, (k, n)
        assert relative_error(trunc.W_hh, full.W_hh) > 1e-3


@pytest.mark.parametrize("truncate", [None, 2])
def test_backward_keeps_float32(truncate: int | None) -> None:
    """A float32 model gets float32 gradients (no silent float64 copies) close to float64's."""
    p64 = init_params(D, H, O, np.random.default_rng(11), scale=0.8)
    p32 = RNNParams(*(getattr(p64, n).astype(np.float32) for n in PARAM_NAMES))
    x, _, targets, _ = batch(12)
    grads = {}
    for params, dtype in ((p64, np.float64), (p32, np.float32)):
        xd = x.astype(dtype)
        ys, hs = rnn_forward(params, xd)
        _, dys = mse_loss(ys, targets.astype(dtype))
        grads[dtype] = rnn_backward(params, xd, hs, dys, truncate=truncate)
    for n in [*PARAM_NAMES, "dh0", "dhs"]:
        g32, g64 = getattr(grads[np.float32], n), getattr(grads[np.float64], n)
        assert g32.dtype == np.float32 and g64.dtype == np.float64, n
        assert relative_error(g32, g64) < 1e-4, n


def test_hidden_grad_norms_vanish_backwards_with_small_weights() -> None:
    params = init_params(D, 16, O, np.random.default_rng(8), scale=0.1)
    x = np.random.default_rng(9).normal(size=(2, 12, D))
    ys, hs = rnn_forward(params, x)
    dys = np.zeros_like(ys)
    dys[:, -1] = 1.0  # a loss on the last step only
    grads = rnn_backward(params, x, hs, dys)
    norms = hidden_grad_norms(grads)
    assert norms.shape == (12,)
    np.testing.assert_allclose(norms, np.linalg.norm(grads.dhs, axis=-1).mean(0))
    assert np.all(np.diff(norms) > 0)  # each step back multiplies by a small Jacobian


# ----------------------------------------------------------------------------- losses, SGD


def test_losses_and_softmax() -> None:
    z = np.array([[[1000.0, 1001.0, 999.0]]])
    p = softmax(z)
    assert np.isfinite(p).all() and abs(p.sum() - 1) < 1e-15
    loss, dlogits = softmax_cross_entropy(z, np.array([[1]]))
    assert abs(loss + np.log(p[0, 0, 1])) < 1e-12 and abs(dlogits.sum()) < 1e-15
    loss, dys = mse_loss(np.ones((2, 3, 4)), np.zeros((2, 3, 4)))
    assert loss == pytest.approx(3.0)  # mean over batch of sum over time of mean over features
    np.testing.assert_allclose(dys, 2.0 / (2 * 4))


def test_sgd_trains_and_clips() -> None:
    rng = np.random.default_rng(10)
    params = init_params(1, 8, 1, rng)
    x = rng.normal(size=(8, 6, 1))
    targets = np.cumsum(x, axis=1) * 0.3  # a running sum: needs memory
    losses = []
    for _ in range(150):
        ys, hs = rnn_forward(params, x)
        loss, dys = mse_loss(ys, targets)
        sgd_step(params, rnn_backward(params, x, hs, dys), lr=0.1, clip=5.0)
        losses.append(loss)
    assert losses[-1] < 0.3 * losses[0]

    before = {n: getattr(params, n).copy() for n in PARAM_NAMES}
    grads = RNNGrads(
        **{n: np.full_like(before[n], 100.0) for n in PARAM_NAMES}, dh0=np.zeros(1), dhs=np.zeros(1)
    )
    norm = sgd_step(params, grads, lr=1.0, clip=1.0)
    step = np.sqrt(sum(np.sum((getattr(params, n) - before[n]) ** 2) for n in PARAM_NAMES))
    assert norm == pytest.approx(100.0 * np.sqrt(sum(v.size for v in before.values())))
    assert step == pytest.approx(1.0)


# ------------------------------------------------------------------------------ bad inputs


@pytest.fixture
def setup():
    params = init_params(D, H, O, np.random.default_rng(0))
    x = np.zeros((B, T, D))
    ys, hs = rnn_forward(params, x)
    return params, x, hs, ys


BAD_INPUTS = [  # (call on (params, x, hs, ys), what the message must say)
    (
        lambda p, x, hs, ys: rnn_forward(p, x[0]),
        r"x must be \(batch, time, features\); got shape \(5, 4\)",
    ),
    (
        lambda p, x, hs, ys: rnn_forward(p, x[..., :3]),
        r"x has 3 features .* must be \(batch, time, 4\)",
    ),
    (lambda p, x, hs, ys: rnn_forward(p, x.astype(int)), r"must hold floats.*astype\(np.float64\)"),
    (lambda p, x, hs, ys: rnn_forward(p, torch.zeros(B, T, D)), r"torch.Tensor.*\.detach\(\)"),
    (
        lambda p, x, hs, ys: rnn_forward(p, x, h0=np.zeros((B, H + 1))),
        r"h0 must be \(batch, hidden\) = \(3, 6\); got shape \(3, 7\)",
    ),
    (lambda p, x, hs, ys: rnn_forward(p, x, activation="sigmoid"), r"activation must be one of"),
    (
        lambda p, x, hs, ys: rnn_forward(RNNParams(p.W_xh, p.W_hh[:2], p.b_h, p.W_hy, p.b_y), x),
        r"params.W_hh has shape \(2, 6\).*must be \(6, 6\)",
    ),
    (
        lambda p, x, hs, ys: rnn_backward(p, x, hs, ys[:, :-1]),
        r"dys must be \(batch, time, outputs\) = \(3, 5, 2\)",
    ),
    (lambda p, x, hs, ys: rnn_backward(p, x, hs[:, 1:], ys), r"hs must be \(batch, time \+ 1"),
    (lambda p, x, hs, ys: rnn_backward(p, x, hs, ys, truncate=0), r"truncate must be None"),
    (lambda p, x, hs, ys: mse_loss(ys, ys[:, :2]), r"targets must have the shape of ys"),
    (lambda p, x, hs, ys: softmax_cross_entropy(ys, np.zeros((B, T))), r"labels must be integer"),
    (lambda p, x, hs, ys: softmax_cross_entropy(ys, np.full((B, T), O)), r"lie in 0\.\.1"),
    (lambda p, x, hs, ys: softmax_cross_entropy(ys, np.zeros(B, int)), r"labels must be \(batch"),
    (lambda p, x, hs, ys: sgd_step(p, None, lr=0.0), r"lr must be a positive"),
]


@pytest.mark.parametrize("call, match", BAD_INPUTS)
def test_bad_inputs_raise_helpful_errors(setup, call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call(*setup)
