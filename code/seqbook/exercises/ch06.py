"""Feedback for the exercises of chapters/06_lstm_gru_in_practice.ipynb."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqbook.exercises import call_learner, learner_number


def temperature_entropy_reference(logits: np.ndarray, temperature: float) -> float:
    """Entropy in bits of softmax(logits / temperature), a (V,) vector of logits."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    p = np.exp(z - z.max())
    p /= p.sum()
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum())


def check_temperature_entropy(fn: Callable[[np.ndarray, float], float]) -> bool:
    """Check ``fn(logits, temperature)``: the entropy in bits of the sampling distribution."""
    rng = np.random.default_rng(0)
    for temperature in (0.3, 1.0, 2.5):
        logits = rng.normal(scale=3.0, size=20)
        want = temperature_entropy_reference(logits, temperature)
        got, err = call_learner(fn, logits.copy(), temperature)
        if err is None:
            got, err = learner_number(got, "the entropy in bits as one number")
        if err:
            print(err)
            return False
        if not abs(got - want) < 1e-8:
            in_nats = abs(got - want * np.log(2)) < 1e-8
            hint = " (in nats? divide by ln 2 for bits)" if in_nats else ""
            print(f"At temperature {temperature} the entropy is {want:.4f} bits; you got "
                  f"{got:.4f}{hint}")
            return False
    print("Correct: your entropy matches at temperatures 0.3, 1.0 and 2.5.")
    return True
