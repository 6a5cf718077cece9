"""Bad arguments to seqbook.torch_rnn name the argument and say what to pass (issue 10)."""

import numpy as np
import torch
from torch import nn

from seqbook import torch_rnn as tr

RNN = tr.TorchRNN(2, 3, 1)
LAYER = nn.GRU(2, 3, batch_first=True)
X = torch.zeros(2, 4, 2)
NAN_X = X.clone()
NAN_X[0, 1, 0] = float("nan")

CASES = [
    (tr.TorchRNN, dict(input_size=True, hidden_size=3, output_size=1), ValueError,
     "input_size"),
    (tr.TorchRNN, dict(input_size=2, hidden_size=3, output_size=1, dtype="float"), TypeError,
     "dtype"),
    (tr.TorchRNN, dict(input_size=2, hidden_size=3, output_size=1, dtype=torch.int64),
     TypeError, "dtype"),
    (RNN, dict(x=NAN_X), ValueError, "x"),
    (RNN, dict(x=torch.zeros(2, 0, 2)), ValueError, "x"),
    (RNN, dict(x=X, h0=torch.full((2, 3), float("inf"))), ValueError, "h0"),
    (tr.run_packed, dict(rnn=LAYER, x=np.zeros((2, 4, 2)), lengths=[4, 2]), TypeError, "x"),
    (tr.run_packed, dict(rnn=LAYER, x=torch.zeros(2, 4, 2, dtype=torch.long), lengths=[4, 2]),
     TypeError, "x"),
    (tr.run_packed, dict(rnn=LAYER, x=torch.zeros(2, 4, 5), lengths=[4, 2]), ValueError, "x"),
    (tr.run_packed, dict(rnn=LAYER, x=X, lengths="42"), TypeError, "lengths"),
    (tr.run_packed, dict(rnn=LAYER, x=X, lengths=torch.tensor([True, True])), ValueError,
     "lengths"),
    (tr.run_packed, dict(rnn=LAYER, x=X, lengths=[4, 0]), ValueError, "length"),
    (tr.run_packed, dict(rnn=LAYER, x=X, lengths=[4, 5]), ValueError, "length"),
    (tr.last_states, dict(out=np.zeros((2, 4, 3)), lengths=[4, 2]), TypeError, "out"),
    (tr.last_states, dict(out=torch.zeros(2, 4), lengths=[4, 2]), ValueError, "out"),
    (tr.last_states, dict(out=torch.zeros(2, 4, 3), lengths=[4]), ValueError, "lengths"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    ys, hs = RNN(X)
    assert ys.shape == (2, 4, 1) and hs.shape == (2, 4, 3)
    out, h_last = tr.run_packed(LAYER, X, [4, 2])
    assert out.shape == (2, 4, 3) and h_last.shape == (2, 3)
    assert torch.equal(tr.last_states(out, np.array([4, 2])), h_last)
