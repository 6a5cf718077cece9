"""Tests of seqbook.seq2seq_seeds: each block of a stacked Seq2Seq is its seed's model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.seq2seq import Seq2Seq, seq2seq_loss
from seqbook.seq2seq_seeds import BlockSeq2Seq, block_losses, stack_maker
from seqbook.stack import SeedStack, fit_stack
from seqbook.text import IGNORE
from seqbook.train import fit

SRC_V, TGT_V, E, H = 9, 12, 6, 8


def batch(seed=0, B=5, S=6, T=4):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([S, 3, 1, 4, S, 2, 5, 1][:B])
    src = torch.randint(3, SRC_V, (B, S), generator=g)
    src[torch.arange(S)[None] >= lengths[:, None]] = 0
    inputs = torch.randint(3, TGT_V, (B, T), generator=g)
    targets = torch.randint(3, TGT_V, (B, T), generator=g)
    targets[1, 2:] = IGNORE
    targets[2, 1:] = IGNORE
    return src, lengths, inputs, targets


@pytest.mark.parametrize("attention", ["none", "dot", "additive"])
def test_each_block_is_its_seeds_narrow_model(attention):
    make = stack_maker(SRC_V, TGT_V, embed=E, hidden=H, attention=attention)
    stack = SeedStack(make, H, [0, 1, 2])
    assert isinstance(stack.wide, BlockSeq2Seq)
    src, lengths, inputs, targets = batch()
    logits, weights = stack.wide(src, lengths, inputs)  # (B, T, 3 V)
    losses = block_losses(logits, targets, 3)
    for s, seed in enumerate([0, 1, 2]):
        torch.manual_seed(seed)
        alone = Seq2Seq(SRC_V, TGT_V, embed=E, hidden=H, attention=attention)
        narrow = stack.unstack(s)
        assert type(narrow) is Seq2Seq
        want, want_w = alone(src, lengths, inputs)
        torch.testing.assert_close(narrow(src, lengths, inputs)[0], want)
        torch.testing.assert_close(logits.unflatten(-1, (3, -1))[..., s, :], want,
                                   atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(losses[s], seq2seq_loss(want, targets), atol=1e-6, rtol=1e-5)
        if attention == "none":
            assert weights is None
        else:
            torch.testing.assert_close(weights[:, s], want_w, atol=1e-6, rtol=1e-5)


def test_block_losses_ignore_padding_and_match_the_loss_of_each_block():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(4, 5, 2 * 7, generator=g)
    targets = torch.randint(0, 7, (4, 5), generator=g)
    targets[0, 2:] = IGNORE
    got = block_losses(logits, targets, 2)
    for s in range(2):
        want = seq2seq_loss(logits[..., s * 7:(s + 1) * 7], targets)
        torch.testing.assert_close(got[s], want)


def test_training_a_stack_follows_separate_runs_on_the_same_batches():
    make = stack_maker(SRC_V, TGT_V, embed=E, hidden=H, attention="dot")
    batches = [batch(seed=k) for k in range(12)]
    alone = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        model = make(H)
        hist = fit(model, lambda k, m=model: seq2seq_loss(m(*batches[k][:3])[0], batches[k][3]),
                   steps=12, lr=1e-2, clip_norm=1.0, quiet=True)
        alone.append(hist.losses)
    stack = SeedStack(make, H, [0, 1])
    hist = fit_stack(stack, lambda k: block_losses(stack.wide(*batches[k][:3])[0],
                                                   batches[k][3], 2),
                     steps=12, lr=1e-2, clip_norm=1.0)
    np.testing.assert_allclose(np.array(hist.losses).T, np.array(alone), rtol=1e-4)


MAKE = stack_maker(SRC_V, TGT_V, embed=E, hidden=H, attention="dot")

CASES = [
    (stack_maker, dict(src_vocab=SRC_V, tgt_vocab=TGT_V, embed=0, hidden=H, attention="dot"),
     ValueError, "embed"),
    (stack_maker, dict(src_vocab=SRC_V, tgt_vocab=TGT_V, embed=E, hidden=2.0, attention="dot"),
     TypeError, "hidden"),
    (stack_maker, dict(src_vocab=SRC_V, tgt_vocab=TGT_V, embed=E, hidden=H, attention="luong"),
     ValueError, "attention"),
    (stack_maker, dict(src_vocab=1, tgt_vocab=TGT_V, embed=E, hidden=H, attention="dot"),
     ValueError, "src_vocab"),
    (MAKE, dict(width=H + 1), ValueError, "width"),
    (BlockSeq2Seq, dict(src_vocab=SRC_V, tgt_vocab=TGT_V, embed=E, hidden=H, attention="dot",
                        blocks=0), ValueError, "blocks"),
    (block_losses, dict(logits=torch.zeros(2, 3, 14), targets=torch.zeros(2, 3).long(),
                        blocks=0), ValueError, "blocks"),
    (block_losses, dict(logits=torch.zeros(2, 3, 13), targets=torch.zeros(2, 3).long(),
                        blocks=2), ValueError, "logits"),
    (block_losses, dict(logits=torch.zeros(2, 3, 14), targets=torch.zeros(2, 4).long(),
                        blocks=2), ValueError, "targets"),
    (block_losses, dict(logits=torch.zeros(2, 3, 14).long(), targets=torch.zeros(2, 3).long(),
                        blocks=2), TypeError, "logits"),
    (block_losses, dict(logits=torch.zeros(2, 3, 14), targets=torch.zeros(2, 3),
                        blocks=2), TypeError, "targets"),
    (block_losses, dict(logits=torch.zeros(2, 3, 14), targets=torch.full((2, 3), IGNORE),
                        blocks=2), ValueError, "targets"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)
