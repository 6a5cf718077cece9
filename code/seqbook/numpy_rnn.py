"""A vanilla (Elman) RNN in NumPy: forward pass, backpropagation through time, losses and SGD.

Taught in chapters/02_rnn.ipynb (forward pass) and chapters/03_bptt.ipynb (backward pass,
truncated BPTT, gradient norms). Notation of the syllabus, for t = 1..T:

    a_t = W_xh x_t + W_hh h_{t-1} + b_h        h_t = act(a_t)        y_t = W_hy h_t + b_y

Arrays are batched: x is (B, T, D), hidden states (B, T+1, H) with h_0 at index 0, outputs
(B, T, O). Weights use torch's layout (W_xh is (H, D) like ``nn.RNN.weight_ih_l0``), so a
torch model's weights copy straight in with ``RNNParams.from_torch``. The one-step Jacobian is
dh_t/dh_{t-1} = diag(act'(a_t)) W_hh; repeated products of it make gradients vanish or explode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from seqbook import checks as _checks

if TYPE_CHECKING:  # torch is only needed to copy weights from a torch model
    import torch

ACTIVATIONS = ("tanh", "relu")
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")  # the fields of RNNParams


@dataclass
class RNNParams:
    """The five weight arrays of a one-layer RNN with a linear read-out."""

    W_xh: np.ndarray  # (H, D) input -> hidden
    W_hh: np.ndarray  # (H, H) hidden -> hidden, shared by every time step
    b_h: np.ndarray  # (H,)
    W_hy: np.ndarray  # (O, H) hidden -> output
    b_y: np.ndarray  # (O,)

    @classmethod
    def from_torch(cls, rnn: torch.nn.RNN, linear: torch.nn.Linear) -> RNNParams:
        """Copy the weights of a one-layer ``nn.RNN`` and its ``nn.Linear`` read-out, in float64."""
        import torch

        if not isinstance(rnn, torch.nn.RNN) or not isinstance(linear, torch.nn.Linear):
            names = f"({type(rnn).__name__}, {type(linear).__name__})"
            raise ValueError(f"from_torch expects (torch.nn.RNN, torch.nn.Linear); got {names}")
        if rnn.num_layers != 1 or rnn.bidirectional:
            raise ValueError("from_torch needs a one-layer nn.RNN with bidirectional=False")
        if linear.in_features != rnn.hidden_size:
            raise ValueError(f"linear.in_features must equal rnn.hidden_size = {rnn.hidden_size}")

        def f64(t: torch.Tensor) -> np.ndarray:
            return t.detach().cpu().numpy().astype(np.float64)  # a copy, never a view

        H, n_out = rnn.hidden_size, linear.out_features
        # torch has two hidden biases; the recurrence only ever sees their sum b_h = b_ih + b_hh.
        b_h = f64(rnn.bias_ih_l0) + f64(rnn.bias_hh_l0) if rnn.bias else np.zeros(H)
        b_y = f64(linear.bias) if linear.bias is not None else np.zeros(n_out)
        return cls(f64(rnn.weight_ih_l0), f64(rnn.weight_hh_l0), b_h, f64(linear.weight), b_y)


@dataclass
class RNNGrads:
    """Gradients of a scalar loss with respect to every ``RNNParams`` field, h_0 and each h_t."""

    W_xh: np.ndarray  # (H, D)
    W_hh: np.ndarray  # (H, H)
    b_h: np.ndarray  # (H,)
    W_hy: np.ndarray  # (O, H)
    b_y: np.ndarray  # (O,)
    dh0: np.ndarray  # (B, H) gradient with respect to the initial state h_0
    dhs: np.ndarray  # (B, T, H) dL/dh_t for t = 1..T (the gradient that reached h_t)


def init_params(
    input_size: int,
    hidden_size: int,
    output_size: int,
    rng: np.random.Generator,
    scale: float | None = None,
    dtype: type = np.float64,
) -> RNNParams:
    """Draw weights uniformly from [-scale, scale] (default 1/sqrt(hidden_size), as torch does)."""
    D, H, n_out = input_size, hidden_size, output_size
    if not all(isinstance(n, (int, np.integer)) and n > 0 for n in (D, H, n_out)):
        raise ValueError(f"the three sizes must be positive integers; got {(D, H, n_out)}")
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype must be a float type such as np.float64; got {dtype!r}")
    _checks.generator("rng", rng)
    if scale is not None:
        _checks.number("scale", scale, low=0.0, low_open=True, hint=" (or None for 1/sqrt(H))")
    s = 1.0 / np.sqrt(hidden_size) if scale is None else float(scale)

    def u(*shape: int) -> np.ndarray:
        return rng.uniform(-s, s, size=shape).astype(dtype)

    # Biases start at zero (torch draws them like the weights; it matters little).
    return RNNParams(u(H, D), u(H, H), np.zeros(H, dtype), u(n_out, H), np.zeros(n_out, dtype))


def _float_array(name: str, a: object, layout: str, ndim: int) -> np.ndarray:
    """Return ``a`` as a float ndarray of ``ndim`` dimensions, or explain what to change."""
    if type(a).__module__.startswith("torch"):
        raise ValueError(f"{name} is a torch.Tensor; pass a NumPy array: {name}.detach().numpy()")
    a = np.asarray(a)
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {layout}; got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.floating):
        raise ValueError(f"{name} must hold floats, not {a.dtype}; use {name}.astype(np.float64)")
    return a


def _sizes(params: RNNParams) -> tuple[int, int, int]:
    """Check that the weight shapes agree with each other and return (D, H, n_out)."""
    if np.ndim(params.W_xh) != 2 or np.ndim(params.W_hy) != 2:
        shapes = f"{np.shape(params.W_xh)} and {np.shape(params.W_hy)}"
        raise ValueError(f"params.W_xh must be (H, D) and W_hy (O, H); got {shapes}")
    (H, D), n_out = np.shape(params.W_xh), np.shape(params.W_hy)[0]
    expected = {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (n_out, H), "b_y": (n_out,)}
    for name, shape in expected.items():
        got = np.shape(getattr(params, name))
        if got != shape:
            raise ValueError(f"params.{name} has shape {got}; with {H=} it must be {shape}")
    return D, H, n_out


def _check_x(params: RNNParams, x: object, activation: str) -> np.ndarray:
    """Check the weights, the activation, and that x is a float (B, T, D) batch."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    D, H, _ = _sizes(params)
    x = _float_array("x", x, "(batch, time, features)", 3)
    if x.shape[2] != D:
        msg = f"x has {x.shape[2]} features per step, but W_xh is (H, D) = {(H, D)}"
        raise ValueError(f"{msg}; x must be (batch, time, {D})")
    if 0 in x.shape[:2] or not np.isfinite(x).all():  # cheap next to the recurrence
        raise ValueError(f"x must be a non-empty (batch, time, {D}) batch of finite numbers; got "
                         f"shape {x.shape}" + ("" if 0 in x.shape else " with NaN or inf"))
    return x


def _act(a: np.ndarray, activation: str) -> np.ndarray:
    """Apply the hidden activation."""
    return np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)


def _act_grad_from_h(h: np.ndarray, activation: str) -> np.ndarray:
    """act'(a_t) recovered from h_t = act(a_t), so backward needs only the hidden states."""
    return 1.0 - h**2 if activation == "tanh" else (h > 0).astype(h.dtype)


# ---------------------------------------------------------------------------- forward pass


def rnn_forward(
    params: RNNParams,
    x: np.ndarray,
    h0: np.ndarray | None = None,
    activation: str = "tanh",
) -> tuple[np.ndarray, np.ndarray]:
    """Run the RNN over a batch of sequences; return (ys, hs).

    hs holds h_0..h_T and is the cache that rnn_backward needs.
    """
    x = _check_x(params, x, activation)
    (B, T, _), H = x.shape, params.W_hh.shape[0]
    hs = np.zeros((B, T + 1, H), dtype=np.result_type(x, params.W_xh))
    hs[:, 0] = _check_h0(h0, B, H)  # (B, H), zeros if h0 is None
    xw = x @ params.W_xh.T + params.b_h  # (B, T, H): input part, all steps
    for t in range(T):
        a = xw[:, t] + hs[:, t] @ params.W_hh.T  # (B, H) pre-activation
        hs[:, t + 1] = _act(a, activation)
    ys = hs[:, 1:] @ params.W_hy.T + params.b_y  # (B, T, O)
    return ys, hs


# ------------------------------------------------------------------------------ BPTT


def _check_h0(h0: object, B: int, H: int) -> np.ndarray | float:
    """Validate an initial state (batch, hidden); None means zeros."""
    if h0 is None:
        return 0.0
    h0 = _float_array("h0", h0, "(batch, hidden)", 2)
    if h0.shape != (B, H):
        raise ValueError(f"h0 must be (batch, hidden) = {(B, H)}; got shape {h0.shape}")
    return h0


def _check_backward(
    params: RNNParams,
    x: object,
    hs: object,
    dys: object,
    activation: str,
    truncate: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the inputs of ``rnn_backward`` against each other; return x, hs, dys as arrays."""
    x = _check_x(params, x, activation)
    _, H, n_out = _sizes(params)
    hs = _float_array("hs", hs, "(batch, time + 1, hidden), as returned by rnn_forward", 3)
    dys = _float_array("dys", dys, "(batch, time, outputs), the gradient dL/dy", 3)
    B, T, _ = x.shape
    if hs.shape != (B, T + 1, H):
        raise ValueError(f"hs must be (batch, time + 1, hidden) = {(B, T + 1, H)}; got {hs.shape}")
    if dys.shape != (B, T, n_out):
        raise ValueError(f"dys must be (batch, time, outputs) = {(B, T, n_out)}; got {dys.shape}")
    if truncate is not None and (not isinstance(truncate, (int, np.integer)) or truncate < 1):
        raise ValueError(f"truncate must be None (full BPTT) or an integer >= 1; got {truncate!r}")
    return x, hs, dys


def rnn_backward(
    params: RNNParams,
    x: np.ndarray,
    hs: np.ndarray,
    dys: np.ndarray,
    activation: str = "tanh",
    truncate: int | None = None,
) -> RNNGrads:
    """Backpropagate dys = dL/dy_t through time: the gradients of every weight.

    ``truncate=k`` is truncated BPTT(k): each loss L_t flows back through the
    k steps t, ..., t-k+1 only and stops at h_{t-k}, as if it were detached
    (k = 1 keeps each step's own path, k >= T is full BPTT); O(T k) work.
    """
    x, hs, dys = _check_backward(params, x, hs, dys, activation, truncate)
    (B, T, D), H = x.shape, params.W_hh.shape[0]
    dt = np.result_type(x, hs, dys)  # float32 in, float32 gradients out
    g = RNNGrads(
        W_xh=np.zeros((H, D), dt),
        W_hh=np.zeros((H, H), dt),
        b_h=np.zeros(H, dt),
        W_hy=np.einsum("bto,bth->oh", dys, hs[:, 1:]),  # sum_t dy_t^T h_t^T
        b_y=dys.sum(axis=(0, 1)),  # (O,) sum_t dL/dy_t
        dh0=np.zeros((B, H), dt),
        dhs=np.zeros((B, T, H), dt),  # dhs[:, t] collects dL/dh_{t+1}
    )
    dh_now = dys @ params.W_hy  # (B, T, H) the "now" term dL/dy_t W_hy

    def step_back(dh: np.ndarray, t: int) -> np.ndarray:
        """dL/dh_t in (t 0-based); add weight grads; return dL/dh_{t-1}."""
        g.dhs[:, t] += dh
        da = dh * _act_grad_from_h(hs[:, t + 1], activation)  # (B, H) delta
        g.W_xh += da.T @ x[:, t]  # (H, D) delta^T x^T
        g.W_hh += da.T @ hs[:, t]  # (H, H) delta^T h_prev^T
        g.b_h += da.sum(axis=0)
        return da @ params.W_hh  # (B, H) the term from the future, for h_prev

    if truncate is None:  # full BPTT: one sweep from t = T back to 1
        dh = np.zeros((B, H), dt)  # dL/dh_{T+1} = 0
        for t in reversed(range(T)):
            dh = step_back(dh_now[:, t] + dh, t)
        g.dh0 = dh
    else:  # BPTT(k): each L_t on its own, through at most k steps
        for t in range(T):
            dh, first = dh_now[:, t], max(0, t - truncate + 1)
            for s in range(t, first - 1, -1):
                dh = step_back(dh, s)
            if first == 0:  # this window reached the initial state
                g.dh0 += dh
    return g


def hidden_grad_norms(grads: RNNGrads) -> np.ndarray:
    """Return ||dL/dh_t|| for t = 1..T, shape (T,), the batch mean of per-sequence L2 norms."""
    if not isinstance(grads, RNNGrads):
        raise TypeError(f"grads must be the RNNGrads that rnn_backward returns; got "
                        f"{type(grads).__name__}")
    return np.linalg.norm(grads.dhs, axis=-1).mean(axis=0)  # (B, T) -> (T,)


# ------------------------------------------------------------------------ losses and SGD


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Turn logits into probabilities along ``axis``, stably (subtracting the max first)."""
    _checks.array("z", z, kind="number", layout="of logits")
    if not -np.ndim(z) <= axis < max(np.ndim(z), 1):
        raise ValueError(f"axis must be an axis of z (shape {np.shape(z)}); got {axis}")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def mse_loss(ys: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Squared error and its gradient: mean over features, sum over time, mean over batch.

    L = (1/B) sum_b sum_t mean_o (y - target)^2, matching the syllabus's L = sum_t Loss(y_t, ŷ_t).
    """
    ys = _float_array("ys", ys, "(batch, time, outputs)", 3)
    targets = _float_array("targets", targets, "(batch, time, outputs)", 3)
    if ys.shape != targets.shape:
        raise ValueError(f"targets must have the shape of ys {ys.shape}; got {targets.shape}")
    B, _, n_out = ys.shape
    diff = ys - targets  # (B, T, O)
    return float((diff**2).sum() / (B * n_out)), 2.0 * diff / (B * n_out)


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy of integer labels and its gradient: sum over time, mean over batch.

    L = (1/B) sum_b sum_t -log softmax(logits[b, t])[labels[b, t]]; dL/dlogits = (p - onehot)/B.
    """
    logits = _float_array("logits", logits, "(batch, time, classes)", 3)
    labels = np.asarray(labels)
    B, T, C = logits.shape
    if labels.shape != (B, T):
        raise ValueError(f"labels must be (batch, time) = {(B, T)}; got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integer classes, not {labels.dtype}; use .astype(int)")
    if labels.size and (labels.min() < 0 or labels.max() >= C):
        raise ValueError(f"labels must lie in 0..{C - 1}; got {labels.min()}..{labels.max()}")
    z = logits - logits.max(axis=-1, keepdims=True)  # (B, T, C), stable log-softmax
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(logp, labels[..., None], axis=-1)  # (B, T, 1)
    onehot = np.arange(C) == labels[..., None]  # (B, T, C)
    return float(-picked.sum() / B), (np.exp(logp) - onehot) / B


def masked_cross_entropy(
    logits: np.ndarray, labels: np.ndarray, ignore_index: int = -100
) -> tuple[float, np.ndarray]:
    """Cross-entropy averaged over the real tokens, and its gradient, like ``F.cross_entropy``.

    Derived in chapters/03_bptt.ipynb for the losses of chapter 2 (language model, classifier).
    Targets equal to ``ignore_index`` are padding: they add nothing to the loss and get a zero
    gradient. With N real tokens, L = -(1/N) sum_real log softmax(logits)[label] and
    dL/dlogits = (softmax(logits) - onehot(label)) / N at real tokens, 0 at padding.
    """
    logits = np.asarray(logits)
    if logits.ndim < 2 or not np.issubdtype(logits.dtype, np.floating):
        raise ValueError(f"logits must be a float array (..., classes); got shape "
                         f"{logits.shape}, dtype {logits.dtype}")
    labels = np.asarray(labels)
    if labels.shape != logits.shape[:-1]:
        raise ValueError(f"labels must have shape {logits.shape[:-1]} (logits without the "
                         f"class axis); got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integer classes, not {labels.dtype}; use .astype(int)")
    C, real = logits.shape[-1], labels != ignore_index  # real: (...) True at real tokens
    n_real = int(real.sum())
    if n_real == 0:
        raise ValueError(f"every label equals ignore_index={ignore_index}: no real token")
    if labels[real].min() < 0 or labels[real].max() >= C:
        raise ValueError(f"labels must lie in 0..{C - 1} or equal ignore_index={ignore_index}")
    safe = np.where(real, labels, 0)  # any valid id at padding; masked out below
    z = logits - logits.max(axis=-1, keepdims=True)  # (..., C), stable log-softmax
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]  # (...)
    onehot = np.arange(C) == safe[..., None]  # (..., C)
    grad = (np.exp(logp) - onehot) * real[..., None] / n_real  # zero rows at padding
    return float(-(picked * real).sum() / n_real), grad


def sgd_step(params: RNNParams, grads: RNNGrads, lr: float, clip: float | None = None) -> float:
    """Update ``params`` in place by gradient descent, optionally clipping the global grad norm.

    With ``clip=c`` all five gradients are rescaled together so that their joint L2 norm is at
    most c. Returns the norm before clipping, so a chapter can plot exploding gradients.
    """
    _checks.number("lr", lr, hint=" (a positive learning rate such as 0.1)")
    if lr <= 0:
        raise ValueError(f"lr must be a positive learning rate such as 0.1; got {lr!r}")
    if clip is not None:
        _checks.number("clip", clip, hint=" (None, or a positive norm such as 1.0)")
        if clip <= 0:
            raise ValueError(f"clip must be None or a positive norm such as 1.0; got {clip!r}")
    _sizes(params)
    for n in PARAM_NAMES:
        if np.shape(getattr(grads, n)) != np.shape(getattr(params, n)):
            raise ValueError(f"grads.{n} must have the shape of params.{n} "
                             f"{np.shape(getattr(params, n))}; got {np.shape(getattr(grads, n))}")
    norm = float(np.sqrt(sum(np.sum(getattr(grads, n) ** 2) for n in PARAM_NAMES)))
    factor = clip / norm if clip is not None and norm > clip else 1.0
    for n in PARAM_NAMES:
        getattr(params, n)[...] -= lr * factor * getattr(grads, n)
    return norm
