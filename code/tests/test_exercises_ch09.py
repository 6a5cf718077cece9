"""Tests of seqbook.exercises.ch09: right answers pass, typical wrong ones fail with feedback."""

from __future__ import annotations

import torch

from seqbook.attention import causal_mask
from seqbook.exercises.ch09 import (
    attention_multiplications,
    check_attention_flops,
    check_causal_mask,
    check_receptive_field,
    tcn_receptive_field,
)


def test_receptive_field(capsys):
    assert check_receptive_field(tcn_receptive_field)
    assert "Correct" in capsys.readouterr().out
    for wrong, words in [(lambda k, L, n: n * (k - 1) * (2**L - 1), "output step itself"),
                         (lambda k, L, n: 1 + n * (k - 1) * 2**L, "2^L - 1"),
                         (lambda k, L, n: 1 + (k - 1) * (2**L - 1), "convs_per_block"),
                         (lambda k, L, n: 1 + n * k * (2**L - 1), "(k - 1) steps back"),
                         (lambda k, L, n: n + n * (k - 1) * (2**L - 1), "use R = 1 +"),
                         (lambda k, L, n: 1 + n * (k - 1) * (2**(L - 1) - 1), "L of them"),
                         (lambda k, L, n: None, "forget `return`"),
                         (lambda k, L, n: 1 / 0, "ZeroDivisionError")]:
        assert not check_receptive_field(wrong)
        assert words in capsys.readouterr().out


def test_causal_mask(capsys):
    assert check_causal_mask(causal_mask)
    assert "Correct" in capsys.readouterr().out
    for wrong, words in [(lambda T: causal_mask(T).T, "transpose"),
                         (lambda T: causal_mask(T).tril(-1), "itself"),
                         (lambda T: ~causal_mask(T), "ALLOWED"),
                         (lambda T: causal_mask(T).float(), "booleans"),
                         (lambda T: torch.ones(T, dtype=torch.bool), "shape")]:
        assert not check_causal_mask(wrong)
        assert words in capsys.readouterr().out


def test_attention_flops(capsys):
    assert check_attention_flops(attention_multiplications)
    assert "Correct" in capsys.readouterr().out
    for wrong, words in [(lambda T, d: 2 * T * T * d, "projections"),
                         (lambda T, d: 4 * T * d * d + T * T * d, "T^2 d"),
                         (lambda T, d: 3 * T * d * d + 2 * T * T * d, "four projections"),
                         (lambda T, d: 4 * T * d * d + T * (T + 1) * d, "masked or not"),
                         (lambda T, d: 8 * T * d * d + 4 * T * T * d, "multiply-adds"),
                         (lambda T, d: 4 * T * d * d + 2 * T * T * d + T * T, "1/sqrt(d)"),
                         (lambda T, d: T * d, "add 4 T d^2")]:
        assert not check_attention_flops(wrong)
        assert words in capsys.readouterr().out
