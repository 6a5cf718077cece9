"""Data for CNN + RNN hybrids, drawn from the UCI handwritten digits (8x8 images).

Generators, each taking a seeded numpy Generator and a `DigitPool` of digit images:
- `digit_clips`: short videos of a digit that moves or turns; the label says only whether the
  action runs forward or backward in time, so the ORDER of frames is the only cue.
- `placed_digits`: single digits at random places on the clips' canvas, labelled with their
  class and column, for pretraining a frame CNN.
- `caption_canvases`: canvases with one to three digits in a row or a column and the caption
  that describes them ("a 3 left of a 7"), with the caption vocabulary `VOCAB`.
- `digit_strings`: strings of digits written side by side, for CTC handwriting recognition.
Split the pool with `split_digits` first, so held-out data uses digit images never trained on.
Taught in chapters/07_video_cnn_rnn.ipynb and chapters/08_captioning_handwriting.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqbook import checks as _checks

MOTIONS = ("move", "rotate")
ACTIONS = {"move": ("moves right", "moves left"),
           "rotate": ("turns clockwise", "turns anticlockwise")}
"""Per motion, the names of label 0 (forward) and label 1 (the same action reversed in time)."""


@dataclass
class DigitPool:
    """Digit images (N, 8, 8) in [0, 1] with their labels (N,): what the generators draw from."""

    images: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        _checks.array("images", self.images, 3, "(N, 8, 8) digit images", kind="number",
                      min_size=0)
        _checks.array("labels", self.labels, 1, "(N,) digit classes", kind="int", min_size=0)
        if not isinstance(self.images, np.ndarray) or not isinstance(self.labels, np.ndarray):
            raise TypeError("images and labels must be numpy arrays, e.g. from "
                            "seqbook.data.load_digits()")
        if self.images.size and not (np.isfinite(self.images).all()
                                     and 0 <= self.images.min() and self.images.max() <= 1):
            raise ValueError("images must hold finite pixel values in [0, 1]; divide raw "
                             "0..16 digits by 16")
        if self.images.ndim != 3 or self.images.shape[1:] != (8, 8):
            raise ValueError(f"images must be (N, 8, 8) digit images, e.g. from "
                             f"seqbook.data.load_digits(); got shape {self.images.shape}")
        if self.labels.shape != (len(self.images),):
            raise ValueError(f"labels must be (N,) with N = {len(self.images)}; got "
                             f"{self.labels.shape}")
        if len(self.images) == 0:
            raise ValueError("the pool holds no digit images")


def _check_rng(rng: np.random.Generator) -> None:
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator, e.g. seqbook.set_seed(0)")


def _check_pool(pool: object) -> None:
    if not isinstance(pool, DigitPool):
        raise TypeError(f"pool must be a DigitPool (see split_digits); got {type(pool).__name__}")


def _check_batch(batch: int) -> None:
    if not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"batch must be a positive number of examples; got {batch!r}")


def split_digits(images: np.ndarray, labels: np.ndarray, test_fraction: float,
                 rng: np.random.Generator) -> tuple[DigitPool, DigitPool]:
    """Split digit images at random into a training pool and a disjoint held-out pool."""
    _check_rng(rng)
    _checks.number("test_fraction", test_fraction, hint=" strictly between 0 and 1")
    _checks.array("images", images, 3, "(N, 8, 8) digit images", kind="number")
    _checks.array("labels", labels, 1, "(N,) digit classes", kind="int")
    if len(labels) != len(images):
        raise ValueError(f"labels must give one class per image ({len(images)}); got "
                         f"{len(labels)}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1; got {test_fraction}")
    n = len(images)
    order = rng.permutation(n)
    n_test = int(round(test_fraction * n))
    if n_test == 0 or n_test == n:
        raise ValueError(f"test_fraction={test_fraction} leaves one pool empty for {n} images")
    test, train = order[:n_test], order[n_test:]
    return DigitPool(images[train], labels[train]), DigitPool(images[test], labels[test])


def render_digits(images: np.ndarray, size: int, cy: np.ndarray, cx: np.ndarray,
                  angle: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Draw each 8x8 digit on a blank size x size canvas, centred at (cy, cx) (pixels), turned
    clockwise by `angle` (radians) and magnified by `scale`, with bilinear interpolation."""
    _checks.array("images", images, 3, "(N, 8, 8) digit images", kind="number")
    if np.shape(images)[1:] != (8, 8):
        raise ValueError(f"images must be (N, 8, 8) digit images; got shape {np.shape(images)}")
    _checks.integer("size", size, minimum=1, hint=" (canvas pixels)")
    for name, v in (("cy", cy), ("cx", cx), ("angle", angle), ("scale", scale)):
        _checks.array(name, v, 1, f"({len(images)},), one value per image", kind="number",
                      finite=True)
        if len(v) != len(images):
            raise ValueError(f"{name} must be ({len(images)},), one value per image; got "
                             f"shape {np.shape(v)}")
    if np.min(scale) <= 0:
        raise ValueError(f"scale must be positive magnifications; got min {np.min(scale)}")
    n = len(images)
    rows = np.arange(size, dtype=float)[None, :, None] - np.asarray(cy, float)[:, None, None]
    cols = np.arange(size, dtype=float)[None, None, :] - np.asarray(cx, float)[:, None, None]
    c = np.cos(angle)[:, None, None]
    s = np.sin(angle)[:, None, None]
    k = 1.0 / np.asarray(scale, float)[:, None, None]
    u = (c * rows - s * cols) * k + 3.5 + 1.0  # (N, S, S) source row, +1 for the zero border
    v = (s * rows + c * cols) * k + 3.5 + 1.0
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))  # (N, 10, 10)
    u = np.clip(u, 0.0, 9.0)
    v = np.clip(v, 0.0, 9.0)
    u0 = np.minimum(np.floor(u).astype(int), 8)
    v0 = np.minimum(np.floor(v).astype(int), 8)
    du, dv = u - u0, v - v0
    idx = np.arange(n)[:, None, None]
    out = ((1 - du) * (1 - dv) * padded[idx, u0, v0] + (1 - du) * dv * padded[idx, u0, v0 + 1]
           + du * (1 - dv) * padded[idx, u0 + 1, v0] + du * dv * padded[idx, u0 + 1, v0 + 1])
    return out  # (N, S, S)


@dataclass
class Clips:
    """A batch of digit videos: frames (B, T, S, S), labels (B,) 0 = forward, 1 = reversed,
    motions (B,) index into MOTIONS, move_start (B,) first of the `move_frames` frames caught
    in mid-action (the digit has changed from frame move_start - 1 to frame move_start), and
    columns (B, T) the digit's centre column in each frame (pixels, in [0, S))."""

    frames: np.ndarray
    labels: np.ndarray
    motions: np.ndarray
    move_start: np.ndarray
    move_frames: int
    columns: np.ndarray

    def names(self) -> list[str]:
        """Human-readable action of each clip, e.g. 'rotate: turns clockwise'."""
        pairs = zip(self.motions, self.labels, strict=True)
        return [f"{MOTIONS[m]}: {ACTIONS[MOTIONS[m]][y]}" for m, y in pairs]


def _render_wrapped(images: np.ndarray, size: int, cy: np.ndarray, cx: np.ndarray,
                    angle: np.ndarray) -> np.ndarray:
    """render_digits on a canvas that wraps around left-right (a copy on each side)."""
    ones = np.ones(len(images))
    return sum(render_digits(images, size, cy, cx + shift, angle, ones)
               for shift in (-size, 0, size))  # (N, S, S)


def digit_clips(pool: DigitPool, batch: int, rng: np.random.Generator,
                *, T: int = 10, size: int = 16, move_frames: int = 4,
                motions: Sequence[str] = ("move",)) -> Clips:
    """Clips in which a digit rests, acts over `move_frames` frames, rests.

    'move': from anywhere, 3-6 pixels to the right, on a canvas that wraps
    around like a ticker; 'rotate': from any angle, 40-80 degrees clockwise.
    Label 1 clips are label 0 clips played backwards, so both classes hold
    the same distribution of frames, and since the start is uniform on a
    circle, even a single frame says nothing about the label: only the
    ORDER of the frames reveals it.
    """
    _check_pool(pool)
    _check_rng(rng)
    _check_batch(batch)
    _checks.integer("T", T, minimum=1, hint=" (frames)")
    _checks.integer("size", size, minimum=None, hint=" (canvas pixels)")
    _checks.integer("move_frames", move_frames, minimum=None)
    if isinstance(motions, str):
        raise TypeError(f"motions must be a list of names from {MOTIONS}, such as ('move',); "
                        f"got the string {motions!r}")
    if not 1 <= move_frames <= T:
        raise ValueError(f"move_frames must lie in 1..T={T}; got {move_frames}")
    if size < 12:
        raise ValueError(f"size must be at least 12 pixels so a turning 8x8 digit fits; got {size}")
    bad = [m for m in motions if m not in MOTIONS]
    if bad or not motions:
        raise ValueError(f"motions must be a non-empty subset of {MOTIONS}; got {list(motions)}")
    kinds = rng.choice([MOTIONS.index(m) for m in motions], size=batch)
    which = rng.integers(0, len(pool.images), size=batch)
    start = rng.integers(0, T - move_frames + 1, size=batch)
    t = np.arange(T)[None, :]
    u = np.clip((t - start[:, None] + 1) / (move_frames + 1), 0.0, 1.0)  # (B, T) progress 0 -> 1
    mid = (size - 1) / 2
    cy = mid + rng.uniform(-1, 1, batch)[:, None] + 0 * u  # (B, T) centre row
    cx = mid + rng.uniform(-1, 1, batch)[:, None] + 0 * u  # (B, T) centre column
    x0 = rng.uniform(0, size, batch)[:, None]  # move: any start column ...
    dist = rng.uniform(3, 6, batch)[:, None]  # ... then 3-6 px to the right
    a0 = rng.uniform(0, 2 * np.pi, batch)[:, None]  # rotate: any start angle ...
    sweep = rng.uniform(np.radians(40), np.radians(80), batch)[:, None]  # ... then clockwise
    is_move, is_rot = (kinds[:, None] == MOTIONS.index(m) for m in MOTIONS)
    cx = np.where(is_move, (x0 + u * dist) % size, cx)
    angle = np.where(is_rot, a0 + u * sweep, 0 * u)
    imgs = np.repeat(pool.images[which], T, axis=0)  # (B*T, 8, 8)
    frames = _render_wrapped(imgs, size, cy.ravel(), cx.ravel(), angle.ravel())
    frames = frames.reshape(batch, T, size, size)
    labels = rng.integers(0, 2, size=batch)
    rev = labels == 1
    frames[rev] = frames[rev, ::-1]  # label 1: the same action played backwards
    cx[rev] = cx[rev, ::-1]
    start = np.where(rev, T - move_frames - start, start)
    return Clips(frames.astype(np.float32), labels, kinds, start, move_frames, cx)


@dataclass
class PlacedDigits:
    """Single digits on a wrapping canvas: images (N, S, S), digits (N,) their classes and
    columns (N,) the centre column of each (pixels, in [0, S))."""

    images: np.ndarray
    digits: np.ndarray
    columns: np.ndarray


def placed_digits(pool: DigitPool, n: int, rng: np.random.Generator, *,
                  size: int = 16) -> PlacedDigits:
    """Digits drawn at a random column (and jittered row) of a size x size canvas that wraps
    around like the clips of `digit_clips`: labelled images for pretraining a frame CNN."""
    _check_pool(pool)
    _check_rng(rng)
    _check_batch(n)
    _checks.integer("size", size, minimum=None, hint=" (canvas pixels)")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels so a digit fits; got {size}")
    which = rng.integers(0, len(pool.images), size=n)
    cy = (size - 1) / 2 + rng.uniform(-1, 1, n)
    cx = rng.uniform(0, size, n)
    images = _render_wrapped(pool.images[which], size, cy, cx, np.zeros(n))
    return PlacedDigits(images.astype(np.float32), pool.labels[which], cx)


# ---- captioning -------------------------------------------------------------------------------

SPECIALS = ("<pad>", "<start>", "<end>")
WORDS = ("a", "left", "of", "above") + tuple(str(d) for d in range(10))


@dataclass
class Vocab:
    """Words <-> integer ids for captions; ids 0, 1, 2 are <pad>, <start>, <end>."""

    words: tuple[str, ...]

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}
        self.pad, self.start, self.end = (self.index[s] for s in SPECIALS)

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, caption: Sequence[str]) -> list[int]:
        """Ids of a caption's words (no <start> or <end> added)."""
        if isinstance(caption, str):
            raise TypeError(f"caption must be a list of words, not the string {caption!r}: "
                            ".split() it")
        unknown = [w for w in caption if w not in self.index]
        if unknown:
            raise ValueError(f"words {unknown} are not in the vocabulary {self.words}")
        return [self.index[w] for w in caption]

    def decode(self, ids: Sequence[int]) -> list[str]:
        """Words of a list of ids, stopping at <end> and skipping <pad> and <start>."""
        _checks.array("ids", ids, 1, "(a 1-D list of word ids)", kind="int", min_size=0)
        _checks.ids("ids", ids, len(self.words))
        out = []
        for i in ids:
            if i == self.end:
                break
            if i not in (self.pad, self.start):
                out.append(self.words[int(i)])
        return out


VOCAB = Vocab(SPECIALS + WORDS)


def describe(digits: Sequence[int], layout: str) -> list[str]:
    """The caption of digits read left to right ('row') or top to bottom ('column')."""
    if layout not in ("row", "column"):
        raise ValueError(f"layout must be 'row' or 'column'; got {layout!r}")
    if isinstance(digits, str):
        raise TypeError(f"digits must be a list of digit classes 0..9; got the string {digits!r}")
    _checks.array("digits", digits, 1, "(a 1-D list of digit classes)", kind="int", min_size=0)
    _checks.ids("digits", digits, 10)
    relation = ["left", "of"] if layout == "row" else ["above"]
    words: list[str] = []
    for i, d in enumerate(digits):
        words += (relation if i else []) + ["a", str(int(d))]
    return words


def caption_canvases(pool: DigitPool, batch: int, rng: np.random.Generator, *,
                     max_digits: int = 3) -> tuple[np.ndarray, list[list[str]]]:
    """Canvases (B, 24, 24), seen as a 3x3 grid of 8x8 cells, with 1..max_digits digits in
    consecutive cells of the middle row or the middle column, and their captions, e.g.
    ['a', '3', 'above', 'a', '7']."""
    _check_pool(pool)
    _check_rng(rng)
    _check_batch(batch)
    _checks.integer("max_digits", max_digits, minimum=None)
    if not 1 <= max_digits <= 3:
        raise ValueError(f"max_digits must be 1, 2 or 3 (the grid is 3x3); got {max_digits}")
    canvases = np.zeros((batch, 24, 24), dtype=np.float32)
    captions = []
    for b in range(batch):
        k = int(rng.integers(1, max_digits + 1))
        layout = "row" if rng.random() < 0.5 else "column"
        first = int(rng.integers(0, 4 - k))  # first cell along the middle row or column
        which = rng.integers(0, len(pool.images), size=k)
        for i, w in enumerate(which):
            r, c = (1, first + i) if layout == "row" else (first + i, 1)
            canvases[b, 8 * r:8 * r + 8, 8 * c:8 * c + 8] = pool.images[w]
        captions.append(describe(pool.labels[which], layout))
    return canvases, captions


def encode_captions(captions: Sequence[Sequence[str]], vocab: Vocab = VOCAB
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Teacher-forcing pairs: inputs (B, L) = <start> + words, targets (B, L) = words + <end>,
    both padded with <pad> to the longest caption plus one."""
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a seqbook.vision.Vocab such as VOCAB; got "
                        f"{type(vocab).__name__}")
    if isinstance(captions, str):
        raise TypeError("captions must be a list of word lists, not a string")
    if len(captions) == 0:
        raise ValueError("captions must hold at least one caption")
    ids = [vocab.encode(c) for c in captions]
    L = max(len(c) for c in ids) + 1
    inputs = np.full((len(ids), L), vocab.pad, dtype=np.int64)
    targets = np.full((len(ids), L), vocab.pad, dtype=np.int64)
    for b, c in enumerate(ids):
        inputs[b, : len(c) + 1] = [vocab.start] + c
        targets[b, : len(c) + 1] = c + [vocab.end]
    return inputs, targets


# ---- handwriting strings ----------------------------------------------------------------------

@dataclass
class DigitStrings:
    """Digit strings written side by side: images (B, 10, W), targets (B, L_max) digits padded
    with -1, target_lengths (B,), and each digit's left edge in pixels (B, L_max, -1 padded)."""

    images: np.ndarray
    targets: np.ndarray
    target_lengths: np.ndarray
    left: np.ndarray

    def texts(self) -> list[str]:
        """Each string as text, e.g. '4071'."""
        rows = zip(self.targets, self.target_lengths, strict=True)
        return ["".join(str(d) for d in row[:n]) for row, n in rows]


def digit_strings(pool: DigitPool, batch: int, rng: np.random.Generator, *,
                  lengths: Sequence[int] = (2, 3, 4), gap: tuple[int, int] = (0, 2),
                  width: int | None = None) -> DigitStrings:
    """Strings of digits (lengths drawn from `lengths`) written left to right with random gaps
    and a random vertical offset of 0-2 pixels, on a canvas 10 pixels high."""
    _check_pool(pool)
    _check_rng(rng)
    _check_batch(batch)
    for k in lengths:
        _checks.integer("lengths", k, minimum=None, hint=" (string lengths, e.g. (2, 3, 4))")
    if not isinstance(gap, (tuple, list)) or len(gap) != 2:
        raise TypeError(f"gap must be a pair (low, high) of pixel gaps, e.g. (0, 2); got {gap!r}")
    for g in gap:
        _checks.integer("gap", g, minimum=None, hint=" (pixels)")
    if width is not None:
        _checks.integer("width", width, minimum=1, hint=" (pixels, or None to fit)")
    lengths = list(lengths)
    if not lengths or min(lengths) < 1:
        raise ValueError(f"lengths must list positive string lengths, e.g. (2, 3, 4); "
                         f"got {lengths}")
    if not 0 <= gap[0] <= gap[1]:
        raise ValueError(f"gap must be (low, high) pixels with 0 <= low <= high; got {gap}")
    n = rng.choice(lengths, size=batch)
    gaps = [rng.integers(gap[0], gap[1] + 1, size=k) for k in n]
    needed = [8 * k + int(g[1:].sum()) for k, g in zip(n, gaps, strict=True)]
    W = width if width is not None else max(needed) + 2
    if W < max(needed):
        raise ValueError(f"width={W} is too narrow: a string in this batch needs {max(needed)} px")
    images = np.zeros((batch, 10, W), dtype=np.float32)
    targets = np.full((batch, max(n)), -1, dtype=np.int64)
    left = np.full((batch, max(n)), -1, dtype=np.int64)
    for b, k in enumerate(n):
        x = int(rng.integers(0, W - needed[b] + 1))
        for i, w in enumerate(rng.integers(0, len(pool.images), size=k)):
            x += int(gaps[b][i]) if i else 0
            y = int(rng.integers(0, 3))
            images[b, y:y + 8, x:x + 8] = np.maximum(images[b, y:y + 8, x:x + 8], pool.images[w])
            targets[b, i], left[b, i] = pool.labels[w], x
            x += 8
    return DigitStrings(images, targets, n.astype(np.int64), left)
