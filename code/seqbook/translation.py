"""A translation task generated in code: French number names -> English number names.

`number_pair(97)` gives (["quatre", "vingt", "dix", "sept"], ["ninety", "seven"]): the names
come from the `num2words` package (LGPL, an installed dependency, no data file), split into
words and hyphen pieces. `number_splits` draws a seeded sample of numbers, trains on those
whose French name is short and tests on held-out numbers of every length, including longer
ones. `batch_tensors` pads a list of pairs for a seq2seq model (`seqbook.seq2seq`). Three
floors for the metrics: `copy_source`, `most_frequent_target`, `nearest_neighbour`.
`anchor_alignment` gives the known alignment of "mille"/"cent" to "thousand"/"hundred".
Taught in chapters/10_seq2seq_attention.ipynb.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch
from num2words import num2words

from seqbook import checks as _checks
from seqbook.text import BOS, EOS, IGNORE, PAD, Vocab, encode_batch

LIMIT = 100_000  # numbers 0 .. 99 999
Pair = tuple[list[str], list[str]]


def check_words(name: str, words: object) -> None:
    """Raise a TypeError naming `name` unless `words` is a list of strings (one sentence)."""
    if isinstance(words, str) or not isinstance(words, Sequence) or any(
            not isinstance(w, str) for w in words):
        raise TypeError(f"{name} must be a list of words such as ['vingt', 'et', 'un']; got "
                        f"{words!r}")


def check_pairs(name: str, pairs: object) -> None:
    """Raise a TypeError naming `name` unless `pairs` is a list of (source, target) word
    lists, as `number_pair` returns; shared with `prefix_translator`."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence):
        raise TypeError(f"{name} must be a list of (source words, target words) pairs; got "
                        f"{type(pairs).__name__}")
    for p in pairs:
        if not isinstance(p, (tuple, list)) or len(p) != 2:
            raise TypeError(f"{name} must hold (source words, target words) pairs, as "
                            f"number_pair returns; got an element {p!r}")
        check_words(f"each source in {name}", p[0])
        check_words(f"each target in {name}", p[1])


def _check_sources(sources: object) -> None:
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence):
        raise TypeError(f"sources must be a list of word lists such as [['vingt', 'et', 'un']]; "
                        f"got {type(sources).__name__}")


def tokenize(name: str) -> list[str]:
    """Split a number name into words and hyphen pieces, dropping commas."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'vingt-et-un'; got {type(name).__name__}")
    return [t for t in re.split(r"[\s,\-]+", name) if t]


@cache
def _names(n: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(tokenize(num2words(n, lang="fr"))), tuple(tokenize(num2words(n, lang="en")))


def number_pair(n: int) -> Pair:
    """(French tokens, English tokens) of the number n, 0 <= n < 100 000."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an integer such as 97; got {type(n).__name__}")
    if not 0 <= n < LIMIT:
        raise ValueError(f"n must be in 0..{LIMIT - 1}; got {n}")
    fr, en = _names(int(n))
    return list(fr), list(en)


@dataclass
class NumberSplits:
    """Numbers for training and testing, and the two vocabularies."""

    train: list[int]
    test: list[int]
    max_train_len: int
    src_vocab: Vocab
    tgt_vocab: Vocab

    def pairs(self, numbers: Sequence[int]) -> list[Pair]:
        return [number_pair(n) for n in numbers]


def number_splits(rng: np.random.Generator, *, sample: int = 7000, max_train_len: int = 7,
                  test_per_length: int = 40) -> NumberSplits:
    """All numbers below 1000 plus `sample` more drawn from 1000..99 999 without replacement.

    Test: up to `test_per_length` numbers of each French length (in tokens), drawn at random,
    but at most a quarter of the numbers of a length that is also trained on. Train: every
    other number whose French name has at most `max_train_len` tokens, so test numbers with
    longer names have a length never seen in training.
    """
    _checks.generator("rng", rng)
    _checks.integer("sample", sample, minimum=None)
    _checks.integer("max_train_len", max_train_len, minimum=None)
    _checks.integer("test_per_length", test_per_length, minimum=None)
    if not 1 <= sample <= LIMIT - 1000:
        raise ValueError(f"sample must be in 1..{LIMIT - 1000}; got {sample}")
    if max_train_len < 1:
        raise ValueError(f"max_train_len must be at least 1 token; got {max_train_len}")
    if test_per_length < 1:
        raise ValueError(f"test_per_length must be at least 1; got {test_per_length}")
    numbers = np.concatenate([np.arange(1000), 1000 + rng.choice(LIMIT - 1000, sample,
                                                                 replace=False)])
    by_len: dict[int, list[int]] = {}
    for n in numbers.tolist():
        by_len.setdefault(len(_names(n)[0]), []).append(n)
    test: list[int] = []
    for length in sorted(by_len):
        group = by_len[length]
        k = min(test_per_length, len(group) if length > max_train_len else len(group) // 4)
        test += rng.choice(group, k, replace=False).tolist()
    held = set(test)
    train = [n for n in numbers.tolist() if n not in held and len(_names(n)[0]) <= max_train_len]
    fr = [list(_names(n)[0]) for n in numbers.tolist()]
    en = [list(_names(n)[1]) for n in numbers.tolist()]
    return NumberSplits(train, test, max_train_len, Vocab.build(fr), Vocab.build(en))


def batch_tensors(pairs: Sequence[Pair], src_vocab: Vocab, tgt_vocab: Vocab
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad pairs for teacher forcing.

    Returns src (B, S) ids with 0 = padding, src_lengths (B,), decoder inputs
    '<bos> y1 .. yn' (B, T) and targets 'y1 .. yn <eos>' (B, T) with IGNORE on padding.
    """
    check_pairs("pairs", pairs)
    for name, v in (("src_vocab", src_vocab), ("tgt_vocab", tgt_vocab)):
        if not isinstance(v, Vocab):
            raise TypeError(f"{name} must be a seqbook.text.Vocab (see number_splits); got "
                            f"{type(v).__name__}")
    if len(pairs) == 0:
        raise ValueError("pairs must hold at least one (source, target) pair")
    if any(len(s) == 0 or len(t) == 0 for s, t in pairs):
        raise ValueError("every source and target needs at least one token")
    src, src_lengths = encode_batch([s for s, _ in pairs], src_vocab)
    inputs, _ = encode_batch([[BOS, *t] for _, t in pairs], tgt_vocab)
    targets, _ = encode_batch([[*t, EOS] for _, t in pairs], tgt_vocab)
    return src, src_lengths, inputs, targets.masked_fill(targets == 0, IGNORE)


def batch_rows(batch: Sequence[torch.Tensor], rows: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Rows of a `batch_tensors` batch, with the columns that are padding in all of them cut."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 4 or not all(
            isinstance(b, torch.Tensor) for b in batch):
        raise TypeError("batch must be the 4 tensors (src, src_lengths, inputs, targets) that "
                        "batch_tensors returns")
    if not isinstance(rows, torch.Tensor) or rows.is_floating_point():
        raise TypeError(f"rows must be a 1-d integer tensor of row indices, e.g. "
                        f"torch.arange(8); got {rows!r}")
    src, src_lengths, inputs, targets = batch
    if rows.ndim == 1 and len(rows) and (int(rows.min()) < -len(src)
                                         or int(rows.max()) >= len(src)):
        raise ValueError(f"rows must index the {len(src)} rows of the batch; got "
                         f"{int(rows.min())}..{int(rows.max())}")
    if rows.ndim != 1 or len(rows) == 0:
        raise ValueError(f"rows must be a non-empty 1-d tensor of row indices; got shape "
                         f"{tuple(rows.shape)}")
    S = int(src_lengths[rows].max())
    T = int((targets[rows] != IGNORE).sum(dim=1).max())
    return src[rows, :S], src_lengths[rows], inputs[rows, :T], targets[rows, :T]


# ------------------------------------------------------------------ floors for the metrics


def copy_source(sources: Sequence[Sequence[str]]) -> list[list[str]]:
    """The 'translation' that copies the French words unchanged."""
    _check_sources(sources)
    for s in sources:
        check_words("each element of sources", s)
    return [list(s) for s in sources]


def most_frequent_target(train_pairs: Sequence[Pair], n: int) -> list[list[str]]:
    """The most frequent English name of the training set, n times (a constant output)."""
    check_pairs("train_pairs", train_pairs)
    _checks.integer("n", n, minimum=0, hint=" (how many outputs)")
    if not train_pairs:
        raise ValueError("train_pairs must hold at least one pair")
    best = Counter(tuple(t) for _, t in train_pairs).most_common(1)[0][0]
    return [list(best) for _ in range(n)]


def _ngram_counts(sentences: Sequence[Sequence[str]], index: dict) -> np.ndarray:
    rows = np.zeros((len(sentences), len(index)))  # (N, n-grams)
    for i, s in enumerate(sentences):
        grams = [(w,) for w in s] + list(zip(s, s[1:], strict=False)) + [("<", s[0]), (s[-1], ">")]
        for g in grams:
            if g in index:
                rows[i, index[g]] += 1
    return rows / np.linalg.norm(rows, axis=1, keepdims=True).clip(min=1e-12)


def nearest_neighbour(train_pairs: Sequence[Pair], sources: Sequence[Sequence[str]]
                      ) -> list[list[str]]:
    """For each source, the target of the training pair whose source is most similar
    (cosine of word and word-pair counts, with start and end marks): a lookup table that
    cannot compose anything new."""
    check_pairs("train_pairs", train_pairs)
    _check_sources(sources)
    for s in sources:
        check_words("each element of sources", s)
    if not train_pairs or not sources:
        raise ValueError("train_pairs and sources must both be non-empty")
    if any(not len(s) for s in sources) or any(not len(s) for s, _ in train_pairs):
        raise ValueError("every source in sources and train_pairs needs at least one word")
    train_src = [s for s, _ in train_pairs]
    grams = {g for s in train_src for g in [(w,) for w in s] + list(zip(s, s[1:], strict=False))
             + [("<", s[0]), (s[-1], ">")]}
    index = {g: i for i, g in enumerate(sorted(grams))}
    sim = _ngram_counts(list(sources), index) @ _ngram_counts(train_src, index).T  # (N, M)
    return [list(train_pairs[j][1]) for j in sim.argmax(axis=1)]


# ------------------------------------------------------------------------- known alignment


def anchor_alignment(source: Sequence[str], target: Sequence[str]) -> list[tuple[int, int]]:
    """(target position, source position) of the words whose alignment is known.

    The k-th "thousand" of the English name comes from the k-th "mille" of the French one, and
    the k-th "hundred" from the k-th "cent"/"cents": the blocks appear in the same order.
    """
    check_words("source", source)
    check_words("target", target)
    pairs = []
    for fr_words, en_word in [(("mille",), "thousand"), (("cent", "cents"), "hundred")]:
        src_pos = [i for i, w in enumerate(source) if w in fr_words]
        tgt_pos = [i for i, w in enumerate(target) if w == en_word]
        if len(src_pos) != len(tgt_pos):
            raise ValueError(f"{en_word!r} occurs {len(tgt_pos)} times in the target but its "
                             f"French anchor {len(src_pos)} times in the source")
        pairs += list(zip(tgt_pos, src_pos, strict=True))
    return sorted(pairs)


__all__ = ["BOS", "EOS", "IGNORE", "LIMIT", "PAD", "NumberSplits", "anchor_alignment",
           "batch_rows", "batch_tensors", "check_pairs", "check_words", "copy_source",
           "most_frequent_target", "nearest_neighbour", "number_pair", "number_splits",
           "tokenize"]
