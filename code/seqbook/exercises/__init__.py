"""`check_...` helpers that give feedback on the exercises, one module per chapter (chNN)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np


def call_learner(fn: Callable, *args):
    """Run the learner's ``fn(*args)``; return ``(result, None)`` or ``(None, message)``."""
    if not callable(fn):
        return None, (f"pass your function itself (its name, without calling it); got a "
                      f"{type(fn).__name__}")
    try:
        return fn(*args), None
    except Exception as e:  # the learner's code may fail in any way; report it kindly
        return None, f"your function raised {type(e).__name__}: {e}"


def _describe(value: object) -> str:
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__}" + (f" of shape {tuple(shape)}" if shape is not None else "")


def learner_number(value: object, what: str = "a number") -> tuple[float | None, str | None]:
    """The learner's result as a finite float, or ``(None, message)`` saying what to return."""
    if value is None:
        return None, "your function returned None: did you forget `return`?"
    if hasattr(value, "shape") and hasattr(value, "reshape"):  # numpy or torch
        if int(np.prod(value.shape)) != 1:
            return None, f"return {what} (one value); got {_describe(value)}"
        value = value.reshape(-1)[0]
        value = value.item() if hasattr(value, "item") else value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None, f"return {what}; got {value!r} ({type(value).__name__})"
    if not math.isfinite(float(value)):
        return None, f"return {what}; got {value!r}"
    return float(value), None


def learner_array(value: object, shape: tuple[int, ...] | None = None, what: str = "an array",
                  finite: bool = True) -> tuple[np.ndarray | None, str | None]:
    """The learner's result (NumPy array, torch tensor or nested list) as a float ndarray
    of `shape`, or ``(None, message)`` saying what to return."""
    want = what + (f" of shape {shape}" if shape is not None else "")
    if value is None:
        return None, "your function returned None: did you forget `return`?"
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, (str, bytes, dict)):
        return None, f"return {want} of numbers; got {_describe(value)}"
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"return {want} of numbers; got {_describe(value)} that is not numeric"
    if shape is not None and a.shape != tuple(shape):
        return None, f"return {want}; got shape {a.shape}"
    if finite and not np.isfinite(a).all():
        return None, f"return {want} of finite numbers; yours holds NaN or inf"
    return a, None
