"""Arithmetic: + - * / ** and negation, and ``unbroadcast``, which every broadcasting op's VJP calls.

The pattern of every op file (see ``ops/__init__.py``): each forward is followed by its VJP.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor, make_result
from ._checks import Grads, _elementwise, _operands, _require_tensor


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
