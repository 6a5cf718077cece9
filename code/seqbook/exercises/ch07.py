"""Feedback for the exercises of chapters/07_video_cnn_rnn.ipynb.

Each `check_...` runs the learner's function (or reads their number) on a few cases, prints
what went right or wrong in plain words, and returns True only if everything passed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from seqbook.exercises import call_learner, learner_array, learner_number


def check_shuffle_time(fn: Callable[[np.ndarray, np.random.Generator], np.ndarray]) -> bool:
    """Check `fn(frames (B, T, H, W), rng)` shuffles the frame order of each clip separately."""
    rng = np.random.default_rng(0)
    frames = (np.arange(4 * 12)[:, None, None] * np.ones((1, 2, 2))).reshape(4, 12, 2, 2)
    # every pixel of frame t of clip b holds 12 b + t: a frame's value is its identity
    got, err = call_learner(fn, frames.copy(), rng)
    if err:
        print(err)
        return False
    if got is None:
        print("your function returned None: return the shuffled clips (e.g. a new array), "
              "not only shuffle in place")
        return False
    got, err = learner_array(got, None, "the shuffled clips as an array")
    if err:
        print(err)
        return False
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


def _whole_number(name: str, value: object, what: str) -> int | None:
    """The learner's answer as an int, or None after saying what to give."""
    got, err = (None, "") if value is None else learner_number(value, what)
    if err is not None or not got.is_integer():
        print(f"{name}: give {what} (an int); got {value!r}")
        return None
    return int(got)


def check_order_blind(outputs: int) -> bool:
    """How many different pooled vectors c = sum_t softmax_t(s(f_t)) f_t can the 10! orderings
    of one clip's 10 frames give? (Attention over CNN features alone, no RNN, no positions.)"""
    outputs = _whole_number("outputs", outputs, "a whole number of different outputs")
    if outputs is None:
        return False
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
    frames = _whole_number("frames", frames, "a whole number of frames")
    if frames is None:
        return False
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
    cached = _whole_number("cached", cached, "a whole number of CNN passes")
    finetuned = _whole_number("finetuned", finetuned, "a whole number of CNN passes")
    if cached is None or finetuned is None:
        return False
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
