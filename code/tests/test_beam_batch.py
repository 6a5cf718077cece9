"""Tests of seqbook.decoding.beam_search_batch: the beam search of every input, batched."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.decoding import beam_search, beam_search_batch, table_step
from seqbook.seq2seq import Seq2Seq

START, END, V = 0, 1, 5


def input_step(seed):
    """A step whose next-word log-probs are drawn from (input id, prefix so far): the state
    (K, 1 + t) holds the input's id, then the words fed. Deterministic, exact, and different
    for every input."""
    def step(tokens, state):
        state = torch.cat([state, tokens[:, None]], dim=1)
        rows = [np.log(np.random.default_rng([seed, *row]).dirichlet(np.full(V, 0.5)))
                for row in state.tolist()]
        return torch.tensor(np.array(rows)), state
    return step


@pytest.mark.parametrize("beam_size", [1, 2, 3, 5])
@pytest.mark.parametrize("max_len", [1, 3, 6])
def test_each_input_gets_its_own_beam_search(beam_size, max_len):
    step = input_step(0)
    state = torch.arange(5)[:, None]  # five different inputs
    got = beam_search_batch(step, state, START, END, max_len, beam_size)
    want = [beam_search(step, state[i:i + 1], START, END, max_len, beam_size)
            for i in range(5)]
    assert got == want
    assert len({score for _, score in got}) > 1  # the inputs really differ


@pytest.mark.parametrize("attention", ["none", "dot"])
def test_batched_beam_search_of_a_seq2seq_matches_one_by_one(attention):
    torch.manual_seed(0)
    model = Seq2Seq(9, 8, embed=6, hidden=8, attention=attention).eval()
    g = torch.Generator().manual_seed(1)
    lengths = torch.tensor([5, 2, 4, 1, 5, 3])
    src = torch.randint(3, 9, (6, 5), generator=g)
    src[torch.arange(5)[None] >= lengths[:, None]] = 0
    with torch.no_grad():
        start = model.start(src, lengths)
    got = beam_search_batch(model.step, start, 1, 2, 7, 3)
    for i, (seq, score) in enumerate(got):
        want_seq, want_score = beam_search(model.step, start[i], 1, 2, 7, 3)
        assert seq == want_seq
        assert score == pytest.approx(want_score, abs=1e-5)


STEP = table_step({}, V)
STATE = torch.zeros((2, 0), dtype=torch.long)

CASES = [
    (beam_search_batch, dict(step=3, state=STATE, start_id=0, end_id=1, max_len=3),
     TypeError, "step"),
    (beam_search_batch, dict(step=STEP, state=[1, 2], start_id=0, end_id=1, max_len=3),
     TypeError, "state"),
    (beam_search_batch, dict(step=STEP, state=STATE, start_id=0, end_id=0, max_len=3),
     ValueError, "end_id"),
    (beam_search_batch, dict(step=STEP, state=STATE, start_id=0, end_id=1, max_len=0),
     ValueError, "max_len"),
    (beam_search_batch, dict(step=STEP, state=STATE, start_id=0, end_id=1, max_len=3,
                             beam_size=0), ValueError, "beam_size"),
    (beam_search_batch, dict(step=STEP, state=STATE, start_id=0, end_id=1, max_len=3,
                             beam_size=2.0), TypeError, "beam_size"),
    (beam_search_batch, dict(step=STEP, state=torch.zeros((0, 0), dtype=torch.long),
                             start_id=0, end_id=1, max_len=3), ValueError, "state"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)
