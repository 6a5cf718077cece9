"""Show a function's source in a notebook, so the code a chapter explains is written once.

The chapter calls ``show_source(fn)``; the notebook and the HTML book both render it as a
highlighted Python block taken from the installed ``seqbook`` file, never a pasted copy.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any


class SourceCode:
    """A piece of source that renders as a highlighted Markdown code block in notebooks."""

    def __init__(self, code: str, where: str) -> None:
        self.code = code
        self.where = where

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}\n```\n<small>source: <code>{self.where}</code></small>"

    def __repr__(self) -> str:  # text/plain: what a terminal or a test sees
        return self.code


def _is_guard(stmt: ast.stmt) -> bool:
    """An argument check: ``if ...: raise ...``, a call of a ``seqbook.checks`` validator
    (``_checks.integer(...)``), or an ``if`` or loop whose body holds only such checks."""
    if isinstance(stmt, ast.If):
        return not stmt.orelse and all(isinstance(s, ast.Raise) or _is_guard(s)
                                       for s in stmt.body)
    if isinstance(stmt, ast.For):
        return not stmt.orelse and all(_is_guard(s) for s in stmt.body)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("_checks", "checks"))
    return False


def without_guards(code: str) -> str:
    """Drop a function's argument checks (top-level ``if ...: raise ...`` statements of its
    body, loops of them, and calls of the ``seqbook.checks`` validators), so what is shown is
    the teaching core. One comment line marks where they were."""
    tree = ast.parse(code)
    fn = tree.body[0]
    if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
        return code
    drop = [(stmt.lineno, stmt.end_lineno) for stmt in fn.body if _is_guard(stmt)]
    if not drop:
        return code
    lines = code.splitlines()
    first = drop[0][0] - 1
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    gone = {i for a, b in drop for i in range(a - 1, b)}
    note = f"{indent}# ... argument checks (ValueError) left out here"
    return "\n".join(note if i == first else line for i, line in enumerate(lines)
                     if i not in gone or i == first)


def show_source(obj: Any, *, lines: tuple[int, int] | None = None,
                checks: bool = False) -> SourceCode:
    """Return the source of a function or class from `seqbook` for display in a notebook.

    By default a function's argument checks (``if ...: raise ...`` at the top of its body) are
    left out and replaced by one comment: they are not the lesson. ``checks=True`` keeps them.
    `lines=(a, b)` keeps only lines a..b (1-based, inclusive) of the object's source, to focus
    on one part of a longer function.
    """
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        raise ValueError(
            f"show_source takes a function, method or class, e.g. show_source(rnn_forward); "
            f"got {type(obj).__name__}"
        )
    if not isinstance(checks, bool):
        raise TypeError(f"checks must be True or False; got {checks!r}")
    code = textwrap.dedent(inspect.getsource(obj)).rstrip()
    if not checks and lines is None:
        code = without_guards(code)
    if lines is not None:
        if not (isinstance(lines, tuple | list) and len(lines) == 2 and all(
                isinstance(v, int) and not isinstance(v, bool) for v in lines)):
            raise TypeError(f"lines must be a pair of line numbers (a, b); got {lines!r}")
        a, b = lines
        all_lines = code.splitlines()
        if not (1 <= a <= b <= len(all_lines)):
            raise ValueError(f"lines must satisfy 1 <= a <= b <= {len(all_lines)}; got {lines}")
        code = "\n".join(all_lines[a - 1 : b])
    module = inspect.getmodule(obj)
    where = f"{module.__name__ if module else '?'}.{obj.__qualname__}"
    return SourceCode(code, where)
