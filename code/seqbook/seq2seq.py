"""An encoder-decoder with optional attention, small enough to train in seconds on a CPU.

- `Encoder`: embeddings and a bidirectional GRU over the padded source (packed, so padding
  never enters a state); outputs (B, S, H), one annotation per source word, and a final state.
- `dot_attention` (Luong et al. 2015, scaled as in the Transformer) and `AdditiveAttention`
  (Bahdanau et al. 2015): weights over the source words from a query, masked on padding.
- `Seq2Seq`: a GRU decoder started from the encoder's final state. At step t its state h_t
  queries the annotations for a context c_t (with `attention="none"`, c_t is the encoder's
  final state at every step, as in Cho et al. 2014), and the next word is read from
  tanh(W [h_t; c_t]). Teacher forcing runs all steps in one call; `step` runs one step for
  `seqbook.decoding.greedy_decode` and `beam_search`.
- `seq2seq_loss` (masked cross-entropy) and `teacher_forced_accuracy`; `translate` (greedy,
  through `seqbook.decoding`) and `attention_map` (the weights behind one translation).
Taught in chapters/10_seq2seq_attention.ipynb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from seqbook import checks as _checks
from seqbook.decoding import greedy_decode
from seqbook.text import BOS, EOS, IGNORE, Vocab

ATTENTIONS = ("none", "additive", "dot")


@dataclass
class DecoderState:
    """What a decoding step needs for K hypotheses: h (K, H), keys (K, S, H), mask (K, S).

    It behaves like a (K, ...) tensor where `seqbook.decoding` needs one: `state.shape[0]` is
    K and `state[rows]` keeps those rows of all three (beam search reorders hypotheses)."""

    h: torch.Tensor
    keys: torch.Tensor
    mask: torch.Tensor

    @property
    def shape(self) -> torch.Size:
        return self.h.shape

    def __getitem__(self, rows: torch.Tensor | slice | int) -> DecoderState:
        if isinstance(rows, int):
            rows = slice(rows, rows + 1)
        return DecoderState(self.h[rows], self.keys[rows], self.mask[rows])


def _check_qkm(query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor) -> None:
    _checks.tensor("query", query, 3, "(batch, steps, dim)", kind="float")
    _checks.tensor("keys", keys, 3, "(batch, source, dim)", kind="float")
    _checks.tensor("mask", mask, 2, "(batch, source) of bools", min_size=0)
    if len(query) != len(keys):
        raise ValueError(f"query and keys must hold the same batch; got {len(query)} and "
                         f"{len(keys)}")
    if query.ndim != 3 or keys.ndim != 3:
        raise ValueError(f"query must be (batch, steps, dim) and keys (batch, source, dim); got "
                         f"{tuple(query.shape)} and {tuple(keys.shape)}")
    if mask.shape != keys.shape[:2] or mask.dtype != torch.bool:
        raise ValueError(f"mask must be a bool (batch, source) = {tuple(keys.shape[:2])}; got "
                         f"{mask.dtype} {tuple(mask.shape)}")
    if not mask.any(dim=1).all():
        raise ValueError("every mask row needs at least one True (real) source position")


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Softmax over the last axis of scores (B, T, S), with weight 0 where mask (B, S) is False."""
    _checks.tensor("scores", scores, 3, "(batch, steps, source)", kind="float")
    _checks.tensor("mask", mask, 2, "(batch, source) of bools", min_size=0)
    if mask.dtype != torch.bool or mask.shape != (scores.shape[0], scores.shape[2]):
        raise ValueError(f"mask must be a bool (batch, source) = "
                         f"{(scores.shape[0], scores.shape[2])}; got {mask.dtype} "
                         f"{tuple(mask.shape)}")
    if not mask.any(dim=1).all():
        raise ValueError("every mask row needs at least one True (real) source position")
    return scores.masked_fill(~mask[:, None, :], -math.inf).softmax(dim=-1)


def dot_attention(query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention: context (B, T, H) and weights (B, T, S).

    query (B, T, H) are decoder states, keys (B, S, H) the encoder's
    annotations (also the values), mask (B, S) True on real source words.
    """
    _checks.tensor("query", query, 3, "(batch, steps, dim)", kind="float")
    _checks.tensor("keys", keys, 3, "(batch, source, dim)", kind="float")
    if query.shape[-1] != keys.shape[-1]:
        raise ValueError(f"query and keys need the same last size for a dot product; got "
                         f"{query.shape[-1]} and {keys.shape[-1]}")
    _check_qkm(query, keys, mask)
    scale = math.sqrt(keys.shape[-1])
    scores = query @ keys.transpose(1, 2) / scale  # (B, T, S)
    weights = masked_softmax(scores, mask)
    return weights @ keys, weights  # (B, T, H), (B, T, S)


class AdditiveAttention(nn.Module):
    """Additive ('concat') attention: score(q, k) = v . tanh(W_q q + W_k k)."""

    def __init__(self, query_size: int, key_size: int, hidden: int) -> None:
        super().__init__()
        for name, n in (("query_size", query_size), ("key_size", key_size), ("hidden", hidden)):
            _checks.integer(name, n, minimum=1)
        self.w_q = nn.Linear(query_size, hidden, bias=False)
        self.w_k = nn.Linear(key_size, hidden)
        self.v = nn.Linear(hidden, 1, bias=False)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Context (B, T, H_k), weights (B, T, S); arguments: `dot_attention`."""
        _check_qkm(query, keys, mask)
        q = self.w_q(query)[:, :, None]  # (B, T, 1, A)
        k = self.w_k(keys)[:, None]  # (B, 1, S, A)
        scores = self.v(torch.tanh(q + k))[..., 0]  # (B, T, S)
        weights = masked_softmax(scores, mask)
        return weights @ keys, weights


class Encoder(nn.Module):
    """Embeddings + bidirectional GRU (hidden // 2 units each way) over padded sources."""

    def __init__(self, vocab_size: int, embed: int, hidden: int) -> None:
        super().__init__()
        _checks.integer("vocab_size", vocab_size, minimum=2, hint=" (with id 0 = padding)")
        _checks.integer("embed", embed, minimum=1)
        _checks.integer("hidden", hidden, minimum=2, hint=" (an even size)")
        if hidden % 2:
            raise ValueError(f"hidden must be even (half per direction); got {hidden}")
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=0)
        self.rnn = nn.GRU(embed, hidden // 2, batch_first=True, bidirectional=True)

    def forward(self, src: torch.Tensor, lengths: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """src (B, S) ids, lengths (B,) -> annotations (B, S, H), 0 on padding,
        and the final state (B, H)."""
        packed = nn.utils.rnn.pack_padded_sequence(
            self.embed(src), lengths.cpu(), batch_first=True,
            enforce_sorted=False)
        out, h_n = self.rnn(packed)  # h_n (2, B, H/2): final state each way
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True,
                                                  total_length=src.shape[1])
        final = torch.cat([h_n[0], h_n[1]], dim=-1)  # (B, H)
        return out, final  # (B, S, H), (B, H)


class Seq2Seq(nn.Module):
    """GRU encoder-decoder; `attention` is "none", "additive" or "dot"."""

    def __init__(self, src_vocab: int, tgt_vocab: int, *, embed: int = 32, hidden: int = 64,
                 attention: str = "dot") -> None:
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}; got {attention!r}")
        _checks.integer("src_vocab", src_vocab, minimum=2, hint=" (with id 0 = padding)")
        _checks.integer("tgt_vocab", tgt_vocab, minimum=2, hint=" (with id 0 = padding)")
        self.attention = attention
        self.encoder = Encoder(src_vocab, embed, hidden)
        self.embed = nn.Embedding(tgt_vocab, embed, padding_idx=0)
        self.rnn = nn.GRU(embed, hidden, batch_first=True)
        self.additive = AdditiveAttention(hidden, hidden, hidden) if attention == "additive" \
            else None
        self.combine = nn.Linear(2 * hidden, hidden)
        self.out = nn.Linear(hidden, tgt_vocab)

    def encode(self, src: torch.Tensor, lengths: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Final encoder state (K, H) (the decoder's h_0), annotations (K, S, H), mask (K, S)."""
        _checks.tensor("src", src, 2, "(batch, source) of word ids", kind="int")
        _checks.ids("src", src, self.encoder.embed.num_embeddings)
        if isinstance(lengths, torch.Tensor) and lengths.dtype == torch.bool:
            raise TypeError("lengths must hold integer lengths; got dtype torch.bool")
        _checks.lengths("lengths", lengths, len(src), src.shape[1])
        lengths = torch.as_tensor(lengths)
        keys, final = self.encoder(src, lengths)
        mask = torch.arange(src.shape[1])[None, :] < lengths[:, None]  # (K, S)
        return final, keys, mask

    def read(self, h: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor, final: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, T, V) from decoder states h (B, T, H); and attention weights (B, T, S)."""
        if self.attention == "none":
            context, weights = final[:, None].expand_as(h), None  # the same c at every step
        elif self.attention == "dot":
            context, weights = dot_attention(h, keys, mask)
        else:
            context, weights = self.additive(h, keys, mask)
        return self.out(torch.tanh(self.combine(torch.cat([h, context], -1)))), weights

    def forward(self, src: torch.Tensor, src_lengths: torch.Tensor, inputs: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Teacher forcing: logits (B, T, V) for decoder inputs (B, T) '<bos> y1 ..'."""
        _checks.tensor("inputs", inputs, 2, "(batch, steps) of target ids", kind="int")
        _checks.ids("inputs", inputs, self.embed.num_embeddings)
        if isinstance(src, torch.Tensor) and len(inputs) != len(src):
            raise ValueError(f"inputs must hold one row per source ({len(src)}); got "
                             f"{len(inputs)}")
        final, keys, mask = self.encode(src, src_lengths)
        h, _ = self.rnn(self.embed(inputs), final[None].contiguous())  # (B, T, H)
        return self.read(h, keys, mask, final)

    def start(self, src: torch.Tensor, lengths: torch.Tensor) -> DecoderState:
        """The state `step` starts from. Without attention the only 'key' kept is the final
        encoder state (K, 1, H): that one vector is all the decoder ever sees of the source."""
        final, keys, mask = self.encode(src, lengths)
        if self.attention == "none":
            keys, mask = final[:, None], torch.ones(len(final), 1, dtype=torch.bool)
        return DecoderState(final, keys, mask)

    def step(self, tokens: torch.Tensor, state: DecoderState
             ) -> tuple[torch.Tensor, DecoderState]:
        """One decoding step for seqbook.decoding: tokens (K,) -> log-probs (K, V), new state."""
        _checks.instance("state", state, DecoderState, "a DecoderState, as start() returns")
        _checks.tensor("tokens", tokens, 1, "(hypotheses,) of target ids", kind="int")
        _checks.ids("tokens", tokens, self.embed.num_embeddings)
        if len(tokens) != state.shape[0]:
            raise ValueError(f"tokens must hold one id per hypothesis of state "
                             f"({state.shape[0]}); got {len(tokens)}")
        x = self.embed(tokens)[:, None]  # (K, 1, E)
        _, h = self.rnn(x, state.h[None].contiguous())  # (1, K, H)
        logits, _ = self.read(h[0][:, None], state.keys, state.mask, state.keys[:, 0])
        return logits[:, 0].log_softmax(-1), DecoderState(h[0], state.keys, state.mask)


def seq2seq_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over real target words: logits (B, T, V), targets (B, T) with IGNORE
    (-100) on padding, so padded positions add nothing to the loss or its gradient."""
    _checks.tensor("logits", logits, 3, "(batch, steps, vocab)", kind="float")
    _checks.tensor("targets", targets, None, "(batch, steps) of ids", kind="int")
    if logits.ndim != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(f"logits must be (batch, steps, vocab) and targets (batch, steps); got "
                         f"{tuple(logits.shape)} and {tuple(targets.shape)}")
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE)


@torch.no_grad()
def teacher_forced_accuracy(logits: torch.Tensor, targets: torch.Tensor) -> tuple[float, float]:
    """(token accuracy, exact match) when every step is given the true prefix."""
    _checks.tensor("logits", logits, 3, "(batch, steps, vocab)", kind="float")
    _checks.tensor("targets", targets, None, "(batch, steps) of ids", kind="int")
    if logits.ndim != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(f"logits must be (batch, steps, vocab) and targets (batch, steps); got "
                         f"{tuple(logits.shape)} and {tuple(targets.shape)}")
    real = targets != IGNORE
    if not real.any():
        raise ValueError(f"targets must hold at least one real token (not IGNORE = {IGNORE})")
    right = (logits.argmax(-1) == targets) & real  # (B, T)
    exact = (right | ~real).all(dim=1)
    return int(right.sum()) / int(real.sum()), int(exact.sum()) / len(exact)


@torch.no_grad()
def translate(model: Seq2Seq, src: torch.Tensor, src_lengths: torch.Tensor, vocab: Vocab,
              max_len: int = 20) -> list[list[str]]:
    """Greedy translations (word lists, without <bos>/<eos>) of a padded batch of sources."""
    _checks.instance("model", model, Seq2Seq, "a seq2seq.Seq2Seq")
    _checks.instance("vocab", vocab, Vocab, "the target seqbook.text.Vocab")
    _checks.integer("max_len", max_len, minimum=1, hint=" (most words per translation)")
    model.eval()
    ids, _ = greedy_decode(model.step, model.start(src, src_lengths), vocab.stoi[BOS],
                           vocab.stoi[EOS], max_len)
    return [vocab.decode(s) for s in ids]


@torch.no_grad()
def attention_map(model: Seq2Seq, src: torch.Tensor, output: list[str], vocab: Vocab
                  ) -> torch.Tensor:
    """Attention weights (T, S) behind one output: row t is where the decoder looked to write
    word t of `output` (then <eos>), for one unpadded source src (S,) of word ids."""
    _checks.instance("model", model, Seq2Seq, "a seq2seq.Seq2Seq")
    _checks.instance("vocab", vocab, Vocab, "the target seqbook.text.Vocab")
    if model.attention == "none":
        raise ValueError("a model with attention='none' has no attention weights to show")
    _checks.instance("src", src, torch.Tensor, "one source (S,) of ids as a torch tensor")
    if isinstance(output, str) or not all(isinstance(w, str) for w in output):
        raise TypeError(f"output must be a list of words such as ['twenty', 'one']; got "
                        f"{output!r}")
    if src.ndim != 1:
        raise ValueError(f"src must be one source (S,) of ids; got shape {tuple(src.shape)}")
    model.eval()
    inputs = torch.tensor([vocab.encode([BOS, *output])])  # (1, T)
    _, weights = model(src[None], torch.tensor([len(src)]), inputs)
    return weights[0]  # (T, S)
