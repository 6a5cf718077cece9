"""A `SeedStack` of `SequenceModel`s in which every seed reads its own batch.

`seqbook.stack.SeedStack` trains S seeds as one wide model that sees ONE batch. To keep the
seeds as independent as separate runs, each with its own stream of training data, the wide
model is built with its inputs scaled by S as well (`make(width)` gives the narrow model
`input_size`, and `make(S * width)` gives `S * input_size`; likewise `vocab_size`), so that
block s of every input weight reads only seed s's inputs. `forward_per_seed` then lays the S
batches side by side: float features (S, B, T, D) become (B, T, S D); token ids (S, B, T) are
looked up in the wide embedding with seed s's ids offset by s V, and the S lookups summed (the
blocks share no row or column, so the sum is the S embeddings side by side).
Used in chapters/05_lstm_gru.ipynb (the long-range benchmark, three seeds per cell).
"""

from __future__ import annotations

import torch

from seqbook import checks as _checks
from seqbook.models import SequenceModel
from seqbook.stack import SeedStack, stack_inputs

__all__ = ["forward_per_seed"]


def _check_stack(stack: object) -> SequenceModel:
    if not isinstance(stack, SeedStack):
        raise TypeError(f"stack must be a seqbook.stack.SeedStack; got {type(stack).__name__}")
    wide = stack.wide
    if not isinstance(wide, SequenceModel) or wide.rnn.bidirectional or wide.rnn.num_layers != 1:
        raise TypeError("stack must hold one-layer, one-directional SequenceModels (make(width) "
                        "must build a SequenceModel)")
    return wide


def forward_per_seed(stack: SeedStack, xs: torch.Tensor) -> torch.Tensor:
    """Outputs (S, B, ...) of the S blocks, block s on its own batch xs[s].

    xs is (S, B, T, D) float features or (S, B, T) token ids, one batch per seed. The wide
    model must read S times the narrow model's inputs: make(width) builds
    SequenceModel(cell, D * n, width, O * n, vocab_size=V * n) with n = width // H, say.
    Block s's output equals stack.unstack(s)(xs[s]) (to rounding).
    """
    wide = _check_stack(stack)
    S = stack.S
    if not isinstance(xs, torch.Tensor):
        raise TypeError(f"xs must be a torch tensor, (S, B, T, D) floats or (S, B, T) ids; got "
                        f"{type(xs).__name__}")
    if xs.ndim < 1 or len(xs) != S:
        raise ValueError(f"xs must hold one batch per seed along axis 0 ({S}); got shape "
                         f"{tuple(xs.shape)}")
    if wide.embed is not None:
        if xs.ndim != 3 or xs.is_floating_point() or xs.dtype == torch.bool:
            raise ValueError(f"this stack embeds token ids: xs must be (S, B, T) = ({S}, ...) "
                             f"integers; got {xs.dtype} {tuple(xs.shape)}")
        V = wide.embed.num_embeddings // S  # the narrow vocabulary
        _checks.ids("xs", xs, V)
        offsets = torch.arange(S)[:, None, None] * V  # seed s's ids -> rows of block s
        x = wide.embed(xs + offsets).sum(dim=0)  # (B, T, S E): the S embeddings side by side
    else:
        _checks.tensor("xs", xs, 4, "(S, batch, time, features) floats", kind="float")
        x = stack_inputs(list(xs))  # (B, T, S D): seed s's features in block s
    if x.shape[-1] != wide.rnn.input_size:
        raise ValueError(f"the wide model reads {wide.rnn.input_size} input features, but the "
                         f"{S} batches give {x.shape[-1]}: build it with input_size (and "
                         f"vocab_size) scaled by S, as forward_per_seed's docstring says")
    out, _ = wide.rnn(x)  # (B, T, S H)
    y = wide.head(out if wide.head_kind == "all" else out[:, -1])  # (B, [T,] S O)
    return y.unflatten(-1, (S, -1)).movedim(-2, 0)  # (S, B, [T,] O)
