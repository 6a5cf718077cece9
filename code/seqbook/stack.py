"""Train several seeds of one small model as ONE wide model, block-diagonal by seed.

Tiny models on a CPU spend their time in per-operation overhead, not arithmetic, so three
seeds cost almost three times one. `SeedStack` builds one model S times as wide (the same
class, from `make(S * width)`), copies seed s's weights into block s of every weight, and masks
the gradient of every off-block entry to zero; with Adam (element-wise) and element-wise
clipping, those entries stay exactly zero, so the S blocks train as S independent models that
see the same batches. LayerNorms are replaced by one LayerNorm per block. `unstack(s)` copies
block s back into a narrow model. Taught in chapters/09_beyond_recurrence.ipynb.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

GATES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
RECURRENT_GATES = {nn.RNN: 1, nn.LSTM: 4, nn.GRU: 3}


class BlockLayerNorm(nn.Module):
    """LayerNorm applied separately to each of `blocks` equal slices of the last axis."""

    def __init__(self, blocks: int, d: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.blocks, self.d, self.eps = blocks, d, eps
        self.weight = nn.Parameter(torch.ones(blocks * d))
        self.bias = nn.Parameter(torch.zeros(blocks * d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = x.unflatten(-1, (self.blocks, self.d))  # (..., S, d)
        y = F.layer_norm(parts, (self.d,), eps=self.eps).flatten(-2)  # (..., S d)
        return y * self.weight + self.bias


def _gates(wide: nn.Module, name: str) -> int:
    """Gate blocks along axis 0 of a recurrent weight (LSTM 4, GRU 3, RNN 1), else 1."""
    owner, _, leaf = name.rpartition(".")
    module = wide.get_submodule(owner) if owner else wide
    kind = type(module)
    if kind in RECURRENT_GATES and leaf.split("_l")[0] in GATES:
        return RECURRENT_GATES[kind]
    return 1


def _axis_index(narrow: int, wide: int, S: int, s: int, gates: int) -> np.ndarray:
    """Wide indices that hold seed s's narrow indices 0..narrow-1 along one axis."""
    if wide == narrow:
        return np.arange(narrow)  # shared axis (the input, the kernel taps)
    if wide != S * narrow:
        raise ValueError(f"an axis of size {narrow} became {wide}, not {S} x {narrow}: "
                         "make(width) must scale every hidden size with width")
    h = narrow // gates
    j = np.arange(narrow)
    return (j // h) * S * h + s * h + j % h  # gate g, seed s, unit j


class SeedStack(nn.Module):
    """S models built by `make(width)` from seeds `seeds`, trained as one wide model.

    forward(x) returns (S, ...) outputs: one per seed, each as the narrow model would give.
    """

    def __init__(self, make: Callable[[int], nn.Module], width: int,
                 seeds: list[int]) -> None:
        super().__init__()
        if len(seeds) < 1 or len(set(seeds)) != len(seeds):
            raise ValueError(f"seeds must be distinct integers; got {seeds}")
        self.make, self.width, self.S = make, width, len(seeds)
        narrow = []
        for seed in seeds:
            torch.manual_seed(seed)
            narrow.append(make(width))
        self.wide = make(self.S * width)
        names = {n for n, _ in self.wide.named_parameters()}
        differ = sorted(names ^ {n for n, _ in narrow[0].named_parameters()})
        if differ:
            raise ValueError("make(S * width) must build the same layers as make(width); "
                             f"they differ in {differ}")
        for name, module in list(self.wide.named_modules()):
            if isinstance(module, nn.LayerNorm):
                owner, _, leaf = name.rpartition(".")
                parent = self.wide.get_submodule(owner) if owner else self.wide
                setattr(parent, leaf, BlockLayerNorm(self.S, module.normalized_shape[0]
                                                     // self.S, module.eps))
        self.index: dict[str, list[tuple[np.ndarray, ...]]] = {}
        with torch.no_grad():
            tensors = dict(self.wide.named_parameters()) | dict(self.wide.named_buffers())
            for name, w in tensors.items():
                w.zero_()
                shapes = [dict(m.named_parameters()) | dict(m.named_buffers()) for m in narrow]
                self.index[name] = []
                gates = _gates(self.wide, name)  # along axis 0 only
                for s, own in enumerate(shapes):
                    sizes = zip(own[name].shape, w.shape, strict=True)
                    idx = np.ix_(*[_axis_index(n, k, self.S, s, gates if a == 0 else 1)
                                   for a, (n, k) in enumerate(sizes)])
                    shared = all(i.size == k for i, k in zip(idx, w.shape, strict=True))
                    if self.S > 1 and shared:
                        raise ValueError(f"{name} has no axis that grows with width, so the "
                                         "seeds would share it: scale it with width in make")
                    self.index[name].append(idx)
                    w[idx] = own[name].to(w.dtype)
        for name, p in self.wide.named_parameters():
            mask = torch.zeros_like(p, dtype=torch.bool)
            for idx in self.index[name]:
                mask[idx] = True
            self.register_buffer(f"mask_{name.replace('.', '_')}", mask, persistent=False)
            if not mask.all():
                p.register_hook(lambda g, m=mask: g * m)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.wide(x)  # (..., S O)
        return out.unflatten(-1, (self.S, -1)).movedim(-2, 0)  # (S, ..., O)

    @torch.no_grad()
    def unstack(self, s: int) -> nn.Module:
        """A narrow model (from `make(width)`) holding seed s's block of the weights."""
        if not 0 <= s < self.S:
            raise ValueError(f"s must be a seed position in 0..{self.S - 1}; got {s}")
        model = self.make(self.width).to(next(self.wide.parameters()).dtype)
        wide = dict(self.wide.named_parameters()) | dict(self.wide.named_buffers())
        own = dict(model.named_parameters()) | dict(model.named_buffers())
        for name, w in own.items():
            w.copy_(wide[name][self.index[name][s]])
        return model.eval()
