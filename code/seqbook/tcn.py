"""Temporal convolutional networks (TCN): causal dilated 1-D convolutions with residual blocks.

A causal convolution pads only on the left, so output t reads inputs t, t - d, ..., t - (k-1)d
and never the future; stacking blocks with dilations 1, 2, 4, ... grows the receptive field
exponentially with depth (Bai, Kolter & Koltun 2018; van den Oord et al. 2016).
`causal_conv1d_numpy` is the one-layer reference; `CausalConv1d`, `TCNBlock` and `TCN` are the
torch versions. Taught in chapters/09_beyond_recurrence.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqbook import checks as _checks
from seqbook.models import embed_inputs


def receptive_field(kernel_size: int, dilations: Sequence[int]) -> int:
    """How many inputs one output sees: 1 + (k - 1) * sum of the dilations of every conv layer."""
    _checks.integer("kernel_size", kernel_size, minimum=1)
    if isinstance(dilations, (str, bytes)) or not hasattr(dilations, "__iter__"):
        raise TypeError(f"dilations must be a list of positive integers such as [1, 2, 4]; "
                        f"got {type(dilations).__name__}")
    dilations = list(dilations)
    for d in dilations:
        _checks.integer("dilations", d, minimum=1, hint=" (each dilation)")
    return 1 + (kernel_size - 1) * sum(int(d) for d in dilations)


def causal_conv1d_numpy(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                        dilation: int = 1) -> np.ndarray:
    """One causal dilated convolution:
    y[t] = b + sum_j w[:, :, j] @ x[t - (k - 1 - j) d].

    x (T, C_in), w (C_out, C_in, k) in torch's layout, b (C_out,);
    inputs before t = 0 count as 0.
    """
    for name, a, layout in (("x", x, "(time, channels)"), ("w", w, "(C_out, C_in, k)"),
                            ("b", b, "(C_out,)")):
        _checks.instance(name, a, np.ndarray, f"a numpy array {layout}")
        _checks.array(name, a, None, layout, kind="number", finite=True)
    if x.ndim != 2:
        raise ValueError(f"x must be (time, channels); got shape {x.shape}")
    if w.ndim != 3 or w.shape[1] != x.shape[1]:
        raise ValueError(f"w must be (C_out, C_in={x.shape[1]}, k); got shape {w.shape}")
    if b.shape != (w.shape[0],):
        raise ValueError(f"b must be (C_out,) = ({w.shape[0]},); got shape {b.shape}")
    if not isinstance(dilation, (int, np.integer)) or dilation < 1:
        raise ValueError(f"dilation must be a positive integer; got {dilation!r}")
    T, k = x.shape[0], w.shape[2]
    y = np.tile(b, (T, 1)).astype(np.result_type(x, w))  # (T, C_out)
    for j in range(k):
        shift = (k - 1 - j) * dilation  # tap j looks this many steps back
        if shift >= T:
            continue
        y[shift:] += x[: T - shift] @ w[:, :, j].T  # (T - shift, C_out)
    return y


class CausalConv1d(nn.Module):
    """Conv1d on (B, C, T) with (k - 1) * dilation zeros on the left only: no future leak."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 dilation: int = 1) -> None:
        super().__init__()
        for name, n in (("in_channels", in_channels), ("out_channels", out_channels),
                        ("kernel_size", kernel_size), ("dilation", dilation)):
            _checks.integer(name, n, minimum=None)
        if min(in_channels, out_channels, kernel_size, dilation) < 1:
            raise ValueError("in_channels, out_channels, kernel_size and dilation must all be "
                             f"positive; got {in_channels}, {out_channels}, {kernel_size}, "
                             f"{dilation}")
        self.pad = (kernel_size - 1) * dilation
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _checks.tensor("x", x, 3, "(batch, channels, time)", kind="float")
        if x.shape[1] != self.conv.in_channels:
            raise ValueError(f"x has {x.shape[1]} channels; this convolution expects "
                             f"{self.conv.in_channels} (x is (batch, channels, time))")
        return self.conv(F.pad(x, (self.pad, 0)))  # (B, C_out, T)


class TCNBlock(nn.Module):
    """Two causal convolutions with ReLU and a residual connection.

    As in Bai et al. 2018 without weight normalisation and dropout:
    out = relu(skip(x) + F(x)), skip a 1x1 convolution if the widths differ.
    """

    def __init__(self, in_channels: int, channels: int, kernel_size: int,
                 dilation: int) -> None:
        super().__init__()
        self.conv1 = CausalConv1d(in_channels, channels, kernel_size, dilation)
        self.conv2 = CausalConv1d(channels, channels, kernel_size, dilation)
        self.skip = (nn.Conv1d(in_channels, channels, 1)
                     if in_channels != channels else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x (B, C_in, T)
        h = torch.relu(self.conv1(x))  # (B, C, T)
        h = torch.relu(self.conv2(h))
        return torch.relu(self.skip(x) + h)  # (B, C, T)


class TCN(nn.Module):
    """Embedding (optional) -> `levels` TCN blocks with dilations 1, 2, 4, ... -> linear head.

    Takes (B, T, input_size) floats, or (B, T) token ids when built with vocab_size, like
    `seqbook.models.SequenceModel`; `head` 'last' reads the last step, 'all' every step.
    """

    def __init__(self, input_size: int, channels: int, levels: int, output_size: int, *,
                 kernel_size: int = 3, head: str = "last", vocab_size: int | None = None
                 ) -> None:
        super().__init__()
        if head not in ("last", "all"):
            raise ValueError(f"head must be 'last' or 'all'; got {head!r}")
        for name, n in (("input_size", input_size), ("channels", channels), ("levels", levels),
                        ("output_size", output_size), ("kernel_size", kernel_size)):
            _checks.integer(name, n, minimum=None)
        if vocab_size is not None:
            _checks.integer("vocab_size", vocab_size, minimum=1, hint=" (or None for floats)")
        if min(input_size, channels, levels, output_size, kernel_size) < 1:
            raise ValueError("input_size, channels, levels, output_size and kernel_size must all "
                             "be positive")
        self.head_kind = head
        self.embed = nn.Embedding(vocab_size, input_size) if vocab_size else None
        self.dilations = [2**i for i in range(levels)]
        self.blocks = nn.ModuleList(
            TCNBlock(input_size if i == 0 else channels, channels, kernel_size, d)
            for i, d in enumerate(self.dilations))
        self.head = nn.Linear(channels, output_size)
        self.kernel_size = kernel_size

    @property
    def receptive_field(self) -> int:
        """Inputs seen by one output: two convolutions per block, so each dilation twice."""
        return receptive_field(self.kernel_size, [d for d in self.dilations for _ in (0, 1)])

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last block's output, (B, T, channels)."""
        x = embed_inputs(self.embed, x)  # (B, T, E)
        if x.shape[2] != self.blocks[0].conv1.conv.in_channels:
            raise ValueError(f"x has {x.shape[2]} features per step; this TCN expects "
                             f"{self.blocks[0].conv1.conv.in_channels} (input_size)")
        h = x.transpose(1, 2)  # (B, C, T): convolutions run over the last axis
        for block in self.blocks:
            h = block(h)
        return h.transpose(1, 2)  # (B, T, C)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x)  # (B, T, C)
        return self.head(h if self.head_kind == "all" else h[:, -1])  # (B, T, O) or (B, O)


def input_gradient(model: nn.Module, x: torch.Tensor, t: int) -> np.ndarray:
    """|d out_t / d x_s| summed over batch, features and outputs, for every s: shape (T,).

    `model` maps (B, T, D) to (B, T, O) (a TCN or Transformer with head 'all'). An entry is
    exactly 0 when output t cannot see input s.
    """
    _checks.module("model", model)
    _checks.tensor("x", x, None, "(batch, time, features)")
    if x.ndim != 3 or not x.dtype.is_floating_point:
        raise ValueError(f"x must be (batch, time, features) floats; got {tuple(x.shape)}, "
                         f"{x.dtype}")
    _checks.integer("t", t, minimum=None, hint=" (a time index)")
    if not 0 <= t < x.shape[1]:
        raise ValueError(f"t must be a time index in 0..{x.shape[1] - 1}; got {t}")
    x = x.detach().clone().requires_grad_(True)
    out = model(x)
    if out.ndim != 3:
        raise ValueError("model must return one output per step, (B, T, O): build it with "
                         "head='all'")
    out[:, t].sum().backward()
    return x.grad.abs().sum(dim=(0, 2)).numpy()  # (T,)
