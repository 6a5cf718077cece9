"""Tools to look inside backpropagation through time: Jacobians, paths, truncation, cost.

Taught in chapters/03_bptt.ipynb. The RNN and its backward pass live in ``seqbook.numpy_rnn``;
this module measures and explains them (figures: ``seqbook.bptt_figures``). Conventions
(syllabus notation, batched rows):

    h_{t+1} = act(W_xh x_{t+1} + W_hh h_t + b_h),   hs[:, t] = h_t with h_0 at index 0.

The one-step Jacobian dh_{t+1}/dh_t has rows indexed by components of h_{t+1} and columns by
components of h_t; for tanh it is diag(1 - h_{t+1}^2) W_hh. Gradients dL/dh_t are row vectors,
so backprop multiplies a row by the Jacobian: dL/dh_t += dL/dh_{t+1} diag(1 - h_{t+1}^2) W_hh.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from seqbook import checks as _checks
from seqbook.numpy_rnn import (
    ACTIVATIONS,
    PARAM_NAMES,
    RNNGrads,
    RNNParams,
    hidden_grad_norms,
    init_params,
    mse_loss,
    rnn_backward,
    rnn_forward,
    sgd_step,
)

if TYPE_CHECKING:  # torch is only needed by autograd_gradients and train_in_chunks
    import torch

RECURRENT_NAMES = ("W_xh", "W_hh", "b_h")  # the weights whose gradient flows back through time


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")


# ----------------------------------------------------------------------------- Jacobians


def step_jacobian(W_hh: np.ndarray, h_next: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """The one-step Jacobian dh_{t+1}/dh_t = diag(act'(a_{t+1})) W_hh, from h_{t+1}.

    ``h_next`` is (H,) or a batch (B, H); the result is (H, H) or (B, H, H), rows indexed by
    h_{t+1} and columns by h_t.
    """
    _check_activation(activation)
    _checks.array("W_hh", W_hh, 2, "(H, H)", kind="number")
    _checks.array("h_next", h_next, (1, 2), "(H,) or (batch, H)", kind="number")
    W_hh, h_next = np.asarray(W_hh), np.asarray(h_next)
    H = W_hh.shape[0]
    if W_hh.shape != (H, H) or h_next.ndim not in (1, 2) or h_next.shape[-1] != H:
        raise ValueError(
            f"W_hh must be (H, H) and h_next (H,) or (batch, H); got {W_hh.shape} and "
            f"{h_next.shape}"
        )
    d = 1.0 - h_next**2 if activation == "tanh" else (h_next > 0).astype(h_next.dtype)
    return d[..., :, None] * W_hh  # (..., H, H): row i scaled by act'(a_{t+1})_i


def numerical_step_jacobian(
    params: RNNParams,
    x_next: np.ndarray,
    h_prev: np.ndarray,
    activation: str = "tanh",
    eps: float = 1e-6,
) -> np.ndarray:
    """dh_{t+1}/dh_t by central differences of one RNN step, (B, H, H); needs float64.

    ``x_next`` is the input x_{t+1} (B, D) and ``h_prev`` the state h_t (B, H).
    """
    _checks.number("eps", eps, low=0.0, low_open=True, hint=" (a small step such as 1e-6)")
    _check_activation(activation)
    x_next, h_prev = np.asarray(x_next), np.asarray(h_prev)
    if x_next.ndim != 2 or h_prev.ndim != 2 or len(x_next) != len(h_prev):
        raise ValueError(
            f"x_next must be (batch, D) and h_prev (batch, H); got {x_next.shape}, {h_prev.shape}"
        )
    if h_prev.dtype != np.float64 or x_next.dtype != np.float64:
        raise ValueError("finite differences need float64; use .astype(np.float64)")
    B, H = h_prev.shape

    def step(h: np.ndarray) -> np.ndarray:
        return rnn_forward(params, x_next[:, None], h0=h, activation=activation)[1][:, 1]

    J = np.zeros((B, H, H))
    for j, e in enumerate(eps * np.eye(H)):  # column j: d h_{t+1} / d h_t[j]
        J[:, :, j] = (step(h_prev + e) - step(h_prev - e)) / (2 * eps)
    return J


def numerical_preact_jacobian(
    params: RNNParams, x_next: np.ndarray, a_now: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """da_{t+1}/da_t by central differences for a tanh RNN, (B, H, H); needs float64.

    The second of chapter 3's two one-step Jacobians: the pre-activation a_{t+1} =
    W_xh x_{t+1} + W_hh tanh(a_t) + b_h as a function of a_t (B, H); ``x_next`` is x_{t+1}
    (B, D). Analytically W_hh diag(1 - h_t^2), the factor of the delta recursion.
    """
    x_next, a_now = np.asarray(x_next), np.asarray(a_now)
    H = params.W_hh.shape[0]
    if x_next.ndim != 2 or a_now.shape != (len(x_next), H):
        raise ValueError(
            f"x_next must be (batch, D) and a_now (batch, H={H}); got {x_next.shape}, "
            f"{a_now.shape}"
        )
    if a_now.dtype != np.float64 or x_next.dtype != np.float64:
        raise ValueError("finite differences need float64; use .astype(np.float64)")
    B = len(a_now)

    def step(a: np.ndarray) -> np.ndarray:  # (B, H) -> (B, H)
        return x_next @ params.W_xh.T + np.tanh(a) @ params.W_hh.T + params.b_h

    J = np.zeros((B, H, H))
    for j, e in enumerate(eps * np.eye(H)):  # column j: d a_{t+1} / d a_t[j]
        J[:, :, j] = (step(a_now + e) - step(a_now - e)) / (2 * eps)
    return J


def jacobian_product(
    params: RNNParams, hs: np.ndarray, t: int, s: int, activation: str = "tanh"
) -> np.ndarray:
    """dh_t/dh_s = J_t J_{t-1} ... J_{s+1} for s <= t (indices into hs, h_0 = 0), (B, H, H)."""
    _checks.integer("t", t, minimum=None, hint=" (an index into hs)")
    _checks.integer("s", s, minimum=None, hint=" (an index into hs)")
    _check_activation(activation)
    _checks.array("hs", hs, 3, "(batch, time + 1, hidden)", kind="float")
    if np.shape(hs)[2] != np.shape(params.W_hh)[0]:
        raise ValueError(f"hs must be (batch, time + 1, hidden) with hidden = "
                         f"{np.shape(params.W_hh)[0]} (W_hh); got shape {np.shape(hs)}")
    hs = np.asarray(hs)
    if hs.ndim != 3 or not 0 <= s <= t < hs.shape[1]:
        raise ValueError(f"need hs (batch, time + 1, hidden) and 0 <= s <= t <= T; got {s=}, {t=}")
    B, _, H = hs.shape
    P = np.broadcast_to(np.eye(H), (B, H, H)).copy()
    for r in range(t, s, -1):  # multiply on the right: P = J_t ... J_r
        P = P @ step_jacobian(params.W_hh, hs[:, r], activation)
    return P


def hidden_grad_by_paths(
    params: RNNParams, hs: np.ndarray, dys: np.ndarray, s: int, activation: str = "tanh"
) -> np.ndarray:
    """dL/dh_s as an explicit sum over every later loss: sum_{t>=s} (dL/dy_t W_hy) dh_t/dh_s.

    An O(T^2) second opinion on the recursion in ``rnn_backward``; returns (B, H). ``s`` >= 1.
    """
    _checks.array("hs", hs, 3, "(batch, time + 1, hidden), as returned by rnn_forward",
                  kind="float")
    _checks.array("dys", dys, 3, "(batch, time, outputs), the gradient dL/dy", kind="float")
    _checks.integer("s", s, minimum=None, hint=" (a time step)")
    if np.shape(dys)[:2] != (np.shape(hs)[0], np.shape(hs)[1] - 1):
        raise ValueError(f"dys must be (batch, time, outputs) with the batch and time of hs "
                         f"{np.shape(hs)} minus h_0; got shape {np.shape(dys)}")
    hs, dys = np.asarray(hs), np.asarray(dys)
    T = np.shape(dys)[1]
    if not 1 <= s <= T:
        raise ValueError(f"s must be a time step in 1..{T}; got {s}")
    total = np.zeros((hs.shape[0], hs.shape[2]))
    for t in range(s, T + 1):
        direct = dys[:, t - 1] @ params.W_hy  # (B, H): dL_t/dh_t through y_t
        total += np.einsum("bi,bij->bj", direct, jacobian_product(params, hs, t, s, activation))
    return total


# ------------------------------------------------------------------- reference gradients


def autograd_gradients(
    params: RNNParams,
    x: np.ndarray,
    targets: np.ndarray,
    h0: np.ndarray | None = None,
    activation: str = "tanh",
    loss: str = "mse",
) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and gradients of ``mse_loss`` from torch's own nn.RNN + autograd, in float64.

    Returns (loss, {name: gradient}) for the five weights and ``dh0``, for comparison with
    ``rnn_backward``. With ``loss="cross_entropy"``, ``targets`` are integer classes (B, T)
    (-100 marks padding) and the loss is ``F.cross_entropy``, as ``masked_cross_entropy``.
    """
    import torch

    _check_activation(activation)
    if loss not in ("mse", "cross_entropy"):
        raise ValueError(f"loss must be 'mse' or 'cross_entropy'; got {loss!r}")
    _checks.array("x", x, 3, "(batch, time, features)", kind="number", finite=True)
    if np.shape(x)[2] != np.shape(params.W_xh)[1]:
        raise ValueError(f"x must be (batch, time, {np.shape(params.W_xh)[1]}) to match W_xh; "
                         f"got shape {np.shape(x)}")
    if h0 is not None and np.shape(h0) != (np.shape(x)[0], np.shape(params.W_hh)[0]):
        raise ValueError(f"h0 must be None or (batch, hidden) = "
                         f"{(np.shape(x)[0], np.shape(params.W_hh)[0])}; got {np.shape(h0)}")
    x = np.asarray(x, np.float64)
    B, T, D = x.shape
    H, O = params.W_hh.shape[0], params.W_hy.shape[0]  # noqa: E741
    if loss == "cross_entropy":
        labels = np.asarray(targets)
        if labels.shape != (B, T) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"targets must be integer classes (batch, time) = {(B, T)} for "
                             f"cross_entropy; got {labels.shape}, {labels.dtype}")
        targets = np.zeros((B, T, O))  # unused
    targets = np.asarray(targets, np.float64)
    if targets.shape != (B, T, O):
        want = f"(batch, time, outputs) = {(B, T, O)}"
        raise ValueError(f"targets must be {want}; got {targets.shape}")
    rnn = torch.nn.RNN(D, H, nonlinearity=activation, batch_first=True, dtype=torch.float64)
    lin = torch.nn.Linear(H, O, dtype=torch.float64)
    weights = (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, lin.weight, lin.bias)
    with torch.no_grad():
        for p, name in zip(weights, PARAM_NAMES, strict=True):
            p.copy_(torch.from_numpy(np.asarray(getattr(params, name), np.float64)))
        rnn.bias_hh_l0.zero_()  # torch's second bias; the recurrence only sees b_ih + b_hh
    h0_t = torch.zeros(B, H, dtype=torch.float64) if h0 is None else torch.tensor(h0)
    h0_t = h0_t.to(torch.float64).requires_grad_(True)
    ys = lin(rnn(torch.from_numpy(x), h0_t[None])[0])  # (B, T, O)
    if loss == "mse":
        value = ((ys - torch.from_numpy(targets)) ** 2).sum() / (B * O)  # as mse_loss
    else:
        value = torch.nn.functional.cross_entropy(ys.reshape(-1, O),
                                                  torch.from_numpy(labels).reshape(-1))
    value.backward()
    names = (*PARAM_NAMES, "dh0")
    return value.item(), {n: p.grad.numpy() for n, p in zip(names, (*weights, h0_t), strict=True)}


# ------------------------------------------------------------------- a task and training


def echo_task(
    batch: int, T: int, delay: int, rng: np.random.Generator, dtype: type = np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """Delayed copy: x (B, T, 1) is white noise, the target is y_t = x_{t-delay} (0 before)."""
    _checks.integer("batch", batch, minimum=1)
    _checks.integer("T", T, minimum=2, hint=" (time steps; the delay must fit inside)")
    _checks.integer("delay", delay, minimum=None, hint=" with 1 <= delay < T")
    _checks.generator("rng", rng)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a float type such as np.float32; got {dtype!r}")
    if not (isinstance(delay, (int, np.integer)) and 1 <= delay < T) or batch < 1:
        raise ValueError(f"need batch >= 1 and 1 <= delay < T; got {batch=}, {delay=}, {T=}")
    x = rng.normal(size=(batch, T, 1))
    y = np.zeros_like(x)
    y[:, delay:] = x[:, :-delay]
    return x.astype(dtype), y.astype(dtype)


def echo_baseline(T: int, delay: int) -> float:
    """MSE per time step of always answering 0 on ``echo_task``: (T - delay) / T."""
    _checks.integer("T", T, minimum=2, hint=" (time steps; the delay must fit inside)")
    _checks.integer("delay", delay, minimum=1, maximum=T - 1, hint=" (as for echo_task)")
    return (T - delay) / T


@dataclass
class TrainLog:
    """What ``train_numpy_rnn`` records: loss per time step and gradient norm at every update."""

    losses: np.ndarray  # (steps,) mse_loss / T
    grad_norms: np.ndarray  # (steps,) before clipping
    seconds: float

    def final_loss(self, last: int = 50) -> float:
        """Mean loss of the last ``last`` updates (less noisy than the last value)."""
        _checks.integer("last", last, minimum=1)
        return float(np.mean(self.losses[-last:]))


def _check_training(make_batch: object, steps: object, lr: object, truncate: object,
                    clip: object, activation: str) -> None:
    """The argument checks of `train_numpy_rnn`."""
    _checks.function("make_batch", make_batch)
    _checks.integer("steps", steps, minimum=None, hint=" (a positive number of updates)")
    _checks.number("lr", lr, low=0.0, low_open=True, hint=" (a learning rate such as 0.1)")
    if clip is not None:
        _checks.number("clip", clip, low=0.0, low_open=True, hint=" (None, or a norm such as 1)")
    if truncate is not None:
        _checks.integer("truncate", truncate, minimum=1, hint=" (or None for full BPTT)")
    _check_activation(activation)
    if steps < 1:
        raise ValueError(f"steps must be a positive number of updates; got {steps}")


def train_numpy_rnn(
    params: RNNParams,
    make_batch: Callable[[], tuple[np.ndarray, np.ndarray]],
    steps: int,
    lr: float,
    truncate: int | None = None,
    clip: float | None = None,
    activation: str = "tanh",
) -> TrainLog:
    """Plain SGD on ``params`` (in place) with numpy BPTT: no autograd anywhere.

    ``make_batch()`` returns (x (B, T, D), targets (B, T, O));
    the loss is ``mse_loss``.
    """
    _check_training(make_batch, steps, lr, truncate, clip, activation)
    losses, norms = np.zeros(steps), np.zeros(steps)
    start = time.perf_counter()
    for i in range(steps):
        x, targets = make_batch()
        ys, hs = rnn_forward(params, x, activation=activation)  # keep all h_t
        loss, dys = mse_loss(ys, targets)  # L and dL/dy_t
        if truncate is None:  # full BPTT
            grads = rnn_backward(params, x, hs, dys, activation)
        else:  # BPTT(k): rnn_backward(..., truncate=k), all windows at once
            grads = truncated_backward(params, x, hs, dys, truncate, activation)
        norms[i] = sgd_step(params, grads, lr, clip=clip)  # W -= lr dL/dW
        losses[i] = loss / x.shape[1]
    return TrainLog(losses, norms, time.perf_counter() - start)


# ------------------------------------------------------------------ truncation and gains


def truncated_backward(
    params: RNNParams,
    x: np.ndarray,
    hs: np.ndarray,
    dys: np.ndarray,
    truncate: int,
    activation: str = "tanh",
) -> RNNGrads:
    """BPTT(k), the gradients of ``rnn_backward(..., truncate=k)``, for all windows at once.

    ``rnn_backward`` walks each loss L_t back through its window, T k small steps. Here all
    T windows step back together: after j steps, the delta of L_t sits at h_{t-j}, so k
    vectorised steps over (B, T - j, H) do the same sum (equal up to rounding; tested).
    """
    if truncate is None or isinstance(truncate, bool) or not isinstance(
            truncate, (int, np.integer)) or truncate < 1:
        raise ValueError(f"truncate must be an integer >= 1 (the window k); got {truncate!r} "
                         "(for full BPTT call numpy_rnn.rnn_backward)")
    _check_activation(activation)
    if not isinstance(params, RNNParams):
        raise TypeError(f"params must be RNNParams (numpy_rnn.init_params); got "
                        f"{type(params).__name__}")
    for name, a in (("x", x), ("hs", hs), ("dys", dys)):
        _checks.array(name, a, ndim=3, layout="(batch, time, size)", kind="float")
    x, hs, dys = np.asarray(x), np.asarray(hs), np.asarray(dys)
    (H, D), n_out = params.W_xh.shape, params.W_hy.shape[0]
    B, T = x.shape[:2]
    for name, a, shape in (("x", x, (B, T, D)), ("hs", hs, (B, T + 1, H)),
                           ("dys", dys, (B, T, n_out))):
        if a.shape != shape or not np.isfinite(a).all():
            raise ValueError(f"{name} must be finite, of shape {shape} (x (batch, time, "
                             f"inputs), hs from rnn_forward, dys = dL/dy); got {a.shape}")
    dt = np.result_type(x, hs, dys)
    g = RNNGrads(W_xh=np.zeros((H, D), dt), W_hh=np.zeros((H, H), dt), b_h=np.zeros(H, dt),
                 W_hy=np.einsum("bto,bth->oh", dys, hs[:, 1:]), b_y=dys.sum(axis=(0, 1)),
                 dh0=np.zeros((B, H), dt), dhs=np.zeros((B, T, H), dt))
    delta = dys @ params.W_hy  # (B, T, H): dL_t/dh_t, each window's first step
    for j in range(min(truncate, T)):  # delta[:, s] = dL_{s+j}/dh_{s+1}, s = 0..T-1-j
        n = T - j
        g.dhs[:, :n] += delta
        h_next = hs[:, 1:n + 1]
        da = delta * (1.0 - h_next**2 if activation == "tanh" else (h_next > 0))  # (B, n, H)
        flat = da.reshape(-1, H)
        g.W_xh += flat.T @ x[:, :n].reshape(-1, D)  # (H, D)
        g.W_hh += flat.T @ hs[:, :n].reshape(-1, H)  # (H, H)
        g.b_h += flat.sum(axis=0)
        back = da @ params.W_hh  # (B, n, H): dL_{s+j}/dh_s
        g.dh0 += back[:, 0]  # the window of L_j reaches h_0
        delta = back[:, 1:]
    return g


def flat_grad(grads: RNNGrads | dict, names: Sequence[str] = RECURRENT_NAMES) -> np.ndarray:
    """Concatenate the named gradients into one vector (default: those that flow through time)."""
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of gradient names such as ('W_hh',); got "
                        f"the string {names!r}")
    fields = set(grads) if isinstance(grads, dict) else set(vars(grads)) if hasattr(
        grads, "__dict__") else set()
    missing = [n for n in names if n not in fields]
    if missing or not len(names):
        raise ValueError(f"names must be a non-empty list of gradients in grads "
                         f"({sorted(fields)}); got {list(names)}")
    get = grads.get if isinstance(grads, dict) else lambda n: getattr(grads, n)
    return np.concatenate([np.ravel(get(n)) for n in names])


def truncation_gap(
    params: RNNParams,
    x: np.ndarray,
    targets: np.ndarray,
    ks: Sequence[int],
    activation: str = "tanh",
) -> dict[str, np.ndarray]:
    """How far truncated BPTT(k) is from full BPTT, for each k in ``ks``.

    Returns arrays ``rel_diff`` = ||g_k - g|| / ||g|| and ``cosine`` = cos(g_k, g) over the
    recurrent weights (W_xh, W_hh, b_h); W_hy and b_y never depend on truncation.
    """
    for k in ks:
        _checks.integer("ks", k, minimum=None, hint=" (a list of truncation windows)")
    ks = [int(k) for k in ks]
    if not ks or min(ks) < 1:
        raise ValueError(f"ks must be a non-empty list of window lengths >= 1; got {list(ks)}")
    ys, hs = rnn_forward(params, x, activation=activation)
    _, dys = mse_loss(ys, targets)
    full = flat_grad(rnn_backward(params, x, hs, dys, activation))
    rel, cos = [], []
    for k in ks:
        g = flat_grad(rnn_backward(params, x, hs, dys, activation, truncate=k))
        rel.append(np.linalg.norm(g - full) / np.linalg.norm(full))
        cos.append(g @ full / (np.linalg.norm(g) * np.linalg.norm(full)))
    return {"k": np.asarray(ks), "rel_diff": np.array(rel), "cosine": np.array(cos)}


def params_with_gain(
    input_size: int, hidden_size: int, output_size: int, gain: float, rng: np.random.Generator
) -> RNNParams:
    """float64 RNN weights whose W_hh ~ gain * N(0, 1/H): its spectral radius is about ``gain``."""
    _checks.number("gain", gain, hint=" (a positive scale such as 0.9 or 1.5)")
    if not gain > 0:
        raise ValueError(f"gain must be a positive scale such as 0.9 or 1.5; got {gain!r}")
    params = init_params(input_size, hidden_size, output_size, rng)
    params.W_hh[...] = gain * rng.normal(size=(hidden_size, hidden_size)) / np.sqrt(hidden_size)
    return params


def grad_norm_vs_distance(params: RNNParams, x: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """||dL/dh_{T-d}|| for d = 0..T-1 when the loss sits on the last output only, shape (T,)."""
    ys, hs = rnn_forward(params, x, activation=activation)
    dys = np.zeros_like(ys)
    dys[:, -1] = 1.0  # L = sum of the last outputs: a loss only at t = T
    return hidden_grad_norms(rnn_backward(params, x, hs, dys, activation))[::-1]


def contribution_matrix(
    params: RNNParams, x: np.ndarray, dys: np.ndarray, activation: str = "tanh"
) -> np.ndarray:
    """C[t-1, s-1] = batch mean of ||dL_t/dh_s||: how much step t's loss reaches back to h_s."""
    _, hs = rnn_forward(params, x, activation=activation)
    T = x.shape[1]
    C = np.zeros((T, T))
    for t in range(T):
        only_t = np.zeros_like(dys)
        only_t[:, t] = dys[:, t]
        C[t] = hidden_grad_norms(rnn_backward(params, x, hs, only_t, activation))  # zero for s > t
    return C


# ---------------------------------------------------------------------------- cost


@dataclass
class CostTable:
    """Wall time and memory of one forward + backward pass, per sequence length."""

    lengths: np.ndarray  # (n,) T
    seconds: np.ndarray  # (n,) best of the repeats
    stored_bytes: np.ndarray  # (n,) hidden states kept for backward (largest chunk)
    peak_bytes: np.ndarray  # (n,) peak numpy memory during the pass (tracemalloc)
    page_faults: np.ndarray  # (n,) minor page faults in the last timed pass (NaN: not measured)


def _page_faults() -> float:
    """Minor page faults of this process so far (fresh memory from the OS); NaN off Unix."""
    try:
        import resource  # Unix only
    except ImportError:
        return float("nan")
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_minflt)


def _forward_backward(params: RNNParams, x: np.ndarray, chunk: int | None) -> int:
    """One pass of BPTT over x (in chunks of ``chunk`` steps if given); returns bytes of hs kept."""
    T, stored = x.shape[1], 0
    step = T if chunk is None else chunk
    h = None
    for c in range(0, T, step):
        xc = x[:, c : c + step]  # (B, k, D)
        ys, hs = rnn_forward(params, xc, h0=h)  # hs (B, k+1, H): the activations BPTT keeps
        rnn_backward(params, xc, hs, ys)  # any dL/dy_t does; here L = sum(y^2) / 2
        h, stored = hs[:, -1], max(stored, hs.nbytes)  # carry the state, detached
    return stored


def bptt_cost(
    params: RNNParams,
    lengths: Sequence[int],
    batch: int,
    rng: np.random.Generator,
    chunk: int | None = None,
    repeats: int = 3,
) -> CostTable:
    """Time and memory of BPTT as sequences grow; ``chunk=k`` streams them in k-step pieces."""
    if chunk is not None:
        _checks.integer("chunk", chunk, minimum=None, hint=" (None for full BPTT)")
    if chunk is not None and chunk < 1:
        raise ValueError(f"chunk must be None (full BPTT) or a window >= 1; got {chunk}")
    _checks.integer("batch", batch, minimum=1)
    _checks.integer("repeats", repeats, minimum=1)
    _checks.generator("rng", rng)
    if isinstance(lengths, (str, bytes)) or not len(lengths):
        raise ValueError(f"lengths must be a non-empty list of sequence lengths; got {lengths!r}")
    for T in lengths:
        _checks.integer("lengths", T, minimum=1, hint=" (sequence lengths)")
    D = params.W_xh.shape[1]
    secs, stored, peak, faults = [], [], [], []
    for T in lengths:
        x = rng.normal(size=(batch, int(T), D)).astype(params.W_xh.dtype)
        best = np.inf
        for _ in range(repeats):
            f0, t0 = _page_faults(), time.perf_counter()
            _forward_backward(params, x, chunk)
            best = min(best, time.perf_counter() - t0)
        faults.append(_page_faults() - f0)
        tracemalloc.start()
        stored.append(_forward_backward(params, x, chunk))
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        secs.append(best)
    arrays = (np.array(secs), np.array(stored), np.array(peak), np.array(faults))
    return CostTable(np.asarray(lengths), *arrays)


# ------------------------------------------------------- truncated BPTT in PyTorch


def train_in_chunks(
    rnn: torch.nn.RNNBase,
    head: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    chunk: int,
    lr: float = 0.01,
    detach: bool = True,
) -> list[float]:
    """Truncated BPTT as written in PyTorch: one update per chunk of a stream.

    Taught in chapters/03_bptt.ipynb. The hidden state is carried from chunk to
    chunk (the model sees the whole past), and ``h.detach()`` cuts the graph at
    each chunk border (the gradient does not). ``detach=False`` shows the error
    a learner gets without it. ``x`` is (batch, time, inputs) and ``y``
    (batch, time, outputs) for a batch_first ``rnn``; the loss is the MSE of
    ``head(rnn(x))``. Returns the loss of every chunk.
    """
    import torch

    if not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk must be a positive number of steps such as 25; got {chunk!r}")
    if x.ndim != 3 or y.ndim != 3 or x.shape[:2] != y.shape[:2]:
        raise ValueError(f"x and y must be (batch, time, features) with the same batch and time; "
                         f"got {tuple(x.shape)} and {tuple(y.shape)}")
    opt = torch.optim.SGD([*rnn.parameters(), *head.parameters()], lr=lr)
    h, losses = None, []
    for start in range(0, x.shape[1], chunk):
        xc = x[:, start:start + chunk]  # (B, k, D)
        yc = y[:, start:start + chunk]  # (B, k, O)
        if h is not None and detach:
            h = h.detach()  # same values, no history: backward stops here
        out, h = rnn(xc, h)  # (B, k, H); h (1, B, H) goes to the next chunk
        loss = torch.nn.functional.mse_loss(head(out), yc)
        opt.zero_grad()
        loss.backward()  # through this chunk only (if detached)
        opt.step()
        losses.append(loss.item())
    return losses
