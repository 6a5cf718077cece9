"""Translation with chapter 9's Transformer, as a decoder-only "prefix" language model.

The source ids and the target ids share one sequence, ``x_1 .. x_S <bos> y_1 .. y_n``, read by
the causal `seqbook.attention.Transformer`: the output at every target position predicts the
next English word from the whole French source and the words written so far. Source and
target ids get separate rows of one embedding table (target id v is row S_vocab + v). No
cross-attention and no encoder are needed: self-attention over the prefix does both jobs.
Batches hold sources of one length only, so no padding ever sits between source and target.
Taught in chapters/10_seq2seq_attention.ipynb (against the GRU encoder-decoders).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from seqbook import checks as _checks
from seqbook.attention import Transformer
from seqbook.decoding import greedy_decode
from seqbook.text import BOS, EOS, IGNORE, Vocab
from seqbook.translation import Pair, batch_tensors, check_pairs, check_words


class PrefixTranslator(nn.Module):
    """A causal Transformer over source + target ids; logits over the target vocabulary."""

    def __init__(self, src_vocab: int, tgt_vocab: int, *, d_model: int = 32, n_heads: int = 4,
                 n_layers: int = 2, d_ff: int | None = None, positions: str = "sinusoidal",
                 max_len: int = 64) -> None:
        super().__init__()
        _checks.integer("src_vocab", src_vocab, minimum=None, hint=" (a vocabulary size)")
        _checks.integer("tgt_vocab", tgt_vocab, minimum=None, hint=" (a vocabulary size)")
        if min(src_vocab, tgt_vocab) < 4:
            raise ValueError(f"src_vocab and tgt_vocab must count at least <pad>, <bos>, <eos> "
                             f"and one word; got {src_vocab}, {tgt_vocab}")
        self.src_vocab = src_vocab
        self.net = Transformer(1, d_model, n_heads, n_layers, tgt_vocab, d_ff=d_ff,
                               positions=positions, head="all", causal=True,
                               vocab_size=src_vocab + tgt_vocab, max_len=max_len)

    def forward(self, src: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: src (B, S) unpadded ids, inputs (B, T) '<bos> y1 ..'.

        Returns the logits (B, T, V) at the target positions."""
        _checks.tensor("src", src, None, "(batch, S) of source ids", kind="int")
        _checks.tensor("inputs", inputs, None, "(batch, T) of target ids", kind="int")
        if src.ndim != 2 or inputs.ndim != 2 or len(src) != len(inputs):
            raise ValueError(f"src must be (batch, S) and inputs (batch, T) with the same batch; "
                             f"got {tuple(src.shape)} and {tuple(inputs.shape)}")
        if (src == 0).any():
            raise ValueError("src must hold no padding (id 0): batch sources of one length, "
                             "e.g. with length_batches")
        _checks.ids("src", src, self.src_vocab)
        _checks.ids("inputs", inputs, self.net.embed.num_embeddings - self.src_vocab)
        joint = torch.cat([src, inputs + self.src_vocab], dim=1)  # (B, S + T)
        return self.net(joint)[:, src.shape[1]:]  # the target positions, (B, T, V)

    def step(self, tokens: torch.Tensor, prefix: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """For seqbook.decoding: append target tokens (K,) to the prefixes (K, L), return the
        log-probs (K, V) of the next word and the longer prefixes. It recomputes the whole
        prefix every step (no key-value cache): simple, and cheap at these lengths."""
        _checks.tensor("tokens", tokens, 1, "(hypotheses,) of target ids", kind="int")
        _checks.ids("tokens", tokens, self.net.embed.num_embeddings - self.src_vocab)
        _checks.tensor("prefix", prefix, 2, "(hypotheses, length) of joint ids", kind="int")
        if len(prefix) != len(tokens):
            raise ValueError(f"prefix must hold one row per token ({len(tokens)}); got "
                             f"{len(prefix)}")
        prefix = torch.cat([prefix, tokens[:, None] + self.src_vocab], dim=1)  # (K, L + 1)
        return self.net(prefix)[:, -1].log_softmax(-1), prefix


def length_batches(pairs: Sequence[Pair], src_vocab: Vocab, tgt_vocab: Vocab
                   ) -> dict[int, tuple[torch.Tensor, ...]]:
    """`batch_tensors` of the pairs grouped by source length: {S: (src, lengths, inputs,
    targets)}, so that no source in a group needs padding."""
    check_pairs("pairs", pairs)
    if len(pairs) == 0:
        raise ValueError("pairs must hold at least one (source, target) pair")
    groups: dict[int, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(len(pair[0]), []).append(pair)
    return {S: batch_tensors(group, src_vocab, tgt_vocab) for S, group in sorted(groups.items())}


def sample_batch(groups: dict[int, tuple[torch.Tensor, ...]], batch: int,
               rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`batch` random pairs of one source length, the length drawn in proportion to how many
    pairs have it: (src, inputs, targets), padding columns that all rows share cut off."""
    if not isinstance(groups, dict) or not groups:
        raise TypeError("groups must be the non-empty dict that length_batches returns")
    _checks.integer("batch", batch, minimum=None, hint=" (pairs per batch)")
    if batch < 1:
        raise ValueError(f"batch must be a positive count; got {batch}")
    _checks.generator("rng", rng)
    sizes = np.array([len(g[0]) for g in groups.values()])
    S = list(groups)[rng.choice(len(sizes), p=sizes / sizes.sum())]
    src, _, inputs, targets = groups[S]
    rows = torch.from_numpy(rng.integers(0, len(src), batch))
    T = int((targets[rows] != IGNORE).sum(dim=1).max())
    return src[rows], inputs[rows, :T], targets[rows, :T]


@torch.no_grad()
def translate_prefix(model: PrefixTranslator, sources: Sequence[Sequence[str]], src_vocab: Vocab,
                     tgt_vocab: Vocab, max_len: int = 20) -> list[list[str]]:
    """Greedy translations (word lists) of `sources`, in their order, one length at a time."""
    _checks.instance("model", model, PrefixTranslator, "a PrefixTranslator")
    for name, v in (("src_vocab", src_vocab), ("tgt_vocab", tgt_vocab)):
        _checks.instance(name, v, Vocab, "a seqbook.text.Vocab (see translation.number_splits)")
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence):
        raise TypeError(f"sources must be a list of word lists; got {type(sources).__name__}")
    for s in sources:
        check_words("each element of sources", s)
        if not s:
            raise ValueError("every source in sources needs at least one word")
    _checks.integer("max_len", max_len, minimum=1, hint=" (most words per translation)")
    model.eval()
    out: list[list[str]] = [[] for _ in sources]
    by_length: dict[int, list[int]] = {}
    for i, s in enumerate(sources):
        by_length.setdefault(len(s), []).append(i)
    for rows in by_length.values():
        src = torch.tensor([src_vocab.encode(sources[i]) for i in rows])  # (K, S)
        ids, _ = greedy_decode(model.step, src, tgt_vocab.stoi[BOS], tgt_vocab.stoi[EOS],
                               max_len)
        for i, seq in zip(rows, ids, strict=True):
            out[i] = tgt_vocab.decode(seq)
    return out
