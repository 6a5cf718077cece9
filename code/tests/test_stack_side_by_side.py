"""Tests of seqbook.stack.side_by_side: jobs in threads give exactly what they give alone."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from seqbook.models import SequenceModel
from seqbook.stack import SeedStack, cpu_cores, fit_stack, side_by_side
from seqbook.tasks import adding_problem
from seqbook.train import fit


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread per job, as seqbook.set_seed leaves it in the chapters."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def training_job(cell: str, seed: int):
    """A job that owns its model and its batches, as chapter 6's char models do."""
    torch.manual_seed(seed)
    model = SequenceModel(cell, 2, 8, 1)
    rng = np.random.default_rng(seed)

    def step_loss(step: int) -> torch.Tensor:
        x, y = adding_problem(8, 12, rng)
        return ((model(x) - y) ** 2).mean()

    return lambda: fit(model, step_loss, steps=20, lr=0.02, clip_norm=1.0,
                       quiet=True).losses


def stack_job(seed: int):
    models = []
    for b in (0.0, 3.0):
        torch.manual_seed(seed)
        m = SequenceModel("lstm", 2, 6, 1)
        with torch.no_grad():
            m.rnn.bias_ih_l0[6:12] += b
        models.append(m)
    stack = SeedStack(lambda w: SequenceModel("lstm", 2, w, w // 6), 6, models=models)
    rng = np.random.default_rng(seed)

    def step_loss(step: int) -> torch.Tensor:
        x, y = adding_problem(8, 10, rng)
        return ((stack(x) - y) ** 2).mean(dim=(1, 2))

    return lambda: np.array(fit_stack(stack, step_loss, steps=30, lr=0.02,
                                      clip_norm=1.0).losses)


def test_threads_give_exactly_the_sequential_results():
    cases = [("lstm", 0), ("gru", 1), ("lstm", 2)]
    alone = [training_job(c, s)() for c, s in cases]
    together = side_by_side([training_job(c, s) for c, s in cases], workers=2)
    assert together == alone  # bit for bit, in the order of the jobs
    assert alone[0] != alone[2]  # the jobs really differ


def test_stacks_side_by_side_match_alone():
    alone = [stack_job(s)() for s in (0, 1)]
    together = side_by_side([stack_job(s) for s in (0, 1)])
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a, b)


def test_jobs_run_in_different_threads_at_once():
    barrier = threading.Barrier(2, timeout=10)  # both must be running to pass

    def job():
        barrier.wait()
        return threading.get_ident()

    idents = side_by_side([job, job], workers=2)
    assert idents[0] != idents[1]


def test_one_worker_runs_in_order_in_this_thread():
    seen = []
    out = side_by_side([lambda k=k: seen.append(k) or threading.get_ident()
                        for k in range(3)], workers=1)
    assert seen == [0, 1, 2] and set(out) == {threading.get_ident()}


def test_an_error_in_a_job_is_raised():
    def bad():
        raise RuntimeError("job failed")

    with pytest.raises(RuntimeError, match="job failed"):
        side_by_side([lambda: 1, bad], workers=2)


def test_cpu_cores_is_positive():
    assert cpu_cores() >= 1


@pytest.mark.parametrize("jobs, workers, error, match", [
    ([], None, ValueError, "jobs must be a non-empty list"),
    (None, None, ValueError, "jobs must be a non-empty list"),
    (lambda: 1, None, ValueError, "jobs must be a non-empty list"),
    ([lambda: 1, 3], None, TypeError, r"jobs\[1\] must be a function"),
    ([lambda: 1], 0, ValueError, "workers must be a positive integer"),
    ([lambda: 1], -2, ValueError, "workers must be a positive integer"),
    ([lambda: 1], 1.5, TypeError, "workers must be an integer"),
    ([lambda: 1], True, TypeError, "workers must be an integer"),
])
def test_bad_input(jobs, workers, error, match):
    with pytest.raises(error, match=match):
        side_by_side(jobs, workers=workers)
