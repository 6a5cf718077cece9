"""Bad arguments to seqbook.models raise errors that name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import models as m

EMB = m.SequenceModel("gru", 3, 4, 2, vocab_size=5)
FEAT = m.SequenceModel("rnn", 3, 4, 2)

CASES = [
    (m.SequenceModel, dict(cell="lstm", input_size=3.0, hidden_size=4, output_size=2),
     TypeError, "input_size"),
    (m.SequenceModel, dict(cell="lstm", input_size=3, hidden_size=0, output_size=2),
     ValueError, "hidden_size"),
    (m.SequenceModel, dict(cell="lstm", input_size=3, hidden_size=4, output_size=2,
                           num_layers=0), ValueError, "num_layers"),
    (m.SequenceModel, dict(cell="lstm", input_size=3, hidden_size=4, output_size=2,
                           vocab_size=-2), ValueError, "vocab_size"),
    (m.SequenceModel, dict(cell="rnn", input_size=3, hidden_size=4, output_size=2,
                           nonlinearity="sigmoid"), ValueError, "nonlinearity"),
    (m.SequenceModel, dict(cell="cnn", input_size=3, hidden_size=4, output_size=2),
     ValueError, "cell"),
    (EMB, dict(x=torch.tensor([[0, 5]])), ValueError, "x"),
    (EMB, dict(x=torch.tensor([[0, -1]])), ValueError, "x"),
    (EMB, dict(x=torch.zeros(2, 3, 3)), ValueError, "x"),
    (EMB, dict(x=[[0, 1]]), TypeError, "x"),
    (FEAT, dict(x=torch.zeros(2, 3, 4)), ValueError, "x"),
    (FEAT, dict(x=torch.zeros(2, 3, 3, dtype=torch.long)), TypeError, "x"),
    (FEAT, dict(x=np.zeros((2, 3, 3))), TypeError, "x"),
    (FEAT, dict(x=torch.zeros(2, 3, 3), lengths=torch.tensor([0, 3])), ValueError, "lengths"),
    (m.embed_inputs, dict(embed=None, x=torch.zeros(2, 3)), ValueError, "x"),
    (m.count_parameters, dict(model=[torch.zeros(3)]), TypeError, "model"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert EMB(torch.tensor([[0, 4]], dtype=torch.int32)).shape == (1, 2)
    assert FEAT(torch.zeros(2, 3, 3), lengths=[3, 1]).shape == (2, 2)
    assert m.count_parameters(FEAT) > 0
    assert m.SequenceModel("lstm", 3, 4, 2, num_layers=2)(torch.zeros(1, 2, 3)).shape \
        == (1, 2)
