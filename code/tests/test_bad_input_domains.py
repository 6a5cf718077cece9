"""Bad arguments to seqbook.domains raise errors that name the argument (issue 10)."""

import numpy as np

from seqbook import domains as d

RNG = np.random.default_rng(0)

CASES = [
    (d.tokenize, dict(text=["a b"]), TypeError, "text"),
    (d.build_vocab, dict(sentences=["a b", "c"]), TypeError, "sentences"),
    (d.one_hot, dict(ids=[0, 3], n=3), ValueError, "ids"),
    (d.one_hot, dict(ids=[-1], n=3), ValueError, "ids"),
    (d.one_hot, dict(ids=[0.5], n=3), TypeError, "ids"),
    (d.one_hot, dict(ids=[0], n=0), ValueError, "n"),
    (d.moving_square_clip, dict(T=5, size=4, rng=RNG), ValueError, "size"),
    (d.moving_square_clip, dict(T=5, size=8.0, rng=RNG), TypeError, "size"),
    (d.moving_square_clip, dict(T=5, size=8, rng=RNG, square=0), ValueError, "square"),
    (d.moving_square_clip, dict(T=5, size=8, rng=None), TypeError, "rng"),
    (d.dna_with_motif, dict(length=10, motif="ACGU", rng=RNG), ValueError, "motif"),
    (d.dna_with_motif, dict(length=0, motif="A", rng=RNG), ValueError, "length"),
    (d.dna_with_motif, dict(length=10, motif=["A"], rng=RNG), TypeError, "motif"),
    (d.encode_dna, dict(seq="ACGX"), ValueError, "DNA"),
    (d.encode_dna, dict(seq=""), ValueError, "seq"),
    (d.corridor_episode, dict(T=0, rng=RNG), ValueError, "T >= 1"),
    (d.corridor_episode, dict(T=5, rng=RNG, length=2.0), TypeError, "length"),
    (d.discounted_return, dict(rewards=[1.0, 0.0], gamma=1.5), ValueError, "gamma"),
    (d.discounted_return, dict(rewards=[1.0, 0.0], gamma=float("nan")), ValueError, "gamma"),
    (d.discounted_return, dict(rewards=[1.0, np.nan], gamma=0.9), ValueError, "rewards"),
    (d.discounted_return, dict(rewards=np.zeros((2, 2)), gamma=0.9), ValueError, "rewards"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert d.one_hot(np.array([[0, 2]]), 3).shape == (1, 2, 3)
    assert d.one_hot([], 3).shape == (0, 3)
    assert d.encode_dna("ACGT").shape == (4, 4)
    assert d.discounted_return([], 0.9).shape == (0,)
    assert d.moving_square_clip(np.int64(4), 8, RNG)[0].shape == (4, 8, 8)
