"""Tests of seqbook.wordlm (perplexity, n-gram baselines, generation) and text.going_to_split."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from seqbook.models import SequenceModel
from seqbook.text import BOS, EOS, IGNORE, Vocab, going_to_corpus, going_to_split
from seqbook.wordlm import generate, ngram_perplexity, perplexity

SENTS = [["a", "b"], ["a", "c"], ["b", "a"]]
VOCAB = Vocab.build(SENTS)  # <pad> <bos> <eos> a b c: V = 6


def test_uniform_logits_have_perplexity_v() -> None:
    targets = torch.tensor([[3, 4, IGNORE], [5, IGNORE, IGNORE]])
    assert perplexity(torch.zeros(2, 3, 6), targets) == pytest.approx(6.0)


def test_perplexity_is_exp_of_mean_cross_entropy_over_real_tokens() -> None:
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 6)
    targets = torch.tensor([[3, 4, IGNORE], [5, 0, IGNORE]])
    logp = torch.log_softmax(logits, -1)
    nll = -torch.stack([logp[0, 0, 3], logp[0, 1, 4], logp[1, 0, 5], logp[1, 1, 0]]).mean()
    assert perplexity(logits, targets) == pytest.approx(math.exp(nll.item()), rel=1e-6)
    # = 2 ** (bits per token)
    assert perplexity(logits, targets) == pytest.approx(2 ** (nll.item() / math.log(2)), rel=1e-6)


@pytest.mark.parametrize("logits, targets, err", [
    (torch.zeros(2, 6), torch.zeros(2, dtype=torch.long), ValueError),
    (torch.zeros(2, 3, 6), torch.zeros(2, 4, dtype=torch.long), ValueError),
    (torch.zeros(2, 3, 6), torch.zeros(2, 3), TypeError),
    (torch.zeros(1, 2, 6), torch.full((1, 2), IGNORE), ValueError),
])
def test_perplexity_bad_input(logits, targets, err) -> None:
    with pytest.raises(err):
        perplexity(logits, targets)


def test_unigram_by_hand() -> None:
    # training targets: a b <eos> a c <eos> b a <eos>: counts <eos> 3, a 3, b 2, c 1 (+1 each)
    counts = np.array([1, 1, 4, 4, 3, 2])
    test = [["a", "c"]]  # tokens a, c, <eos>
    want = np.exp(-np.mean(np.log(counts[[3, 5, 2]] / counts.sum())))
    assert ngram_perplexity(SENTS, test, VOCAB, order=1) == pytest.approx(want)


def test_bigram_by_hand_and_limits() -> None:
    # after <bos>: a twice, b once. p(a | <bos>) = (2 + 1) / (3 + 6)
    # after a: b, c, <eos> once each: p(c | a) = 2 / 9; after c: <eos> once: p(<eos> | c) = 2 / 7
    want = np.exp(-np.mean(np.log([3 / 9, 2 / 9, 2 / 7])))
    assert ngram_perplexity(SENTS, [["a", "c"]], VOCAB, order=2) == pytest.approx(want)
    # a deterministic language: small alpha sends the bigram's perplexity to 1
    det = [["a", "b"]] * 5
    assert ngram_perplexity(det, det, VOCAB, order=2, alpha=1e-9) == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, match", [
    ({"order": 3}, "order"),
    ({"order": 2, "alpha": 0.0}, "alpha"),
])
def test_ngram_bad_arguments(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        ngram_perplexity(SENTS, SENTS, VOCAB, **kwargs)


@pytest.mark.parametrize("train, test", [
    ("a b", SENTS), (SENTS, []), (SENTS, ["a", "b"]), (SENTS, [["a", "zebra"]]),
])
def test_ngram_bad_sentences(train, test) -> None:
    with pytest.raises(ValueError):
        ngram_perplexity(train, test, VOCAB, order=1)


class _Table(torch.nn.Module):
    """A 'model' whose next-word logits depend only on the last id (a bigram table)."""

    def __init__(self, table: torch.Tensor) -> None:
        super().__init__()
        self.table = table

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.table[ids]  # (1, T, V)


def test_generate_greedy_and_sampled() -> None:
    V = len(VOCAB)
    table = torch.full((V, V), -1e9)
    a, b, c = (VOCAB.stoi[w] for w in "abc")
    table[VOCAB.stoi[BOS], a] = 0.0
    table[a, b], table[a, c] = 1.0, 0.0  # greedy picks b
    table[b, VOCAB.stoi[EOS]] = table[c, VOCAB.stoi[EOS]] = 0.0
    model = _Table(table)
    assert generate(model, VOCAB, [BOS]) == [BOS, "a", "b", EOS]
    g = torch.Generator().manual_seed(0)
    draws = {tuple(generate(model, VOCAB, [BOS], temperature=1.0, generator=g))
             for _ in range(40)}
    assert draws == {(BOS, "a", "b", EOS), (BOS, "a", "c", EOS)}
    assert len(generate(model, VOCAB, [BOS, "a", "a"], max_words=1)) == 4


@pytest.mark.parametrize("prefix, kwargs", [
    ("<bos> a", {}), (["a"], {}), ([], {}), ([BOS], {"temperature": -1.0}),
    ([BOS], {"max_words": 0}), ([BOS, "zebra"], {}),
])
def test_generate_bad_input(prefix, kwargs) -> None:
    model = SequenceModel("rnn", 4, 8, len(VOCAB), head="all", vocab_size=len(VOCAB))
    with pytest.raises(ValueError):
        generate(model, VOCAB, prefix, **kwargs)


def test_going_to_split_holds_out_new_combinations() -> None:
    train, heldout = going_to_split()
    assert len(train) == 42 and len(heldout) == 21
    assert sorted(map(tuple, train + heldout)) == sorted(map(tuple, going_to_corpus()))
    seen = {tuple(s) for s in train}
    assert not any(tuple(s) in seen for s in heldout)
    # every (subject, place) pair keeps its frequency ratios in the training part
    def place_counts(sents, who):
        return {p: sum(1 for s in sents if " ".join(s).find(who + " going to the " + p) >= 0)
                for p in ("park", "shop", "beach")}
    assert place_counts(train, "i am") == {"park": 6, "shop": 4, "beach": 2}
