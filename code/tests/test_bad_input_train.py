"""Bad arguments to seqbook.train.fit and seqbook.seed raise errors that name the argument."""

import torch

from seqbook.seed import set_seed
from seqbook.train import fit

MODEL = torch.nn.Linear(2, 1)


def loss(step):
    return MODEL(torch.ones(1, 2)).pow(2).mean()


CASES = [
    (fit, dict(model=None, step_loss=loss, steps=2), TypeError, "model"),
    (fit, dict(model=MODEL, step_loss=3, steps=2), TypeError, "step_loss"),
    (fit, dict(model=MODEL, step_loss=loss, steps=2.0), TypeError, "steps"),
    (fit, dict(model=MODEL, step_loss=loss, steps=0), ValueError, "steps"),
    (fit, dict(model=MODEL, step_loss=loss, steps=2, lr=float("nan")), ValueError, "lr"),
    (fit, dict(model=MODEL, step_loss=loss, steps=2, clip_norm=float("nan")), ValueError,
     "clip_norm"),
    (fit, dict(model=MODEL, step_loss=loss, steps=2, clip_value=-1.0), ValueError,
     "clip_value"),
    (fit, dict(model=MODEL, step_loss=loss, steps=2, optimizer="lbfgs"), ValueError,
     "optimizer"),
    (set_seed, dict(seed=-1), ValueError, "seed"),
    (set_seed, dict(seed=1.5), ValueError, "seed"),
    (set_seed, dict(seed=0, threads=0), ValueError, "threads"),
    (set_seed, dict(seed=0, threads="2"), ValueError, "threads"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    hist = fit(MODEL, loss, steps=2, lr=0.01, clip_norm=1, quiet=True, name="x")
    assert hist.name == "x" and len(hist.losses) == 2
    set_seed(0, threads=None)
