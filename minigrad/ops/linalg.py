"""Linear algebra: matmul, einsum and the contractions written with it, trace, diag, tril, triu.

The same pattern as ``ops/__init__.py``: each forward is followed by its VJP.

``dot``, ``inner``, ``outer`` and ``tensordot`` are contractions: sums of
products over shared indices, each one einsum with particular subscripts
(``dot`` of two matrices is ``ij,jk->ik``). So each of them only works out its
subscripts and records itself under its own name with ``einsum_backward``, the
one VJP of every contraction: the gradient for an operand is the einsum of g
with the *other* operands, onto that operand's indices (for ``ij,jk->ik``:
dL/dA = g Bᵀ is ``ik,jk->ij``). The ``VJP:`` lines of the docstrings are the
op table of docs/ops.md.
"""
from __future__ import annotations

import string
from typing import Any, Sequence

import numpy as np

from ..errors import ShapeError
from ..tensor import ProductGrad, Tensor, make_result
from ._checks import Grads, _operands, _require_tensor, _single_axis, as_tensor
from .arithmetic import mul, unbroadcast


# --------------------------------------------------------------- matmul
def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with numpy's ``@`` rules.

    Shapes: (n,) @ (n,) -> (); (m, n) @ (n,) -> (m,); (n,) @ (n, p) -> (p,);
    (..., m, n) @ (..., n, p) -> (..., m, p), with the leading (batch) axes
    broadcast against each other.
    """
    a, b = _operands("matmul", a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: operands must have at least one dimension, got shapes {a.shape} and {b.shape}")
    try:
        out = np.matmul(a._data, b._data)
    except ValueError:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} do not match: the last dimension of the "
                         f"first ({a.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
                         f"dimension of the second ({b.shape[0] if b.ndim == 1 else b.shape[-2]}), and batch "
                         f"dimensions must broadcast") from None
    return make_result(out, (a, b), "matmul", matmul_backward)


def matmul_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    a_ndim, b_ndim = a._data.ndim, b._data.ndim
    # For 2-D: d(AB)/dA contracts g with B^T, d(AB)/dB contracts A^T with g.
    # Each is returned as its two factors, left^T right (a ProductGrad), so that
    # backward can pool the uses of a shared matrix into one product (tensor.py).
    if a_ndim == 2 and b_ndim == 2:
        return (ProductGrad(g.T, b._data.T) if a.requires_grad else None,     # g B^T = (g^T)^T B^T
                ProductGrad(a._data, g) if b.requires_grad else None)         # A^T g
    if a_ndim == 2 and b_ndim == 1:                 # W @ h: dW = outer(g, h), a (m, 1) @ (1, n) product
        return (ProductGrad(g[np.newaxis, :], b._data[np.newaxis, :]) if a.requires_grad else None,
                g @ a._data if b.requires_grad else None)
    if a_ndim == 1 and b_ndim == 2:                 # h @ W: dW = outer(h, g)
        return (b._data @ g if a.requires_grad else None,
                ProductGrad(a._data[np.newaxis, :], g[np.newaxis, :]) if b.requires_grad else None)
    # A 1-D operand is treated as a (1, n) row or an (n, 1) column, as numpy does,
    # and batch dimensions are summed back to each operand's shape.
    a2 = a._data if a.ndim > 1 else a._data[np.newaxis, :]
    b2 = b._data if b.ndim > 1 else b._data[:, np.newaxis]
    g2 = g
    if b.ndim == 1:
        g2 = g2[..., np.newaxis]          # (..., m) -> (..., m, 1)
    if a.ndim == 1:
        g2 = g2[..., np.newaxis, :]       # (..., p) -> (..., 1, p)
    grad_a = grad_b = None
    if a.requires_grad:
        grad_a = unbroadcast(np.matmul(g2, _swap_last_two(b2)), a2.shape).reshape(a.shape)
    if b.requires_grad:
        grad_b = unbroadcast(np.matmul(_swap_last_two(a2), g2), b2.shape).reshape(b.shape)
    return grad_a, grad_b


def _swap_last_two(x: np.ndarray) -> np.ndarray:
    """The matrices of a stack transposed (a ``.transpose``, which arrays and Tensors both have)."""
    return x.transpose(tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2))


# ------------------------------------------------------------------- einsum
def _operand_letters(spec: str, ndim: int, position: int, ellipsis: str) -> str:
    """One operand's subscripts with ``...`` replaced by the last ``ndim - (letters)`` of ``ellipsis``'s letters."""
    if spec.count("...") > 1 or "." in spec.replace("...", ""):
        raise ValueError(f"einsum: operand {position}'s subscripts {spec!r} may hold one '...' at most")
    if not all(c in string.ascii_letters for c in spec.replace("...", "")):
        raise ValueError(f"einsum: subscripts must be letters (and '...'), got {spec!r} for operand {position}")
    named = len(spec.replace("...", ""))
    if "..." not in spec:
        if named != ndim:
            raise ShapeError(f"einsum: operand {position} has {ndim} axes but its subscripts {spec!r} name {named}")
        return spec
    width = ndim - named
    if width < 0:
        raise ShapeError(f"einsum: operand {position} has {ndim} axes but its subscripts {spec!r} name {named} "
                         f"besides '...'")
    return spec.replace("...", ellipsis[len(ellipsis) - width:] if width else "")


def _parse_einsum(subscripts: str, shapes: Sequence[tuple[int, ...]]) -> tuple[list[str], str]:
    """Explicit subscripts: one string of letters per operand (``...`` spelled out) and the output's."""
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string such as 'ij,jk->ik' (or numpy's form "
                        f"einsum(a, [0, 1], b, [1, 2])), got {subscripts!r:.60}")
    text = subscripts.replace(" ", "")
    if text.count("->") > 1:
        raise ValueError(f"einsum: subscripts {subscripts!r} hold more than one '->'")
    left, arrow, right = text.partition("->")
    specs = left.split(",")
    if len(specs) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(specs)} operand(s), got {len(shapes)}")
    used = set(text)
    spare = [c for c in string.ascii_letters if c not in used]
    widths = [len(shape) - len(spec.replace("...", "")) for spec, shape in zip(specs, shapes) if "..." in spec]
    ellipsis = "".join(spare[:max(widths, default=0)])
    inputs = [_operand_letters(spec, len(shape), k, ellipsis) for k, (spec, shape) in enumerate(zip(specs, shapes))]
    if arrow:
        if "..." in right:
            right = right.replace("...", ellipsis)
        elif ellipsis:
            raise ValueError(f"einsum: subscripts {subscripts!r} use '...' in the operands but not in the output")
        unknown = [c for c in right if not any(c in spec for spec in inputs)]
        if unknown or not all(c in string.ascii_letters for c in right):
            raise ValueError(f"einsum: output subscript {(unknown or [right])[0]!r} of {subscripts!r} is not an "
                             f"operand's subscript")
        if len(set(right)) != len(right):
            raise ValueError(f"einsum: output subscripts of {subscripts!r} repeat an index")
        output = right
    else:                               # numpy's implicit mode: the indices used once, in alphabetical order
        counts = "".join(inputs)
        output = ellipsis + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ellipsis))
    sizes: dict[str, tuple[int, int]] = {}
    for k, (spec, shape) in enumerate(zip(inputs, shapes)):
        for letter, size in zip(spec, shape):
            seen = sizes.setdefault(letter, (size, k))
            if seen[0] != size and 1 not in (seen[0], size):
                raise ShapeError(f"einsum: index {letter!r} has size {seen[0]} in operand {seen[1]} and {size} "
                                 f"in operand {k} (subscripts {subscripts!r}, shapes {tuple(shapes)})")
    return inputs, output


def _sublists_to_subscripts(args: Sequence[Any]) -> tuple[str, list[Any]]:
    """numpy's other form, einsum(a, [0, 1], b, [1, 2], [0, 2]), as ('ab,bc->ac', [a, b])."""
    if len(args) % 2 == 1:                              # a last sublist names the output
        operands, specs, output = list(args[0:-1:2]), list(args[1:-1:2]), args[-1]
    else:
        operands, specs, output = list(args[0::2]), list(args[1::2]), None

    def letters(sublist: Any) -> str:
        try:
            return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sublist)
        except (TypeError, IndexError):
            raise ValueError(f"einsum: a sublist must hold ints in [0, 52) or Ellipsis, got {sublist!r:.60}") from None

    text = ",".join(letters(s) for s in specs) + ("" if output is None else "->" + letters(output))
    return text, operands


def _contract(op: str, inputs: list[str], output: str, tensors: Sequence[Tensor], shape: Any = None,
              optimize: bool = False) -> Tensor:
    """Record the contraction ``inputs -> output`` of ``tensors`` as the op ``op`` (its VJP: einsum_backward).

    ``shape``: the result's shape if it is the contraction's reshaped (outer flattens its operands).
    """
    spec = ",".join(inputs) + "->" + output
    out = np.einsum(spec, *[t._data for t in tensors], optimize=optimize)
    natural = out.shape
    if shape is not None:
        out = out.reshape(shape)
    return make_result(out, tuple(tensors), op, einsum_backward, (inputs, output, natural))


def einsum(subscripts: Any, *operands: Any, optimize: bool = False) -> Tensor:
    """Einstein summation as numpy's ``einsum``: ``einsum('ij,jk->ik', a, b)`` is a @ b; '...' broadcasts,
    an index repeated in one operand takes a diagonal, an index missing from the output is summed. Also
    numpy's form einsum(a, [0, 1], b, [1, 2], [0, 2]). ``optimize``: numpy's, the order in which three or
    more operands are contracted (the result is the same). Shapes: as the subscripts say.

    VJP: for each operand, the einsum of g with the other operands onto its subscripts (g copied along
    indices only it has, placed on the diagonal for a repeated index)
    """
    if isinstance(subscripts, (Tensor, np.ndarray)):
        subscripts, operands = _sublists_to_subscripts((subscripts,) + operands)
    if not operands:
        raise ValueError("einsum: needs at least one operand after the subscripts")
    tensors = [as_tensor(t) for t in operands]
    inputs, output = _parse_einsum(subscripts, [t.shape for t in tensors])
    return _contract("einsum", inputs, output, tensors, optimize=optimize)


def einsum_backward(g: np.ndarray, out: Tensor) -> Grads:
    inputs, output, natural = out.saved
    g = g.reshape(natural)
    arrays = [t._data for t in out.parents]
    grads = []
    for k, (tensor, spec) in enumerate(zip(out.parents, inputs)):
        if not tensor.requires_grad:
            grads.append(None)
            continue
        others = [i for i in range(len(inputs)) if i != k]
        own = "".join(dict.fromkeys(spec))               # its indices, each once
        elsewhere = set(output).union(*(inputs[i] for i in others))
        reached = "".join(c for c in own if c in elsewhere)
        grad = np.einsum(",".join([output] + [inputs[i] for i in others]) + "->" + reached, g,
                         *[arrays[i] for i in others], optimize=len(others) > 1)
        # An index only this operand has was summed in the forward: every element got the same g.
        grad = np.expand_dims(grad, tuple(axis for axis, c in enumerate(own) if c not in elsewhere))
        sizes = tuple(tensor.shape[spec.index(c)] for c in own)
        stretched = tuple(axis for axis, size in enumerate(sizes) if size == 1 and grad.shape[axis] != 1)
        if stretched:                                    # a size-1 axis einsum broadcast: sum the copies
            grad = grad.sum(axis=stretched, keepdims=True)
        grad = np.broadcast_to(grad, sizes)
        if len(own) != len(spec):                        # a repeated index read a diagonal: g goes back onto it
            grad = _onto_diagonal(grad, own, spec, tensor.shape)
        grads.append(grad)
    return grads


def _onto_diagonal(grad: Any, own: str, spec: str, shape: tuple[int, ...]) -> Any:
    """``grad`` (over the distinct indices ``own``) placed on the diagonal that ``spec`` (with a repeated
    index, as 'ii') reads: each repeat gets a fresh index tied to the first by an identity matrix."""
    spare = iter(c for c in string.ascii_letters if c not in spec)
    renamed, ties, identities = [], [], []
    for position, letter in enumerate(spec):
        if letter in spec[:position]:
            fresh = next(spare)
            renamed.append(fresh)
            ties.append(letter + fresh)
            identities.append(np.eye(shape[position]))
        else:
            renamed.append(letter)
    return np.einsum(",".join([own] + ties) + "->" + "".join(renamed), grad, *identities)


# ------------------------------------------------------------ contractions
def _letters(count: int, start: int = 0) -> str:
    return string.ascii_letters[start:start + count]


def dot(a: Any, b: Any) -> Tensor:
    """numpy's dot: for vectors the inner product, for matrices the matrix product; in general the sum
    over a's last axis and b's second-to-last (b's only axis if b is 1-d). A 0-d operand multiplies.
    Shapes: (..., n) . (n,) -> (...); (..., n) . (..., n, p) -> (a's leading..., b's leading..., p).

    VJP: einsum of g with the other operand (dL/da = g bᵀ for matrices)
    """
    a, b = _operands("dot", a, b)
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    left = _letters(a.ndim)
    right = _letters(b.ndim, a.ndim)
    shared = -1 if b.ndim == 1 else -2
    if a.shape[-1] != b.shape[shared]:
        raise ShapeError(f"dot: shapes {a.shape} and {b.shape} do not match: the last axis of the first "
                         f"({a.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} axis "
                         f"of the second ({b.shape[shared]})")
    right = right.replace(right[shared], left[-1])
    output = left[:-1] + right.replace(left[-1], "")
    return _contract("dot", [left, right], output, (a, b))


dot_backward = einsum_backward            # dot is a contraction: einsum's VJP


def inner(a: Any, b: Any) -> Tensor:
    """numpy's inner: the sum over the last axis of both (a 0-d operand multiplies).
    Shapes: (..., n), (..., n) -> (a's leading..., b's leading...).

    VJP: einsum of g with the other operand
    """
    a, b = _operands("inner", a, b)
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner: the last axes of shapes {a.shape} and {b.shape} must have the same size")
    left = _letters(a.ndim)
    right = _letters(b.ndim - 1, a.ndim) + left[-1]
    return _contract("inner", [left, right], left[:-1] + right[:-1], (a, b))


inner_backward = einsum_backward


def outer(a: Any, b: Any) -> Tensor:
    """The outer product of the two flattened: out[i, j] = a_i b_j. Shapes: (...), (...) -> (a.size, b.size).

    VJP: g b for a, gᵀ a for b (each reshaped to its operand's shape)
    """
    a, b = _operands("outer", a, b)
    left, right = _letters(a.ndim), _letters(b.ndim, a.ndim)
    return _contract("outer", [left, right], left + right, (a, b), shape=(a.size, b.size))


outer_backward = einsum_backward


def _tensordot_axes(a: Tensor, b: Tensor, axes: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``axes`` (an int N: a's last N with b's first N; or a pair of sequences) as two tuples of axes."""
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise ShapeError(f"tensordot: axes={axes} must be between 0 and {min(a.ndim, b.ndim)} for shapes "
                             f"{a.shape} and {b.shape}")
        return tuple(range(a.ndim - axes, a.ndim)), tuple(range(axes))
    try:
        first, second = axes
        first = (first,) if isinstance(first, (int, np.integer)) else tuple(first)
        second = (second,) if isinstance(second, (int, np.integer)) else tuple(second)
    except (TypeError, ValueError):
        raise TypeError(f"tensordot: axes must be an int or a pair of sequences of axes, got {axes!r:.60}") from None
    if len(first) != len(second):
        raise ShapeError(f"tensordot: axes {axes!r} pair {len(first)} axes of a with {len(second)} of b")
    first = tuple(_single_axis("tensordot", ax, a.shape) for ax in first)
    second = tuple(_single_axis("tensordot", ax, b.shape) for ax in second)
    for ax_a, ax_b in zip(first, second):
        if a.shape[ax_a] != b.shape[ax_b]:
            raise ShapeError(f"tensordot: axis {ax_a} of a (size {a.shape[ax_a]}) and axis {ax_b} of b "
                             f"(size {b.shape[ax_b]}) must have the same size (shapes {a.shape} and {b.shape})")
    return first, second


def tensordot(a: Any, b: Any, axes: Any = 2) -> Tensor:
    """The sum over the paired axes of a and b (numpy's ``tensordot``); ``axes=N`` pairs a's last N with
    b's first N. Shapes: the unpaired axes of a, then the unpaired axes of b.

    VJP: einsum of g with the other operand
    """
    a, b = _operands("tensordot", a, b)
    first, second = _tensordot_axes(a, b, axes)
    left = list(_letters(a.ndim))
    right = list(_letters(b.ndim, a.ndim))
    for ax_a, ax_b in zip(first, second):
        right[ax_b] = left[ax_a]
    output = [c for ax, c in enumerate(left) if ax not in first] + [c for ax, c in enumerate(right) if ax not in second]
    return _contract("tensordot", ["".join(left), "".join(right)], "".join(output), (a, b))


tensordot_backward = einsum_backward


# ----------------------------------------------------------------- diagonals
def _two_axes(op: str, a: Tensor, axis1: Any, axis2: Any) -> tuple[int, int]:
    if a.ndim < 2:
        raise ShapeError(f"{op}: needs a tensor of at least 2 axes, got shape {a.shape}")
    axis1, axis2 = _single_axis(op, axis1, a.shape), _single_axis(op, axis2, a.shape)
    if axis1 == axis2:
        raise ShapeError(f"{op}: axis1 and axis2 must differ, got {axis1} for both (tensor of shape {a.shape})")
    return axis1, axis2


def _check_offset(op: str, name: str, k: Any) -> None:
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int (which diagonal: 0 the main one), got {k!r:.60}")


def trace(a: Tensor, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The sum of the diagonal ``offset`` over axes ``axis1`` and ``axis2`` (numpy's ``trace``).
    Shape: (..., n, ..., m, ...) -> (...) without the two axes.

    VJP: g on that diagonal, 0 elsewhere
    """
    _require_tensor("trace", a)
    _check_offset("trace", "offset", offset)
    axis1, axis2 = _two_axes("trace", a, axis1, axis2)
    out = np.trace(a._data, offset, axis1, axis2)
    return make_result(out, (a,), "trace", trace_backward, (offset, axis1, axis2))


def trace_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, (offset, axis1, axis2) = out.parents[0], out.saved
    n, m = a.shape[axis1], a.shape[axis2]
    on_diagonal = np.eye(n, m, k=offset, dtype=a._data.dtype)
    grad = g[..., None, None] * on_diagonal                        # the two axes at the end ...
    return (np.moveaxis(grad, (-2, -1), (axis1, axis2)),)          # ... and back in their places


def diag(v: Tensor, k: int = 0) -> Tensor:
    """numpy's diag: of a vector, the square matrix with it on diagonal ``k``; of a matrix, its diagonal ``k``
    as a vector. Shapes: (n,) -> (n + |k|, n + |k|); (n, m) -> (length of diagonal k,).

    VJP: of a vector, g's diagonal k; of a matrix, g on diagonal k of a zero matrix
    """
    _require_tensor("diag", v)
    _check_offset("diag", "k", k)
    if v.ndim not in (1, 2):
        raise ShapeError(f"diag: needs a vector or a matrix, got a tensor of shape {v.shape}")
    out = np.diag(v._data, k)
    matrix_shape = out.shape if v.ndim == 1 else v.shape
    count = v.shape[0] if v.ndim == 1 else out.shape[0]
    rows = np.arange(count) + max(-k, 0)                # where the diagonal's elements sit in the matrix
    cols = np.arange(count) + max(k, 0)
    return make_result(out, (v,), "diag", diag_backward, (rows, cols, matrix_shape))


def diag_backward(g: np.ndarray, out: Tensor) -> Grads:
    v, (rows, cols, matrix_shape) = out.parents[0], out.saved
    if v.ndim == 1:
        return (g[rows, cols],)
    # Element j of the diagonal sits at (rows[j], cols[j]): one-hot rows and columns put g_j there.
    at_row, at_col = np.eye(matrix_shape[0])[rows], np.eye(matrix_shape[1])[cols]
    return (np.einsum("k,kn,km->nm", g, at_row, at_col),)


def _check_triangle(op: str, m: Tensor, k: Any) -> None:
    _require_tensor(op, m)
    _check_offset(op, "k", k)
    if m.ndim < 2:
        raise ShapeError(f"{op}: needs a tensor of at least 2 axes, got shape {m.shape}")


def tril(m: Tensor, k: int = 0) -> Tensor:
    """The lower triangle: elements above diagonal ``k`` of the last two axes set to 0. Shape unchanged
    (at least 2 axes).

    VJP: tril(g, k): the same mask on g
    """
    _check_triangle("tril", m, k)
    return make_result(np.tril(m._data, k), (m,), "tril", tril_backward, k)


def tril_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (np.tril(g, out.saved),)


def triu(m: Tensor, k: int = 0) -> Tensor:
    """The upper triangle: elements below diagonal ``k`` of the last two axes set to 0. Shape unchanged
    (at least 2 axes).

    VJP: triu(g, k): the same mask on g
    """
    _check_triangle("triu", m, k)
    return make_result(np.triu(m._data, k), (m,), "triu", triu_backward, k)


def triu_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (np.triu(g, out.saved),)


# numpy's callables -> these ops, for numpy dispatch on a Tensor (np.sin(t) records sin; interop.py).
NUMPY_FUNCTIONS = {np.einsum: einsum, np.dot: dot, np.inner: inner, np.outer: outer, np.tensordot: tensordot,
                   np.trace: trace, np.diag: diag, np.tril: tril, np.triu: triu}


__all__ = ["einsum", "dot", "inner", "outer", "tensordot", "trace", "diag", "tril", "triu"]
