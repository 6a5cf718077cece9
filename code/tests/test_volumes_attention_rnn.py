"""Tests of seqbook.volumes (synthetic scan volumes) and of AttentionRNN / AttentionPool heads,
which chapter 7 trains as one SeedStack."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqbook.cnn_rnn import AttentionPool, AttentionRNN
from seqbook.stack import SeedStack
from seqbook.volumes import lesion_volumes


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of ones in a 1D 0/1 array."""
    out, start = [], None
    for z, v in enumerate(list(mask) + [0]):
        if v and start is None:
            start = z
        if not v and start is not None:
            out.append((start, z - start))
            start = None
    return out


def test_lesion_volumes_shapes_labels_and_layout():
    v = lesion_volumes(200, np.random.default_rng(0), slices=16, size=16, max_artefacts=3)
    assert v.volumes.shape == (200, 16, 16, 16) and v.volumes.dtype == np.float32
    assert 0 <= v.volumes.min() and v.volumes.max() <= 1
    assert 0.35 < v.has_lesion.mean() < 0.65
    for lesion, artefact in zip(v.lesion, v.artefact, strict=True):
        r = runs(lesion)
        assert len(r) <= 1 and all(length in (3, 5, 7) for _, length in r)  # one contiguous lesion
        assert artefact.sum() <= 3 and not (lesion & artefact).any()
        near = np.convolve(lesion + artefact, np.ones(3), "same")  # artefacts stand alone
        assert (near[artefact == 1] == 1).all()


def test_lesion_and_artefact_slices_look_alike_and_stand_out():
    v = lesion_volumes(300, np.random.default_rng(1), noise=0.0)
    peak = v.volumes.max(axis=(2, 3))  # (N, D) brightest pixel per slice
    plain = peak[(v.lesion == 0) & (v.artefact == 0)]
    assert plain.max() < 0.4 < peak[v.lesion == 1].min()
    assert abs(np.median(peak[v.lesion == 1]) - np.median(peak[v.artefact == 1])) < 0.05


def test_lesion_volumes_is_deterministic_given_the_rng():
    a = lesion_volumes(5, np.random.default_rng(3))
    b = lesion_volumes(5, np.random.default_rng(3))
    np.testing.assert_array_equal(a.volumes, b.volumes)


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0}, "n must be a positive"),
    ({"n": 2.5}, "n must be a positive"),
    ({"slices": 8}, "slices must be"),
    ({"size": 6}, "size must be"),
    ({"max_artefacts": -1}, "max_artefacts"),
    ({"noise": -0.1}, "noise must be"),
    ({"brightness": 0}, "brightness"),
])
def test_lesion_volumes_rejects_bad_arguments(kwargs, match):
    args = {"n": 4} | kwargs
    with pytest.raises(ValueError, match=match):
        lesion_volumes(args.pop("n"), np.random.default_rng(0), **args)
    with pytest.raises(ValueError, match="numpy Generator"):
        lesion_volumes(4, 0)


def test_attention_rnn_shapes_weights_and_gradient_reaches_early_steps():
    torch.manual_seed(0)
    model = AttentionRNN("rnn", 5, 8, 3)
    x = torch.randn(4, 30, 5, requires_grad=True)
    assert model(x).shape == (4, 3)
    alpha = model.attention(x)
    assert alpha.shape == (4, 30)
    torch.testing.assert_close(alpha.sum(1), torch.ones(4))
    F.cross_entropy(model(x), torch.tensor([0, 1, 2, 0])).backward()
    assert x.grad[:, 0].norm() > 0  # the first step gets a gradient
    with pytest.raises(ValueError, match="batch, time, features"):
        model(torch.randn(30, 5))


def test_attention_pool_heads_pool_each_slice_separately():
    torch.manual_seed(0)
    pool = AttentionPool(6, attn=4, heads=2)
    h = torch.randn(3, 7, 6)
    c, alpha = pool(h)
    assert c.shape == (3, 6) and alpha.shape == (3, 2, 7)
    want = torch.cat([(alpha[:, k, :, None] * h[..., 3 * k:3 * k + 3]).sum(1)
                      for k in range(2)], -1)
    torch.testing.assert_close(c, want)
    with pytest.raises(ValueError, match="divisor"):
        AttentionPool(6, heads=4)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_attention_rnn_in_a_seed_stack_matches_separate_models(cell):
    def make(width: int) -> AttentionRNN:
        return AttentionRNN(cell, 5, width, 2 * (width // 8), heads=width // 8)
    stack = SeedStack(make, 8, [0, 1, 2])
    x = torch.randn(4, 9, 5)
    out = stack(x)  # (3, 4, 2)
    for s in range(3):
        torch.manual_seed(s)
        narrow = make(8)  # seed s's model, built alone
        torch.testing.assert_close(out[s], narrow(x), atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(stack.unstack(s).attention(x), narrow.attention(x),
                                   atol=1e-5, rtol=1e-5)
