"""`check_...` helpers that give feedback on the exercises, one module per chapter (chNN)."""

from __future__ import annotations

from collections.abc import Callable


def call_learner(fn: Callable, *args):
    """Run the learner's ``fn(*args)``; return ``(result, None)`` or ``(None, message)``."""
    if not callable(fn):
        return None, (f"pass your function itself (its name, without calling it); got a "
                      f"{type(fn).__name__}")
    try:
        return fn(*args), None
    except Exception as e:  # the learner's code may fail in any way; report it kindly
        return None, f"your function raised {type(e).__name__}: {e}"
