"""Tests of seqbook.vision: the digit generators' labels are right by construction."""

from __future__ import annotations

import numpy as np
import pytest

from seqbook.data import load_digits
from seqbook.vision import (
    VOCAB,
    DigitPool,
    caption_canvases,
    describe,
    digit_clips,
    digit_strings,
    encode_captions,
    placed_digits,
    render_digits,
    split_digits,
)


@pytest.fixture(scope="module")
def pools() -> tuple[DigitPool, DigitPool]:
    images, labels = load_digits()
    return split_digits(images, labels, 0.3, np.random.default_rng(0))


def _index_of(pool: DigitPool, patch: np.ndarray) -> int:
    """Which pool image a drawn 8x8 patch is (exact copy)."""
    hits = np.flatnonzero((pool.images == patch).all(axis=(1, 2)))
    assert len(hits) >= 1
    return int(hits[0])


def test_split_is_disjoint_and_complete():
    images, labels = load_digits()
    train, test = split_digits(images, labels, 0.3, np.random.default_rng(1))
    assert len(train.images) + len(test.images) == len(images)
    assert abs(len(test.images) - 0.3 * len(images)) <= 1
    flat = lambda p: {img.tobytes() for img in p.images}  # noqa: E731
    # a handful of optdigits images are exact duplicates; nearly all must be disjoint
    assert len(flat(train) & flat(test)) <= 5


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2, 1.5])
def test_split_rejects_bad_fraction(fraction):
    images, labels = load_digits()
    with pytest.raises(ValueError, match="test_fraction"):
        split_digits(images, labels, fraction, np.random.default_rng(0))


def test_pool_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"\(N, 8, 8\)"):
        DigitPool(np.zeros((3, 8, 9)), np.zeros(3, int))
    with pytest.raises(ValueError, match="labels"):
        DigitPool(np.zeros((3, 8, 8)), np.zeros(4, int))


def test_render_identity_and_clockwise_turn():
    img = np.zeros((1, 8, 8))
    img[0, 0:2, 3:5] = 1.0  # a bar at the top
    same = render_digits(img, 8, np.array([3.5]), np.array([3.5]), np.array([0.0]), np.array([1.0]))
    np.testing.assert_allclose(same, img, atol=1e-12)
    turned = render_digits(img, 8, np.array([3.5]), np.array([3.5]), np.array([np.pi / 2]),
                           np.array([1.0]))[0]
    rows, cols = np.nonzero(turned > 0.5)
    assert cols.min() >= 6 and 3 <= rows.mean() <= 4  # the top bar went to the right: clockwise


def _shift(a: np.ndarray, b: np.ndarray) -> int:
    """Circular column shift that best maps image a onto image b (in -S/2..S/2)."""
    S = a.shape[1]
    scores = [np.sum(np.roll(a, k, axis=1) * b) for k in range(S)]
    k = int(np.argmax(scores))
    return k - S if k > S // 2 else k


def test_move_clips_direction_matches_label(pools):
    train, _ = pools
    c = digit_clips(train, 40, np.random.default_rng(2), motions=("move",))
    assert c.frames.shape == (40, 10, 16, 16) and c.frames.dtype == np.float32
    for frames, y in zip(c.frames, c.labels, strict=True):
        moved = _shift(frames[0], frames[-1])
        assert (moved > 0) == (y == 0), "label 0 moves right, label 1 moves left"
        assert 3 <= abs(moved) <= 6


@pytest.mark.parametrize("motion", ["move", "rotate"])
def test_digit_rests_outside_the_motion_window(pools, motion):
    train, _ = pools
    c = digit_clips(train, 30, np.random.default_rng(3), T=9, move_frames=3, motions=(motion,))
    for frames, s in zip(c.frames, c.move_start, strict=True):
        assert 0 <= s <= 9 - 3
        for t in range(1, 9):
            changed = not np.allclose(frames[t], frames[t - 1], atol=1e-6)
            assert changed == (s <= t <= s + 3), (t, s)


def _turn(img: np.ndarray, angle: float) -> np.ndarray:
    """Nearest-neighbour turn of an image clockwise by `angle` about its centre of mass."""
    S = img.shape[0]
    r, c = np.mgrid[0:S, 0:S].astype(float)
    cy, cx = (img * r).sum() / img.sum(), (img * c).sum() / img.sum()
    dy, dx = r - cy, c - cx
    u = np.rint(np.cos(angle) * dy - np.sin(angle) * dx + cy).astype(int)
    v = np.rint(np.sin(angle) * dy + np.cos(angle) * dx + cx).astype(int)
    inside = (u >= 0) & (u < S) & (v >= 0) & (v < S)
    return np.where(inside, img[u.clip(0, S - 1), v.clip(0, S - 1)], 0.0)


def test_rotate_clips_direction_matches_label(pools):
    train, _ = pools
    c = digit_clips(train, 30, np.random.default_rng(4), motions=("rotate",))
    assert set(np.unique(c.labels)) == {0, 1} and "turns" in c.names()[0]
    angles = np.radians(np.arange(40, 81, 5))
    for frames, y in zip(c.frames, c.labels, strict=True):
        match = {sign: max(np.sum(_turn(frames[0], sign * a) * frames[-1]) for a in angles)
                 for sign in (+1, -1)}
        assert (match[+1] > match[-1]) == (y == 0), "label 0 turns clockwise"


def test_labels_are_balanced_and_frames_do_not_give_them_away(pools):
    """Time reversal: the mean frame of either class is the same picture (up to sampling)."""
    train, _ = pools
    c = digit_clips(train, 4000, np.random.default_rng(5), T=6, move_frames=2)
    assert abs(c.labels.mean() - 0.5) < 0.03
    m0 = c.frames[c.labels == 0].mean(axis=(0, 1))
    m1 = c.frames[c.labels == 1].mean(axis=(0, 1))
    first0, first1 = c.frames[c.labels == 0, 0].mean(0), c.frames[c.labels == 1, 0].mean(0)
    assert np.abs(m0 - m1).max() < 0.03 and np.abs(first0 - first1).max() < 0.05


@pytest.mark.parametrize("kwargs, match", [
    ({"move_frames": 11}, "move_frames"), ({"size": 8}, "size"),
    ({"motions": ("fly",)}, "motions"), ({"motions": ()}, "motions")])
def test_clips_reject_bad_input(pools, kwargs, match):
    with pytest.raises(ValueError, match=match):
        digit_clips(pools[0], 2, np.random.default_rng(0), **kwargs)


def test_generators_reject_bad_batch_and_rng(pools):
    with pytest.raises(ValueError, match="batch"):
        digit_clips(pools[0], 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="Generator"):
        caption_canvases(pools[0], 2, 0)


def test_describe():
    assert describe([3], "row") == ["a", "3"]
    assert describe([3, 7], "row") == ["a", "3", "left", "of", "a", "7"]
    assert describe([3, 7, 1], "column") == ["a", "3", "above", "a", "7", "above", "a", "1"]
    with pytest.raises(ValueError, match="layout"):
        describe([1], "diagonal")


def test_captions_describe_what_is_drawn(pools):
    train, _ = pools
    canvases, captions = caption_canvases(train, 60, np.random.default_rng(5))
    assert canvases.shape == (60, 24, 24)
    for canvas, caption in zip(canvases, captions, strict=True):
        cells = [(r, c) for r in range(3) for c in range(3)
                 if canvas[8 * r:8 * r + 8, 8 * c:8 * c + 8].any()]
        digits = [w for w in caption if w.isdigit()]
        assert len(cells) == len(digits)
        if len(cells) > 1:
            same_row = len({r for r, _ in cells}) == 1
            assert same_row == ("left" in caption) and same_row != ("above" in caption)
        # cells sorted row-major = reading order for both rows and columns
        drawn = [train.labels[_index_of(train, canvas[8 * r:8 * r + 8, 8 * c:8 * c + 8])]
                 for r, c in sorted(cells)]
        assert [str(d) for d in drawn] == digits


def test_caption_max_digits(pools):
    _, captions = caption_canvases(pools[0], 30, np.random.default_rng(6), max_digits=1)
    assert all(len(c) == 2 for c in captions)
    with pytest.raises(ValueError, match="max_digits"):
        caption_canvases(pools[0], 3, np.random.default_rng(0), max_digits=4)


def test_encode_captions_is_shifted_by_one():
    caps = [["a", "3"], ["a", "3", "above", "a", "7"]]
    inputs, targets = encode_captions(caps)
    assert inputs.shape == targets.shape == (2, 6)
    assert (inputs[:, 0] == VOCAB.start).all()
    np.testing.assert_array_equal(inputs[1, 1:], targets[1, :-1])
    assert targets[0, 2] == VOCAB.end and (targets[0, 3:] == VOCAB.pad).all()
    assert VOCAB.decode(targets[1]) == caps[1]
    with pytest.raises(ValueError, match="vocabulary"):
        encode_captions([["a", "cat"]])


def test_digit_strings_hold_the_digits_they_name(pools):
    train, _ = pools
    s = digit_strings(train, 25, np.random.default_rng(7), lengths=(2, 5), gap=(0, 3))
    assert s.images.shape[:2] == (25, 10)
    assert set(s.target_lengths) <= {2, 5}
    for img, tgt, n, left in zip(s.images, s.targets, s.target_lengths, s.left, strict=True):
        assert (tgt[n:] == -1).all() and (tgt[:n] >= 0).all()
        assert np.all(np.diff(left[:n]) >= 8)  # left to right, never overlapping
        for i in range(n):
            patch = img[:, left[i]:left[i] + 8]  # (10, 8): the digit at some row offset 0..2
            found = [train.labels[(train.images == patch[y:y + 8]).all(axis=(1, 2))]
                     for y in range(3)]
            assert any(tgt[i] in labels for labels in found), i
    assert len(s.texts()[0]) == s.target_lengths[0]


def test_digit_strings_bad_input(pools):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="lengths"):
        digit_strings(pools[0], 2, rng, lengths=(0, 2))
    with pytest.raises(ValueError, match="gap"):
        digit_strings(pools[0], 2, rng, gap=(2, 1))
    with pytest.raises(ValueError, match="too narrow"):
        digit_strings(pools[0], 2, rng, lengths=(4,), width=20)


def test_shuffle_exercise_check(capsys):
    from seqbook.exercises.ch07 import check_shuffle_time

    def per_clip(frames, rng):
        return np.stack([clip[rng.permutation(len(clip))] for clip in frames])

    assert check_shuffle_time(per_clip)
    assert not check_shuffle_time(lambda f, rng: f[:, rng.permutation(f.shape[1])])
    assert not check_shuffle_time(lambda f, rng: f)
    assert not check_shuffle_time(lambda f, rng: f.reshape(-1, *f.shape[2:])[::-1].reshape(f.shape))
    assert "fresh permutation" in capsys.readouterr().out


def _column_of(image: np.ndarray) -> float:
    """Centre column of a digit on a wrapping canvas (circular mean of the ink per column)."""
    S = image.shape[1]
    ink = image.sum(0)
    angle = np.angle(np.sum(ink * np.exp(2j * np.pi * np.arange(S) / S)))
    return (angle * S / (2 * np.pi)) % S


def _circular_gap(a: float, b: float, S: int) -> float:
    d = abs(a - b) % S
    return min(d, S - d)


def test_clip_columns_follow_the_digit(pools):
    train, _ = pools
    c = digit_clips(train, 20, np.random.default_rng(6))
    assert c.columns.shape == (20, 10)
    assert ((c.columns >= 0) & (c.columns < 16)).all()
    for frames, cols, y in zip(c.frames, c.columns, c.labels, strict=True):
        for frame, col in zip(frames, cols, strict=True):
            assert _circular_gap(_column_of(frame), col, 16) < 1.5
        step = (cols[-1] - cols[0] + 8) % 16 - 8  # signed move on the circle
        assert (step > 0) == (y == 0)


def test_placed_digits_are_labelled_by_class_and_column(pools):
    train, _ = pools
    d = placed_digits(train, 50, np.random.default_rng(7))
    assert d.images.shape == (50, 16, 16) and d.images.dtype == np.float32
    assert set(d.digits) <= set(range(10)) and len(set(d.digits)) > 5
    for image, col in zip(d.images, d.columns, strict=True):
        assert _circular_gap(_column_of(image), col, 16) < 1.5
    ink = d.images.sum(axis=(1, 2))  # the wrapped copies add up to one whole digit
    pool_ink = train.images.sum(axis=(1, 2))
    assert ink.min() > 0.9 * pool_ink.min() and ink.max() < 1.1 * pool_ink.max()


@pytest.mark.parametrize("kwargs, match", [({"size": 6}, "size"), ({"n": 0}, "batch")])
def test_placed_digits_reject_bad_input(pools, kwargs, match):
    args = {"n": 3} | kwargs
    with pytest.raises(ValueError, match=match):
        placed_digits(pools[0], rng=np.random.default_rng(0), **args)
