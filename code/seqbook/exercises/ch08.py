"""Feedback for the exercises of chapters/08_captioning_handwriting.ipynb.

Each `check_...` runs the learner's function (or reads their number) on a few cases, prints
what went right or wrong in plain words, and returns True only if everything passed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqbook.decoding import ctc_collapse
from seqbook.exercises import call_learner


def _drop_then_merge(path: list[int], blank: int) -> list[int]:
    """The usual mistake: drop blanks first, then merge repeats."""
    kept = [c for c in path if c != blank]
    return [c for i, c in enumerate(kept) if i == 0 or c != kept[i - 1]]


def check_ctc_collapse(fn: Callable[[list[int], int], list[int]]) -> bool:
    """Check the learner's CTC collapse `fn(path, blank) -> labels` on tricky paths."""
    cases = [([1, 1, 0, 1, 2, 2], 0), ([0, 0, 0], 0), ([3, 3, 3], 0), ([2, 0, 2, 2, 0, 0, 2], 0),
             ([5, 5, 1, 5], 5), ([], 0), ([4, 0, 0, 4], 0)]
    for path, blank in cases:
        got, err = call_learner(fn, list(path), blank)
        if err:
            print(err)
            return False
        if not isinstance(got, (list, tuple, np.ndarray)):
            print(f"return the collapsed path as a list of classes; got {got!r}")
            return False
        if any(isinstance(c, bool) or not isinstance(c, (int, np.integer)) for c in got):
            print(f"return a list of integer classes; got {got!r}")
            return False
        got, want = [int(c) for c in got], ctc_collapse(path, blank)
        if got == want:
            continue
        if got == _drop_then_merge(path, blank):
            hint = ("you dropped blanks before merging repeats; merge FIRST, then drop blanks: "
                    "the blank is what keeps two copies of a repeated class apart")
        elif blank != 0 and got == ctc_collapse(path, 0):
            hint = "use the `blank` argument instead of assuming the blank is class 0"
        elif blank in got:
            hint = "blanks must be dropped from the output after merging"
        elif len(got) < len(want):
            hint = "only runs of the SAME class merge; a blank in between starts a new run"
        else:
            hint = "merge every run of equal classes into one"
        print(f"path {path} with blank={blank}: you gave {got}, CTC reads {want}: {hint}.")
        return False
    print(f"Correct on {len(cases)} paths.")
    return True


def check_min_ctc_frames(fn: Callable[[str], int]) -> bool:
    """Check `fn(text) -> fewest CTC frames able to spell text` (repeats need a blank between)."""
    cases = {"7": 1, "123": 3, "11": 3, "1100": 6, "5555": 7, "": 0, "90019": 6}
    for text, want in cases.items():
        got, err = call_learner(fn, text)
        if err:
            print(err)
            return False
        if got != want:
            if got == len(text):
                hint = ("one frame per character is not enough when a character repeats: the "
                        "collapse would merge the copies, so a blank frame must separate them")
            elif got == 2 * len(text) - 1 or got == 2 * len(text) + 1:
                hint = ("blanks are needed only between EQUAL neighbours; different "
                        "characters can sit in adjacent frames")
            else:
                hint = ("count one frame per character plus one blank between each pair of "
                        "equal neighbours")
            print(f"{text!r}: you said {got}, the answer is {want}: {hint}.")
            return False
    print("Correct: length + number of adjacent repeats (each needs a blank between).")
    return True


def check_clipped_precision(value: float) -> bool:
    """Clipped unigram precision of 'a 3 a 3 a 3' against the reference 'a 3 above a 7'."""
    want = 3 / 6  # 'a' counts at most twice, '3' at most once
    if abs(value - want) < 1e-9:
        print("Right: 'a' may be credited twice and '3' once (their counts in the reference), "
              "so 3 of the 6 words count: 0.5. Without clipping it would be 1.0.")
        return True
    if abs(value - 1.0) < 1e-9:
        print("That is the unclipped precision: every word of the hypothesis occurs in the "
              "reference, but BLEU credits each word at most as often as the reference has it.")
    elif abs(value - 3 / 5) < 1e-9:
        print("The credited count (3) is right, but precision divides by the number of words in "
              "the PREDICTION (6), not in the reference (5).")
    else:
        print(f"{value} is not it: count, per word, min(count in hypothesis, count in reference).")
    return False


def _ctc_cases() -> list[tuple[np.ndarray, list[int]]]:
    """Random (T=4, C=3) log-probabilities with labels that include a repeat ('1 1')."""
    rng = np.random.default_rng(8)
    return [(np.log(rng.dirichlet(np.ones(3), size=4)), labels)
            for labels in ([1, 2], [1, 1], [2], [1, 2, 1])]


def _torch_ctc(log_probs: np.ndarray, labels: list[int]) -> float:
    import torch

    ctc = torch.nn.CTCLoss(blank=0, reduction="sum")
    return -float(ctc(torch.tensor(log_probs)[:, None], torch.tensor([labels]),
                      torch.tensor([len(log_probs)]), torch.tensor([len(labels)])))


def _check_ctc_fn(fn: Callable[[np.ndarray, list[int]], float], what: str) -> bool:
    for log_probs, labels in _ctc_cases():
        got, err = call_learner(fn, log_probs.copy(), list(labels))
        if err:
            print(err)
            return False
        want = _torch_ctc(log_probs, labels)
        if not np.isfinite(float(got)) or abs(float(got) - want) > 1e-6:
            hint = ""
            if abs(float(got) - np.exp(want)) < 1e-6:
                hint = " You returned p(l | x); return its LOG."
            elif labels == [1, 1]:
                hint = (" Labels '1 1' need a blank between the ones: the skip from s-2 to s is "
                        "allowed only when l'_s is not blank and differs from l'_(s-2).")
            print(f"labels {labels}: you gave {float(got):.6f}, torch's CTCLoss gives "
                  f"log p = {want:.6f}.{hint}")
            return False
    print(f"Correct: your {what} matches torch.nn.CTCLoss on {len(_ctc_cases())} cases, "
          "including the repeated label '1 1'.")
    return True


def check_ctc_brute_force(fn: Callable[[np.ndarray, list[int]], float]) -> bool:
    """Check `fn(log_probs (T=4, C), labels) -> log p(labels | x)` by summing over all paths."""
    return _check_ctc_fn(fn, "sum over all C^T alignments")


def check_ctc_alpha(fn: Callable[[np.ndarray, list[int]], float]) -> bool:
    """Check the learner's alpha recursion `fn(log_probs, labels) -> log p(labels | x)`."""
    return _check_ctc_fn(fn, "alpha recursion")
