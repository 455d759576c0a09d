"""Trigonometric and hyperbolic functions and the angle conversions: each forward, then its VJP.

The same pattern as ``elementwise.py`` (read its docstring first); the ``VJP:`` lines of the
docstrings are the op table of docs/ops.md.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, make_result
from ._checks import Grads, _require_tensor
from .elementwise import _binary, _both, _unary


def tanh(a: Tensor) -> Tensor:
    """tanh elementwise. Shape: (...) -> (...)."""
    _require_tensor("tanh", a)
    return make_result(np.tanh(a._data), (a,), "tanh", tanh_backward)


def tanh_backward(g: np.ndarray, out: Tensor) -> Grads:
    return (g * (1.0 - out._data * out._data),)       # tanh' = 1 - tanh^2


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


# numpy's callables -> these ops, for numpy dispatch on a Tensor (np.sin(t) records sin; interop.py).
NUMPY_UFUNCS = {np.sin: sin, np.cos: cos, np.tan: tan, np.arcsin: arcsin, np.arccos: arccos, np.arctan: arctan,
                np.arctan2: arctan2, np.sinh: sinh, np.cosh: cosh, np.arcsinh: arcsinh, np.arccosh: arccosh,
                np.arctanh: arctanh, np.deg2rad: deg2rad, np.rad2deg: rad2deg}


__all__ = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "arcsinh", "arccosh",
           "arctanh", "deg2rad", "radians", "rad2deg", "degrees"]
