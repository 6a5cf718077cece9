"""Bad arguments to seqbook.text raise errors that name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import text as t

RNG = np.random.default_rng(0)
VOCAB = t.Vocab.build([["good", "bad"]])

CASES = [
    (VOCAB.decode, dict(ids=[len(VOCAB)]), ValueError, "ids"),
    (VOCAB.decode, dict(ids=[-1]), ValueError, "ids"),
    (VOCAB.decode, dict(ids=[1.0]), TypeError, "ids"),
    (VOCAB.encode, dict(words="good"), ValueError, "string"),
    (t.Vocab.build, dict(sentences=["good bad"]), ValueError, "sentences"),
    (t.encode_batch, dict(sentences=[["good"]], vocab={"good": 3}), TypeError, "vocab"),
    (t.encode_batch, dict(sentences=[], vocab=VOCAB), ValueError, "sentences"),
    (t.encode_batch, dict(sentences=[["good"], []], vocab=VOCAB), ValueError, "sentences"),
    (t.next_word_distribution, dict(sentences=[["a", "b"]], prefix="a"), TypeError, "prefix"),
    (t.next_word_distribution, dict(sentences=[["a", "b"]], prefix=["c"]), ValueError, "c"),
    (t.sentiment_label, dict(words="good"), TypeError, "words"),
    (t.sentiment_label, dict(words=["it", "was"]), ValueError, "adjective"),
    (t.sentiment_dataset, dict(n=0, rng=RNG), ValueError, "n"),
    (t.sentiment_dataset, dict(n=3, rng=1), TypeError, "rng"),
    (t.order_pairs, dict(n_pairs=2.0, rng=RNG), ValueError, "n_pairs"),
    (t.order_pairs, dict(n_pairs=2, rng=None), TypeError, "rng"),
    (t.same_polarity_but, dict(n=-1, rng=RNG), ValueError, "n"),
    (t.bag_of_words, dict(ids=[[1, 2]], vocab_size=5), TypeError, "ids"),
    (t.bag_of_words, dict(ids=torch.tensor([[1, 5]]), vocab_size=5), ValueError, "ids"),
    (t.bag_of_words, dict(ids=torch.tensor([[1, 2]]), vocab_size=0), ValueError, "vocab_size"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    ids, lengths = t.encode_batch([["good"], ["bad", "good"]], VOCAB)
    assert VOCAB.decode(ids[0]) == ["good"]
    assert VOCAB.decode([]) == []
    assert t.bag_of_words(ids, len(VOCAB)).shape == (2, len(VOCAB))
