"""Feedback for the exercises of chapters/09_beyond_recurrence.ipynb.

Each `check_...` runs the learner's function on a few cases, prints what went right or wrong
in plain words, and returns True only if everything passed.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from seqbook.exercises import call_learner, learner_number


def tcn_receptive_field(kernel_size: int, levels: int, convs_per_block: int) -> int:
    """Receptive field of a TCN with dilations 2^0..2^(levels-1), `convs_per_block` each."""
    return 1 + convs_per_block * (kernel_size - 1) * (2**levels - 1)


def check_receptive_field(fn: Callable[[int, int, int], int]) -> bool:
    """Check `fn(kernel_size, levels, convs_per_block) -> receptive field` on a few TCNs."""
    cases = [(2, 1, 1), (2, 3, 1), (3, 4, 2), (2, 10, 1), (5, 2, 2), (1, 6, 2), (3, 1, 2)]
    for k, L, n in cases:
        got, err = call_learner(fn, k, L, n)
        if err is None:
            got, err = learner_number(got, "the receptive field as a whole number")
        if err:
            print(err)
            return False
        want = tcn_receptive_field(k, L, n)
        if got == want:
            continue
        if got == want - 1:
            hint = "count the output step itself: the window includes x_t (the '1 +')"
        elif got == 1 + n * (k - 1) * 2**L or got == 2 + n * (k - 1) * (2**L - 1):
            hint = "the dilations 1, 2, ..., 2^(L-1) sum to 2^L - 1, not 2^L"
        elif n == 2 and got == 1 + (k - 1) * (2**L - 1):
            hint = "each block has convs_per_block convolutions with the same dilation"
        elif got == k**L or got == L * (k - 1) + 1:
            hint = "with dilation d a tap looks (k - 1) d steps back; sum over every layer"
        else:
            hint = "use R = 1 + (k - 1) * (sum of the dilations of every convolution)"
        print(f"kernel_size={k}, levels={L}, convs_per_block={n}: you gave {got}, the "
              f"receptive field is {want}: {hint}.")
        return False
    print(f"Correct on {len(cases)} networks.")
    return True


def check_causal_mask(fn: Callable[[int], torch.Tensor]) -> bool:
    """Check `fn(T)`: a (T, T) boolean mask, True where query t may attend to key s."""
    for T in (2, 5, 9, 1):
        got, err = call_learner(fn, T)
        if err:
            print(err)
            return False
        if got is None:
            print("your function returned None: did you forget `return`?")
            return False
        try:
            got = torch.as_tensor(got)
        except (TypeError, ValueError, RuntimeError):
            print(f"T={T}: return a (T, T) boolean tensor; got {type(got).__name__}")
            return False
        want = torch.ones(T, T, dtype=torch.bool).tril()
        if got.shape != (T, T):
            print(f"T={T}: return a (T, T) mask; got shape {tuple(got.shape)}")
            return False
        if got.dtype != torch.bool:
            print(f"T={T}: return booleans (True = may attend); got dtype {got.dtype}")
            return False
        if torch.equal(got, want):
            continue
        if torch.equal(got, want.T):
            hint = ("that is the transpose: row t is the query, so row t must allow columns "
                    "s <= t (lower triangle), not s >= t, which reads the future")
        elif torch.equal(got, want.tril(-1)):
            hint = "a step may attend to itself: keep the diagonal (s = t)"
        elif torch.equal(got, ~want):
            hint = "True must mark the ALLOWED keys here, not the forbidden ones"
        else:
            hint = "query t may attend to exactly the keys s = 0, 1, ..., t"
        print(f"T={T}: {hint}.")
        return False
    print("Correct: a lower-triangular mask, diagonal included.")
    return True


def attention_multiplications(T: int, d: int) -> int:
    """Multiplications of one single-head self-attention layer on T steps of width d."""
    return 4 * T * d * d + 2 * T * T * d


def check_attention_flops(fn: Callable[[int, int], int]) -> bool:
    """Check `fn(T, d)`: multiplications of single-head self-attention with its projections."""
    cases = [(1, 1), (10, 4), (128, 64), (1000, 16), (7, 300)]
    for T, d in cases:
        got, err = call_learner(fn, T, d)
        if err is None:
            got, err = learner_number(got, "the number of multiplications")
        if err:
            print(err)
            return False
        want = attention_multiplications(T, d)
        if got == want:
            continue
        parts = {"the four projections (q, k, v and the output), 4 T d^2": 4 * T * d * d,
                 "the scores Q K^T, T^2 d": T * T * d,
                 "the weighted sum of values, T^2 d": T * T * d}
        missing = [name for name, n in parts.items() if got == want - n]
        hint = (f"you left out {missing[0]}" if missing else
                "add 4 T d^2 for the q, k, v and output projections, T^2 d for Q K^T and "
                "T^2 d for the weights times V")
        print(f"T={T}, d={d}: you gave {got}, the count is {want}: {hint}.")
        return False
    print("Correct: 4 T d^2 + 2 T^2 d; the T^2 part is the larger once T > 2 d.")
    return True
