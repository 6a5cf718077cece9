"""Tests of seqbook.seq2seq: attention against PyTorch, padding invisibility, decoding."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from seqbook.decoding import beam_search, greedy_decode
from seqbook.seq2seq import (
    AdditiveAttention,
    DecoderState,
    Encoder,
    Seq2Seq,
    attention_map,
    dot_attention,
    masked_softmax,
    seq2seq_loss,
    teacher_forced_accuracy,
    translate,
)
from seqbook.text import IGNORE, Vocab


def qkm(B=3, T=4, S=6, H=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(B, T, H, dtype=torch.float64, generator=g)
    k = torch.randn(B, S, H, dtype=torch.float64, generator=g)
    lengths = torch.tensor([S, S - 2, 1])[:B]
    return q, k, torch.arange(S)[None, :] < lengths[:, None]


def test_dot_attention_matches_torch_builtin():
    q, k, mask = qkm()
    context, weights = dot_attention(q, k, mask)
    want = F.scaled_dot_product_attention(q, k, k, attn_mask=mask[:, None, :])
    assert torch.allclose(context, want, atol=1e-12)
    assert torch.allclose(weights.sum(-1), torch.ones(3, 4, dtype=torch.float64))
    assert (weights[~mask[:, None, :].expand_as(weights)] == 0).all()


def test_additive_attention_matches_its_formula():
    q, k, mask = qkm()
    att = AdditiveAttention(8, 8, 5).double()
    context, weights = att(q, k, mask)
    for b in range(3):
        for t in range(4):
            e = torch.stack([att.v(torch.tanh(att.w_q(q[b, t]) + att.w_k(k[b, s])))[0]
                             for s in range(6)])
            w = e.masked_fill(~mask[b], -torch.inf).softmax(0)
            assert torch.allclose(weights[b, t], w, atol=1e-12)
            assert torch.allclose(context[b, t], w @ k[b], atol=1e-12)


@pytest.mark.parametrize("attend", [dot_attention, AdditiveAttention(8, 8, 5).double()])
def test_context_reads_real_encoder_outputs_only(attend):
    q, k, mask = qkm()
    c0 = attend(q, k, mask)[0]
    real, pad = k.clone(), k.clone()
    real[2, 0] += 1.0  # the only real word of example 2
    pad[2, 3] += 1.0   # padding of example 2
    assert (attend(q, real, mask)[0] - c0).abs().max() > 1e-3
    assert (attend(q, pad, mask)[0] - c0).abs().max() == 0


@pytest.mark.parametrize("args, words", [
    ((torch.zeros(2, 3), torch.zeros(2, 4, 3), torch.ones(2, 4, dtype=torch.bool)), "query"),
    ((torch.zeros(2, 1, 3), torch.zeros(2, 4, 3), torch.ones(2, 4)), "bool"),
    ((torch.zeros(2, 1, 3), torch.zeros(2, 4, 3), torch.ones(2, 5, dtype=torch.bool)), "mask"),
    ((torch.zeros(2, 1, 3), torch.zeros(2, 4, 3),
      torch.tensor([[True] * 4, [False] * 4])), "at least one"),
    ((torch.zeros(2, 1, 3), torch.zeros(2, 4, 5), torch.ones(2, 4, dtype=torch.bool)), "same"),
])
def test_dot_attention_rejects_bad_input(args, words):
    with pytest.raises(ValueError, match=words):
        dot_attention(*args)


def test_masked_softmax_zero_on_padding():
    w = masked_softmax(torch.zeros(1, 2, 3), torch.tensor([[True, True, False]]))
    assert torch.allclose(w, torch.tensor([[[0.5, 0.5, 0.0]] * 2]))


def batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([5, 2, 4])
    src = torch.randint(1, 9, (3, 5), generator=g) * (torch.arange(5) < lengths[:, None])
    inputs = torch.cat([torch.ones(3, 1, dtype=torch.long),
                        torch.randint(3, 12, (3, 3), generator=g)], 1)  # <bos> = 1
    return src, lengths, inputs


def test_packed_encoder_equals_each_source_alone():
    torch.manual_seed(0)
    enc = Encoder(9, 6, 8).double()
    src, lengths, _ = batch()
    keys, final = enc(src, lengths)
    for i, n in enumerate(lengths.tolist()):
        k1, f1 = enc(src[i:i + 1, :n], lengths[i:i + 1])
        assert torch.allclose(keys[i, :n], k1[0], atol=1e-12)
        assert torch.allclose(final[i], f1[0], atol=1e-12)
        assert (keys[i, n:] == 0).all()


@pytest.mark.parametrize("attention", ["none", "additive", "dot"])
def test_step_by_step_decoding_equals_teacher_forcing(attention):
    torch.manual_seed(0)
    model = Seq2Seq(9, 12, embed=6, hidden=8, attention=attention).double()
    src, lengths, inputs = batch()
    logits, weights = model(src, lengths, inputs)
    assert (weights is None) == (attention == "none")
    state = model.start(src, lengths)
    for t in range(inputs.shape[1]):
        log_probs, state = model.step(inputs[:, t], state)
        assert torch.allclose(log_probs, logits[:, t].log_softmax(-1), atol=1e-12)


def test_without_attention_only_the_final_state_reaches_the_decoder():
    torch.manual_seed(0)
    model = Seq2Seq(9, 12, embed=6, hidden=8, attention="none").double()
    src, lengths, inputs = batch()
    final, keys, mask = model.encode(src, lengths)
    h, _ = model.rnn(model.embed(inputs), final[None].contiguous())
    a, _ = model.read(h, keys, mask, final)
    b, _ = model.read(h, keys + 1.0, mask, final)
    assert torch.equal(a, b)


def test_loss_ignores_padding_and_extra_padding():
    torch.manual_seed(0)
    model = Seq2Seq(9, 12, embed=6, hidden=8, attention="dot").double()
    src, lengths, inputs = batch()
    targets = torch.cat([inputs[:, 1:], torch.full((3, 1), 2)], 1)
    targets[1, 2:] = IGNORE
    loss = seq2seq_loss(model(src, lengths, inputs)[0], targets)
    more = seq2seq_loss(model(F.pad(src, (0, 2)), lengths, F.pad(inputs, (0, 2)))[0],
                        F.pad(targets, (0, 2), value=IGNORE))
    assert abs(loss - more) < 1e-12
    with pytest.raises(ValueError, match="targets"):
        seq2seq_loss(torch.zeros(3, 4, 12), torch.zeros(3, 5, dtype=torch.long))


def test_teacher_forced_accuracy():
    logits = torch.zeros(2, 3, 4)
    logits[0, :, 1] = 1  # predicts 1 everywhere
    logits[1, :, 2] = 1  # predicts 2 everywhere
    targets = torch.tensor([[1, 1, IGNORE], [2, 3, 2]])
    tok, exact = teacher_forced_accuracy(logits, targets)
    assert tok == 4 / 5 and exact == 1 / 2
    with pytest.raises(ValueError):
        teacher_forced_accuracy(logits, targets[:, :2])


def test_decoder_state_works_with_seqbook_decoding():
    torch.manual_seed(0)
    model = Seq2Seq(9, 12, embed=6, hidden=8, attention="additive")
    src, lengths, _ = batch()
    state = model.start(src, lengths)
    assert isinstance(state, DecoderState) and state.shape[0] == 3
    assert state[torch.tensor([2, 2])].keys.shape == (2, 5, 8)
    greedy, _ = greedy_decode(model.step, state, 1, 2, 6)
    for i in range(3):
        one = state[i]
        assert one.shape[0] == 1
        beam1, _ = beam_search(model.step, one, 1, 2, 6, beam_size=1)
        if len(greedy[i]) < 6:  # greedy emitted <end>: a beam of one is greedy
            assert beam1 == greedy[i]
        else:  # greedy stopped unfinished; beam search returns a finished sequence
            assert len(beam1) < 6


def test_translate_and_attention_map():
    torch.manual_seed(0)
    vocab = Vocab.build([["a", "b", "c"]])
    model = Seq2Seq(9, len(vocab), embed=6, hidden=8, attention="dot")
    src, lengths, _ = batch()
    out = translate(model, src, lengths, vocab, max_len=4)
    assert len(out) == 3 and all(len(o) <= 4 for o in out)
    w = attention_map(model, src[0], ["a", "b"], vocab)
    assert w.shape == (3, 5) and torch.allclose(w.sum(1), torch.ones(3))
    with pytest.raises(ValueError, match="src"):
        attention_map(model, src, ["a"], vocab)
    with pytest.raises(ValueError, match="no attention"):
        attention_map(Seq2Seq(9, len(vocab), attention="none"), src[0], ["a"], vocab)


@pytest.mark.parametrize("kwargs, words", [({"attention": "luong"}, "attention"),
                                           ({"hidden": 7}, "even")])
def test_seq2seq_rejects_bad_config(kwargs, words):
    with pytest.raises(ValueError, match=words):
        Seq2Seq(9, 12, **kwargs)
