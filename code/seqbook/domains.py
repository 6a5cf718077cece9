"""Small, concrete examples of sequential data from five domains, as arrays with shapes.

Language (token ids, and the prose sentences of a document), time series (shipped real data,
see seqbook.data), video (a moving square), genomics (one-hot DNA with a planted motif, found
again by scanning) and reinforcement learning (an episode of
observations, actions and rewards). Taught in chapters/01_sequential_problems.ipynb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from seqbook import checks as _checks

DNA = "ACGT"

_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bE\.g\.)(?<=[.!?])\s+")
_UNDERLINE = re.compile(r"[*=\-~^#]{3,}")
_NUMBERING = re.compile(r"\(?[0-9IVXivx]+[.)]")


def tokenize(text: str) -> list[str]:
    """Lower-case words and punctuation marks of `text`."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    return re.findall(r"[a-z']+|[.,!?]", text.lower())


def prose_sentences(text: str) -> list[str]:
    """The sentences of the prose paragraphs of a reStructuredText document.

    Paragraphs (separated by blank lines) that hold code, tables or doctests (a line starting
    with a space, '+', '|' or '>>>') or a heading underline are dropped; the rest are split
    after '.', '!' or '?' (not after 'e.g.' or 'i.e.'). A sentence is kept if it starts with a
    capital letter (after an optional quote, bracket or '*') and ends with '.', '!' or '?', so
    list numbers such as '2.' and code fragments are not counted as sentences.
    Taught in chapters/01_sequential_problems.ipynb (sentence lengths of the Python docs).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    sentences = []
    for para in re.split(r"\n\s*\n", text):
        lines = [line for line in para.split("\n") if line.strip()]
        if any(line.startswith((" ", "\t", "+", "|", ">>>")) for line in lines):
            continue  # code block, table or doctest
        if any(_UNDERLINE.fullmatch(line.strip()) for line in lines):
            continue  # a heading
        for s in _SENTENCE_END.split(" ".join(line.strip() for line in lines)):
            s = s.strip()
            if (re.match(r"^[\"'(*]?[A-Z]", s) and s[-1:] in (".", "!", "?")
                    and not _NUMBERING.fullmatch(s)):
                sentences.append(s)
    return sentences


def build_vocab(sentences: Sequence[Sequence[str]]) -> dict[str, int]:
    """Map each token to an id; id 0 is reserved for padding ('<pad>')."""
    if isinstance(sentences, (str, bytes)) or not hasattr(sentences, "__iter__") or any(
            isinstance(s, str) or not hasattr(s, "__iter__") for s in sentences):
        raise TypeError("sentences must be lists of tokens; tokenize them first: "
                        "[tokenize(s) for s in texts]")
    vocab = {"<pad>": 0}
    for s in sentences:
        for tok in s:
            vocab.setdefault(tok, len(vocab))
    return vocab


def one_hot(ids: np.ndarray, n: int) -> np.ndarray:
    """One-hot encode integer ids (any shape) into (..., n) float arrays."""
    _checks.integer("n", n, minimum=1, hint=" (the number of classes)")
    ids = np.asarray(ids)
    if ids.size == 0:
        ids = ids.astype(np.int64)  # np.asarray([]) is float64
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"ids must hold integer ids; got dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise ValueError(f"ids must lie in 0..{n - 1}; got range {ids.min()}..{ids.max()}")
    return np.eye(n)[ids]


def moving_square_clip(T: int, size: int, rng: np.random.Generator,
                       square: int = 3) -> tuple[np.ndarray, int]:
    """A (T, size, size) clip of a square sliding left or right; returns (clip, direction).

    direction is +1 (rightwards) or -1 (leftwards). The square starts at a random column and
    wraps around the edges, so no single frame reveals the direction: only the order does.
    """
    for name, v in (("T", T), ("size", size), ("square", square)):
        _checks.integer(name, v, minimum=1)
    _checks.generator("rng", rng)
    if size < square + 2 or T < 2:
        raise ValueError(f"need size >= square + 2 and T >= 2; got size={size}, T={T}")
    direction = int(rng.choice([-1, 1]))
    row, start = int(rng.integers(0, size - square + 1)), int(rng.integers(0, size))
    clip = np.zeros((T, size, size))
    for t in range(T):
        cols = (start + direction * t + np.arange(square)) % size
        clip[t, row : row + square, cols] = 1.0
    return clip, direction


def dna_with_motif(length: int, motif: str, rng: np.random.Generator,
                   pos: int | None = None) -> tuple[str, int]:
    """A random DNA string of `length` bases with `motif` planted at position `pos` (a random
    position if None); returns (string, pos)."""
    _checks.integer("length", length, minimum=1, hint=" (bases)")
    if not isinstance(motif, str):
        raise TypeError(f"motif must be a str over {DNA}; got {type(motif).__name__}")
    _checks.generator("rng", rng)
    if not set(motif) <= set(DNA) or not 0 < len(motif) <= length:
        raise ValueError(f"motif must be a non-empty string over {DNA} no longer than length")
    if pos is not None:
        _checks.integer("pos", pos, minimum=None, hint=" (or None for a random position)")
    if pos is not None and not 0 <= pos <= length - len(motif):
        raise ValueError(f"pos must be in 0..{length - len(motif)} so the motif fits; got {pos}")
    seq = list(rng.choice(list(DNA), size=length))
    if pos is None:
        pos = int(rng.integers(0, length - len(motif) + 1))
    seq[pos : pos + len(motif)] = list(motif)
    return "".join(seq), pos


def find_motif(seq: str, motif: str) -> list[int]:
    """Every position where `motif` starts in `seq`, overlapping matches included.

    Taught in chapters/01_sequential_problems.ipynb: a 6-base motif also turns up by chance,
    about once every 4**6 = 4,096 random bases.
    """
    _checks.text("seq", seq, " of DNA letters such as 'ACGT'", empty=True)
    _checks.text("motif", motif, ", e.g. 'TATAAA'", empty=True)
    if not motif:
        raise ValueError("motif must be a non-empty string, e.g. 'TATAAA'")
    return [i for i in range(len(seq) - len(motif) + 1) if seq.startswith(motif, i)]


def encode_dna(seq: str) -> np.ndarray:
    """One-hot (L, 4) encoding of a DNA string in the order A, C, G, T."""
    if not isinstance(seq, str) or not seq:
        raise ValueError(f"seq must be a non-empty DNA string over {DNA}; got {seq!r}")
    if not set(seq) <= set(DNA):
        raise ValueError(f"DNA must contain only the letters {DNA}; found {set(seq) - set(DNA)}")
    return one_hot(np.array([DNA.index(b) for b in seq]), 4)


def corridor_episode(T: int, rng: np.random.Generator, length: int = 7
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An episode of a random agent in a 1-D corridor with a reward at the right end.

    Returns observations (T, length) one-hot positions, actions (T,) in {-1, +1} and rewards
    (T,) (1.0 on reaching the right end, after which the agent restarts at the left).
    """
    _checks.integer("T", T, minimum=None)
    _checks.integer("length", length, minimum=None)
    _checks.generator("rng", rng)
    if T < 1 or length < 2:
        raise ValueError(f"need T >= 1 and length >= 2; got T={T}, length={length}")
    pos, obs, acts, rews = 0, [], [], []
    for _ in range(T):
        obs.append(pos)
        a = int(rng.choice([-1, 1]))
        pos = min(max(pos + a, 0), length - 1)
        r = 1.0 if pos == length - 1 else 0.0
        if r:
            pos = 0
        acts.append(a)
        rews.append(r)
    return one_hot(np.array(obs), length), np.array(acts), np.array(rews)


def discounted_return(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """G_t = r_t + gamma * G_{t+1} for every step: the sum of future rewards, discounted."""
    _checks.number("gamma", gamma, hint=" in [0, 1]")
    _checks.array("rewards", rewards, 1, "(time,)", kind="number", min_size=0, finite=True)
    if not 0 <= gamma <= 1:
        raise ValueError(f"gamma must be in [0, 1]; got {gamma}")
    G, out = 0.0, np.zeros(len(rewards))
    for t in range(len(rewards) - 1, -1, -1):
        G = rewards[t] + gamma * G
        out[t] = G
    return out
