"""Feedback for the exercises of chapters/10_seq2seq_attention.ipynb.

Each `check_...` runs the learner's function on a few cases, prints what went right or wrong
in plain words, and returns True only if everything passed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from seqbook.exercises import call_learner
from seqbook.seq2seq import dot_attention, masked_softmax
from seqbook.translation import anchor_alignment


def _cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    cases = []
    for B, T, S, H in [(1, 1, 3, 4), (2, 3, 5, 4), (3, 2, 4, 8)]:
        q = torch.randn(B, T, H, generator=g, dtype=torch.float64)
        k = torch.randn(B, S, H, generator=g, dtype=torch.float64) * 2
        lengths = torch.tensor([S] + [max(1, S - 2 - b) for b in range(1, B)])
        mask = torch.arange(S)[None, :] < lengths[:, None]
        cases.append((q, k, mask))
    return cases


def _as_tensor(got, shape) -> tuple[torch.Tensor | None, str | None]:
    if not isinstance(got, torch.Tensor):
        return None, f"return a torch tensor of shape {tuple(shape)}; got {type(got).__name__}"
    if tuple(got.shape) != tuple(shape):
        return None, f"expected shape {tuple(shape)}; got {tuple(got.shape)}"
    return got.double(), None


def check_masked_softmax(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check the learner's `fn(scores (B, T, S), mask (B, S)) -> weights (B, T, S)`."""
    for q, k, mask in _cases():
        scores = q @ k.transpose(1, 2)
        got, err = call_learner(fn, scores.clone(), mask.clone())
        if err is None:
            got, err = _as_tensor(got, scores.shape)
        if err:
            print(err)
            return False
        want = masked_softmax(scores, mask)
        if torch.allclose(got, want, atol=1e-9):
            continue
        if torch.allclose(got, scores.softmax(-1), atol=1e-9):
            hint = ("the padded source positions got weight: set their scores to -inf "
                    "(masked_fill with ~mask) before the softmax")
        elif torch.allclose(got, scores.softmax(-1) * mask[:, None, :], atol=1e-9):
            hint = ("padding has weight 0 but the rows no longer sum to 1: mask the scores before "
                    "the softmax instead of zeroing the weights after it")
        elif not torch.allclose(got.sum(-1), torch.ones_like(got.sum(-1)), atol=1e-6):
            hint = "each row of weights must sum to 1 over the source axis (softmax over dim=-1)"
        else:
            hint = "compare with scores.masked_fill(~mask[:, None, :], -inf).softmax(-1)"
        print(f"scores of shape {tuple(scores.shape)}: wrong weights: {hint}.")
        return False
    print("Correct: padded positions get weight 0 and each row sums to 1.")
    return True


def check_dot_attention(fn: Callable[..., tuple[torch.Tensor, torch.Tensor]]) -> bool:
    """Check `fn(query (B, T, H), keys (B, S, H), mask (B, S)) -> (context, weights)`."""
    for q, k, mask in _cases():
        got, err = call_learner(fn, q.clone(), k.clone(), mask.clone())
        if err is None and not (isinstance(got, tuple) and len(got) == 2):
            err = f"return the pair (context, weights); got {type(got).__name__}"
        if err:
            print(err)
            return False
        context, err = _as_tensor(got[0], q.shape)
        weights, err2 = _as_tensor(got[1], (*q.shape[:2], k.shape[1]))
        if err or err2:
            print(f"context: {err}" if err else f"weights: {err2}")
            return False
        want_c, want_w = dot_attention(q, k, mask)
        if torch.allclose(weights, want_w, atol=1e-9) and torch.allclose(context, want_c,
                                                                         atol=1e-9):
            continue
        unscaled = masked_softmax(q @ k.transpose(1, 2), mask)
        if torch.allclose(weights, want_w, atol=1e-9):
            hint = "the weights are right; the context is weights @ keys, shape (B, T, H)"
        elif torch.allclose(weights, unscaled, atol=1e-9):
            hint = f"divide the scores by sqrt(H) = sqrt({q.shape[-1]}) before the softmax"
        elif torch.allclose(weights, (q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])).softmax(-1),
                            atol=1e-9):
            hint = "the padded source positions got weight: mask the scores first"
        else:
            hint = "the scores are query @ keys.transpose(1, 2) / sqrt(H), one per (t, s)"
        print(f"query {tuple(q.shape)}, keys {tuple(k.shape)}: {hint}.")
        return False
    print("Correct: scaled scores, masked softmax, weighted average of the keys.")
    return True


def check_anchor_alignment(fn: Callable[[list[str], list[str]], list[tuple[int, int]]]) -> bool:
    """Check `fn(source, target) -> [(target position, source position), ...]` of the anchors."""
    cases = [("deux mille trois", "two thousand and three"),
             ("cent", "one hundred"),
             ("deux cents mille trois cent un", "two hundred thousand three hundred and one"),
             ("sept", "seven"),
             ("quatre vingt mille cent", "eighty thousand one hundred")]
    for fr, en in cases:
        src, tgt = fr.split(), en.split()
        got, err = call_learner(fn, src, tgt)
        if err:
            print(err)
            return False
        want = anchor_alignment(src, tgt)
        try:
            got = sorted((int(a), int(b)) for a, b in got)
        except (TypeError, ValueError):
            print(f"return a list of (target position, source position) pairs; got {got!r}")
            return False
        if got == want:
            continue
        if got == sorted((b, a) for a, b in want):
            hint = "put the TARGET position first: (target position, source position)"
        elif "cents" in src and len(got) < len(want):
            hint = "'cents' (plural) is an anchor of 'hundred' too"
        else:
            hint = "pair the k-th 'thousand' with the k-th 'mille', the k-th 'hundred' with " \
                   "the k-th 'cent' or 'cents'"
        print(f"{fr!r} -> {en!r}: you gave {got}, the alignment is {want}: {hint}.")
        return False
    print(f"Correct on {len(cases)} pairs.")
    return True
