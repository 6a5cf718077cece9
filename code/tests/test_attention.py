"""Tests of seqbook.attention: equivalence with PyTorch, masks, positions, bad input."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from seqbook.attention import (
    MultiHeadAttention,
    Transformer,
    TransformerBlock,
    attention,
    causal_mask,
    sinusoidal_positions,
)
from seqbook.tcn import input_gradient


def test_attention_matches_sdpa_with_and_without_mask():
    torch.manual_seed(0)
    q, k, v = torch.randn(3, 2, 3, 6, 5, dtype=torch.float64)
    ours, w = attention(q, k, v, causal_mask(6))
    theirs = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert (ours - theirs).abs().max() < 1e-12
    assert torch.allclose(w.sum(-1), torch.ones(2, 3, 6, dtype=torch.float64))
    ours, _ = attention(q, k, v)
    assert (ours - F.scaled_dot_product_attention(q, k, v)).abs().max() < 1e-12


@pytest.mark.parametrize("heads", [1, 2, 4])
def test_multihead_matches_torch(heads):
    torch.manual_seed(heads)
    theirs = nn.MultiheadAttention(8, heads, batch_first=True).double()
    ours = MultiHeadAttention(8, heads).double().load_torch(theirs)
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    m = causal_mask(5)
    with torch.no_grad():
        assert (ours(x, m) - theirs(x, x, x, attn_mask=~m)[0]).abs().max() < 1e-12
        assert (ours(x) - theirs(x, x, x)[0]).abs().max() < 1e-12


def test_block_matches_torch_encoder_layer():
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True,
                                       norm_first=True).double()
    block = TransformerBlock(8, 2, 16).double().load_torch(layer)
    x = torch.randn(3, 7, 8, dtype=torch.float64)
    m = causal_mask(7)
    with torch.no_grad():
        assert (block(x, m) - layer(x, src_mask=~m, is_causal=True)).abs().max() < 1e-12


def test_causal_transformer_does_not_leak():
    torch.manual_seed(0)
    model = Transformer(2, 8, 2, 2, 1, head="all").double()
    g = input_gradient(model, torch.randn(3, 12, 2, dtype=torch.float64), 5)
    assert (g[:6] > 0).all() and (g[6:] == 0).all()


def test_no_positions_is_permutation_equivariant_and_mean_head_invariant():
    torch.manual_seed(0)
    kw = dict(positions="none", causal=False)
    x = torch.randn(2, 9, 3, dtype=torch.float64)
    p = torch.randperm(9)
    every = Transformer(3, 8, 2, 1, 2, head="all", **kw).double()
    with torch.no_grad():
        assert (every(x[:, p]) - every(x)[:, p]).abs().max() < 1e-12
    mean = Transformer(3, 8, 2, 1, 2, head="mean", **kw).double()
    with torch.no_grad():
        assert (mean(x[:, p]) - mean(x)).abs().max() < 1e-12
    pos = Transformer(3, 8, 2, 1, 2, head="mean", positions="sinusoidal", causal=False).double()
    with torch.no_grad():
        assert (pos(x[:, p]) - pos(x)).abs().max() > 1e-3


def test_sinusoidal_positions_values():
    pe = sinusoidal_positions(50, 6)
    assert pe.shape == (50, 6)
    assert torch.allclose(pe[0], torch.tensor([0.0, 1, 0, 1, 0, 1]))
    assert torch.allclose(pe[3, 0], torch.sin(torch.tensor(3.0)))


def test_token_and_learned_transformer_shapes():
    m = Transformer(1, 8, 2, 1, 5, vocab_size=5, positions="learned", max_len=10, head="all")
    assert m(torch.randint(0, 5, (2, 10))).shape == (2, 10, 5)


@pytest.mark.parametrize("call,words", [
    (lambda: causal_mask(0), "T must"),
    (lambda: attention(torch.zeros(2, 3), torch.zeros(2, 4), torch.zeros(2, 4)), "share"),
    (lambda: attention(torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, 3),
                       causal_mask(3)), "mask must"),
    (lambda: MultiHeadAttention(6, 4), "multiple of n_heads"),
    (lambda: MultiHeadAttention(8, 2)(torch.zeros(8)), "x must be"),
    (lambda: MultiHeadAttention(8, 2).load_torch(nn.MultiheadAttention(8, 4)), "same"),
    (lambda: sinusoidal_positions(4, 3), "even d"),
    (lambda: TransformerBlock(8, 2, 8).load_torch(nn.TransformerEncoderLayer(8, 2, 8)),
     "norm_first"),
    (lambda: Transformer(2, 8, 2, 1, 1, positions="rope"), "positions"),
    (lambda: Transformer(2, 8, 2, 1, 1, head="first"), "head"),
    (lambda: Transformer(2, 8, 2, 0, 1), "positive"),
    (lambda: Transformer(2, 8, 2, 1, 1, max_len=4)(torch.zeros(1, 5, 2)), "max_len"),
    (lambda: Transformer(2, 8, 2, 1, 1)(torch.zeros(1, 5)), "batch, time, features"),
    (lambda: Transformer(2, 8, 2, 1, 1, vocab_size=4)(torch.zeros(1, 5)), "token ids"),
])
def test_bad_input_is_explained(call, words):
    with pytest.raises(ValueError, match=words):
        call()


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("causal", [True, False])
def test_last_head_computes_only_the_last_step_exactly(layers, causal):
    """head='last' asks attention from the last step only; the output is the full pass's."""
    torch.manual_seed(0)
    model = Transformer(3, 16, 4, layers, 5, head="last", causal=causal).double()
    x = torch.randn(4, 11, 3, dtype=torch.float64)
    with torch.no_grad():
        full = model.head(model.features(x)[:, -1])  # every row computed, then the last read
        assert (model(x) - full).abs().max() < 1e-12
        assert (model.features(x, last_only=True) - model.features(x)[:, -1:]).abs().max() \
            < 1e-12
    block = model.blocks[-1]
    mask = torch.ones(11, 11, dtype=torch.bool).tril() if causal else None
    h = torch.randn(4, 11, 16, dtype=torch.float64)
    with torch.no_grad():
        assert (block.last_step(h, mask) - block(h, mask)[:, -1:]).abs().max() < 1e-12


def test_query_must_match_batch_and_width():
    mha = MultiHeadAttention(8, 2)
    with pytest.raises(ValueError, match="query must be"):
        mha(torch.zeros(2, 5, 8), query=torch.zeros(3, 1, 8))
