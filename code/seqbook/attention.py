"""Self-attention from scratch: scaled dot-product attention, the causal mask, multi-head
attention, positional encodings and a small pre-LayerNorm Transformer (Vaswani et al. 2017).

Every part is checked against PyTorch's own (`F.scaled_dot_product_attention`,
`nn.MultiheadAttention`, `nn.TransformerEncoderLayer(norm_first=True)`) with shared weights.
Taught in chapters/09_beyond_recurrence.ipynb.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from seqbook import checks as _checks

POSITIONS = ("none", "sinusoidal", "learned")


def causal_mask(T: int) -> torch.Tensor:
    """(T, T) booleans, True where query t may look at key s, that is s <= t."""
    if not isinstance(T, int) or T < 1:
        raise ValueError(f"T must be a positive sequence length; got {T!r}")
    return torch.ones(T, T, dtype=torch.bool).tril()


def _check_qkv(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
               mask: torch.Tensor | None) -> None:
    """The argument checks of `attention`."""
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, torch.Tensor) or t.ndim < 2 or not t.is_floating_point():
            raise TypeError(f"{name} must be a float tensor (..., time, features); got "
                            f"{type(t).__name__} {tuple(getattr(t, 'shape', ()))}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"q, k must share the last size and k, v the time size; got "
                         f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    if mask is not None and (not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool):
        raise TypeError(f"mask must be a bool tensor (T, S), True where attention is allowed "
                        f"(see causal_mask); got {getattr(mask, 'dtype', type(mask).__name__)}")
    if mask is not None and mask.shape != (q.shape[-2], k.shape[-2]):
        raise ValueError(f"mask must be (T, S) = ({q.shape[-2]}, {k.shape[-2]}); got "
                         f"{tuple(mask.shape)}")


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
              mask: torch.Tensor | None = None
              ) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q k^T / sqrt(d) + mask) v.

    q (..., T, d), k (..., S, d), v (..., S, d_v); `mask` (T, S) booleans,
    False where attention is forbidden. Returns (out, weights (..., T, S)).
    """
    _check_qkv(q, k, v, mask)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., T, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) = 0
    weights = torch.softmax(scores, dim=-1)  # each row sums to 1
    return weights @ v, weights  # (..., T, d_v)


class MultiHeadAttention(nn.Module):
    """h heads of attention on d/h-dimensional projections, concatenated and projected."""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        if n_heads < 1 or d_model % n_heads:
            raise ValueError(f"d_model must be a multiple of n_heads; got {d_model}, {n_heads}")
        self.n_heads = n_heads
        self.q, self.k, self.v, self.o = (nn.Linear(d_model, d_model) for _ in range(4))
        self.last_weights: torch.Tensor | None = None  # (B, h, T, S), kept for plotting

    def split(self, x: torch.Tensor) -> torch.Tensor:
        B, T, d = x.shape
        return x.view(B, T, self.n_heads, d // self.n_heads).transpose(1, 2)  # (B, h, T, d/h)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None,
                query: torch.Tensor | None = None) -> torch.Tensor:
        """Self-attention over x (B, T, d); `query` (B, T', d), if given, asks from its own
        steps instead of x's (keys and values still come from x; mask is then (T', T))."""
        if x.ndim != 3:
            raise ValueError(f"x must be (batch, time, d_model); got shape {tuple(x.shape)}")
        if query is not None and (query.ndim != 3 or query.shape[::2] != x.shape[::2]):
            raise ValueError(f"query must be (batch, steps, d_model) with x's batch and "
                             f"d_model, {tuple(x.shape[::2])}; got {tuple(query.shape)}")
        q = self.split(self.q(x if query is None else query))
        k, v = self.split(self.k(x)), self.split(self.v(x))
        out, self.last_weights = attention(q, k, v, mask)  # (B, h, T, d/h)
        B, h, T, dh = out.shape
        return self.o(out.transpose(1, 2).reshape(B, T, h * dh))  # (B, T, d)

    @torch.no_grad()
    def load_torch(self, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of a torch `nn.MultiheadAttention` (q, k, v stacked in in_proj)."""
        if mha.in_proj_weight is None or mha.num_heads != self.n_heads:
            raise ValueError("mha must be an nn.MultiheadAttention with the same d_model and "
                             "n_heads, built without kdim/vdim")
        for i, lin in enumerate((self.q, self.k, self.v)):
            rows = slice(i * lin.out_features, (i + 1) * lin.out_features)
            lin.weight.copy_(mha.in_proj_weight[rows])
            lin.bias.copy_(mha.in_proj_bias[rows])
        self.o.weight.copy_(mha.out_proj.weight)
        self.o.bias.copy_(mha.out_proj.bias)
        return self


def sinusoidal_positions(T: int, d: int) -> torch.Tensor:
    """(T, d) encodings: PE[t, 2i] = sin(t / 10000^(2i/d)), PE[t, 2i+1] = cos(same)."""
    _checks.integer("T", T, minimum=None)
    _checks.integer("d", d, minimum=None)
    if T < 1 or d < 2 or d % 2:
        raise ValueError(f"need T >= 1 and an even d >= 2; got T={T}, d={d}")
    t = torch.arange(T, dtype=torch.float64)[:, None]  # (T, 1)
    freq = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)
    pe = torch.zeros(T, d, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(t * freq), torch.cos(t * freq)
    return pe.float()


class TransformerBlock(nn.Module):
    """Pre-LN block: x + MHA(LN(x)), then x + MLP(LN(x)), MLP = Linear-ReLU-Linear."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, n_heads)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))

    def forward(self, x: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), mask)  # (B, T, d)
        return x + self.mlp(self.ln2(x))

    def last_step(self, x: torch.Tensor,
                  mask: torch.Tensor | None = None) -> torch.Tensor:
        """forward(x, mask)[:, -1:], (B, 1, d), with attention asked from the last step only:
        every other row of the block's output is per-step work that nobody reads."""
        z = self.ln1(x)  # (B, T, d)
        last = x[:, -1:] + self.attn(z, None if mask is None else mask[-1:], query=z[:, -1:])
        return last + self.mlp(self.ln2(last))  # (B, 1, d)

    @torch.no_grad()
    def load_torch(self, layer: nn.TransformerEncoderLayer) -> TransformerBlock:
        """Copy a torch `nn.TransformerEncoderLayer(norm_first=True, activation='relu')`."""
        if not layer.norm_first:
            raise ValueError("layer must be built with norm_first=True (pre-LN) to match")
        self.attn.load_torch(layer.self_attn)
        pairs = ((self.ln1, layer.norm1), (self.ln2, layer.norm2),
                 (self.mlp[0], layer.linear1), (self.mlp[2], layer.linear2))
        for mine, theirs in pairs:
            mine.weight.copy_(theirs.weight)
            mine.bias.copy_(theirs.bias)
        return self


class Transformer(nn.Module):
    """Input projection or embedding + positions -> pre-LN blocks -> LayerNorm -> linear head.

    x is (B, T, input_size) floats, or (B, T) ids with vocab_size. `positions` is 'none',
    'sinusoidal' or 'learned' (up to max_len steps); `causal` masks the future; `head` reads
    the 'last' step, 'all' steps or the 'mean' over steps (order-blind pooling).
    """

    def __init__(self, input_size: int, d_model: int, n_heads: int, n_layers: int,
                 output_size: int, *, d_ff: int | None = None, positions: str = "sinusoidal",
                 causal: bool = True, head: str = "last", vocab_size: int | None = None,
                 max_len: int = 1024) -> None:
        super().__init__()
        if positions not in POSITIONS:
            raise ValueError(f"positions must be one of {POSITIONS}; got {positions!r}")
        if head not in ("last", "all", "mean"):
            raise ValueError(f"head must be 'last', 'all' or 'mean'; got {head!r}")
        if min(input_size, d_model, n_layers, output_size, max_len) < 1:
            raise ValueError("input_size, d_model, n_layers, output_size and max_len must be "
                             "positive")
        self.causal, self.head_kind, self.positions = causal, head, positions
        self.embed = (nn.Embedding(vocab_size, d_model) if vocab_size
                      else nn.Linear(input_size, d_model))
        self.tokens = vocab_size is not None
        if positions == "learned":
            self.pos = nn.Parameter(0.02 * torch.randn(max_len, d_model))
        else:
            self.register_buffer("pos", sinusoidal_positions(max_len, d_model)
                                 * (positions == "sinusoidal"), persistent=False)
        self.blocks = nn.ModuleList(TransformerBlock(d_model, n_heads, d_ff or 2 * d_model)
                                    for _ in range(n_layers))
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, output_size)

    def features(self, x: torch.Tensor, last_only: bool = False) -> torch.Tensor:
        """The final LayerNorm's output, (B, T, d_model); with `last_only`, that of the last
        step alone, (B, 1, d_model), computed without the rows the last block never reads."""
        if self.tokens and x.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"this model embeds token ids: x must be (batch, time) integers; "
                             f"got dtype {x.dtype}")
        if not self.tokens and x.ndim != 3:
            raise ValueError(f"x must be (batch, time, features); got shape {tuple(x.shape)}")
        T = x.shape[1]
        if T > self.pos.shape[0]:
            raise ValueError(f"sequence of {T} steps is longer than max_len={self.pos.shape[0]}")
        h = self.embed(x) + self.pos[:T].to(self.head.weight.dtype)  # (B, T, d)
        mask = causal_mask(T) if self.causal else None
        for i, block in enumerate(self.blocks):
            final = last_only and i == len(self.blocks) - 1
            h = block.last_step(h, mask) if final else block(h, mask)
        return self.ln(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.head_kind == "last":  # only the last step is read: skip the other rows
            return self.head(self.features(x, last_only=True)[:, -1])  # (B, O)
        h = self.features(x)  # (B, T, d)
        if self.head_kind == "all":
            return self.head(h)  # (B, T, O)
        return self.head(h.mean(dim=1))  # (B, O), the order-blind 'mean' head
