"""Bad arguments to seqbook.charlm raise errors that name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import charlm as c
from seqbook.models import SequenceModel

VOCAB = c.CharVocab.from_text("abcd")
IDS = VOCAB.encode("abcdabcdabcd")
RNG = np.random.default_rng(0)
MODEL = SequenceModel("lstm", 3, 4, 4, head="all", vocab_size=4)

CASES = [
    (VOCAB.decode, dict(ids=[-1]), ValueError, "ids"),
    (VOCAB.decode, dict(ids=[4]), ValueError, "ids"),
    (VOCAB.decode, dict(ids=[1.0]), TypeError, "ids"),
    (VOCAB.decode, dict(ids=[[0, 1]]), ValueError, "ids"),
    (VOCAB.encode, dict(text=[0, 1]), TypeError, "text"),
    (c.CharVocab.from_text, dict(text=None), TypeError, "text"),
    (c.CharVocab.from_text, dict(text=""), ValueError, "text"),
    (c.split, dict(ids=IDS, held_out=float("nan")), ValueError, "held_out"),
    (c.split, dict(ids=IDS, held_out=1.0), ValueError, "held_out"),
    (c.split, dict(ids=IDS[:1]), ValueError, "ids"),
    (c.unigram_bpc, dict(train=IDS, test=IDS, vocab_size=4, alpha=float("nan")),
     ValueError, "alpha"),
    (c.unigram_bpc, dict(train=IDS, test=IDS, vocab_size=0), ValueError, "vocab_size"),
    (c.unigram_bpc, dict(train=IDS, test=IDS, vocab_size=3), ValueError, "train"),
    (c.unigram_bpc, dict(train=IDS, test=IDS.astype(float), vocab_size=4), ValueError, "test"),
    (c.bigram_bpc, dict(train=IDS, test=IDS, vocab_size=4, alpha=0.0), ValueError, "alpha"),
    (c.bigram_bpc, dict(train=IDS, test=IDS, vocab_size=4, alpha=float("inf")),
     ValueError, "alpha"),
    (c.char_batches, dict(ids=IDS, batch=0, seq_len=4, rng=RNG), ValueError, "batch"),
    (c.char_batches, dict(ids=IDS, batch=2.0, seq_len=4, rng=RNG), TypeError, "batch"),
    (c.char_batches, dict(ids=IDS, batch=2, seq_len=4, rng=0), TypeError, "rng"),
    (c.char_batches, dict(ids=IDS.astype(float), batch=2, seq_len=4, rng=RNG), TypeError, "ids"),
    (c.score_windows, dict(n=-1, seq_len=4, context=2), ValueError, "n"),
    (c.score_windows, dict(n=10, seq_len=0, context=2), ValueError, "seq_len"),
    (c.score_windows, dict(n=10, seq_len=4, context=-1), ValueError, "context"),
    (c.model_bpc, dict(model=None, ids=IDS), TypeError, "model"),
    (c.model_bpc, dict(model=MODEL, ids=IDS, batch=0), ValueError, "batch"),
    (c.model_bpc, dict(model=MODEL, ids=IDS + 1), ValueError, "ids"),
    (c.sample, dict(model=MODEL, vocab=VOCAB, prompt="ab", n_chars=3, temperature=np.nan,
                    rng=RNG), ValueError, "temperature"),
    (c.sample, dict(model=MODEL, vocab="abcd", prompt="ab", n_chars=3, temperature=1.0,
                    rng=RNG), TypeError, "vocab"),
    (c.sample, dict(model=MODEL, vocab=VOCAB, prompt="ab", n_chars=3.0, temperature=1.0,
                    rng=RNG), TypeError, "n_chars"),
    (c.sample, dict(model=MODEL, vocab=c.CharVocab("abc"), prompt="ab", n_chars=3,
                    temperature=1.0, rng=RNG), ValueError, "vocab"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    assert VOCAB.decode(np.array([0, 3])) == "ad"
    assert VOCAB.decode(torch.tensor([1])) == "b"
    assert VOCAB.decode([]) == ""
    x, y = c.char_batches(IDS.tolist(), np.int64(2), 4, RNG)
    assert x.shape == (2, 4)
    assert c.sample(MODEL, VOCAB, "ab", 2, 0, RNG)[:2] == "ab"
