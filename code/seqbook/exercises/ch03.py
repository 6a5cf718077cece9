"""Feedback for the coding exercises of chapters/03_bptt.ipynb (backpropagation through time).

Each ``check_...`` takes the learner's function, runs it on a few random float64 problems,
compares with the book's reference (``seqbook.numpy_rnn`` / ``seqbook.bptt``), prints what is
right or which common mistake it looks like, and returns True or False.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqbook.bptt import autograd_gradients, numerical_step_jacobian
from seqbook.exercises import call_learner, learner_array
from seqbook.gradcheck import relative_error
from seqbook.numpy_rnn import (
    PARAM_NAMES,
    init_params,
    masked_cross_entropy,
    mse_loss,
    rnn_backward,
    rnn_forward,
)

B, T, D, H, O = 3, 5, 2, 4, 3  # noqa: E741 small problems; H != O so transposes show up


def _call(fn: Callable, *args: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """Run the learner's function; print a hint and return None if it fails or has a bad shape."""
    out, err = call_learner(fn, *args)
    if err is None:
        out, err = learner_array(out, None, "an array")
    if err:
        print(err[0].upper() + err[1:])
        return None
    if out.shape != shape:
        print(f"Your result has shape {out.shape}; it should be {shape}.")
        return None
    return out


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=1e-7, atol=1e-9))


def _problem(seed: int):
    """A random float64 RNN, its forward pass and dL/dy for an MSE loss."""
    rng = np.random.default_rng(seed)
    params = init_params(D, H, O, rng, scale=0.9)
    x, targets = rng.normal(size=(B, T, D)), rng.normal(size=(B, T, O))
    ys, hs = rnn_forward(params, x)
    _, dys = mse_loss(ys, targets)
    return params, x, hs, dys


def check_last_hidden_grad(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``fn(W_hy, dy_T) -> dL/dh_T`` (B, H): the last state has no term from the future."""
    for seed in range(3):
        params, x, hs, dys = _problem(seed)
        ref = rnn_backward(params, x, hs, dys).dhs[:, -1]
        out = _call(fn, params.W_hy.copy(), dys[:, -1].copy(), shape=(B, H))
        if out is None:
            return False
        if not _close(out, ref):
            print(
                "Not yet: dL/dh_T = dL/dy_T W_hy (a row of size O times an (O, H) matrix). "
                "In batched code with rows as vectors that is `dy_T @ W_hy`."
            )
            return False
    print("Correct: h_T only reaches the loss through y_T, so dL/dh_T = dL/dy_T W_hy.")
    return True


def check_step_jacobian(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``fn(W_hh, h_next) -> dh_{t+1}/dh_t`` (H, H) for tanh, against finite differences."""
    for seed in range(3):
        params, x, hs, _ = _problem(seed)
        t = 2  # any step: the Jacobian of the step from h_2 to h_3
        ref = numerical_step_jacobian(params, x[:1, t], hs[:1, t])[0]
        h_next = hs[0, t + 1].copy()
        out = _call(fn, params.W_hh.copy(), h_next, shape=(H, H))
        if out is None:
            return False
        if not _close(out, ref):
            d = 1.0 - h_next**2
            if _close(out, ref.T):
                print(
                    "That is the transpose: rows must be the components of h_{t+1}, columns "
                    "those of h_t, so diag(1 - h_{t+1}^2) W_hh, not its transpose."
                )
            elif _close(out, params.W_hh * d[None, :]):
                print(
                    "The diagonal is on the wrong side: W_hh diag(1 - h_{t+1}^2) scales the "
                    "columns; the tanh derivative belongs to the rows, diag(...) W_hh."
                )
            elif _close(out, params.W_hh):
                print("You left out the derivative of tanh, diag(1 - h_{t+1}^2).")
            else:
                print("Not yet: differentiate h_{t+1} = tanh(W_xh x + W_hh h_t + b) by h_t.")
            return False
    print("Correct: dh_{t+1}/dh_t = diag(1 - h_{t+1}^2) W_hh, as finite differences confirm.")
    return True


def check_backward_step(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``fn(dy_t, dh_next, h_next, W_hy, W_hh) -> dL/dh_t`` (B, H), one step of the recursion.

    ``dh_next`` is dL/dh_{t+1} and ``h_next`` is h_{t+1}, both (B, H).
    """
    for seed in range(3):
        params, x, hs, dys = _problem(seed)
        dhs = rnn_backward(params, x, hs, dys).dhs  # (B, T, H), dhs[:, t-1] = dL/dh_t
        for t in range(1, T):  # 1-based step t with a future step t+1
            args = (dys[:, t - 1], dhs[:, t], hs[:, t + 1], params.W_hy, params.W_hh)
            out = _call(fn, *(a.copy() for a in args), shape=(B, H))
            if out is None:
                return False
            if _close(out, dhs[:, t - 1]):
                continue
            direct = dys[:, t - 1] @ params.W_hy
            if _close(out, direct):
                print("You kept only the direct term dL/dy_t W_hy; add the term from the future.")
            elif _close(out, direct + dhs[:, t] @ params.W_hh):
                print(
                    "The future term misses the tanh derivative: multiply dL/dh_{t+1} by "
                    "(1 - h_{t+1}**2) elementwise before `@ W_hh`."
                )
            elif _close(out, direct + (dhs[:, t] * (1 - hs[:, t + 1] ** 2)) @ params.W_hh.T):
                print("Transposed W_hh: with gradients as rows, the step back is `... @ W_hh`.")
            else:
                print(f"Not yet: at t = {t} your dL/dh_t differs from BPTT's.")
            return False
    print("Correct: dL/dh_t = dL/dy_t W_hy + (dL/dh_{t+1} * (1 - h_{t+1}^2)) W_hh.")
    return True


def check_activation_bytes(
    answer: float,
    T: int,
    batch: int,
    hidden: int,
    itemsize: int,
    chunk: int | None = None,
) -> bool:
    """Check the exact bytes of hidden states that BPTT keeps for its backward pass.

    Full BPTT (``chunk=None``) keeps h_0..h_T; BPTT in chunks of ``chunk`` steps keeps only the
    current chunk's states, the state carried in plus ``chunk`` new ones.
    """
    sizes = (T, batch, hidden, itemsize) + (() if chunk is None else (chunk,))
    if not all(isinstance(n, (int, np.integer)) and n > 0 for n in sizes):
        raise ValueError(f"T, batch, hidden, itemsize (and chunk) must be positive ints: {sizes}")
    steps = T if chunk is None else min(chunk, T)  # steps in one backward pass
    ref = batch * (steps + 1) * hidden * itemsize
    try:
        answer = float(answer)
    except (TypeError, ValueError):
        print(f"Give a number of bytes, e.g. an expression like 2 * 3 * 4; got {answer!r}.")
        return False
    if not np.isfinite(answer) or answer <= 0:
        extra = " (replace the placeholder 0 with your count)" if answer == 0 else ""
        print(f"Give a positive number of bytes{extra}.")
        return False
    if answer == ref:
        where = "full BPTT" if chunk is None else f"chunks of {chunk} steps, whatever T is"
        print(f"Correct: {ref:,} bytes = {ref / 2**20:.2f} MiB for {where}.")
        return True
    full = batch * (T + 1) * hidden * itemsize
    if chunk is not None and answer in (full, full - batch * hidden * itemsize):
        print(
            "That is full BPTT. In chunks, the backward pass of one chunk only needs that "
            "chunk's states; earlier chunks are already done."
        )
    elif answer == ref - batch * hidden * itemsize:
        first = "h_0" if chunk is None else "the state carried into the chunk"
        print(f"Almost: remember {first}; backward needs it for the first step ({steps} + 1).")
    elif answer in (ref / itemsize, (ref - batch * hidden * itemsize) / itemsize):
        print(f"That counts numbers, not bytes: multiply by {itemsize} bytes per number.")
    elif answer in (ref / 2**20, ref / 1e6):
        print("Give the answer in bytes, not in MiB or MB.")
    elif abs(answer - ref) <= 0.02 * ref:
        print("Close, but give the exact count: multiply out batch x (steps + 1) x H x bytes.")
    else:
        print("Not yet: BPTT keeps one H-vector per state and sequence, (steps + 1) states.")
    return False


def _ce_problem(seed: int):
    """A random float64 RNN read as a classifier over O classes, with padded labels."""
    rng = np.random.default_rng(100 + seed)
    params = init_params(D, H, O, rng, scale=0.9)
    x, labels = rng.normal(size=(B, T, D)), rng.integers(0, O, size=(B, T))
    labels[1, T - 2:] = -100  # the second sequence is padded for its last two steps
    _, hs = rnn_forward(params, x)
    return params, x, hs, labels


def check_rnn_backward(fn: Callable[..., dict]) -> bool:
    """Check ``fn(params, x, hs, labels) -> {name: gradient}``, a whole backward pass.

    The loss is the cross-entropy of the logits y_hat_t = W_hy h_t + b_y, averaged over the real
    tokens (labels of -100 are padding). Each of the five weight gradients is compared with
    torch autograd; the feedback names the wrong ones, by how much, and the likely cause.
    """
    if not callable(fn):
        print(call_learner(fn)[1])
        return False
    for seed in range(3):
        params, x, hs, labels = _ce_problem(seed)
        _, ref = autograd_gradients(params, x, labels, loss="cross_entropy")
        try:
            out = fn(params, x.copy(), hs.copy(), labels.copy())
        except Exception as err:  # the learner's code: report, do not crash the notebook
            print(f"Your function raised {type(err).__name__}: {err}")
            return False
        if out is None:
            print("Your function returned None: did you forget `return`?")
            return False
        if not isinstance(out, dict) or set(out) != set(PARAM_NAMES):
            got = sorted(out) if isinstance(out, dict) else type(out).__name__
            print(f"Return a dict with exactly the keys {list(PARAM_NAMES)}; got {got}.")
            return False
        errors = {}
        for name in PARAM_NAMES:
            g, err = learner_array(out[name], None, f"the gradient {name!r} as an array")
            if err:
                print(f"{name}: {err}.")
                return False
            if g.shape != ref[name].shape:
                print(f"{name}: your gradient has shape {g.shape}; it should be "
                      f"{ref[name].shape}, the shape of params.{name}.")
                return False
            errors[name] = relative_error(g, ref[name])
        wrong = [n for n, e in errors.items() if e > 1e-8]
        if not wrong:
            continue
        print("Not yet. Relative error of each gradient against autograd:")
        print("  " + ", ".join(f"{n} {errors[n]:.1e}" for n in PARAM_NAMES))
        n_real = int((labels != -100).sum())
        dy = masked_cross_entropy(hs[:, 1:] @ params.W_hy.T + params.b_y, labels)[1]
        if _close(np.asarray(out["b_y"]), dy.sum(axis=(0, 1)) * n_real):
            print("You did not divide by the number of real tokens N: dL/dy_hat_t = "
                  "(p_t - onehot) / N.")
        elif "b_y" in wrong or "W_hy" in wrong:
            print("Start from dL/dy_hat_t = (softmax(y_hat_t) - onehot(y_t)) / N at real tokens "
                  "and 0 at padded ones (labels == -100); b_y sums it, W_hy sums dy^T h_t.")
        elif all(errors[n] < 1e-8 for n in ("W_hy", "b_y")):
            print("The output layer is right; the error is in the recursion. Check the term "
                  "from the future (delta_{t+1} @ W_hh) and the tanh slope 1 - h_t**2 at the "
                  "step's own state.")
        return False
    print("Correct: all five gradients match torch autograd (cross-entropy with padding).")
    return True
