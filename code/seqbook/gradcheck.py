"""Check a hand-written backward pass against central finite differences.

Taught in chapters/03_bptt.ipynb, where the NumPy BPTT of ``seqbook.numpy_rnn`` is checked
entry by entry. The recipe: perturb one number of a parameter array by +-eps in place, re-run
the loss, and compare (L(w + eps) - L(w - eps)) / (2 eps) with the analytic gradient using a
scale-free relative error. In float64 a correct backward pass gives errors around 1e-9 or
smaller; a wrong one gives errors near 1. Everything must be float64: float32 carries only ~7
significant digits, so the difference of two nearby losses is mostly rounding noise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

TINY = 1e-300  # guards the relative error against 0 / 0 when both gradients are exactly zero


def _check_float64(name: str, array: object) -> np.ndarray:
    """Return ``array`` if it is a writable float64 ndarray, else explain why it must be."""
    if not isinstance(array, np.ndarray):
        raise ValueError(
            f"{name} must be a NumPy array (perturbed in place); got {type(array).__name__}"
        )
    if array.dtype != np.float64:
        raise ValueError(
            f"{name} has dtype {array.dtype}, but finite differences need float64: "
            "in float32 the loss change from a tiny eps is mostly rounding noise. "
            f"Use {name}.astype(np.float64) (and build the model in float64)"
        )
    if not array.flags.writeable:
        raise ValueError(f"{name} is read-only; it must be a writable array that the loss reads")
    return array


def numerical_gradient(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Estimate d f() / d array by central differences, perturbing ``array`` in place.

    ``f`` takes no arguments and must read ``array`` (e.g. a closure over the model's weights).
    Each entry is restored to its exact original value afterwards, even if ``f`` raises.
    Costs 2 * array.size calls of ``f``.
    """
    _check_float64("array", array)
    if not eps > 0:
        raise ValueError(f"eps must be a small positive step such as 1e-6; got {eps!r}")
    grad = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        try:
            array[idx] = old + eps
            f_plus = _scalar(f())
            array[idx] = old - eps
            f_minus = _scalar(f())
        finally:
            array[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def _scalar(value: Any) -> float:
    """Return the loss as a Python float, or explain that it must be a scalar."""
    if np.ndim(value) != 0:
        raise ValueError(
            f"the loss function must return one number; got shape {np.shape(value)}. "
            "Sum or average it to a scalar first"
        )
    return float(value)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Scale-free distance of two gradients: max |a - b| / max(|a| + |b|), 0 when both are 0."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"cannot compare gradients of shapes {a.shape} and {b.shape}; "
            "an analytic gradient must have the shape of its parameter"
        )
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), TINY))


def _as_dict(obj: Mapping[str, np.ndarray] | object, what: str) -> dict[str, np.ndarray]:
    """View a dict or a dataclass (such as RNNParams or RNNGrads) as {name: array}, no copies."""
    if isinstance(obj, Mapping):
        return dict(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    raise ValueError(
        f"{what} must be a dict of arrays or a dataclass such as RNNParams; "
        f"got {type(obj).__name__}"
    )


def check_gradients(
    loss_fn: Callable[[], float],
    params: Mapping[str, np.ndarray] | object,
    analytic: Mapping[str, np.ndarray] | object,
    eps: float = 1e-6,
    names: list[str] | None = None,
) -> dict[str, float]:
    """Compare analytic gradients with finite differences; return {name: relative error}.

    ``params`` maps names to the float64 arrays ``loss_fn()`` reads (a dict or a dataclass);
    ``analytic`` holds a gradient under the same name (extra entries such as ``dhs`` are
    ignored). ``names`` restricts the check to some parameters. A chapter then asserts, e.g.,
    ``assert max(errs.values()) < 1e-6``.
    """
    arrays = _as_dict(params, "params")
    grads = _as_dict(analytic, "analytic")
    selected = list(arrays) if names is None else list(names)
    unknown = [name for name in selected if name not in arrays]
    if unknown:
        raise ValueError(f"no parameter named {unknown}; params has {sorted(arrays)}")
    errors: dict[str, float] = {}
    for name in selected:
        array = _check_float64(f"params[{name!r}]", arrays[name])
        if name not in grads:
            raise ValueError(
                f"analytic has no gradient for {name!r}; it has {sorted(grads)}. "
                "Give each parameter's gradient under the parameter's name"
            )
        if np.shape(grads[name]) != array.shape:
            raise ValueError(
                f"analytic[{name!r}] has shape {np.shape(grads[name])} but the "
                f"parameter has shape {array.shape}; they must match"
            )
        errors[name] = relative_error(grads[name], numerical_gradient(loss_fn, array, eps))
    return errors
