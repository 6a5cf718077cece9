"""Bad arguments to seqbook.sequences raise errors that name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import sequences as s

CASES = [
    (s.pad_sequences, dict(seqs=[]), ValueError, "seqs"),
    (s.pad_sequences, dict(seqs="abc"), TypeError, "seqs"),
    (s.pad_sequences, dict(seqs=np.zeros((2, 3))), TypeError, "seqs"),
    (s.pad_sequences, dict(seqs=[[1, 2], []]), ValueError, "sequence"),
    (s.pad_sequences, dict(seqs=[np.zeros((2, 2, 2))]), ValueError, "sequence"),
    (s.pad_sequences, dict(seqs=[[1, 2]], pad_value="x"), TypeError, "pad_value"),
    (s.pad_sequences, dict(seqs=[[1, 2]], pad_value=None), TypeError, "pad_value"),
    (s.masked_mean, dict(values=np.zeros(3), mask=np.ones(3)), ValueError, "values"),
    (s.masked_mean, dict(values=np.zeros((2, 3)), mask=np.ones((2, 2))), ValueError, "mask"),
    (s.masked_mean, dict(values=np.zeros((2, 3)), mask=[[1, 1, 1], [0, 0, 0]]),
     ValueError, "mask"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    padded, lengths, mask = s.pad_sequences([torch.tensor([1, 2]).numpy(), [3]], pad_value=-1)
    assert padded.tolist() == [[1, 2], [3, -1]]
    assert np.isnan(s.pad_sequences([[1.0], [1.0, 2.0]], pad_value=np.nan)[0][0, 1])
    assert s.masked_mean(padded, mask).tolist() == [1.5, 3.0]
