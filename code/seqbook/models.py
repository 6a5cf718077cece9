"""Small torch sequence models built from PyTorch's own layers, shared by several chapters.

`SequenceModel` wraps `nn.RNN`, `nn.LSTM` or `nn.GRU` with an optional embedding and a linear
head that reads either the last state (many-to-one) or every state (many-to-many aligned).
Taught in chapters/02_rnn.ipynb; used in chapters 4-6.
"""

from __future__ import annotations

import torch
from torch import nn

from seqbook import checks as _checks

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class SequenceModel(nn.Module):
    """Embedding (optional) -> recurrent layer(s) -> linear head over the last or every state."""

    def __init__(self, cell: str, input_size: int, hidden_size: int, output_size: int, *,
                 head: str = "last", vocab_size: int | None = None, num_layers: int = 1,
                 nonlinearity: str = "tanh", bidirectional: bool = False) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}; got {cell!r}")
        if head not in ("last", "all"):
            raise ValueError(f"head must be 'last' (many-to-one) or 'all' (many-to-many); "
                             f"got {head!r}")
        for name, n in (("input_size", input_size), ("hidden_size", hidden_size),
                        ("output_size", output_size), ("num_layers", num_layers)):
            _checks.integer(name, n, minimum=1)
        if vocab_size is not None:
            _checks.integer("vocab_size", vocab_size, minimum=1,
                            hint=" (or None for float features)")
        if cell == "rnn":
            _checks.choice("nonlinearity", nonlinearity, ("tanh", "relu"))
        if min(input_size, hidden_size, output_size) < 1:
            raise ValueError("input_size, hidden_size and output_size must all be positive")
        self.cell, self.head_kind = cell, head
        self.embed = nn.Embedding(vocab_size, input_size) if vocab_size else None
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = CELLS[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True,
                               bidirectional=bidirectional, **kwargs)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), output_size)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """x: (B, T, input_size) floats, or (B, T) token ids when built with vocab_size.

        `lengths` (B,) marks the true length of each padded sequence; the 'last' head then
        reads the state at each sequence's own last step. A bidirectional layer is then run
        on a packed batch, so that its backward direction starts at each sequence's own end
        instead of reading the padding; its 'last' state joins the forward direction's state
        at the last step with the backward direction's state at step 1 (both have read the
        whole sequence).
        """
        x = embed_inputs(self.embed, x)  # (B, T, E)
        if x.shape[2] != self.rnn.input_size:
            raise ValueError(f"x must be (batch, time, {self.rnn.input_size}) features; got "
                             f"shape {tuple(x.shape)}")
        B, T = x.shape[:2]
        if lengths is not None:
            lengths = torch.as_tensor(lengths)
            if (lengths.shape != (B,) or lengths.is_floating_point() or lengths.min() < 1
                    or lengths.max() > T):
                raise ValueError(f"lengths must be (batch,) = ({B},) integers in 1..{T} (the "
                                 f"padded length); got {lengths.tolist()}")
        if lengths is not None and self.rnn.bidirectional:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True,
                                                       enforce_sorted=False)
            out, _ = nn.utils.rnn.pad_packed_sequence(self.rnn(packed)[0], batch_first=True,
                                                      total_length=T)  # zeros at padding
        else:
            out, _ = self.rnn(x)  # (B, T, H) or (B, T, 2H)
        if self.head_kind == "all":
            return self.head(out)  # (B, T, O)
        last = (torch.full((B,), T) if lengths is None else lengths.long()) - 1
        h = out[torch.arange(B), last]  # (B, H) or (B, 2H)
        if self.rnn.bidirectional:  # the backward direction ends at step 1
            H = self.rnn.hidden_size
            h = torch.cat([h[:, :H], out[:, 0, H:]], dim=-1)  # (B, 2H)
        return self.head(h)  # (B, O)


def embed_inputs(embed: nn.Embedding | None, x: torch.Tensor) -> torch.Tensor:
    """Token ids (B, T) through `embed`, or features (B, T, D) as they are; checks the shape.

    Shared by the models that take either kind of input (`SequenceModel`, `tcn.TCN`).
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch tensor ((batch, time) ids or (batch, time, "
                        f"features) floats); got {type(x).__name__}: use torch.as_tensor(x)")
    if embed is not None:
        if x.ndim != 2:
            raise ValueError(f"this model embeds token ids: x must be (batch, time) integers; "
                             f"got shape {tuple(x.shape)}")
        if x.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"this model embeds token ids: x must be (batch, time) integers; "
                             f"got dtype {x.dtype}")
        _checks.ids("x", x, embed.num_embeddings)
        x = embed(x)  # (B, T, E)
    elif not x.is_floating_point():
        raise TypeError(f"x must hold float features (batch, time, features); got dtype "
                        f"{x.dtype} (build the model with vocab_size=V to feed token ids)")
    if x.ndim != 3:
        raise ValueError(f"x must be (batch, time, features); got shape {tuple(x.shape)}")
    return x


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in `model`."""
    _checks.module("model", model)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
