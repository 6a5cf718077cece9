"""Tests of seqbook.models: SequenceModel heads and lengths, count_parameters, bad input."""

from __future__ import annotations

import pytest
import torch

from seqbook.models import SequenceModel, count_parameters

B, T, D, H, O = 3, 7, 4, 6, 2  # noqa: E741 (O = output size)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_head_shapes(cell: str) -> None:
    x = torch.randn(B, T, D)
    assert SequenceModel(cell, D, H, O, head="last")(x).shape == (B, O)
    assert SequenceModel(cell, D, H, O, head="all")(x).shape == (B, T, O)
    assert SequenceModel(cell, D, H, O, head="all", num_layers=2)(x).shape == (B, T, O)
    assert SequenceModel(cell, D, H, O, bidirectional=True)(x).shape == (B, O)


def test_embedding_model_takes_token_ids() -> None:
    model = SequenceModel("rnn", D, H, O, head="all", vocab_size=10)
    ids = torch.randint(0, 10, (B, T))
    assert model(ids).shape == (B, T, O)


def test_last_head_reads_the_last_state() -> None:
    torch.manual_seed(0)
    model = SequenceModel("rnn", D, H, O).double()
    x = torch.randn(B, T, D, dtype=torch.float64)
    out, _ = model.rnn(x)
    assert torch.allclose(model(x), model.head(out[:, -1]), atol=1e-14)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_lengths_equal_running_each_sequence_unpadded(cell: str) -> None:
    torch.manual_seed(1)
    model = SequenceModel(cell, D, H, O).double()
    lengths = [7, 3, 1]
    seqs = [torch.randn(n, D, dtype=torch.float64) for n in lengths]
    for pad_value in (0.0, 50.0):  # the padding value must not matter
        x = torch.full((B, T, D), pad_value, dtype=torch.float64)
        for b, s in enumerate(seqs):
            x[b, : len(s)] = s
        got = model(x, lengths=torch.tensor(lengths))
        want = torch.cat([model(s[None]) for s in seqs])
        assert (got - want).abs().max().item() < 1e-12
    naive = model(x)  # without lengths, short sequences are read through the padding
    assert (naive[1] - want[1]).abs().max().item() > 1e-6


def test_count_parameters() -> None:
    model = SequenceModel("rnn", D, H, O)
    assert count_parameters(model) == H * D + H * H + 2 * H + O * H + O
    lstm = SequenceModel("lstm", D, H, O)
    assert count_parameters(lstm) == 4 * (H * D + H * H + 2 * H) + O * H + O
    model.head.weight.requires_grad_(False)
    assert count_parameters(model) == H * D + H * H + 2 * H + O
    # weight sharing: the count does not depend on the sequence length
    assert count_parameters(SequenceModel("rnn", D, H, O)) == count_parameters(model) + O * H


def test_bad_input_raises_clear_errors() -> None:
    with pytest.raises(ValueError, match="cell must be one of"):
        SequenceModel("transformer", D, H, O)
    with pytest.raises(ValueError, match="head must be"):
        SequenceModel("rnn", D, H, O, head="first")
    with pytest.raises(ValueError, match="positive"):
        SequenceModel("rnn", D, 0, O)
    with pytest.raises(ValueError, match="token ids"):
        SequenceModel("rnn", D, H, O, vocab_size=10)(torch.randn(B, T))
    with pytest.raises(ValueError, match="batch, time, features"):
        SequenceModel("rnn", D, H, O)(torch.randn(B, D))


def test_sequence_model_rejects_impossible_lengths():
    model = SequenceModel("rnn", 3, 4, 2)
    x = torch.randn(2, 5, 3)
    for bad in ([0, 5], [3, 6], [2]):
        with pytest.raises(ValueError, match="lengths must be"):
            model(x, lengths=torch.tensor(bad))


def _padded(seqs: list[torch.Tensor], pad: float) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.full((len(seqs), max(len(s) for s in seqs), seqs[0].shape[1]), pad,
                   dtype=torch.float64)
    for b, s in enumerate(seqs):
        x[b, : len(s)] = s
    return x, torch.tensor([len(s) for s in seqs])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("head", ["last", "all"])
def test_bidirectional_with_lengths_never_reads_the_padding(cell: str, head: str) -> None:
    """The backward direction must start at each sequence's own end: padding values of 0 and
    99 give the same outputs, equal to running each sequence alone."""
    torch.manual_seed(0)
    model = SequenceModel(cell, D, H, O, head=head, bidirectional=True).double()
    seqs = [torch.randn(n, D, dtype=torch.float64) for n in (5, 2, 4)]
    with torch.no_grad():
        outs = [model(*_padded(seqs, pad)) for pad in (0.0, 99.0)]
        alone = [model(s[None])[0] for s in seqs]
    for b, a in enumerate(alone):
        n = len(seqs[b])
        got = outs[0][b] if head == "last" else outs[0][b, :n]
        assert (got - a).abs().max().item() < 1e-12
    real = outs[0] if head == "last" else torch.cat([o[:len(s)] for o, s in
                                                     zip(outs[0], seqs, strict=True)])
    real_99 = outs[1] if head == "last" else torch.cat([o[:len(s)] for o, s in
                                                        zip(outs[1], seqs, strict=True)])
    assert (real - real_99).abs().max().item() < 1e-12


def test_bidirectional_last_head_joins_both_final_states() -> None:
    torch.manual_seed(0)
    model = SequenceModel("gru", D, H, O, bidirectional=True).double()
    x = torch.randn(B, T, D, dtype=torch.float64)
    with torch.no_grad():
        out, h_n = model.rnn(x)
        want = model.head(torch.cat([h_n[0], h_n[1]], dim=-1))  # forward, backward finals
        assert (model(x) - want).abs().max().item() < 1e-12


@pytest.mark.parametrize("lengths, match", [
    (torch.tensor([7, 2]), r"\(batch,\) = \(3,\)"),
    (torch.tensor([8, 2, 3]), "1..7"),
    (torch.tensor([0, 2, 3]), "1..7"),
    (torch.tensor([7.0, 2.0, 3.0]), "integers"),
])
def test_lengths_are_checked(lengths: torch.Tensor, match: str) -> None:
    model = SequenceModel("rnn", D, H, O, bidirectional=True)
    with pytest.raises(ValueError, match=match):
        model(torch.randn(B, T, D), lengths=lengths)
