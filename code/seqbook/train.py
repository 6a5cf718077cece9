"""One small training loop for every torch model in the book.

`fit` runs `steps` optimiser steps on a closure that returns the loss, with optional gradient
clipping, and records a `History`. In a live notebook it shows a one-line progress readout that
updates in place; when done, that line is replaced by a single summary, so the stored output
(and the HTML page, and nbval) holds one tidy line and no progress-bar debris.
Taught in chapters/02_rnn.ipynb.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from seqbook import checks as _checks


@dataclass
class History:
    """What a training run recorded: loss and gradient norm (before clipping) per step."""

    name: str
    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    diverged_at: int | None = None
    stopped_at: int | None = None  # steps taken when `stop_when` ended the run early

    def final_loss(self, last: int = 10) -> float:
        """Mean loss over the last `last` steps (NaN if the run diverged)."""
        if self.diverged_at is not None or not self.losses:
            return math.nan
        tail = self.losses[-last:]
        return sum(tail) / len(tail)

    def summary(self) -> str:
        """One line: steps, first and final loss, time."""
        if self.diverged_at is not None:
            return (
                f"{self.name}: diverged (non-finite loss) at step {self.diverged_at}, "
                f"{self.seconds:.1f} s"
            )
        return (
            f"{self.name}: {len(self.losses)} steps, loss {self.losses[0]:.4g} -> "
            f"{self.final_loss():.4g} (mean of last 10), {self.seconds:.1f} s"
        )


class _Progress:
    """A single updatable line in a live notebook; silent elsewhere."""

    def __init__(self, enabled: bool) -> None:
        self.handle = None
        if enabled:
            try:
                from IPython import get_ipython
                from IPython.display import display
            except ImportError:
                return
            if get_ipython() is not None and hasattr(get_ipython(), "kernel"):
                self.handle = display({"text/plain": "starting..."}, raw=True, display_id=True)
        self.last = 0.0

    def update(self, text: str, force: bool = False) -> None:
        now = time.perf_counter()
        if self.handle is not None and (force or now - self.last > 0.5):
            self.handle.update({"text/plain": text}, raw=True)
            self.last = now

    def finish(self, text: str) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": text}, raw=True)
        else:
            print(text)


def fit(
    model: torch.nn.Module,
    step_loss: Callable[[int], torch.Tensor],
    *,
    steps: int,
    lr: float = 1e-2,
    optimizer: str = "adam",
    clip_norm: float | None = None,
    clip_value: float | None = None,
    name: str = "training",
    progress: bool = True,
    quiet: bool = False,
    stop_on_nonfinite: bool = True,
    stop_when: Callable[[History], bool] | None = None,
    lr_scale: Callable[[int], float] | None = None,
) -> History:
    """Train `model` for `steps` steps; `step_loss(step)` draws a batch and returns its loss.

    `clip_norm` rescales the whole gradient to at most that L2 norm; `clip_value` clips each
    gradient entry to [-v, v]. `stop_when(history)`, called after every step, ends the run
    early when it returns True (for example once a running mean of the loss is below a level),
    and `history.stopped_at` then records the steps taken. `lr_scale(step)`, if given, multiplies
    `lr` at each step (a schedule, such as a linear decay to 0; chapter 6). Returns the
    `History`; prints (or shows) one summary line, unless `quiet` (no output at all, for loops
    over many runs that print their own table).
    """
    _checks.module("model", model)
    _checks.function("step_loss", step_loss)
    _checks.integer("steps", steps, minimum=None, hint=" (a positive number of optimiser steps)")
    _checks.number("lr", lr, hint=" (a positive, finite learning rate such as 0.01)")
    for arg, v in (("clip_norm", clip_norm), ("clip_value", clip_value)):
        if v is not None:
            _checks.number(arg, v, low=0.0, low_open=True, hint=" (or None for no clipping)")
    if steps < 1:
        raise ValueError(f"steps must be a positive number of optimiser steps; got {steps}")
    if not lr > 0 or not math.isfinite(lr):
        raise ValueError(f"lr must be a positive, finite learning rate such as 0.01; got {lr}")
    if stop_when is not None and not callable(stop_when):
        raise TypeError(f"stop_when must be a function of the History; got {stop_when!r}")
    if lr_scale is not None and not callable(lr_scale):
        raise TypeError(f"lr_scale must be a function of the step, such as "
                        f"lambda step: 1 - step / steps; got {lr_scale!r}")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model has no trainable parameters: did you build the layers in __init__?")
    optimisers = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}
    if optimizer not in optimisers:
        raise ValueError(f"optimizer must be one of {sorted(optimisers)}; got {optimizer!r}")
    opt = optimisers[optimizer](params, lr=lr)
    hist = History(name)
    bar = _Progress(progress and not quiet)
    start = time.perf_counter()
    model.train()
    for step in range(steps):
        if lr_scale is not None:
            for group in opt.param_groups:
                group["lr"] = lr * float(lr_scale(step))
        opt.zero_grad()
        loss = step_loss(step)
        if loss.ndim != 0:
            raise ValueError(f"step_loss must return a scalar loss; got shape {tuple(loss.shape)}")
        value = loss.item()
        hist.losses.append(value)
        if not math.isfinite(value) and stop_on_nonfinite:
            hist.diverged_at = step
            break
        loss.backward()
        grads = [p.grad for p in params if p.grad is not None]
        total = torch.nn.utils.get_total_norm(grads)  # the norm before any clipping
        hist.grad_norms.append(total.item())
        if clip_norm is not None:  # rescale to at most clip_norm, reusing that norm
            torch.nn.utils.clip_grads_with_norm_(params, clip_norm, total)
        if clip_value is not None:
            torch.nn.utils.clip_grad_value_(params, clip_value)
        opt.step()
        bar.update(f"{name}: step {step + 1}/{steps}  loss {value:.4g}")
        if stop_when is not None and stop_when(hist):
            hist.stopped_at = step + 1
            break
    hist.seconds = time.perf_counter() - start
    model.eval()
    if not quiet:
        bar.finish(hist.summary())
    return hist
