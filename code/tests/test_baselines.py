"""Tests of seqbook.baselines: add-alpha and Kneser-Ney n-grams, compressors, copying."""

from __future__ import annotations

import bz2
import itertools

import numpy as np
import pytest

from seqbook.baselines import (
    COMPRESSORS,
    KneserNey,
    add_alpha_bpc,
    compressed_bits,
    compressor_bpc,
    copied_fraction,
    ngram_keys,
    tune_alpha,
)
from seqbook.charlm import bigram_bpc, unigram_bpc


def _text(n: int = 3000, V: int = 5, seed: int = 0) -> np.ndarray:
    """A Markov chain of order 2 over V symbols, so longer contexts help."""
    rng = np.random.default_rng(seed)
    table = rng.dirichlet(np.full(V, 0.3), size=(V, V))  # p(c | a, b)
    ids = [0, 1]
    for _ in range(n - 2):
        ids.append(rng.choice(V, p=table[ids[-2], ids[-1]]))
    return np.array(ids)


def test_ngram_keys_read_the_ngram_in_base_v():
    ids = np.array([1, 2, 0, 3])
    assert ngram_keys(ids, 2, 4).tolist() == [1 * 4 + 2, 2 * 4 + 0, 0 * 4 + 3]
    assert ngram_keys(ids, 1, 4).tolist() == ids.tolist()


def test_add_alpha_matches_unigram_bigram_and_a_loop():
    ids, V = _text(2300), 5
    train, test = ids[:2000], ids[2000:]
    assert abs(add_alpha_bpc(train, test, V, 1, 1.0) - unigram_bpc(train, test, V)) < 1e-12
    # the bigram helper scores the first test character by the unigram, we by the context
    assert abs(add_alpha_bpc(train, test, V, 2, 0.5) - bigram_bpc(train, test, V, 0.5)) < 0.02
    n, alpha = 3, 0.2
    stream = np.concatenate([train[-2:], test])
    bits = 0.0
    for t in range(2, len(stream)):  # direct counting over the training text
        h, c = tuple(stream[t - 2:t]), stream[t]
        grams = list(zip(train[:-2], train[1:-1], train[2:], strict=True))
        n_hc = sum(g == (*h, c) for g in grams)
        n_h = sum(g[:2] == h for g in grams)
        bits -= np.log2((n_hc + alpha) / (n_h + alpha * V))
    assert abs(add_alpha_bpc(train, test, V, n, alpha) - bits / len(test)) < 1e-9


def test_tune_alpha_uses_the_training_text_only():
    train, V = _text(3000), 5
    best = tune_alpha(train, V, 3, alphas=(1.0, 0.1, 0.01))
    cut = int(round(len(train) * 0.9))
    scores = {a: add_alpha_bpc(train[:cut], train[cut:], V, 3, a) for a in (1.0, 0.1, 0.01)}
    assert best == min(scores, key=scores.get)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_kneser_ney_is_a_distribution_for_every_context(order):
    train, V = _text(3000), 5
    kn = KneserNey(train, V, order)
    contexts = list(itertools.product(range(V), repeat=order - 1))[:40]
    for h in contexts:  # seen and unseen contexts alike
        hist = np.repeat(np.array(h, dtype=np.int64).reshape(1, -1), V, axis=0)
        p = kn.prob(hist.reshape(V, order - 1), np.arange(V))
        assert np.all(p > 0) and abs(p.sum() - 1) < 1e-12


def test_kneser_ney_uses_context():
    ids, V = _text(6000), 5
    train, test = ids[:5000], ids[5000:]  # one chain: the same table in both
    kn = {n: KneserNey(train, V, n).bpc(train, test) for n in (1, 2, 3)}
    assert kn[3] < kn[2] < kn[1]


def test_compressors_measure_bits_and_use_the_context():
    text = "the quick brown fox jumps over the lazy dog. " * 20
    assert compressed_bits(text.encode(), "bz2") == 8 * len(bz2.compress(text.encode(), 9))
    for method in COMPRESSORS:
        alone = compressor_bpc(text, method)
        assert 0 < alone < 8
        assert compressor_bpc(text, method, context=text) < alone  # seen it before


def test_copied_fraction_counts_characters_inside_seen_strings():
    assert copied_fraction("abcdef", "xxabcdxx", 4) == 4 / 8
    assert copied_fraction("abcdef", "zzzz", 2) == 0.0
    assert copied_fraction("abcabc", "abcabc", 3) == 1.0


@pytest.mark.parametrize("call, error, match", [
    (lambda: add_alpha_bpc(np.arange(5), np.arange(3), 5, 0, 1.0), ValueError, "order"),
    (lambda: add_alpha_bpc(np.arange(5), np.arange(3), 5, 2, 0.0), ValueError, "alpha"),
    (lambda: add_alpha_bpc(np.arange(5), np.array([7]), 5, 2, 1.0), ValueError, "test"),
    (lambda: add_alpha_bpc(np.ones((2, 3), int), np.arange(3), 5, 2, 1.0), ValueError, "train"),
    (lambda: add_alpha_bpc(np.arange(5), np.arange(3), 103, 10, 1.0), ValueError, "overflow"),
    (lambda: tune_alpha(np.arange(50) % 5, 5, 2, alphas=()), ValueError, "alphas"),
    (lambda: tune_alpha(np.arange(50) % 5, 5, 2, validation=1.0), ValueError, "validation"),
    (lambda: KneserNey(np.arange(50) % 5, 5, 2.5), ValueError, "order"),
    (lambda: KneserNey(np.arange(50) % 5, 5, 3).prob(np.zeros((2, 1), int), np.zeros(2, int)),
     ValueError, "history"),
    (lambda: compressed_bits(b"abc", "gzip"), ValueError, "method"),
    (lambda: compressor_bpc(b"abc", "bz2"), TypeError, "str"),
    (lambda: compressor_bpc("", "bz2"), ValueError, "empty"),
    (lambda: copied_fraction("abc", "abc", 0), ValueError, "n must"),
    (lambda: copied_fraction(["a"], "abc", 1), TypeError, "str"),
])
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
