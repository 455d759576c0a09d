"""Comparisons (==, <, ...; no gradient) and the ops that pick elements by comparing them:
maximum, minimum, fmax, fmin, clip, where.

The same pattern as ``elementwise.py``; a pick passes ``g`` to the operand it picked (ties: see
each op's ``Subgradient:`` line, the op table of docs/ops.md).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, make_result
from ._checks import Grads, _elementwise, _operands, _require_tensor
from .elementwise import _binary, _both


# ------------------------------------------------------------ comparisons
# Elementwise, broadcasting, as in numpy; the result is a boolean tensor that
# does not require grad (a comparison is piecewise constant: its derivative is 0
# wherever it exists), so it is a leaf whatever its inputs.
def _compare(op: str, function: Callable, a: Any, b: Any) -> Tensor:
    a, b = _operands(op, a, b)
    return Tensor._leaf(np.asarray(_elementwise(op, function, a, b)))


def eq(a: Any, b: Any) -> Tensor:
    """a == b elementwise. Shapes: a (...), b (...) -> broadcast(a, b), dtype bool."""
    return _compare("eq", np.equal, a, b)


def ne(a: Any, b: Any) -> Tensor:
    """a != b elementwise. Shapes as for ``eq``."""
    return _compare("ne", np.not_equal, a, b)


def lt(a: Any, b: Any) -> Tensor:
    """a < b elementwise. Shapes as for ``eq``."""
    return _compare("lt", np.less, a, b)


def le(a: Any, b: Any) -> Tensor:
    """a <= b elementwise. Shapes as for ``eq``."""
    return _compare("le", np.less_equal, a, b)


def gt(a: Any, b: Any) -> Tensor:
    """a > b elementwise. Shapes as for ``eq``."""
    return _compare("gt", np.greater, a, b)


def ge(a: Any, b: Any) -> Tensor:
    """a >= b elementwise. Shapes as for ``eq``."""
    return _compare("ge", np.greater_equal, a, b)


def maximum(a: Any, b: Any) -> Tensor:
    """The larger of a and b, elementwise. Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g where a > b for a, g where b > a for b
    Subgradient: g / 2 to each at a tie a = b (numpy-autograd and PyTorch alike)
    """
    return _binary("maximum", np.maximum, a, b, maximum_backward)


def maximum_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    half = 0.5 * g                                # each gets half at a tie
    return _both(g * (x > z) + half * (x == z), g * (z > x) + half * (x == z), a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """The smaller of a and b, elementwise. Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g where a < b for a, g where b < a for b
    Subgradient: g / 2 to each at a tie a = b (numpy-autograd and PyTorch alike)
    """
    return _binary("minimum", np.minimum, a, b, minimum_backward)


def minimum_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    half = 0.5 * g
    return _both(g * (x < z) + half * (x == z), g * (z < x) + half * (x == z), a, b)


def _bound(name: str, value: Any) -> Optional[np.ndarray]:
    """A clip bound: None, or a real number or array of them (a constant: no gradient flows to it)."""
    if value is None:
        return None
    if isinstance(value, Tensor):
        value = value._data
    bound = np.asarray(value)
    if bound.dtype.kind not in "iuf":
        raise TypeError(f"clip: {name} must be a real number, an array of them or None, got {value!r:.60}")
    return bound


def clip(a: Tensor, a_min: Any, a_max: Any) -> Tensor:
    """x limited to [a_min, a_max] (either bound may be None). Shapes: a (...) -> (...); the bounds are
    numbers or arrays broadcasting against a, constants (no gradient flows to them).

    VJP: g where a_min ≤ x ≤ a_max, 0 outside
    Subgradient: g at x = a_min or x = a_max (PyTorch's clamp; numpy-autograd gives 0 there)
    """
    _require_tensor("clip", a)
    low, high = _bound("a_min", a_min), _bound("a_max", a_max)
    if low is None and high is None:
        raise ValueError("clip: a_min and a_max are both None; give at least one bound")
    if low is not None and high is not None and np.any(low > high):
        raise ValueError(f"clip: a_min must not exceed a_max, got a_min={a_min!r:.60} and a_max={a_max!r:.60}")
    try:
        out = np.clip(a._data, low, high)
    except ValueError:
        shapes = [np.shape(bound) for bound in (low, high) if bound is not None]
        raise ShapeError(f"clip: bounds of shapes {shapes} do not broadcast against the tensor's shape "
                         f"{a.shape}") from None
    if out.shape != a.shape:
        raise ShapeError(f"clip: bounds would make the result of shape {out.shape}, larger than the tensor's "
                         f"shape {a.shape}")
    out = out.astype(a.dtype, copy=False)
    return make_result(out, (a,), "clip", clip_backward, (low, high))


def clip_backward(g: np.ndarray, out: Tensor) -> Grads:
    x, (low, high) = out.parents[0]._data, out.saved
    if low is not None:
        g = g * (x >= low)
    if high is not None:
        g = g * (x <= high)
    return (g,)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """x where ``condition`` holds, y elsewhere, broadcasting all three like numpy.

    Shapes: condition (...) boolean (a comparison's result such as ``t > 0``, or a numpy bool array),
    x (...), y (...) -> broadcast(condition, x, y).

    VJP: g where condition for x, g elsewhere for y (the condition gets none)
    """
    if isinstance(condition, Tensor):
        condition = condition._data
    condition = np.asarray(condition)
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean (a comparison such as t > 0, or a numpy bool "
                        f"array), got dtype {condition.dtype}; write it as a comparison, e.g. c != 0")
    x, y = _operands("where", x, y)
    try:
        out = np.where(condition, x._data, y._data)
    except ValueError:
        raise ShapeError(f"where: cannot broadcast shapes {condition.shape} (condition), {x.shape} (x) and "
                         f"{y.shape} (y)") from None
    return make_result(out, (x, y), "where", where_backward, condition)


def where_backward(g: np.ndarray, out: Tensor) -> Grads:
    x, y = out.parents
    condition = out.saved
    # np.where, not g * condition: a NaN or inf in g at an unused position must not leak in as 0 * inf.
    return _both(np.where(condition, g, 0.0), np.where(condition, 0.0, g), x, y)


def fmax(a: Any, b: Any) -> Tensor:
    """The larger of a and b, elementwise, ignoring a NaN (the other operand wins). Broadcasting.
    Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g where a > b (or b is NaN) for a, g where b > a (or a is NaN) for b
    Subgradient: g / 2 to each at a tie a = b, as ``maximum``
    """
    return _binary("fmax", np.fmax, a, b, fmax_backward)


def fmax_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    half = 0.5 * g                                # where one operand is NaN, the other won
    return _both(g * (x > z) + half * (x == z) + g * np.isnan(z), g * (z > x) + half * (x == z) + g * np.isnan(x), a, b)


def fmin(a: Any, b: Any) -> Tensor:
    """The smaller of a and b, elementwise, ignoring a NaN (the other operand wins). Broadcasting.
    Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g where a < b (or b is NaN) for a, g where b < a (or a is NaN) for b
    Subgradient: g / 2 to each at a tie a = b, as ``minimum``
    """
    return _binary("fmin", np.fmin, a, b, fmin_backward)


def fmin_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    half = 0.5 * g
    return _both(g * (x < z) + half * (x == z) + g * np.isnan(z), g * (z < x) + half * (x == z) + g * np.isnan(x), a, b)


# numpy's callables -> these ops, for numpy dispatch on a Tensor (np.sin(t) records sin; interop.py).
NUMPY_UFUNCS = {np.maximum: maximum, np.minimum: minimum, np.fmax: fmax, np.fmin: fmin}
NUMPY_FUNCTIONS = {np.clip: clip, np.where: where}


__all__ = ["maximum", "minimum", "clip", "where", "fmax", "fmin"]
