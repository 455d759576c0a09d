"""Joining and splitting: concatenate, stack and numpy's variants (hstack, vstack, column_stack, append),
split and its variants (array_split, hsplit, vsplit, dsplit).

The pattern of every op file (see ``ops/__init__.py``): each forward is followed by its VJP; a
join's VJP cuts ``g`` back into the pieces, a piece's VJP is a slice's (``getitem_backward``).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .._checks import check_tensor_list
from ..errors import ShapeError
from ..tensor import Tensor, make_result
from ._checks import Grads, _operands, _require_tensor, _single_axis
from .indexing import getitem_backward
from .shape import _is_int, ravel


def _join(op: str, join: Callable, tensors: Sequence[Any], axis: int, failure: str) -> tuple[np.ndarray, tuple[Tensor, ...]]:
    """Run numpy's ``join`` (concatenate or stack) on the tensors' data, naming the shapes if it fails."""
    tensors = tuple(check_tensor_list(op, "tensors", tensors))
    if not tensors:
        raise ShapeError(f"{op}: needs at least one tensor")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ShapeError(f"{op}: axis must be an int, got {axis!r}")
    try:
        return join([t._data for t in tensors], axis=axis), tensors
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ShapeError(f"{op}: shapes {shapes} cannot be {failure}") from None


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis. Shapes: (..., n_i, ...) -> (..., sum n_i, ...)."""
    out, tensors = _join("concatenate", np.concatenate, tensors, axis,
                         f"joined along axis {axis}: all other dimensions must match")
    axis = axis % out.ndim
    boundaries = np.cumsum([t.shape[axis] for t in tensors])[:-1]
    return make_result(out, tensors, "concatenate", concatenate_backward, (axis, boundaries))


def concatenate_backward(g: np.ndarray, out: Tensor) -> Grads:
    axis, boundaries = out.saved
    # Slices of g (views), one per input: indexing reads the same on an array and on a Tensor.
    before = (slice(None),) * axis
    starts, stops = (0, *boundaries), (*boundaries, g.shape[axis])
    return [g[before + (slice(start, stop),)] if t.requires_grad else None
            for t, start, stop in zip(out.parents, starts, stops)]


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis. Shapes: k tensors (...) -> (..., k, ...) with k at ``axis``."""
    out, tensors = _join("stack", np.stack, tensors, axis,
                         f"stacked along axis {axis}: all shapes must be equal and the axis in range")
    return make_result(out, tensors, "stack", stack_backward, axis % out.ndim)


def stack_backward(g: np.ndarray, out: Tensor) -> Grads:
    # Slice k of g along the new axis (a view, not a copy) goes to tensor k.
    before = (slice(None),) * out.saved
    return [g[before + (k,)] if t.requires_grad else None for k, t in enumerate(out.parents)]


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


# numpy's callables -> these ops, for numpy dispatch on a Tensor (np.sin(t) records sin; interop.py).
NUMPY_FUNCTIONS = {np.split: split, np.array_split: array_split, np.hstack: hstack, np.vstack: vstack,
                   np.hsplit: hsplit, np.vsplit: vsplit, np.dsplit: dsplit, np.column_stack: column_stack,
                   np.append: append}


__all__ = ["split", "array_split", "hstack", "vstack", "hsplit", "vsplit", "dsplit", "column_stack", "append"]
