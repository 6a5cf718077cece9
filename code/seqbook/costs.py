"""What sequence models cost: training-step time against length, and streaming inference.

`step_seconds` times one forward and backward pass; `loglog_slope` fits time ~ T^p. The
`stream_*` functions generate outputs one step at a time, as a deployed model must, keeping
what each architecture needs: the RNN its fixed-size state, the TCN a buffer of its last
receptive-field inputs, the Transformer a cache of every past key and value. Each returns the
outputs (to check against the full forward pass), the seconds per step, and the floats kept.
Taught in chapters/09_beyond_recurrence.ipynb.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from seqbook import checks as _checks
from seqbook.attention import Transformer, attention
from seqbook.models import SequenceModel
from seqbook.tcn import TCN, CausalConv1d


def step_seconds(model: nn.Module, x: torch.Tensor, repeats: int = 5, *,
                 cpu: bool = False) -> float:
    """Fastest seconds of one forward + backward pass of `model` on the batch `x`.

    The minimum over `repeats` runs, not the mean or median: other work on the machine can
    only slow a run down, so the fastest run is the least disturbed estimate of the cost.
    Wall time by default; `cpu=True` counts the calling thread's CPU time instead
    (`time.thread_time`), which time spent waiting for a busy core does not inflate. That
    needs torch on one thread (`torch.set_num_threads(1)`), so that all the work is done by
    the thread that is timed.
    """
    _checks.module("model", model)
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch tensor batch; got {type(x).__name__}")
    _checks.integer("repeats", repeats, minimum=None, hint=" (a positive count)")
    if repeats < 1:
        raise ValueError(f"repeats must be a positive count; got {repeats}")
    if cpu and torch.get_num_threads() != 1:
        raise ValueError(f"cpu=True times the calling thread only, but torch runs "
                         f"{torch.get_num_threads()} threads: call torch.set_num_threads(1) "
                         f"first, or time wall seconds with cpu=False")
    clock = time.thread_time if cpu else time.perf_counter
    times = []
    for i in range(repeats + 1):  # the first, warm-up, run is not counted
        start = clock()
        model(x).square().mean().backward()
        if i:
            times.append(clock() - start)
    model.zero_grad()
    return float(min(times))


def loglog_slope(lengths: np.ndarray, seconds: np.ndarray) -> float:
    """Exponent p of the least-squares fit seconds ~ c * length^p."""
    lengths, seconds = np.asarray(lengths, float), np.asarray(seconds, float)
    if lengths.shape != seconds.shape or lengths.size < 2:
        raise ValueError(f"lengths and seconds must be equal-length arrays of >= 2 values; "
                         f"got shapes {lengths.shape}, {seconds.shape}")
    if not (np.isfinite(lengths).all() and np.isfinite(seconds).all()):
        raise ValueError("lengths and seconds must be finite numbers (no NaN or inf)")
    if (lengths <= 0).any() or (seconds <= 0).any():
        raise ValueError("lengths and seconds must be positive to fit on a log-log scale")
    return float(np.polyfit(np.log(lengths), np.log(seconds), 1)[0])


@dataclass
class Stream:
    """A streamed run: outputs (n, O), seconds per step (n,), floats of state kept (n,)."""

    outputs: torch.Tensor
    seconds: np.ndarray
    state_floats: np.ndarray


def _check_stream(x: torch.Tensor, model: nn.Module, kind: type, features: int) -> None:
    """Check that model is a `kind` and x one float sequence (1, T, features) for it."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch tensor (1, time, features); got {type(x).__name__}")
    if x.ndim != 3 or x.shape[0] != 1:
        raise ValueError(f"x must be one sequence, (1, time, features); got {tuple(x.shape)}")
    _checks.array("x", x, 3, "(1, time, features)", kind="float", finite=True)
    _checks.instance("model", model, kind, f"a seqbook {kind.__name__}")
    if x.shape[2] != features:
        raise ValueError(f"x has {x.shape[2]} features per step; the model expects {features}")


def _run(step, x: torch.Tensor) -> Stream:
    outs, secs, sizes = [], [], []
    with torch.no_grad():
        for t in range(x.shape[1]):
            start = time.perf_counter()
            out, size = step(t, x[:, t])  # (1, O), floats kept
            secs.append(time.perf_counter() - start)
            outs.append(out[0])
            sizes.append(size)
    return Stream(torch.stack(outs), np.array(secs), np.array(sizes))


def stream_rnn(model: SequenceModel, x: torch.Tensor) -> Stream:
    """Step an RNN/LSTM/GRU: each step reads x_t and the state, whatever the history."""
    if isinstance(model, SequenceModel) and model.embed is not None:
        raise ValueError("stream_rnn needs a SequenceModel on float inputs (no vocab_size)")
    _check_stream(x, model, SequenceModel, getattr(getattr(model, "rnn", None), "input_size", 0))
    state = [None]

    def step(t: int, x_t: torch.Tensor) -> tuple[torch.Tensor, int]:
        h, state[0] = model.rnn(x_t[:, None], state[0])  # (1, 1, H)
        size = sum(s.numel() for s in state[0]) if isinstance(state[0], tuple) \
            else state[0].numel()
        return model.head(h[:, 0]), size

    return _run(step, x)


def stream_tcn(model: TCN, x: torch.Tensor) -> Stream:
    """Step a TCN with one buffer per convolution: its last (k - 1) d + 1 inputs, so each
    step costs one output per layer (the fast generation of WaveNet-style models)."""
    if isinstance(model, TCN) and model.embed is not None:
        raise ValueError("stream_tcn needs a TCN on float inputs (no vocab_size)")
    _check_stream(x, model, TCN, model.blocks[0].conv1.conv.in_channels
                  if isinstance(model, TCN) else 0)
    buffers: dict[int, torch.Tensor] = {}

    def conv_step(conv: CausalConv1d, x_t: torch.Tensor) -> torch.Tensor:  # (1, C_in)
        keep = conv.pad + 1  # the inputs that one output of this layer reads
        old = buffers.get(id(conv), torch.zeros(1, x_t.shape[1], keep, dtype=x_t.dtype))
        buffers[id(conv)] = buf = torch.cat([old[:, :, 1:], x_t[:, :, None]], dim=2)
        return conv.conv(buf)[:, :, 0]  # (1, C_out): no padding needed

    def step(t: int, x_t: torch.Tensor) -> tuple[torch.Tensor, int]:
        h = model.embed(x_t) if model.embed is not None else x_t  # (1, D)
        for block in model.blocks:
            a = torch.relu(conv_step(block.conv1, h))
            a = torch.relu(conv_step(block.conv2, a))
            h = torch.relu(block.skip(h[:, :, None])[:, :, 0] + a)  # (1, C)
        return model.head(h), sum(b.numel() for b in buffers.values())

    return _run(step, x)


def stream_transformer(model: Transformer, x: torch.Tensor) -> Stream:
    """Step a causal Transformer with a key-value cache: step t attends to t + 1 keys."""
    _check_stream(x, model, Transformer, getattr(getattr(model, "embed", None), "in_features", 0))
    if not model.causal or model.tokens:
        raise ValueError("stream_transformer needs a causal Transformer on float inputs")
    cache: list[list[torch.Tensor]] = [[] for _ in model.blocks]  # per block: keys, values

    def step(t: int, x_t: torch.Tensor) -> tuple[torch.Tensor, int]:
        h = model.embed(x_t[:, None]) + model.pos[t]  # (1, 1, d)
        for block, kv in zip(model.blocks, cache, strict=True):
            a, mha = block.ln1(h), block.attn
            if not kv:
                kv += [mha.split(mha.k(a)), mha.split(mha.v(a))]  # (1, h, 1, d/h)
            else:
                kv[0] = torch.cat([kv[0], mha.split(mha.k(a))], dim=2)  # (1, h, t+1, d/h)
                kv[1] = torch.cat([kv[1], mha.split(mha.v(a))], dim=2)
            out, _ = attention(mha.split(mha.q(a)), kv[0], kv[1])  # (1, h, 1, d/h)
            h = h + mha.o(out.transpose(1, 2).flatten(2))
            h = h + block.mlp(block.ln2(h))
        size = sum(k.numel() + v.numel() for k, v in cache)
        return model.head(model.ln(h)[:, 0]), size

    return _run(step, x)
