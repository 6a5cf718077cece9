"""Tests of seqbook.exercises.ch11: right answers pass, typical wrong ones fail with feedback."""

from __future__ import annotations

import numpy as np

from seqbook import forecasting as fc
from seqbook.exercises.ch11 import check_pinball, check_seasonal_naive, check_windows, pinball


def right_windows(x, window, horizon):
    return fc.make_windows(x, fc.window_origins(len(x), window, horizon), window, horizon)


def test_windows(capsys):
    assert check_windows(right_windows)
    assert "Correct" in capsys.readouterr().out

    def shifted(x, w, h):
        o = np.arange(w, len(x) - h + 1)
        return np.stack([x[i - w:i] for i in o]), np.stack([x[i - 1:i - 1 + h] for i in o])

    def leaky(x, w, h):
        o = np.arange(w, len(x) - h + 1)
        return np.stack([x[i - w + 1:i + 1] for i in o]), np.stack([x[i:i + h] for i in o])

    def short(x, w, h):
        inp, tgt = right_windows(x, w, h)
        return inp[:-1], tgt[:-1]

    for wrong, words in [(shifted, "shifted by -1"), (leaky, "leaks"), (short, "last is"),
                         (lambda x, w, h: None, "pair"), (lambda x, w, h: 1 / 0, "ZeroDivision")]:
        assert not check_windows(wrong)
        assert words in capsys.readouterr().out


def test_seasonal_naive(capsys):
    assert check_seasonal_naive(fc.seasonal_naive)
    assert "Correct" in capsys.readouterr().out

    def one_season(x, o, h, p):
        return x[o[:, None] + np.arange(h) - p]

    for wrong, words in [(one_season, "two seasons"),
                         (lambda x, o, h, p: fc.naive(x, o, h), "period"),
                         (lambda x, o, h, p: np.zeros(3), "one row per origin")]:
        assert not check_seasonal_naive(wrong)
        assert words in capsys.readouterr().out


def test_pinball(capsys):
    assert check_pinball(pinball)
    assert "Correct" in capsys.readouterr().out
    for wrong, words in [(lambda p, y, q: pinball(p, y, 1 - q), "swapped"),
                         (lambda p, y, q: float(np.mean(np.abs(y - p))), "absolute error"),
                         (lambda p, y, q: 0.0, "use mean"), (lambda p, y, q: None, "None")]:
        assert not check_pinball(wrong)
        assert words in capsys.readouterr().out
