"""Feedback helpers for the exercises of chapters/04_vanishing_exploding.ipynb.

Each ``check_...`` prints a short, friendly verdict and returns True or False.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from seqbook.gradients import clip_by_norm, gradient_ratio, spectral_radius
from seqbook.tasks import adding_problem


def _say(ok: bool, good: str, bad: str) -> bool:
    print(("Correct: " + good) if ok else ("Not yet: " + bad))
    return ok


def check_vanishing_distance(k: int, radius: float = 0.9, factor: float = 1e-3) -> bool:
    """Is k the smallest distance at which radius**k drops below factor (a linear RNN, W = rQ)?"""
    if not 0 < radius < 1 or not 0 < factor < 1:
        raise ValueError("radius and factor must both lie strictly between 0 and 1")
    want = math.ceil(math.log(factor) / math.log(radius))
    if radius**want >= factor:  # guard the ceiling against rounding at an exact power
        want += 1
    return _say(
        k == want,
        f"{radius}^{want} = {radius**want:.2e} < {factor:g}, and one step fewer is not.",
        f"{radius}^{k} = {radius**k:.2e}; solve radius^k < factor for k with logarithms "
        "(mind that log(radius) is negative) and take the smallest integer.",
    )


def check_clip_by_norm(fn: Callable[[list[np.ndarray], float], list[np.ndarray]]) -> bool:
    """Compare a learner's ``fn(grads, max_norm) -> clipped grads`` with the reference rule."""
    rng = np.random.default_rng(4)
    cases = [([rng.normal(size=(3, 3)), rng.normal(size=3)], 1.0),  # norm ~3.5: clipped
             ([0.01 * rng.normal(size=(2, 2))], 1.0),  # tiny: must come back unchanged
             ([np.array([30.0, -40.0])], 5.0)]  # norm 50 -> (3, -4)
    for grads, c in cases:
        got = fn([g.copy() for g in grads], c)
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
    """Is ``model.rnn`` an IRNN: ReLU, W_hh = identity, hidden biases zero (Le et al. 2015)?"""
    rnn = getattr(model, "rnn", None)
    if not isinstance(rnn, torch.nn.RNN):
        return _say(False, "", "build a SequenceModel('rnn', ...) so that model.rnn is an nn.RNN.")
    if rnn.nonlinearity != "relu":
        return _say(False, "", "the IRNN uses nonlinearity='relu' (tanh would squash the state).")
    W = rnn.weight_hh_l0.detach()
    if not torch.allclose(W, torch.eye(W.shape[0], dtype=W.dtype)):
        return _say(False, "", "W_hh must start as the identity matrix (see init_recurrent_).")
    if rnn.bias and (rnn.bias_hh_l0.abs().max() > 0 or rnn.bias_ih_l0.abs().max() > 0):
        return _say(False, "", "set both hidden biases to zero, so h_t = h_{t-1} with no input.")
    return _say(True, "with no input, ReLU(I h) = h for h >= 0: the state and its gradient "
                "pass through unchanged.", "")


def diagnosis_batch() -> tuple[torch.Tensor, torch.Tensor]:
    """The batch exercise 5 measures on: adding_problem(256, 25, default_rng(0))."""
    return adding_problem(256, 25, np.random.default_rng(0))


def check_orthogonal_diagnosis(model: torch.nn.Module, radius: float, saturated: float,
                               ratio: float) -> bool:
    """Check three measurements of a trained tanh ``SequenceModel('rnn', ...)``.

    ``radius``: spectral radius of its W_hh; ``saturated``: fraction of hidden states
    h_t (all sequences, steps and units) with |h| > 0.9; ``ratio``: gradient_ratio(model,
    x, y), all on the batch x, y = diagnosis_batch().
    """
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
    if want_radius > 1 and want_saturated > 0.5:
        found += (" A radius far above 1 drives most units into saturation, and their "
                  "small tanh slopes cut the gradient again.")
    return _say(True, found, "")
