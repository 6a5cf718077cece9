"""Tests of seqbook.torch_rnn: TorchRNN, run_packed, last_states."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from seqbook.numpy_rnn import PARAM_NAMES, init_params, rnn_forward
from seqbook.torch_rnn import TorchRNN, last_states, run_packed

B, T, D, H, O = 3, 6, 4, 5, 2  # noqa: E741 (O = output size, as in W_hy (O, H))


def torch_pair(act: str = "tanh", seed: int = 0) -> tuple[nn.RNN, nn.Linear]:
    torch.manual_seed(seed)
    rnn = nn.RNN(D, H, nonlinearity=act, batch_first=True, dtype=torch.float64)
    return rnn, nn.Linear(H, O, dtype=torch.float64)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_equals_numpy_forward_with_and_without_h0(act: str) -> None:
    rng = np.random.default_rng(0)
    params = init_params(D, H, O, rng, scale=0.8)
    params.b_h[:] = rng.normal(size=H)
    params.b_y[:] = rng.normal(size=O)
    x, h0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H))
    model = TorchRNN.from_numpy(params, nonlinearity=act)
    for start in (None, h0):
        ys_np, hs_np = rnn_forward(params, x, h0=start, activation=act)
        with torch.no_grad():
            ys, hs = model(torch.from_numpy(x), None if start is None else torch.from_numpy(start))
        assert ys.shape == (B, T, O) and hs.shape == (B, T, H)
        assert np.abs(ys.numpy() - ys_np).max() < 1e-12
        assert np.abs(hs.numpy() - hs_np[:, 1:]).max() < 1e-12


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_equals_nn_rnn_outputs_and_gradients(act: str) -> None:
    rnn, lin = torch_pair(act)
    ours = TorchRNN.from_torch(rnn, lin)
    x = torch.randn(B, T, D, dtype=torch.float64)
    ys_ref = lin(rnn(x)[0])
    ys, _ = ours(x)
    assert (ys - ys_ref).abs().max().item() < 1e-12
    (ys_ref**2).sum().backward()
    (ys**2).sum().backward()
    pairs = {"W_xh": rnn.weight_ih_l0, "W_hh": rnn.weight_hh_l0, "b_h": rnn.bias_hh_l0,
             "W_hy": lin.weight, "b_y": lin.bias}
    for name, ref in pairs.items():
        assert (getattr(ours, name).grad - ref.grad).abs().max().item() < 1e-10, name


def test_to_numpy_round_trip_and_default_init() -> None:
    model = TorchRNN(D, H, O)
    assert model.W_xh.dtype == torch.float32
    bound = 1 / np.sqrt(H)
    assert all(getattr(model, n).abs().max().item() <= bound for n in PARAM_NAMES)
    params = model.to_numpy()
    assert params.W_xh.dtype == np.float64 and params.W_hy.shape == (O, H)
    back = TorchRNN.from_numpy(params)
    for n in PARAM_NAMES:
        assert torch.equal(getattr(back, n).float(), getattr(model, n).detach())
    params.W_hh[0, 0] = 99.0  # a copy, not a view
    assert model.W_hh[0, 0].item() != 99.0


def test_bad_input_raises_clear_errors() -> None:
    model = TorchRNN(D, H, O, dtype=torch.float64)
    with pytest.raises(ValueError, match="batch, time, features"):
        model(torch.zeros(B, D, dtype=torch.float64))
    with pytest.raises(ValueError, match="features per step"):
        model(torch.zeros(B, T, D + 1, dtype=torch.float64))
    with pytest.raises(ValueError, match="x.to"):
        model(torch.zeros(B, T, D))
    x = torch.zeros(B, T, D, dtype=torch.float64)
    with pytest.raises(ValueError, match="h0 must be"):
        model(x, torch.zeros(B, H + 1, dtype=torch.float64))
    with pytest.raises(ValueError, match="h0 must be"):
        model(x, np.zeros((B, H)))
    with pytest.raises(ValueError, match="h0.to"):
        model(x, torch.zeros(B, H))
    with pytest.raises(ValueError, match="batch, time, features"):
        model(np.zeros((B, T, D)))
    with pytest.raises(ValueError, match="nonlinearity"):
        TorchRNN(D, H, O, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="positive integers"):
        TorchRNN(D, 0, O)
    with pytest.raises(ValueError, match="RNNParams"):
        TorchRNN.from_numpy({"W_xh": np.zeros((H, D))})
    with pytest.raises(ValueError, match="nn.RNN"):
        TorchRNN.from_torch(nn.GRU(D, H), nn.Linear(H, O))


def padded_batch(lengths=(6, 2, 4)):
    torch.manual_seed(1)
    seqs = [torch.randn(n, D, dtype=torch.float64) for n in lengths]
    x = torch.zeros(len(seqs), max(lengths), D, dtype=torch.float64)
    for b, s in enumerate(seqs):
        x[b, : len(s)] = s
    return seqs, x, torch.tensor(lengths)


@pytest.mark.parametrize("cell", [nn.RNN, nn.GRU, nn.LSTM])
def test_run_packed_equals_each_sequence_alone(cell) -> None:
    rnn = cell(D, H, batch_first=True, dtype=torch.float64)
    seqs, x, lengths = padded_batch()
    with torch.no_grad():
        out, h_last = run_packed(rnn, x, lengths)
        alone = [rnn(s[None])[0][0] for s in seqs]
        naive = rnn(x)[0]
    assert out.shape == (3, 6, H) and h_last.shape == (3, H)
    for b, a in enumerate(alone):
        n = len(a)
        assert (out[b, :n] - a).abs().max().item() < 1e-12
        assert (h_last[b] - a[-1]).abs().max().item() < 1e-12
        assert (out[b, n:] == 0).all()  # padded steps are zero, never computed
    assert (last_states(naive, lengths) - h_last).abs().max().item() < 1e-12
    assert (naive[1, -1] - h_last[1]).abs().max().item() > 1e-6  # reading the padding differs


def test_last_states_picks_each_last_real_step() -> None:
    out = torch.arange(2 * 4 * 1).reshape(2, 4, 1).float()
    assert last_states(out, torch.tensor([4, 2])).flatten().tolist() == [3.0, 5.0]


def test_padding_helpers_reject_bad_lengths() -> None:
    rnn = nn.RNN(D, H, batch_first=True, dtype=torch.float64)
    _, x, lengths = padded_batch()
    with pytest.raises(ValueError, match="1..6"):
        run_packed(rnn, x, torch.tensor([7, 2, 4]))
    with pytest.raises(ValueError, match="1..6"):
        last_states(x, torch.tensor([0, 2, 4]))
    with pytest.raises(ValueError, match=r"lengths must be \(batch,\)"):
        last_states(x, torch.tensor([6, 2]))
    with pytest.raises(ValueError, match="integers"):
        last_states(x, lengths.double())
    with pytest.raises(ValueError, match="batch_first"):
        run_packed(nn.RNN(D, H, dtype=torch.float64), x, lengths)
    with pytest.raises(ValueError, match="batch, time, hidden"):
        last_states(x[0], lengths)


@pytest.mark.parametrize("cell", [nn.RNN, nn.GRU, nn.LSTM])
def test_run_packed_bidirectional_returns_both_directions(cell) -> None:
    """h_last of a bidirectional layer is (B, 2H): the forward state at the last real step
    joined with the backward state at step 1, as each sequence alone gives them."""
    rnn = cell(D, H, batch_first=True, bidirectional=True, dtype=torch.float64)
    seqs, x, lengths = padded_batch()
    with torch.no_grad():
        out, h_last = run_packed(rnn, x, lengths)
        alone = [rnn(s[None])[0][0] for s in seqs]  # (n, 2H) each
    assert out.shape == (3, 6, 2 * H) and h_last.shape == (3, 2 * H)
    for b, a in enumerate(alone):
        want = torch.cat([a[-1, :H], a[0, H:]])
        assert (h_last[b] - want).abs().max().item() < 1e-12
        assert (out[b, : len(a)] - a).abs().max().item() < 1e-12
