"""LSTM and GRU layers in NumPy: forward pass and backpropagation through time through the gates.

Taught in chapters/05_lstm_gru.ipynb (cells, BPTT, gradient flow) and used in
chapters/06_lstm_gru_in_practice.ipynb (gate activations of a trained model). Weights use
PyTorch's layout, so ``LSTMParams.from_torch(nn.LSTM(...))`` copies a torch layer straight in:
the gate blocks are stacked along the rows of ``W_ih`` (G*H, D) and ``W_hh`` (G*H, H), in
torch's order, LSTM (i, f, g, o) and GRU (r, z, n), with two bias vectors b_ih and b_hh.

    LSTM:  i, f, o = sigmoid(.)  g = tanh(.)  c_t = f * c_{t-1} + i * g   h_t = o * tanh(c_t)
    GRU:   r, z = sigmoid(.)   n = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))
           h_t = (1 - z) * n + z * h_{t-1}

The GRU follows torch: the reset gate multiplies (W_hn h + b_hn), after the matrix product;
Cho et al. (2014) applied it to h before the product, W_hn (r * h). Arrays are batched: x is
(B, T, D), states (B, T+1, H) with the initial state at index 0. Use float64 for checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from seqbook import checks as _checks
from seqbook.numpy_rnn import RNNParams, _float_array, rnn_backward, rnn_forward

if TYPE_CHECKING:  # torch is only needed to copy weights from a torch layer
    import torch

LSTM_GATES = ("i", "f", "g", "o")  # torch's order of the row blocks
GRU_GATES = ("r", "z", "n")
PARAM_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-a)), computed without overflow warnings."""
    _checks.array("a", a, None, kind="number", min_size=0)
    return 0.5 * (1.0 + np.tanh(0.5 * a))


@dataclass
class GatedParams:
    """The four weight arrays of one gated recurrent layer, gate blocks stacked along rows."""

    W_ih: np.ndarray  # (G*H, D) input -> gates
    W_hh: np.ndarray  # (G*H, H) hidden -> gates
    b_ih: np.ndarray  # (G*H,)
    b_hh: np.ndarray  # (G*H,)

    GATES: ClassVar[tuple[str, ...]] = ()  # set by the subclasses

    @property
    def hidden_size(self) -> int:
        return int(np.shape(self.W_hh)[1])

    def gate_rows(self, gate: str) -> slice:
        """The rows of W_ih, W_hh, b_ih, b_hh that belong to ``gate`` (e.g. 'f')."""
        if gate not in self.GATES:
            raise ValueError(f"gate must be one of {self.GATES} for {type(self).__name__}")
        k, H = self.GATES.index(gate), self.hidden_size
        return slice(k * H, (k + 1) * H)

    @classmethod
    def from_torch(cls, layer: torch.nn.Module) -> GatedParams:
        """Copy the weights of a one-layer, one-direction torch layer, in float64."""
        import torch

        want = torch.nn.LSTM if cls is LSTMParams else torch.nn.GRU
        if not isinstance(layer, want):
            raise ValueError(f"{cls.__name__}.from_torch expects a {want.__name__}; "
                             f"got {type(layer).__name__}")
        if layer.num_layers != 1 or layer.bidirectional or getattr(layer, "proj_size", 0):
            raise ValueError("from_torch needs num_layers=1, bidirectional=False, no proj_size; "
                             "copy each layer of a stack separately")

        def f64(name: str) -> np.ndarray:
            if not layer.bias and name.startswith("b"):
                return np.zeros(len(cls.GATES) * layer.hidden_size)
            t = getattr(layer, {"W": "weight", "b": "bias"}[name[0]] + name[1:] + "_l0")
            return t.detach().cpu().numpy().astype(np.float64)  # a copy, never a view

        return cls(*(f64(n) for n in PARAM_NAMES))


class LSTMParams(GatedParams):
    """LSTM weights; row blocks (i, f, g, o) as in ``torch.nn.LSTM``."""

    GATES = LSTM_GATES


class GRUParams(GatedParams):
    """GRU weights; row blocks (r, z, n) as in ``torch.nn.GRU``."""

    GATES = GRU_GATES


def init_params(kind: str, input_size: int, hidden_size: int, rng: np.random.Generator,
                forget_bias: float = 0.0) -> GatedParams:
    """Draw weights uniformly from +-1/sqrt(H) like torch; ``forget_bias`` is added to b_f."""
    if kind not in ("lstm", "gru"):
        raise ValueError(f"kind must be 'lstm' or 'gru'; got {kind!r}")
    D = _checks.integer("input_size", input_size, minimum=1)
    H = _checks.integer("hidden_size", hidden_size, minimum=1)
    _checks.generator("rng", rng)
    _checks.number("forget_bias", forget_bias, hint=" (such as 0.0 or 1.0)")
    cls = LSTMParams if kind == "lstm" else GRUParams
    G, s = len(cls.GATES), 1.0 / np.sqrt(H)
    p = cls(*(rng.uniform(-s, s, size=shape) for shape in [(G * H, D), (G * H, H), (G * H,),
                                                           (G * H,)]))
    if forget_bias:
        if kind != "lstm":
            raise ValueError("forget_bias applies to the LSTM's forget gate; use kind='lstm'")
        p.b_ih[p.gate_rows("f")] += forget_bias
    return p


@dataclass
class Trace:
    """What a forward pass computed, kept for the backward pass and for plotting the gates."""

    x: np.ndarray  # (B, T, D)
    hs: np.ndarray  # (B, T+1, H), hs[:, 0] = h_0
    gates: np.ndarray  # (B, T, G*H) gate values after their nonlinearity, torch's block order
    cs: np.ndarray | None = None  # (B, T+1, H) LSTM cell states
    hn: np.ndarray | None = None  # (B, T, H) GRU's W_hn h_{t-1} + b_hn, needed by backward


@dataclass
class GatedGrads:
    """Gradients of a scalar loss: every weight, the inputs, the initial and every state."""

    W_ih: np.ndarray  # (G*H, D)
    W_hh: np.ndarray  # (G*H, H)
    b_ih: np.ndarray  # (G*H,)
    b_hh: np.ndarray  # (G*H,)
    dx: np.ndarray  # (B, T, D)
    dh0: np.ndarray  # (B, H)
    dhs: np.ndarray  # (B, T, H) dL/dh_t for t = 1..T, everything that reached h_t
    dc0: np.ndarray | None = None  # (B, H) LSTM only
    dcs: np.ndarray | None = None  # (B, T, H) LSTM only: dL/dc_t


def gate(params: GatedParams, trace: Trace, name: str) -> np.ndarray:
    """The values of one gate over a batch, (B, T, H), e.g. ``gate(p, trace, 'f')``."""
    _checks.instance("params", params, GatedParams, "LSTMParams or GRUParams")
    _checks.instance("trace", trace, Trace, "the Trace that lstm_forward or gru_forward returns")
    if trace.gates.shape[-1] != len(params.GATES) * params.hidden_size:
        raise ValueError(f"trace holds {trace.gates.shape[-1]} gate values per step; params "
                         f"({type(params).__name__}, H={params.hidden_size}) has "
                         f"{len(params.GATES) * params.hidden_size}: pass the trace of params")
    return trace.gates[..., params.gate_rows(name)]


def _check(params: GatedParams, want: type, x: object, state: object, name: str) -> np.ndarray:
    """Check the weight shapes, x (B, T, D) and an optional initial state (B, H)."""
    if not isinstance(params, want):
        raise ValueError(f"params must be {want.__name__}; got {type(params).__name__}")
    H, G = params.hidden_size, len(params.GATES)
    D = np.shape(params.W_ih)[1] if np.ndim(params.W_ih) == 2 else -1
    for field, shape in {"W_ih": (G * H, D), "W_hh": (G * H, H), "b_ih": (G * H,),
                         "b_hh": (G * H,)}.items():
        if np.shape(getattr(params, field)) != shape:
            raise ValueError(f"params.{field} has shape {np.shape(getattr(params, field))}; "
                             f"with H={H}, D={D} and {G} gates it must be {shape}")
    x = _float_array("x", x, "(batch, time, features)", 3)
    if x.shape[2] != D:
        raise ValueError(f"x has {x.shape[2]} features per step, but W_ih expects D={D}")
    _checks.array("x", x, 3, "(batch, time, features)", min_size=1, finite=True)
    if state is not None and np.shape(state) != (x.shape[0], H):
        raise ValueError(f"{name} must be (batch, hidden) = {(x.shape[0], H)}; "
                         f"got {np.shape(state)}")
    if state is not None:
        _checks.array(name, state, 2, "(batch, hidden)", kind="number", finite=True)
    return x


def _zeros_or(state: np.ndarray | None, B: int, H: int, dtype: type) -> np.ndarray:
    return np.zeros((B, H), dtype) if state is None else np.asarray(state, dtype)


# ----------------------------------------------------------------------------- LSTM


def lstm_cell(p: LSTMParams, x_t: np.ndarray, h: np.ndarray, c: np.ndarray):
    """One LSTM step: x_t (B, D), h, c (B, H) -> h_t, c_t, gates (B, 4H)."""
    a = x_t @ p.W_ih.T + p.b_ih + h @ p.W_hh.T + p.b_hh  # (B, 4H) all gates
    i, f, g, o = np.split(a, 4, axis=1)  # torch's order: i, f, g, o
    i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
    c_new = f * c + i * g  # the additive cell-state path
    h_new = o * np.tanh(c_new)
    return h_new, c_new, np.concatenate([i, f, g, o], axis=1)


def lstm_forward(p: LSTMParams, x: np.ndarray, h0: np.ndarray | None = None,
                 c0: np.ndarray | None = None) -> Trace:
    """Run the LSTM over x (B, T, D); the trace holds hs, cs (B, T+1, H) and the gates."""
    x = _check(p, LSTMParams, x, h0, "h0")
    _check(p, LSTMParams, x, c0, "c0")
    (B, T, _), H = x.shape, p.hidden_size
    dtype = np.result_type(x, p.W_ih)
    hs, cs = np.zeros((B, T + 1, H), dtype), np.zeros((B, T + 1, H), dtype)
    hs[:, 0], cs[:, 0] = _zeros_or(h0, B, H, dtype), _zeros_or(c0, B, H, dtype)
    gates = np.zeros((B, T, 4 * H), dtype)
    for t in range(T):
        hs[:, t + 1], cs[:, t + 1], gates[:, t] = lstm_cell(p, x[:, t], hs[:, t], cs[:, t])
    return Trace(x, hs, gates, cs=cs)


def _check_dh_out(dh_out: np.ndarray, shape: tuple, right_trace: bool,
                  forward: str) -> np.ndarray:
    """Validate dL/dh_t from the outputs against the trace of `forward`."""
    dh_out = _float_array("dh_out", dh_out, "(batch, time, hidden)", 3)
    _checks.array("dh_out", dh_out, 3, "(batch, time, hidden)", finite=True)
    if dh_out.shape != shape or not right_trace:
        raise ValueError(f"dh_out must be (batch, time, hidden) = {shape}, "
                         f"with the trace of {forward}; got {dh_out.shape}")
    return dh_out


def lstm_backward(p: LSTMParams, trace: Trace,
                  dh_out: np.ndarray) -> GatedGrads:
    """BPTT through the LSTM; dh_out (B, T, H) is dL/dh_t from the outputs."""
    x, hs, cs = trace.x, trace.hs, trace.cs
    B, T, D = x.shape
    H = p.hidden_size
    dh_out = _check_dh_out(dh_out, (B, T, H), cs is not None, "lstm_forward")
    g = GatedGrads(np.zeros_like(p.W_ih), np.zeros_like(p.W_hh),
                   np.zeros(4 * H), np.zeros(4 * H), np.zeros((B, T, D)),
                   np.zeros((B, H)), np.zeros((B, T, H)),
                   dcs=np.zeros((B, T, H)))
    dh, dc = np.zeros((B, H)), np.zeros((B, H))  # arriving from step t + 1
    for t in reversed(range(T)):
        i, f, gg, o = np.split(trace.gates[:, t], 4, axis=1)  # (B, H) each
        tanh_c = np.tanh(cs[:, t + 1])
        dh = dh + dh_out[:, t]
        g.dhs[:, t] = dh
        dc = dc + dh * o * (1 - tanh_c**2)  # h_t = o * tanh(c_t)
        g.dcs[:, t] = dc
        da = np.concatenate([  # back through each gate's nonlinearity
            dc * gg * i * (1 - i),  # input gate
            dc * cs[:, t] * f * (1 - f),  # forget gate
            dc * i * (1 - gg**2),  # candidate
            dh * tanh_c * o * (1 - o),  # output gate
        ], axis=1)  # (B, 4H)
        g.W_ih += da.T @ x[:, t]
        g.W_hh += da.T @ hs[:, t]
        g.b_ih += da.sum(axis=0)
        g.dx[:, t] = da @ p.W_ih
        dh = da @ p.W_hh  # dL/dh_{t-1}, through the gates
        dc = dc * f  # dL/dc_{t-1} on the additive path: only a gate in the way
    g.b_hh[:] = g.b_ih  # both biases enter every gate in the same way
    g.dh0, g.dc0 = dh, dc
    return g


# ------------------------------------------------------------------------------ GRU


def gru_cell(p: GRUParams, x_t: np.ndarray, h: np.ndarray):
    """One GRU step, torch's form: x_t (B, D), h (B, H) -> h_t, gates, hn."""
    ax = x_t @ p.W_ih.T + p.b_ih  # (B, 3H) input part, blocks r, z, n
    ah = h @ p.W_hh.T + p.b_hh  # (B, 3H) hidden part
    H = p.hidden_size
    r = sigmoid(ax[:, :H] + ah[:, :H])  # reset gate
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])  # update gate
    hn = ah[:, 2 * H:]  # W_hn h + b_hn, the part the reset gate scales
    n = np.tanh(ax[:, 2 * H:] + r * hn)  # candidate
    h_new = (1 - z) * n + z * h  # between the candidate and the old state
    return h_new, np.concatenate([r, z, n], axis=1), hn


def gru_forward(p: GRUParams, x: np.ndarray, h0: np.ndarray | None = None) -> Trace:
    """Run the GRU over x (B, T, D); the trace holds hs (B, T+1, H) and the gates."""
    x = _check(p, GRUParams, x, h0, "h0")
    (B, T, _), H = x.shape, p.hidden_size
    dtype = np.result_type(x, p.W_ih)
    hs = np.zeros((B, T + 1, H), dtype)
    hs[:, 0] = _zeros_or(h0, B, H, dtype)
    gates, hn = np.zeros((B, T, 3 * H), dtype), np.zeros((B, T, H), dtype)
    for t in range(T):
        hs[:, t + 1], gates[:, t], hn[:, t] = gru_cell(p, x[:, t], hs[:, t])
    return Trace(x, hs, gates, hn=hn)


def gru_backward(p: GRUParams, trace: Trace, dh_out: np.ndarray) -> GatedGrads:
    """BPTT through the GRU: dh_out (B, T, H) is dL/dh_t from the outputs, e.g. a read-out."""
    _checks.instance("p", p, GRUParams, "GRUParams")
    _checks.instance("trace", trace, Trace, "the Trace that gru_forward returns")
    x, hs, hn = trace.x, trace.hs, trace.hn
    B, T, D = x.shape
    H = p.hidden_size
    dh_out = _check_dh_out(dh_out, (B, T, H), hn is not None, "gru_forward")
    g = GatedGrads(np.zeros_like(p.W_ih), np.zeros_like(p.W_hh), np.zeros(3 * H),
                   np.zeros(3 * H), np.zeros((B, T, D)), np.zeros((B, H)), np.zeros((B, T, H)))
    dh = np.zeros((B, H))
    for t in reversed(range(T)):
        r, z, n = np.split(trace.gates[:, t], 3, axis=1)  # (B, H) each
        dh = dh + dh_out[:, t]
        g.dhs[:, t] = dh
        dn = dh * (1 - z) * (1 - n**2)  # dL/d(pre-activation of n)
        dz = dh * (hs[:, t] - n) * z * (1 - z)
        dr = dn * hn[:, t] * r * (1 - r)
        da_x = np.concatenate([dr, dz, dn], axis=1)  # (B, 3H) what W_ih x + b_ih receives
        da_h = np.concatenate([dr, dz, dn * r], axis=1)  # what W_hh h + b_hh receives
        g.W_ih += da_x.T @ x[:, t]
        g.W_hh += da_h.T @ hs[:, t]
        g.b_ih += da_x.sum(axis=0)
        g.b_hh += da_h.sum(axis=0)
        g.dx[:, t] = da_x @ p.W_ih
        dh = dh * z + da_h @ p.W_hh  # the direct path z * h_{t-1} plus the path through gates
    g.dh0 = dh
    return g


# ------------------------------------------------------------- gradient against distance


def grad_vs_distance(params: GatedParams | RNNParams, x: np.ndarray,
                     w: np.ndarray, state: str = "h") -> np.ndarray:
    """How far back the last output reaches: ||d(w . h_T) / d h_{T-k}||.

    ``params`` is an ``LSTMParams``, ``GRUParams`` or ``numpy_rnn.RNNParams``
    (whose read-out is ignored); ``w`` (H,) reads out the last state, e.g. the
    weight row of a model's head. Returns the batch mean of per-sequence norms,
    shape (T,), indexed by the distance k = 0..T-1. ``state="c"`` measures
    the gradient at the LSTM's cell state c_{T-k} instead.
    """
    x = _float_array("x", x, "(batch, time, features)", 3)
    H = params.W_hh.shape[-1]
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (H,):
        raise ValueError(f"w must be a read-out vector of shape (hidden,) = "
                         f"{(H,)}; got {w.shape}")
    if state not in ("h", "c") or (state == "c"
                                   and not isinstance(params, LSTMParams)):
        raise ValueError(f"state must be 'h', or 'c' for an LSTM; got "
                         f"{state!r} with {type(params).__name__}")
    B, T, _ = x.shape
    if isinstance(params, RNNParams):  # read out with w: a one-output head
        p = RNNParams(params.W_xh, params.W_hh, params.b_h, w[None],
                      np.zeros(1))
        ys, hs = rnn_forward(p, x)
        dys = np.zeros_like(ys)  # (B, T, 1)
        dys[:, -1] = 1.0
        grads = rnn_backward(p, x, hs, dys).dhs  # (B, T, H)
    elif isinstance(params, (LSTMParams, GRUParams)):
        lstm = isinstance(params, LSTMParams)
        forward = lstm_forward if lstm else gru_forward
        backward = lstm_backward if lstm else gru_backward
        dh = np.zeros((B, T, H))
        dh[:, -1] = w  # the output is w . h_T
        result = backward(params, forward(params, x), dh)
        grads = result.dcs if state == "c" else result.dhs  # (B, T, H)
    else:
        raise ValueError(f"params must be LSTMParams, GRUParams or RNNParams; "
                         f"got {type(params).__name__}")
    return np.linalg.norm(grads, axis=-1).mean(axis=0)[::-1]  # index: distance
