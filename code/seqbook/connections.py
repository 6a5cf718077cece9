"""Tiny torch models for the connection types that need more than one recurrent layer call.

One-to-one is a plain feedforward network, and many-to-one and many-to-many (aligned) are
`seqbook.models.SequenceModel` with head "last" or "all". The two models here generate a
sequence: `OneToMany` starts a decoder from a state computed from one input, `EncoderDecoder`
starts it from the final state of an encoder that read the whole input sequence. Both share
`unroll_decoder`, which feeds each output back in as the next input.
Taught in chapters/01_sequential_problems.ipynb.
"""

from __future__ import annotations

import torch
from torch import nn

from seqbook import checks as _checks


def unroll_decoder(cell: nn.RNNCell, head: nn.Linear, h: torch.Tensor,
                   steps: int) -> torch.Tensor:
    """Run `cell` for `steps` steps from state h (B, H), feeding each output
    back in as the next input; returns the outputs (B, steps, O)."""
    if not isinstance(cell, nn.RNNCellBase) or not isinstance(head, nn.Linear):
        raise TypeError(f"cell must be an nn.RNNCell and head an nn.Linear; got "
                        f"{type(cell).__name__}, {type(head).__name__}")
    if not isinstance(h, torch.Tensor) or h.ndim != 2 or h.shape[1] != cell.hidden_size:
        raise ValueError(f"h must be a (batch, {cell.hidden_size}) state tensor; got "
                         f"{tuple(getattr(h, 'shape', ()))}")
    if head.out_features != cell.input_size or head.in_features != cell.hidden_size:
        raise ValueError(f"head must map the cell's {cell.hidden_size} hidden units to its "
                         f"{cell.input_size} inputs (outputs are fed back in); got "
                         f"{head.in_features} -> {head.out_features}")
    _checks.integer("steps", steps, minimum=None, hint=" (a positive number)")
    if steps < 1:
        raise ValueError(f"steps must be a positive number; got {steps}")
    B, O = h.shape[0], head.out_features
    y = torch.zeros(B, O, dtype=h.dtype)  # (B, O) the start input
    outputs = []
    for _ in range(steps):
        h = cell(y, h)  # (B, H)
        y = head(h)  # (B, O)
        outputs.append(y)
    return torch.stack(outputs, dim=1)  # (B, steps, O)


class OneToMany(nn.Module):
    """One input vector (B, D) -> a sequence of outputs (B, steps, O), e.g. captioning."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        super().__init__()
        self.init = nn.Linear(input_size, hidden_size)
        self.cell = nn.RNNCell(output_size, hidden_size)
        self.head = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError(f"x must be a float tensor (batch, features); got {type(x).__name__}")
        if x.ndim != 2:
            raise ValueError(f"x must be one vector per example, (batch, features); got "
                             f"shape {tuple(x.shape)}")
        return unroll_decoder(self.cell, self.head, torch.tanh(self.init(x)), steps)


class EncoderDecoder(nn.Module):
    """A sequence (B, S, D) -> a sequence of another length (B, steps, O), e.g. translation."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        super().__init__()
        self.encoder = nn.RNN(input_size, hidden_size, batch_first=True)
        self.cell = nn.RNNCell(output_size, hidden_size)
        self.head = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise TypeError(f"x must be a float tensor (batch, time, features); got "
                            f"{type(x).__name__}")
        if x.ndim != 3:
            raise ValueError(f"x must be (batch, time, features); got shape {tuple(x.shape)}")
        _, h = self.encoder(x)  # h: (1, B, H), the summary of the whole input
        return unroll_decoder(self.cell, self.head, h[0], steps)
