"""Reductions beyond ``ops/__init__.py``'s sum, mean and max: min, prod, var, std, cumsum, logsumexp.

The same pattern as ``ops/__init__.py``: each forward is followed by its VJP. A
reduction over ``axis`` (None: every axis) removes those axes (``keepdims``
keeps them as size 1); in the backward, ``_restore_reduced_axes`` puts them
back so that ``g`` broadcasts against the input. The ``VJP:`` and
``Subgradient:`` lines of the docstrings are the op table of docs/ops.md.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from .._checks import check_flags
from ..errors import ShapeError
from ..tensor import Tensor, make_result
from ._checks import Grads, _normalize_axes, _require_tensor, _single_axis


def _reduced_size(shape: tuple[int, ...], axes: Optional[tuple[int, ...]]) -> int:
    """How many elements a reduction over ``axes`` (None: all) combines into each result."""
    return math.prod(shape if axes is None else [shape[ax] for ax in axes])


def _restore_reduced_axes(g: np.ndarray, axes: Optional[tuple[int, ...]], keepdims: bool,
                          shape: tuple[int, ...]) -> np.ndarray:
    """Re-insert (as size 1) the axes a reduction of an input of ``shape`` removed, so ``g`` broadcasts against it.

    A reshape rather than ``np.expand_dims``: it reads the same on an array and on a Tensor,
    so the VJPs that call it also serve ``create_graph=True`` (see the module docstring).
    """
    if keepdims or axes is None or not shape:
        return g
    return g.reshape(tuple(1 if axis in axes else size for axis, size in enumerate(shape)))


# ------------------------------------------------------------- reductions
def sum(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (None: all axes). Shape: (...) -> (...) without the summed axes (kept as 1 with keepdims)."""
    _require_tensor("sum", a)
    check_flags("sum", keepdims=keepdims)
    axes = _normalize_axes("sum", axis, a.shape)
    out = np.sum(a._data, axis=axes, keepdims=keepdims)
    return make_result(out, (a,), "sum", sum_backward, (axes, keepdims))


def sum_backward(g: np.ndarray, out: Tensor) -> Grads:
    (a,), (axes, keepdims) = out.parents, out.saved
    # Every summed element contributes with derivative 1: copy g back along the summed axes.
    return (np.broadcast_to(_restore_reduced_axes(g, axes, keepdims, a.shape), a.shape),)


def mean(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (None: all axes). Shapes as for ``sum``."""
    _require_tensor("mean", a)
    check_flags("mean", keepdims=keepdims)
    axes = _normalize_axes("mean", axis, a.shape)
    count = _reduced_size(a.shape, axes)
    if count == 0:
        raise ShapeError(f"mean: cannot average over an empty axis of a tensor of shape {a.shape}")
    out = np.mean(a._data, axis=axes, keepdims=keepdims)
    return make_result(out, (a,), "mean", mean_backward, (axes, keepdims, count))


def mean_backward(g: np.ndarray, out: Tensor) -> Grads:
    (a,), (axes, keepdims, count) = out.parents, out.saved
    return (np.broadcast_to(_restore_reduced_axes(g, axes, keepdims, a.shape) / count, a.shape),)


def max(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis`` (None: all axes). Shapes as for ``sum``.

    The gradient goes to the maximal element; ties share it equally.
    """
    _require_tensor("max", a)
    check_flags("max", keepdims=keepdims)
    axes = _normalize_axes("max", axis, a.shape)
    if _reduced_size(a.shape, axes) == 0:
        raise ShapeError(f"max: cannot take the maximum over an empty axis of a tensor of shape {a.shape}")
    out = np.max(a._data, axis=axes, keepdims=keepdims)
    return make_result(out, (a,), "max", max_backward, (axes, keepdims))


def max_backward(g: np.ndarray, out: Tensor) -> Grads:
    (a,), (axes, keepdims) = out.parents, out.saved
    # The tie mask is a comparison: piecewise constant, so under create_graph it is a constant
    # (a boolean leaf) and max's second derivative is 0, as for any piecewise linear function.
    winners = a._data == _restore_reduced_axes(out._data, axes, keepdims, a.shape)
    share = winners / np.sum(winners, axis=axes, keepdims=True)
    return (share * _restore_reduced_axes(g, axes, keepdims, a.shape),)


def min(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001 (numpy's name)
    """Minimum over ``axis`` (None: all axes). Shape: (...) -> (...) without the reduced axes (kept as 1
    with keepdims).

    VJP: g to the minimal element
    Subgradient: ties share g equally (numpy-autograd; PyTorch's amin and full min alike)
    """
    _require_tensor("min", a)
    axes = _normalize_axes("min", axis, a.shape)
    if _reduced_size(a.shape, axes) == 0:
        raise ShapeError(f"min: cannot take the minimum over an empty axis of a tensor of shape {a.shape}")
    out = np.min(a._data, axis=axes, keepdims=keepdims)
    return make_result(out, (a,), "min", min_backward, (axes, keepdims))


# The rule of max (ops.py) as it is: the gradient goes to the elements equal to the result, shared at ties.
min_backward = max_backward


def _others_product(x: Any, axes: Any) -> Any:
    """For each element, the product of the *other* elements of its group (the elements reduced together).

    Without division, so exact with zeros: the reduced axes are moved to the end and
    flattened into one of length n; the product of the others of element i is
    (x_0 ... x_{i-1}) (x_{i+1} ... x_{n-1}), a running product from the left times
    one from the right. (A loop of multiplications rather than np.cumprod, so that
    the same lines record themselves under create_graph.)
    """
    axes = tuple(range(x.ndim)) if axes is None else axes
    kept = tuple(ax for ax in range(x.ndim) if ax not in axes)
    moved = np.transpose(x, kept + axes)
    rows = moved.reshape(moved.shape[:len(kept)] + (-1,))
    n = rows.shape[-1]
    before = [np.ones(rows.shape[:-1], dtype=x.dtype)]          # before[i] = x_0 ... x_{i-1}
    for i in range(1, n):
        before.append(before[-1] * rows[..., i - 1])
    after = [np.ones(rows.shape[:-1], dtype=x.dtype)]           # after[k] = x_{n-k} ... x_{n-1}
    for i in range(n - 1, 0, -1):
        after.append(after[-1] * rows[..., i])
    others = np.stack([before[i] * after[n - 1 - i] for i in range(n)], axis=-1) if n else rows
    return np.transpose(others.reshape(moved.shape), tuple(np.argsort(kept + axes)))


def prod(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Product over ``axis`` (None: all axes). Shapes as for ``min``.

    VJP: g times the product of the other elements of the group (computed without dividing by x, so
    exact with zeros and negative numbers)
    """
    _require_tensor("prod", a)
    axes = _normalize_axes("prod", axis, a.shape)
    out = np.prod(a._data, axis=axes, keepdims=keepdims)
    return make_result(out, (a,), "prod", prod_backward, (axes, keepdims))


def prod_backward(g: np.ndarray, out: Tensor) -> Grads:
    (a,), (axes, keepdims) = out.parents, out.saved
    return (_restore_reduced_axes(g, axes, keepdims, a.shape) * _others_product(a._data, axes),)


def _check_ddof(op: str, ddof: Any, count: int, shape: tuple[int, ...]) -> None:
    """ddof: an integer with 0 <= ddof < the number of elements reduced together."""
    if isinstance(ddof, (bool, np.bool_)) or not isinstance(ddof, (int, np.integer)):
        raise TypeError(f"{op}: ddof must be an integer >= 0, got {ddof!r:.60}")
    if not 0 <= ddof < count:
        raise ValueError(f"{op}: ddof must be an integer with 0 <= ddof < {count} (the number of elements "
                         f"reduced together in a tensor of shape {shape}), got {ddof}")


def _deviations(op: str, a: Tensor, axis: Any, ddof: Any) -> tuple[np.ndarray, tuple, int]:
    """x - mean(x) over the axes, the axes, and the divisor n - ddof."""
    _require_tensor(op, a)
    axes = _normalize_axes(op, axis, a.shape)
    count = _reduced_size(a.shape, axes)
    _check_ddof(op, ddof, count, a.shape)
    return a._data - np.mean(a._data, axis=axes, keepdims=True), axes, count - ddof


def var(a: Tensor, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """Variance over ``axis``: sum((x - mean)²) / (n - ddof), n the number of elements reduced together.
    Shapes as for ``min``; ``ddof=1`` is the unbiased estimate (numpy's default is 0, PyTorch's 1).

    VJP: 2 g (x - mean) / (n - ddof)
    """
    deviations, axes, divisor = _deviations("var", a, axis, ddof)
    out = np.sum(deviations * deviations, axis=axes, keepdims=keepdims) / divisor
    return make_result(out, (a,), "var", var_backward, (axes, keepdims, divisor))


def var_backward(g: np.ndarray, out: Tensor) -> Grads:
    (a,), (axes, keepdims, divisor) = out.parents, out.saved
    x = a._data
    deviations = x - x.mean(axis=axes, keepdims=True)
    return (_restore_reduced_axes(g, axes, keepdims, a.shape) * deviations * (2.0 / divisor),)


def std(a: Tensor, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """Standard deviation over ``axis``, √var. Shapes and ``ddof`` as for ``var``.

    VJP: g (x - mean) / ((n - ddof) y), y = std
    Subgradient: 0 where the variance is 0 (all elements equal: std is |x - mean| there, a kink like
    abs at 0); PyTorch gives 0 too, numpy-autograd NaN
    """
    deviations, axes, divisor = _deviations("std", a, axis, ddof)
    out = np.sqrt(np.sum(deviations * deviations, axis=axes, keepdims=keepdims) / divisor)
    return make_result(out, (a,), "std", std_backward, (axes, keepdims, divisor))


def std_backward(g: np.ndarray, out: Tensor) -> Grads:
    (a,), (axes, keepdims, divisor) = out.parents, out.saved
    x = a._data
    deviations = x - x.mean(axis=axes, keepdims=True)
    y = _restore_reduced_axes(out._data, axes, keepdims, a.shape)
    # Where y = 0 every deviation is 0 too: dividing by 1 there gives the subgradient 0, not 0/0.
    return (_restore_reduced_axes(g, axes, keepdims, a.shape) * deviations / (divisor * np.where(y == 0, 1.0, y)),)


def cumsum(a: Tensor, axis: Any = None) -> Tensor:
    """Running sums along ``axis``: y_i = x_0 + ... + x_i. Shape: (...) -> (...); with axis None the tensor
    is flattened first (numpy's rule): (...) -> (size,).

    VJP: the running sums of g from the end (x_i reaches every y_j with j >= i)
    """
    _require_tensor("cumsum", a)
    axis = None if axis is None else _single_axis("cumsum", axis, a.shape if a.ndim else (1,))
    out = np.cumsum(a._data, axis=axis)
    return make_result(out, (a,), "cumsum", cumsum_backward, axis)


def cumsum_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, axis = out.parents[0], out.saved
    along = -1 if axis is None else axis
    return (np.flip(np.cumsum(np.flip(g, along), axis=along), along).reshape(a._data.shape),)


def logsumexp(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``axis``, computed stably (scipy's and PyTorch's name). Shapes as for ``min``.

    VJP: g exp(x - y): the softmax of x over the axes
    """
    _require_tensor("logsumexp", a)
    axes = _normalize_axes("logsumexp", axis, a.shape)
    if _reduced_size(a.shape, axes) == 0:
        raise ShapeError(f"logsumexp: cannot reduce over an empty axis of a tensor of shape {a.shape}")
    top = np.max(a._data, axis=axes, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)       # all -inf (or an inf) in a group: no shift
    out = np.log(np.sum(np.exp(a._data - top), axis=axes, keepdims=True)) + top
    if not keepdims:
        out = np.squeeze(out, axis=axes)
    return make_result(out, (a,), "logsumexp", logsumexp_backward, (axes, keepdims))


def logsumexp_backward(g: np.ndarray, out: Tensor) -> Grads:
    (a,), (axes, keepdims) = out.parents, out.saved
    y = _restore_reduced_axes(out._data, axes, keepdims, a.shape)
    return (_restore_reduced_axes(g, axes, keepdims, a.shape) * np.exp(a._data - y),)


# numpy's callables -> these ops, for numpy dispatch on a Tensor (np.sin(t) records sin; interop.py).
NUMPY_FUNCTIONS = {np.min: min, np.amin: min, np.prod: prod, np.var: var, np.std: std, np.cumsum: cumsum}


__all__ = ["min", "prod", "var", "std", "cumsum", "logsumexp"]
