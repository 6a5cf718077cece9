"""Shared helpers of the unit tests: the bad-input table every test_bad_input_*.py module uses.

A module lists its cases as ``CASES = [(fn, kwargs, error, name), ...]``: calling
``fn(**kwargs)`` must raise ``error`` (ValueError or TypeError) with a message that names the
argument ``name`` (as a whole word, so "x" is not found inside "expects"). A test that asks for
the ``bad_input`` fixture runs once per case (ids: function name, argument, row number), and
the ``assert_rejects`` fixture is the one place that checks an error, so no test module
repeats the pytest.raises boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest


def assert_rejects(fn: Callable, exc: type[Exception] | tuple[type[Exception], ...],
                   match: str, *args, **kwargs) -> pytest.ExceptionInfo:
    """Check that ``fn(*args, **kwargs)`` raises ``exc`` whose message matches the regular
    expression ``match``; return the exception info for further checks."""
    with pytest.raises(exc, match=match) as info:
        fn(*args, **kwargs)
    return info


def names_argument(name: str) -> str:
    """A pattern for a message that names the argument ``name`` as a whole word."""
    return rf"(?<!\w){re.escape(name)}(?!\w)"


@pytest.fixture(name="assert_rejects")
def assert_rejects_fixture() -> Callable[..., pytest.ExceptionInfo]:
    return assert_rejects


def _case_id(index: int, case: tuple) -> str:
    fn, _, _, name = case
    what = getattr(fn, "__qualname__", None) or type(fn).__name__
    return f"{what}-{name}-{index}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``bad_input`` over the module's CASES table."""
    if "bad_input" in metafunc.fixturenames:
        cases = metafunc.module.CASES
        metafunc.parametrize("bad_input", cases,
                             ids=[_case_id(i, c) for i, c in enumerate(cases)])


@pytest.fixture
def rejects_case(assert_rejects: Callable) -> Callable[[tuple], pytest.ExceptionInfo]:
    """Run one CASES row: ``rejects_case(bad_input)``."""

    def run(case: tuple) -> pytest.ExceptionInfo:
        fn, kwargs, error, name = case
        return assert_rejects(fn, error, names_argument(name), **kwargs)

    return run
