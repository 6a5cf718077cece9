"""Tests of seqbook.numpy_charlm (taught in chapters/03_bptt.ipynb)."""

from __future__ import annotations

import numpy as np
import pytest

from seqbook import charlm
from seqbook.numpy_charlm import one_hot, rnn_bpc, sample_text, train_char_rnn
from seqbook.numpy_rnn import init_params, masked_cross_entropy, rnn_forward

TEXT = "abcab abcab cabca " * 40
VOCAB = charlm.CharVocab.from_text(TEXT)
IDS = VOCAB.encode(TEXT)


def test_one_hot() -> None:
    x = one_hot(np.array([[0, 2]]), 3)
    np.testing.assert_array_equal(x, [[[1, 0, 0], [0, 0, 1]]])


def test_training_lowers_the_loss_and_beats_the_unigram() -> None:
    train, test = IDS[:600], IDS[600:]
    params, losses = train_char_rnn(train, VOCAB.size, 16, 150, np.random.default_rng(0))
    assert losses[-20:].mean() < 0.5 * losses[:5].mean()
    assert rnn_bpc(params, int(train[-1]), test) < charlm.unigram_bpc(train, test, VOCAB.size)


@pytest.mark.parametrize("streams", [1, 3, 7])
def test_rnn_bpc_scores_every_character_after_its_predecessor(streams) -> None:
    rng = np.random.default_rng(1)
    params = init_params(VOCAB.size, 8, VOCAB.size, rng)
    test = IDS[:50]
    ref_in = np.concatenate([[IDS[60]], test[:-1]])
    # one stream from h_0 = 0 per piece; with 1 stream it is one pass over the whole text
    if streams == 1:
        logits, _ = rnn_forward(params, one_hot(ref_in[None], VOCAB.size))
        nats = masked_cross_entropy(logits, test[None])[0]
        assert rnn_bpc(params, int(IDS[60]), test, 1) == pytest.approx(nats / np.log(2))
    else:
        assert np.isfinite(rnn_bpc(params, int(IDS[60]), test, streams))


def test_sample_text_starts_with_the_prompt_and_uses_the_vocabulary() -> None:
    params = init_params(VOCAB.size, 8, VOCAB.size, np.random.default_rng(2))
    out = sample_text(params, VOCAB.chars, "ab", 30, np.random.default_rng(0))
    assert out.startswith("ab") and len(out) == 32 and set(out) <= set(VOCAB.chars)
    again = sample_text(params, VOCAB.chars, "ab", 30, np.random.default_rng(0))
    assert out == again


PARAMS = init_params(VOCAB.size, 8, VOCAB.size, np.random.default_rng(3))
BAD = [
    (lambda: train_char_rnn(IDS, VOCAB.size, 0, 5, np.random.default_rng(0)), "hidden"),
    (lambda: train_char_rnn(IDS, VOCAB.size, 8, 5, np.random.default_rng(0), lr=0), "lr"),
    (lambda: train_char_rnn(IDS[:10], VOCAB.size, 8, 5, np.random.default_rng(0)), "train"),
    (lambda: train_char_rnn(IDS, 2, 8, 5, np.random.default_rng(0)), "outside"),
    (lambda: rnn_bpc(PARAMS, 99, IDS[:20]), "context"),
    (lambda: rnn_bpc(PARAMS, 0, IDS[:20], streams=0), "streams"),
    (lambda: rnn_bpc(PARAMS, 0, IDS[:20].astype(float)), "integer"),
    (lambda: sample_text(PARAMS, "ab", "a", 3, np.random.default_rng(0)), "chars"),
    (lambda: sample_text(PARAMS, VOCAB.chars, "xyz", 3, np.random.default_rng(0)), "prompt"),
    (lambda: sample_text(PARAMS, VOCAB.chars, "a", 3, np.random.default_rng(0), 0), "temperature"),
]


@pytest.mark.parametrize("call, match", BAD)
def test_bad_inputs(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()
