"""The decoder-only translator of chapter 10: shapes, no peeking at later target words,
decoding through seqbook.decoding, and clear errors on bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from seqbook.prefix_translator import (
    PrefixTranslator,
    length_batches,
    sample_batch,
    translate_prefix,
)
from seqbook.text import Vocab

PAIRS = [(["dix", "sept"], ["seventeen"]), (["cent"], ["one", "hundred"]),
         (["deux"], ["two"]), (["vingt", "deux"], ["twenty", "two"])]
SRC = Vocab.build([s for s, _ in PAIRS])
TGT = Vocab.build([t for _, t in PAIRS])


def model(**kw) -> PrefixTranslator:
    torch.manual_seed(0)
    return PrefixTranslator(len(SRC), len(TGT), d_model=8, n_heads=2, n_layers=1, **kw)


def test_logits_cover_the_target_positions():
    m = model()
    src, inputs = torch.tensor([[3, 4], [4, 3]]), torch.tensor([[1, 5, 6], [1, 6, 0]])
    assert m(src, inputs).shape == (2, 3, len(TGT))


def test_a_target_position_never_sees_later_target_words():
    m = model().double()
    src, inputs = torch.tensor([[3, 4]]), torch.tensor([[1, 5, 6, 7]])
    changed = inputs.clone()
    changed[0, 3] = 4  # change the last target input only
    a, b = m(src, inputs), m(src, changed)
    assert torch.allclose(a[:, :3], b[:, :3], atol=1e-12)
    assert not torch.allclose(a[:, 3], b[:, 3])


def test_every_target_position_reads_the_source():
    m = model().double()
    inputs = torch.tensor([[1, 5, 6]])
    a, b = m(torch.tensor([[3, 4]]), inputs), m(torch.tensor([[4, 3]]), inputs)
    assert (a - b).abs().amax(dim=-1).min() > 1e-9


def test_step_extends_the_prefix_and_matches_the_teacher_forced_logits():
    m = model().double()
    src, inputs = torch.tensor([[3, 4]]), torch.tensor([[1, 5]])
    forced = m(src, inputs).log_softmax(-1)
    logp, prefix = m.step(torch.tensor([1]), src)
    assert prefix.shape == (1, 3) and torch.allclose(logp, forced[:, 0], atol=1e-12)
    logp, prefix = m.step(torch.tensor([5]), prefix)
    assert torch.allclose(logp, forced[:, 1], atol=1e-12)


def test_length_batches_and_sample_batch_hold_no_source_padding():
    groups = length_batches(PAIRS, SRC, TGT)
    assert sorted(groups) == [1, 2]
    src, inputs, targets = sample_batch(groups, 5, np.random.default_rng(0))
    assert src.shape[0] == inputs.shape[0] == targets.shape[0] == 5
    assert (src != 0).all() and inputs.shape == targets.shape


def test_translate_keeps_the_order_of_the_sources():
    out = translate_prefix(model(), [s for s, _ in PAIRS], SRC, TGT, max_len=4)
    assert len(out) == len(PAIRS) and all(isinstance(o, list) for o in out)
    assert all(len(o) <= 4 for o in out)


@pytest.mark.parametrize("call, message", [
    (lambda: PrefixTranslator(2, 10), "src_vocab and tgt_vocab"),
    (lambda: model()(torch.tensor([[3, 0]]), torch.tensor([[1]])), "no padding"),
    (lambda: model()(torch.tensor([3, 4]), torch.tensor([[1]])), "src must be (batch, S)"),
    (lambda: length_batches([], SRC, TGT), "at least one"),
    (lambda: sample_batch(length_batches(PAIRS, SRC, TGT), 0, np.random.default_rng(0)),
     "batch must be a positive"),
    (lambda: model(positions="rotary"), "positions must be one of"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
