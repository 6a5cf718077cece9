"""Tests of seqbook.stack_sgd: per-block SGD with its own learning rate and clipping (chapter 4)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqbook.gradients import init_recurrent_
from seqbook.models import SequenceModel
from seqbook.stack import SeedStack
from seqbook.stack_sgd import fit_stack_sgd
from seqbook.tasks import adding_problem
from seqbook.train import fit

H = 5
SETTINGS = [dict(lr=0.1), dict(lr=0.1, clip_norm=1.0), dict(lr=0.1, clip_value=0.1),
            dict(lr=0.01), dict(lr=0.05, clip_norm=0.5, clip_value=0.2)]


def make(width: int) -> SequenceModel:
    return SequenceModel("rnn", 2, width, width // H, nonlinearity="relu")


def narrow() -> SequenceModel:
    torch.manual_seed(0)
    m = make(H)
    init_recurrent_(m.rnn, "identity")
    return m


def batches(n: int, T: int = 6, scale: float = 4.0):
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        x, y = adding_problem(8, T, rng, dtype=torch.float64)
        out.append((x, y * scale))  # large targets: large gradients, so every clip acts
    return out


def mse_per_block(stack, data):
    """step_loss for fit_stack_sgd: the (S,) MSEs of the blocks on batch `step`."""
    def step_loss(step):
        x, y = data[step]
        return torch.stack([F.mse_loss(out, y) for out in stack(x)])
    return step_loss


def stacked(dtype=torch.float64):
    base = narrow()
    stack = SeedStack(make, H, models=[copy.deepcopy(base) for _ in SETTINGS]).to(dtype)
    return stack, base


def test_each_block_trains_as_fit_would_train_its_model_alone():
    data = batches(12)
    stack, base = stacked()
    hist = fit_stack_sgd(stack, mse_per_block(stack, data), steps=len(data),
                         lrs=[k["lr"] for k in SETTINGS],
                         clip_norms=[k.get("clip_norm") for k in SETTINGS],
                         clip_values=[k.get("clip_value") for k in SETTINGS])
    assert hist.losses.shape == hist.grad_norms.shape == hist.used_norms.shape == (12, 5)
    for s, kw in enumerate(SETTINGS):
        alone = copy.deepcopy(base).double()

        def loss_alone(step, model=alone):
            x, y = data[step]
            return F.mse_loss(model(x), y)

        h = fit(alone, loss_alone, steps=len(data), optimizer="sgd", quiet=True, **kw)
        np.testing.assert_allclose(hist.losses[:, s], h.losses, rtol=1e-9)
        np.testing.assert_allclose(hist.grad_norms[:, s], h.grad_norms, rtol=1e-9)
        mine = stack.unstack(s)
        for (name, p), q in zip(alone.named_parameters(), mine.parameters(), strict=True):
            assert (p - q).abs().max() < 1e-9 * (1 + p.abs().max()), (s, name)
    assert (hist.grad_norms.max(0) > 2.0).all()  # the clips had something to clip
    # after clipping: at most the clip norm, and never more than before
    assert (hist.used_norms[:, 1] <= 1.0 + 1e-6).all()
    assert (hist.used_norms <= hist.grad_norms + 1e-9).all()
    np.testing.assert_allclose(hist.used_norms[:, 0], hist.grad_norms[:, 0], rtol=1e-12)


def test_blocks_do_not_leak_into_each_other():
    data = batches(4)
    stack, _ = stacked()
    fit_stack_sgd(stack, mse_per_block(stack, data), steps=4, lrs=[0.1] * 5)
    for name, p in stack.wide.named_parameters():
        off = stack.blocks[name].view(p.shape) == stack.S
        assert (p[off] == 0).all(), name  # off-block entries never move


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(lrs=[0.1] * 4), ValueError, "one value per block"),
    (dict(lrs=[0.1, 0.1, 0.1, 0.1, -1.0]), ValueError, r"lrs\[4\]"),
    (dict(lrs=[0.1, 0.1, 0.1, 0.1, None]), ValueError, "learning rate for every block"),
    (dict(lrs=[0.1] * 5, clip_norms=[1.0]), ValueError, "clip_norms"),
    (dict(lrs=[0.1] * 5, clip_values=[0.0] * 5), ValueError, r"clip_values\[0\]"),
    (dict(lrs="0.1"), ValueError, "one value per block"),
    (dict(lrs=[0.1] * 5, steps=0), ValueError, "steps"),
])
def test_bad_input_is_named(kwargs, error, match):
    stack, _ = stacked()
    kwargs = {"steps": 2} | kwargs
    with pytest.raises(error, match=match):
        fit_stack_sgd(stack, lambda step: torch.zeros(5), **kwargs)


def test_wrong_loss_shape_and_non_stack_are_refused():
    stack, base = stacked()
    with pytest.raises(ValueError, match=r"\(5,\) losses"):
        fit_stack_sgd(stack, lambda step: torch.zeros(()), steps=1, lrs=[0.1] * 5)
    with pytest.raises(TypeError, match="SeedStack"):
        fit_stack_sgd(base, lambda step: torch.zeros(5), steps=1, lrs=[0.1] * 5)
