"""Shape ops under numpy's names: the same elements moved, copied, cut or joined, and ``astype``.

The same pattern as ``ops.py``: each forward is followed by its VJP. A shape op
moves elements without changing them, so its VJP moves ``g`` back: the inverse
move for a permutation, a sum over the copies for a copy (repeat, tile), zeros
where an element was cut away (split, pad). Ops that only change the shape
(ravel, squeeze, ...) share ``ops.reshape_backward``; ops that cut a piece out
share ``ops.getitem_backward``. The ``VJP:`` lines of the docstrings are the
op table of docs/ops.md.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .errors import ShapeError
from .ops import (Grads, _axes_in_range, _join, _normalize_axes, _operands, _require_tensor, _single_axis,
                  flip_backward, getitem_backward, reshape_backward)
from .tensor import Tensor, check_dtype, make_result


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


# -------------------------------------------------------------------- cuts
def _pieces(op: str, a: Tensor, boundaries: Sequence[int], axis: int) -> list[Tensor]:
    """The tensor cut at ``boundaries`` along ``axis``: each piece its own node, whose VJP puts g at its place."""
    starts = [0] + list(boundaries)
    stops = list(boundaries) + [a.shape[axis]]
    pieces = []
    for start, stop in zip(starts, stops):
        start = min(start, a.shape[axis])                 # numpy's rule for indices past the end
        stop = min(max(stop, start), a.shape[axis])
        index = (slice(None),) * axis + (slice(start, stop),)
        pieces.append(make_result(a._data[index], (a,), op, getitem_backward, (index, False)))
    return pieces


split_backward = getitem_backward       # a piece is a slice: g belongs at the piece's place, zeros elsewhere


def split(a: Tensor, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """Cut into equal pieces (an int: how many, which must divide the axis' length) or at the given
    indices (a sequence of ints) along ``axis``. Shape: (..., n, ...) -> a list of (..., n_i, ...).

    VJP: each piece's g at its place in a zero tensor of the input's shape (the pieces' VJPs add up)
    """
    _require_tensor("split", a)
    return _split("split", a, indices_or_sections, _single_axis("split", axis, a.shape))


def _split(op: str, a: Tensor, indices_or_sections: Any, axis: int) -> list[Tensor]:
    """split's cut, for split and its variants along a fixed axis (hsplit, vsplit, dsplit)."""
    if _is_int(indices_or_sections):
        sections = indices_or_sections
        if sections <= 0:
            raise ValueError(f"{op}: the number of sections must be >= 1, got {sections}")
        if a.shape[axis] % sections:
            raise ShapeError(f"{op}: {sections} sections do not divide axis {axis} of length {a.shape[axis]} "
                             f"equally (tensor of shape {a.shape}); array_split allows unequal pieces")
        return _pieces(op, a, [k * (a.shape[axis] // sections) for k in range(1, sections)], axis)
    return _pieces(op, a, _indices(op, indices_or_sections), axis)


def _indices(op: str, value: Any) -> list[int]:
    if not isinstance(value, (tuple, list, np.ndarray)) or not all(_is_int(i) for i in value):
        raise TypeError(f"{op}: indices_or_sections must be an int or a sequence of ints, got {value!r:.60}")
    if any(i < 0 for i in value):
        raise ValueError(f"{op}: split indices must be >= 0, got {list(value)}")
    return [int(i) for i in value]


def array_split(a: Tensor, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """As ``split``, but an int number of sections need not divide the length: the first
    n mod k pieces get one element more. Shape: (..., n, ...) -> a list of (..., n_i, ...).

    VJP: each piece's g at its place in a zero tensor of the input's shape
    """
    _require_tensor("array_split", a)
    axis = _single_axis("array_split", axis, a.shape)
    if _is_int(indices_or_sections):
        sections = indices_or_sections
        if sections <= 0:
            raise ValueError(f"array_split: the number of sections must be >= 1, got {sections}")
        size, extra = divmod(a.shape[axis], sections)
        lengths = [size + 1] * extra + [size] * (sections - extra)
        return _pieces("array_split", a, list(np.cumsum(lengths[:-1])), axis)
    return _pieces("array_split", a, _indices("array_split", indices_or_sections), axis)


array_split_backward = split_backward


# --------------------------------------------------------------- joins
def _sequence(op: str, tensors: Any) -> list[Any]:
    """The tensors to join as a list; a Tensor is the sequence of its rows, as an array is for numpy."""
    if isinstance(tensors, Tensor):
        if tensors.ndim == 0:
            raise TypeError(f"{op}: expected a sequence of tensors, got a 0-d Tensor")
        return list(tensors)
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{op}: expected a sequence (list or tuple) of tensors, got {type(tensors).__name__}")
    return list(tensors)


def _joined(op: str, tensors: Sequence[Any], axis: int, least_ndim: int) -> Tensor:
    """Concatenate along ``axis`` after giving each tensor at least ``least_ndim`` axes (numpy's atleast_*d)."""
    shapes = [np.shape(t._data if isinstance(t, Tensor) else t) for t in tensors]
    promote = np.atleast_1d if least_ndim == 1 else np.atleast_2d
    out, tensors = _join(op, lambda arrays, axis: np.concatenate([promote(x) for x in arrays], axis=axis),
                         tensors, axis, f"joined along axis {axis}: all other dimensions must match")
    boundaries = np.cumsum([promote(t._data).shape[axis] for t in tensors])[:-1]
    return make_result(out, tensors, op, joined_backward, (axis, boundaries, shapes))


def joined_backward(g: np.ndarray, out: Tensor) -> Grads:
    axis, boundaries, shapes = out.saved
    pieces = np.split(g, boundaries, axis=axis)                 # each tensor's part, back in its own shape
    return [piece.reshape(shape) if t.requires_grad else None for t, piece, shape in zip(out.parents, pieces, shapes)]


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along the second axis (along the first for 1-d and 0-d tensors, made 1-d). Shapes:
    (n_i,) -> (sum n_i,); (m, n_i, ...) -> (m, sum n_i, ...).

    VJP: each tensor's part of g, in its own shape
    """
    tensors = _sequence("hstack", tensors)
    ndim = max(np.ndim(t._data if isinstance(t, Tensor) else t) for t in tensors) if tensors else 1
    return _joined("hstack", tensors, 0 if ndim <= 1 else 1, least_ndim=1)


hstack_backward = joined_backward


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along the first axis, after making 0-d and 1-d tensors rows (1, n). Shapes:
    (n,) -> (k, n); (m_i, n, ...) -> (sum m_i, n, ...).

    VJP: each tensor's part of g, in its own shape
    """
    tensors = _sequence("vstack", tensors)
    return _joined("vstack", tensors, 0, least_ndim=2)


vstack_backward = joined_backward


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


def _split_along(op: str, a: Tensor, indices_or_sections: Any, axis: int, least_ndim: int) -> list[Tensor]:
    if a.ndim < least_ndim:
        raise ShapeError(f"{op}: needs a tensor of at least {least_ndim} axes, got shape {a.shape}")
    return _split(op, a, indices_or_sections, axis)


def hsplit(a: Tensor, indices_or_sections: Any) -> list[Tensor]:
    """``split`` along axis 1 (along axis 0 for a 1-d tensor). Shape: (m, n, ...) -> a list of (m, n_i, ...).

    VJP: each piece's g at its place in a zero tensor of the input's shape
    """
    _require_tensor("hsplit", a)
    return _split_along("hsplit", a, indices_or_sections, 0 if a.ndim == 1 else 1, least_ndim=1)


hsplit_backward = split_backward


def vsplit(a: Tensor, indices_or_sections: Any) -> list[Tensor]:
    """``split`` along axis 0, for tensors of at least 2 axes. Shape: (m, ...) -> a list of (m_i, ...).

    VJP: each piece's g at its place in a zero tensor of the input's shape
    """
    _require_tensor("vsplit", a)
    return _split_along("vsplit", a, indices_or_sections, 0, least_ndim=2)


vsplit_backward = split_backward


def dsplit(a: Tensor, indices_or_sections: Any) -> list[Tensor]:
    """``split`` along axis 2, for tensors of at least 3 axes. Shape: (m, n, k, ...) -> a list of (m, n, k_i, ...).

    VJP: each piece's g at its place in a zero tensor of the input's shape
    """
    _require_tensor("dsplit", a)
    return _split_along("dsplit", a, indices_or_sections, 2, least_ndim=3)


dsplit_backward = split_backward


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """1-d tensors as the columns of a matrix, 2-d ones joined along axis 1 (numpy's column_stack).
    Shapes: k tensors (n,) -> (n, k); (n, m_i) -> (n, sum m_i).

    VJP: each tensor's part of g, in its own shape
    """
    tensors = _sequence("column_stack", tensors)
    columns = [t.reshape(-1, 1) if isinstance(t, Tensor) and t.ndim < 2 else t for t in tensors]
    return _joined("column_stack", columns, 1, least_ndim=2)


column_stack_backward = joined_backward


def append(arr: Any, values: Any, axis: Any = None) -> Tensor:
    """``values`` appended after ``arr``: both flattened first when ``axis`` is None, else joined along
    ``axis`` (numpy's append). Shapes: (...), (...) -> (arr.size + values.size,), or as ``concatenate``.

    VJP: each operand's part of g, in its own shape
    """
    arr, values = _operands("append", arr, values)
    if axis is None:
        return _joined("append", [ravel(arr), ravel(values)], 0, least_ndim=1)
    if not _is_int(axis):
        raise ShapeError(f"append: axis must be None or an int, got {axis!r}")
    return _joined("append", [arr, values], axis, least_ndim=1)


append_backward = joined_backward


# numpy's callables -> these ops, for numpy dispatch on a Tensor (interop.py).
NUMPY_FUNCTIONS = {np.ravel: ravel, np.squeeze: squeeze, np.expand_dims: expand_dims, np.swapaxes: swapaxes,
                   np.moveaxis: moveaxis, np.roll: roll, np.repeat: repeat, np.tile: tile, np.split: split,
                   np.array_split: array_split, np.hstack: hstack, np.vstack: vstack, np.pad: pad,
                   np.atleast_1d: atleast_1d, np.atleast_2d: atleast_2d, np.atleast_3d: atleast_3d, np.fliplr: fliplr,
                   np.flipud: flipud, np.hsplit: hsplit, np.vsplit: vsplit, np.dsplit: dsplit,
                   np.column_stack: column_stack, np.append: append}


__all__ = ["ravel", "flatten", "squeeze", "expand_dims", "swapaxes", "moveaxis", "roll", "repeat", "tile", "split",
           "array_split", "hstack", "vstack", "pad", "astype", "atleast_1d", "atleast_2d", "atleast_3d", "fliplr",
           "flipud", "hsplit", "vsplit", "dsplit", "column_stack", "append"]
