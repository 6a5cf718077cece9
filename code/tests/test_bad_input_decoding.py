"""Bad arguments to seqbook.decoding raise errors that name the argument (issue 10)."""

import pytest
import torch

from seqbook import decoding as d

STEP = d.table_step({(): [0.1, 0.2, 0.7]}, 3)
S0 = torch.zeros((1, 0), dtype=torch.long)
LP = torch.randn(2, 5, 4).log_softmax(-1)

CASES = [
    (d.ctc_greedy_decode, dict(log_probs=LP, lengths=[5, -1]), ValueError, "lengths"),
    (d.ctc_greedy_decode, dict(log_probs=LP, lengths=[5, 6]), ValueError, "lengths"),
    (d.ctc_greedy_decode, dict(log_probs=LP, lengths=[5]), ValueError, "lengths"),
    (d.ctc_greedy_decode, dict(log_probs=LP, lengths=[5.0, 2.0]), TypeError, "lengths"),
    (d.ctc_greedy_decode, dict(log_probs=LP.numpy()), TypeError, "log_probs"),
    (d.ctc_greedy_decode, dict(log_probs=LP[0]), ValueError, "log_probs"),
    (d.ctc_greedy_decode, dict(log_probs=LP.long()), TypeError, "log_probs"),
    (d.ctc_greedy_decode, dict(log_probs=LP, blank=4), ValueError, "blank"),
    (d.ctc_greedy_decode, dict(log_probs=LP, blank=1.5), TypeError, "blank"),
    (d.ctc_collapse, dict(path=[[1, 2]]), ValueError, "path"),
    (d.ctc_collapse, dict(path=[1.5, 2.0]), TypeError, "path"),
    (d.ctc_collapse, dict(path=[1, 2], blank=-1), ValueError, "blank"),
    (d.token_accuracy, dict(refs=[[]], hyps=[[]]), ValueError, "refs"),
    (d.token_accuracy, dict(refs=[], hyps=[]), ValueError, "references"),
    (d.token_accuracy, dict(refs="abc", hyps="abc"), TypeError, "refs"),
    (d.exact_match, dict(refs=[[1]], hyps=[1]), TypeError, "hyps"),
    (d.exact_match, dict(refs=[[1]], hyps=[[1], [2]]), ValueError, "hypotheses"),
    (d.corpus_bleu, dict(refs=[[1]], hyps=[[1]], max_n=0), ValueError, "max_n"),
    (d.corpus_bleu, dict(refs=[[1]], hyps=[[1]], max_n=2.5), TypeError, "max_n"),
    (d.table_step, dict(table={(): [0.5, 0.5]}, vocab_size=0), ValueError, "vocab_size"),
    (d.table_step, dict(table={(): [0.5, 0.5]}, vocab_size=3), ValueError, "table"),
    (d.table_step, dict(table={(): [1.5, -0.5]}, vocab_size=2), ValueError, "table"),
    (d.table_step, dict(table={0: [0.5, 0.5]}, vocab_size=2), TypeError, "table"),
    (d.table_step, dict(table=[[0.5, 0.5]], vocab_size=2), TypeError, "table"),
    (d.greedy_decode, dict(step=STEP, state=S0, start_id=0, end_id=2, max_len=0),
     ValueError, "max_len"),
    (d.greedy_decode, dict(step=STEP, state=S0, start_id=0, end_id=2, max_len=3.0),
     TypeError, "max_len"),
    (d.greedy_decode, dict(step=STEP, state=S0, start_id=-1, end_id=2, max_len=3),
     ValueError, "start_id"),
    (d.greedy_decode, dict(step=STEP, state=[0], start_id=0, end_id=2, max_len=3),
     TypeError, "state"),
    (d.greedy_decode, dict(step=None, state=S0, start_id=0, end_id=2, max_len=3),
     TypeError, "step"),
    (d.beam_search, dict(step=STEP, state=S0, start_id=0, end_id=2, max_len=3, beam_size=0),
     ValueError, "beam_size"),
    (d.beam_search, dict(step=STEP, state=S0.repeat(2, 1), start_id=0, end_id=2, max_len=3),
     ValueError, "state"),
    (d.beam_search, dict(step=STEP, state=S0, start_id=2, end_id=2, max_len=3),
     ValueError, "start_id"),
    (d.sequence_log_prob, dict(step=STEP, state=S0, start_id=0, end_id=2, sequence="ab"),
     TypeError, "sequence"),
    (d.sequence_log_prob, dict(step=STEP, state=S0, start_id=0, end_id=2, sequence=[-1]),
     TypeError, "sequence"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert d.ctc_collapse([]) == []
    assert d.ctc_collapse(torch.tensor([1, 1, 0, 1])) == [1, 1]
    assert len(d.ctc_greedy_decode(LP, lengths=torch.tensor([5, 0]))[1]) == 0
    assert d.token_accuracy([[1, 2], []], [[1, 3], []]) == 0.5
    assert d.corpus_bleu([(1, 2, 3)], [(1, 2, 3)], max_n=2) == 1.0
    seqs, _ = d.greedy_decode(STEP, S0, 0, 2, 3)
    assert seqs == [[]]


def test_strings_are_token_sequences():
    assert d.exact_match(["467", "12"], ["467", "13"]) == 0.5
    assert d.token_accuracy(["467"], ["461"]) == pytest.approx(2 / 3)
