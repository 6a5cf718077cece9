"""One call that makes a chapter reproducible. Used in every chapter."""

from __future__ import annotations

import random

import numpy as np


def set_seed(seed: int, threads: int | None = 1) -> np.random.Generator:
    """Seed `random`, NumPy and PyTorch, and return a fresh NumPy generator for data functions.

    Also sets PyTorch to `threads` CPU threads (None leaves it alone): one thread is faster for
    the book's tiny models, which spend more time synchronising threads than computing, and it
    keeps float results identical from run to run.

    >>> rng = set_seed(0)
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer such as 0 or 42; got {seed!r}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(
            threads, (int, np.integer)) or threads < 1):
        raise ValueError(f"threads must be None or a positive number of CPU threads; got "
                         f"{threads!r}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    try:
        import torch
    except ImportError:  # numpy-only use of seqbook
        pass
    else:
        torch.manual_seed(int(seed))
        if threads is not None:
            torch.set_num_threads(threads)
    return np.random.default_rng(int(seed))
