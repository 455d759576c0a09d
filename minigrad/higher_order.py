"""``grad(f)``: the gradient of a function, as a function (HIPS autograd's API), which nests.

``grad(f)(x)`` runs ``f`` on ``x`` made a Tensor that requires grad, and
returns df/dx, a Tensor of x's shape. ``grad(grad(f))`` is the second
derivative: the inner ``grad`` receives the Tensor the outer one made, sees
that it requires grad, and differentiates with ``create_graph=True``, so that
its result is a Tensor with a graph that the outer one differentiates again.

    >>> d2_tanh = grad(grad(tanh))          # -2 tanh(x) (1 - tanh(x)^2)

Only the argument at ``argnum`` is differentiated; ``.grad`` of the tensors
``f`` uses (parameters) is left alone.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._state import enable_grad
from .tensor import Tensor, differentiate


def grad(fun: Callable[..., Tensor], argnum: int = 0) -> Callable[..., Tensor]:
    """The function that returns d fun / d (its argument number ``argnum``).

    Args:
        fun: a function of one or more arguments that returns a scalar Tensor
            (one element).
        argnum: the position of the argument to differentiate.

    Returns:
        ``gradient(*args, **kwargs)``: calls ``fun(*args, **kwargs)`` with
        ``args[argnum]`` as a Tensor that requires grad (a number, list or
        array is converted; a Tensor that already requires grad is used as it
        is, so that ``grad(grad(f))`` differentiates the inner gradient), and
        returns the gradient, a Tensor of that argument's shape. It is zero if
        ``fun``'s result does not depend on the argument.
    """
    if not callable(fun):
        raise TypeError(f"grad: fun must be a function returning a scalar Tensor, got {type(fun).__name__}")
    if isinstance(argnum, bool) or not isinstance(argnum, (int, np.integer)) or argnum < 0:
        raise TypeError(f"grad: argnum must be a non-negative int (the position of the argument to "
                        f"differentiate), got {argnum!r:.60}")
    name = getattr(fun, "__name__", type(fun).__name__)

    def gradient(*args: Any, **kwargs: Any) -> Tensor:
        if argnum >= len(args):
            raise ValueError(f"grad: argnum={argnum} is out of range: grad({name}) was called with "
                             f"{len(args)} positional argument(s), and the argument to differentiate "
                             f"must be passed by position")
        x = args[argnum]
        # A Tensor that requires grad comes from an enclosing grad (or the user's graph):
        # differentiate it in place, recording this backward so that it can be differentiated too.
        nested = isinstance(x, Tensor) and x.requires_grad
        variable = x if nested else Tensor(x, requires_grad=True)
        with enable_grad():     # inside no_grad() fun would record nothing, and the gradient would be lost
            out = fun(*args[:argnum], variable, *args[argnum + 1:], **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"grad: {name} must return a scalar Tensor, got {type(out).__name__}")
        if out.size != 1:
            raise ValueError(f"grad: {name} must return a scalar Tensor (one element), got one of shape "
                             f"{out.shape}; differentiate a scalar of it (its sum, or one element)")
        found = {}
        if out.requires_grad:
            seed = np.ones_like(out._data)
            found = differentiate(out, Tensor._leaf(seed) if nested else seed, {variable}, nested)
        g = found.get(variable)
        if g is None:
            return Tensor(np.zeros(variable.shape, variable.dtype))
        return g if isinstance(g, Tensor) else Tensor(g)

    gradient.__name__ = f"grad({name})"
    gradient.__doc__ = f"The gradient of {name} with respect to its argument {argnum} (minigrad.grad)."
    return gradient
