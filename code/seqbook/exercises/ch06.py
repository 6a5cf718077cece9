"""Feedback for the exercises of chapters/06a_video_cnn_rnn.ipynb and
chapters/06b_captioning_handwriting.ipynb.

Each `check_...` runs the learner's function (or reads their number) on a few cases, prints
what went right or wrong in plain words, and returns True only if everything passed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from seqbook.decoding import ctc_collapse


def _call(fn: Callable, *args):
    try:
        return fn(*args), None
    except Exception as e:  # the learner's code may fail in any way; report it kindly
        return None, f"your function raised {type(e).__name__}: {e}"


def check_shuffle_time(fn: Callable[[np.ndarray, np.random.Generator], np.ndarray]) -> bool:
    """Check `fn(frames (B, T, H, W), rng)` shuffles the frame order of each clip separately."""
    rng = np.random.default_rng(0)
    frames = (np.arange(4 * 12)[:, None, None] * np.ones((1, 2, 2))).reshape(4, 12, 2, 2)
    # every pixel of frame t of clip b holds 12 b + t: a frame's value is its identity
    got, err = _call(fn, frames.copy(), rng)
    if err:
        print(err)
        return False
    if got is None:
        print("your function returned None: return the shuffled clips (e.g. a new array), "
              "not only shuffle in place")
        return False
    got = np.asarray(got)
    if got.shape != frames.shape:
        print(f"return the shuffled clips with the same shape {frames.shape}; got {got.shape}")
        return False
    for b in range(4):
        if sorted(got[b, :, 0, 0]) != sorted(frames[b, :, 0, 0]):
            print(f"clip {b} now holds frames from other clips or lost some: shuffle only along "
                  "the time axis, within each clip")
            return False
    orders = {tuple(got[b, :, 0, 0] - 12 * b) for b in range(4)}
    if all(np.array_equal(got[b], frames[b]) for b in range(4)):
        print("the clips come back in their original frame order: shuffle along axis 1, "
              "the time axis (axes 2 and 3 are the pixels)")
        return False
    if len(orders) == 1:
        print("every clip got the same permutation; draw a new one per clip "
              "(e.g. rng.permutation(T) inside a loop)")
        return False
    print("Correct: each clip's frames are a fresh permutation of its own frames.")
    return True


def check_order_blind(outputs: int) -> bool:
    """How many different pooled vectors c = sum_t softmax_t(s(f_t)) f_t can the 10! orderings
    of one clip's 10 frames give? (Attention over CNN features alone, no RNN, no positions.)"""
    if outputs == 1:
        print("Right: one. alpha_t depends only on f_t, so reordering the frames reorders the "
              "alphas with them, and the sum over t is the same: a weighted bag of frames, as "
              "blind to order as the mean.")
        return True
    if outputs == math.factorial(10):
        print("That is the number of orderings, not of different outputs. Reorder the frames "
              "in the formula: which terms of the sum change?")
    elif outputs == 2:
        print("Forward and reversed are two of the orderings, but do they give different c? "
              "Each weight alpha_t is computed from f_t alone.")
    else:
        print(f"{outputs} is not it. Write c for a permuted clip: the weight of each frame "
              "travels with the frame. Does anything in c know which frame came first?")
    return False


def check_receptive_field(frames: int) -> bool:
    """How many input frames does one output of two stacked 3x3x3 convolutions see in time?"""
    if frames == 5:
        print("Right: each 3-frame layer widens the view by 2 frames, 1 + 2 + 2 = 5. Anything "
              "that needs frames further apart must be assembled by the final pooling.")
        return True
    if frames == 3:
        hint = "3 is what ONE layer sees; the second layer looks at 3 outputs of the first."
    elif frames in (6, 9):
        hint = (f"{frames} counts frames more than once: neighbouring outputs of the first "
                "layer overlap in 2 of their 3 frames.")
    else:
        hint = (f"{frames} is not it: the second layer looks at 3 outputs of the first, and "
                "neighbouring outputs of the first layer overlap in 2 of their 3 frames.")
    print(hint)
    return False


def check_cnn_passes(cached: int, finetuned: int) -> bool:
    """CNN passes for 1,000 clips x 16 frames x 20 epochs: cached features vs fine-tuning."""
    want_cached, want_ft = 1000 * 16, 1000 * 16 * 20
    ok = True
    if cached != want_cached:
        hint = (" - that is per epoch; cached features are computed once" if cached == want_ft
                else " - count frames, not clips: each clip has 16" if cached == 1000 else "")
        print(f"cached: {cached}{hint}. With a frozen backbone each frame is encoded once, "
              "before training, however many epochs follow.")
        ok = False
    if finetuned != want_ft:
        hint = (" - that is one epoch; there are 20" if finetuned == want_cached
                else " - count frames, not clips: each clip has 16" if finetuned == 20_000
                else "")
        print(f"fine-tuning: {finetuned}{hint}. Every epoch must run every frame through the "
              "CNN again (and back-propagate through it).")
        ok = False
    if ok:
        print(f"Right: {want_cached:,} versus {want_ft:,} passes (and no backward passes through "
              "the CNN at all when it is frozen): 20 times less CNN work.")
    return ok


def _drop_then_merge(path: list[int], blank: int) -> list[int]:
    """The usual mistake: drop blanks first, then merge repeats."""
    kept = [c for c in path if c != blank]
    return [c for i, c in enumerate(kept) if i == 0 or c != kept[i - 1]]


def check_ctc_collapse(fn: Callable[[list[int], int], list[int]]) -> bool:
    """Check the learner's CTC collapse `fn(path, blank) -> labels` on tricky paths."""
    cases = [([1, 1, 0, 1, 2, 2], 0), ([0, 0, 0], 0), ([3, 3, 3], 0), ([2, 0, 2, 2, 0, 0, 2], 0),
             ([5, 5, 1, 5], 5), ([], 0), ([4, 0, 0, 4], 0)]
    for path, blank in cases:
        got, err = _call(fn, list(path), blank)
        if err:
            print(err)
            return False
        if not isinstance(got, (list, tuple, np.ndarray)):
            print(f"return the collapsed path as a list of classes; got {got!r}")
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
        got, err = _call(fn, text)
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
