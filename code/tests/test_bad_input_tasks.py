"""Bad arguments to seqbook.tasks raise errors that name the argument (issue 10)."""

import numpy as np
import torch

from seqbook import tasks as t

RNG = np.random.default_rng(0)

CASES = [
    (t.adding_problem, dict(batch=0, T=10, rng=RNG), ValueError, "batch"),
    (t.adding_problem, dict(batch=2.0, T=10, rng=RNG), TypeError, "batch"),
    (t.adding_problem, dict(batch=2, T=1, rng=RNG), ValueError, "T"),
    (t.adding_problem, dict(batch=2, T="10", rng=RNG), TypeError, "T"),
    (t.adding_problem, dict(batch=2, T=10, rng=None), ValueError, "rng"),
    (t.adding_problem, dict(batch=2, T=10, rng=RNG, dtype=torch.long), TypeError, "dtype"),
    (t.adding_problem, dict(batch=2, T=10, rng=RNG, dtype=np.float32), TypeError, "dtype"),
    (t.copy_memory, dict(batch=2, T=10, rng=RNG, n_symbols=1), ValueError, "n_symbols"),
    (t.copy_memory, dict(batch=2, T=10, rng=RNG, length=0), ValueError, "length"),
    (t.copy_memory, dict(batch=2, T=10, rng=RNG, length=2.5), TypeError, "length"),
    (t.copy_memory_baseline, dict(T=0), ValueError, "T"),
    (t.copy_memory_baseline, dict(T=10, n_symbols=0), ValueError, "n_symbols"),
    (t.copy_memory_baseline, dict(T=10, length=-1), ValueError, "length"),
    (t.which_first, dict(batch=2, T=1, rng=RNG), ValueError, "T"),
    (t.swap_markers, dict(x=np.zeros((2, 3), np.int64)), TypeError, "x"),
    (t.swap_markers, dict(x=torch.zeros(2, 3)), ValueError, "x"),
]


def test_bad_input_names_the_argument(bad_input, rejects_case):
    rejects_case(bad_input)


def test_good_inputs_still_accepted():
    x, y = t.adding_problem(np.int64(2), 10, RNG, dtype=torch.float64)
    assert x.dtype == torch.float64 and y.shape == (2, 1)
    assert t.copy_memory_baseline(10) > 0
    x, y = t.which_first(3, 4, RNG)
    assert (t.swap_markers(t.swap_markers(x)) == x).all()
