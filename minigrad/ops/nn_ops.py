"""The ops of neural-net layers: sigmoid, relu, softmax, log_softmax and ``linear`` (x W^T + b).

The pattern of every op file (see ``ops/__init__.py``): each forward is followed by its VJP.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import ProductGrad, Tensor, make_result
from ._checks import Grads, _operands, _require_tensor, _single_axis
from .arithmetic import unbroadcast


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
