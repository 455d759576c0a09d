"""numpy functions on Tensors: ``np.sum(t)``, ``np.exp(t)``, ``array @ t`` run minigrad's op, or are refused by name.

numpy lets a type take over its functions. A ufunc (``np.exp``, ``np.add``,
``np.matmul``, and the operators of an ndarray, ``array + t``) called with a
Tensor among its inputs calls ``Tensor.__array_ufunc__`` (NEP 13); most other
numpy functions (``np.sum``, ``np.concatenate``, ...) call
``Tensor.__array_function__`` (NEP 18). Both land here: the numpy callable is
looked up in a table and minigrad's op runs with the same arguments, so the
result is a Tensor, recorded in the graph and differentiable.

This dispatch is also what lets one VJP serve both kinds of backward
(ops.py): under ``create_graph=True`` the values a VJP computes with are
Tensors, and its ``np.sum``, ``np.exp``, ``np.where`` become ops.

What has no op is refused, with a TypeError naming what to call instead:
computing it on the values would hand back an array cut off from the graph,
a gradient silently lost. The explicit way to compute on values (with no
gradient) is ``np.asarray(t)``, which numpy does not dispatch. A few
functions only ask a question about the values (``np.shape``,
``np.allclose``, ``np.isfinite``, ``np.argmax``, ...): there is no gradient
to lose, so they are answered on the values, as numpy would.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from . import ops

# numpy's ufunc -> the minigrad op that computes it (same operands, in the same order).
UFUNCS: dict[np.ufunc, Callable[..., Any]] = {
    np.add: ops.add,
    np.subtract: ops.sub,
    np.multiply: ops.mul,
    np.divide: ops.div,
    np.power: ops.pow,
    np.negative: ops.neg,
    np.exp: ops.exp,
    np.log: ops.log,
    np.tanh: ops.tanh,
    np.matmul: ops.matmul,
    np.equal: ops.eq,
    np.not_equal: ops.ne,
    np.less: ops.lt,
    np.less_equal: ops.le,
    np.greater: ops.gt,
    np.greater_equal: ops.ge,
}

# numpy's function -> the minigrad op; numpy's call must bind to the op's parameters.
FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sum: ops.sum,
    np.mean: ops.mean,
    np.max: ops.max,
    np.amax: ops.max,
    np.reshape: ops.reshape,
    np.transpose: ops.transpose,
    np.flip: ops.flip,
    np.broadcast_to: ops.broadcast_to,
    np.concatenate: ops.concatenate,
    np.stack: ops.stack,
}

# The ops under numpy's names (ops/elementwise.py, ...): each op family ends with its own tables.
for _module in ops.FAMILIES:
    UFUNCS.update(getattr(_module, "NUMPY_UFUNCS", {}))
    FUNCTIONS.update(getattr(_module, "NUMPY_FUNCTIONS", {}))

# Questions about the values, whose answers are not real numbers to differentiate:
# answered on the arrays, as numpy would.
VALUE_UFUNCS = {np.isfinite, np.isnan, np.isinf, np.signbit}
VALUE_FUNCTIONS = {np.shape, np.ndim, np.size, np.allclose, np.isclose, np.array_equal, np.array_equiv,
                   np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero, np.flatnonzero,
                   np.count_nonzero, np.any, np.all, np.copy, np.save, np.savetxt, np.array_repr,
                   np.array_str}

# What to call for the reductions numpy spells as ufunc methods (np.add.reduce(t), ...).
_REDUCTIONS = {"add": "Tensor.sum", "maximum": "Tensor.max", "multiply": "minigrad.prod"}


_SIGNATURES: dict[Callable[..., Any], inspect.Signature] = {}     # inspect.signature is slow: once per op


def _parameter_text(parameter: inspect.Parameter) -> str:
    """``axis=None`` or ``*shape``: a parameter as a call would write it, without its annotation."""
    if parameter.kind is parameter.VAR_POSITIONAL:
        return f"*{parameter.name}"
    return parameter.name if parameter.default is parameter.empty else f"{parameter.name}={parameter.default!r}"


def _public_name(function: Callable[..., Any]) -> str:
    return f"minigrad.{function.__name__}"


def _numpy_name(function: Any) -> str:
    return f"np.{getattr(function, '__name__', function)}"


def _values(argument: Any) -> Any:
    """A Tensor as its (read-only) array, inside lists and tuples too; anything else as it is."""
    from .tensor import Tensor
    if isinstance(argument, Tensor):
        return np.asarray(argument)
    if isinstance(argument, (list, tuple)):
        return type(argument)(_values(item) for item in argument)
    return argument


def _call_op(numpy_name: str, op: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """``op(*args, **kwargs)`` once the arguments are known to bind to its parameters (else a named error)."""
    if "out" in kwargs:
        raise TypeError(f"{numpy_name}(..., out=...) on a Tensor: {_public_name(op)} makes a new Tensor "
                        f"and cannot write into out; assign its result instead (y = {_public_name(op)}(...))")
    signature = _SIGNATURES.get(op)
    if signature is None:
        signature = _SIGNATURES[op] = inspect.signature(op)
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        parameters = ", ".join(_parameter_text(p) for p in signature.parameters.values())
        raise TypeError(f"{numpy_name} on a Tensor runs {_public_name(op)}({parameters}), which does not "
                        f"take these arguments ({error})") from None
    return op(*args, **kwargs)


def call_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """``Tensor.__array_ufunc__``: run the op of ``ufunc`` on the inputs, or refuse by name."""
    name = _numpy_name(ufunc)
    if ufunc in VALUE_UFUNCS and method == "__call__" and "out" not in kwargs:
        return getattr(ufunc, method)(*_values(inputs), **kwargs)
    op = UFUNCS.get(ufunc)
    if method != "__call__":
        instead = _REDUCTIONS.get(ufunc.__name__, "the minigrad op that computes it")
        raise TypeError(f"{name}.{method} on a Tensor: minigrad records no ufunc method '{method}'; "
                        f"call {instead} instead")
    if op is None:
        raise TypeError(f"{name} on a Tensor: minigrad has no op for it, so it cannot be recorded or "
                        f"differentiated; write it with minigrad's ops, or compute on the values "
                        f"(no gradient) with {name}(np.asarray(t))")
    return _call_op(name, op, inputs, kwargs)


def call_function(func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """``Tensor.__array_function__``: run the op of numpy's ``func``, or refuse by name."""
    name = _numpy_name(func)
    if func in VALUE_FUNCTIONS:
        return func(*_values(args), **{key: _values(value) for key, value in kwargs.items()})
    op = FUNCTIONS.get(func)
    if op is None:
        raise TypeError(f"{name} on a Tensor: minigrad has no op for it, so it cannot be recorded or "
                        f"differentiated; write it with minigrad's ops, or compute on the values "
                        f"(no gradient) with {name}(np.asarray(t))")
    return _call_op(name, op, args, kwargs)
