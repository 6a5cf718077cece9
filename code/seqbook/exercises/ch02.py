"""Feedback for the coding exercises of chapters/02_rnn.ipynb.

Each `check_...` runs the learner's function on a few cases, prints what went right or wrong in
plain words, and returns True only if every case passed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from seqbook.exercises import call_learner, learner_array, learner_number
from seqbook.models import SequenceModel, count_parameters
from seqbook.numpy_rnn import init_params, rnn_forward

SIZES = [(1, 4, 1), (3, 8, 2), (10, 16, 5), (7, 32, 40)]  # (D, H, O)


def check_param_count(fn: Callable[[int, int, int], int]) -> bool:
    """Check `fn(D, H, O)` = trainable parameters of `SequenceModel("rnn", D, H, O)`."""
    if not callable(fn):
        print(call_learner(fn)[1])
        return False
    for D, H, O in SIZES:  # noqa: E741
        want = count_parameters(SequenceModel("rnn", D, H, O))
        try:
            got = fn(D, H, O)
        except Exception as e:  # the learner's code may fail in any way; report it kindly
            print(f"fn({D}, {H}, {O}) raised {type(e).__name__}: {e}")
            return False
        got, err = learner_number(got, "the count as a number")
        if err:
            print(f"fn({D}, {H}, {O}): {err}.")
            return False
        if got != want:
            hint = ""
            if not float(got).is_integer():
                hint = " A parameter count is a whole number."
            elif want - got == H:
                hint = " You are short by H: torch's nn.RNN keeps two hidden biases, b_ih and b_hh."
            elif got - want == H:
                hint = " You have H too many: torch has exactly two hidden biases."
            elif want - got == O:
                hint = " You are short by O: the head has a bias b_y too."
            elif want - got == O * H + O:
                hint = " You left out the linear head W_hy, b_y that reads the output."
            print(f"For D={D}, H={H}, O={O}: you said {got}, the model has {want}.")
            if hint:
                print(hint.strip())
            return False
    print(f"Correct on {len(SIZES)} sizes: the count depends on D, H and O, never on the length T.")
    return True


def check_rnn_step(fn: Callable[[np.ndarray, np.ndarray, object], np.ndarray]) -> bool:
    """Check `fn(x_t (B, D), h_prev (B, H), params) -> h_t (B, H)` against `rnn_forward`."""
    if not callable(fn):
        print(call_learner(fn)[1])
        return False
    rng = np.random.default_rng(0)
    for D, H, O in SIZES[:3]:  # noqa: E741
        params = init_params(D, H, O, rng)
        params.b_h[:] = rng.normal(size=H)  # a non-zero bias, so forgetting it shows
        x_t, h_prev = rng.normal(size=(2, D)), rng.normal(size=(2, H))
        _, hs = rnn_forward(params, x_t[:, None, :], h0=h_prev)
        try:
            got = fn(x_t, h_prev, params)
        except Exception as e:  # report the learner's error in words
            print(f"Your function raised {type(e).__name__}: {e}")
            print("Shapes: x_t is (B, D), h_prev is (B, H), params.W_xh is (H, D).")
            return False
        got, err = learner_array(got, None, "h_t as an array")
        if err:
            print(err)
            return False
        if got.shape != (2, H):
            print(f"h_t must have shape (batch, hidden) = {(2, H)}; got {got.shape}.\n"
                  "Multiply by the transposed weights: x_t @ W_xh.T.")
            return False
        err = float(np.max(np.abs(got - hs[:, 1])))
        if err > 1e-10:
            a_t = x_t @ params.W_xh.T + h_prev @ params.W_hh.T + params.b_h  # (B, H)
            if np.allclose(got, np.tanh(a_t - params.b_h)):
                print("Close: you forgot the bias b_h inside the tanh.")
            elif np.allclose(got, a_t):
                print("Close: that is the pre-activation a_t; apply the tanh to it.")
            else:
                print(f"h_t differs from the reference by up to {err:.3g}.\n"
                      "Check the equation h_t = tanh(W_xh x_t + W_hh h_prev + b_h).")
            return False
    print("Correct: your step equals one step of rnn_forward for three sizes.")
    return True


def check_last_states(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check `fn(out (B, T, H), lengths (B,)) -> (B, H)`, the state at each true last step."""
    gen = torch.Generator().manual_seed(0)
    out = torch.randn(4, 6, 3, generator=gen)
    lengths = torch.tensor([6, 1, 3, 4])
    want = torch.stack([out[b, n - 1] for b, n in enumerate(lengths.tolist())])
    if not callable(fn):
        print(call_learner(fn)[1])
        return False
    try:
        got = fn(out, lengths)
    except Exception as e:  # report the learner's error in words
        print(f"Your function raised {type(e).__name__}: {e}")
        if "out of bounds" in str(e):
            print("Off by one? A sequence of length n ends at index n - 1.")
        return False
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (4, 3):
        shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        print(f"Return a (batch, hidden) = (4, 3) tensor; got {shape}.")
        return False
    if torch.equal(got, out[:, -1]):
        print("That is out[:, -1], the last PADDED step:\n"
              "it reads the padding for the short sequences.")
        return False
    if torch.equal(got, out[torch.arange(4), lengths.clamp(max=5)]):
        print("Off by one: a sequence of length n ends at index n - 1.")
        return False
    if not torch.equal(got, want):
        print("Some rows are wrong: row b must be out[b, lengths[b] - 1].")
        return False
    print("Correct: you read every sequence at its own last real step.")
    return True
