"""Tests of seqbook.tcn: the NumPy causal convolution, the TCN, receptive fields, no leaks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqbook.tcn import (
    TCN,
    CausalConv1d,
    TCNBlock,
    causal_conv1d_numpy,
    input_gradient,
    receptive_field,
)


@pytest.mark.parametrize("k,d", [(1, 1), (2, 1), (3, 2), (4, 8), (3, 50)])
def test_numpy_conv_matches_torch(k, d):
    rng = np.random.default_rng(k * 10 + d)
    x, w, b = rng.normal(size=(30, 3)), rng.normal(size=(4, 3, k)), rng.normal(size=4)
    ours = causal_conv1d_numpy(x, w, b, d)
    xt = F.pad(torch.tensor(x.T)[None], ((k - 1) * d, 0))
    theirs = F.conv1d(xt, torch.tensor(w), torch.tensor(b), dilation=d)[0].numpy().T
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_causal_conv_module_matches_numpy():
    torch.manual_seed(0)
    conv = CausalConv1d(3, 5, 3, dilation=4).double()
    x = torch.randn(1, 3, 25, dtype=torch.float64)
    ours = causal_conv1d_numpy(x[0].T.numpy(), conv.conv.weight.detach().numpy(),
                               conv.conv.bias.detach().numpy(), 4)
    np.testing.assert_allclose(conv(x)[0].detach().numpy().T, ours, atol=1e-12)


@pytest.mark.parametrize("k,levels", [(2, 1), (2, 4), (3, 3), (4, 2)])
def test_receptive_field_by_gradients(k, levels):
    torch.manual_seed(levels)
    tcn = TCN(2, 4, levels, 1, kernel_size=k, head="all").double()
    T = tcn.receptive_field + 20
    x = torch.randn(16, T, 2, dtype=torch.float64)
    g = input_gradient(tcn, x, T - 1)
    assert list(np.flatnonzero(g)) == list(range(T - tcn.receptive_field, T))
    assert tcn.receptive_field == 1 + 2 * (k - 1) * (2**levels - 1)


def test_no_future_leak():
    torch.manual_seed(0)
    tcn = TCN(3, 6, 3, 2, head="all").double()
    g = input_gradient(tcn, torch.randn(4, 40, 3, dtype=torch.float64), 10)
    assert np.count_nonzero(g[11:]) == 0 and np.count_nonzero(g[:11]) > 0


def test_tcn_shapes_heads_and_tokens():
    assert TCN(2, 8, 3, 5)(torch.randn(4, 20, 2)).shape == (4, 5)
    assert TCN(2, 8, 3, 5, head="all")(torch.randn(4, 20, 2)).shape == (4, 20, 5)
    tok = TCN(6, 8, 2, 10, head="all", vocab_size=10)
    assert tok(torch.randint(0, 10, (3, 12))).shape == (3, 12, 10)
    block = TCNBlock(3, 8, 3, 2)
    assert block(torch.randn(2, 3, 15)).shape == (2, 8, 15)


def test_receptive_field_formula():
    assert receptive_field(3, [1, 2, 4]) == 15
    assert receptive_field(2, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) == 1024
    assert receptive_field(5, []) == 1


@pytest.mark.parametrize("call,words", [
    (lambda: receptive_field(0, [1]), "kernel_size"),
    (lambda: receptive_field(3, [1, 0]), "dilations"),
    (lambda: causal_conv1d_numpy(np.zeros(5), np.zeros((1, 1, 2)), np.zeros(1)), "x must be"),
    (lambda: causal_conv1d_numpy(np.zeros((5, 2)), np.zeros((1, 3, 2)), np.zeros(1)),
     "w must be"),
    (lambda: causal_conv1d_numpy(np.zeros((5, 1)), np.zeros((2, 1, 2)), np.zeros(1)),
     "b must be"),
    (lambda: causal_conv1d_numpy(np.zeros((5, 1)), np.zeros((1, 1, 2)), np.zeros(1), 0),
     "dilation"),
    (lambda: CausalConv1d(0, 2, 3), "positive"),
    (lambda: TCN(2, 4, 2, 1, head="middle"), "head"),
    (lambda: TCN(2, 0, 2, 1), "positive"),
    (lambda: TCN(2, 4, 2, 1)(torch.randn(3, 4)), "batch, time, features"),
    (lambda: TCN(2, 4, 2, 1, vocab_size=5)(torch.randn(3, 4)), "token ids"),
    (lambda: input_gradient(TCN(2, 4, 2, 1, head="all"), torch.randn(2, 5), 1), "x must be"),
    (lambda: input_gradient(TCN(2, 4, 2, 1, head="all"), torch.randn(2, 5, 2), 5), "t must"),
    (lambda: input_gradient(TCN(2, 4, 2, 1), torch.randn(2, 5, 2), 1), "head='all'"),
])
def test_bad_input_is_explained(call, words):
    with pytest.raises(ValueError, match=words):
        call()
