"""Every op of the engine: its forward and its vector-Jacobian product side by side.

Each op is a pair of functions, one under the other:

  ``op(inputs...)``: computes the output with numpy and returns
      ``make_result(output, inputs, "op", op_backward, saved)``, which records
      the op in the graph when an input requires grad (``saved``: whatever the
      backward needs besides the inputs and the output, e.g. the summed axes);
  ``op_backward(g, out)``: given g = dL/d(out), returns dL/d(input) for each
      input, in order: a vector-Jacobian product (VJP). ``out.parents`` are the
      inputs, ``out._data`` the output, ``out.saved`` what the forward saved.
      (Ops read ``_data``, the tensor's own array; ``data`` is the view handed
      to users, which counts their writes: see tensor.py.)

``Tensor.backward`` (tensor.py) calls the ``*_backward`` functions from the
output to the leaves. Inputs that need no gradient get ``None``, so no work is
spent on them (the input sequence of an RNN, for example).

One VJP serves both kinds of backward. A VJP reads the values it needs only as
``out._data`` and ``out.parents[i]._data`` (``saved`` holds axes, indices and
masks, never a value to differentiate) and computes with operators, methods
that arrays and Tensors share (``.sum``, ``.reshape``, ``.T``, indexing) and
numpy functions. By default ``g`` and those values are arrays. Under
``backward(create_graph=True)`` the engine hands the same function ``g`` as a
Tensor and a ``RecordingView`` of ``out`` whose ``_data`` are the Tensors
themselves; numpy functions called on Tensors dispatch to the ops of this
module (interop.py), so the VJP's computation is recorded as a graph of its
own, which can be differentiated again (gradients of gradients).

(Why module-level backward functions rather than closures defined inside each
op, as micrograd does: a closure is three to five extra Python objects per
node, and Python's garbage collector walks every one of them; on an LSTM
unrolled over 1000 steps that was a third of the run time.)

Broadcasting: an elementwise op broadcasts its operands like numpy; in the
backward, the gradient has the broadcast shape and ``unbroadcast`` sums it back
down to each operand's own shape (a bias added to every row of a batch gets
the sum over the batch).
"""
from __future__ import annotations

import builtins
import math
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ._checks import check_flags, check_tensor_list
from .errors import ShapeError
from .tensor import ProductGrad, SliceGrad, Tensor, make_result

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


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` (of a broadcast shape) down to ``shape``.

    Broadcasting copies an operand along new leading axes and along axes of
    size 1; the VJP of a copy is a sum, over exactly those axes.
    """
    # Bad arguments (only a user calling it directly can pass them) are caught after the fact,
    # so the backward pass, which calls this for every operand, pays no check.
    try:
        if grad.shape == shape:            # the common case costs one comparison
            return grad
        leading = grad.ndim - len(shape)
        if leading:
            grad = grad.sum(axis=tuple(range(leading)))
        stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
        if stretched:
            grad = grad.sum(axis=stretched, keepdims=True)
    except AttributeError:
        raise TypeError(f"unbroadcast: grad must be a numpy array, got {type(grad).__name__}") from None
    except (TypeError, ValueError, IndexError):
        pass                               # reported below: the shapes do not fit
    if not isinstance(shape, tuple) or grad.shape != shape:
        raise ShapeError(f"unbroadcast: a gradient of shape {grad.shape} cannot be summed down to shape "
                         f"{shape!r} (shape must be a tuple that {grad.shape} is a broadcast of)")
    return grad


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


# ------------------------------------------------------------ elementwise
def add(a: Any, b: Any) -> Tensor:
    """a + b, broadcasting. Shapes: a (...), b (...) -> broadcast(a, b)."""
    a, b = _operands("add", a, b, share_arrays=True)
    return make_result(_elementwise("add", np.add, a, b), (a, b), "add", add_backward)


def add_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents                              # d(a+b)/da = d(a+b)/db = 1
    return (unbroadcast(g, a._data.shape) if a.requires_grad else None,
            unbroadcast(g, b._data.shape) if b.requires_grad else None)


def sub(a: Any, b: Any) -> Tensor:
    """a - b, broadcasting. Shapes: a (...), b (...) -> broadcast(a, b)."""
    a, b = _operands("sub", a, b, share_arrays=True)
    return make_result(_elementwise("sub", np.subtract, a, b), (a, b), "sub", sub_backward)


def sub_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    return (unbroadcast(g, a._data.shape) if a.requires_grad else None,
            unbroadcast(-g, b._data.shape) if b.requires_grad else None)


def mul(a: Any, b: Any) -> Tensor:
    """a * b elementwise (Hadamard product), broadcasting. Shapes: a (...), b (...) -> broadcast(a, b)."""
    a, b = _operands("mul", a, b)
    return make_result(_elementwise("mul", np.multiply, a, b), (a, b), "mul", mul_backward)


def mul_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents                              # d(ab)/da = b, d(ab)/db = a
    if a is b and a.requires_grad:
        # a * a (a squared error): both uses get the same g a; one product, sent twice,
        # and backward adds the two (x + x is exactly 2x).
        half = unbroadcast(g * a._data, a._data.shape)
        return half, half
    return (unbroadcast(g * b._data, a._data.shape) if a.requires_grad else None,
            unbroadcast(g * a._data, b._data.shape) if b.requires_grad else None)


def div(a: Any, b: Any) -> Tensor:
    """a / b elementwise, broadcasting. Shapes: a (...), b (...) -> broadcast(a, b)."""
    a, b = _operands("div", a, b)
    return make_result(_elementwise("div", np.divide, a, b), (a, b), "div", div_backward)


def div_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents                              # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -out/b
    return (unbroadcast(g / b._data, a.shape) if a.requires_grad else None,
            unbroadcast(-g * out._data / b._data, b.shape) if b.requires_grad else None)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 (the op's name, as in numpy)
    """a ** b elementwise, broadcasting; b may be a number or a Tensor.

    Shapes: a (...), b (...) -> broadcast(a, b). The gradient with respect to
    b involves log(a), so it is only defined for a > 0.
    """
    a, b = _operands("pow", a, b)
    return make_result(_elementwise("pow", np.power, a, b), (a, b), "pow", pow_backward)


def pow_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents                              # d(a^b)/da = b a^(b-1), d(a^b)/db = a^b log(a)
    grad_a = grad_b = None
    if a.requires_grad:
        # b a^(b-1) is 0 wherever b = 0 (a^0 is constant), also at a = 0 where it reads 0 * inf.
        # Only there is it replaced: elsewhere the formula itself gives 0 at b = 0 and, under
        # create_graph, keeps its derivative with respect to b (a^(b-1) there, not 0).
        both_zero = (b._data == 0) * (a._data == 0)      # booleans (a comparison has no gradient)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(both_zero, 0.0, b._data * np.power(a._data, b._data - 1))
        grad_a = unbroadcast(g * slope, a.shape)
    if b.requires_grad:
        # a^b log(a) -> 0 as a -> 0 (for b > 0): take that limit rather than 0 * log(0) = NaN, as PyTorch does.
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(a._data == 0, 0.0, out._data * np.log(np.where(a._data == 0, 1.0, a._data)))
        grad_b = unbroadcast(g * slope, b.shape)
    return grad_a, grad_b


def neg(a: Tensor) -> Tensor:
    """-a. Shape: (...) -> (...)."""
    _require_tensor("neg", a)
    return make_result(-a._data, (a,), "neg", neg_backward)


def neg_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (-g,)


def exp(a: Tensor) -> Tensor:
    """e^a elementwise. Shape: (...) -> (...)."""
    _require_tensor("exp", a)
    return make_result(np.exp(a._data), (a,), "exp", exp_backward)


def exp_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g * out._data,)                          # d e^a / da = e^a


def log(a: Tensor) -> Tensor:
    """Natural logarithm elementwise. Shape: (...) -> (...)."""
    _require_tensor("log", a)
    return make_result(np.log(a._data), (a,), "log", log_backward)


def log_backward(g: np.ndarray, out: Tensor) -> Grads:
    (a,) = out.parents
    return (g / a._data,)                            # d log a / da = 1/a


def tanh(a: Tensor) -> Tensor:
    """tanh elementwise. Shape: (...) -> (...)."""
    _require_tensor("tanh", a)
    return make_result(np.tanh(a._data), (a,), "tanh", tanh_backward)


def tanh_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g * (1.0 - out._data * out._data),)       # tanh' = 1 - tanh^2


# e^t overflows past t = 709.8 (float64) or 88.7 (float32); 1 / (1 + e^t) is below 1e-304
# (1e-38) there, so clamping t changes nothing a float can tell apart from 0 at the end.
_EXP_LIMIT = {np.dtype(np.float64): 700.0, np.dtype(np.float32): 88.0}


def _logistic(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), in one new array updated in place, without overflow warnings.

    The exponent -x is clamped where e^-x would overflow (see _EXP_LIMIT).
    The usual alternative, 0.5 (1 + tanh(x/2)), is the same function but
    loses the lower tail (it is exactly 0 below x = -37, where this form
    still gives e^x), and numpy's tanh is slower than its exp on CPUs where
    neither is vectorized (benchmarks/op_overhead.py times the op).
    """
    t = np.negative(x, out=np.empty(x.shape, x.dtype))     # an array even for 0-d x
    np.minimum(t, _EXP_LIMIT.get(t.dtype, 700.0), out=t)
    np.exp(t, out=t)
    t += 1.0
    return np.reciprocal(t, out=t)


def sigmoid(a: Tensor) -> Tensor:
    """The logistic function 1 / (1 + e^-a) elementwise. Shape: (...) -> (...)."""
    _require_tensor("sigmoid", a)
    return make_result(_logistic(a._data), (a,), "sigmoid", sigmoid_backward)


def sigmoid_backward(g: np.ndarray, out: Tensor) -> Grads:
    s = out._data
    slope = 1.0 - s                                 # sigma' = sigma (1 - sigma), without a third temporary
    slope *= s
    return (g * slope,)


def relu(a: Tensor) -> Tensor:
    """max(a, 0) elementwise. Shape: (...) -> (...). The derivative at 0 is taken as 0."""
    _require_tensor("relu", a)
    return make_result(np.maximum(a._data, 0.0), (a,), "relu", relu_backward)


def relu_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g * (out._data > 0),)


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


def linear(x: Any, weight: Tensor, bias: Any = None) -> Tensor:
    """x W^T + b: the affine map of a layer, as one op (PyTorch's ``F.linear``, BLAS's gemm).

    Shapes: x (..., n_in) or (n_in,), weight (n_out, n_in), bias broadcastable
    against (..., n_out) -> the broadcast shape. One op, not matmul + transpose +
    add, because a recurrent net applies W_hh h(t-1) + (W_ih x(t) + b) at every
    time step, and fewer nodes per step means less bookkeeping per step.
    """
    if not (isinstance(x, Tensor) and isinstance(weight, Tensor)):
        _require_tensor("linear", weight)      # a weight is a parameter: a Tensor, never converted
        x, weight = _operands("linear", x, weight)
    if bias is not None and not isinstance(bias, Tensor):
        bias = _operands("linear", weight, bias)[1]
    x_data, w_data = x._data, weight._data
    if w_data.ndim != 2 or x_data.ndim == 0 or x_data.shape[-1] != w_data.shape[1]:
        raise ShapeError(f"linear: input of shape {x.shape} does not fit a weight of shape {weight.shape} "
                         f"(expected input (..., {weight.shape[-1] if weight.ndim else '?'}) and weight (n_out, n_in))")
    out = x_data @ w_data.T
    if bias is None:
        return make_result(out, (x, weight), "linear", linear_backward)
    try:
        out = out + bias._data
    except ValueError:
        raise ShapeError(f"linear: bias of shape {bias.shape} does not broadcast against the output "
                         f"shape {out.shape}") from None
    return make_result(out, (x, weight, bias), "linear", linear_backward)


def linear_backward(g: np.ndarray, out: Tensor) -> Grads:
    x, weight = out.parents[:2]
    n_out, n_in = weight._data.shape
    grad_x = grad_w = grad_b = None
    # d(x W^T)/dx contracts g with W; d(x W^T)/dW sums g^T x over every row of the batch.
    if x.requires_grad:
        grad_x = unbroadcast(g @ weight._data, x._data.shape)
    if weight.requires_grad:
        rows = x._data
        if rows.shape[:-1] != g.shape[:-1]:          # x was broadcast against a larger bias
            rows = np.broadcast_to(rows, g.shape[:-1] + (n_in,))
        # g^T x, as its two factors: backward multiplies the factors of all of
        # W's uses (every time step) at once, G^T X (tensor.py, ProductGrad).
        if g.ndim == 2:
            grad_w = ProductGrad(g, rows)
        else:
            grad_w = ProductGrad(g.reshape(-1, n_out), rows.reshape(-1, n_in))
    if len(out.parents) == 2:
        return grad_x, grad_w
    bias = out.parents[2]
    if bias.requires_grad:
        grad_b = unbroadcast(g, bias._data.shape)
    return grad_x, grad_w, grad_b


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


# ------------------------------------------------------------ softmax
def softmax(a: Tensor, axis: int = -1) -> Tensor:
    """exp(a) / sum(exp(a)) along ``axis``. Shape unchanged.

    Subtracting the maximum first changes nothing mathematically and keeps
    exp from overflowing.
    """
    _require_tensor("softmax", a)
    axis = _single_axis("softmax", axis, a.shape)
    if a.size == 0:                 # nothing to normalise (and np.max refuses empty arrays)
        return make_result(a._data.copy(), (a,), "softmax", softmax_backward, axis)
    shifted = np.exp(a._data - np.max(a._data, axis=axis, keepdims=True))
    out = shifted / np.sum(shifted, axis=axis, keepdims=True)
    return make_result(out, (a,), "softmax", softmax_backward, axis)


def softmax_backward(g: np.ndarray, out: Tensor) -> Grads:
    s = out._data                    # J = diag(s) - s s^T, so g J = s * (g - <g, s>)
    return (s * (g - np.sum(g * s, axis=out.saved, keepdims=True)),)


def log_softmax(a: Tensor, axis: int = -1) -> Tensor:
    """a - log(sum(exp(a))) along ``axis``, computed stably. Shape unchanged."""
    _require_tensor("log_softmax", a)
    axis = _single_axis("log_softmax", axis, a.shape)
    if a.size == 0:
        return make_result(a._data.copy(), (a,), "log_softmax", log_softmax_backward, axis)
    shifted = a._data - np.max(a._data, axis=axis, keepdims=True)
    out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return make_result(out, (a,), "log_softmax", log_softmax_backward, axis)


def log_softmax_backward(g: np.ndarray, out: Tensor) -> Grads:
    # d out_i / d a_j = delta_ij - softmax_j
    return (g - np.exp(out._data) * np.sum(g, axis=out.saved, keepdims=True),)


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
