"""Character-level language models: a corpus, n-gram baselines, bits per char.

Taught in chapters/06_lstm_gru_in_practice.ipynb. The corpus is the Python
documentation text that ships inside the standard library
(``pydoc_data.topics.topics``, the help pages behind ``help('for')``; licence
PSF, already on every Python install, so nothing downloads). Its exact content
depends on the Python version, so numbers computed from it are asserted with
tolerances.
A model's quality is its cross-entropy on held-out text in bits per character:
bpc = -(1/N) sum_t log2 p(c_t | c_<t); a uniform guess over V symbols: log2 V.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from seqbook import checks as _checks


def load_corpus() -> str:
    """The Python documentation topics of the standard library, in key order."""
    from pydoc_data.topics import topics

    return "\n\n".join(topics[k].strip() for k in sorted(topics))


@dataclass
class CharVocab:
    """The alphabet of a text and the mapping between characters and ids."""

    chars: str  # the sorted distinct characters; id k is chars[k]

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}")
        if not text:
            raise ValueError("text is empty; build the vocabulary from text")
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Characters -> int64 ids, shape (len(text),)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}")
        index = {c: k for k, c in enumerate(self.chars)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"characters {unknown[:5]} are not in the "
                             "vocabulary; build it from the whole corpus with "
                             "CharVocab.from_text")
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, ids: np.ndarray | list[int]) -> str:
        """Integer ids -> string."""
        _checks.array("ids", ids, 1, "(a 1-D sequence of character ids)", kind="int",
                      min_size=0)
        _checks.ids("ids", ids, len(self.chars))
        return "".join(self.chars[int(k)] for k in ids)


def split(ids: np.ndarray,
          held_out: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Split a 1-D id array into (train, held-out); held-out comes last."""
    _checks.array("ids", ids, 1, "(a 1-D id array)", min_size=2)
    _checks.number("held_out", held_out, hint=" (a fraction in (0, 1) such as 0.1)")
    if not 0 < held_out < 1:
        raise ValueError(f"held_out must be a fraction in (0, 1) such as 0.1; "
                         f"got {held_out}")
    cut = int(round(len(ids) * (1 - held_out)))
    return ids[:cut], ids[cut:]


def check_ids(name: str, ids: np.ndarray, vocab_size: int,
              min_len: int = 1) -> np.ndarray:
    """``ids`` as an array, after checking it is 1-D integer ids in 0..vocab_size - 1.

    Raises ValueError naming the argument ``name``; shared by the n-gram models here and in
    ``seqbook.baselines``.
    """
    _checks.integer("vocab_size", vocab_size, minimum=1)
    ids = np.asarray(ids)
    if (ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer)
            or len(ids) < min_len):
        raise ValueError(f"{name} must be a 1-D integer id array of length "
                         f">= {min_len} (use CharVocab.encode); got shape "
                         f"{ids.shape}, dtype {ids.dtype}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name} holds ids outside 0..{vocab_size - 1}; "
                         "is vocab_size right?")
    return ids


_check_ids = check_ids  # the name used inside this module


def unigram_bpc(train: np.ndarray, test: np.ndarray, vocab_size: int,
                alpha: float = 1.0) -> float:
    """Held-out bpc of character frequencies, add-alpha smoothed."""
    train = _check_ids("train", train, vocab_size)
    test = _check_ids("test", test, vocab_size)
    _checks.number("alpha", alpha, low=0.0, hint=" (add-alpha smoothing such as 1.0)")
    counts = np.bincount(train, minlength=vocab_size) + alpha  # (V,)
    return float(-np.log2(counts[test] / counts.sum()).mean())


def bigram_bpc(train: np.ndarray, test: np.ndarray, vocab_size: int,
               alpha: float = 1.0) -> float:
    """Held-out bpc of p(c | a) = (n(a, c) + alpha) / (n(a) + alpha V).

    Every held-out character is scored; the first one has no predecessor and
    is scored by the unigram model.
    """
    train = _check_ids("train", train, vocab_size, 2)
    test = _check_ids("test", test, vocab_size)
    _checks.number("alpha", alpha, hint=" (add-alpha smoothing such as 1.0)")
    if alpha <= 0:
        raise ValueError("alpha must be positive (unseen pairs would get "
                         f"probability 0); got {alpha}")
    V = vocab_size
    pairs = np.zeros((V, V))  # pairs[a, c] = n(a, c) in the training text
    np.add.at(pairs, (train[:-1], train[1:]), 1.0)
    n_a = pairs.sum(axis=1, keepdims=True)  # (V, 1) how often a has a successor
    probs = (pairs + alpha) / (n_a + alpha * V)  # rows sum to 1
    bits = -np.log2(probs[test[:-1], test[1:]]).sum()  # every held-out pair
    n_first = np.bincount(train, minlength=V)[test[0]]
    p_first = (n_first + alpha) / (len(train) + alpha * V)
    return float((bits - np.log2(p_first)) / len(test))


def char_batches(ids: np.ndarray, batch: int, seq_len: int,
                 rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of a text: x (batch, seq_len) ids and y shifted by one."""
    _checks.integer("batch", batch, minimum=None)
    _checks.integer("seq_len", seq_len, minimum=None)
    _checks.generator("rng", rng)
    _checks.array("ids", ids, 1, "(a 1-D id array)", kind="int", min_size=0)
    ids = np.asarray(ids)
    if batch < 1 or seq_len < 1 or len(ids) < seq_len + 1:
        raise ValueError(f"need batch >= 1, seq_len >= 1 and a text longer "
                         f"than seq_len; got batch={batch}, seq_len={seq_len}, "
                         f"len={len(ids)}")
    starts = rng.integers(0, len(ids) - seq_len, size=batch)
    windows = ids[starts[:, None] + np.arange(seq_len + 1)]  # (B, L+1)
    x, y = windows[:, :-1].copy(), windows[:, 1:].copy()
    return torch.from_numpy(x), torch.from_numpy(y)


def stream_window(ids: np.ndarray, batch: int, seq_len: int,
                  step: int) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Window ``step`` of ``batch`` parallel streams of a text, as char-rnn reads it.

    The text is cut into ``batch`` contiguous streams; step k returns the k-th window of
    seq_len characters of every stream, x (batch, seq_len) and y shifted by one, so that
    window k + 1 continues window k. After the last window of a pass it starts again;
    ``fresh`` is True at the first window of each pass (the state must be reset there).
    """
    ids = np.asarray(ids)
    if batch < 1 or seq_len < 1 or step < 0:
        raise ValueError(f"need batch >= 1, seq_len >= 1 and step >= 0; got batch={batch}, "
                         f"seq_len={seq_len}, step={step}")
    stream_len = (len(ids) - 1) // batch  # characters per stream
    per_pass = stream_len // seq_len  # windows per pass over the text
    if per_pass < 1:
        raise ValueError(f"the text ({len(ids)} ids) is too short for {batch} streams of "
                         f"windows of {seq_len}; use fewer streams or shorter windows")
    k = step % per_pass
    starts = np.arange(batch) * stream_len + k * seq_len  # (B,)
    windows = ids[starts[:, None] + np.arange(seq_len + 1)]  # (B, L+1)
    x, y = windows[:, :-1].copy(), windows[:, 1:].copy()
    return torch.from_numpy(x), torch.from_numpy(y), k == 0


def detach_state(state):
    """The recurrent state with its history cut off: gradients stop at the window's start."""
    if isinstance(state, tuple):  # the LSTM's (h, c)
        return tuple(s.detach() for s in state)
    return state.detach()


def tbptt_loss(model: torch.nn.Module, ids: np.ndarray, batch: int,
               seq_len: int):
    """A ``step_loss(step)`` for ``train.fit``: truncated BPTT, state carried.

    Each step reads the next window of every stream (``stream_window``),
    starting from the state the previous window ended in, detached: the
    forward pass sees the whole stream so far, but gradients flow back at
    most ``seq_len`` steps. Used in chapter 6.
    """
    _check_model(model)
    memory = {"state": None}

    def step_loss(step: int) -> torch.Tensor:
        x, y, fresh = stream_window(ids, batch, seq_len, step)  # (B, L) each
        if fresh:
            memory["state"] = None  # a new pass starts from zeros
        out, state = model.rnn(model.embed(x), memory["state"])  # (B, L, H)
        memory["state"] = detach_state(state)
        logits = model.head(out)  # (B, L, V)
        return torch.nn.functional.cross_entropy(logits.flatten(0, 1),
                                                 y.flatten())

    return step_loss


def _check_model(model: torch.nn.Module) -> None:
    _checks.module("model", model)
    ok = (all(hasattr(model, a) for a in ("embed", "rnn", "head"))
          and model.embed is not None)
    if not ok or getattr(model, "head_kind", None) != "all":
        raise ValueError("model must be a seqbook.models.SequenceModel built "
                         "with vocab_size=V and head='all' (one prediction per "
                         "character)")


def score_windows(n: int, seq_len: int,
                  context: int) -> list[tuple[int, int, int]]:
    """The windows ``model_bpc`` runs over a text of n characters.

    Each window is (start, stop, scored): the model reads ids[start:stop],
    predicts ids[start + 1:stop + 1], and the last ``scored`` predictions count.
    Together the windows score every character but the first exactly once.
    """
    _checks.integer("n", n, minimum=0, hint=" (characters in the text)")
    _checks.integer("seq_len", seq_len, minimum=1)
    _checks.integer("context", context, minimum=0)
    windows = []
    for first in range(1, n, seq_len):  # the first target of each chunk
        end = min(first + seq_len, n)  # one past its last target
        start = max(0, first - 1 - context)  # up to `context` steps of warm-up
        windows.append((start, end - 1, end - first))
    return windows


@torch.no_grad()
def model_bpc(model: torch.nn.Module, ids: np.ndarray, seq_len: int = 128,
              context: int = 32, batch: int = 64) -> float:
    """Held-out bpc of a character model over every character but the first.

    The text is cut into chunks of ``seq_len`` targets; the model reads each
    chunk after ``context`` characters of warm-up (fewer at the very start), so
    all but the first ``context`` scored characters have at least ``context``
    characters of history. The n-gram baselines also score the first character;
    one character in tens of thousands makes no visible difference.
    """
    _check_model(model)
    ids = _check_ids("ids", ids, model.embed.num_embeddings, 2)
    _checks.integer("batch", batch, minimum=1)
    _checks.integer("seq_len", seq_len, minimum=None)
    _checks.integer("context", context, minimum=None)
    if seq_len < 1 or context < 0:
        raise ValueError(f"need seq_len >= 1 and context >= 0; "
                         f"got {seq_len}, {context}")
    model.eval()
    groups: dict[tuple[int, int], list[int]] = {}  # equal shapes batch up
    for start, stop, scored in score_windows(len(ids), seq_len, context):
        groups.setdefault((stop - start, scored), []).append(start)
    total, count = 0.0, 0
    for (length, scored), starts in groups.items():
        for k in range(0, len(starts), batch):
            s = np.array(starts[k:k + batch])
            win = torch.from_numpy(ids[s[:, None] + np.arange(length + 1)])
            logits = model(win[:, :-1]).double()  # (b, L, V)
            logp = torch.log_softmax(logits, dim=-1)
            picked = logp.gather(-1, win[:, 1:, None])[:, length - scored:]
            total -= picked.sum().item()
            count += picked.numel()
    return total / count / np.log(2.0)


@torch.no_grad()
def sample(model: torch.nn.Module, vocab: CharVocab, prompt: str, n_chars: int,
           temperature: float, rng: np.random.Generator) -> str:
    """Continue ``prompt`` by n_chars chars from softmax(logits / temperature).

    ``temperature=0`` picks the most likely character every time (greedy).
    """
    _check_model(model)
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab; got {type(vocab).__name__}")
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str; got {type(prompt).__name__}")
    _checks.integer("n_chars", n_chars, minimum=None)
    _checks.number("temperature", temperature, hint=" (>= 0; 0 is greedy)")
    _checks.generator("rng", rng)
    if vocab.size != model.embed.num_embeddings:
        raise ValueError(f"vocab has {vocab.size} characters but model.embed has "
                         f"{model.embed.num_embeddings}; pass the vocab the model was built for")
    if temperature < 0 or n_chars < 0 or not prompt:
        raise ValueError(f"need a non-empty prompt, n_chars >= 0 and "
                         f"temperature >= 0; got {prompt!r}, {n_chars}, "
                         f"{temperature}")
    model.eval()
    x = torch.from_numpy(vocab.encode(prompt))[None]  # (1, P)
    out, state = [], None
    for _ in range(n_chars):
        h, state = model.rnn(model.embed(x), state)  # carry the state
        logits = model.head(h[0, -1]).double().numpy()  # (V,)
        if temperature == 0:
            k = int(np.argmax(logits))
        else:
            z = logits / temperature
            p = np.exp(z - z.max())
            k = int(rng.choice(len(p), p=p / p.sum()))
        out.append(k)
        x = torch.tensor([[k]])  # the next input: the character just drawn
    return prompt + vocab.decode(out)


@torch.no_grad()
def sample_temperatures(model: torch.nn.Module, vocab: CharVocab, prompt: str,
                        n_chars: int, temperatures: list[float],
                        rng: np.random.Generator) -> list[str]:
    """One continuation of ``prompt`` per entry of ``temperatures``, drawn side by side.

    Row r of the batch samples as ``sample`` does at ``temperatures[r]`` (0 is greedy), so a
    sweep over temperatures, or several samples at one temperature (repeat it), costs about
    the sequential steps of one sample. Returns the texts in the order of ``temperatures``.
    Used in chapter 6.
    """
    _check_model(model)
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab; got {type(vocab).__name__}")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty str; got {prompt!r}")
    _checks.integer("n_chars", n_chars, minimum=0)
    _checks.generator("rng", rng)
    if not isinstance(temperatures, (list, tuple)) or not temperatures:
        raise ValueError(f"temperatures must be a non-empty list of numbers >= 0, one per "
                         f"sample; got {temperatures!r}")
    taus = np.array([_checks.number("temperatures", t, low=0.0, hint=" (>= 0; 0 is greedy)")
                     for t in temperatures])  # (R,)
    if vocab.size != model.embed.num_embeddings:
        raise ValueError(f"vocab has {vocab.size} characters but model.embed has "
                         f"{model.embed.num_embeddings}; pass the vocab the model was built for")
    model.eval()
    R = len(taus)
    x = torch.from_numpy(vocab.encode(prompt))[None].expand(R, -1)  # (R, P)
    out, state = np.zeros((R, n_chars), dtype=np.int64), None
    hot = taus > 0
    for t in range(n_chars):
        h, state = model.rnn(model.embed(x), state)  # carry the state
        logits = model.head(h[:, -1]).double().numpy()  # (R, V)
        k = logits.argmax(1)  # greedy rows keep this
        z = logits[hot] / taus[hot, None]
        p = np.exp(z - z.max(1, keepdims=True))
        cdf = np.cumsum(p / p.sum(1, keepdims=True), axis=1)  # (hot, V)
        u = rng.random(len(cdf))[:, None]
        k[hot] = np.minimum((cdf < u).sum(1), len(vocab.chars) - 1)  # inverse CDF
        out[:, t] = k
        x = torch.from_numpy(k)[:, None]  # (R, 1) the characters just drawn
    return [prompt + vocab.decode(row) for row in out]


@torch.no_grad()
def self_scores(model: torch.nn.Module, ids: np.ndarray, start: int) -> tuple[float, float]:
    """Bits/char the model assigns to ids[start:], and the mean entropy of its predictions there.

    For a sample the model drew itself at temperature 1 both estimate the model's own
    entropy rate (the entropy is the lower-variance estimate); held-out bpc is a different
    number, the cross-entropy on real text. Used in chapter 6.
    """
    _check_model(model)
    ids = _check_ids("ids", ids, model.embed.num_embeddings, 2)
    if not 1 <= start < len(ids):
        raise ValueError(f"start must be in 1..{len(ids) - 1} (ids[start:] is scored); "
                         f"got {start}")
    model.eval()
    x = torch.from_numpy(ids)[None]  # (1, n)
    logp = torch.log_softmax(model(x[:, :-1]).double(), dim=-1)[0]  # (n - 1, V)
    picked = logp.gather(-1, x[0, 1:, None])[start - 1:, 0]  # targets ids[start:]
    entropy = -(logp.exp() * logp).sum(-1)[start - 1:]
    return (float(-picked.mean() / np.log(2.0)), float(entropy.mean() / np.log(2.0)))
