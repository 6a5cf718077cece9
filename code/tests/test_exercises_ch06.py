"""Tests of seqbook.exercises.ch06: the checks accept right answers and reject wrong ones."""

from __future__ import annotations

import numpy as np

from seqbook.exercises.ch06 import check_temperature_entropy, temperature_entropy_reference


def test_temperature_check_accepts_bits_and_explains_nats(capsys):
    assert check_temperature_entropy(temperature_entropy_reference)
    assert "Correct" in capsys.readouterr().out
    assert not check_temperature_entropy(
        lambda z, t: temperature_entropy_reference(z, t) * np.log(2))
    assert "nats" in capsys.readouterr().out
