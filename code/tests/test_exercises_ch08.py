"""Tests of seqbook.exercises.ch08: right answers pass, typical wrong ones fail with feedback."""

from __future__ import annotations

import pytest

from seqbook.decoding import corpus_bleu, ctc_collapse
from seqbook.exercises.ch08 import check_clipped_precision, check_ctc_collapse, check_min_ctc_frames


def test_ctc_collapse(capsys):
    assert check_ctc_collapse(ctc_collapse)
    assert "Correct" in capsys.readouterr().out

    def drop_then_merge(path, blank):
        kept = [c for c in path if c != blank]
        return [c for i, c in enumerate(kept) if i == 0 or c != kept[i - 1]]

    def keeps_blanks(path, blank):
        return [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]

    def blank_is_zero(path, blank):
        return ctc_collapse(path, 0)

    for wrong, words in [(drop_then_merge, "merge FIRST"), (keeps_blanks, "blanks must be"),
                         (blank_is_zero, "`blank` argument"),
                         (lambda p, b: None, "as a list"),
                         (lambda p, b: 1 / 0, "ZeroDivisionError")]:
        assert not check_ctc_collapse(wrong)
        assert words in capsys.readouterr().out


def test_min_ctc_frames(capsys):
    def right(text):
        return len(text) + sum(a == b for a, b in zip(text, text[1:], strict=False))

    assert check_min_ctc_frames(right)
    assert "Correct" in capsys.readouterr().out
    for wrong, words in [(len, "repeats"), (lambda t: max(2 * len(t) - 1, 0), "EQUAL"),
                         (lambda t: 2 * len(t) + 1, "EQUAL")]:
        assert not check_min_ctc_frames(wrong)
        assert words in capsys.readouterr().out


@pytest.mark.parametrize("value, ok, words", [
    (0.5, True, "3 of the 6"), (1.0, False, "unclipped"), (0.6, False, "PREDICTION"),
    (0.25, False, "min(count")])
def test_clipped_precision(capsys, value, ok, words):
    assert check_clipped_precision(value) is ok
    assert words in capsys.readouterr().out


def test_clipped_precision_answer_agrees_with_bleu():
    p1 = corpus_bleu([["a", "3", "above", "a", "7"]], [["a", "3"] * 3], max_n=1)
    assert check_clipped_precision(p1)


def test_ctc_brute_force_and_alpha_checks(capsys):
    import numpy as np

    from seqbook.ctc import ctc_labelling_probs, ctc_log_likelihood
    from seqbook.exercises.ch08 import check_ctc_alpha, check_ctc_brute_force

    def brute(lp, labels):
        return float(np.log(ctc_labelling_probs(np.exp(lp)).get(tuple(labels), 0.0)))

    assert check_ctc_brute_force(brute) and check_ctc_alpha(ctc_log_likelihood)
    assert "Correct" in capsys.readouterr().out

    def no_log(lp, labels):
        return float(np.exp(ctc_log_likelihood(lp, labels)))

    def always_skip(lp, labels):  # skips the blank even between equal labels
        return ctc_log_likelihood(lp, [1, 2] if labels == [1, 1] else labels)

    for wrong, words in [(no_log, "LOG"), (always_skip, "blank between the ones"),
                         (lambda lp, labels: 1 / 0, "ZeroDivisionError")]:
        assert not check_ctc_alpha(wrong)
        assert words in capsys.readouterr().out
