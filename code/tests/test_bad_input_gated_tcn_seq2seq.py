"""Bad arguments to seqbook.numpy_gated, tcn and seq2seq name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import numpy_gated as ng
from seqbook import seq2seq as s2s
from seqbook import tcn

RNG = np.random.default_rng(0)
MODEL = tcn.TCN(1, 4, 2, 1, head="all")

CASES = [
    (ng.init_params, dict(kind="lstm", input_size=2, hidden_size=3, rng=0), TypeError, "rng"),
    (ng.init_params, dict(kind="lstm", input_size=2, hidden_size=3, rng=RNG,
                          forget_bias=float("nan")), ValueError, "forget_bias"),
    (ng.init_params, dict(kind="rnn", input_size=2, hidden_size=3, rng=RNG), ValueError, "kind"),
    (ng.sigmoid, dict(a="x"), TypeError, "a"),
    (tcn.input_gradient, dict(model=MODEL, x=torch.zeros(1, 5, 1), t=1.5), TypeError, "t"),
    (tcn.input_gradient, dict(model=MODEL, x=torch.zeros(1, 5, 1), t=5), ValueError, "t"),
    (tcn.receptive_field, dict(kernel_size=0, dilations=[1]), ValueError, "kernel_size"),
    (s2s.teacher_forced_accuracy, dict(logits=torch.zeros(1, 2, 4),
                                       targets=torch.full((1, 2), -100)), ValueError, "targets"),
    (s2s.seq2seq_loss, dict(logits=torch.zeros(2, 3, 4),
                            targets=torch.zeros(2, 2, dtype=torch.long)), ValueError, "targets"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert ng.sigmoid(0.0) == 0.5
    assert ng.sigmoid(torch.zeros(2)).shape == (2,)
    assert tcn.input_gradient(MODEL, torch.zeros(1, 5, 1), np.int64(2)).shape == (5,)
