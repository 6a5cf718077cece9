"""The CTC forward (alpha) recursion in NumPy, and brute force over alignments to check it.

- `ctc_extend`: the blank-augmented label sequence l' = (-, l_1, -, l_2, ..., l_U, -), 2U+1 long.
- `ctc_log_alpha`: the forward variables log alpha_t(s) in log-space, and `ctc_log_likelihood`,
  log p(l | x) = logsumexp(alpha_T(2U), alpha_T(2U-1)), which equals minus torch's CTCLoss.
- `ctc_labelling_probs`: p(labelling) for EVERY labelling, by summing over all C^T paths (tiny T
  only): the ground truth for the recursion and for "best path is not the most probable text".
Taught in chapters/08_captioning_handwriting.ipynb.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from seqbook.decoding import ctc_collapse


def _check_ctc(log_probs: np.ndarray, labels: Sequence[int], blank: int) -> None:
    if not isinstance(log_probs, np.ndarray) or log_probs.ndim != 2:
        raise TypeError("log_probs must be a NumPy array (T, C) of per-frame log-probabilities; "
                        f"got {type(log_probs).__name__} {getattr(log_probs, 'shape', '')}")
    C = log_probs.shape[1]
    if not 0 <= blank < C:
        raise ValueError(f"blank={blank} must be a class index below C={C}")
    if any(not 0 <= int(c) < C or int(c) == blank for c in labels):
        raise ValueError(f"labels must be class indices below {C}, none of them the blank "
                         f"{blank}; got {list(labels)}")


def ctc_extend(labels: Sequence[int], blank: int = 0) -> list[int]:
    """l' = blank, l_1, blank, l_2, ..., l_U, blank: 2U + 1 symbols."""
    out = [blank]
    for c in labels:
        out += [int(c), blank]
    return out


def ctc_log_alpha(log_probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> np.ndarray:
    """log alpha (T, 2U+1): log of the total probability of the path prefixes pi_1..pi_t that
    end at position s of l' and collapse to the labels up to there."""
    _check_ctc(log_probs, labels, blank)
    ext = ctc_extend(labels, blank)
    T, S = len(log_probs), len(ext)
    alpha = np.full((T, S), -np.inf)
    alpha[0, 0] = log_probs[0, blank]  # start with a blank ...
    if S > 1:
        alpha[0, 1] = log_probs[0, ext[1]]  # ... or with the first label
    for t in range(1, T):
        for s in range(S):
            terms = [alpha[t - 1, s]]  # stay on the same symbol
            if s >= 1:
                terms.append(alpha[t - 1, s - 1])  # advance by one
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                terms.append(alpha[t - 1, s - 2])  # skip the blank between two DIFFERENT labels
            alpha[t, s] = np.logaddexp.reduce(terms) + log_probs[t, ext[s]]
    return alpha


def ctc_log_likelihood(log_probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> float:
    """log p(labels | x): paths must end on the last label or on the final blank."""
    alpha = ctc_log_alpha(log_probs, labels, blank)
    return float(np.logaddexp.reduce(alpha[-1, -2:]))


def ctc_labelling_probs(probs: np.ndarray, blank: int = 0) -> dict[tuple[int, ...], float]:
    """p(labelling) for every labelling reachable in T frames, by brute force over all C^T
    paths (each path's probability is the product of its per-frame probabilities)."""
    if not isinstance(probs, np.ndarray) or probs.ndim != 2:
        raise TypeError("probs must be a NumPy array (T, C) of per-frame probabilities")
    T, C = probs.shape
    if C ** T > 2_000_000:
        raise ValueError(f"C^T = {C}^{T} paths is too many for brute force; use T <= 6 or so")
    out: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(C), repeat=T):
        key = tuple(ctc_collapse(path, blank))
        out[key] = out.get(key, 0.0) + float(np.prod(probs[np.arange(T), path]))
    return out
