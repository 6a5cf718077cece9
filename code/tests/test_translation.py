"""Tests of seqbook.translation: the number-name pairs, the splits, batches, floors, alignment."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.text import IGNORE
from seqbook.translation import (
    anchor_alignment,
    batch_rows,
    batch_tensors,
    copy_source,
    most_frequent_target,
    nearest_neighbour,
    number_pair,
    number_splits,
    tokenize,
)


def test_number_pairs_are_tokenised_names():
    assert number_pair(97) == (["quatre", "vingt", "dix", "sept"], ["ninety", "seven"])
    assert number_pair(100) == (["cent"], ["one", "hundred"])
    assert number_pair(2080) == (["deux", "mille", "quatre", "vingts"],
                                 ["two", "thousand", "and", "eighty"])
    assert tokenize("ninety-seven thousand, nine") == ["ninety", "seven", "thousand", "nine"]


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (100_000, ValueError),
                                        (3.0, TypeError), (True, TypeError)])
def test_number_pair_rejects_bad_input(bad, error):
    with pytest.raises(error, match="n must"):
        number_pair(bad)


@pytest.fixture(scope="module")
def splits():
    return number_splits(np.random.default_rng(0), sample=1500, max_train_len=6,
                         test_per_length=20)


def test_splits_are_disjoint_and_test_is_longer(splits):
    assert not set(splits.train) & set(splits.test)
    train_len = [len(number_pair(n)[0]) for n in splits.train]
    test_len = [len(number_pair(n)[0]) for n in splits.test]
    assert max(train_len) == 6 and max(test_len) > 6
    assert len(set(splits.train)) == len(splits.train)
    # a length that is also trained on gives at most a quarter of its numbers to the test set
    for n in range(1, 7):
        tested, trained = test_len.count(n), train_len.count(n)
        assert tested <= (tested + trained) // 4


def test_splits_are_deterministic():
    a = number_splits(np.random.default_rng(3), sample=300)
    b = number_splits(np.random.default_rng(3), sample=300)
    assert a.train == b.train and a.test == b.test


@pytest.mark.parametrize("kwargs", [{"sample": 0}, {"sample": 99_001}, {"max_train_len": 0},
                                    {"test_per_length": 0}])
def test_number_splits_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        number_splits(np.random.default_rng(0), **kwargs)


def test_batch_tensors_pads_and_shifts(splits):
    pairs = [number_pair(17), number_pair(2080)]
    src, lengths, inputs, targets = batch_tensors(pairs, splits.src_vocab, splits.tgt_vocab)
    assert src.shape == (2, 4) and lengths.tolist() == [2, 4]
    assert (src[0, 2:] == 0).all()
    bos, eos = splits.tgt_vocab.stoi["<bos>"], splits.tgt_vocab.stoi["<eos>"]
    assert (inputs[:, 0] == bos).all()
    assert targets[0].tolist()[:2] == [splits.tgt_vocab.stoi["seventeen"], eos]
    assert (targets[0, 2:] == IGNORE).all()
    assert (inputs[1, 1:] == targets[1, :-1]).all()  # shifted by one


def test_batch_rows_cuts_shared_padding(splits):
    pairs = [number_pair(1), number_pair(97997), number_pair(5)]
    batch = batch_tensors(pairs, splits.src_vocab, splits.tgt_vocab)
    src, lengths, inputs, targets = batch_rows(batch, torch.tensor([0, 2]))
    assert src.shape == (2, 1) and inputs.shape == (2, 2) and targets.shape == (2, 2)
    with pytest.raises(ValueError, match="rows"):
        batch_rows(batch, torch.tensor([], dtype=torch.long))


@pytest.mark.parametrize("pairs", [[], [([], ["one"])], [(["un"], [])]])
def test_batch_tensors_rejects_empty(splits, pairs):
    with pytest.raises(ValueError):
        batch_tensors(pairs, splits.src_vocab, splits.tgt_vocab)


def test_floors():
    train = [number_pair(n) for n in (21, 22, 22, 1000, 1022)]
    assert copy_source([["un", "deux"]]) == [["un", "deux"]]
    assert most_frequent_target(train, 2) == [["twenty", "two"]] * 2
    near = nearest_neighbour(train, [number_pair(1022)[0], number_pair(23)[0]])
    assert near[0] == ["one", "thousand", "and", "twenty", "two"]  # a training source
    assert near[1][0] == "twenty"  # 'vingt trois' is nearest to 'vingt deux' or 'vingt et un'
    with pytest.raises(ValueError):
        most_frequent_target([], 1)
    with pytest.raises(ValueError):
        nearest_neighbour(train, [])


def test_anchor_alignment_pairs_kth_occurrences():
    fr, en = number_pair(123_456 % 100_000)  # 23456
    assert anchor_alignment(fr, en) == [(2, 2), (4, 4)]  # thousand<-mille, hundred<-cent
    fr, en = number_pair(20_300)
    assert [(en[t], fr[s]) for t, s in anchor_alignment(fr, en)] == [
        ("thousand", "mille"), ("hundred", "cents")]
    assert anchor_alignment(*number_pair(7)) == []
    with pytest.raises(ValueError, match="thousand"):
        anchor_alignment(["deux"], ["two", "thousand"])
