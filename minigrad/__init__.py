"""minigrad: a small reverse-mode tensor autograd engine on numpy, written to be read.

Start with ``tensor.py`` (the Tensor and ``backward``), then ``ops/`` (every
op's forward next to its vector-Jacobian product).
"""
from ._memory import gc_paused  # importing _memory also keeps freed memory for reuse (see there)
from ._state import (current_scope, detect_anomaly, enable_grad, is_grad_enabled, no_grad, scope,
                     set_grad_enabled)
from .errors import AnomalyError, CheckpointError, ShapeError
# tensor first: it imports the ops package, whose op families and interop need Tensor complete.
from .tensor import Tensor, topological_order
from .ops import concatenate, stack, unbroadcast
from .ops import (broadcast_to, exp, flip, log, log_softmax, matmul, max, mean, relu, reshape, sigmoid,  # noqa: A004
                  softmax, sum, tanh, transpose)
from .ops import (abs, absolute, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,  # noqa: A004
                  arctanh, ceil, clip, cos, cosh, deg2rad, degrees, exp2, expm1, floor, floor_divide,
                  fmax, fmin, hypot, log1p, log2, log10, logaddexp, logaddexp2, maximum, minimum, mod,
                  rad2deg, radians, reciprocal, sign, sin, sinh, sqrt, square, tan, where)
from .ops import cumsum, logsumexp, min, prod, std, var  # noqa: A004 (numpy's names)
from .ops import diag, dot, einsum, inner, outer, tensordot, trace, tril, triu
from .ops import (append, array_split, astype, atleast_1d, atleast_2d, atleast_3d, column_stack, dsplit,
                  expand_dims, flatten, fliplr, flipud, hsplit, hstack, moveaxis, pad, ravel, repeat, roll,
                  split, squeeze, swapaxes, tile, vsplit, vstack)
from .higher_order import grad
from .random import manual_seed
from .render import animate_backward, draw
from . import ops
from . import nn, optim, testing  # noqa: E402  (after Tensor: they build on it)
from .serialization import load, save  # noqa: E402  (after nn and optim: it saves their state)

__all__ = [
    "Tensor", "no_grad", "enable_grad", "is_grad_enabled", "scope", "current_scope",
    "detect_anomaly", "concatenate", "stack", "unbroadcast", "topological_order",
    "manual_seed", "ShapeError", "AnomalyError", "gc_paused", "draw", "animate_backward", "set_grad_enabled",
    "nn", "optim", "testing", "save", "load", "CheckpointError",
    "grad", "exp", "log", "tanh", "sigmoid", "relu", "sum", "mean", "max", "matmul", "reshape", "transpose",
    "flip", "broadcast_to", "softmax", "log_softmax",
    # numpy's names for the ops of the families (ops/elementwise.py, ops/reductions.py, ...)
    *(name for family in ops.FAMILIES for name in getattr(family, "__all__", ())),
]
__version__ = "0.1.0"
