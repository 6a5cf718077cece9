"""Tests of seqbook.exercises.ch07: right answers pass, typical wrong ones fail with feedback."""

from __future__ import annotations

import math

import numpy as np

from seqbook.exercises.ch07 import (
    check_cnn_passes,
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
