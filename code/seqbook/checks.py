"""Small argument validators shared by the seqbook helpers.

Every public seqbook function checks its arguments at the top, so that a wrong shape, dtype,
NaN, empty input, non-positive size or out-of-range id raises a `ValueError` or `TypeError`
that names the argument and says what to pass, instead of returning garbage or failing deep
inside numpy or torch. The checks are cheap: they look at types, shapes and scalars; a full
scan of an array (NaN, id range) is only done where it costs little next to the work.
Not taught in a chapter; tested in code/tests/test_bad_input_*.py.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence

import numpy as np

__all__ = ["integer", "number", "fraction", "array", "tensor", "ids", "lengths", "generator",
           "function", "module", "choice", "instance", "text"]


def _is_tensor(x: object) -> bool:
    """isinstance(x, torch.Tensor) without importing torch (numpy-only chapters stay light)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def integer(name: str, value: object, minimum: int | None = 1,
            maximum: int | None = None, hint: str = "") -> int:
    """`value` as an int; TypeError unless it is an integer (not a bool), ValueError unless
    minimum <= value <= maximum (either bound may be None)."""
    if _is_tensor(value) and value.ndim == 0 and not value.is_floating_point():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer{hint}; got {value!r} "
                        f"({type(value).__name__})")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        lo = "" if minimum is None else f">= {minimum}"
        hi = "" if maximum is None else f"<= {maximum}"
        both = " and ".join(s for s in (lo, hi) if s)
        what = "a positive integer" if (minimum, maximum) == (1, None) else f"an integer {both}"
        raise ValueError(f"{name} must be {what}{hint}; got {value}")
    return value


def number(name: str, value: object, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False, hint: str = "") -> float:
    """`value` as a finite float; TypeError unless it is a real number, ValueError if it is NaN,
    infinite or outside [low, high] (open ends with low_open / high_open)."""
    if (isinstance(value, np.ndarray) or _is_tensor(value)) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number{hint}; got {value!r} ({type(value).__name__})")
    value = float(value)
    bad = not math.isfinite(value)
    if low is not None and (value < low or (low_open and value == low)):
        bad = True
    if high is not None and (value > high or (high_open and value == high)):
        bad = True
    if bad:
        parts = []
        if low is not None:
            parts.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            parts.append(f"{'<' if high_open else '<='} {high:g}")
        rng = (" " + " and ".join(parts)) if parts else ""
        raise ValueError(f"{name} must be a finite number{rng}{hint}; got {value!r}")
    return value


def fraction(name: str, value: object, hint: str = " such as 0.1") -> float:
    """A number strictly between 0 and 1."""
    return number(name, value, 0.0, 1.0, low_open=True, high_open=True, hint=hint)


def array(name: str, x: object, ndim: int | Sequence[int] | None = None, layout: str = "",
          kind: str | None = None, min_size: int = 1, finite: bool = False) -> None:
    """Check an array-like (numpy array, torch tensor, nested list) without copying it.

    ndim: the allowed number(s) of dimensions, described to the user by `layout`, e.g.
    "(batch, time, features)". kind: "float" (floating point), "int" (integer) or "number"
    (int or float, not bool/str/object). min_size: smallest allowed extent of every axis.
    finite: also scan for NaN / inf (only where that is cheap next to the work).
    """
    if isinstance(x, (str, bytes)) or x is None or isinstance(x, numbers.Number) and ndim not in (
            None, 0):
        raise TypeError(f"{name} must be an array {layout}; got {type(x).__name__}")
    if _is_tensor(x):
        shape, dtype_ok = tuple(x.shape), _torch_kind(x.dtype, kind)
        dtype = x.dtype
    elif isinstance(x, np.ndarray):
        shape, dtype_ok, dtype = x.shape, _numpy_kind(x.dtype, kind), x.dtype
    else:
        try:
            a = np.asarray(x)
        except ValueError as err:  # ragged nested lists
            raise ValueError(f"{name} must be a rectangular array {layout}; got a ragged "
                             f"nested list") from err
        shape, dtype_ok, dtype = a.shape, _numpy_kind(a.dtype, kind), a.dtype
        if a.size == 0 and a.dtype == np.float64 and kind == "int":
            dtype_ok = True  # np.asarray([]) is float64
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if len(shape) not in allowed:
            raise ValueError(f"{name} must be {layout or f'{allowed[0]}-D'}; got shape "
                             f"{tuple(shape)}")
    if not dtype_ok:
        want = {"float": "floating point", "int": "integer", "number": "numeric"}[kind]
        raise TypeError(f"{name} must hold {want} values {layout}; got dtype {dtype}")
    if min_size and any(s < min_size for s in shape):
        raise ValueError(f"{name} must have at least {min_size} entry along every axis "
                         f"{layout}; got shape {tuple(shape)}")
    if finite:
        ok = (bool(x.isfinite().all()) if _is_tensor(x)
              else np.isfinite(np.asarray(x, dtype=float)).all())
        if not ok:
            raise ValueError(f"{name} holds NaN or inf values; pass finite numbers")


def tensor(name: str, x: object, ndim: int | Sequence[int] | None = None, layout: str = "",
           kind: str | None = None, min_size: int = 1, finite: bool = False) -> None:
    """A torch tensor (TypeError otherwise) that passes `array` with the same arguments."""
    if not _is_tensor(x):
        raise TypeError(f"{name} must be a torch tensor {layout}; got {type(x).__name__}"
                        + (" (use torch.as_tensor)" if isinstance(x, (np.ndarray, list)) else ""))
    array(name, x, ndim, layout, kind=kind, min_size=min_size, finite=finite)


def _numpy_kind(dtype: np.dtype, kind: str | None) -> bool:
    if kind is None:
        return True
    if dtype == np.bool_:
        return False
    if kind == "float":
        return np.issubdtype(dtype, np.floating)
    if kind == "int":
        return np.issubdtype(dtype, np.integer)
    return np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)


def _torch_kind(dtype: object, kind: str | None) -> bool:
    if kind is None:
        return True
    if str(dtype) == "torch.bool" or dtype.is_complex:
        return False
    if kind == "float":
        return dtype.is_floating_point
    if kind == "int":
        return not dtype.is_floating_point
    return True


def ids(name: str, x: object, size: int) -> None:
    """Integer ids, every one in 0..size-1 (a full scan: use where ids are few)."""
    if _is_tensor(x):
        if x.is_floating_point() or str(x.dtype) == "torch.bool":
            raise TypeError(f"{name} must hold integer ids; got dtype {x.dtype}")
        if x.numel() and (int(x.min()) < 0 or int(x.max()) >= size):
            raise ValueError(f"{name} must hold ids in 0..{size - 1}; got values in "
                             f"{int(x.min())}..{int(x.max())}")
        return
    a = np.asarray(x) if not isinstance(x, np.ndarray) else x
    if a.size == 0:
        return
    if a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{name} must hold integer ids; got dtype {a.dtype}")
    if a.min() < 0 or a.max() >= size:
        raise ValueError(f"{name} must hold ids in 0..{size - 1}; got values in "
                         f"{a.min()}..{a.max()}")


def lengths(name: str, x: object, count: int, max_len: int, minimum: int = 1) -> list[int]:
    """One integer length per sequence, each in minimum..max_len; returned as a list."""
    if isinstance(x, np.ndarray) or _is_tensor(x):
        if (x.is_floating_point() if _is_tensor(x)
                else not np.issubdtype(x.dtype, np.integer)):
            raise TypeError(f"{name} must hold integer lengths; got dtype {x.dtype}")
        values = [int(v) for v in x.reshape(-1).tolist()]
    else:
        values = list(x)
        for v in values:
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise TypeError(f"{name} must hold integer lengths; got {v!r}")
        values = [int(v) for v in values]
    if len(values) != count:
        raise ValueError(f"{name} must give one length per sequence ({count}); got "
                         f"{len(values)}")
    bad = [v for v in values if not minimum <= v <= max_len]
    if bad:
        raise ValueError(f"{name} must lie in {minimum}..{max_len} (the padded length); got "
                         f"{bad[0]}")
    return values


def generator(name: str, rng: object) -> None:
    """A numpy Generator, as made by np.random.default_rng(seed)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy Generator such as np.random.default_rng(0); "
                        f"got {type(rng).__name__}")


def function(name: str, fn: object) -> None:
    if not callable(fn):
        raise TypeError(f"{name} must be a function; got {type(fn).__name__}")


def module(name: str, m: object) -> None:
    import torch

    if not isinstance(m, torch.nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module; got {type(m).__name__}")


def choice(name: str, value: object, options: Sequence[str]) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def instance(name: str, value: object, types: type | tuple[type, ...], what: str) -> None:
    """TypeError unless isinstance(value, types); `what` says what to pass, e.g. "a Vocab"."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {what}; got {type(value).__name__}")


def text(name: str, value: object, hint: str = "", empty: bool = False) -> str:
    """A str (TypeError otherwise), non-empty unless `empty` (ValueError)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str{hint}; got {type(value).__name__}")
    if not empty and not value:
        raise ValueError(f"{name} must be a non-empty str{hint}")
    return value

