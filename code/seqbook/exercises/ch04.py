"""Feedback helpers for the exercises of chapters/04_vanishing_exploding.ipynb.

Each ``check_...`` prints a short, friendly verdict and returns True or False.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from seqbook.exercises import call_learner
from seqbook.gradients import clip_by_norm, gradient_ratio, spectral_radius
from seqbook.tasks import adding_problem


def _say(ok: bool, good: str, bad: str) -> bool:
    print(("Correct: " + good) if ok else ("Not yet: " + bad))
    return ok


def _function(name: str, fn: object) -> None:
    if not callable(fn):
        raise TypeError(f"{name} must be your function itself (its name, without calling it); "
                        f"got a {type(fn).__name__}")


def _autograd_norms(W_xh: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray,
                    x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States h_0..h_T of one sequence x (T, D), and ||dh_T/dh_(T-k)||_2 for k = 0..T, the
    Jacobians taken by torch autograd (float64), independent of the book's own helpers."""
    W_xh, W_hh, b_h, x = (torch.tensor(a, dtype=torch.float64) for a in (W_xh, W_hh, b_h, x))
    T = len(x)

    def run(h: torch.Tensor, start: int) -> torch.Tensor:  # h_start -> h_T
        for t in range(start, T):
            h = torch.tanh(W_xh @ x[t] + W_hh @ h + b_h)
        return h

    hs = [torch.zeros(W_hh.shape[0], dtype=torch.float64)]
    for t in range(T):  # hs[t + 1] = h_(t+1), read from x[t]
        hs.append(torch.tanh(W_xh @ x[t] + W_hh @ hs[-1] + b_h))
    norms = [torch.linalg.matrix_norm(torch.autograd.functional.jacobian(
        lambda h, s=T - k: run(h, s), hs[T - k]), ord=2).item() for k in range(T + 1)]
    return torch.stack(hs).numpy(), np.array(norms)


def _distance_problems() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A few small tanh RNNs with non-normal W_hh: (W_hh, hs, reference norms) each."""
    rng = np.random.default_rng(44)
    cases = []
    for H, T, scale in ((4, 6, 1.6), (5, 9, 1.2), (3, 12, 0.8)):
        W_hh = scale * rng.normal(size=(H, H)) / math.sqrt(H)
        W_xh, b_h = rng.normal(size=(H, 1)), 0.1 * rng.normal(size=H)
        hs, norms = _autograd_norms(W_xh, W_hh, b_h, rng.normal(size=(T, 1)))  # (T + 1, H)
        cases.append((W_hh, hs, norms))
    return cases


def _wrong_norms(W: np.ndarray, hs: np.ndarray) -> dict[str, np.ndarray]:
    """The usual mistakes of exercise 1, to name the one a learner made."""
    T, H = len(hs) - 1, W.shape[0]

    def norms(step: Callable[[int], np.ndarray], left: bool = False, ord: object = 2) -> np.ndarray:
        P, out = np.eye(H), [1.0 if ord == 2 else math.sqrt(H)]
        for t in range(T, 0, -1):
            P = step(t) @ P if left else P @ step(t)
            out.append(np.linalg.norm(P, ord=ord))
        return np.array(out)

    slope = 1 - hs**2  # (T + 1, H): tanh' at every state
    return {
        "swapped": norms(lambda t: W * slope[t][None, :]),
        "previous state": norms(lambda t: slope[t - 1][:, None] * W),
        "reversed": norms(lambda t: slope[t][:, None] * W, left=True),
        "frobenius": norms(lambda t: slope[t][:, None] * W, ord="fro"),
        "no tanh": norms(lambda t: W),
    }


_HINTS = {
    "swapped": "you used W_hh diag(1 - h_t^2), the Jacobian of the pre-activations; the state "
               "Jacobian scales the rows: diag(1 - h_t^2) W_hh.",
    "previous state": "the slope belongs to the new state: J_t = diag(1 - h_t^2) W_hh, not "
                      "diag(1 - h_(t-1)^2) W_hh.",
    "reversed": "mind the order: dh_T/dh_(T-k) = J_T J_(T-1) ... J_(T-k+1), so each new "
                "Jacobian multiplies the product from the right (P = P @ J_t).",
    "frobenius": "use the spectral norm, np.linalg.norm(P, ord=2), not the Frobenius norm.",
    "no tanh": "include the tanh slopes diag(1 - h_t^2); W_hh alone is the linear RNN.",
}


def check_distance_norms(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``fn(W_hh, hs) -> ||dh_T/dh_(T-k)||_2 for k = 0..T`` of a tanh RNN.

    ``W_hh`` is (H, H), ``hs`` the (T + 1, H) states h_0..h_T of one sequence; the answer is
    a (T + 1,) array. Compared with torch autograd on a few small RNNs, naming the
    usual mistakes (swapped factors, slope of the wrong state, reversed order, Frobenius norm).
    """
    _function("fn", fn)
    for W, hs, want in _distance_problems():
        got, error = call_learner(fn, W.copy(), hs.copy())
        if error:
            return _say(False, "", error)
        if got is None:
            return _say(False, "", "your function returned None: did you forget `return`?")
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return _say(False, "", "return the norms as one NumPy array of numbers, "
                        "shape (T + 1,).")
        if got.shape != want.shape:
            return _say(False, "", f"return one norm per distance k = 0..T, shape {want.shape} "
                        f"for hs of shape {hs.shape}; got shape {got.shape} (k = 0 is the "
                        "identity, norm 1).")
        if not np.allclose(got, want, rtol=1e-6, atol=1e-12):
            for name, wrong in _wrong_norms(W, hs).items():
                if np.allclose(got, wrong, rtol=1e-6, atol=1e-12):
                    return _say(False, "", _HINTS[name])
            k = int(np.argmax(np.abs(got - want) / want))
            return _say(False, "", f"at k = {k} the norm should be {want[k]:.4g}, got "
                        f"{got[k]:.4g}; multiply J_t = diag(1 - h_t^2) W_hh for t = T, T-1, "
                        "... and take the spectral norm after each.")
    return _say(True, "the norm of the product of step Jacobians at every distance, as BPTT "
                "sees it.", "")


def check_clip_by_norm(fn: Callable[[list[np.ndarray], float], list[np.ndarray]]) -> bool:
    """Compare a learner's ``fn(grads, max_norm) -> clipped grads`` with the reference rule."""
    rng = np.random.default_rng(4)
    cases = [([rng.normal(size=(3, 3)), rng.normal(size=3)], 1.0),  # norm ~3.5: clipped
             ([0.01 * rng.normal(size=(2, 2))], 1.0),  # tiny: must come back unchanged
             ([np.array([30.0, -40.0])], 5.0)]  # norm 50 -> (3, -4)
    _function("fn", fn)
    for grads, c in cases:
        got, error = call_learner(fn, [g.copy() for g in grads], c)
        if error:
            return _say(False, "", error)
        want = clip_by_norm(grads, c)
        got = list(got) if isinstance(got, (list, tuple)) else []
        if [np.shape(a) for a in got] != [np.shape(b) for b in want]:
            return _say(False, "", "return a list with one array per input gradient, each of "
                        "the same shape.")
        if not all(np.allclose(a, b, rtol=1e-5, atol=1e-8) for a, b in zip(got, want, strict=True)):
            n = math.sqrt(sum(float(np.sum(g**2)) for g in grads))
            return _say(False, "", f"for a global norm of {n:.3g} and max_norm {c}, every array "
                        "must be multiplied by the same factor min(1, max_norm / norm).")
    return _say(True, "one shared factor for all arrays keeps the direction of the step.", "")


def check_irnn(model: torch.nn.Module) -> bool:
    """Is ``model.rnn`` an IRNN for the adding problem (Le, Jaitly & Hinton 2015)?

    Wants a ``SequenceModel('rnn', 2, H, 1, nonlinearity='relu')`` whose W_hh was set to the
    identity with ``torch.nn.init.eye_`` and both hidden biases, ``bias_ih_l0`` and
    ``bias_hh_l0``, to zero with ``torch.nn.init.zeros_``; names the first thing that is off.
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be your SequenceModel (a torch.nn.Module); got a "
                        f"{type(model).__name__}")
    rnn = getattr(model, "rnn", None)
    if not isinstance(rnn, torch.nn.RNN):
        return _say(False, "", "build a SequenceModel('rnn', ...) so that model.rnn is an nn.RNN "
                    "(an LSTM or GRU has no single W_hh to set to the identity).")
    if rnn.nonlinearity != "relu":
        return _say(False, "", "the IRNN uses nonlinearity='relu': tanh would squash the state "
                    "that the identity is meant to copy.")
    if rnn.input_size != 2:
        return _say(False, "", f"the adding problem has 2 inputs per step (value, marker); your "
                    f"RNN reads {rnn.input_size}.")
    W = rnn.weight_hh_l0.detach()
    if not torch.allclose(W, torch.eye(W.shape[0], dtype=W.dtype)):
        return _say(False, "", "W_hh must start as the identity matrix: "
                    "torch.nn.init.eye_(model.rnn.weight_hh_l0), inside torch.no_grad() or as is.")
    if not rnn.bias:
        return _say(True, "no biases at all also gives h_t = ReLU(h_(t-1)) = h_(t-1) without "
                    "input.", "")
    for name in ("bias_ih_l0", "bias_hh_l0"):
        if getattr(rnn, name).detach().abs().max() > 0:
            other = "; both biases enter a_t, so both must be zero" if name == "bias_ih_l0" else ""
            return _say(False, "", f"model.rnn.{name} is not zero: "
                        f"torch.nn.init.zeros_(model.rnn.{name}){other}.")
    return _say(True, "with no input, ReLU(I h) = h for h >= 0: the state and its gradient "
                "pass through unchanged.", "")


def diagnosis_batch() -> tuple[torch.Tensor, torch.Tensor]:
    """The batch exercise 5 measures on: adding_problem(256, 25, default_rng(0))."""
    return adding_problem(256, 25, np.random.default_rng(0))


def check_trained_diagnosis(model: torch.nn.Module, radius: float, saturated: float,
                               ratio: float) -> bool:
    """Check three measurements of a trained tanh ``SequenceModel('rnn', ...)``.

    ``radius``: spectral radius of its W_hh; ``saturated``: fraction of hidden states
    h_t (all sequences, steps and units) with |h| > 0.9; ``ratio``: gradient_ratio(model,
    x, y), all on the batch x, y = diagnosis_batch().
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be the trained SequenceModel (a torch.nn.Module); got a "
                        f"{type(model).__name__}")
    for name, value in (("radius", radius), ("saturated", saturated), ("ratio", ratio)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise TypeError(f"{name} must be the number you measured (a float); got a "
                            f"{type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number; got {value}")
    rnn = getattr(model, "rnn", None)
    if not isinstance(rnn, torch.nn.RNN) or rnn.nonlinearity != "tanh":
        return _say(False, "", "pass the trained tanh model, a SequenceModel('rnn', ...).")
    x, y = diagnosis_batch()
    want_radius = spectral_radius(rnn.weight_hh_l0.detach().double().numpy())
    with torch.no_grad():
        hs = rnn(x)[0]  # (B, T, H)
    want_saturated = (hs.abs() > 0.9).double().mean().item()
    want_ratio = gradient_ratio(model, x, y)
    problems = []
    if not abs(radius - want_radius) <= 0.02 * want_radius:
        problems.append("the spectral radius is the largest |eigenvalue| of "
                        "model.rnn.weight_hh_l0 (see spectral_radius)")
    if not abs(saturated - want_saturated) <= 0.02:
        problems.append("the saturated fraction is the mean of (|h| > 0.9) over all "
                        "states model.rnn(x)[0] of diagnosis_batch()")
    if not (ratio > 0 and abs(math.log10(ratio) - math.log10(want_ratio)) <= 0.3):
        problems.append("the ratio is gradient_ratio(model, x, y) on diagnosis_batch()")
    if problems:
        return _say(False, "", "; ".join(problems) + ".")
    found = (f"spectral radius {want_radius:.2f}, {want_saturated:.0%} of the states "
             f"saturated, gradient ratio {want_ratio:.1e}.")
    if want_radius > 1 and want_saturated > 0.3:
        found += (" A radius far above 1 drives many units into saturation, and their "
                  "small tanh slopes cut the gradient again.")
    return _say(True, found, "")
