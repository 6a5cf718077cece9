"""Tiny torch models for the connection types that need more than one recurrent layer call.

One-to-one is a plain feedforward network, and many-to-one and many-to-many (aligned) are
`seqbook.models.SequenceModel` with head "last" or "all". The two models here generate a
sequence: `OneToMany` starts a decoder from a state computed from one input, `EncoderDecoder`
starts it from the final state of an encoder that read the whole input sequence. Both share
`unroll_decoder`, which feeds each output vector back in as the next input: right for a
continuous output such as a forecast value. A decoder of tokens (words, characters) is fed
the *embedding of the previous token* instead: the true one in training (teacher forcing), its
own choice at inference; `unroll_token_decoder` does that.
Taught in chapters/01_sequential_problems.ipynb.
"""

from __future__ import annotations

import torch
from torch import nn

from seqbook import checks as _checks


def unroll_decoder(cell: nn.RNNCell, head: nn.Linear, h: torch.Tensor,
                   steps: int) -> torch.Tensor:
    """Run `cell` for `steps` steps from state h (B, H), feeding each output
    back in as the next input; returns the outputs (B, steps, O).

    For continuous outputs (a forecast fed back); a decoder of tokens uses
    `unroll_token_decoder`."""
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


def _check_token_decoder(embed: nn.Embedding, cell: nn.RNNCell, head: nn.Linear,
                         h: torch.Tensor, steps: int, start_id: int,
                         targets: torch.Tensor | None) -> None:
    V = embed.num_embeddings
    if steps < 1:
        raise ValueError(f"steps must be a positive number; got {steps}")
    if embed.embedding_dim != cell.input_size or head.out_features != V:
        raise ValueError(f"embed must give the cell's input size ({cell.input_size}) and head "
                         f"must score all {V} tokens; got embedding_dim "
                         f"{embed.embedding_dim}, head.out_features {head.out_features}")
    if h.ndim != 2 or h.shape[1] != cell.hidden_size:
        raise ValueError(f"h must be (batch, {cell.hidden_size}); got {tuple(h.shape)}")
    if not 0 <= start_id < V:
        raise ValueError(f"start_id must be a token id in 0..{V - 1}; got {start_id}")
    if targets is not None and (targets.shape != (h.shape[0], steps) or targets.dtype
                                != torch.int64 or targets.min() < 0 or targets.max() >= V):
        raise ValueError(f"targets must be int64 ids in 0..{V - 1} of shape "
                         f"({h.shape[0]}, {steps}); got {targets.dtype} {tuple(targets.shape)}")


def unroll_token_decoder(
    embed: nn.Embedding, cell: nn.RNNCell, head: nn.Linear, h: torch.Tensor,
    steps: int, start_id: int, targets: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode `steps` tokens from h (B, H), fed the previous token's embedding.

    Training: pass the true tokens `targets` (B, steps); step t is fed
    targets[:, t-1] (teacher forcing). Inference: no targets; step t is fed the
    decoder's own greedy choice, the argmax of step t-1's scores. Step 0 is fed
    `start_id`. Returns the scores (B, steps, V) and the tokens fed (B, steps).
    Taught in chapters/01_sequential_problems.ipynb.
    """
    _check_token_decoder(embed, cell, head, h, steps, start_id, targets)
    prev = torch.full((h.shape[0],), start_id)  # (B,) the <start> id, int64
    logits, fed = [], []
    for t in range(steps):
        fed.append(prev)
        h = cell(embed(prev), h)  # embed: (B,) -> (B, E); cell: -> (B, H)
        logits.append(head(h))  # (B, V) a score for every token
        if targets is not None:
            prev = targets[:, t]  # teacher forcing: the true token
        else:
            prev = logits[-1].argmax(dim=1)  # greedy: the decoder's own choice
    # scores (B, steps, V) and the tokens fed in (B, steps)
    return torch.stack(logits, dim=1), torch.stack(fed, dim=1)


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
