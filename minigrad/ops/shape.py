"""Shape ops under numpy's names: the same elements reshaped, permuted, flipped, broadcast, copied, padded, and ``astype``.

The same pattern as ``ops/__init__.py``: each forward is followed by its VJP. A shape op
moves elements without changing them, so its VJP moves ``g`` back: the inverse
move for a permutation, a sum over the copies for a copy (repeat, tile), zeros
where an element was cut away (split, pad). Ops that only change the shape
(ravel, squeeze, ...) share ``reshape_backward``; ops that cut a piece out
share ``getitem_backward`` (indexing.py). The ``VJP:`` lines of the docstrings are the
op table of docs/ops.md.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, check_dtype, make_result
from ._checks import Grads, _axes_in_range, _normalize_axes, _require_tensor, _single_axis
from .arithmetic import unbroadcast
from .indexing import getitem_backward


# ------------------------------------------------------------ shape ops
def reshape(a: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (``a.reshape(2, 3)`` or ``a.reshape((2, 3))``)."""
    _require_tensor("reshape", a)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        out = a._data.reshape(shape)
    except (ValueError, TypeError):
        raise ShapeError(f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) "
                         f"into shape {shape}") from None
    if shape and min(shape) < -1:      # numpy reads any negative size as "infer it"; only -1 means that
        raise ShapeError(f"reshape: sizes must be >= 0, or -1 for one inferred size, got shape {shape}")
    return make_result(out, (a,), "reshape", reshape_backward)


def reshape_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g.reshape(out.parents[0].shape),)


def transpose(a: Tensor, *axes: Any) -> Tensor:
    """Permute the axes (no axes: reverse them, so a matrix is transposed).

    Shape: (d_0, ..., d_{n-1}) -> (d_axes[0], ..., d_axes[n-1]).
    """
    _require_tensor("transpose", a)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    if not axes:
        axes = tuple(range(a.ndim - 1, -1, -1))
    else:
        if len(axes) != a.ndim:
            raise ShapeError(f"transpose: axes {axes} are not a permutation of the {a.ndim} axes "
                             f"of a tensor of shape {a.shape}")
        try:
            axes = _axes_in_range("transpose", axes, a.shape)
        except ShapeError:
            raise ShapeError(f"transpose: axes {axes} are not a permutation of the {a.ndim} axes "
                             f"of a tensor of shape {a.shape}") from None
    # The VJP of a permutation is the inverse permutation.
    inverse = tuple(sorted(range(a.ndim), key=axes.__getitem__))
    return make_result(a._data.transpose(axes), (a,), "transpose", transpose_backward, inverse)


def transpose_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g.transpose(out.saved),)


def flip(a: Tensor, axis: Any = None) -> Tensor:
    """Reverse the order of elements along ``axis`` (None: along every axis). Shape unchanged.

    A bidirectional RNN flips its input in time, runs a forward net, and flips
    the result back (seed 004, "Bidirectional RNN").
    """
    _require_tensor("flip", a)
    axes = _normalize_axes("flip", axis, a.shape)
    return make_result(np.flip(a._data, axes), (a,), "flip", flip_backward, axes)


def flip_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (np.flip(g, out.saved),)


def broadcast_to(a: Tensor, shape: Any) -> Tensor:
    """``a`` copied along new leading axes and along its axes of size 1, to ``shape`` (numpy's rules).

    Shapes: a (...) -> shape. The VJP of a copy is a sum over the copies (``unbroadcast``);
    conversely ``sum``'s VJP is a broadcast, which is how ``create_graph=True`` records it.
    """
    _require_tensor("broadcast_to", a)
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    try:
        out = np.broadcast_to(a._data, shape)
    except (ValueError, TypeError):
        raise ShapeError(f"broadcast_to: cannot broadcast a tensor of shape {a.shape} to shape {shape}") from None
    # A copy: numpy's broadcast is a read-only view, and a Tensor owns writable data.
    return make_result(out.copy(), (a,), "broadcast_to", broadcast_to_backward)


def broadcast_to_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (unbroadcast(g, out.parents[0].shape),)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


# ----------------------------------------------------------- new shape only
def ravel(a: Tensor) -> Tensor:
    """The elements as one row, in C order. Shape: (...) -> (size,).

    VJP: g reshaped to the input's shape
    """
    _require_tensor("ravel", a)
    return make_result(a._data.reshape(-1), (a,), "ravel", ravel_backward)


ravel_backward = reshape_backward       # only the shape changed: g goes back in the input's shape


def flatten(a: Tensor) -> Tensor:
    """The elements as one row, in C order (``ndarray.flatten``; ``ravel`` under its other name).
    Shape: (...) -> (size,).

    VJP: g reshaped to the input's shape
    """
    _require_tensor("flatten", a)
    return make_result(a._data.reshape(-1), (a,), "flatten", flatten_backward)


flatten_backward = reshape_backward


def squeeze(a: Tensor, axis: Any = None) -> Tensor:
    """Drop axes of size 1 (``axis``: which; None: all of them). Shape: (..., 1, ...) -> (..., ...).

    VJP: g reshaped to the input's shape
    """
    _require_tensor("squeeze", a)
    axes = _normalize_axes("squeeze", axis, a.shape)
    if axes is not None:
        wide = [ax for ax in axes if a.shape[ax] != 1]
        if wide:
            raise ShapeError(f"squeeze: axis {wide[0]} has size {a.shape[wide[0]]}, not 1 (tensor of shape "
                             f"{a.shape}); only axes of size 1 can be squeezed")
    return make_result(np.squeeze(a._data, axes), (a,), "squeeze", squeeze_backward)


squeeze_backward = reshape_backward


def expand_dims(a: Tensor, axis: Any) -> Tensor:
    """Insert axes of size 1 at the positions ``axis`` (an int or a tuple of ints) of the result.
    Shape: (...) -> (..., 1, ...).

    VJP: g reshaped to the input's shape
    """
    _require_tensor("expand_dims", a)
    axes = (axis,) if _is_int(axis) else axis
    if not isinstance(axes, (tuple, list)):
        raise ShapeError(f"expand_dims: axis must be an int or a tuple of ints, got {axis!r} (tensor of "
                         f"shape {a.shape})")
    result_ndim = a.ndim + len(axes)
    for ax in axes:                                  # the axes index the result, not the input
        if not _is_int(ax) or not -result_ndim <= ax < result_ndim:
            raise ShapeError(f"expand_dims: axis {ax!r} is out of range for the result's {result_ndim} axes "
                             f"(tensor of shape {a.shape})")
    if len({ax % result_ndim for ax in axes}) != len(axes):
        raise ShapeError(f"expand_dims: repeated axis in {tuple(axes)} (tensor of shape {a.shape})")
    return make_result(np.expand_dims(a._data, tuple(axes)), (a,), "expand_dims", expand_dims_backward)


expand_dims_backward = reshape_backward


# --------------------------------------------------------------- permutations
def swapaxes(a: Tensor, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes. Shape: (..., d1, ..., d2, ...) -> (..., d2, ..., d1, ...).

    VJP: g with the same two axes exchanged back
    """
    _require_tensor("swapaxes", a)
    axis1, axis2 = (_single_axis("swapaxes", ax, a.shape) for ax in (axis1, axis2))
    return make_result(np.swapaxes(a._data, axis1, axis2), (a,), "swapaxes", swapaxes_backward, (axis1, axis2))


def swapaxes_backward(g: np.ndarray, out: Tensor) -> Grads:
    axis1, axis2 = out.saved
    return (np.swapaxes(g, axis1, axis2),)


def _axis_list(op: str, name: str, value: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """An int or a sequence of ints, as distinct non-negative axes of ``shape``."""
    axes = (value,) if _is_int(value) else value
    if not isinstance(axes, (tuple, list)):
        raise ShapeError(f"{op}: {name} must be an int or a sequence of ints, got {value!r} (tensor of shape {shape})")
    return _axes_in_range(op, axes, shape)


def moveaxis(a: Tensor, source: Any, destination: Any) -> Tensor:
    """Move the axes ``source`` to the positions ``destination``, the others keeping their order.
    Shape: a permutation of the input's.

    VJP: g with the axes moved from ``destination`` back to ``source``
    """
    _require_tensor("moveaxis", a)
    source = _axis_list("moveaxis", "source", source, a.shape)
    destination = _axis_list("moveaxis", "destination", destination, a.shape)
    if len(source) != len(destination):
        raise ShapeError(f"moveaxis: source {source} and destination {destination} must have the same "
                         f"number of axes")
    out = np.moveaxis(a._data, source, destination)
    return make_result(out, (a,), "moveaxis", moveaxis_backward, (source, destination))


def moveaxis_backward(g: np.ndarray, out: Tensor) -> Grads:
    source, destination = out.saved
    return (np.moveaxis(g, destination, source),)


def roll(a: Tensor, shift: Any, axis: Any = None) -> Tensor:
    """Shift elements cyclically by ``shift`` along ``axis`` (None: along the flattened tensor, shape kept).
    ``shift`` and ``axis`` may be tuples of the same length. Shape unchanged.

    VJP: g rolled by -shift
    """
    _require_tensor("roll", a)
    shifts = (shift,) if _is_int(shift) else shift
    if not isinstance(shifts, (tuple, list)) or not all(_is_int(s) for s in shifts):
        raise TypeError(f"roll: shift must be an int or a tuple of ints, got {shift!r:.60}")
    if axis is None:
        if len(shifts) != 1:
            raise ShapeError(f"roll: {len(shifts)} shifts need as many axes, got axis=None")
    else:
        # An axis may repeat (numpy's roll adds the shifts), so each is checked alone.
        axes = [_single_axis("roll", ax, a.shape) for ax in ((axis,) if _is_int(axis) else axis)]
        if len(shifts) not in (1, len(axes)):
            raise ShapeError(f"roll: {len(shifts)} shifts for {len(axes)} axes; give one shift, or one per axis")
        axis = axes[0] if _is_int(axis) else tuple(axes)
    back = -shift if _is_int(shift) else tuple(-s for s in shift)
    return make_result(np.roll(a._data, shift, axis), (a,), "roll", roll_backward, (back, axis))


def roll_backward(g: np.ndarray, out: Tensor) -> Grads:
    back, axis = out.saved
    return (np.roll(g, back, axis),)


# ------------------------------------------------------------------- copies
def repeat(a: Tensor, repeats: Any, axis: Any = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element along ``axis``) along
    ``axis`` (None: along the flattened tensor). Shape: (..., n, ...) -> (..., sum(repeats), ...).

    VJP: for each input element, the sum of g over its copies
    """
    _require_tensor("repeat", a)
    if a.ndim == 0:
        a = ravel(a)        # a 0-d tensor repeats as the 1-d (1,) does (a 0-d array cannot be indexed by an array)
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "iu" or counts.ndim > 1:
        raise TypeError(f"repeat: repeats must be an int or a sequence of ints, got {repeats!r:.60}")
    if np.any(counts < 0):
        raise ValueError(f"repeat: repeats must be >= 0, got {repeats!r:.60}")
    along = None if axis is None else _single_axis("repeat", axis, a.shape)
    length = a.size if along is None else a.shape[along]
    if counts.ndim == 1 and counts.size not in (1, length):
        raise ShapeError(f"repeat: {counts.size} repeats for {length} elements along "
                         f"{'the flattened tensor' if along is None else f'axis {along}'} (tensor of shape "
                         f"{a.shape}); give one count, or one per element")
    out = np.repeat(a._data, counts, along)
    # repeat is a[index], the index naming the input element of each copy; its VJP is getitem's, which
    # adds up the gradients of the copies of one element.
    owner = np.repeat(np.arange(length), np.broadcast_to(counts, (length,)))
    index = np.unravel_index(owner, a.shape) if along is None else (slice(None),) * along + (owner,)
    return make_result(out, (a,), "repeat", repeat_backward, (index, True))


repeat_backward = getitem_backward


def tile(a: Tensor, reps: Any) -> Tensor:
    """The whole tensor repeated ``reps`` times along each axis (numpy's rules: the shorter of
    ``reps`` and the shape is padded with 1s on the left). Shape: (d_0, ...) -> (r_0 d_0, ...).

    VJP: the sum of g over the tiles
    """
    _require_tensor("tile", a)
    reps = (reps,) if _is_int(reps) else reps
    if not isinstance(reps, (tuple, list)) or not all(_is_int(r) for r in reps):
        raise TypeError(f"tile: reps must be an int or a tuple of ints, got {reps!r:.60}")
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: reps must be >= 0, got {tuple(reps)}")
    ndim = max(a.ndim, len(reps))
    shape = (1,) * (ndim - a.ndim) + a.shape
    reps = (1,) * (ndim - len(reps)) + tuple(reps)
    return make_result(np.tile(a._data, reps), (a,), "tile", tile_backward, (shape, reps))


def tile_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, (shape, reps) = out.parents[0], out.saved
    # Axis k of g is (tile index, position in the tile); summing over the tile index adds the copies.
    interleaved = [size for pair in zip(reps, shape) for size in pair]
    total = g.reshape(interleaved).sum(axis=tuple(range(0, 2 * len(shape), 2)))
    return (total.reshape(a._data.shape),)


def pad(a: Tensor, pad_width: Any, mode: str = "constant", constant_values: float = 0.0) -> Tensor:
    """Surround with ``constant_values``: ``pad_width`` is numpy's ((before, after) per axis, or one
    pair, or one int for all). Only ``mode="constant"``. Shape: (d_k) -> (before_k + d_k + after_k).

    VJP: g with the padding cut away
    """
    _require_tensor("pad", a)
    if a.ndim == 0:
        raise ShapeError("pad: needs a tensor of at least 1 axis, got a 0-d tensor")
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got mode={mode!r}")
    widths = np.asarray(pad_width)
    if widths.dtype.kind not in "iu":
        raise TypeError(f"pad: pad_width must hold integers, got {pad_width!r:.60}")
    try:
        widths = np.broadcast_to(widths, (a.ndim, 2))
    except ValueError:
        raise ShapeError(f"pad: pad_width {pad_width!r:.60} does not fit a tensor of shape {a.shape}: give "
                         f"one (before, after) pair per axis, one pair, or one int") from None
    if np.any(widths < 0):
        raise ValueError(f"pad: pad_width must be >= 0, got {pad_width!r:.60}")
    out = np.pad(a._data, widths, mode="constant", constant_values=constant_values)
    index = tuple(slice(int(before), int(before) + size) for (before, _), size in zip(widths, a.shape))
    return make_result(out, (a,), "pad", pad_backward, index)


def pad_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g[out.saved],)


# ------------------------------------------------------------------- dtype
def astype(a: Tensor, dtype: Any) -> Tensor:
    """The same values as float64 or float32 (a recorded op, unlike ``t.data.astype``, which gives a numpy
    array). Shape unchanged.

    VJP: g converted back to the input's dtype
    """
    _require_tensor("astype", a)
    resolved = check_dtype("astype", dtype)
    return make_result(a._data.astype(resolved), (a,), "astype", astype_backward)


def astype_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g.astype(out.parents[0]._data.dtype),)


# --------------------------------------------------- numpy's variants of the above
def atleast_1d(a: Tensor) -> Tensor:
    """The tensor with at least 1 axis (a 0-d one becomes (1,)). Shape: () -> (1,), else unchanged.

    VJP: g reshaped to the input's shape
    """
    _require_tensor("atleast_1d", a)
    return make_result(np.atleast_1d(a._data), (a,), "atleast_1d", atleast_1d_backward)


atleast_1d_backward = reshape_backward


def atleast_2d(a: Tensor) -> Tensor:
    """The tensor with at least 2 axes (numpy's rule: () -> (1, 1), (n,) -> (1, n)).

    VJP: g reshaped to the input's shape
    """
    _require_tensor("atleast_2d", a)
    return make_result(np.atleast_2d(a._data), (a,), "atleast_2d", atleast_2d_backward)


atleast_2d_backward = reshape_backward


def atleast_3d(a: Tensor) -> Tensor:
    """The tensor with at least 3 axes (numpy's rule: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)).

    VJP: g reshaped to the input's shape
    """
    _require_tensor("atleast_3d", a)
    return make_result(np.atleast_3d(a._data), (a,), "atleast_3d", atleast_3d_backward)


atleast_3d_backward = reshape_backward


def fliplr(a: Tensor) -> Tensor:
    """Reverse the order along axis 1 (left to right). Shape unchanged (at least 2 axes).

    VJP: g reversed along axis 1
    """
    _require_tensor("fliplr", a)
    if a.ndim < 2:
        raise ShapeError(f"fliplr: needs a tensor of at least 2 axes, got shape {a.shape}")
    return make_result(np.flip(a._data, 1), (a,), "fliplr", fliplr_backward, (1,))


fliplr_backward = flip_backward         # a flip along the saved axes


def flipud(a: Tensor) -> Tensor:
    """Reverse the order along axis 0 (up to down). Shape unchanged (at least 1 axis).

    VJP: g reversed along axis 0
    """
    _require_tensor("flipud", a)
    if a.ndim < 1:
        raise ShapeError("flipud: needs a tensor of at least 1 axis, got a 0-d tensor")
    return make_result(np.flip(a._data, 0), (a,), "flipud", flipud_backward, (0,))


flipud_backward = flip_backward


# numpy's callables -> these ops, for numpy dispatch on a Tensor (np.sin(t) records sin; interop.py).
NUMPY_FUNCTIONS = {np.ravel: ravel, np.squeeze: squeeze, np.expand_dims: expand_dims, np.swapaxes: swapaxes,
                   np.moveaxis: moveaxis, np.roll: roll, np.repeat: repeat, np.tile: tile, np.pad: pad,
                   np.atleast_1d: atleast_1d, np.atleast_2d: atleast_2d, np.atleast_3d: atleast_3d,
                   np.fliplr: fliplr, np.flipud: flipud}


__all__ = ["ravel", "flatten", "squeeze", "expand_dims", "swapaxes", "moveaxis", "roll", "repeat", "tile", "pad",
           "astype", "atleast_1d", "atleast_2d", "atleast_3d", "fliplr", "flipud"]
