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


def _answers(fn: Callable[..., int], cases: list[tuple[int, ...]],
             what: str) -> list[int] | None:
    """The learner's answer to every case, or None after printing what went wrong."""
    answers = []
    for case in cases:
        got, err = call_learner(fn, *case)
        if err is None:
            got, err = learner_number(got, what)
        if err:
            print(err)
            return None
        answers.append(got)
    return answers


def _diagnose(answers: list, cases: list[tuple[int, ...]], want: Callable[..., int],
              mistakes: list[tuple[Callable[..., int], str]], generic: str,
              names: str) -> bool:
    """Print the first wrong case with the hint of the mistake that explains EVERY answer
    (so that a case where several formulas agree cannot pick the wrong hint)."""
    wrong = [i for i, case in enumerate(cases) if answers[i] != want(*case)]
    if not wrong:
        return True
    hint = next((h for f, h in mistakes
                 if all(answers[i] == f(*case) for i, case in enumerate(cases))), generic)
    case, got = cases[wrong[0]], answers[wrong[0]]
    shown = dict(zip(names.split(), case, strict=True))
    print(", ".join(f"{k}={v}" for k, v in shown.items())
          + f": you gave {int(got) if float(got).is_integer() else got}, the answer is "
            f"{want(*case)}: {hint}.")
    return False


def check_receptive_field(fn: Callable[[int, int, int], int]) -> bool:
    """Check `fn(kernel_size, levels, convs_per_block) -> receptive field` on a few TCNs."""
    cases = [(3, 4, 2), (2, 3, 1), (2, 10, 1), (5, 2, 2), (1, 6, 2), (3, 1, 2), (2, 1, 1)]
    answers = _answers(fn, cases, "the receptive field as a whole number")
    if answers is None:
        return False
    rf = tcn_receptive_field
    mistakes = [
        (lambda k, L, n: rf(k, L, n) - 1,
         "count the output step itself: the window includes x_t (the '1 +')"),
        (lambda k, L, n: 1 + n * (k - 1) * 2**L,
         "the dilations 1, 2, ..., 2^(L-1) sum to 2^L - 1, not 2^L"),
        (lambda k, L, n: 1 + n * (k - 1) * (2**(L - 1) - 1),
         "L levels have the dilations 1, 2, ..., 2^(L-1): L of them, summing to 2^L - 1"),
        (lambda k, L, n: 1 + n * k * (2**L - 1),
         "a tap of a kernel of size k reaches (k - 1) steps back times the dilation, not k"),
        (lambda k, L, n: 1 + (k - 1) * (2**L - 1),
         "each block has convs_per_block convolutions with the same dilation"),
        (lambda k, L, n: k**L, "with dilation d a tap looks (k - 1) d steps back; sum over "
                               "every convolution instead of multiplying"),
        (lambda k, L, n: L * (k - 1) + 1,
         "with dilation d a tap looks (k - 1) d steps back; the dilations double per level"),
    ]
    if not _diagnose(answers, cases, rf, mistakes,
                     "use R = 1 + (k - 1) * (sum of the dilations of every convolution)",
                     "kernel_size levels convs_per_block"):
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
    cases = [(10, 4), (128, 64), (1000, 16), (7, 300), (1, 1)]
    answers = _answers(fn, cases, "the number of multiplications")
    if answers is None:
        return False
    want = attention_multiplications
    mistakes = [
        (lambda T, d: want(T, d) - T * d * d, "you left out one of the four projections: "
                                              "q, k, v and the output, 4 T d^2"),
        (lambda T, d: 2 * T * T * d, "you left out the four projections (q, k, v and the "
                                     "output), 4 T d^2"),
        (lambda T, d: want(T, d) - T * T * d, "you left out the scores Q K^T or the "
                                              "weighted sum of the values, T^2 d each"),
        (lambda T, d: 4 * T * d * d + T * (T + 1) * d,
         "the causal mask does not save work here: the matrix products compute all T^2 "
         "scores, masked or not"),
        (lambda T, d: 2 * want(T, d), "count multiplications, not multiply-adds (FLOPs)"),
        (lambda T, d: want(T, d) + T * T, "leave out the scaling by 1/sqrt(d), as the softmax"),
    ]
    if not _diagnose(answers, cases, want, mistakes,
                     "add 4 T d^2 for the q, k, v and output projections, T^2 d for Q K^T and "
                     "T^2 d for the weights times V", "T d"):
        return False
    print("Correct: 4 T d^2 + 2 T^2 d; the T^2 part is the larger once T > 2 d.")
    return True
