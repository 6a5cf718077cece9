"""Feedback for the exercises of chapters/05_lstm_gru.ipynb.

Each ``check_...`` runs the learner's function on random inputs, compares it with an
expected answer, prints what is right or wrong, and returns True or False. The LSTM
variants are those studied by Greff et al. (2017): peephole connections, coupled input
and forget gates (CIFG), and the original LSTM without a forget gate (Hochreiter &
Schmidhuber 1997). Where possible the expected answer comes from the plain ``lstm_cell``
with weights chosen to make it the variant (an anchor independent of the solutions):
CIFG is an LSTM whose input-gate weights are minus its forget-gate weights, since
sigmoid(-a) = 1 - sigmoid(a); the cell without a forget gate is an LSTM whose forget gate
is held at 1 by a huge bias. The ``..._reference`` functions are the written solutions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqbook.exercises import call_learner, learner_array, learner_number
from seqbook.numpy_gated import LSTMParams, init_params, lstm_cell, sigmoid

Cell = Callable[..., tuple[np.ndarray, np.ndarray]]


def _pre_activations(p: LSTMParams, x_t: np.ndarray, h: np.ndarray) -> list[np.ndarray]:
    """W_ih x_t + b_ih + W_hh h + b_hh split into the (i, f, g, o) blocks, each (B, H)."""
    return np.split(x_t @ p.W_ih.T + p.b_ih + h @ p.W_hh.T + p.b_hh, 4, axis=1)


def peephole_cell_reference(p: LSTMParams, peep: tuple[np.ndarray, np.ndarray, np.ndarray],
                            x_t: np.ndarray, h: np.ndarray, c: np.ndarray):
    """LSTM with peepholes: i and f also see c_{t-1}, o sees c_t (diagonal weights, each (H,))."""
    w_ci, w_cf, w_co = peep
    a_i, a_f, a_g, a_o = _pre_activations(p, x_t, h)
    i, f = sigmoid(a_i + w_ci * c), sigmoid(a_f + w_cf * c)
    c_new = f * c + i * np.tanh(a_g)
    return sigmoid(a_o + w_co * c_new) * np.tanh(c_new), c_new


def cifg_cell_reference(p: LSTMParams, x_t: np.ndarray, h: np.ndarray, c: np.ndarray):
    """Coupled input and forget gates: i = 1 - f, so the input-gate rows of p are unused."""
    _, a_f, a_g, a_o = _pre_activations(p, x_t, h)
    f = sigmoid(a_f)
    c_new = f * c + (1 - f) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_new), c_new


def no_forget_cell_reference(p: LSTMParams, x_t: np.ndarray, h: np.ndarray, c: np.ndarray):
    """The 1997 LSTM: no forget gate, c_t = c_{t-1} + i g (the forget-gate rows are unused)."""
    a_i, _, a_g, a_o = _pre_activations(p, x_t, h)
    c_new = c + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_new), c_new


def cifg_as_lstm(p: LSTMParams) -> LSTMParams:
    """A copy of p whose input-gate rows are minus its forget-gate rows, so i = 1 - f."""
    q = LSTMParams(p.W_ih.copy(), p.W_hh.copy(), p.b_ih.copy(), p.b_hh.copy())
    i, f = q.gate_rows("i"), q.gate_rows("f")
    for a in (q.W_ih, q.W_hh, q.b_ih, q.b_hh):
        a[i] = -a[f]
    return q


def no_forget_as_lstm(p: LSTMParams) -> LSTMParams:
    """A copy of p with a forget-gate bias so large that f = 1 in float64."""
    q = LSTMParams(p.W_ih.copy(), p.W_hh.copy(), p.b_ih.copy(), p.b_hh.copy())
    q.b_ih[q.gate_rows("f")] = 1e4  # sigmoid(1e4 + anything small) == 1.0
    return q


def _as_lstm(make: Callable[[LSTMParams], LSTMParams]) -> Cell:
    """The plain lstm_cell run on weights that turn it into a variant."""
    return lambda p, x_t, h, c: lstm_cell(make(p), x_t, h, c)[:2]


def _random_case(seed: int, B: int = 3, D: int = 4, H: int = 5):
    rng = np.random.default_rng(seed)
    p = init_params("lstm", D, H, rng)
    p.b_ih[:] = rng.normal(size=4 * H)  # make every gate matter
    return p, rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng


def _compare(fn: Cell, reference: Cell, extra: Callable[[np.random.Generator, int], tuple],
             name: str) -> bool:
    """Run ``fn`` and ``reference`` on the same random cases and report the first mismatch."""
    if not callable(fn):
        print(call_learner(fn)[1])
        return False
    for seed in range(3):
        p, x_t, h, c, rng = _random_case(seed)
        args = extra(rng, p.hidden_size)
        try:
            got = fn(p, *args, x_t.copy(), h.copy(), c.copy())
        except Exception as err:  # feedback for any error the learner's code raises
            print(f"Your {name} raised {type(err).__name__}: {err}")
            return False
        want = reference(p, *args, x_t, h, c)
        if not (isinstance(got, tuple) and len(got) == 2):
            print(f"{name} must return the pair (h_t, c_t); got {type(got).__name__}")
            return False
        pairs = zip(("h_t", "c_t"), got, want, strict=True)
        for label, g, w in reversed(list(pairs)):  # c_t first: h_t depends on it
            g, err = learner_array(g, None, f"{label} as an array")
            if err:
                print(f"{label}: {err}")
                return False
            if np.shape(g) != w.shape:
                print(f"{label} has shape {np.shape(g)}; expected (batch, hidden) = {w.shape}")
                return False
            if not np.allclose(g, w, atol=1e-10):
                hint = " (c_t is right, so look at h_t = o_t * tanh(c_t))" if label == "h_t" else ""
                print(f"{label} differs from the expected value by up to "
                      f"{np.abs(np.asarray(g) - w).max():.3g}{hint}")
                return False
    print(f"Correct: your {name} matches the expected cell on 3 random batches.")
    return True


def check_peephole_cell(fn: Cell) -> bool:
    """Check ``fn(p, peep, x_t, h, c) -> (h_t, c_t)``, an LSTM step with peephole weights."""

    def peep(rng: np.random.Generator, H: int) -> tuple:
        return ((rng.normal(size=H), rng.normal(size=H), rng.normal(size=H)),)

    p, x_t, h, c, _ = _random_case(0)
    zeros = (np.zeros(p.hidden_size),) * 3
    got, err = call_learner(fn, p, zeros, x_t, h, c)
    if err is None and not (isinstance(got, tuple) and len(got) == 2):
        err = f"the peephole cell must return the pair (h_t, c_t); got {type(got).__name__}"
    if err is None:
        got, err = learner_array(got[0], h.shape, "h_t as an array")
    if err:
        print(err)
        return False
    same = np.allclose(got, lstm_cell(p, x_t, h, c)[0], atol=1e-10)
    if not same:
        print("With all peephole weights zero the cell must equal lstm_cell; it does not, so "
              "the mistake is in the plain LSTM part (gate order is i, f, g, o).")
        return False
    return _compare(fn, peephole_cell_reference, peep, "peephole cell")


def check_cifg_cell(fn: Cell) -> bool:
    """Check ``fn(p, x_t, h, c) -> (h_t, c_t)``, an LSTM step with i_t = 1 - f_t.

    Expected: lstm_cell with input-gate weights = -(forget-gate weights).
    """
    return _compare(fn, _as_lstm(cifg_as_lstm), lambda rng, H: (), "coupled-gate cell")


def check_no_forget_cell(fn: Cell) -> bool:
    """Check ``fn(p, x_t, h, c) -> (h_t, c_t)``, the LSTM step without a forget gate.

    Expected: lstm_cell with the forget gate held at 1 by a huge bias.
    """
    return _compare(fn, _as_lstm(no_forget_as_lstm), lambda rng, H: (),
                    "no-forget-gate cell")


def check_param_count(fn: Callable[[str, int, int], int]) -> bool:
    """Check ``fn(kind, D, H)``: trainable numbers of a one-layer torch RNN, LSTM or GRU."""
    import torch

    layers = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
    if not callable(fn):
        print(call_learner(fn)[1])
        return False
    for kind, layer in layers.items():
        for D, H in ((1, 1), (2, 16), (10, 7)):
            want = sum(t.numel() for t in layer(D, H).parameters())
            try:
                got = fn(kind, D, H)
            except Exception as err:  # feedback for any error the learner's code raises
                print(f"Your function raised {type(err).__name__}: {err}")
                return False
            got, err = learner_number(got, "the count as a number")
            if err:
                print(f"{kind} with D={D}, H={H}: {err}")
                return False
            if got != want:
                print(f"{kind} with D={D}, H={H}: torch has {want} parameters, you said {got}. "
                      "Remember that torch keeps two bias vectors, b_ih and b_hh.")
                return False
    print("Correct: your formula matches torch for the RNN, LSTM and GRU at three sizes.")
    return True


# ------------------------------------------------------------------ a gated backward pass

def lstm_step_backward_reference(p: LSTMParams, x_t: np.ndarray, h: np.ndarray, c: np.ndarray,
                                 dh_t: np.ndarray, dc_t: np.ndarray):
    """One LSTM step backward (the written solution of exercise 6).

    ``dh_t`` is the total dL/dh_t, ``dc_t`` the dL/dc_t arriving from step t + 1 along the
    cell path. Returns (dx_t, dh_prev, dc_prev, dW_ih, dW_hh, db), where db is the gradient
    of either bias vector (both enter every gate in the same way).
    """
    a_i, a_f, a_g, a_o = _pre_activations(p, x_t, h)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_new = f * c + i * g
    tanh_c = np.tanh(c_new)
    dc = dc_t + dh_t * o * (1 - tanh_c**2)  # both routes into c_t
    da = np.concatenate([dc * g * i * (1 - i), dc * c * f * (1 - f),
                         dc * i * (1 - g**2), dh_t * tanh_c * o * (1 - o)], axis=1)
    return (da @ p.W_ih, da @ p.W_hh, dc * f, da.T @ x_t, da.T @ h, da.sum(axis=0))


STEP_GRADS = ("dx_t", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db")
STEP_HINTS = {
    "dc_prev": "the cell path: dL/dc_{t-1} = (total dL/dc_t) * f_t",
    "dW_ih": "dW_ih = da^T x_t, with da the (B, 4H) pre-activation gradients in order i, f, g, o",
    "dW_hh": "dW_hh = da^T h_{t-1}",
    "db": "db sums da over the batch",
    "dx_t": "dx_t = da W_ih",
    "dh_prev": "dh_{t-1} = da W_hh: the old state reaches the loss only through the gates",
}


def _autograd_step(p: LSTMParams, x_t, h, c, dh_t, dc_t) -> dict[str, np.ndarray]:
    """The expected gradients, from torch's autograd through one torch.nn.LSTMCell step."""
    import torch

    cell = torch.nn.LSTMCell(p.W_ih.shape[1], p.hidden_size).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                               (p.W_ih, p.W_hh, p.b_ih, p.b_hh), strict=True):
            getattr(cell, name).copy_(torch.from_numpy(value))
    xs, hs, cs = (torch.tensor(a, requires_grad=True) for a in (x_t, h, c))
    h_new, c_new = cell(xs, (hs, cs))
    ((h_new * torch.from_numpy(dh_t)).sum() + (c_new * torch.from_numpy(dc_t)).sum()).backward()
    grads = (xs.grad, hs.grad, cs.grad, cell.weight_ih.grad, cell.weight_hh.grad, cell.bias_ih.grad)
    return {k: v.numpy() for k, v in zip(STEP_GRADS, grads, strict=True)}


def check_lstm_step_backward(fn: Callable[..., tuple]) -> bool:
    """Check ``fn(p, x_t, h, c, dh_t, dc_t)``, one LSTM step backward, against autograd.

    Expected: the six gradients of ``lstm_step_backward_reference``, computed here by torch's
    autograd through ``torch.nn.LSTMCell`` with the same weights (float64).
    """
    if not callable(fn):
        print(call_learner(fn)[1])
        return False
    for seed in range(3):
        p, x_t, h, c, rng = _random_case(seed)
        dh_t, dc_t = rng.normal(size=h.shape), rng.normal(size=c.shape)
        try:
            got = fn(p, x_t.copy(), h.copy(), c.copy(), dh_t.copy(), dc_t.copy())
        except Exception as err:  # feedback for any error the learner's code raises
            print(f"Your backward step raised {type(err).__name__}: {err}")
            return False
        if not (isinstance(got, tuple) and len(got) == len(STEP_GRADS)):
            print(f"return the tuple ({', '.join(STEP_GRADS)}); got {type(got).__name__}"
                  + (f" of length {len(got)}" if isinstance(got, tuple) else ""))
            return False
        want = _autograd_step(p, x_t, h, c, dh_t, dc_t)
        for name, g in zip(STEP_GRADS, got, strict=True):
            w = want[name]
            g, err = learner_array(g, None, f"{name} as an array")
            if err:
                print(f"{name}: {err}")
                return False
            if np.shape(g) != w.shape:
                print(f"{name} has shape {np.shape(g)}; expected {w.shape}")
                return False
            if not np.allclose(g, w, atol=1e-9):
                print(f"{name} differs from autograd by up to "
                      f"{np.abs(np.asarray(g) - w).max():.3g}. Hint: {STEP_HINTS[name]}")
                return False
    print("Correct: all six gradients match torch's autograd on 3 random batches.")
    return True
