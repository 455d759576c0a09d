"""Indexing: ``t[index]`` (getitem), its adjoint ``add_at``, and ``masked_fill``.

The pattern of every op file (see ``ops/__init__.py``): each forward is followed by its VJP.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import SliceGrad, Tensor, make_result
from ._checks import Grads, _require_tensor


_BASIC = (int, slice, type(Ellipsis), type(None))


def _prepare_index(index: Any) -> tuple[Any, bool]:
    """The index with Tensors and lists turned into integer arrays, and whether it is "advanced".

    Advanced (array) indexing can select a position several times, so its
    backward must accumulate (``np.add.at``); basic indexing (integers,
    slices, None, Ellipsis) selects each position at most once.
    """
    if type(index) in _BASIC:
        return index, False
    if type(index) is tuple:
        for part in index:                  # the common case: a tuple of slices
            if type(part) not in _BASIC:
                break
        else:
            return index, False
        parts = tuple(_array_index(part) for part in index)
        return parts, builtins.any(isinstance(part, np.ndarray) for part in parts)
    index = _array_index(index)
    return index, isinstance(index, np.ndarray)


def _array_index(part: Any) -> Any:
    """A list inside an index as an integer (or boolean) array; anything else as is."""
    if isinstance(part, Tensor):
        if part.dtype == np.bool_:          # a comparison's result: x[x > 0]
            return part._data
        # A float Tensor: a boolean mask stored in one has become 0. and 1.,
        # which as indices would silently select elements 0 and 1.
        raise IndexError("getitem: index with a boolean Tensor (a comparison such as x > 0), or a numpy "
                         "integer or boolean array (or a list), not a float Tensor: a boolean mask "
                         "stored as floats would read as the indices 0 and 1")
    if isinstance(part, list):
        return np.asarray(part)
    return part


def getitem(a: Tensor, index: Any) -> Tensor:
    """``a[index]`` with integers, slices, None, Ellipsis, and integer or boolean arrays.

    Shapes follow numpy's indexing rules. In the backward, each selected
    position receives its gradient; a position selected several times (an
    integer array with repeats) receives the sum, which is why the scatter
    uses ``np.add.at`` and not assignment.
    """
    _require_tensor("getitem", a)
    index, advanced = _prepare_index(index)
    try:
        out = a._data[index]
    except IndexError as error:
        raise IndexError(f"getitem: index {index!r} does not fit a tensor of shape {a.shape} ({error})") from None
    return make_result(out, (a,), "getitem", getitem_backward, (index, advanced))


def getitem_backward(g: np.ndarray, out: Tensor) -> Grads:
    index, advanced = out.saved
    return (SliceGrad(index, g, advanced),)     # g belongs at `index` of a zero array (tensor.py)


def add_at(shape: Any, index: Any, values: Tensor) -> Tensor:
    """``np.add.at(np.zeros(shape), index, values)`` as an op: ``values`` put at ``index`` of zeros.

    Shapes: values (the shape of ``zeros(shape)[index]``) -> shape; a position the index
    selects several times receives the sum. This scatter is getitem's VJP: the default
    backward keeps it sparse (``SliceGrad``), and under ``create_graph=True`` it is recorded
    as this op, whose own VJP is getitem again.
    """
    _require_tensor("add_at", values)
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    index, advanced = _prepare_index(index)
    try:
        out = np.zeros(shape, values.dtype)
        selected = out[index].shape
    except (IndexError, ValueError, TypeError) as error:
        raise IndexError(f"add_at: index {index!r} does not fit shape {shape} ({error})") from None
    if values.shape != selected:
        raise ShapeError(f"add_at: values have shape {values.shape}, but index {index!r} selects "
                         f"shape {selected} of a tensor of shape {shape}")
    SliceGrad(index, values._data, advanced).add_into(out)
    return make_result(out, (values,), "add_at", add_at_backward, index)


def add_at_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g[out.saved],)


# ------------------------------------------------------------ masking
def masked_fill(a: Tensor, mask: Any, value: float) -> Tensor:
    """``a`` with ``value`` wherever ``mask`` is True (PyTorch's ``Tensor.masked_fill``).

    Shapes: a (...), mask a boolean array broadcastable to a's shape -> a's shape.
    Attention fills the scores it must ignore with -inf, so that softmax gives
    them weight 0 (nets/attention.py). The filled positions no longer depend on
    ``a``: their gradient is 0, the others pass g through unchanged.
    """
    _require_tensor("masked_fill", a)
    if isinstance(mask, Tensor):
        # Same reason as in getitem: a Tensor holds floats, not booleans.
        raise TypeError("masked_fill: mask must be a numpy boolean array (or a list of bools), not a Tensor")
    mask = np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must hold booleans, got dtype {mask.dtype}")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"masked_fill: value must be a number, got {type(value).__name__}")
    try:
        broadcast = np.broadcast_shapes(mask.shape, a.shape)
    except ValueError:
        broadcast = None
    if broadcast != a.shape:
        raise ShapeError(f"masked_fill: mask of shape {mask.shape} does not broadcast to the tensor's "
                         f"shape {a.shape}")
    out = np.where(mask, np.asarray(value, dtype=a.dtype), a._data)
    return make_result(out, (a,), "masked_fill", masked_fill_backward, mask)


def masked_fill_backward(g: np.ndarray, out: Tensor) -> Grads:
    # np.where, not g * ~mask: a NaN or inf arriving at a filled position must not leak through as 0 * inf.
    return (np.where(out.saved, 0.0, g),)
