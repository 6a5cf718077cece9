"""Feedback for the exercises of chapters/01_sequential_problems.ipynb."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqbook.diagrams import CONNECTIONS
from seqbook.exercises import call_learner, learner_array
from seqbook.sequences import masked_mean, pad_sequences

TASKS = {
    "spam filtering of an e-mail": "many-to-one",
    "part-of-speech tag for every word": "many-to-many (aligned)",
    "generating a melody from a chosen genre": "one-to-many",
    "speech to text": "many-to-many (unaligned)",
    "recognising the digit in one image": "one-to-one",
    "next-day temperature from the last 30 days": "many-to-one",
}


def _normalise(kind: str) -> str:
    """'Many_to-many (aligned)' -> 'many to many aligned': spelling-tolerant comparison."""
    for ch in "-_()":
        kind = str(kind).replace(ch, " ")
    return " ".join(kind.lower().split())


def check_connection_types(answers: dict[str, str]) -> bool:
    """Compare a learner's {task: connection type} with the intended answers and explain."""
    if not isinstance(answers, dict):
        print("Pass a dict {task: connection type}, e.g. {'speech to text': 'many-to-many "
              f"(unaligned)', ...}}, with one entry per task; got {type(answers).__name__}")
        return False
    names = {_normalise(k): k for k in CONNECTIONS}
    missing = set(TASKS) - set(answers)
    if missing:
        print(f"Answer every task; missing: {sorted(missing)}")
        return False
    extra = set(answers) - set(TASKS)
    if extra:
        print(f"(ignoring answers for tasks not in the list: {sorted(extra)})")
    ok = True
    for task, want in TASKS.items():
        given = names.get(_normalise(answers[task]))
        if given is None:
            print(f"- {task}: {answers[task]!r} is not a connection type; use one of "
                  f"{list(CONNECTIONS)}")
            ok = False
        elif given != want:
            print(f"- {task}: you said {given!r}. Ask: how many inputs arrive, how many outputs "
                  "are needed, and does each output belong to one input step?")
            ok = False
    if ok:
        print("All correct.")
    return ok


def check_masked_mean(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Test a learner's fn(padded (B,T,D), mask (B,T)) -> (B,D) against seqbook.masked_mean."""
    rng = np.random.default_rng(1)
    seqs = [rng.normal(size=(n, 3)) for n in (5, 1, 3)]
    padded, _, mask = pad_sequences(seqs, pad_value=99.0)
    want = masked_mean(padded, mask)
    got, err = call_learner(fn, padded.copy(), mask.copy())
    if err is None:
        got, err = learner_array(got, want.shape, "an array (one mean per sequence)")
    if err:
        print(err)
        return False
    if not np.allclose(got, want):
        print("Values differ: are the padded steps (filled with 99 here) excluded from both the "
              "sum and the count?")
        return False
    print("Correct: padding does not leak into the mean.")
    return True
