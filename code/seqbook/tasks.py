"""Synthetic long-range tasks with standing in the literature, generated from a seeded rng.

- The adding problem (Hochreiter & Schmidhuber 1997), in the variant of Le, Jaitly & Hinton
  (2015): a sequence of (value in [0, 1], marker) pairs with exactly two markers, one in each
  half; the target is the sum of the two marked values. Always answering 1 (the
  mean of the sum) gives MSE 1/6 ~ 0.167, the trivial baseline a model must beat.
- Copy memory (as in Arjovsky et al. 2016; Bai, Kolter & Koltun 2018): remember a few symbols,
  wait through a blank stretch, then reproduce them after a delimiter.
Taught in chapters/04_vanishing_exploding.ipynb and chapters/05_lstm_gru.ipynb.
"""

from __future__ import annotations

import numpy as np
import torch

from seqbook import checks as _checks

ADDING_BASELINE_MSE = 1.0 / 6.0
"""MSE of always predicting 1 on the adding problem: Var(U1 + U2) = 2/12."""


def _check(batch: int, T: int, rng: np.random.Generator, min_T: int) -> None:
    _checks.integer("batch", batch, minimum=None, hint=" (a number of sequences)")
    _checks.integer("T", T, minimum=None, hint=" (a sequence length)")
    if batch < 1:
        raise ValueError(f"batch must be a positive number of sequences; got {batch}")
    if T < min_T:
        raise ValueError(f"T must be at least {min_T} for this task; got {T}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator, e.g. seqbook.set_seed(0) or "
                         "np.random.default_rng(0)")


def adding_problem(batch: int, T: int, rng: np.random.Generator,
                   dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Adding-problem batch: x (batch, T, 2) of (value, marker), y (batch, 1) the marked sum.

    One marker falls in the first half of the sequence and one in the second half, so the model
    must carry information across about T/2 steps at least.
    """
    _check(batch, T, rng, min_T=2)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a torch float dtype such as torch.float32; got {dtype!r}")
    values = rng.uniform(0.0, 1.0, size=(batch, T))
    markers = np.zeros((batch, T))
    half = T // 2
    first = rng.integers(0, half, size=batch)
    second = rng.integers(half, T, size=batch)
    rows = np.arange(batch)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1)  # (B, T, 2)
    y = (values[rows, first] + values[rows, second])[:, None]  # (B, 1)
    return torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)


def copy_memory(batch: int, T: int, rng: np.random.Generator, n_symbols: int = 8,
                length: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    """Copy-memory batch of token ids: x, y both (batch, length + T + length), int64.

    Tokens: 0 blank, 1..n_symbols data, n_symbols + 1 the delimiter. The input is `length`
    random symbols, T - 1 blanks, the delimiter, then `length` blanks; the target is blanks
    everywhere except the last `length` steps, which repeat the symbols. Predicting blanks
    and then uniformly random symbols gives cross-entropy length * log(n_symbols) / (T + 2 *
    length) per step (see `copy_memory_baseline`).
    """
    _check(batch, T, rng, min_T=1)
    _checks.integer("n_symbols", n_symbols, minimum=None, hint=" >= 2")
    _checks.integer("length", length, minimum=None, hint=" >= 1")
    if n_symbols < 2 or length < 1:
        raise ValueError(f"need n_symbols >= 2 and length >= 1; got {n_symbols}, {length}")
    total = T + 2 * length
    symbols = rng.integers(1, n_symbols + 1, size=(batch, length))
    x = np.zeros((batch, total), dtype=np.int64)
    y = np.zeros((batch, total), dtype=np.int64)
    x[:, :length] = symbols
    x[:, length + T - 1] = n_symbols + 1
    y[:, -length:] = symbols
    return torch.from_numpy(x), torch.from_numpy(y)


def copy_memory_baseline(T: int, n_symbols: int = 8, length: int = 5) -> float:
    """Cross-entropy per step of the memoryless strategy on `copy_memory` (nats)."""
    _checks.integer("T", T, minimum=1, hint=" (the blank stretch, as for copy_memory)")
    _checks.integer("n_symbols", n_symbols, minimum=2)
    _checks.integer("length", length, minimum=1)
    return length * float(np.log(n_symbols)) / (T + 2 * length)


WHICH_FIRST_VOCAB = 8
"""Tokens of `which_first`: 0..5 filler, 6 is A, 7 is B."""


def which_first(batch: int, T: int, rng: np.random.Generator
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Order task: x (batch, T) ids with one A (6) and one B (7) among filler 0..5;
    y (batch,) is 1 if A comes before B, else 0.

    Both classes hold the same multiset of tokens, so a model that ignores order (a bag of
    tokens, attention without positions) cannot beat chance. Taught in
    chapters/09_beyond_recurrence.ipynb.
    """
    _check(batch, T, rng, min_T=2)
    x = rng.integers(0, WHICH_FIRST_VOCAB - 2, size=(batch, T))
    pos = np.argsort(rng.random((batch, T)), axis=1)[:, :2]  # two distinct positions
    rows = np.arange(batch)
    x[rows, pos[:, 0]] = WHICH_FIRST_VOCAB - 2  # A
    x[rows, pos[:, 1]] = WHICH_FIRST_VOCAB - 1  # B
    y = (pos[:, 0] < pos[:, 1]).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def swap_markers(x: torch.Tensor) -> torch.Tensor:
    """`which_first` ids with A and B exchanged: the same tokens, the opposite label."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be the (batch, time) int64 tensor from which_first; got "
                        f"{type(x).__name__}")
    if x.ndim != 2 or x.dtype != torch.int64:
        raise ValueError(f"x must be (batch, time) int64 ids from which_first; got "
                         f"{tuple(x.shape)}, {x.dtype}")
    a, b = WHICH_FIRST_VOCAB - 2, WHICH_FIRST_VOCAB - 1
    return torch.where(x == a, b, torch.where(x == b, a, x))
