"""Tests of seqbook.exercises.ch06: right answers pass, typical wrong ones fail with feedback."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seqbook.decoding import corpus_bleu, ctc_collapse
from seqbook.exercises.ch06 import (
    check_clipped_precision,
    check_cnn_passes,
    check_ctc_collapse,
    check_min_ctc_frames,
    check_order_blind,
    check_receptive_field,
    check_shuffle_time,
)


def shuffle_right(frames, rng):
    return np.stack([clip[rng.permutation(len(clip))] for clip in frames])


def shuffle_same_order(frames, rng):
    return frames[:, rng.permutation(frames.shape[1])]


def shuffle_clips(frames, rng):
    return frames[rng.permutation(len(frames))]


def shuffle_pixels(frames, rng):
    return frames[:, :, rng.permutation(frames.shape[2])]


def shuffle_in_place(frames, rng):
    for clip in frames:
        rng.shuffle(clip)


def test_shuffle_time(capsys):
    assert check_shuffle_time(shuffle_right)
    assert "Correct" in capsys.readouterr().out
    for wrong, words in [(shuffle_same_order, "same permutation"),
                         (shuffle_clips, "other clips"),
                         (shuffle_pixels, "axis 1"),
                         (shuffle_in_place, "returned None"),
                         (lambda f, r: f[:, :5], "same shape")]:
        assert not check_shuffle_time(wrong)
        assert words in capsys.readouterr().out, wrong


def test_order_blind_counts_outputs(capsys):
    assert check_order_blind(1)
    assert "weighted bag" in capsys.readouterr().out
    for wrong, words in [(math.factorial(10), "number of orderings"), (2, "alpha_t"),
                         (10, "first")]:
        assert not check_order_blind(wrong)
        assert words in capsys.readouterr().out


def test_receptive_field(capsys):
    assert check_receptive_field(5)
    assert "1 + 2 + 2" in capsys.readouterr().out
    for wrong, words in [(3, "ONE layer"), (9, "more than once"), (7, "overlap")]:
        assert not check_receptive_field(wrong)
        assert words in capsys.readouterr().out


def test_cnn_passes(capsys):
    assert check_cnn_passes(16_000, 320_000)
    assert "20 times" in capsys.readouterr().out
    assert not check_cnn_passes(320_000, 320_000)
    assert "per epoch" in capsys.readouterr().out
    assert not check_cnn_passes(16_000, 16_000)
    assert "one epoch" in capsys.readouterr().out
    assert not check_cnn_passes(1_000, 20_000)
    out = capsys.readouterr().out
    assert out.count("count frames, not clips") == 2


def test_ctc_collapse(capsys):
    assert check_ctc_collapse(ctc_collapse)
    assert "Correct" in capsys.readouterr().out

    def drop_then_merge(path, blank):
        kept = [c for c in path if c != blank]
        return [c for i, c in enumerate(kept) if i == 0 or c != kept[i - 1]]

    def keeps_blanks(path, blank):
        return [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]

    def blank_is_zero(path, blank):
        return ctc_collapse(path, 0)

    for wrong, words in [(drop_then_merge, "merge FIRST"), (keeps_blanks, "blanks must be"),
                         (blank_is_zero, "`blank` argument"),
                         (lambda p, b: None, "as a list"),
                         (lambda p, b: 1 / 0, "ZeroDivisionError")]:
        assert not check_ctc_collapse(wrong)
        assert words in capsys.readouterr().out


def test_min_ctc_frames(capsys):
    def right(text):
        return len(text) + sum(a == b for a, b in zip(text, text[1:], strict=False))

    assert check_min_ctc_frames(right)
    assert "Correct" in capsys.readouterr().out
    for wrong, words in [(len, "repeats"), (lambda t: max(2 * len(t) - 1, 0), "EQUAL"),
                         (lambda t: 2 * len(t) + 1, "EQUAL")]:
        assert not check_min_ctc_frames(wrong)
        assert words in capsys.readouterr().out


@pytest.mark.parametrize("value, ok, words", [
    (0.5, True, "3 of the 6"), (1.0, False, "unclipped"), (0.6, False, "PREDICTION"),
    (0.25, False, "min(count")])
def test_clipped_precision(capsys, value, ok, words):
    assert check_clipped_precision(value) is ok
    assert words in capsys.readouterr().out


def test_clipped_precision_answer_agrees_with_bleu():
    p1 = corpus_bleu([["a", "3", "above", "a", "7"]], [["a", "3"] * 3], max_n=1)
    assert check_clipped_precision(p1)
