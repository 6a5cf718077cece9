"""Tests of seqbook.decoding on hand-made score tables whose answers are known by construction."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from seqbook.decoding import (
    beam_search,
    corpus_bleu,
    ctc_collapse,
    ctc_greedy_decode,
    exact_match,
    greedy_decode,
    sequence_log_prob,
    table_step,
    token_accuracy,
)

START, END = 0, 1  # token ids in the tables below; words are 2, 3, ...


def empty(batch: int = 1) -> torch.Tensor:
    return torch.zeros((batch, 0), dtype=torch.long)


# greedy grabs 'a' (0.6) but every continuation of 'a' is weak; 'b' then <end> is more probable
TRAP = {(): [0, 0, 0.6, 0.4], (2,): [0, 0.34, 0.33, 0.33], (3,): [0, 0.9, 0.05, 0.05]}


def test_greedy_takes_the_locally_best_word():
    seqs, logp = greedy_decode(table_step(TRAP, 4), empty(), START, END, max_len=5)
    assert seqs == [[2]]
    assert logp.item() == pytest.approx(math.log(0.6 * 0.34))


def test_beam_finds_a_more_probable_sequence_than_greedy():
    step = table_step(TRAP, 4)
    seq, score = beam_search(step, empty(), START, END, max_len=5, beam_size=2)
    assert seq == [3] and score == pytest.approx(math.log(0.4 * 0.9))
    greedy_score = greedy_decode(step, empty(), START, END, 5)[1].item()
    assert score > greedy_score
    assert sequence_log_prob(step, empty(), START, END, seq) == pytest.approx(score)


def test_beam_of_one_is_greedy():
    step = table_step(TRAP, 4)
    assert beam_search(step, empty(), START, END, 5, beam_size=1)[0] == [2]


def test_table_step_checks_its_table():
    with pytest.raises(ValueError, match="summing to 1"):
        table_step({(): [0.5, 0.2, 0.1, 0.1]}, 4)
    with pytest.raises(ValueError, match="4 probabilities"):
        table_step({(): [0.5, 0.5]}, 4)
    log_probs, state = table_step(TRAP, 4)(torch.tensor([START]), empty())
    assert state.tolist() == [[START]]
    torch.testing.assert_close(log_probs.exp(), torch.tensor([TRAP[()]], dtype=torch.float64))


def _brute_force(step, V: int, max_len: int) -> tuple[list[int], float]:
    best, best_lp = None, -math.inf
    for n in range(max_len):
        for words in itertools.product(range(2, V), repeat=n):
            lp = sequence_log_prob(step, empty(), START, END, list(words))
            if lp > best_lp:
                best, best_lp = list(words), lp
    return best, best_lp


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wide_beam_is_exact_on_random_tables(seed):
    """With a beam as wide as all prefixes, beam search must find the most probable sequence."""
    rng = np.random.default_rng(seed)
    V, L = 4, 3
    table = {}
    for n in range(L):
        for words in itertools.product(range(2, V), repeat=n):
            p = rng.dirichlet(np.ones(V - 1) * 0.5)
            table[words] = [0.0, *p]  # never <start>
    step = table_step(table, V)
    seq, score = beam_search(step, empty(), START, END, max_len=L, beam_size=64)
    want, want_lp = _brute_force(step, V, L)
    assert score == pytest.approx(want_lp)
    assert seq == want


def test_greedy_batch_matches_one_by_one():
    table = {(): [0, 0.1, 0.2, 0.7], (3,): [0, 0.5, 0.4, 0.1], (3, 2): [0, 1.0, 0, 0]}
    step = table_step(table, 4)
    seqs, logp = greedy_decode(step, empty(3), START, END, max_len=4)
    assert seqs == [[3]] * 3 and torch.allclose(logp, torch.full((3,), math.log(0.7 * 0.5),
                                                                  dtype=torch.float64))


def test_without_end_greedy_stops_unfinished_and_beam_finishes():
    table = {(): [0, 0.1, 0.9, 0], (2,): [0, 0.1, 0.9, 0]}  # <end> never wins a step
    assert greedy_decode(table_step(table, 4), empty(), START, END, max_len=2)[0] == [[2, 2]]
    seq, score = beam_search(table_step(table, 4), empty(), START, END, max_len=2, beam_size=1)
    assert seq == [] and score == pytest.approx(math.log(0.1))  # [2] then <end>: .09 < .1
    assert score == pytest.approx(sequence_log_prob(table_step(table, 4), empty(), START, END,
                                                    seq))


@pytest.mark.parametrize("kwargs, match", [
    ({"max_len": 0}, "max_len"), ({"beam_size": 0}, "beam_size"), ({"end_id": 0}, "different")])
def test_beam_rejects_bad_arguments(kwargs, match):
    args = {"start_id": START, "end_id": END, "max_len": 3, "beam_size": 2} | kwargs
    with pytest.raises(ValueError, match=match):
        beam_search(table_step(TRAP, 4), empty(), **args)


def test_beam_decodes_one_input_at_a_time():
    with pytest.raises(ValueError, match="batch size 1"):
        beam_search(table_step(TRAP, 4), empty(2), START, END, 3)


@pytest.mark.parametrize("path, want", [
    ([1, 1, 0, 1, 2, 2, 0], [1, 1, 2]),  # a blank separates the repeated 1s
    ([0, 0, 0], []),
    ([3, 3, 3], [3]),
    ([0, 5, 0, 5, 5, 0, 4], [5, 5, 4]),
])
def test_ctc_collapse(path, want):
    assert ctc_collapse(path, blank=0) == want


def test_ctc_greedy_decode_on_a_one_hot_table():
    paths = [[1, 1, 0, 1, 2, 2], [0, 3, 3, 0, 0, 0]]
    scores = torch.nn.functional.one_hot(torch.tensor(paths), 4).float().log_softmax(-1)
    assert ctc_greedy_decode(scores) == [[1, 1, 2], [3]]
    assert ctc_greedy_decode(scores, lengths=[3, 6]) == [[1], [3]]
    assert ctc_greedy_decode(scores, blank=3) == [[1, 0, 1, 2], [0, 0]]
    with pytest.raises(ValueError, match="batch, time, classes"):
        ctc_greedy_decode(scores[0])
    with pytest.raises(ValueError, match="blank"):
        ctc_greedy_decode(scores, blank=4)


def test_exact_match_and_token_accuracy():
    refs = [["a", "3"], ["a", "3", "above", "a", "7"]]
    hyps = [["a", "3"], ["a", "3", "above", "a", "1", "x"]]
    assert exact_match(refs, hyps) == 0.5
    assert token_accuracy(refs, hyps) == pytest.approx((2 + 4) / (2 + 6))
    with pytest.raises(ValueError, match="as many"):
        exact_match(refs, hyps[:1])


def test_bleu_by_hand():
    ref = [["the", "cat", "is", "here"]]
    assert corpus_bleu(ref, ref) == pytest.approx(1.0)
    # clipping: 'the' occurs once in the reference, so 4 repeats count once
    assert corpus_bleu([["the", "cat"]], [["the"] * 4], max_n=1) == pytest.approx(0.25)
    # brevity penalty: a correct but half-length hypothesis
    assert corpus_bleu(ref, [["the", "cat"]], max_n=2) == pytest.approx(math.exp(1 - 4 / 2))
    assert corpus_bleu(ref, [["dog"]]) == 0.0
    with pytest.raises(ValueError, match="max_n"):
        corpus_bleu(ref, ref, max_n=0)


def test_ctc_decode_rejects_wrong_number_of_lengths():
    scores = torch.zeros(2, 4, 3).log_softmax(-1)
    with pytest.raises(ValueError, match="one length per sequence"):
        ctc_greedy_decode(scores, lengths=[4])


def test_beam_stays_full_after_a_sequence_finishes():
    """A finished sequence is set aside; the next step still extends beam_size live prefixes."""
    table = {(): [0, 0.35, 0.45, 0.2],  # <end> is 2nd: the empty caption finishes at step 1
             (2,): [0, 0.9, 0.05, 0.05], (3,): [0, 0.1, 0.5, 0.4]}
    inner = table_step(table, 4)
    widths = []

    def step(tokens, state):
        widths.append(len(tokens))
        return inner(tokens, state)

    seq, score = beam_search(step, empty(), START, END, max_len=3, beam_size=2)
    assert widths[:2] == [1, 2]  # both words 2 and 3 stay live beside the finished <end>
    assert seq == [2] and score == pytest.approx(math.log(0.45 * 0.9))


@pytest.mark.parametrize("seed", [3, 4, 5, 6])
def test_beam_of_one_is_greedy_on_random_tables(seed):
    rng = np.random.default_rng(seed)
    V, L = 5, 4
    table = {w: [0.0, *rng.dirichlet(np.ones(V - 1))]
             for n in range(L) for w in itertools.product(range(2, V), repeat=n)}
    step = table_step(table, V)
    (g,), g_lp = greedy_decode(step, empty(), START, END, max_len=L)
    b, b_lp = beam_search(step, empty(), START, END, max_len=L, beam_size=1)
    assert b == g and b_lp == pytest.approx(g_lp.item())


def test_wider_beam_is_not_always_better():
    """Beam search is a heuristic: here k=2 prunes the greedy prefix and ends up worse."""
    table = {(): [0, 0, 0.4, 0.35, 0.25], (2,): [0, 0, 0.34, 0.33, 0.33],
             (3,): [0, 0, 0, 0.5, 0.5], (2, 2): [0, 1, 0, 0, 0],
             (3, 3): [0, 0.3, 0.3, 0.2, 0.2], (3, 4): [0, 0.3, 0.3, 0.2, 0.2]}
    step = table_step(table, 5)
    lp = {k: beam_search(step, empty(), START, END, 6, beam_size=k)[1] for k in (1, 2, 3)}
    assert lp[2] < lp[1] - 0.5 and lp[3] == pytest.approx(lp[1])


class _EveryPrefix(dict):
    """A table_step table giving the same next-word probabilities after every prefix."""

    def __init__(self, probs):
        super().__init__()
        self.probs = probs

    def get(self, key, default=None):
        return self.probs


def test_beam_never_returns_an_unfinished_prefix():
    """<end> (id 1, p = .2) never ranks in a beam of 2 behind words 2 and 3 (p = .4 each): the
    old code returned the unfinished [2, 2] at -1.83, without log p(<end>); finished, it
    scores -3.44, below the finished [] at log .2 = -1.61 that it threw away."""
    step = table_step(_EveryPrefix([0.0, 0.2, 0.4, 0.4]), 4)
    s0 = torch.zeros((1, 0), dtype=torch.long)
    seq, lp = beam_search(step, s0, 0, 1, max_len=2, beam_size=2)
    assert seq == [] and lp == pytest.approx(math.log(0.2))
    assert lp == pytest.approx(sequence_log_prob(step, s0, 0, 1, seq))
    assert sequence_log_prob(step, s0, 0, 1, [2, 2]) < lp


def test_beam_says_when_nothing_can_finish():
    def step(tokens, state):  # a model that masks <end> (id 1) out with -inf
        log_probs = torch.tensor([[-math.inf, -math.inf, -0.7, -0.7]]).expand(len(tokens), 4)
        return log_probs, state
    with pytest.raises(ValueError, match="raise max_len"):
        beam_search(step, torch.zeros((1, 1)), 0, 1, max_len=3)
