"""Check a function's gradients against central finite differences.

For f with output y and a fixed random "upstream gradient" v (the same shape
as y), reverse mode computes v^T J, where J = dy/dx. Central differences
estimate the same quantity one input element at a time:

    (v^T J)_i  ~  (<v, f(x + eps e_i)> - <v, f(x - eps e_i)>) / (2 eps)

with an error of order eps^2. Every element of every input that requires
grad is checked.
"""
from __future__ import annotations

import warnings
from typing import Callable, Sequence

import numpy as np

from .._checks import check_callable, check_count, check_range, check_tensor_list
from .._state import no_grad
from ..errors import ShapeError
from ..tensor import Tensor, _as_float_array


class GradcheckError(AssertionError):
    """The analytic gradient of some input disagrees with finite differences."""


def _scalar_projection(fn: Callable[..., Tensor], inputs: Sequence[Tensor], upstream: np.ndarray) -> float:
    with no_grad():
        return float(np.sum(np.asarray(fn(*inputs).data, dtype=np.float64) * upstream))


def numerical_vjp(fn: Callable[..., Tensor], inputs: Sequence[Tensor], upstream: np.ndarray,
                  eps: float = 1e-6, wrt: Sequence[Tensor] | None = None) -> list[np.ndarray]:
    """v^T J by central differences for each tensor in ``wrt`` (default: all inputs).

    ``fn`` is always called with all of ``inputs``; the tensors in ``wrt`` are
    perturbed in place one element at a time and restored afterwards.
    """
    check_callable("numerical_vjp", "fn", fn)
    inputs = check_tensor_list("numerical_vjp", "inputs", inputs)
    wrt = None if wrt is None else check_tensor_list("numerical_vjp", "wrt", wrt)
    check_range("numerical_vjp", "eps", eps, 0.0, np.inf, low_open=True)
    with no_grad():
        output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"numerical_vjp: fn must return a Tensor, got {type(output).__name__}")
    upstream = _as_float_array(upstream, np.float64, what="numerical_vjp: upstream")
    if upstream.shape != output.shape:
        raise ShapeError(f"numerical_vjp: upstream has shape {upstream.shape} but fn's output has shape "
                         f"{output.shape}")
    estimates = []
    for tensor in inputs if wrt is None else wrt:
        estimate = np.zeros(tensor.shape, dtype=np.float64)
        # Index the data itself (not a flattened copy): the input may not be contiguous.
        for index in np.ndindex(*tensor.shape):
            original = tensor.data[index]
            tensor.data[index] = original + eps
            plus = _scalar_projection(fn, inputs, upstream)
            tensor.data[index] = original - eps
            minus = _scalar_projection(fn, inputs, upstream)
            tensor.data[index] = original
            estimate[index] = (plus - minus) / (2 * eps)
        estimates.append(estimate)
    return estimates


def gradcheck(fn: Callable[..., Tensor], inputs: Sequence[Tensor], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """Compare reverse-mode gradients of ``fn(*inputs)`` with central differences.

    Args:
        fn: maps the input Tensors to one Tensor of any shape.
        inputs: Tensors; those with ``requires_grad=True`` are checked, the
            others are held constant. Use float64: float32 has too few digits
            for finite differences (a warning says so).
        eps: the finite-difference step.
        atol: absolute tolerance: an element passes if |analytic - numeric| <= atol + rtol * |numeric|.
        rtol: relative tolerance (same test).
        seed: seeds the random upstream gradient v.

    Returns True, or raises ``GradcheckError`` naming the input, its worst
    element, and both values.
    """
    check_callable("gradcheck", "fn", fn)
    inputs = check_tensor_list("gradcheck", "inputs", inputs)
    check_range("gradcheck", "eps", eps, 0.0, np.inf, low_open=True)
    check_range("gradcheck", "atol", atol, 0.0, np.inf)
    check_range("gradcheck", "rtol", rtol, 0.0, np.inf)
    check_count("gradcheck", "seed", seed, 0)
    for position, tensor in enumerate(inputs):
        if tensor.requires_grad and tensor.dtype != np.float64:
            warnings.warn(f"gradcheck: input {position} is {tensor.dtype}; finite differences need float64 "
                          f"to be accurate, expect spurious failures", stacklevel=2)
    checked = [t for t in inputs if t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, there is nothing to check")
    if any(t.parents for t in checked):
        raise ValueError("gradcheck: inputs must be leaf tensors (create them with Tensor(..., requires_grad=True))")

    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    upstream = np.random.default_rng(seed).standard_normal(output.shape)
    saved = [t.grad for t in checked]
    for t in checked:
        t.grad = None
    if output.requires_grad:
        output.backward(upstream)
    analytic = [t.grad if t.grad is not None else np.zeros(t.shape) for t in checked]
    for t, grad in zip(checked, saved):
        t.grad = grad

    numeric = numerical_vjp(fn, inputs, upstream, eps, wrt=checked)
    for tensor, a, n in zip(checked, analytic, numeric):
        excess = np.abs(a - n) - (atol + rtol * np.abs(n))
        excess = np.where(np.isfinite(excess), excess, np.inf)   # NaN or Inf on either side fails
        if excess.size and np.max(excess) > 0:
            worst = np.unravel_index(np.argmax(excess), excess.shape)
            position = next(i for i, t in enumerate(inputs) if t is tensor)    # `is`: == is elementwise
            label = f"'{tensor.name}'" if tensor.name else f"{position}"
            raise GradcheckError(
                f"gradcheck: gradient of input {label} (shape {tensor.shape}) is wrong at element "
                f"{tuple(int(i) for i in worst)}: analytic {a[worst]:.10g}, numeric {n[worst]:.10g} "
                f"(|difference| {abs(a[worst] - n[worst]):.3g} > atol {atol} + rtol {rtol} * |numeric|); "
                f"{int(np.sum(excess > 0))} of {excess.size} elements fail")
    return True
