"""Why RNN gradients vanish or explode, measured: Jacobian products, clipping,
a loss cliff, initialisations.

Taught in chapters/04_vanishing_exploding.ipynb. For the tanh RNN of
``seqbook.numpy_rnn``, h_t = tanh(a_t) with a_t = W_xh x_t + W_hh h_{t-1} + b_h,
one step back in time multiplies a gradient by the Jacobian

    J_t = dh_t / dh_{t-1} = diag(act'(a_t)) W_hh        (rows indexed by h_t)

and the gradient that reaches k steps back is a product of k such matrices. Its
norm is at most (max|act'| * sigma_max(W_hh))^k, so it shrinks or grows
geometrically in k. The helpers below build W_hh with a chosen spectral radius,
measure these products, clip gradients in NumPy, scan the "cliff" of a one-unit
RNN (Pascanu, Mikolov & Bengio 2013), record the gradient norm a torch optimiser
steps with, and initialise torch RNNs (orthogonal; identity for the IRNN of Le,
Jaitly & Hinton 2015).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from seqbook import checks as _checks
from seqbook.numpy_rnn import (
    RNNParams,
    _act_grad_from_h,
    hidden_grad_norms,
    rnn_backward,
    rnn_forward,
)

# -------------------------------------------------- recurrent matrices


def orthogonal(n: int, rng: np.random.Generator,
               gain: float = 1.0) -> np.ndarray:
    """A random (n, n) orthogonal matrix times ``gain``: all singular values
    equal ``gain``."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(
            f"n must be a positive matrix size such as 32; got {n!r}")
    _checks.generator("rng", rng)
    _checks.number("gain", gain, hint=" (a scale such as 1.0)")
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return gain * q * np.sign(np.diag(r))  # sign fix: uniform (Haar) q


def spectral_radius(W: np.ndarray) -> float:
    """The largest |eigenvalue| of a square matrix: the rate of W^k."""
    return float(np.max(np.abs(np.linalg.eigvals(_square(W)))))


def largest_singular_value(W: np.ndarray) -> float:
    """The spectral norm sigma_max(W): the most W can stretch a vector once."""
    return float(np.linalg.norm(_square(W), 2))


def scale_to(W: np.ndarray, target: float,
             by: str = "spectral_radius") -> np.ndarray:
    """Rescale W so that its spectral radius (or, with by="singular_value",
    sigma_max) equals target."""
    _checks.number("target", target, hint=" (a non-negative radius such as 0.9)")
    if target < 0:
        raise ValueError(
            f"target must be a non-negative radius such as 0.9; got {target}")
    measure = {"spectral_radius": spectral_radius,
               "singular_value": largest_singular_value}
    if by not in measure:
        raise ValueError(f"by must be one of {sorted(measure)}; got {by!r}")
    now = measure[by](W)
    if now == 0:
        raise ValueError(
            "W is all zeros (or nilpotent): it cannot be rescaled to a radius")
    return W * (target / now)


def recurrent_params(hidden: int, radius: float, rng: np.random.Generator,
                     input_size: int = 1,
                     input_scale: float = 1.0) -> RNNParams:
    """An RNN whose W_hh = radius * (random orthogonal), so that its spectral
    radius and its largest singular value both equal radius.

    W_xh is Gaussian with std ``input_scale / sqrt(input_size)``; biases are
    zero; the read-out (one output) is Gaussian with std 1 / sqrt(hidden).
    """
    _checks.number("radius", radius, hint=" (non-negative, such as 0.9)")
    _checks.integer("hidden", hidden, minimum=1)
    _checks.integer("input_size", input_size, minimum=1)
    _checks.number("input_scale", input_scale, low=0.0)
    _checks.generator("rng", rng)
    if radius < 0:
        raise ValueError(
            f"radius must be non-negative, such as 0.9; got {radius}")
    W_xh = (rng.standard_normal((hidden, input_size))
            * input_scale / np.sqrt(input_size))
    W_hy = rng.standard_normal((1, hidden)) / np.sqrt(hidden)
    W_hh = orthogonal(hidden, rng, radius)
    return RNNParams(W_xh, W_hh, np.zeros(hidden), W_hy, np.zeros(1))


def _square(W: object) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError("W must be a square (H, H) matrix such as W_hh; "
                         f"got shape {W.shape}")
    return W


# -------------------------------------------------- Jacobian products


def step_jacobians(params: RNNParams, hs: np.ndarray,
                   activation: str = "tanh") -> np.ndarray:
    """J[:, t-1] = dh_t/dh_{t-1} = diag(act'(a_t)) W_hh for t = 1..T;
    shape (B, T, H, H)."""
    hs = np.asarray(hs)
    if hs.ndim != 3 or hs.shape[2] != params.W_hh.shape[0]:
        raise ValueError("hs must be (batch, time + 1, hidden) from "
                         f"rnn_forward; got {hs.shape}")
    d = _act_grad_from_h(hs[:, 1:], activation)  # (B, T, H): act'(a_t)
    return d[..., :, None] * params.W_hh  # (B, T, H, H): row i times d_i


def jacobian_products(J: np.ndarray) -> np.ndarray:
    """P[:, k] = dh_T/dh_{T-k} = J_T J_{T-1} ... J_{T-k+1} for k = 0..T;
    shape (B, T + 1, H, H).

    ``J`` is the (B, T, H, H) output of ``step_jacobians``; k is the distance
    back in time.
    """
    if np.ndim(J) != 4 or J.shape[2] != J.shape[3]:
        raise ValueError("J must be (batch, time, H, H) from step_jacobians; "
                         f"got {np.shape(J)}")
    B, T, H, _ = J.shape
    P = np.empty((B, T + 1, H, H))
    P[:, 0] = np.eye(H)  # dh_T/dh_T
    for k in range(1, T + 1):
        P[:, k] = P[:, k - 1] @ J[:, T - k]  # chain rule: one more step back
    return P


def product_singular_values(params: RNNParams, x: np.ndarray,
                            activation: str = "tanh",
                            h0: np.ndarray | None = None) -> np.ndarray:
    """Singular values of dh_T/dh_{T-k} for k = 0..T, largest first;
    shape (B, T + 1, H)."""
    _, hs = rnn_forward(params, x, h0=h0, activation=activation)
    J = step_jacobians(params, hs, activation)  # (B, T, H, H)
    return np.linalg.svd(jacobian_products(J), compute_uv=False)


def distance_setup(radius: float, T: int = 60, hidden: int = 32,
                   batch: int = 8, input_scale: float = 1.0,
                   seed: int = 0) -> tuple[RNNParams, np.ndarray]:
    """The RNN (W_hh = radius * orthogonal) and Gaussian inputs x (B, T, 1)
    that ``norm_vs_distance`` measures, to look at its states too."""
    for name, v in (("T", T), ("hidden", hidden), ("batch", batch), ("seed", seed)):
        _checks.integer(name, v, minimum=None)
    if T < 1 or hidden < 1 or batch < 1:
        raise ValueError("T, hidden and batch must be positive; "
                         f"got {T}, {hidden}, {batch}")
    rng = np.random.default_rng(seed)
    params = recurrent_params(hidden, radius, rng, input_scale=input_scale)
    return params, rng.standard_normal((batch, T, 1))  # x: (B, T, 1)


def norm_vs_distance(radius: float, T: int = 60, hidden: int = 32,
                     batch: int = 8, activation: str = "tanh",
                     input_scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """||dh_T/dh_{T-k}||_2 for k = 0..T (geometric mean over a batch) with
    W_hh = radius * orthogonal; shape (T + 1,)."""
    params, x = distance_setup(radius, T, hidden, batch, input_scale, seed)
    top = product_singular_values(params, x, activation)[..., 0]  # (B, T+1)
    return np.exp(np.log(np.maximum(top, 1e-300)).mean(axis=0))


def gradient_ratio(model: torch.nn.Module, x: torch.Tensor,
                   y: torch.Tensor) -> float:
    """||dL/dh_1|| / ||dL/dh_T|| for the MSE on the last output of a one-layer
    ``SequenceModel("rnn", ...)``: how much gradient survives T - 1 steps.

    Uses the float64 NumPy BPTT of chapter 3 on a copy of the weights;
    x is (B, T, D), y is (B, O).
    """
    rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
    if not isinstance(rnn, torch.nn.RNN):
        raise ValueError("gradient_ratio needs a SequenceModel('rnn', ...) "
                         "whose .rnn is a one-layer torch.nn.RNN")
    p = RNNParams.from_torch(rnn, head)
    x = np.asarray(x, dtype=np.float64)  # (B, T, D)
    y = np.asarray(y, dtype=np.float64)  # (B, O)
    act = rnn.nonlinearity
    ys, hs = rnn_forward(p, x, activation=act)  # (B, T, O), (B, T + 1, H)
    dys = np.zeros_like(ys)
    dys[:, -1] = 2 * (ys[:, -1] - y) / y.size  # d MSE / d y_T
    norms = hidden_grad_norms(rnn_backward(p, x, hs, dys, activation=act))
    return float(norms[0] / norms[-1])  # (T,): ||dL/dh_t|| for t = 1..T


# -------------------------------------------------- clipping (NumPy)


def global_norm(grads: Sequence[np.ndarray]) -> float:
    """The L2 norm of all gradient arrays taken together as one vector."""
    squares = (float(np.sum(np.square(g))) for g in _grad_list(grads))
    return float(np.sqrt(sum(squares)))


def clip_by_norm(grads: Sequence[np.ndarray],
                 max_norm: float) -> list[np.ndarray]:
    """Rescale all gradients together so that their global norm is at most
    max_norm (keeps the direction).

    Same rule as ``torch.nn.utils.clip_grad_norm_``: one shared factor
    max_norm / (norm + 1e-6), capped at 1.
    """
    _checks.number("max_norm", max_norm,
                   hint=" (a positive number such as 1.0)")
    if not max_norm > 0:
        raise ValueError("max_norm must be a positive number such as 1.0; "
                         f"got {max_norm!r}")
    gs = _grad_list(grads)
    factor = min(1.0, max_norm / (global_norm(gs) + 1e-6))
    return [g * factor for g in gs]


def clip_by_value(grads: Sequence[np.ndarray],
                  clip_value: float) -> list[np.ndarray]:
    """Clip every gradient entry to [-clip_value, clip_value] (this can turn
    the direction)."""
    _checks.number("clip_value", clip_value,
                   hint=" (a positive number such as 0.1)")
    if not clip_value > 0:
        raise ValueError("clip_value must be a positive number such as 0.1; "
                         f"got {clip_value!r}")
    return [np.clip(g, -clip_value, clip_value) for g in _grad_list(grads)]


def _grad_list(grads: object) -> list[np.ndarray]:
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)):
        raise ValueError(
            "grads must be a list of NumPy arrays, e.g. [dW_hh, db_h]; got "
            f"{type(grads).__name__} (wrap a single array as [g])")
    return [np.asarray(g, dtype=np.float64) for g in grads]


@contextmanager
def recorded_step_norms() -> Iterator[list[float]]:
    """Inside the ``with`` block, record the global gradient norm that every
    torch optimiser step actually uses (after any clipping)."""
    norms: list[float] = []

    def hook(opt: torch.optim.Optimizer, args: object, kwargs: object) -> None:
        grads = [p.grad.reshape(-1) for group in opt.param_groups
                 for p in group["params"] if p.grad is not None]
        if grads:
            norms.append(float(torch.linalg.vector_norm(torch.cat(grads))))

    handle = register_optimizer_step_pre_hook(hook)
    try:
        yield norms
    finally:
        handle.remove()


# -------------------------------------------------- the cliff


def scalar_rnn(w: np.ndarray | float, b: np.ndarray | float, T: int = 30,
               h0: float = 0.5, target: float = -0.5
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A one-unit RNN h_t = tanh(w h_{t-1} + b) with loss
    L = (h_T - target)^2: returns (L, dL/dw, dL/db).

    w and b broadcast, so one call evaluates a whole grid; the backward pass
    is BPTT by hand.
    """
    _checks.integer("T", T, minimum=None, hint=" (a positive number of steps)")
    _checks.number("h0", h0)
    _checks.number("target", target)
    if T < 1:
        raise ValueError(f"T must be a positive number of steps; got {T}")
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64),
                               np.asarray(b, dtype=np.float64))
    hs = [np.full(w.shape, float(h0))]
    for _ in range(T):
        hs.append(np.tanh(w * hs[-1] + b))
    loss = (hs[-1] - target) ** 2
    dh, dw, db = 2.0 * (hs[-1] - target), np.zeros(w.shape), np.zeros(w.shape)
    for t in range(T, 0, -1):
        da = dh * (1.0 - hs[t] ** 2)  # dL/da_t
        dw, db, dh = dw + da * hs[t - 1], db + da, da * w
    return loss, dw, db


def loss_along_direction(loss_fn: Callable[[np.ndarray], float],
                         theta: np.ndarray, direction: np.ndarray,
                         alphas: np.ndarray) -> np.ndarray:
    """loss_fn(theta + alpha * direction) for each alpha: a 1-D slice of a
    loss landscape."""
    _checks.function("loss_fn", loss_fn)
    _checks.array("alphas", alphas, 1, "(a 1-D list of step sizes)", kind="number",
                  finite=True)
    theta = np.asarray(theta, dtype=np.float64)
    direction = np.asarray(direction, dtype=np.float64)
    if theta.shape != direction.shape:
        raise ValueError(f"direction must have theta's shape {theta.shape}; "
                         f"got {direction.shape}")
    return np.array([float(loss_fn(theta + a * direction))
                     for a in np.asarray(alphas)])


def descend(loss_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
            theta0: np.ndarray, lr: float, steps: int,
            clip_norm: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Plain gradient descent, optionally clipping each gradient's norm:
    returns the visited points (steps + 1, P) and their losses (steps + 1,)."""
    _checks.function("loss_and_grad", loss_and_grad)
    _checks.number("lr", lr, hint=" (> 0)")
    _checks.integer("steps", steps, minimum=None, hint=" (>= 1)")
    if clip_norm is not None:
        _checks.number("clip_norm", clip_norm, low=0.0, low_open=True,
                       hint=" (or None for no clipping)")
    if lr <= 0 or steps < 1:
        raise ValueError(
            f"need lr > 0 and steps >= 1; got lr={lr}, steps={steps}")
    theta = np.asarray(theta0, dtype=np.float64).copy()
    thetas, losses = [theta.copy()], []
    for _ in range(steps):
        loss, g = loss_and_grad(theta)
        losses.append(float(loss))
        if clip_norm is not None:
            g = clip_by_norm([np.asarray(g)], clip_norm)[0]
        theta = theta - lr * np.asarray(g)
        thetas.append(theta.copy())
    losses.append(float(loss_and_grad(theta)[0]))
    return np.array(thetas), np.array(losses)


# -------------------------------------------------- torch inits


def init_recurrent_(rnn: torch.nn.RNNBase, kind: str,
                    rng: np.random.Generator | None = None,
                    gain: float = 1.0) -> torch.nn.RNNBase:
    """Re-initialise a one-layer RNN's W_hh in place: "orthogonal" or
    "identity" (the IRNN).

    "identity" sets W_hh = gain * I and both hidden biases to zero, as in
    Le, Jaitly & Hinton (2015), meant for nonlinearity="relu";
    "orthogonal" draws gain * Q (needs ``rng``).
    """
    if not isinstance(rnn, torch.nn.RNN) or rnn.num_layers != 1:
        raise ValueError(
            "init_recurrent_ expects a one-layer torch.nn.RNN (e.g. model.rnn)")
    _checks.number("gain", gain, hint=" (a scale such as 1.0)")
    if rng is not None:
        _checks.generator("rng", rng)
    H = rnn.hidden_size
    if kind == "identity":
        W = gain * np.eye(H)
    elif kind == "orthogonal":
        if rng is None:
            raise ValueError("kind='orthogonal' draws a random matrix: "
                             "pass rng=set_seed(...)")
        W = orthogonal(H, rng, gain)
    else:
        raise ValueError(
            f"kind must be 'orthogonal' or 'identity'; got {kind!r}")
    with torch.no_grad():
        W_hh = rnn.weight_hh_l0
        W_hh.copy_(torch.as_tensor(W, dtype=W_hh.dtype))
        if kind == "identity" and rnn.bias:
            rnn.bias_hh_l0.zero_()
            rnn.bias_ih_l0.zero_()
    return rnn
