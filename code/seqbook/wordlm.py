"""Scoring and sampling a word-level language model: perplexity, n-gram baselines, generation.

A language model is scored by its perplexity, exp(mean cross-entropy in nats) = 2^(bits per
token): the number of equally likely words it is, on average, choosing between. The add-alpha
unigram and bigram models are the simple baselines every recurrent model must beat, scored on
exactly the tokens the recurrent model predicts (w_1 .. w_n and <eos>, each after <bos> and the
words before it). `generate` continues a prefix greedily or by sampling.
Taught in chapters/02_rnn.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from seqbook import checks as _checks
from seqbook.text import BOS, EOS, IGNORE, Vocab


def perplexity(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """exp of the cross-entropy averaged over the real targets (ids IGNORE are skipped).

    logits: (B, T, V) scores, targets: (B, T) ids with IGNORE (-100) at padded steps.
    """
    _checks.tensor("logits", logits, 3, "(batch, time, vocab)", kind="float")
    _checks.tensor("targets", targets, None, "(batch, time) of ids")
    if logits.ndim != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(f"logits must be (B, T, V) and targets (B, T); got "
                         f"{tuple(logits.shape)} and {tuple(targets.shape)}")
    if targets.dtype.is_floating_point:
        raise TypeError(f"targets must be integer ids, not {targets.dtype}")
    if not (targets != IGNORE).any():
        raise ValueError("targets has no real token (all are IGNORE): nothing to score")
    _checks.ids("targets", targets[targets != IGNORE], logits.shape[-1])
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                         ignore_index=IGNORE)  # reduction="mean": nats per real token
    return float(torch.exp(ce))


def _check_sentences(name: str, sentences: Sequence[Sequence[str]], vocab: Vocab) -> None:
    if isinstance(sentences, str) or not sentences or any(isinstance(s, str) for s in sentences):
        raise ValueError(f"{name} must be a non-empty list of sentences, each a list of words")
    for s in sentences:
        vocab.encode(s)  # raises ValueError naming any unknown word


def ngram_perplexity(train: Sequence[Sequence[str]], test: Sequence[Sequence[str]],
                     vocab: Vocab, order: int, alpha: float = 1.0) -> float:
    """Perplexity on `test` of an add-alpha unigram (order 1) or bigram (order 2) model of `train`.

    Smoothing spreads alpha over all len(vocab) ids, the same support as a softmax over the
    vocabulary, so the numbers compare directly with `perplexity` of a recurrent model.
    """
    _checks.instance("vocab", vocab, Vocab, "a seqbook.text.Vocab")
    _checks.number("alpha", alpha, hint=" (a positive smoothing count such as 1.0)")
    if order not in (1, 2):
        raise ValueError(f"order must be 1 (unigram) or 2 (bigram); got {order!r}")
    if not alpha > 0:
        raise ValueError(f"alpha must be positive (unseen words would get probability 0); "
                         f"got {alpha}")
    _check_sentences("train", train, vocab)
    _check_sentences("test", test, vocab)
    V = len(vocab)

    def pairs(sentences: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        ids = [vocab.encode([BOS, *s, EOS]) for s in sentences]
        prev = np.array([i for s in ids for i in s[:-1]])  # (N,) contexts
        nxt = np.array([i for s in ids for i in s[1:]])  # (N,) the tokens to predict
        return prev, nxt

    prev_tr, nxt_tr = pairs(train)
    prev_te, nxt_te = pairs(test)
    if order == 1:
        counts = np.bincount(nxt_tr, minlength=V) + alpha  # (V,)
        logp = np.log(counts[nxt_te] / counts.sum())
    else:
        table = np.zeros((V, V))  # table[a, b] = n(a followed by b)
        np.add.at(table, (prev_tr, nxt_tr), 1.0)
        probs = (table + alpha) / (table.sum(axis=1, keepdims=True) + alpha * V)
        logp = np.log(probs[prev_te, nxt_te])
    return float(np.exp(-logp.mean()))


def generate(model: torch.nn.Module, vocab: Vocab, prefix: Sequence[str], *,
             temperature: float = 0.0, generator: torch.Generator | None = None,
             max_words: int = 20) -> list[str]:
    """Continue `prefix` (from <bos>) word by word, up to <eos> or `max_words`.

    temperature 0 is greedy (the most probable word each time); otherwise the
    next word is drawn from softmax(logits / temperature). `model` maps ids
    (1, T) to logits (1, T, V), like SequenceModel(..., head="all"); the whole
    prefix is re-read at every step.
    """
    _checks.module("model", model)
    _checks.instance("vocab", vocab, Vocab, "a seqbook.text.Vocab")
    if isinstance(prefix, str):
        raise ValueError(f"prefix must be a list of words, not the string {prefix!r}: .split() it")
    _checks.number("temperature", temperature, hint=" (>= 0; 0 = greedy)")
    if generator is not None:
        _checks.instance("generator", generator, torch.Generator,
                         "a torch.Generator or None")
    _checks.integer("max_words", max_words, minimum=None, hint=" (a positive count)")
    if not prefix or prefix[0] != BOS:
        raise ValueError(f"prefix must start with {BOS!r}; got {list(prefix)[:3]}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0 = greedy); got {temperature}")
    if max_words < 1:
        raise ValueError(f"max_words must be a positive integer; got {max_words!r}")
    ids = vocab.encode(prefix)
    words = list(prefix)
    with torch.no_grad():
        for _ in range(max_words):
            logits = model(torch.tensor([ids]))[0, -1]  # (V,) next-word scores
            if temperature == 0:
                nxt = int(logits.argmax())
            else:
                probs = torch.softmax(logits / temperature, dim=-1)
                nxt = int(torch.multinomial(probs, 1, generator=generator))
            ids.append(nxt)
            words.append(vocab.itos[nxt])
            if vocab.itos[nxt] == EOS:
                break
    return words
