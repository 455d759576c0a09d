"""Hypothesis strategies for property tests of your own functions.

    from hypothesis import given
    from minigrad.testing import gradcheck, strategies as mst

    @given(mst.tensors(shape=mst.shapes(max_dims=2)))
    def test_my_function(x):
        assert gradcheck(my_function, [x])

Every strategy draws float64 tensors with ``requires_grad=True`` by default,
with values in [-3, 3] (bounded, so gradients are well scaled) and avoiding
values closer than ``min_gap`` to zero if asked (for log, division, ...).
"""
from __future__ import annotations

from typing import Any

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # pragma: no cover - only without the test extra
    raise ImportError("minigrad.testing.strategies needs hypothesis: pip install 'minigrad[test]'") from error

import numpy as np

from .._checks import check_count, check_flags, check_range
from ..tensor import Tensor


# Each builder checks its arguments when it is called: hypothesis would only complain when the
# strategy is first drawn from, inside some test, far from the mistake.
def _check_bounds(who: str, low_name: str, low: Any, high_name: str, high: Any) -> None:
    if high < low:
        raise ValueError(f"{who}: {high_name} must be >= {low_name}, got {low_name}={low!r}, {high_name}={high!r}")


def _check_shape(who: str, shape: Any) -> None:
    """A tuple of sizes >= 0, or a strategy of such tuples."""
    if isinstance(shape, st.SearchStrategy):
        return
    if not isinstance(shape, tuple):
        raise TypeError(f"{who}: shape must be a tuple of sizes or a strategy of tuples, got {shape!r}")
    for position, size in enumerate(shape):
        check_count(who, f"shape[{position}]", size, 0)


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy:
    """Array shapes, including 0-d ``()`` and size-1 dimensions by default."""
    for name, value in (("min_dims", min_dims), ("max_dims", max_dims), ("min_side", min_side),
                        ("max_side", max_side)):
        check_count("shapes", name, value, 0)
    _check_bounds("shapes", "min_dims", min_dims, "max_dims", max_dims)
    _check_bounds("shapes", "min_side", min_side, "max_side", max_side)
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3,
                         max_side: int = 4) -> st.SearchStrategy:
    """Tuples of ``num_shapes`` shapes that broadcast together (numpy's rules)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims,
                                             max_dims=max_dims, max_side=max_side).map(lambda s: s.input_shapes)


def arrays(shape: Any, low: float = -3.0, high: float = 3.0, min_gap: float = 0.0,
           dtype: Any = np.float64) -> st.SearchStrategy:
    """numpy arrays of ``shape`` (a tuple or a strategy of tuples) with values in [low, high].

    ``min_gap > 0`` keeps every value at least that far from zero.
    """
    return _arrays("arrays", shape, low, high, min_gap, dtype)


def _arrays(who: str, shape: Any, low: float, high: float, min_gap: float, dtype: Any) -> st.SearchStrategy:
    _check_shape(who, shape)
    check_range(who, "low", low, -np.inf, np.inf)
    check_range(who, "high", high, -np.inf, np.inf)
    _check_bounds(who, "low", low, "high", high)
    check_range(who, "min_gap", min_gap, 0.0, np.inf)
    if min_gap > 0 and min_gap > max(abs(low), abs(high)):
        raise ValueError(f"{who}: min_gap={min_gap!r} leaves no value in [{low}, {high}]")
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False, width=np.dtype(dtype).itemsize * 8)
    if min_gap > 0:
        elements = elements.filter(lambda v: abs(v) >= min_gap)
    return hnp.arrays(dtype, shape, elements=elements)


def tensors(shape: Any = None, low: float = -3.0, high: float = 3.0, min_gap: float = 0.0,
            requires_grad: bool = True, dtype: Any = np.float64) -> st.SearchStrategy:
    """Tensors of ``shape`` (a tuple or a strategy; default: ``shapes()``)."""
    check_flags("tensors", requires_grad=requires_grad)
    shape = shapes() if shape is None else shape
    return _arrays("tensors", shape, low, high, min_gap, dtype).map(
        lambda a: Tensor(a, requires_grad=requires_grad, dtype=dtype))


def axes(ndim: int, allow_none: bool = True) -> st.SearchStrategy:
    """An axis of an ``ndim``-dimensional array (possibly negative), or None."""
    check_count("axes", "ndim", ndim, 0)
    check_flags("axes", allow_none=allow_none)
    options = st.integers(-ndim, ndim - 1) if ndim > 0 else st.nothing()
    return st.one_of(st.none(), options) if allow_none else options


def axis_tuples(ndim: int) -> st.SearchStrategy:
    """None or a tuple of distinct axes of an ``ndim``-dimensional array."""
    check_count("axis_tuples", "ndim", ndim, 0)
    if ndim == 0:
        return st.none()
    return st.one_of(st.none(), st.lists(st.integers(0, ndim - 1), unique=True, min_size=1).map(tuple))


__all__ = ["shapes", "broadcastable_shapes", "arrays", "tensors", "axes", "axis_tuples"]
