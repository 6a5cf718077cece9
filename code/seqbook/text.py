"""Two tiny text tasks generated in code (nothing is downloaded), and a word vocabulary.

(a) `going_to_corpus`: a few dozen sentences such as "i am going to the park to play", for a
word-level next-word model; who is going decides where they go, so the model must remember the
subject four words back to predict the word after "going to the".
(b) `sentiment_dataset` / `order_pairs`: many-to-one sentiment where word order decides the label
("good , not bad" is positive, "bad , not good" negative). `order_pairs` returns sentences two
by two with the same bag of words and opposite labels, so an order-blind model is at chance there.
`going_to_split` holds out sentences whose combination of opening, subject and place never
occurs in training, for a held-out perplexity.
`same_polarity_but` makes 'A but B' sentences with agreeing clauses, never seen in training, to
test which rule a classifier learned.
Taught in chapters/02_rnn.ipynb.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from seqbook import checks as _checks
from seqbook.sequences import pad_sequences

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
IGNORE = -100  # target id that torch's cross_entropy skips (its default ignore_index)


# --------------------------------------------------------------------------- vocabulary


@dataclass
class Vocab:
    """Word <-> id tables; id 0 is the padding token, then <bos>, <eos>, then words sorted."""

    itos: list[str]
    stoi: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    @classmethod
    def build(cls, sentences: Sequence[Sequence[str]]) -> Vocab:
        """A vocabulary of every word in `sentences` (each a list of words)."""
        if isinstance(sentences, str) or any(isinstance(s, str) for s in sentences):
            raise ValueError("sentences must be lists of words; split them first: s.split()")
        words = sorted({w for s in sentences for w in s} - {PAD, BOS, EOS})
        return cls([PAD, BOS, EOS, *words])

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, words: Sequence[str]) -> list[int]:
        """Word list -> id list; an unknown word raises ValueError naming it."""
        if isinstance(words, str):
            raise ValueError(f"encode takes a list of words, not the string {words!r}: .split() it")
        unknown = [w for w in words if w not in self.stoi]
        if unknown:
            raise ValueError(f"words not in the vocabulary: {unknown[:5]}")
        return [self.stoi[w] for w in words]

    def decode(self, ids: Sequence[int]) -> list[str]:
        """Id list -> word list (padding ids are dropped)."""
        _checks.array("ids", ids, 1, "(a 1-D list of word ids)", kind="int", min_size=0)
        _checks.ids("ids", ids, len(self.itos))
        return [self.itos[int(i)] for i in ids if int(i) != 0]


def encode_batch(sentences: Sequence[Sequence[str]], vocab: Vocab
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Encode and pad sentences: returns ids (B, T_max) int64 (0 = padding) and lengths (B,)."""
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a seqbook.text.Vocab; got {type(vocab).__name__}")
    if isinstance(sentences, str) or not len(sentences):
        raise ValueError("sentences must be a non-empty list of word lists")
    if any(not len(s) for s in sentences):
        raise ValueError("every sentence in sentences needs at least one word")
    padded, lengths, _ = pad_sequences([np.array(vocab.encode(s), dtype=np.int64)
                                        for s in sentences], pad_value=0)
    return torch.from_numpy(padded), torch.from_numpy(lengths)


# ------------------------------------------------------------- (a) next-word prediction

# who -> {place: how many sentences}; where people go depends on who they are.
DESTINATIONS = {
    "i am": {"park": 3, "shop": 2, "beach": 1},
    "we are": {"beach": 2, "cinema": 2, "park": 1},
    "the children are": {"school": 3, "park": 2},
    "my mother is": {"shop": 2, "bank": 2, "station": 1},
}
PURPOSES = {"park": "to play", "shop": "to buy bread", "beach": "to swim", "school": "to learn",
            "cinema": "to watch a film", "bank": "to get money", "station": "to catch a train"}
WHEN = ("", "today", "tomorrow")


def going_to_corpus() -> list[list[str]]:
    """The next-word corpus: 63 sentences '[when] <who> going to the <place> <purpose>'."""
    corpus = []
    for who, places in DESTINATIONS.items():
        for place, count in places.items():
            for when in WHEN:
                words = f"{when} {who} going to the {place} {PURPOSES[place]}".split()
                corpus += [words] * count
    return corpus


def going_to_split() -> tuple[list[list[str]], list[list[str]]]:
    """The corpus split in two, for a held-out test: (train 42 sentences, held-out 21).

    For the k-th (who, place) pair, every copy of the sentence with opening WHEN[k % 3] is held
    out. So each held-out sentence is a combination of opening, subject and place that never
    occurs in training, while every (who, place) pair keeps its frequencies in the training part.
    """
    train, heldout = [], []
    pairs = [(who, place, n) for who, places in DESTINATIONS.items() for place, n in places.items()]
    for k, (who, place, count) in enumerate(pairs):
        for j, when in enumerate(WHEN):
            words = f"{when} {who} going to the {place} {PURPOSES[place]}".split()
            (heldout if j == k % len(WHEN) else train).extend([words] * count)
    return train, heldout


def next_word_pairs(sentences: Sequence[Sequence[str]], vocab: Vocab
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs '<bos> w1 .. wn' and targets 'w1 .. wn <eos>', padded: both (N, n_max + 1) int64.

    Padded target positions hold IGNORE (-100), which `F.cross_entropy` skips.
    """
    inputs, _ = encode_batch([[BOS, *s] for s in sentences], vocab)
    targets, _ = encode_batch([[*s, EOS] for s in sentences], vocab)
    return inputs, targets.masked_fill(targets == 0, IGNORE)


def next_word_distribution(sentences: Sequence[Sequence[str]], prefix: Sequence[str]
                           ) -> dict[str, float]:
    """How often each word follows exactly `prefix` at the start of a sentence (sums to 1)."""
    if isinstance(prefix, str):
        raise TypeError(f"prefix must be a list of words, not the string {prefix!r}: .split() it")
    prefix = list(prefix)
    n = len(prefix)
    nxt = Counter((list(s) + [EOS])[n] for s in sentences if list(s[:n]) == prefix)
    if not nxt:
        raise ValueError(f"no sentence starts with {' '.join(prefix)!r}; try 'i am going to the'")
    total = sum(nxt.values())
    return {w: c / total for w, c in nxt.most_common()}


# ------------------------------------------------------------ (b) sentiment where order matters

POSITIVE = ("good", "great", "fun", "nice")
NEGATIVE = ("bad", "boring", "awful", "dull")
INTENSIFIERS = ("very", "really")
OPENERS = ("", "it was", "the film was", "the show is", "i found it", "honestly it was")
CONNECTORS = ("but", ",")  # "A but B": B decides; "A , B": both clauses agree


def _polarity(word: str) -> int:
    return 1 if word in POSITIVE else -1 if word in NEGATIVE else 0


def sentiment_label(words: Sequence[str]) -> int:
    """The rule behind the data: 1 (positive) if the LAST clause is positive, else 0.

    A clause is '[not] [very|really] adjective'; 'not' flips it; clauses are separated by
    'but' or ','. Word counts alone cannot apply this rule: it needs the order.
    """
    if isinstance(words, str):
        raise TypeError(f"words must be a list of words, not the string {words!r}: .split() it")
    sign, flip = 0, 1
    for w in words:
        if w in CONNECTORS:
            sign, flip = 0, 1
        elif w == "not":
            flip = -flip
        elif _polarity(w):
            sign = flip * _polarity(w)
    if sign == 0:
        raise ValueError(f"no adjective in the last clause of {' '.join(words)!r}")
    return int(sign > 0)


def _clause(rng: np.random.Generator, polarity: int | None = None) -> tuple[bool, str, str]:
    """A random clause (negated?, intensifier or '', adjective), optionally of a given polarity."""
    neg = bool(rng.integers(2))
    if polarity is None:
        pool = POSITIVE + NEGATIVE
    else:  # the adjective's own sign times the negation must equal `polarity`
        pool = POSITIVE if polarity * (-1 if neg else 1) > 0 else NEGATIVE
    return neg, ("", *INTENSIFIERS)[rng.integers(3)], pool[rng.integers(len(pool))]


def _words(opener: str, *parts: tuple[bool, str, str] | str) -> list[str]:
    out = opener.split()
    for p in parts:
        out += [p] if isinstance(p, str) else (["not"] if p[0] else []) + p[1].split() + [p[2]]
    return out


def _sign(clause: tuple[bool, str, str]) -> int:
    return _polarity(clause[2]) * (-1 if clause[0] else 1)


def sentiment_dataset(n: int, rng: np.random.Generator
                      ) -> tuple[list[list[str]], torch.Tensor]:
    """`n` random sentences (a third one clause, a third 'A but B', a third 'A , B') and labels."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive number of sentences; got {n!r}")
    _checks.generator("rng", rng)
    sentences = []
    for _ in range(n):
        opener, form = OPENERS[rng.integers(len(OPENERS))], rng.integers(3)
        c1 = _clause(rng)
        if form == 0:
            sentences.append(_words(opener, c1))
        else:  # 'but' joins opposite clauses, ',' joins agreeing ones
            c2 = _clause(rng, polarity=-_sign(c1) if form == 1 else _sign(c1))
            sentences.append(_words(opener, c1, CONNECTORS[form - 1], c2))
    return sentences, torch.tensor([sentiment_label(s) for s in sentences])


def order_pairs(n_pairs: int, rng: np.random.Generator) -> tuple[list[list[str]], torch.Tensor]:
    """2 * n_pairs sentences; sentences 2i and 2i+1 hold the same words but opposite labels.

    'A but B' is paired with 'B but A'; 'A , not B' with the adjectives swapped, 'B , not A'.
    """
    if not isinstance(n_pairs, int) or n_pairs < 1:
        raise ValueError(f"n_pairs must be a positive number of pairs; got {n_pairs!r}")
    _checks.generator("rng", rng)
    sentences = []
    for _ in range(n_pairs):
        opener = OPENERS[rng.integers(len(OPENERS))]
        c1 = _clause(rng)
        if rng.integers(2):  # 'A but B' <-> 'B but A'
            c2 = _clause(rng, polarity=-_sign(c1))
            sentences += [_words(opener, c1, "but", c2), _words(opener, c2, "but", c1)]
        else:  # agreeing clauses with opposite adjectives: one negated, one not
            pool = NEGATIVE if _polarity(c1[2]) > 0 else POSITIVE
            c2 = (not c1[0], ("", *INTENSIFIERS)[rng.integers(3)], pool[rng.integers(len(pool))])
            swapped = ((c1[0], c1[1], c2[2]), (c2[0], c2[1], c1[2]))
            sentences += [_words(opener, c1, ",", c2), _words(opener, swapped[0], ",", swapped[1])]
    return sentences, torch.tensor([sentiment_label(s) for s in sentences])


def same_polarity_but(n: int, rng: np.random.Generator
                      ) -> tuple[list[list[str]], torch.Tensor]:
    """`n` sentences 'A but B' whose clauses AGREE, with labels by the rule (the last clause).

    `sentiment_dataset` only joins opposite clauses with 'but', so on its data "the last clause
    decides" and "the opposite of the first clause" give the same labels; here they disagree on
    every sentence, which tells the two apart.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive number of sentences; got {n!r}")
    _checks.generator("rng", rng)
    sentences = []
    for _ in range(n):
        opener, c1 = OPENERS[rng.integers(len(OPENERS))], _clause(rng)
        sentences.append(_words(opener, c1, "but", _clause(rng, polarity=_sign(c1))))
    return sentences, torch.tensor([sentiment_label(s) for s in sentences])


def sentiment_vocab() -> Vocab:
    """The vocabulary of every word the sentiment generators can produce."""
    words = [w for o in OPENERS for w in o.split()]
    return Vocab.build([words + list(POSITIVE + NEGATIVE + INTENSIFIERS + CONNECTORS) + ["not"]])


def bag_of_words(ids: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """Word counts (B, V) float32 of padded ids (B, T): the order-blind view (padding dropped)."""
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"ids must be a (batch, time) torch tensor of word ids; got "
                        f"{type(ids).__name__}")
    _checks.integer("vocab_size", vocab_size, minimum=1)
    if ids.ndim != 2 or ids.dtype.is_floating_point:
        raise ValueError(f"ids must be (batch, time) integer word ids; got {tuple(ids.shape)} "
                         f"{ids.dtype}")
    if ids.numel() and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"ids must lie in 0..{vocab_size - 1}; got {ids.min()}..{ids.max()}")
    counts = torch.zeros(ids.shape[0], vocab_size)
    counts.scatter_add_(1, ids.long(), torch.ones(ids.shape))
    counts[:, 0] = 0.0  # id 0 is padding
    return counts
