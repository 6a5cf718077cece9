"""Tests of seqbook.exercises.ch10: right answers pass, typical wrong ones fail with feedback."""

from __future__ import annotations

from seqbook.exercises.ch10 import check_anchor_alignment, check_dot_attention, check_masked_softmax
from seqbook.seq2seq import dot_attention, masked_softmax
from seqbook.translation import anchor_alignment


def test_masked_softmax(capsys):
    assert check_masked_softmax(masked_softmax)
    assert "Correct" in capsys.readouterr().out
    wrong = [(lambda s, m: s.softmax(-1), "-inf"),
             (lambda s, m: s.softmax(-1) * m[:, None, :], "mask the scores before"),
             (lambda s, m: s.softmax(1), "sum to 1"),
             (lambda s, m: None, "torch tensor"),
             (lambda s, m: 1 / 0, "ZeroDivisionError")]
    for fn, words in wrong:
        assert not check_masked_softmax(fn)
        assert words in capsys.readouterr().out


def test_dot_attention(capsys):
    assert check_dot_attention(dot_attention)
    assert "Correct" in capsys.readouterr().out

    def unscaled(q, k, m):
        w = masked_softmax(q @ k.transpose(1, 2), m)
        return w @ k, w

    def unmasked(q, k, m):
        w = (q @ k.transpose(1, 2) / q.shape[-1] ** 0.5).softmax(-1)
        return w @ k, w

    def bad_context(q, k, m):
        c, w = dot_attention(q, k, m)
        return c * 2, w

    for fn, words in [(unscaled, "sqrt"), (unmasked, "mask the scores"),
                      (bad_context, "weights @ keys"), (lambda q, k, m: q, "pair"),
                      (lambda q, k, m: (q[:, 0], q), "shape")]:
        assert not check_dot_attention(fn)
        assert words in capsys.readouterr().out


def test_anchor_alignment(capsys):
    assert check_anchor_alignment(anchor_alignment)
    assert "Correct" in capsys.readouterr().out

    def swapped(src, tgt):
        return [(s, t) for t, s in anchor_alignment(src, tgt)]

    def no_plural(src, tgt):
        return [(t, s) for t, s in anchor_alignment(src, tgt) if src[s] != "cents"]

    for fn, words in [(swapped, "TARGET position first"), (no_plural, "plural"),
                      (lambda s, t: [], "k-th"), (lambda s, t: 5, "pairs")]:
        assert not check_anchor_alignment(fn)
        assert words in capsys.readouterr().out
