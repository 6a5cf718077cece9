"""Train several seeds of one small model as ONE wide model, block-diagonal by seed.

Tiny models on a CPU spend their time in per-operation overhead, not arithmetic, so three
seeds cost almost three times one. `SeedStack` builds one model S times as wide (the same
class, from `make(S * width)`), copies seed s's weights into block s of every weight, and masks
the gradient of every off-block entry to zero; with Adam (element-wise) and element-wise
clipping, those entries stay exactly zero, so the S blocks train as S independent models that
see the same batches. LayerNorms are replaced by one LayerNorm per block. `unstack(s)` copies
block s back into a narrow model. Taught in chapters/09_beyond_recurrence.ipynb.

A stack can also be built from given narrow models (`models=`: one run per forget-gate bias,
say), and `fit_stack` trains it with norm clipping *per block*: each block's gradient is
rescaled by its own norm, exactly as `clip_grad_norm_` would rescale that model alone (one
clip over the whole stack would couple the runs). Used in chapters/06_lstm_gru_in_practice.ipynb.

Runs that cannot share one wide model (an LSTM and a GRU, or stacks that stop at different
steps) can still train at the same time: `side_by_side` runs independent jobs in threads, one
per CPU core. Torch releases Python's lock inside its kernels, so on two cores two one-thread
runs take about the time of one, and each gives exactly the numbers it gives alone (chapter 6).

The blocks can also read different inputs (`stack_inputs`): if make(width) scales the input
size with the width too, the input weights are block-diagonal like every other weight, and
block s reads only its own slice of the features. Chapter 9 trains the digits and the
permuted digits as one model that way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqbook import checks as _checks

R = TypeVar("R")
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

    Or pass `models=[...]` instead of seeds: S narrow models built by `make(width)` and then
    changed (a different initial bias each, say); their weights are copied as they are.
    forward(x) returns (S, ...) outputs: one per seed, each as the narrow model would give.
    """

    def __init__(self, make: Callable[[int], nn.Module], width: int,
                 seeds: list[int] | None = None, *,
                 models: list[nn.Module] | None = None) -> None:
        super().__init__()
        if (seeds is None) == (models is None):
            raise ValueError("pass either seeds (a list of distinct integers) or models (a "
                             "list of narrow models built by make(width)), not both or none")
        if seeds is not None and (len(seeds) < 1 or len(set(seeds)) != len(seeds)):
            raise ValueError(f"seeds must be distinct integers; got {seeds}")
        if models is not None:
            if (not isinstance(models, (list, tuple)) or len(models) < 1
                    or not all(isinstance(m, nn.Module) for m in models)):
                raise TypeError(f"models must be a non-empty list of torch.nn.Module, built by "
                                f"make(width); got {models!r}")
            narrow = list(models)
        else:
            narrow = []
            for seed in seeds:
                torch.manual_seed(seed)
                narrow.append(make(width))
        self.make, self.width, self.S = make, width, len(narrow)
        shapes = {n: p.shape for n, p in make(width).named_parameters()}
        for k, m in enumerate(narrow):
            if {n: p.shape for n, p in m.named_parameters()} != shapes:
                raise ValueError(f"models[{k}] does not have the parameters of make({width}) "
                                 "(names and shapes): build every model with make(width)")
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
        self.blocks: dict[str, torch.Tensor] = {}  # name -> block id per entry, S: none
        for name, p in self.wide.named_parameters():
            mask = torch.zeros_like(p, dtype=torch.bool)
            block = torch.full(p.shape, self.S, dtype=torch.long)
            for s, idx in enumerate(self.index[name]):
                mask[idx] = True
                block[idx] = s
            self.register_buffer(f"mask_{name.replace('.', '_')}", mask, persistent=False)
            self.blocks[name] = block.flatten()
            if not mask.all():
                p.register_hook(lambda g, m=mask: g * m)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.wide(x)  # (..., S O)
        return out.unflatten(-1, (self.S, -1)).movedim(-2, 0)  # (S, ..., O)

    @torch.no_grad()
    def clip_grad_norm_(self, max_norm: float | None) -> torch.Tensor:
        """Rescale each block's gradient to L2 norm <= max_norm, by its own norm.

        Block s ends up with the gradient that `torch.nn.utils.clip_grad_norm_(model_s
        .parameters(), max_norm)` leaves on model s trained alone. Returns the (S,) norms
        before clipping (float64); max_norm=None only measures them.
        """
        if max_norm is not None:
            max_norm = _checks.number("max_norm", max_norm, low=0.0, low_open=True,
                                      hint=" (a positive gradient norm such as 1.0, or None)")
        named = [(n, p.grad) for n, p in self.wide.named_parameters() if p.grad is not None]
        grads = [g for _, g in named]
        flat = torch.cat([g.flatten() for g in grads])  # every gradient, one vector
        block = torch.cat([self.blocks[n] for n, _ in named])  # its block, S: none
        sq = torch.bincount(block, weights=flat.double().square(), minlength=self.S + 1)
        norms = sq[:self.S].sqrt()  # (S,)
        if max_norm is None:
            return norms
        coef = (max_norm / (norms + 1e-6)).clamp(max=1.0)  # clip_grad_norm_'s formula
        scale = torch.cat([coef, coef.new_ones(1)])  # off-block gradients are 0 already
        factor = scale.to(flat.dtype)[block].split([g.numel() for g in grads])
        for g, f in zip(grads, factor, strict=True):
            g.mul_(f.view_as(g))  # scales p.grad in place
        return norms

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


def stack_inputs(xs: Sequence[torch.Tensor]) -> torch.Tensor:
    """One input per block, side by side: S tensors (..., D) -> (..., S D).

    For a `SeedStack` whose make(w) builds a model with input size D * w // width: its wide
    input weights are block-diagonal, so block s sees only xs[s], as its narrow model would
    alone. Float features only (token ids go through one shared embedding table).
    """
    if isinstance(xs, torch.Tensor) or not isinstance(xs, Sequence) or len(xs) < 1:
        raise TypeError("xs must be a non-empty list of float tensors (..., features), one "
                        f"per block; got {type(xs).__name__}")
    for k, x in enumerate(xs):
        _checks.tensor(f"xs[{k}]", x, None, "(..., features)", kind="float", finite=True)
        if x.ndim < 2 or x.shape != xs[0].shape or x.dtype != xs[0].dtype:
            raise ValueError(f"xs[{k}] must have the shape and dtype of xs[0], "
                             f"{tuple(xs[0].shape)} {xs[0].dtype}, with a batch axis and a "
                             f"feature axis; got {tuple(x.shape)} {x.dtype}")
    return torch.cat(list(xs), dim=-1)  # (..., S D): block s reads features s D..(s+1) D


@dataclass
class StackHistory:
    """What `fit_stack` recorded: per step, the (S,) losses and gradient norms (before
    clipping); per block, the steps it took to be solved (None: not within the run) and the
    narrow model as it was then (or at the end, if never solved)."""

    losses: list[np.ndarray] = field(default_factory=list)
    grad_norms: list[np.ndarray] = field(default_factory=list)
    solved_at: list[int | None] = field(default_factory=list)
    models: list[nn.Module] = field(default_factory=list)
    seconds: float = 0.0


def block_losses(stack: SeedStack, step_loss: Callable[[int], torch.Tensor],
                 step: int) -> torch.Tensor:
    """``step_loss(step)``, after checking that it is the (S,) losses of the stack's blocks
    (shared by ``fit_stack`` and ``stack_sgd.fit_stack_sgd``)."""
    losses = step_loss(step)
    if not isinstance(losses, torch.Tensor) or losses.shape != (stack.S,):
        raise ValueError(f"step_loss must return the ({stack.S},) losses of the blocks; "
                         f"got {getattr(losses, 'shape', type(losses).__name__)}")
    return losses


def fit_stack(stack: SeedStack, step_loss: Callable[[int], torch.Tensor], *, steps: int,
              lr: float = 1e-2, clip_norm: float | None = None,
              solved: Callable[[np.ndarray], bool] | None = None) -> StackHistory:
    """Adam on a `SeedStack`; `step_loss(step)` returns the (S,) losses, one per block.

    Block s trains as its narrow model would alone under `train.fit(..., clip_norm=...)`:
    the losses are summed (the blocks share no weight, so each gets its own gradient), and
    each block is clipped by its own norm. `solved(losses)` gets one block's losses so far
    after every step; the first step count at which it holds is that block's `solved_at`,
    its model is copied out then (so it is the model a run stopped there would give), and
    the run ends once every block is solved.
    """
    if not isinstance(stack, SeedStack):
        raise TypeError(f"stack must be a SeedStack; got {type(stack).__name__}")
    _checks.function("step_loss", step_loss)
    _checks.integer("steps", steps, minimum=1, hint=" (a positive number of optimiser steps)")
    _checks.number("lr", lr, low=0.0, low_open=True, hint=" (a positive learning rate)")
    if clip_norm is not None:
        _checks.number("clip_norm", clip_norm, low=0.0, low_open=True,
                       hint=" (or None for no clipping)")
    if solved is not None:
        _checks.function("solved", solved)
    opt = torch.optim.Adam(stack.parameters(), lr=lr, fused=True)  # one kernel per step
    hist = StackHistory(solved_at=[None] * stack.S, models=[None] * stack.S)
    curves = np.zeros((steps, stack.S))  # curves[:n, s]: block s's losses so far
    start = time.perf_counter()
    stack.train()
    for step in range(steps):
        opt.zero_grad()
        losses = block_losses(stack, step_loss, step)
        value = losses.detach().double().numpy()
        if not np.isfinite(value).all():
            raise ValueError(f"a block's loss is not finite at step {step}: {value}")
        hist.losses.append(value)
        curves[step] = value
        losses.sum().backward()
        hist.grad_norms.append(stack.clip_grad_norm_(clip_norm).numpy())  # per block
        opt.step()
        if solved is not None:
            for s in range(stack.S):
                if hist.solved_at[s] is None and solved(curves[:step + 1, s]):
                    hist.solved_at[s], hist.models[s] = step + 1, stack.unstack(s)
            if all(n is not None for n in hist.solved_at):
                break
    hist.seconds = time.perf_counter() - start
    hist.models = [m if m is not None else stack.unstack(s)
                   for s, m in enumerate(hist.models)]
    stack.eval()
    return hist


def cpu_cores() -> int:
    """The CPU cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no sched_getaffinity (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def side_by_side(jobs: list[Callable[[], R]], workers: int | None = None) -> list[R]:
    """Run independent jobs (functions of no argument) in threads; their results, in order.

    With ``workers`` threads (default: one per CPU core, at most one per job), torch kernels
    of different jobs run on different cores at the same time. Each job must own everything
    it changes (its model, optimiser and numpy generator) and draw nothing from torch's global
    random generator (build and seed the models before), so that it computes exactly what
    it computes alone. Leave torch on one thread per job (``seqbook.set_seed`` does), so that
    the jobs share the cores rather than each job's kernels. The first job that raises
    re-raises its error here. Used in chapter 6.
    """
    if not isinstance(jobs, (list, tuple)) or not jobs:
        raise ValueError(f"jobs must be a non-empty list of functions of no argument "
                         f"(lambda: fit(...), say); got {jobs!r}")
    for k, job in enumerate(jobs):
        _checks.function(f"jobs[{k}]", job)
    if workers is None:
        workers = min(len(jobs), cpu_cores())
    workers = _checks.integer("workers", workers, minimum=1,
                              hint=" (threads to run at once, such as 2; or None: one per core)")
    if workers == 1:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job) for job in jobs]
        return [f.result() for f in futures]
