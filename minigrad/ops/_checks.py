"""The op files' shared argument handling: operands made Tensors, axes checked, errors that name the op.

The checks of the public entry points are in ``minigrad/_checks.py``; these are the ones every op's
forward calls, kept out of the op files so that those show only forward/backward pairs.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor


Grad = Optional[np.ndarray]
Grads = Sequence[Any]


# ------------------------------------------------------------------ helpers
def as_tensor(value: Any, like: Optional[Tensor] = None) -> Tensor:
    """``value`` itself if it is a Tensor, otherwise a constant Tensor holding it.

    A Python number takes the dtype of ``like`` so that ``x32 * 2.0`` stays float32.
    """
    if isinstance(value, Tensor):
        return value
    if like is not None and isinstance(value, (int, float)):   # bool is an int too
        return Tensor._leaf(np.asarray(value, dtype=like._data.dtype))
    return Tensor(value)


def _operands(op: str, a: Any, b: Any, share_arrays: bool = False) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors (a number takes the other operand's dtype).

    ``share_arrays``: wrap a float numpy operand without copying it, for the ops whose
    backward reads only their operands' shapes (add, sub): a later write into that
    array cannot change a gradient, and ``output - target`` costs no copy of the target.
    """
    if isinstance(a, Tensor) and isinstance(b, Tensor):     # the common case, checked first
        return a, b
    if not isinstance(a, Tensor):
        _require_tensor(op, b)      # at least one operand must be a Tensor
    like = a if isinstance(a, Tensor) else b
    try:
        if share_arrays:
            return _shared(a, like), _shared(b, like)
        return as_tensor(a, like), as_tensor(b, like)
    except (TypeError, ValueError) as error:    # ragged, strings, None: Tensor() says what is wrong
        raise type(error)(f"{op}: an operand is not an array of numbers ({error})") from None


def _shared(value: Any, like: Tensor) -> Tensor:
    """``as_tensor(value, like)``, but a float64/float32 numpy array is wrapped as it is, not copied."""
    if type(value) is np.ndarray and value.dtype in (np.float64, np.float32):
        return Tensor._leaf(value)
    return as_tensor(value, like)


def _require_tensor(op: str, a: Any) -> None:
    """Refuse a non-Tensor operand by name, before numpy fails on it somewhere deeper."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(a).__name__}; "
                        f"wrap it first: minigrad.Tensor(value)")


def _elementwise(op: str, function: Callable, a: Tensor, b: Tensor) -> np.ndarray:
    """Apply a broadcasting numpy function, naming the op and shapes if they don't fit."""
    try:
        return function(a._data, b._data)
    except ValueError:
        raise ShapeError(f"{op}: cannot broadcast shapes {a.shape} and {b.shape}") from None


def _axes_in_range(op: str, axes: Sequence[Any], shape: tuple[int, ...]) -> tuple[int, ...]:
    """Each axis as a non-negative int, in the given order; an axis out of range or repeated is an error."""
    ndim = len(shape)
    normalized = []
    for ax in axes:
        if not isinstance(ax, (int, np.integer)) or isinstance(ax, bool):
            raise ShapeError(f"{op}: an axis must be an int, got {ax!r} (tensor of shape {shape})")
        if not -ndim <= ax < ndim:
            raise ShapeError(f"{op}: axis {ax} is out of range for a tensor of shape {shape}")
        normalized.append(int(ax) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ShapeError(f"{op}: repeated axis in {tuple(axes)} for a tensor of shape {shape}")
    return tuple(normalized)


def _normalize_axes(op: str, axis: Any, shape: tuple[int, ...]) -> Optional[tuple[int, ...]]:
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of non-negative axes."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        axes = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise ShapeError(f"{op}: axis must be None, an int or a tuple of ints, got {axis!r} "
                         f"(tensor of shape {shape})")
    return tuple(sorted(_axes_in_range(op, axes, shape)))


def _single_axis(op: str, axis: Any, shape: tuple[int, ...]) -> int:
    """One axis (an int) as a non-negative int, for ops that work along exactly one axis."""
    if not isinstance(axis, (int, np.integer)):
        raise ShapeError(f"{op}: axis must be a single int, got {axis!r} (tensor of shape {shape})")
    return _axes_in_range(op, (axis,), shape)[0]
