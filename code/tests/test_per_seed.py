"""Tests of seqbook.per_seed: each block of a SeedStack reads its own seed's batch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqbook.models import SequenceModel
from seqbook.per_seed import forward_per_seed
from seqbook.stack import SeedStack, fit_stack
from seqbook.train import fit

H, D, V = 5, 2, 4


def make_feat(width, cell="gru", head="last"):
    n = width // H
    return SequenceModel(cell, D * n, width, 3 * n, head=head)


def make_ids(width, cell="lstm"):
    n = width // H
    return SequenceModel(cell, V * n, width, V * n, head="all", vocab_size=V * n)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("head", ["last", "all"])
def test_each_block_equals_its_narrow_model_on_its_own_features(cell, head):
    stack = SeedStack(lambda w: make_feat(w, cell, head), H, [0, 1, 2])
    xs = torch.randn(3, 4, 6, D, generator=torch.Generator().manual_seed(0))
    out = forward_per_seed(stack, xs)
    assert out.shape == ((3, 4, 3) if head == "last" else (3, 4, 6, 3))
    for s in range(3):
        torch.testing.assert_close(out[s], stack.unstack(s)(xs[s]), atol=1e-6, rtol=1e-5)
    # a different batch per seed really matters: seed 0's batch fed to all differs
    same = forward_per_seed(stack, xs[:1].expand(3, -1, -1, -1))
    assert not torch.allclose(same[1], out[1])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_each_block_equals_its_narrow_model_on_its_own_ids(cell):
    stack = SeedStack(lambda w: make_ids(w, cell), H, [3, 4])
    xs = torch.from_numpy(np.random.default_rng(1).integers(0, V, (2, 5, 7)))
    out = forward_per_seed(stack, xs)  # (2, 5, 7, V)
    for s in range(2):
        torch.testing.assert_close(out[s], stack.unstack(s)(xs[s]), atol=1e-6, rtol=1e-5)


def test_training_follows_separate_runs_on_separate_batches():
    """fit_stack on per-seed batches gives each seed's losses of a separate `fit` run."""
    def batches(seed):
        g = np.random.default_rng(seed)
        return [torch.from_numpy(g.normal(size=(8, 6, D))).float() for _ in range(15)]

    seeds = [0, 1, 2]
    data = {s: batches(s) for s in seeds}
    target = {s: [x.sum(dim=(1, 2))[:, None].repeat(1, 3) for x in data[s]] for s in seeds}
    alone = []
    for s in seeds:
        torch.manual_seed(s)
        model = make_feat(H)
        hist = fit(model, lambda k, m=model, s=s: F.mse_loss(m(data[s][k]), target[s][k]),
                   steps=15, lr=0.01, clip_norm=1.0, quiet=True)
        alone.append(hist.losses)
    stack = SeedStack(make_feat, H, seeds)

    def step_loss(k):
        out = forward_per_seed(stack, torch.stack([data[s][k] for s in seeds]))
        y = torch.stack([target[s][k] for s in seeds])
        return (out - y).square().flatten(1).mean(1)

    hist = fit_stack(stack, step_loss, steps=15, lr=0.01, clip_norm=1.0)
    np.testing.assert_allclose(np.array(hist.losses).T, np.array(alone), rtol=1e-4)


FEAT = SeedStack(make_feat, H, [0, 1])
IDS = SeedStack(make_ids, H, [0, 1])
NARROW_INPUT = SeedStack(lambda w: SequenceModel("gru", D, w, 3 * (w // H)), H, [0, 1])

CASES = [
    (forward_per_seed, dict(stack=make_feat(H), xs=torch.zeros(2, 1, 3, D)), TypeError, "stack"),
    (forward_per_seed, dict(stack=FEAT, xs=np.zeros((2, 1, 3, D))), TypeError, "xs"),
    (forward_per_seed, dict(stack=FEAT, xs=torch.zeros(3, 1, 3, D)), ValueError, "xs"),
    (forward_per_seed, dict(stack=FEAT, xs=torch.zeros(2, 1, 3)), ValueError, "xs"),
    (forward_per_seed, dict(stack=FEAT, xs=torch.zeros(2, 1, 3, D, dtype=torch.long)),
     TypeError, "xs"),
    (forward_per_seed, dict(stack=FEAT, xs=torch.zeros(2, 1, 3, D + 1)), ValueError,
     "input_size"),
    (forward_per_seed, dict(stack=IDS, xs=torch.zeros(2, 1, 3)), ValueError, "xs"),
    (forward_per_seed, dict(stack=IDS, xs=torch.full((2, 1, 3), V)), ValueError, "xs"),
    (forward_per_seed, dict(stack=IDS, xs=torch.full((2, 1, 3), -1)), ValueError, "xs"),
    (forward_per_seed, dict(stack=NARROW_INPUT, xs=torch.zeros(2, 1, 3, D)), ValueError,
     "input_size"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)
