"""The validators added to seqbook.checks for this sweep (issue 10): tensor, instance, text."""

import numpy as np
import torch

from seqbook import checks

CASES = [
    (checks.tensor, dict(name="x", x=np.zeros(3)), TypeError, "x"),
    (checks.tensor, dict(name="x", x=[1.0]), TypeError, "torch.as_tensor"),
    (checks.tensor, dict(name="h", x=torch.zeros(2), ndim=2, layout="(batch, hidden)"),
     ValueError, "h"),
    (checks.tensor, dict(name="ids", x=torch.zeros(2), kind="int"), TypeError, "ids"),
    (checks.tensor, dict(name="x", x=torch.tensor([1.0, float("nan")]), finite=True),
     ValueError, "x"),
    (checks.tensor, dict(name="x", x=torch.zeros(0, 3)), ValueError, "x"),
    (checks.instance, dict(name="vocab", value=[], types=dict, what="a dict"), TypeError,
     "vocab"),
    (checks.text, dict(name="motif", value=3), TypeError, "motif"),
    (checks.text, dict(name="motif", value=""), ValueError, "motif"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_pass():
    checks.tensor("x", torch.zeros(2, 3), 2, kind="float", finite=True)
    checks.tensor("x", torch.zeros(0, 3), 2, min_size=0)
    checks.instance("x", 3, (int, float), "a number")
    assert checks.text("s", "", empty=True) == ""
