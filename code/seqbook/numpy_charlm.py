"""A character-level language model in pure NumPy, trained with our own BPTT (no autograd).

Taught in chapters/03_bptt.ipynb as the payoff of the chapter: ``numpy_rnn.rnn_forward``,
``masked_cross_entropy`` and ``rnn_backward`` are all it takes to train a model that writes
text. Inputs are one-hot characters, the outputs are logits over the next character. The text
and the n-gram baselines come from ``seqbook.charlm`` (the pydoc topics of the stdlib).
"""

from __future__ import annotations

import numpy as np

from seqbook.numpy_rnn import (
    PARAM_NAMES,
    RNNParams,
    init_params,
    masked_cross_entropy,
    rnn_backward,
    rnn_forward,
    softmax,
)


def _check_ids(name: str, ids: object, vocab_size: int, min_len: int = 2) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer) or len(ids) < min_len:
        raise ValueError(f"{name} must be a 1-D integer id array of length >= {min_len} "
                         f"(use CharVocab.encode); got shape {ids.shape}, dtype {ids.dtype}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name} holds ids outside 0..{vocab_size - 1}; is vocab_size right?")
    return ids


def _check_training(train: object, vocab_size: int, hidden: int, steps: int, batch: int,
                    seq_len: int, lr: float) -> np.ndarray:
    for name, n in (("hidden", hidden), ("steps", steps), ("batch", batch), ("seq_len", seq_len)):
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a positive int; got {n!r}")
    if lr <= 0:
        raise ValueError(f"lr must be a positive learning rate such as 0.1; got {lr!r}")
    return _check_ids("train", train, vocab_size, seq_len + 1)


def one_hot(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """Integer ids (...) -> float64 one-hot vectors (..., vocab_size)."""
    return np.eye(vocab_size)[ids]


def train_char_rnn(
    train: np.ndarray,
    vocab_size: int,
    hidden: int,
    steps: int,
    rng: np.random.Generator,
    batch: int = 32,
    seq_len: int = 32,
    lr: float = 0.1,
) -> tuple[RNNParams, np.ndarray]:
    """Train a tanh RNN on windows of ``train`` (BPTT, Adagrad): params, losses.

    Each update draws ``batch`` windows of ``seq_len`` + 1 characters, predicts
    every next character from h_0 = 0, and takes one Adagrad step (as in
    min-char-rnn) with the gradients of ``rnn_backward``. ``losses``: the mean
    cross-entropy of every update, in nats.
    """
    train = _check_training(train, vocab_size, hidden, steps, batch, seq_len,
                            lr)
    params = init_params(vocab_size, hidden, vocab_size, rng)  # U(+-1/sqrt(H))
    memory = {n: np.zeros_like(getattr(params, n)) for n in PARAM_NAMES}
    losses = np.zeros(steps)
    for step in range(steps):
        starts = rng.integers(0, len(train) - seq_len, size=batch)
        windows = train[starts[:, None] + np.arange(seq_len + 1)]  # (B, L+1)
        x = one_hot(windows[:, :-1], vocab_size)  # (B, L, V)
        logits, hs = rnn_forward(params, x)  # (B, L, V), (B, L+1, H)
        losses[step], dlogits = masked_cross_entropy(logits, windows[:, 1:])
        grads = rnn_backward(params, x, hs, dlogits)
        for n in PARAM_NAMES:
            g = np.clip(getattr(grads, n), -5, 5)  # as in min-char-rnn
            memory[n] += g**2  # Adagrad: the sum of squared gradients
            getattr(params, n)[...] -= lr * g / np.sqrt(memory[n] + 1e-8)
    return params, losses


def rnn_bpc(params: RNNParams, context: int, test: np.ndarray, streams: int = 8) -> float:
    """Held-out bits per character of the RNN, every character of ``test`` scored.

    ``test`` is cut into ``streams`` contiguous pieces run side by side (a batch); each piece
    starts from h_0 = 0 after reading the character before it (``context`` for the first), so
    every character has one predecessor, as for the bigram baseline.
    """
    V = params.W_hy.shape[0]
    test = _check_ids("test", test, V)
    if not 0 <= context < V:
        raise ValueError(f"context must be a character id in 0..{V - 1}; got {context!r}")
    if not isinstance(streams, (int, np.integer)) or not 1 <= streams <= len(test):
        raise ValueError(f"streams must be an int in 1..len(test); got {streams!r}")
    n = len(test) // streams * streams  # a whole number of pieces; the rest is scored below
    ids = np.concatenate([[context], test])  # ids[i] precedes test[i]
    bits = 0.0
    for lo, hi, k in ((0, n, streams), (n, len(test), 1)):
        if hi == lo:
            continue
        inputs = ids[lo:hi].reshape(k, -1)  # (k, L) the predecessors
        targets = test[lo:hi].reshape(k, -1)  # (k, L)
        logits, _ = rnn_forward(params, one_hot(inputs, V))  # (k, L, V)
        logp = np.log(softmax(logits))
        bits -= np.take_along_axis(logp, targets[..., None], axis=-1).sum() / np.log(2)
    return float(bits / len(test))


def sample_text(
    params: RNNParams,
    chars: str,
    prompt: str,
    n_chars: int,
    rng: np.random.Generator,
    temperature: float = 0.8,
) -> str:
    """Feed ``prompt`` and then draw ``n_chars`` characters, one step of the RNN at a time."""
    V = params.W_hy.shape[0]
    if len(chars) != V:
        raise ValueError(f"chars must be the vocabulary of the model, {V} characters; "
                         f"got {len(chars)}")
    if not prompt or set(prompt) - set(chars):
        raise ValueError("prompt must be a non-empty string of characters in the vocabulary")
    if temperature <= 0:
        raise ValueError(f"temperature must be positive such as 0.8; got {temperature!r}")
    index = {c: k for k, c in enumerate(chars)}
    _, hs = rnn_forward(params, one_hot(np.array([[index[c] for c in prompt]]), V))
    h, out = hs[:, -1], []  # (1, H) the state after the prompt
    for _ in range(n_chars):
        p = softmax((h @ params.W_hy.T + params.b_y) / temperature)[0]  # (V,)
        k = int(rng.choice(V, p=p))
        out.append(chars[k])
        _, hs = rnn_forward(params, one_hot(np.array([[k]]), V), h0=h)
        h = hs[:, -1]
    return prompt + "".join(out)
