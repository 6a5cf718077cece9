"""Variable-length sequences: padding to a rectangle, masks, and masked reductions.

A batch of sequences of different lengths is stored as a (batch, time, features) array padded
with a fill value, plus the true lengths; the mask (batch, time) is True on real steps. Every
reduction over time must use the mask, or the padding leaks into the result.
Taught in chapters/01_sequential_problems.ipynb; used in chapter 2.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pad_sequences(seqs: Sequence[np.ndarray], pad_value: float = 0.0
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pad sequences of shape (T_i,) or (T_i, D) into (B, T_max[, D]).

    Returns (padded, lengths (B,) int64, mask (B, T_max) bool).
    """
    arrays = _check_seqs(seqs, pad_value)
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)  # (B,)
    dtype = np.result_type(*arrays)  # integer ids stay integer if the pad fits
    if np.asarray(pad_value).astype(dtype) != pad_value:
        dtype = np.result_type(dtype, np.asarray(pad_value))
    shape = (len(arrays), lengths.max(), *arrays[0].shape[1:])
    padded = np.full(shape, pad_value, dtype=dtype)  # (B, T_max[, D])
    for i, a in enumerate(arrays):
        padded[i, : len(a)] = a
    mask = np.arange(lengths.max())[None, :] < lengths[:, None]  # (B, T_max)
    return padded, lengths, mask


def _check_seqs(seqs: Sequence[np.ndarray], pad_value: float = 0.0) -> list[np.ndarray]:
    """Validate a list of sequences and the fill value for padding; return them as arrays."""
    if isinstance(seqs, (str, bytes, np.ndarray)) or not hasattr(seqs, "__len__"):
        raise TypeError(f"seqs must be a list of arrays of shape (time,) or (time, features); "
                        f"got {type(seqs).__name__}")
    if len(seqs) == 0:
        raise ValueError("seqs must hold at least one sequence")
    arrays = [np.asarray(s) for s in seqs]
    shapes = [a.shape for a in arrays][:5]
    if any(a.ndim not in (1, 2) for a in arrays):
        raise ValueError(f"each sequence must be (time,) or (time, features); got shapes {shapes}")
    if len({a.shape[1:] for a in arrays}) != 1:
        raise ValueError(f"all sequences must have the same feature size; got shapes {shapes}")
    if min(len(a) for a in arrays) < 1:
        raise ValueError("every sequence needs at least one step; found an empty one")
    if isinstance(pad_value, bool) or not isinstance(pad_value, (int, float, np.number)):
        raise TypeError(f"pad_value must be a number such as 0.0 (NaN and inf are allowed as "
                        f"markers); got {pad_value!r}")
    return arrays


def masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over time of values (B, T[, D]) counting only steps where mask (B, T) is True."""
    values, mask = np.asarray(values), np.asarray(mask, dtype=bool)
    if values.ndim < 2:
        raise ValueError(f"values must be (batch, time) or (batch, time, features); got shape "
                         f"{values.shape}")
    if values.shape[:2] != mask.shape:
        raise ValueError(f"mask must be (batch, time) = {values.shape[:2]}; got {mask.shape}")
    if mask.size and not mask.any(axis=1).all():
        raise ValueError("mask must mark at least one real step (True) in every row; a row of "
                         "all False has no mean")
    m = mask.reshape(mask.shape + (1,) * (values.ndim - 2))
    return (values * m).sum(axis=1) / m.sum(axis=1)
