"""Tests of seqbook.charlm: corpus, vocabulary, n-gram baselines, bpc of a model, sampling."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.charlm import (
    CharVocab,
    bigram_bpc,
    char_batches,
    load_corpus,
    model_bpc,
    sample,
    sample_temperatures,
    score_windows,
    split,
    unigram_bpc,
)
from seqbook.models import SequenceModel


def tiny_model(V: int, seed: int = 0) -> SequenceModel:
    torch.manual_seed(seed)
    return SequenceModel("lstm", 4, 8, V, head="all", vocab_size=V)


def test_corpus_is_the_standard_library_documentation():
    from pydoc_data.topics import topics

    text = load_corpus()
    assert len(text) > 100_000
    assert topics["for"].strip() in text and topics["with"].strip() in text


def test_vocab_round_trip_and_unknown_characters():
    vocab = CharVocab.from_text("hello world")
    assert vocab.size == len(set("hello world"))
    ids = vocab.encode("world hello")
    assert ids.dtype == np.int64 and vocab.decode(ids) == "world hello"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("xyz")
    with pytest.raises(ValueError, match="empty"):
        CharVocab.from_text("")


def test_split_keeps_order_and_sizes():
    ids = np.arange(100)
    train, test = split(ids, 0.2)
    assert len(train) == 80 and len(test) == 20
    assert np.array_equal(np.concatenate([train, test]), ids)
    with pytest.raises(ValueError, match="fraction"):
        split(ids, 1.5)


def test_unigram_matches_a_direct_computation():
    train, test, V = np.array([0, 0, 1, 2]), np.array([0, 1, 1]), 4
    p = (np.array([2, 1, 1, 0]) + 1) / (4 + 4)  # add-one
    expected = -np.mean(np.log2(p[test]))
    assert abs(unigram_bpc(train, test, V) - expected) < 1e-12
    assert abs(unigram_bpc(train, test, V, alpha=1e12) - 2.0) < 1e-6  # huge alpha: uniform


def test_bigram_matches_a_loop_and_learns_a_pattern():
    rng = np.random.default_rng(0)
    V = 5
    train, test = rng.integers(0, V, 300), rng.integers(0, V, 50)
    counts = np.zeros((V, V))
    for a, c in zip(train[:-1], train[1:], strict=True):
        counts[a, c] += 1
    bits = -np.log2((np.bincount(train, minlength=V)[test[0]] + 1) / (len(train) + V))
    for a, c in zip(test[:-1], test[1:], strict=True):
        bits -= np.log2((counts[a, c] + 1) / (counts[a].sum() + V))
    assert abs(bigram_bpc(train, test, V) - bits / len(test)) < 1e-12
    alternating = np.tile([0, 1], 500)  # a bigram model predicts this almost perfectly
    assert bigram_bpc(alternating, alternating[:100], 2, alpha=1e-3) < 0.05
    assert abs(unigram_bpc(alternating, alternating[:100], 2) - 1.0) < 1e-3


def test_baselines_reject_bad_ids():
    with pytest.raises(ValueError, match="outside"):
        unigram_bpc(np.array([0, 5]), np.array([0]), 3)
    with pytest.raises(ValueError, match="1-D integer"):
        bigram_bpc(np.array([0.5, 1.0]), np.array([0]), 3)
    with pytest.raises(ValueError, match="alpha"):
        bigram_bpc(np.array([0, 1]), np.array([0]), 3, alpha=0.0)


def test_char_batches_are_shifted_windows():
    ids = np.arange(50)
    x, y = char_batches(ids, 4, 10, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 10) and x.dtype == torch.int64
    assert torch.equal(y, x + 1)  # on 0..49 the next character is the id plus one
    with pytest.raises(ValueError, match="longer than seq_len"):
        char_batches(ids[:5], 4, 10, np.random.default_rng(0))


def test_model_bpc_of_a_uniform_model_is_log2_vocab():
    V = 7
    model = tiny_model(V)
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()
    ids = np.random.default_rng(0).integers(0, V, 500)
    assert abs(model_bpc(model, ids, seq_len=50, context=10) - np.log2(V)) < 1e-9


def test_model_bpc_equals_a_direct_computation():
    V = 6
    model = tiny_model(V, seed=1)
    ids = np.random.default_rng(1).integers(0, V, 40)
    x, y = torch.from_numpy(ids[None, :-1]), torch.from_numpy(ids[None, 1:])
    with torch.no_grad():
        logp = torch.log_softmax(model(x).double(), dim=-1).gather(-1, y[..., None])
    expected = -logp.mean().item() / np.log(2)  # one window: all 39 predictions
    assert abs(model_bpc(model, ids, seq_len=100, context=5) - expected) < 1e-6
    with pytest.raises(ValueError, match="head='all'"):
        model_bpc(SequenceModel("lstm", 4, 8, V, vocab_size=V), ids)


@pytest.mark.parametrize("n, seq_len, context", [
    (300, 20, 5), (301, 20, 5), (21, 20, 5), (2, 7, 3), (1000, 128, 32), (50, 1, 0)])
def test_score_windows_score_every_character_but_the_first_once(n, seq_len, context):
    windows = score_windows(n, seq_len, context)
    scored = np.zeros(n, dtype=int)  # how often each position is a scored target
    for start, stop, k in windows:
        assert 0 <= start < stop <= n - 1 and 1 <= k <= min(seq_len, stop - start)
        assert stop - start - k == min(context, stop - k)  # warm-up before target 1
        scored[stop - k + 1:stop + 1] += 1  # targets are ids[start + 1:stop + 1]
    assert scored[0] == 0 and np.all(scored[1:] == 1)
    assert sum(k for *_, k in windows) == n - 1


def test_model_bpc_scores_every_character_across_windows_and_a_short_batch():
    """A model without memory scores the same in windows as in one pass.

    W_hh = 0 and a forget gate shut (f = 0) make each prediction depend on the
    current character only, so the bpc over all n - 1 predictions is known
    from one run; 300 characters in chunks of 20 give 15 windows, batched in
    fours, with a short last batch and a short last window.
    """
    V = 5
    model = tiny_model(V, seed=4)
    with torch.no_grad():
        model.rnn.weight_hh_l0.zero_()
        model.rnn.bias_ih_l0[8:16] = -1e4  # rows H:2H are the forget gate
    ids = np.random.default_rng(4).integers(0, V, 300)
    x, y = torch.from_numpy(ids[None, :-1]), torch.from_numpy(ids[None, 1:])
    with torch.no_grad():
        logp = torch.log_softmax(model(x).double(), dim=-1).gather(-1, y[..., None])
    expected = -logp.mean().item() / np.log(2)  # all 299 predictions
    got = model_bpc(model, ids, seq_len=20, context=5, batch=4)
    assert abs(got - expected) < 1e-6
    dropped = -logp[0, :-30].mean().item() / np.log(2)  # as if a batch were cut
    assert abs(dropped - expected) > 1e-4  # so the test can see a lost window


def test_sampling_carries_the_state_like_a_full_rerun():
    text = "abcabcabd"
    vocab = CharVocab.from_text(text)
    model = tiny_model(vocab.size, seed=2)
    out = sample(model, vocab, "ab", 6, temperature=0.0, rng=np.random.default_rng(0))
    assert out.startswith("ab") and len(out) == 8
    ids = vocab.encode("ab")  # greedy decoding by re-running the whole prefix each time
    for _ in range(6):
        with torch.no_grad():
            logits = model(torch.from_numpy(ids[None]))[0, -1]
        ids = np.append(ids, int(logits.argmax()))
    assert out == vocab.decode(ids)


def test_sampling_is_seeded_and_temperature_sharpens():
    vocab = CharVocab.from_text("abcdefgh")
    model = tiny_model(vocab.size, seed=3)
    with torch.no_grad():
        model.head.bias[vocab.encode("c")[0]] += 3.0  # 'c' is the most likely character
    a = sample(model, vocab, "a", 200, 1.0, np.random.default_rng(5))
    b = sample(model, vocab, "a", 200, 1.0, np.random.default_rng(5))
    cold = sample(model, vocab, "a", 200, 0.05, np.random.default_rng(5))
    assert a == b
    assert cold[1:].count("c") > a[1:].count("c")
    with pytest.raises(ValueError, match="temperature >= 0"):
        sample(model, vocab, "a", 5, -1.0, np.random.default_rng(0))


def test_sample_temperatures_rows_sample_like_sample():
    vocab = CharVocab.from_text("abcdefgh")
    model = tiny_model(vocab.size, seed=3)
    with torch.no_grad():
        model.head.bias[vocab.encode("c")[0]] += 3.0  # 'c' is the most likely character
    taus = [0.0, 0.05, 1.0, 3.0]
    rows = sample_temperatures(model, vocab, "ab", 300, taus, np.random.default_rng(5))
    out = dict(zip(taus, rows, strict=True))
    assert len(rows) == 4 and all(len(t) == 302 for t in rows)
    assert out[0.0] == sample(model, vocab, "ab", 300, 0.0, np.random.default_rng(0))
    counts = {tau: t[2:].count("c") for tau, t in out.items()}
    assert counts[0.05] > counts[1.0] > counts[3.0]  # cooler: more of the likeliest char
    # at temperature 1 the characters follow the model: compare with sample's frequencies
    ref = sample(model, vocab, "ab", 3000, 1.0, np.random.default_rng(1))[2:]
    many = sample_temperatures(model, vocab, "ab", 1000, [1.0] * 3, np.random.default_rng(2))
    assert len(set(many)) == 3  # repeated temperatures: independent samples
    joined = "".join(t[2:] for t in many)
    for ch in "abc":
        assert abs(joined.count(ch) - ref.count(ch)) < 150
    again = sample_temperatures(model, vocab, "ab", 300, taus, np.random.default_rng(5))
    assert again == rows  # seeded


@pytest.mark.parametrize("kwargs,error,words", [
    (dict(temperatures=[]), ValueError, "temperatures"),
    (dict(temperatures=[-1.0]), ValueError, "temperatures"),
    (dict(temperatures=[float("nan")]), ValueError, "temperatures"),
    (dict(temperatures=1.0), ValueError, "temperatures"),
    (dict(prompt=""), ValueError, "prompt"),
    (dict(n_chars=-1), ValueError, "n_chars"),
    (dict(n_chars=2.0), TypeError, "n_chars"),
    (dict(rng=0), TypeError, "rng"),
    (dict(vocab="abcd"), TypeError, "vocab"),
    (dict(vocab=CharVocab("abc")), ValueError, "vocab has 3"),
])
def test_sample_temperatures_bad_input(kwargs, error, words):
    vocab = CharVocab.from_text("abcd")
    args = dict(model=tiny_model(vocab.size, seed=0), vocab=vocab, prompt="ab", n_chars=3,
                temperatures=[0.5], rng=np.random.default_rng(0)) | kwargs
    with pytest.raises(error, match=words):
        sample_temperatures(**args)
