"""Tests of seqbook.text: vocabulary, the next-word corpus, the order-sensitive sentiment data."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from seqbook.text import (
    DESTINATIONS,
    EOS,
    IGNORE,
    Vocab,
    bag_of_words,
    encode_batch,
    going_to_corpus,
    next_word_distribution,
    next_word_pairs,
    order_pairs,
    same_polarity_but,
    sentiment_dataset,
    sentiment_label,
    sentiment_vocab,
)


def test_vocab_round_trip_and_errors() -> None:
    v = Vocab.build([["b", "a"], ["a", "c"]])
    assert v.itos[:3] == ["<pad>", "<bos>", "<eos>"] and len(v) == 6
    assert v.decode(v.encode(["c", "a", "b"])) == ["c", "a", "b"]
    assert v.decode([0, v.stoi["a"], 0]) == ["a"]
    with pytest.raises(ValueError, match="not in the vocabulary"):
        v.encode(["a", "zebra"])
    with pytest.raises(ValueError, match="split"):
        v.encode("a b")
    with pytest.raises(ValueError, match="split"):
        Vocab.build(["a b", "c"])


def test_encode_batch_pads_with_zero() -> None:
    v = Vocab.build([["x", "y", "z"]])
    ids, lengths = encode_batch([["x"], ["x", "y", "z"]], v)
    assert ids.dtype == torch.int64 and ids.shape == (2, 3)
    assert lengths.tolist() == [1, 3] and ids[0, 1:].tolist() == [0, 0]


def test_corpus_and_next_word_distribution_follow_the_design() -> None:
    corpus = going_to_corpus()
    expected_n = 3 * sum(sum(p.values()) for p in DESTINATIONS.values())
    assert len(corpus) == expected_n
    assert all("going" in s and s[s.index("going") + 1 : s.index("going") + 3] == ["to", "the"]
               for s in corpus)
    for who, places in DESTINATIONS.items():
        dist = next_word_distribution(corpus, f"{who} going to the".split())
        total = sum(places.values())
        assert dist == pytest.approx({p: c / total for p, c in places.items()})
    assert next_word_distribution([["a"]], ["a"]) == {EOS: 1.0}
    with pytest.raises(ValueError, match="no sentence starts"):
        next_word_distribution(corpus, ["zebra"])


def test_next_word_pairs_are_shifted_by_one() -> None:
    corpus = going_to_corpus()
    v = Vocab.build(corpus)
    x, y = next_word_pairs(corpus, v)
    assert x.shape == y.shape == (len(corpus), max(len(s) for s in corpus) + 1)
    assert (x[:, 0] == v.stoi["<bos>"]).all()
    for b, s in enumerate(corpus):
        n = len(s)
        assert v.decode(x[b, 1 : n + 1]) == s and v.decode(y[b, :n]) == s
        assert y[b, n] == v.stoi[EOS] and (y[b, n + 1 :] == IGNORE).all()
        assert (x[b, n + 1 :] == 0).all()


@pytest.mark.parametrize("text, label", [
    ("good", 1), ("not good", 0), ("bad", 0), ("not bad", 1), ("not very good", 0),
    ("it was good , not bad", 1), ("it was bad , not good", 0),
    ("good but boring", 0), ("boring but good", 1), ("not fun but not dull", 1),
])
def test_sentiment_rule(text: str, label: int) -> None:
    assert sentiment_label(text.split()) == label


def test_sentiment_rule_needs_an_adjective() -> None:
    with pytest.raises(ValueError, match="no adjective"):
        sentiment_label("good but not".split())


def test_sentiment_dataset_is_labelled_by_the_rule_and_reproducible() -> None:
    s1, y1 = sentiment_dataset(300, np.random.default_rng(3))
    s2, y2 = sentiment_dataset(300, np.random.default_rng(3))
    assert s1 == s2 and torch.equal(y1, y2)
    assert y1.tolist() == [sentiment_label(s) for s in s1]
    assert 0.35 < y1.float().mean().item() < 0.65  # roughly balanced
    forms = Counter("but" if "but" in s else "," if "," in s else "one" for s in s1)
    assert min(forms.values()) > 60  # all three forms occur
    vocab = sentiment_vocab()
    encode_batch(s1, vocab)  # every generated word is in the vocabulary
    with pytest.raises(ValueError, match="positive number"):
        sentiment_dataset(0, np.random.default_rng(0))


def test_order_pairs_share_words_and_have_opposite_labels() -> None:
    s, y = order_pairs(200, np.random.default_rng(4))
    assert len(s) == 400 and y.shape == (400,)
    assert y.tolist() == [sentiment_label(w) for w in s]
    for i in range(0, 400, 2):
        assert Counter(s[i]) == Counter(s[i + 1]) and s[i] != s[i + 1]
        assert y[i] != y[i + 1]
    with pytest.raises(ValueError, match="positive number"):
        order_pairs(-1, np.random.default_rng(0))


def test_any_order_blind_classifier_scores_exactly_half_on_pairs() -> None:
    s, y = order_pairs(100, np.random.default_rng(5))
    rng = np.random.default_rng(6)
    for _ in range(5):  # random functions of the bag of words
        table: dict[tuple, int] = {}
        preds = [table.setdefault(tuple(sorted(w)), int(rng.integers(2))) for w in s]
        assert np.mean(np.array(preds) == y.numpy()) == 0.5


def first_clause_label(words: list[str]) -> int:
    return sentiment_label(words[: words.index("but")])


def test_but_joins_opposite_clauses_in_the_training_data() -> None:
    s, y = sentiment_dataset(300, np.random.default_rng(7))
    buts = [(w, int(t)) for w, t in zip(s, y, strict=True) if "but" in w]
    assert len(buts) > 60
    assert all(first_clause_label(w) != t for w, t in buts)  # both rules agree here


def test_same_polarity_but_separates_last_clause_from_opposite_of_first() -> None:
    s, y = same_polarity_but(200, np.random.default_rng(8))
    assert len(s) == 200 and y.shape == (200,)
    assert y.tolist() == [sentiment_label(w) for w in s]
    for w, t in zip(s, y.tolist(), strict=True):  # the first clause agrees with the last
        assert w.count("but") == 1 and first_clause_label(w) == t
    assert 0.3 < y.float().mean().item() < 0.7  # both polarities occur
    encode_batch(s, sentiment_vocab())
    with pytest.raises(ValueError, match="positive number"):
        same_polarity_but(0, np.random.default_rng(0))


def test_bag_of_words_counts_and_ignores_order_and_padding() -> None:
    ids = torch.tensor([[3, 4, 3, 0], [4, 3, 3, 0], [5, 0, 0, 0]])
    bow = bag_of_words(ids, 6)
    assert bow.shape == (3, 6) and bow.dtype == torch.float32
    assert bow[0].tolist() == [0, 0, 0, 2, 1, 0] and torch.equal(bow[0], bow[1])
    assert bow[2].sum() == 1
    with pytest.raises(ValueError, match="integer word ids"):
        bag_of_words(ids.float(), 6)
    with pytest.raises(ValueError, match="0..5"):
        bag_of_words(ids + 3, 6)
    with pytest.raises(ValueError, match="batch, time"):
        bag_of_words(ids[0], 6)
