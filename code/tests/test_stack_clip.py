"""Tests of seqbook.stack's per-block norm clipping and fit_stack (chapter 6's ablation)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqbook.models import SequenceModel
from seqbook.stack import SeedStack, fit_stack
from seqbook.tasks import adding_problem

H = 6


def make(width: int) -> SequenceModel:
    return SequenceModel("lstm", 2, width, width // H)  # one output per block


def narrow_models(biases=(0.0, 1.0, 3.0)) -> list[SequenceModel]:
    models = []
    for b in biases:
        torch.manual_seed(0)  # the same weights but for the forget-gate bias
        m = make(H)  # float32, as the stack copies it; .double() after stacking
        with torch.no_grad():
            m.rnn.bias_ih_l0[H:2 * H] += b
        models.append(m)
    return models


def batches(n: int, T: int = 8, scale: float = 50.0):
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        x, y = adding_problem(4, T, rng, dtype=torch.float64)
        out.append((x, y * scale))  # large targets: large gradients, so clipping acts
    return out


def doubles(models):
    return [copy.deepcopy(m).double() for m in models]


def test_models_are_stacked_as_they_are():
    models = narrow_models()
    stack = SeedStack(make, H, models=models).double()
    models = doubles(models)
    x = batches(1)[0][0]
    out = stack(x)  # (S, B, 1)
    for s, m in enumerate(models):
        assert (out[s] - m(x)).abs().max() < 1e-12
        assert torch.equal(stack.unstack(s).rnn.bias_ih_l0, m.rnn.bias_ih_l0)
    assert not torch.equal(models[0].rnn.bias_ih_l0, models[2].rnn.bias_ih_l0)


def test_clip_per_block_equals_clip_grad_norm_of_each_model():
    models = narrow_models()
    stack = SeedStack(make, H, models=models).double()
    models = doubles(models)
    x, y = batches(1)[0]
    sum(F.mse_loss(o, y) for o in stack(x)).backward()
    norms = stack.clip_grad_norm_(0.5)
    for s, m in enumerate(models):
        F.mse_loss(m(x), y).backward()
        before = torch.nn.utils.clip_grad_norm_(m.parameters(), 0.5)
        assert before > 1.0  # the clip really acts
        assert abs(norms[s] - before) < 1e-9 * before
        wide = dict(stack.wide.named_parameters())
        for name, p in m.named_parameters():
            got = wide[name].grad[stack.index[name][s]]
            assert (got - p.grad).abs().max() < 1e-12, name


def test_fit_stack_trains_each_block_as_fit_would_alone():
    """Adam steps with per-block clipping = each model alone with clip_grad_norm_; one global
    clip over the stack would give a different result (checked, so the test can fail)."""
    data = batches(5)
    models = doubles(narrow_models())
    stack = SeedStack(make, H, models=narrow_models()).double()
    it = iter(data)

    def step_loss(step):
        x, y = next(it)
        return ((stack(x) - y) ** 2).mean(dim=(1, 2))  # (S,)

    hist = fit_stack(stack, step_loss, steps=5, lr=0.01, clip_norm=1.0)
    assert np.array(hist.losses).shape == (5, 3) and hist.solved_at == [None] * 3
    glob = SeedStack(make, H, models=narrow_models()).double()  # one global clip instead
    opt_g = torch.optim.Adam(glob.parameters(), lr=0.01)
    for x, y in data:
        opt_g.zero_grad()
        ((glob(x) - y) ** 2).mean(dim=(1, 2)).sum().backward()
        torch.nn.utils.clip_grad_norm_(glob.parameters(), 1.0)
        opt_g.step()
    x = data[0][0]
    for s, m in enumerate(models):
        opt = torch.optim.Adam(m.parameters(), lr=0.01)
        for xb, yb in data:
            opt.zero_grad()
            F.mse_loss(m(xb), yb).backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
        with torch.no_grad():
            want = m(x)
            assert (hist.models[s].double()(x) - want).abs().max() < 1e-9
            assert (glob.unstack(s).double()(x) - want).abs().max() > 1e-6


def test_fit_stack_records_when_each_block_is_solved_and_stops():
    stack = SeedStack(make, H, models=narrow_models())
    x, y = adding_problem(8, 5, np.random.default_rng(1))
    snapshots = []

    def step_loss(step):  # block s's loss falls by s + 1 per step, from 10
        snapshots.append([stack.unstack(s) for s in range(3)])  # weights before this step
        mse = ((stack(x) - y) ** 2).mean(dim=(1, 2))
        return mse - mse.detach() + 10 - step * torch.tensor([1.0, 2.0, 3.0])

    hist = fit_stack(stack, step_loss, steps=50, lr=0.01,
                     solved=lambda losses: losses[-1] < 5)
    assert hist.solved_at == [7, 4, 3] and len(hist.losses) == 7
    for s, n in enumerate(hist.solved_at):  # copied out when solved, after n steps
        want = snapshots[n][s] if n < 7 else stack.unstack(s)
        assert torch.equal(hist.models[s].rnn.weight_hh_l0, want.rnn.weight_hh_l0)
    assert not torch.equal(hist.models[2].rnn.weight_hh_l0, stack.unstack(2).rnn.weight_hh_l0)
    hist = fit_stack(stack, step_loss, steps=4, lr=0.01, solved=lambda losses: False)
    assert hist.solved_at == [None] * 3 and len(hist.losses) == 4 and len(hist.models) == 3


def _stack():
    return SeedStack(make, H, models=narrow_models())


@pytest.mark.parametrize("call,error,words", [
    (lambda: SeedStack(make, H), ValueError, "either seeds"),
    (lambda: SeedStack(make, H, [0, 1], models=narrow_models()), ValueError, "either seeds"),
    (lambda: SeedStack(make, H, models=[]), TypeError, "non-empty list"),
    (lambda: SeedStack(make, H, models=[torch.zeros(3)]), TypeError, "torch.nn.Module"),
    (lambda: SeedStack(make, H, models=[make(H + 1)]), ValueError, "make\\(6\\)"),
    (lambda: _stack().clip_grad_norm_(0.0), ValueError, "max_norm"),
    (lambda: _stack().clip_grad_norm_(float("nan")), ValueError, "max_norm"),
    (lambda: fit_stack(make(H), lambda s: torch.zeros(3), steps=1), TypeError, "SeedStack"),
    (lambda: fit_stack(_stack(), lambda s: torch.zeros(3), steps=0), ValueError, "steps"),
    (lambda: fit_stack(_stack(), lambda s: torch.zeros(3), steps=1, lr=-1), ValueError, "lr"),
    (lambda: fit_stack(_stack(), lambda s: torch.zeros(3), steps=1, clip_norm=0),
     ValueError, "clip_norm"),
    (lambda: fit_stack(_stack(), 3, steps=1), TypeError, "step_loss"),
    (lambda: fit_stack(_stack(), lambda s: torch.zeros(3), steps=1, solved=2), TypeError,
     "solved"),
    (lambda: fit_stack(_stack(), lambda s: torch.zeros(()), steps=1), ValueError, r"\(3,\)"),
    (lambda: fit_stack(_stack(), lambda s: torch.full((3,), float("nan"), requires_grad=True),
                       steps=1), ValueError, "not finite"),
])
def test_bad_input_is_explained(call, error, words):
    with pytest.raises(error, match=words):
        call()
