"""Bad arguments to seqbook.attention raise errors that name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import attention as a

Q = torch.randn(2, 4, 3)

CASES = [
    (a.causal_mask, dict(T=0), ValueError, "T"),
    (a.causal_mask, dict(T=2.0), ValueError, "T"),
    (a.attention, dict(q=Q.numpy(), k=Q, v=Q), TypeError, "q"),
    (a.attention, dict(q=Q, k=Q.long(), v=Q), TypeError, "k"),
    (a.attention, dict(q=Q, k=Q, v=Q[0, 0]), TypeError, "v"),
    (a.attention, dict(q=Q, k=Q[..., :2], v=Q), ValueError, "q, k"),
    (a.attention, dict(q=Q, k=Q, v=Q, mask=torch.ones(4, 4)), TypeError, "mask"),
    (a.attention, dict(q=Q, k=Q, v=Q, mask=a.causal_mask(3)), ValueError, "mask"),
    (a.sinusoidal_positions, dict(T=4, d=3), ValueError, "even d"),
    (a.sinusoidal_positions, dict(T=4.0, d=4), TypeError, "T"),
    (a.sinusoidal_positions, dict(T=4, d="4"), TypeError, "d"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    out, w = a.attention(Q.double(), Q.double(), Q.double(), mask=a.causal_mask(4))
    assert out.shape == (2, 4, 3) and w.shape == (2, 4, 4)
    assert a.sinusoidal_positions(np.int64(3), 4).shape == (3, 4)
