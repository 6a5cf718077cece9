"""The seeds of one `seq2seq.Seq2Seq`, trained side by side as one `seqbook.stack.SeedStack`.

Tiny models on a CPU spend their time in per-operation overhead, so S seeds trained one after
the other cost almost S times one. `BlockSeq2Seq` is S encoder-decoders in one: every size is
S times the narrow model's and `SeedStack` keeps every weight block-diagonal by seed. Where a
`Seq2Seq` mixes all of a vector (the encoder's two directions, the attention scores, the
[h_t; c_t] of the read-out, the output layer), it works block by block instead, so block s
computes exactly what seed s's narrow model would; all blocks read the same batch.
`stack_maker` gives the `make(width)` that `SeedStack` needs (a plain `Seq2Seq` at the narrow
width, so `unstack` returns one), and `block_losses` the (S,) masked losses for `fit_stack`.
Used in chapters/10_seq2seq_attention.ipynb (three seeds of each model).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from seqbook import checks as _checks
from seqbook.seq2seq import Seq2Seq, masked_softmax
from seqbook.text import IGNORE

__all__ = ["BlockSeq2Seq", "stack_maker", "block_losses"]


class BlockSeq2Seq(Seq2Seq):
    """`blocks` Seq2Seq models of sizes (embed, hidden) side by side, in one wide model."""

    def __init__(self, src_vocab: int, tgt_vocab: int, *, embed: int, hidden: int,
                 attention: str, blocks: int) -> None:
        _checks.integer("blocks", blocks, minimum=1, hint=" (models side by side)")
        super().__init__(src_vocab, tgt_vocab, embed=embed * blocks, hidden=hidden * blocks,
                         attention=attention)
        self.blocks, self.narrow, self.tgt_vocab = blocks, hidden, tgt_vocab
        self.out = nn.Linear(hidden * blocks, tgt_vocab * blocks)  # one read-out per block
        if self.additive is not None:  # one score per block
            self.additive.v = nn.Linear(hidden * blocks, blocks, bias=False)

    def _fold(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L, S H) -> (B S, L, H): the blocks become batch rows."""
        return x.unflatten(-1, (self.blocks, -1)).movedim(2, 1).flatten(0, 1)

    def _unfold(self, x: torch.Tensor) -> torch.Tensor:
        """(B S, L, H) -> (B, L, S H)."""
        return x.unflatten(0, (-1, self.blocks)).movedim(1, 2).flatten(2)

    def encode(self, src: torch.Tensor, lengths: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """As `Seq2Seq.encode`, with each block's [forward; backward] halves side by side."""
        final, keys, mask = super().encode(src, lengths)

        def by_block(x: torch.Tensor) -> torch.Tensor:  # [fwd_1..fwd_S, bwd_1..bwd_S]
            return x.unflatten(-1, (2, self.blocks, -1)).transpose(-3, -2).flatten(-3)

        return by_block(final), by_block(keys), mask

    def read(self, h: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor, final: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, T, S V) and weights (B, S, T, source) or None, block by block."""
        S = self.blocks
        weights = None
        if self.attention == "none":
            context = final[:, None].expand_as(h)
        else:
            rows = mask.repeat_interleave(S, dim=0)  # (B S, source)
            if self.attention == "dot":
                q, k = self._fold(h), self._fold(keys)  # (B S, T, H), (B S, source, H)
                scores = q @ k.transpose(1, 2) / self.narrow ** 0.5
            else:
                att = self.additive
                e = torch.tanh(att.w_q(h)[:, :, None] + att.w_k(keys)[:, None])  # (B,T,src,SA)
                scores = att.v(e).permute(0, 3, 1, 2).flatten(0, 1)  # (B S, T, source)
            w = masked_softmax(scores, rows)
            context = self._unfold(w @ self._fold(keys))  # (B, T, S H)
            weights = w.unflatten(0, (-1, S))
        both = torch.cat([h.unflatten(-1, (S, -1)), context.unflatten(-1, (S, -1))], -1)
        return self.out(torch.tanh(self.combine(both.flatten(-2)))), weights


def stack_maker(src_vocab: int, tgt_vocab: int, *, embed: int, hidden: int,
                attention: str) -> Callable[[int], Seq2Seq]:
    """make(width) for `SeedStack(make, hidden, seeds)`: a `Seq2Seq` at width == hidden, a
    `BlockSeq2Seq` of width // hidden blocks above it."""
    for name, n in (("embed", embed), ("hidden", hidden)):
        _checks.integer(name, n, minimum=1)
    Seq2Seq(src_vocab, tgt_vocab, embed=embed, hidden=hidden, attention=attention)  # checks

    def make(width: int) -> Seq2Seq:
        if width % hidden:
            raise ValueError(f"width must be a multiple of hidden={hidden}; got {width}")
        if width == hidden:
            return Seq2Seq(src_vocab, tgt_vocab, embed=embed, hidden=hidden, attention=attention)
        return BlockSeq2Seq(src_vocab, tgt_vocab, embed=embed, hidden=hidden,
                            attention=attention, blocks=width // hidden)

    return make


def block_losses(logits: torch.Tensor, targets: torch.Tensor, blocks: int) -> torch.Tensor:
    """The (S,) `seq2seq_loss` of each block: logits (B, T, S V), targets (B, T) with IGNORE
    on padding, shared by the blocks."""
    _checks.integer("blocks", blocks, minimum=1, hint=" (models side by side)")
    _checks.tensor("logits", logits, 3, "(batch, steps, blocks * vocab)", kind="float")
    _checks.tensor("targets", targets, 2, "(batch, steps) of ids", kind="int")
    if targets.shape != logits.shape[:2] or logits.shape[2] % blocks:
        raise ValueError(f"logits must be (batch, steps, {blocks} * vocab) and targets (batch, "
                         f"steps); got {tuple(logits.shape)} and {tuple(targets.shape)}")
    real = targets != IGNORE
    if not real.any():
        raise ValueError(f"targets must hold at least one real token (not IGNORE = {IGNORE})")
    per = logits.unflatten(-1, (blocks, -1)).flatten(0, 1)  # (B T, S, V)
    y = targets.flatten()[:, None].expand(-1, blocks)  # (B T, S)
    nll = F.cross_entropy(per.transpose(1, 2), y, ignore_index=IGNORE, reduction="none")
    return nll.sum(0) / real.sum()  # (S,): mean over the real target words
