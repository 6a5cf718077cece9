"""Plain SGD on a `SeedStack` whose blocks each have their own learning rate and clipping.

Chapter 4 compares clipping settings for one IRNN trained with SGD: no clipping, clipping the
norm to 1, clipping every entry to 0.1, a ten times smaller learning rate. Those runs differ
only in what happens to the gradient between `backward` and `step`, so they can train as one
stacked model on the same batches: block s is clipped by its own norm (`SeedStack
.clip_grad_norm_`) and by its own value, and scaled to its own learning rate, exactly as
`train.fit(model_s, ..., optimizer="sgd", lr=lrs[s], clip_norm=..., clip_value=...)` would
treat model s alone. Taught in chapters/04_vanishing_exploding.ipynb.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from seqbook import checks as _checks
from seqbook.stack import SeedStack, block_losses


@dataclass
class StackSGDHistory:
    """Per step and block (arrays (steps, S)): the loss, the gradient norm before clipping and
    the norm after clipping (what the step used, before the learning rate)."""

    losses: np.ndarray
    grad_norms: np.ndarray
    used_norms: np.ndarray
    seconds: float


def _per_block(name: str, values: Sequence[float | None] | None, S: int,
               none: float) -> torch.Tensor:
    """(S + 1,) float64: one value per block, then `none` for entries of no block."""
    if values is None:
        values = [None] * S
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) != S:
        raise ValueError(f"{name} must give one value per block ({S} in this stack; None: "
                         f"not clipped); got {values!r}")
    out = []
    for s, v in enumerate(values):
        if v is None:
            out.append(none)
            continue
        v = _checks.number(f"{name}[{s}]", v, low=0.0, low_open=True,
                           hint=" (a positive number, or None)")
        out.append(float(v))
    return torch.tensor(out + [none], dtype=torch.float64)


def fit_stack_sgd(stack: SeedStack, step_loss: Callable[[int], torch.Tensor], *, steps: int,
                  lrs: Sequence[float], clip_norms: Sequence[float | None] | None = None,
                  clip_values: Sequence[float | None] | None = None) -> StackSGDHistory:
    """SGD on `stack`; `step_loss(step)` returns the (S,) losses, one per block.

    Block s gets learning rate `lrs[s]`, its gradient rescaled to norm at most
    `clip_norms[s]` and then clipped entry-wise to [-clip_values[s], clip_values[s]] (None: not
    clipped), in the order `train.fit` applies them.
    """
    if not isinstance(stack, SeedStack):
        raise TypeError(f"stack must be a SeedStack; got {type(stack).__name__}")
    _checks.function("step_loss", step_loss)
    steps = _checks.integer("steps", steps, minimum=1, hint=" (a positive number of SGD steps)")
    if lrs is None or any(v is None for v in lrs):
        raise ValueError(f"lrs must give a positive learning rate for every block; got {lrs!r}")
    lr_s = _per_block("lrs", lrs, stack.S, 1.0)
    norm_s = _per_block("clip_norms", clip_norms, stack.S, math.inf)
    value_s = _per_block("clip_values", clip_values, stack.S, math.inf)
    params = dict(stack.wide.named_parameters())
    block = {n: stack.blocks[n].view(p.shape) for n, p in params.items()}  # entry -> block
    lr = float(lr_s[:-1].max())
    lr_scale = lr_s / lr
    lr_scale[-1] = 1.0  # off-block entries: their gradient is 0 anyway
    opt = torch.optim.SGD(params.values(), lr=lr)
    losses, norms, used = [], [], []
    start = time.perf_counter()
    stack.train()
    for step in range(steps):
        opt.zero_grad()
        each = block_losses(stack, step_loss, step)
        each.sum().backward()  # the blocks share no weight: each gets its own gradient
        norm = stack.clip_grad_norm_(None)  # (S,) float64, before clipping
        coef = (norm_s / (torch.cat([norm, norm.new_ones(1)]) + 1e-6)
                ).clamp(max=1.0)  # clip_grad_norm_'s factor, per block
        with torch.no_grad():
            for n, p in params.items():
                b = block[n]
                p.grad.mul_(coef[b].to(p.dtype)).clamp_(-value_s[b], value_s[b])
            used.append(stack.clip_grad_norm_(None).numpy())
            for n, p in params.items():
                p.grad.mul_(lr_scale[block[n]])  # lr_s = lr x lr_scale[s]
        opt.step()
        losses.append(each.detach().double().numpy())
        norms.append(norm.numpy())
    stack.eval()
    return StackSGDHistory(np.array(losses), np.array(norms), np.array(used),
                           time.perf_counter() - start)
