"""Tests of the truncated-BPTT helpers of seqbook.charlm, self_scores, and fit's lr_scale."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqbook.charlm import detach_state, self_scores, stream_window, tbptt_loss
from seqbook.models import SequenceModel
from seqbook.train import fit


def tiny(cell: str = "lstm", V: int = 7, seed: int = 0) -> SequenceModel:
    torch.manual_seed(seed)
    return SequenceModel(cell, 4, 8, V, head="all", vocab_size=V)


def test_stream_windows_continue_each_other_and_wrap():
    ids = np.arange(101)
    x0, y0, fresh0 = stream_window(ids, 4, 5, 0)  # streams of 25: 5 windows per pass
    x1, _, fresh1 = stream_window(ids, 4, 5, 1)
    assert fresh0 and not fresh1 and x0.shape == (4, 5)
    assert torch.equal(y0, x0 + 1) and torch.equal(x1[:, 0], x0[:, -1] + 1)
    assert x0[:, 0].tolist() == [0, 25, 50, 75]
    x5, _, fresh5 = stream_window(ids, 4, 5, 5)
    assert fresh5 and torch.equal(x5, x0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_tbptt_carries_the_state_and_cuts_the_gradient(cell):
    V, ids = 7, np.random.default_rng(0).integers(0, 7, 400)
    model = tiny(cell, V)
    loss = tbptt_loss(model, ids, 2, 10)
    first, second = loss(0), loss(1)
    # the second window starts from the state the first ended in: compare with a full run
    x = torch.from_numpy(np.stack([ids[k * 199:k * 199 + 21] for k in range(2)]))
    with torch.no_grad():
        full = torch.nn.functional.cross_entropy(model(x[:, :20])[:, 10:].flatten(0, 1),
                                                 x[:, 11:21].flatten())
    assert abs(second.item() - full.item()) < 1e-5
    second.backward()  # only this window's graph: no error about freed buffers
    first.backward()
    again = loss(19)  # 19 windows per pass: step 19 starts a new pass from zeros
    assert abs(again.item() - first.item()) < 1e-6


def test_detach_state_handles_lstm_and_gru_states():
    h = torch.ones(1, 2, requires_grad=True) * 2
    assert not detach_state(h).requires_grad
    assert all(not s.requires_grad for s in detach_state((h, h)))


def test_self_scores_match_a_direct_computation():
    V, model = 7, tiny()
    ids = np.random.default_rng(1).integers(0, V, 30)
    bits, entropy = self_scores(model, ids, 5)
    with torch.no_grad():
        logp = torch.log_softmax(model(torch.from_numpy(ids)[None, :-1]).double(), -1)[0]
    want = -np.mean([logp[t - 1, ids[t]].item() for t in range(5, 30)]) / np.log(2)
    want_h = -(logp.exp() * logp).sum(-1)[4:].mean().item() / np.log(2)
    assert abs(bits - want) < 1e-9 and abs(entropy - want_h) < 1e-9
    with pytest.raises(ValueError, match="start"):
        self_scores(model, ids, 0)


@pytest.mark.parametrize("call, match", [
    (lambda: stream_window(np.arange(10), 0, 2, 0), "batch"),
    (lambda: stream_window(np.arange(10), 4, 5, 0), "too short"),
    (lambda: stream_window(np.arange(10), 1, 2, -1), "step"),
    (lambda: tbptt_loss(torch.nn.Linear(2, 2), np.arange(10), 1, 2), "SequenceModel"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_fit_lr_scale_sets_the_learning_rate_per_step():
    model = torch.nn.Linear(1, 1)
    before = model.weight.detach().clone()
    fit(model, lambda s: model.weight.sum(), steps=3, lr=0.1, optimizer="sgd",
        quiet=True, lr_scale=lambda step: 0.0)
    assert torch.equal(model.weight.detach(), before)  # scale 0: nothing moves
    fit(model, lambda s: model.weight.sum(), steps=2, lr=0.1, optimizer="sgd",
        quiet=True, lr_scale=lambda step: [1.0, 0.5][step])
    assert abs((before - model.weight.detach()).item() - 0.15) < 1e-6
    with pytest.raises(TypeError, match="lr_scale"):
        fit(model, lambda s: model.weight.sum(), steps=1, lr_scale=0.5)
