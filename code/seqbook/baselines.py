"""Count-based and compression baselines for a character language model, in bits per char.

Taught in chapters/06_lstm_gru_in_practice.ipynb, where they set the bar for the LSTM and the
GRU: an n-gram model with add-alpha smoothing (alpha tuned on a validation part of the
training text), an interpolated Kneser-Ney n-gram model, and general-purpose compressors
(prediction is compression: a model that predicts well codes the text in few bits).
Every model scores each held-out character; the first ``order - 1`` of them read their
context from the end of the training text, as a language model reading on would.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Sequence

import numpy as np

from seqbook.charlm import check_ids as _check_ids

COMPRESSORS = ("zlib", "bz2", "xz")


def _check_order(order: int, vocab_size: int) -> None:
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"order must be a positive integer (1 = unigram, 4 = 4-gram); "
                         f"got {order!r}")
    if float(vocab_size) ** order >= 2.0 ** 62:
        raise ValueError(f"order {order} with vocab_size {vocab_size} overflows the int64 "
                         "n-gram keys; use a smaller order")


def ngram_keys(ids: np.ndarray, n: int, vocab_size: int) -> np.ndarray:
    """One int64 key per n-gram ids[t - n + 1 : t + 1]: shape (len(ids) - n + 1,).

    The key is the n-gram read as a number in base vocab_size, so the key of the
    (n - 1)-gram suffix is ``key % vocab_size ** (n - 1)`` and of the prefix ``key // V``.
    """
    keys = np.zeros(len(ids) - n + 1, dtype=np.int64)
    for j in range(n):  # most significant digit first
        keys = keys * vocab_size + ids[j:len(ids) - n + 1 + j]
    return keys


def _count(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """How often each query key occurs among keys (sorted unique counting)."""
    uniq, counts = np.unique(keys, return_counts=True)
    return _lookup(uniq, counts, query)


def _lookup(uniq: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """values[k] where uniq[k] == query, else 0; uniq sorted."""
    if len(uniq) == 0:
        return np.zeros(len(query))
    at = np.minimum(np.searchsorted(uniq, query), len(uniq) - 1)
    return np.where(uniq[at] == query, values[at], 0).astype(np.float64)


def _check_pair(train: np.ndarray, test: np.ndarray, vocab_size: int,
                order: int) -> tuple[np.ndarray, np.ndarray]:
    _check_order(order, vocab_size)
    train = _check_ids("train", train, vocab_size, max(order, 2))
    test = _check_ids("test", test, vocab_size)
    return train, test


def add_alpha_bpc(train: np.ndarray, test: np.ndarray, vocab_size: int,
                  order: int, alpha: float) -> float:
    """Held-out bpc of p(c | h) = (n(h, c) + alpha) / (n(h) + alpha V).

    h is the last order - 1 characters; order 1 is the unigram model and
    order 2 the bigram of ``charlm.bigram_bpc``.
    """
    train, test = _check_pair(train, test, vocab_size, order)
    if not alpha > 0:
        raise ValueError(f"alpha must be positive (unseen n-grams would cost infinitely "
                         f"many bits); got {alpha}")
    V, n = vocab_size, order
    stream = test  # with the last n - 1 training characters as context:
    if n > 1:
        stream = np.concatenate([train[len(train) - n + 1:], test])
    want = ngram_keys(stream, n, V)  # (N,) the held-out n-grams
    grams = ngram_keys(train, n, V)
    n_hc = _count(grams, want)  # n(h, c)
    n_h = _count(grams // V, want // V)  # n(h): h followed by any character
    return float(-np.log2((n_hc + alpha) / (n_h + alpha * V)).mean())


def tune_alpha(train: np.ndarray, vocab_size: int, order: int,
               alphas: Sequence[float] = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001),
               validation: float = 0.1) -> float:
    """The alpha of ``alphas`` with the lowest bpc on the last ``validation`` of train.

    Fits on the first part of the training text only, so the held-out text plays no part
    in the choice.
    """
    if not 0 < validation < 1:
        raise ValueError(f"validation must be a fraction in (0, 1) such as 0.1; got {validation}")
    if len(alphas) == 0:
        raise ValueError("alphas must hold at least one candidate value")
    train = np.asarray(train)
    cut = int(round(len(train) * (1 - validation)))
    fit, val = train[:cut], train[cut:]
    scores = [add_alpha_bpc(fit, val, vocab_size, order, a) for a in alphas]
    return float(alphas[int(np.argmin(scores))])


class KneserNey:
    """Interpolated Kneser-Ney character n-gram model (Chen and Goodman's formulation).

    The highest order uses counts, every lower order *continuation* counts (in how many
    distinct contexts a string was seen), each with an absolute discount
    D = n1 / (n1 + 2 n2) estimated from its own count-of-counts; order 0 is uniform.
    """

    def __init__(self, train: np.ndarray, vocab_size: int, order: int) -> None:
        _check_order(order, vocab_size)
        train = _check_ids("train", train, vocab_size, max(order, 2))
        self.V, self.order = vocab_size, order
        self.levels = []  # for k = 1..order: (grams, counts, ctx, ctx_total, ctx_types, D)
        for k in range(1, order + 1):
            keys = ngram_keys(train, k, vocab_size)
            if k == order:  # plain counts at the top
                grams, counts = np.unique(keys, return_counts=True)
            else:  # continuation counts: distinct characters seen before the k-gram
                longer = np.unique(ngram_keys(train, k + 1, vocab_size))
                grams, counts = np.unique(longer % vocab_size ** k, return_counts=True)
            counts = counts.astype(np.float64)
            n1, n2 = (counts == 1).sum(), (counts == 2).sum()
            D = n1 / (n1 + 2 * n2) if n1 > 0 else 0.5
            ctx, inverse = np.unique(grams // vocab_size, return_inverse=True)
            total = np.bincount(inverse, weights=counts)  # sum over c of count(h, c)
            types = np.bincount(inverse).astype(np.float64)  # distinct c after h
            self.levels.append((grams, counts, ctx, total, types, D))

    def prob(self, history: np.ndarray, target: np.ndarray) -> np.ndarray:
        """p(target | history): history (N, order - 1) ids, oldest first; target (N,)."""
        history, target = np.asarray(history), np.asarray(target)
        if history.ndim != 2 or history.shape != (len(target), self.order - 1):
            raise ValueError(f"history must be (N, order - 1) = ({len(target)}, "
                             f"{self.order - 1}); got {history.shape}")
        V = self.V
        p = np.full(len(target), 1.0 / V)  # order 0: uniform
        for k, (grams, counts, ctx, total, types, D) in enumerate(self.levels, 1):
            h = np.zeros(len(target), dtype=np.int64)  # the last k - 1 characters
            for j in range(self.order - k, self.order - 1):
                h = h * V + history[:, j]
            c_hc = _lookup(grams, counts, h * V + target)
            c_h, t_h = _lookup(ctx, total, h), _lookup(ctx, types, h)
            seen = c_h > 0
            safe = np.where(seen, c_h, 1.0)
            p = np.where(seen, (np.maximum(c_hc - D, 0) + D * t_h * p) / safe, p)
        return p

    def bpc(self, train: np.ndarray, test: np.ndarray) -> float:
        """Held-out bpc; the first characters take their context from the end of train."""
        test = _check_ids("test", test, self.V)
        n = self.order
        stream = np.concatenate([np.asarray(train)[len(train) - (n - 1):], test])
        windows = np.lib.stride_tricks.sliding_window_view(stream, n)  # (N, n)
        return float(-np.log2(self.prob(windows[:, :-1], windows[:, -1])).mean())


def compressed_bits(data: bytes, method: str) -> int:
    """Size in bits of ``data`` compressed by zlib -9, bz2 -9 or xz -9e (stdlib, offline)."""
    if method == "zlib":
        return 8 * len(zlib.compress(data, 9))
    if method == "bz2":
        return 8 * len(bz2.compress(data, 9))
    if method == "xz":
        return 8 * len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    raise ValueError(f"method must be one of {COMPRESSORS}; got {method!r}")


def compressor_bpc(test: str, method: str, context: str = "") -> float:
    """Bits per character a compressor spends on ``test`` (UTF-8), after ``context``.

    With a context (the training text), the cost is size(context + test) - size(context):
    what the compressor needs for the new text once it has seen the old one.
    """
    if not isinstance(test, str) or not isinstance(context, str):
        raise TypeError("test and context must be str (the text itself, not ids)")
    if not test:
        raise ValueError("test is empty; pass the held-out text")
    before = compressed_bits(context.encode(), method) if context else 0
    return (compressed_bits((context + test).encode(), method) - before) / len(test)


def copied_fraction(train: str, test: str, n: int) -> float:
    """Fraction of the characters of ``test`` inside some n-character string seen in ``train``.

    A measure of verbatim repetition: a compressor that has read ``train`` can copy such
    passages for a few bytes each, which no model of the next character alone can do.
    """
    if not isinstance(train, str) or not isinstance(test, str):
        raise TypeError("train and test must be str (the texts themselves)")
    if not isinstance(n, int) or n < 1 or len(test) < n or len(train) < n:
        raise ValueError(f"n must be a positive integer no longer than either text; got {n!r}")
    seen = {train[i:i + n] for i in range(len(train) - n + 1)}
    covered = np.zeros(len(test) + 1, dtype=np.int64)  # +1 at a start, -1 past its end
    for i in range(len(test) - n + 1):
        if test[i:i + n] in seen:
            covered[i] += 1
            covered[i + n] -= 1
    return float((np.cumsum(covered)[:-1] > 0).mean())
