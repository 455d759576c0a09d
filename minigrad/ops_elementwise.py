"""Elementwise math under numpy's names: the forward of each op and, right under it, its VJP.

The same pattern as ``ops.py`` (read its docstring first): ``op(...)`` computes
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

from typing import Any, Callable, Optional

import numpy as np

from .errors import ShapeError
from .ops import Grads, _elementwise, _operands, _require_tensor, unbroadcast
from .tensor import Backward, Tensor, make_result


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


# ------------------------------------------------------------ trigonometric
def sin(a: Tensor) -> Tensor:
    """sin(x). Shape: (...) -> (...).

    VJP: g cos(x)
    """
    return _unary("sin", np.sin, a, sin_backward)


def sin_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g * np.cos(x),)


def cos(a: Tensor) -> Tensor:
    """cos(x). Shape: (...) -> (...).

    VJP: -g sin(x)
    """
    return _unary("cos", np.cos, a, cos_backward)


def cos_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (-g * np.sin(x),)


def tan(a: Tensor) -> Tensor:
    """tan(x). Shape: (...) -> (...).

    VJP: g (1 + y²), y = tan(x)
    """
    return _unary("tan", np.tan, a, tan_backward)


def tan_backward(g: np.ndarray, out: Tensor) -> Grads:
    y = out._data
    return (g * (1.0 + y * y),)


def arcsin(a: Tensor) -> Tensor:
    """The inverse sine, in [-π/2, π/2]; NaN outside [-1, 1]. Shape: (...) -> (...).

    VJP: g / √(1 - x²)
    """
    return _unary("arcsin", np.arcsin, a, arcsin_backward)


def arcsin_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g / np.sqrt(1.0 - x * x),)


def arccos(a: Tensor) -> Tensor:
    """The inverse cosine, in [0, π]; NaN outside [-1, 1]. Shape: (...) -> (...).

    VJP: -g / √(1 - x²)
    """
    return _unary("arccos", np.arccos, a, arccos_backward)


def arccos_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (-g / np.sqrt(1.0 - x * x),)


def arctan(a: Tensor) -> Tensor:
    """The inverse tangent, in (-π/2, π/2). Shape: (...) -> (...).

    VJP: g / (1 + x²)
    """
    return _unary("arctan", np.arctan, a, arctan_backward)


def arctan_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g / (1.0 + x * x),)


def arctan2(a: Any, b: Any) -> Tensor:
    """The angle of the point (b, a), arctan(a / b) in the right quadrant, in [-π, π]. Broadcasting.

    Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g b / (a² + b²) for a, -g a / (a² + b²) for b
    Subgradient: 0 for both at a = b = 0 (where the formulas are 0/0)
    """
    return _binary("arctan2", np.arctan2, a, b, arctan2_backward)


def arctan2_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    square = x * x + z * z
    square = np.where(square == 0, 1.0, square)      # both numerators are 0 there: the subgradient 0
    return _both(g * z / square, -g * x / square, a, b)


# ------------------------------------------------------------- hyperbolic
def sinh(a: Tensor) -> Tensor:
    """sinh(x) = (eˣ - e⁻ˣ) / 2. Shape: (...) -> (...).

    VJP: g cosh(x)
    """
    return _unary("sinh", np.sinh, a, sinh_backward)


def sinh_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g * np.cosh(x),)


def cosh(a: Tensor) -> Tensor:
    """cosh(x) = (eˣ + e⁻ˣ) / 2. Shape: (...) -> (...).

    VJP: g sinh(x)
    """
    return _unary("cosh", np.cosh, a, cosh_backward)


def cosh_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g * np.sinh(x),)


def arcsinh(a: Tensor) -> Tensor:
    """The inverse of sinh, log(x + √(x² + 1)). Shape: (...) -> (...).

    VJP: g / √(x² + 1)
    """
    return _unary("arcsinh", np.arcsinh, a, arcsinh_backward)


def arcsinh_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g / np.sqrt(x * x + 1.0),)


def arccosh(a: Tensor) -> Tensor:
    """The inverse of cosh on [0, ∞), log(x + √(x² - 1)); NaN below 1. Shape: (...) -> (...).

    VJP: g / √(x² - 1)
    """
    return _unary("arccosh", np.arccosh, a, arccosh_backward)


def arccosh_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g / np.sqrt(x * x - 1.0),)


def arctanh(a: Tensor) -> Tensor:
    """The inverse of tanh, log((1 + x) / (1 - x)) / 2; NaN outside [-1, 1]. Shape: (...) -> (...).

    VJP: g / (1 - x²)
    """
    return _unary("arctanh", np.arctanh, a, arctanh_backward)


def arctanh_backward(g: np.ndarray, out: Tensor) -> Grads:
    x = out.parents[0]._data
    return (g / (1.0 - x * x),)


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


def maximum(a: Any, b: Any) -> Tensor:
    """The larger of a and b, elementwise. Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g where a > b for a, g where b > a for b
    Subgradient: g / 2 to each at a tie a = b (numpy-autograd and PyTorch alike)
    """
    return _binary("maximum", np.maximum, a, b, maximum_backward)


def maximum_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    half = 0.5 * g                                # each gets half at a tie
    return _both(g * (x > z) + half * (x == z), g * (z > x) + half * (x == z), a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """The smaller of a and b, elementwise. Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g where a < b for a, g where b < a for b
    Subgradient: g / 2 to each at a tie a = b (numpy-autograd and PyTorch alike)
    """
    return _binary("minimum", np.minimum, a, b, minimum_backward)


def minimum_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    half = 0.5 * g
    return _both(g * (x < z) + half * (x == z), g * (z < x) + half * (x == z), a, b)


def _bound(name: str, value: Any) -> Optional[np.ndarray]:
    """A clip bound: None, or a real number or array of them (a constant: no gradient flows to it)."""
    if value is None:
        return None
    if isinstance(value, Tensor):
        value = value._data
    bound = np.asarray(value)
    if bound.dtype.kind not in "iuf":
        raise TypeError(f"clip: {name} must be a real number, an array of them or None, got {value!r:.60}")
    return bound


def clip(a: Tensor, a_min: Any, a_max: Any) -> Tensor:
    """x limited to [a_min, a_max] (either bound may be None). Shapes: a (...) -> (...); the bounds are
    numbers or arrays broadcasting against a, constants (no gradient flows to them).

    VJP: g where a_min ≤ x ≤ a_max, 0 outside
    Subgradient: g at x = a_min or x = a_max (PyTorch's clamp; numpy-autograd gives 0 there)
    """
    _require_tensor("clip", a)
    low, high = _bound("a_min", a_min), _bound("a_max", a_max)
    if low is None and high is None:
        raise ValueError("clip: a_min and a_max are both None; give at least one bound")
    if low is not None and high is not None and np.any(low > high):
        raise ValueError(f"clip: a_min must not exceed a_max, got a_min={a_min!r:.60} and a_max={a_max!r:.60}")
    try:
        out = np.clip(a._data, low, high)
    except ValueError:
        shapes = [np.shape(bound) for bound in (low, high) if bound is not None]
        raise ShapeError(f"clip: bounds of shapes {shapes} do not broadcast against the tensor's shape "
                         f"{a.shape}") from None
    if out.shape != a.shape:
        raise ShapeError(f"clip: bounds would make the result of shape {out.shape}, larger than the tensor's "
                         f"shape {a.shape}")
    out = out.astype(a.dtype, copy=False)
    return make_result(out, (a,), "clip", clip_backward, (low, high))


def clip_backward(g: np.ndarray, out: Tensor) -> Grads:
    x, (low, high) = out.parents[0]._data, out.saved
    if low is not None:
        g = g * (x >= low)
    if high is not None:
        g = g * (x <= high)
    return (g,)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """x where ``condition`` holds, y elsewhere, broadcasting all three like numpy.

    Shapes: condition (...) boolean (a comparison's result such as ``t > 0``, or a numpy bool array),
    x (...), y (...) -> broadcast(condition, x, y).

    VJP: g where condition for x, g elsewhere for y (the condition gets none)
    """
    if isinstance(condition, Tensor):
        condition = condition._data
    condition = np.asarray(condition)
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean (a comparison such as t > 0, or a numpy bool "
                        f"array), got dtype {condition.dtype}; write it as a comparison, e.g. c != 0")
    x, y = _operands("where", x, y)
    try:
        out = np.where(condition, x._data, y._data)
    except ValueError:
        raise ShapeError(f"where: cannot broadcast shapes {condition.shape} (condition), {x.shape} (x) and "
                         f"{y.shape} (y)") from None
    return make_result(out, (x, y), "where", where_backward, condition)


def where_backward(g: np.ndarray, out: Tensor) -> Grads:
    x, y = out.parents
    condition = out.saved
    # np.where, not g * condition: a NaN or inf in g at an unused position must not leak in as 0 * inf.
    return _both(np.where(condition, g, 0.0), np.where(condition, 0.0, g), x, y)


# ------------------------------------------------------ angles, base-2 logaddexp, NaN-ignoring max/min
def deg2rad(a: Tensor) -> Tensor:
    """Degrees to radians, x π / 180. Shape: (...) -> (...).

    VJP: g π / 180
    """
    return _unary("deg2rad", np.deg2rad, a, deg2rad_backward)


def deg2rad_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g * (np.pi / 180.0),)


def radians(a: Tensor) -> Tensor:
    """Degrees to radians (numpy's other name for ``deg2rad``). Shape: (...) -> (...).

    VJP: g π / 180
    """
    return _unary("radians", np.radians, a, radians_backward)


radians_backward = deg2rad_backward


def rad2deg(a: Tensor) -> Tensor:
    """Radians to degrees, x 180 / π. Shape: (...) -> (...).

    VJP: g 180 / π
    """
    return _unary("rad2deg", np.rad2deg, a, rad2deg_backward)


def rad2deg_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g * (180.0 / np.pi),)


def degrees(a: Tensor) -> Tensor:
    """Radians to degrees (numpy's other name for ``rad2deg``). Shape: (...) -> (...).

    VJP: g 180 / π
    """
    return _unary("degrees", np.degrees, a, degrees_backward)


degrees_backward = rad2deg_backward


def logaddexp2(a: Any, b: Any) -> Tensor:
    """log₂(2ᵃ + 2ᵇ), without overflow. Broadcasting. Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g 2ᵃ⁻ʸ for a, g 2ᵇ⁻ʸ for b
    """
    return _binary("logaddexp2", np.logaddexp2, a, b, logaddexp2_backward)


def logaddexp2_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z, y = a._data, b._data, out._data
    return _both(g * np.exp2(x - y), g * np.exp2(z - y), a, b)


def fmax(a: Any, b: Any) -> Tensor:
    """The larger of a and b, elementwise, ignoring a NaN (the other operand wins). Broadcasting.
    Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g where a > b (or b is NaN) for a, g where b > a (or a is NaN) for b
    Subgradient: g / 2 to each at a tie a = b, as ``maximum``
    """
    return _binary("fmax", np.fmax, a, b, fmax_backward)


def fmax_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    half = 0.5 * g                                # where one operand is NaN, the other won
    return _both(g * (x > z) + half * (x == z) + g * np.isnan(z), g * (z > x) + half * (x == z) + g * np.isnan(x), a, b)


def fmin(a: Any, b: Any) -> Tensor:
    """The smaller of a and b, elementwise, ignoring a NaN (the other operand wins). Broadcasting.
    Shapes: a (...), b (...) -> broadcast(a, b).

    VJP: g where a < b (or b is NaN) for a, g where b < a (or a is NaN) for b
    Subgradient: g / 2 to each at a tie a = b, as ``minimum``
    """
    return _binary("fmin", np.fmin, a, b, fmin_backward)


def fmin_backward(g: np.ndarray, out: Tensor) -> Grads:
    a, b = out.parents
    x, z = a._data, b._data
    half = 0.5 * g
    return _both(g * (x < z) + half * (x == z) + g * np.isnan(z), g * (z < x) + half * (x == z) + g * np.isnan(x), a, b)


# numpy's callables -> these ops, for numpy dispatch on a Tensor (np.sin(t) records sin; interop.py).
NUMPY_UFUNCS = {np.sin: sin, np.cos: cos, np.tan: tan, np.arcsin: arcsin, np.arccos: arccos, np.arctan: arctan,
                np.arctan2: arctan2, np.sinh: sinh, np.cosh: cosh, np.arcsinh: arcsinh, np.arccosh: arccosh,
                np.arctanh: arctanh, np.absolute: abs, np.sqrt: sqrt, np.square: square, np.sign: sign,
                np.floor: floor, np.ceil: ceil, np.log1p: log1p, np.expm1: expm1, np.log2: log2, np.log10: log10,
                np.exp2: exp2, np.reciprocal: reciprocal, np.maximum: maximum, np.minimum: minimum,
                np.logaddexp: logaddexp, np.hypot: hypot, np.remainder: mod, np.floor_divide: floor_divide,
                np.deg2rad: deg2rad, np.rad2deg: rad2deg, np.logaddexp2: logaddexp2, np.fmax: fmax, np.fmin: fmin}
NUMPY_FUNCTIONS = {np.clip: clip, np.where: where}


__all__ = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "arcsinh",
           "arccosh", "arctanh", "abs", "absolute", "sqrt", "square", "sign", "floor", "ceil", "log1p",
           "expm1", "log2", "log10", "exp2", "reciprocal", "clip", "maximum", "minimum", "where",
           "logaddexp", "hypot", "mod", "floor_divide", "deg2rad", "radians", "rad2deg", "degrees", "logaddexp2",
           "fmax", "fmin"]
