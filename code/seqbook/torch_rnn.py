"""A vanilla RNN written from scratch in torch, and helpers for padded and packed batches.

`TorchRNN` is the syllabus recurrence as an explicit Python loop over time,

    h_t = act(W_xh x_t + W_hh h_{t-1} + b_h)        y_t = W_hy h_t + b_y,

with parameters named exactly like the equations (and like `seqbook.numpy_rnn.RNNParams`), so
autograd can differentiate it and its weights copy to and from NumPy and `nn.RNN` + `nn.Linear`.
`run_packed` and `last_states` handle variable-length batches (padding + `pack_padded_sequence`).
Taught in chapters/02_rnn.ipynb.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from seqbook import checks as _checks
from seqbook.numpy_rnn import ACTIVATIONS, PARAM_NAMES, RNNParams


class TorchRNN(nn.Module):
    """One-layer Elman RNN with a linear read-out, computed step by step (no cuDNN, no fusion)."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int, *,
                 nonlinearity: str = "tanh", dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        sizes = (input_size, hidden_size, output_size)
        if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes):
            raise ValueError(f"input_size, hidden_size, output_size must be positive integers; "
                             f"got {sizes}")
        if nonlinearity not in ACTIVATIONS:
            raise ValueError(f"nonlinearity must be one of {ACTIVATIONS}; got {nonlinearity!r}")
        _checks.instance("dtype", dtype, torch.dtype, "a torch dtype such as torch.float32")
        if not dtype.is_floating_point:
            raise TypeError(f"dtype must be a floating point dtype such as torch.float32; got "
                            f"{dtype}")
        self.nonlinearity = nonlinearity
        D, H, O = sizes  # noqa: E741
        s = 1.0 / math.sqrt(H)  # torch's default: uniform in [-1/sqrt(H), 1/sqrt(H)]

        def u(*shape: int) -> nn.Parameter:
            return nn.Parameter(torch.empty(*shape, dtype=dtype).uniform_(-s, s))

        self.W_xh = u(H, D)  # (H, D) input -> hidden
        self.W_hh = u(H, H)  # (H, H) hidden -> hidden, the same at every step
        self.b_h = u(H)  # (H,)
        self.W_hy = u(O, H)  # (O, H) hidden -> output
        self.b_y = u(O)  # (O,)

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Read x (B, T, D) step by step; return ys (B, T, O) and hs (B, T, H)."""
        h = self._check_input(x, h0)  # (B, H): h_0, zeros unless h0 is given
        act = torch.tanh if self.nonlinearity == "tanh" else torch.relu
        states = []
        for t in range(x.shape[1]):
            h = act(x[:, t] @ self.W_xh.T + h @ self.W_hh.T + self.b_h)  # (B, H)
            states.append(h)
        hs = torch.stack(states, dim=1)  # (B, T, H)
        ys = hs @ self.W_hy.T + self.b_y  # (B, T, O)
        return ys, hs

    def _check_input(self, x: torch.Tensor, h0: torch.Tensor | None) -> torch.Tensor:
        """Check x (B, T, D) and h0 (B, H) against the weights; return the start state."""
        if not isinstance(x, torch.Tensor) or x.ndim != 3:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a (batch, time, features) torch tensor; got {got}")
        _checks.array("x", x, 3, "(batch, time, features)", min_size=1, finite=True)
        if x.shape[2] != self.W_xh.shape[1]:
            raise ValueError(f"x has {x.shape[2]} features per step; this RNN expects "
                             f"{self.W_xh.shape[1]} (input_size)")
        if x.dtype != self.W_xh.dtype:
            raise ValueError(f"x is {x.dtype} but the weights are {self.W_xh.dtype}; "
                             f"use x.to({self.W_xh.dtype})")
        B, H = x.shape[0], self.W_hh.shape[0]
        if h0 is None:
            return x.new_zeros(B, H)  # (B, H)
        if not isinstance(h0, torch.Tensor) or tuple(h0.shape) != (B, H):
            got = tuple(h0.shape) if isinstance(h0, torch.Tensor) else type(h0).__name__
            raise ValueError(f"h0 must be (batch, hidden) = {(B, H)}; got {got}")
        if h0.dtype != x.dtype:
            raise ValueError(f"h0 is {h0.dtype} but x is {x.dtype}; use h0.to({x.dtype})")
        _checks.array("h0", h0, 2, "(batch, hidden)", finite=True)
        return h0

    @classmethod
    def from_numpy(cls, params: RNNParams, nonlinearity: str = "tanh") -> TorchRNN:
        """Build a float64 TorchRNN holding a copy of the weights of a numpy `RNNParams`."""
        if not isinstance(params, RNNParams):
            raise ValueError(f"params must be a seqbook.numpy_rnn.RNNParams; "
                             f"got {type(params).__name__}")
        (H, D), O = params.W_xh.shape, params.W_hy.shape[0]  # noqa: E741
        model = cls(D, H, O, nonlinearity=nonlinearity, dtype=torch.float64)
        with torch.no_grad():
            for name in PARAM_NAMES:
                value = np.asarray(getattr(params, name), dtype=np.float64)
                target = getattr(model, name)
                if value.shape != target.shape:
                    raise ValueError(f"params.{name} has shape {value.shape}; expected "
                                     f"{tuple(target.shape)} for D={D}, H={H}, O={O}")
                target.copy_(torch.from_numpy(value))
        return model

    @classmethod
    def from_torch(cls, rnn: nn.RNN, linear: nn.Linear) -> TorchRNN:
        """Copy a one-layer `nn.RNN` (batch_first or not) and its `nn.Linear` read-out."""
        params = RNNParams.from_torch(rnn, linear)  # checks the types and sizes
        return cls.from_numpy(params, nonlinearity=rnn.nonlinearity)

    def to_numpy(self) -> RNNParams:
        """A float64 copy of the weights as `RNNParams`, ready for `numpy_rnn.rnn_forward`."""
        return RNNParams(*(getattr(self, n).detach().cpu().numpy().astype(np.float64)
                           for n in PARAM_NAMES))


# ------------------------------------------------------------------ variable-length batches


def _check_lengths(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Check a padded (B, T, ...) batch against its lengths (B,) and return them as int64 (CPU)."""
    if isinstance(lengths, (str, bytes)) or lengths is None:
        raise TypeError(f"lengths must be a (batch,) tensor or list of integer lengths; got "
                        f"{type(lengths).__name__}")
    lengths = torch.as_tensor(lengths)
    if lengths.ndim != 1 or lengths.shape[0] != x.shape[0]:
        raise ValueError(f"lengths must be (batch,) = ({x.shape[0]},); got {tuple(lengths.shape)}")
    if lengths.dtype.is_floating_point or lengths.dtype == torch.bool:
        raise ValueError(f"lengths must be integers, not {lengths.dtype}; use lengths.long()")
    if lengths.min() < 1 or lengths.max() > x.shape[1]:
        raise ValueError(f"every length must lie in 1..{x.shape[1]} (the padded time axis); "
                         f"got {lengths.tolist()}")
    return lengths.long().cpu()


def run_packed(rnn: nn.RNN, x: torch.Tensor, lengths: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Run a batch_first `nn.RNN` on a padded batch so that it never reads the padding.

    Returns (out (B, T, H) with zeros at padded steps, h_last (B, H) = the state at each
    sequence's own last step), via `pack_padded_sequence` / `pad_packed_sequence`. For a
    bidirectional layer both are (.., 2H): h_last joins the forward direction's final state
    (at the last real step) with the backward direction's (at step 1).
    """
    if not (isinstance(rnn, nn.RNNBase) and rnn.batch_first):
        raise ValueError("rnn must be an nn.RNN/LSTM/GRU built with batch_first=True")
    _checks.tensor("x", x, 3, "(a padded batch: batch, time, features)", kind="float")
    if x.shape[2] != rnn.input_size:
        raise ValueError(f"x has {x.shape[2]} features per step; rnn expects "
                         f"{rnn.input_size} (its input_size)")
    lengths = _check_lengths(x, lengths)
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out_packed, h_n = rnn(packed)
    out, _ = nn.utils.rnn.pad_packed_sequence(out_packed, batch_first=True,
                                              total_length=x.shape[1])  # (B, T, H)
    h_n = h_n[0] if isinstance(h_n, tuple) else h_n  # an LSTM returns (h_n, c_n)
    if rnn.bidirectional:  # h_n: (layers * 2, B, H), forward then backward per layer
        return out, torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 2H)
    return out, h_n[-1]  # the last layer's final state, in the original batch order


def last_states(out: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Pick out[b, lengths[b] - 1] from padded outputs (B, T, H): each sequence's last real step."""
    _checks.tensor("out", out, 3, "(batch, time, hidden)")
    lengths = _check_lengths(out, lengths).to(out.device)
    return out[torch.arange(out.shape[0], device=out.device), lengths - 1]  # (B, H)
