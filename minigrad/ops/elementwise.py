"""Elementwise math (exp, log, powers, roots, rounding, abs, sign, mod) under numpy's names: the forward of each op and, right under it, its VJP.

The same pattern as ``ops/__init__.py`` (read its docstring first): ``op(...)`` computes
the output with numpy and records it with ``make_result``; ``op_backward(g, out)``
returns dL/d(input) for each input. Every op here is elementwise, so its
Jacobian is diagonal and the VJP is ``g`` times the derivative, evaluated at the
input (``x``) or at the output (``y``); binary ops broadcast like numpy, and
``unbroadcast`` sums each operand's gradient back down to its own shape.

Each forward's docstring says what it computes, its VJP (the ``VJP:`` line)
and, where the function has a kink or a jump, which subgradient the backward
uses (the ``Subgradient:`` line). Those lines are the op table of
docs/ops.md (written by ``docs/op_table.py``). The choices are those of PyTorch
and HIPS autograd; where the two differ, the line says so.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Backward, Tensor, make_result
from ._checks import Grads, _elementwise, _operands, _require_tensor
from .arithmetic import unbroadcast


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


def _unary(op: str, function: Callable[[np.ndarray], np.ndarray], a: Tensor, backward: Backward) -> Tensor:
    """Apply a one-operand numpy function and record it (numpy's warnings at the edge of the domain stay off:
    sqrt(-1) is NaN, as in numpy and PyTorch)."""
    _require_tensor(op, a)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = function(a._data)
    return make_result(out, (a,), op, backward)


def _binary(op: str, function: Callable[[np.ndarray, np.ndarray], np.ndarray], a: Any, b: Any,
            backward: Backward) -> Tensor:
    """Apply a broadcasting two-operand numpy function and record it."""
    a, b = _operands(op, a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _elementwise(op, function, a, b)
    return make_result(out, (a, b), op, backward)


def _both(g_a: Any, g_b: Any, a: Tensor, b: Tensor) -> Grads:
    """The two operands' gradients summed down to their shapes (None for an operand that needs none)."""
    return (unbroadcast(g_a, a._data.shape) if a.requires_grad else None,
            unbroadcast(g_b, b._data.shape) if b.requires_grad else None)


# ----------------------------------------------------- powers and logarithms
def sqrt(a: Tensor) -> Tensor:
    """√x; NaN below 0. Shape: (...) -> (...).

    VJP: g / (2 y), y = √x (infinite at x = 0, as in numpy-autograd and PyTorch)
    """
    return _unary("sqrt", np.sqrt, a, sqrt_backward)


def sqrt_backward(g: np.ndarray, out: Tensor) -> Grads:
    y = out._data
    with np.errstate(divide="ignore"):
        return (g / (2.0 * y),)


def square(a: Tensor) -> Tensor:
    """x². Shape: (...) -> (...).

    VJP: 2 g x
    """
    return _unary("square", np.square, a, square_backward)


def square_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (2.0 * g * x,)


def reciprocal(a: Tensor) -> Tensor:
    """1 / x. Shape: (...) -> (...).

    VJP: -g y², y = 1/x
    """
    return _unary("reciprocal", np.reciprocal, a, reciprocal_backward)


def reciprocal_backward(g: np.ndarray, out: Tensor) -> Grads:
    y = out._data
    return (-g * y * y,)


def exp2(a: Tensor) -> Tensor:
    """2ˣ. Shape: (...) -> (...).

    VJP: g y log 2, y = 2ˣ
    """
    return _unary("exp2", np.exp2, a, exp2_backward)


def exp2_backward(g: np.ndarray, out: Tensor) -> Grads:
    y = out._data
    return (g * y * np.log(2.0),)


def expm1(a: Tensor) -> Tensor:
    """eˣ - 1, accurate for small x. Shape: (...) -> (...).

    VJP: g (y + 1), y = eˣ - 1
    """
    return _unary("expm1", np.expm1, a, expm1_backward)


def expm1_backward(g: np.ndarray, out: Tensor) -> Grads:
    y = out._data
    return (g * (y + 1.0),)


def log1p(a: Tensor) -> Tensor:
    """log(1 + x), accurate for small x. Shape: (...) -> (...).

    VJP: g / (1 + x)
    """
    return _unary("log1p", np.log1p, a, log1p_backward)


def log1p_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g / (1.0 + x),)


def log2(a: Tensor) -> Tensor:
    """The base-2 logarithm. Shape: (...) -> (...).

    VJP: g / (x log 2)
    """
    return _unary("log2", np.log2, a, log2_backward)


def log2_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g / (x * np.log(2.0)),)


def log10(a: Tensor) -> Tensor:
    """The base-10 logarithm. Shape: (...) -> (...).

    VJP: g / (x log 10)
    """
    return _unary("log10", np.log10, a, log10_backward)


def log10_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g / (x * np.log(10.0)),)


def logaddexp(a: Any, b: Any) -> Tensor:
    """log(eᵃ + eᵇ), without overflow. Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g eᵃ⁻ʸ for a, g eᵇ⁻ʸ for b (the softmax weights of a and b)
    """
    return _binary("logaddexp", np.logaddexp, a, b, logaddexp_backward)


def logaddexp_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z, y = a._data, b._data, out._data
    return _both(g * np.exp(x - y), g * np.exp(z - y), a, b)


def hypot(a: Any, b: Any) -> Tensor:
    """√(a² + b²), without overflow. Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g a / y for a, g b / y for b
    Subgradient: 0 for both at a = b = 0 (PyTorch gives NaN there)
    """
    return _binary("hypot", np.hypot, a, b, hypot_backward)


def hypot_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z, y = a._data, b._data, out._data
    safe = np.where(y == 0, 1.0, y)               # x/y and z/y are 0 there: the subgradient 0
    return _both(g * x / safe, g * z / safe, a, b)


# ------------------------------------------------------------ kinks and steps
def abs(a: Tensor) -> Tensor:  # noqa: A001 (numpy's name)
    """|x|. Shape: (...) -> (...).

    VJP: g sign(x)
    Subgradient: 0 at x = 0 (sign(0) = 0; numpy-autograd and PyTorch alike)
    """
    return _unary("abs", np.abs, a, abs_backward)


def abs_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g * np.sign(x),)


def absolute(a: Tensor) -> Tensor:
    """|x|, numpy's other name for ``abs``. Shape: (...) -> (...).

    VJP: g sign(x)
    Subgradient: 0 at x = 0, as ``abs``
    """
    return _unary("absolute", np.abs, a, absolute_backward)


absolute_backward = abs_backward        # the same function under numpy's other name


def sign(a: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of x. Shape: (...) -> (...).

    VJP: 0
    Subgradient: 0 everywhere, at the jump x = 0 too (numpy-autograd and PyTorch alike)
    """
    return _unary("sign", np.sign, a, sign_backward)


def sign_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (0.0 * g,)                     # a step function: its derivative is 0 wherever it has one


def floor(a: Tensor) -> Tensor:
    """The largest integer ≤ x (as a float). Shape: (...) -> (...).

    VJP: 0
    Subgradient: 0 everywhere, at the integers too (numpy-autograd and PyTorch alike)
    """
    return _unary("floor", np.floor, a, floor_backward)


def floor_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (0.0 * g,)


def ceil(a: Tensor) -> Tensor:
    """The smallest integer ≥ x (as a float). Shape: (...) -> (...).

    VJP: 0
    Subgradient: 0 everywhere, at the integers too (numpy-autograd and PyTorch alike)
    """
    return _unary("ceil", np.ceil, a, ceil_backward)


def ceil_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (0.0 * g,)


def mod(a: Any, b: Any) -> Tensor:
    """a mod b with the sign of b (numpy's ``%``, Python's for floats), a - b floor(a / b). Broadcasting.

    Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g for a, -g floor(a / b) for b
    Subgradient: the same formulas at the jumps (where a / b is an integer), as numpy-autograd and PyTorch
    """
    return _binary("mod", np.mod, a, b, mod_backward)


def mod_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    return _both(g, -g * np.floor(x / z), a, b)


def floor_divide(a: Any, b: Any) -> Tensor:
    """floor(a / b) (numpy's ``//``). Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: 0 for both
    Subgradient: 0 everywhere, at the jumps too (numpy-autograd; PyTorch has no derivative for it)
    """
    return _binary("floor_divide", np.floor_divide, a, b, floor_divide_backward)


def floor_divide_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    return _both(0.0 * g, 0.0 * g, a, b)


def logaddexp2(a: Any, b: Any) -> Tensor:
    """log₂(2ᵃ + 2ᵇ), without overflow. Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g 2ᵃ⁻ʸ for a, g 2ᵇ⁻ʸ for b
    """
    return _binary("logaddexp2", np.logaddexp2, a, b, logaddexp2_backward)


def logaddexp2_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z, y = a._data, b._data, out._data
    return _both(g * np.exp2(x - y), g * np.exp2(z - y), a, b)


# numpy's callables -> these ops, for numpy dispatch on a Tensor (np.sin(t) records sin; interop.py).
NUMPY_UFUNCS = {np.absolute: abs, np.sqrt: sqrt, np.square: square, np.sign: sign, np.floor: floor, np.ceil: ceil,
                np.log1p: log1p, np.expm1: expm1, np.log2: log2, np.log10: log10, np.exp2: exp2,
                np.reciprocal: reciprocal, np.logaddexp: logaddexp, np.hypot: hypot, np.remainder: mod,
                np.floor_divide: floor_divide, np.logaddexp2: logaddexp2}


__all__ = ["sqrt", "square", "reciprocal", "exp2", "expm1", "log1p", "log2", "log10", "logaddexp", "hypot", "abs",
           "absolute", "sign", "floor", "ceil", "mod", "floor_divide", "logaddexp2"]
