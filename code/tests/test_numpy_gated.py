"""Tests of seqbook.numpy_gated: torch equivalence, BPTT vs finite differences and autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.gradcheck import check_gradients
from seqbook.numpy_gated import (
    GRU_GATES,
    LSTM_GATES,
    PARAM_NAMES,
    GRUParams,
    LSTMParams,
    gate,
    grad_vs_distance,
    gru_backward,
    gru_cell,
    gru_forward,
    init_params,
    lstm_backward,
    lstm_cell,
    lstm_forward,
    sigmoid,
)
from seqbook.numpy_rnn import RNNParams

B, T, D, H = 3, 5, 4, 6  # small on purpose: every test runs in milliseconds
LAYERS = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def torch_layer(kind: str, seed: int = 0) -> torch.nn.Module:
    """A float64 torch layer with torch's default initialisation."""
    torch.manual_seed(seed)
    return LAYERS[kind](D, H, batch_first=True, dtype=torch.float64)


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Inputs x, initial states h0 and c0, and weights R of the test loss L = sum(R * h)."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H)),
            rng.normal(size=(B, T, H)))


def run(kind: str, p, x, h0, c0):
    return lstm_forward(p, x, h0, c0) if kind == "lstm" else gru_forward(p, x, h0)


def backward(kind: str, p, trace, dh):
    return (lstm_backward if kind == "lstm" else gru_backward)(p, trace, dh)


def params_of(kind: str, layer):
    return (LSTMParams if kind == "lstm" else GRUParams).from_torch(layer)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_forward_equals_torch(kind):
    layer = torch_layer(kind)
    p = params_of(kind, layer)
    x, h0, c0, _ = data()
    trace = run(kind, p, x, h0, c0)
    state = (torch.tensor(h0[None]), torch.tensor(c0[None])) if kind == "lstm" else torch.tensor(
        h0[None])
    out, last = layer(torch.tensor(x), state)
    assert trace.hs.shape == (B, T + 1, H)
    assert trace.gates.shape == (B, T, len(p.GATES) * H)
    assert np.abs(trace.hs[:, 1:] - out.detach().numpy()).max() < 1e-12
    if kind == "lstm":
        assert np.abs(trace.cs[:, -1] - last[1][0].detach().numpy()).max() < 1e-12


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_zero_initial_state_is_the_default(kind):
    layer = torch_layer(kind, seed=1)
    p = params_of(kind, layer)
    x = data()[0]
    out, _ = layer(torch.tensor(x))
    assert np.abs(run(kind, p, x, None, None).hs[:, 1:] - out.detach().numpy()).max() < 1e-12


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_backward_equals_autograd(kind):
    layer = torch_layer(kind, seed=2)
    p = params_of(kind, layer)
    x, h0, c0, R = data(1)
    g = backward(kind, p, run(kind, p, x, h0, c0), R)
    xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (x, h0[None], c0[None]))
    out, _ = layer(xt, (h0t, c0t) if kind == "lstm" else h0t)
    (out * torch.tensor(R)).sum().backward()
    for name in PARAM_NAMES:
        torch_name = {"W": "weight", "b": "bias"}[name[0]] + name[1:] + "_l0"
        assert np.abs(getattr(g, name) - getattr(layer, torch_name).grad.numpy()).max() < 1e-10
    assert np.abs(g.dx - xt.grad.numpy()).max() < 1e-10
    assert np.abs(g.dh0 - h0t.grad.numpy()[0]).max() < 1e-10
    if kind == "lstm":
        assert np.abs(g.dc0 - c0t.grad.numpy()[0]).max() < 1e-10


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_backward_equals_finite_differences(kind):
    rng = np.random.default_rng(3)
    p = init_params(kind, D, H, rng)
    x, h0, c0, R = data(2)
    g = backward(kind, p, run(kind, p, x, h0, c0), R)

    def loss() -> float:
        return float((run(kind, p, x, h0, c0).hs[:, 1:] * R).sum())

    errors = check_gradients(loss, {**{n: getattr(p, n) for n in PARAM_NAMES}, "x": x, "h0": h0},
                             {**{n: getattr(g, n) for n in PARAM_NAMES}, "x": g.dx, "h0": g.dh0})
    assert max(errors.values()) < 1e-6, errors


def test_backward_is_wrong_for_a_wrong_cache():
    """The check can fail: a trace of other inputs gives a gradient far from the true one."""
    p = init_params("lstm", D, H, np.random.default_rng(0))
    x, h0, c0, R = data()
    good = lstm_backward(p, lstm_forward(p, x, h0, c0), R)
    bad = lstm_backward(p, lstm_forward(p, x + 1.0, h0, c0), R)
    assert np.abs(good.W_hh - bad.W_hh).max() > 1e-3


def test_lstm_gate_order_matches_torch():
    """With b_f = +30 and b_i = -30 in torch's rows, the cell keeps c_0 exactly (f=1, i=0)."""
    layer = torch_layer("lstm")
    with torch.no_grad():
        layer.bias_ih_l0[H:2 * H] = 30.0  # torch's forget-gate rows
        layer.bias_ih_l0[:H] = -30.0  # torch's input-gate rows
    p = LSTMParams.from_torch(layer)
    x, h0, c0, _ = data()
    trace = lstm_forward(p, x, h0, c0)
    assert np.abs(trace.cs[:, -1] - c0).max() < 1e-10
    assert gate(p, trace, "f").min() > 1 - 1e-10
    assert p.gate_rows("f") == slice(H, 2 * H) and LSTM_GATES == ("i", "f", "g", "o")


def test_gru_reset_gate_scales_the_hidden_part_after_the_matrix():
    """torch's form: with r = 0 the candidate ignores both W_hn h and b_hn (Cho's keeps b_hn)."""
    p = init_params("gru", D, H, np.random.default_rng(0))
    p.b_ih[p.gate_rows("r")] = -60.0  # r = sigmoid(-60) ~ 0
    p.b_hh[p.gate_rows("n")] = 5.0
    x, h0, _, _ = data()
    _, gates, _ = gru_cell(p, x[:, 0], h0)
    n = gates[:, p.gate_rows("n")]
    expected = np.tanh(x[:, 0] @ p.W_ih[p.gate_rows("n")].T + p.b_ih[p.gate_rows("n")])
    assert np.abs(n - expected).max() < 1e-12
    assert GRU_GATES == ("r", "z", "n")


def test_cell_state_path_is_additive():
    """With f = 1 and no recurrent weights, dL/dc_t is the same at every step: nothing decays."""
    p = init_params("lstm", D, H, np.random.default_rng(0), forget_bias=60.0)
    p.W_hh[...] = 0.0
    x, h0, c0, _ = data()
    dh = np.zeros((B, T, H))
    dh[:, -1] = 1.0  # loss on the last output only
    g = lstm_backward(p, lstm_forward(p, x, h0, c0), dh)
    assert np.abs(g.dcs - g.dcs[:, -1:]).max() < 1e-12
    assert np.abs(g.dc0 - g.dcs[:, -1]).max() < 1e-12 and np.abs(g.dc0).min() > 0


def test_cells_match_forward():
    p = init_params("lstm", D, H, np.random.default_rng(0))
    x, h0, c0, _ = data()
    h1, c1, _ = lstm_cell(p, x[:, 0], h0, c0)
    trace = lstm_forward(p, x, h0, c0)
    assert np.allclose(h1, trace.hs[:, 1]) and np.allclose(c1, trace.cs[:, 1])


def test_init_params_shapes_and_forget_bias():
    p = init_params("lstm", D, H, np.random.default_rng(0), forget_bias=1.0)
    assert p.W_ih.shape == (4 * H, D) and p.W_hh.shape == (4 * H, H) and p.hidden_size == H
    assert p.b_ih[p.gate_rows("f")].min() > 1 - 1 / np.sqrt(H) - 1e-12
    q = init_params("gru", D, H, np.random.default_rng(0))
    assert q.W_ih.shape == (3 * H, D) and isinstance(q, GRUParams)


def test_bad_input_explains_itself():
    p = init_params("lstm", D, H, np.random.default_rng(0))
    q = init_params("gru", D, H, np.random.default_rng(0))
    x, h0, c0, R = data()
    with pytest.raises(ValueError, match="batch, time, features"):
        lstm_forward(p, x[0])
    with pytest.raises(ValueError, match="features per step"):
        lstm_forward(p, x[..., :2])
    with pytest.raises(ValueError, match="torch.Tensor"):
        lstm_forward(p, torch.tensor(x))
    with pytest.raises(ValueError, match="LSTMParams"):
        lstm_forward(q, x)
    with pytest.raises(ValueError, match="h0 must be"):
        gru_forward(q, x, h0[:2])
    with pytest.raises(ValueError, match="c0 must be"):
        lstm_forward(p, x, h0, c0[:, :2])
    with pytest.raises(ValueError, match="dh_out must be"):
        lstm_backward(p, lstm_forward(p, x), R[:, :2])
    with pytest.raises(ValueError, match="kind must be"):
        init_params("rnn", D, H, np.random.default_rng(0))
    with pytest.raises(ValueError, match="forget_bias"):
        init_params("gru", D, H, np.random.default_rng(0), forget_bias=1.0)
    with pytest.raises(ValueError, match="gate must be one of"):
        p.gate_rows("z")
    with pytest.raises(ValueError, match="num_layers=1"):
        LSTMParams.from_torch(torch.nn.LSTM(D, H, num_layers=2))
    with pytest.raises(ValueError, match="expects a GRU"):
        GRUParams.from_torch(torch.nn.LSTM(D, H))


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_grad_vs_distance_equals_an_unrolled_torch_cell(kind):
    """d(w . h_T)/dh_t from torch cells unrolled by hand, with retain_grad on every h_t."""
    torch.manual_seed(4)
    cell = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[kind](
        D, H, dtype=torch.float64)
    W = [t.detach().numpy().astype(np.float64) for t in
         (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
    if kind == "rnn":
        p = RNNParams(W[0], W[1], W[2] + W[3], np.zeros((1, H)), np.zeros(1))
    else:
        p = (LSTMParams if kind == "lstm" else GRUParams)(*W)
    x, _, _, _ = data(3)
    w = np.random.default_rng(5).normal(size=H)
    h = torch.zeros(B, H, dtype=torch.float64)
    c, hs = torch.zeros_like(h), []
    for t in range(T):
        if kind == "lstm":
            h, c = cell(torch.tensor(x[:, t]), (h, c))
        else:
            h = cell(torch.tensor(x[:, t]), h)
        h.retain_grad()
        hs.append(h)
    (h @ torch.tensor(w)).sum().backward()
    expected = np.array([np.linalg.norm(s.grad.numpy(), axis=1).mean() for s in hs[::-1]])
    got = grad_vs_distance(p, x, w)
    assert got.shape == (T,) and np.abs(got - expected).max() < 1e-12
    assert abs(got[0] - np.linalg.norm(w)) < 1e-12  # distance 0: the read-out itself
    with pytest.raises(ValueError, match="read-out vector"):
        grad_vs_distance(p, x, w[:2])


def test_sigmoid_is_the_logistic_function_without_overflow():
    a = np.linspace(-30, 30, 61)
    assert np.abs(sigmoid(a) - 1 / (1 + np.exp(-a))).max() < 1e-15
    with np.errstate(over="raise"):
        assert sigmoid(np.array([-1e4]))[0] == 0.0 and sigmoid(np.array([1e4]))[0] == 1.0


def test_grad_vs_distance_at_the_cell_state_equals_torch():
    """state='c': d(w . h_T)/dc_t from an unrolled torch LSTMCell; only for LSTMs."""
    torch.manual_seed(6)
    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    p = LSTMParams(*(t.detach().numpy().astype(np.float64) for t in
                     (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)))
    x, _, _, _ = data(4)
    w = np.random.default_rng(7).normal(size=H)
    h = torch.zeros(B, H, dtype=torch.float64)
    c, cs = torch.zeros_like(h), []
    for t in range(T):
        h, c = cell(torch.tensor(x[:, t]), (h, c))
        c.retain_grad()
        cs.append(c)
    (h @ torch.tensor(w)).sum().backward()
    expected = np.array([np.linalg.norm(s.grad.numpy(), axis=1).mean() for s in cs[::-1]])
    got = grad_vs_distance(p, x, w, state="c")
    assert got.shape == (T,) and np.abs(got - expected).max() < 1e-12
    assert np.abs(got - grad_vs_distance(p, x, w)).max() > 1e-3  # not the h curve
    with pytest.raises(ValueError, match="'c' for an LSTM"):
        grad_vs_distance(init_params("gru", D, H, np.random.default_rng(0)), x, w, state="c")
    with pytest.raises(ValueError, match="state must be"):
        grad_vs_distance(p, x, w, state="x")
