"""minigrad: a small reverse-mode tensor autograd engine on numpy, written to be read.

Start with ``tensor.py`` (the Tensor and ``backward``), then ``ops.py`` (every
op's forward next to its vector-Jacobian product).
"""
from ._memory import gc_paused  # importing _memory also keeps freed memory for reuse (see there)
from ._state import (current_scope, detect_anomaly, enable_grad, is_grad_enabled, no_grad, scope,
                     set_grad_enabled)
from .errors import AnomalyError, CheckpointError, ShapeError
# tensor first: it imports ops and then the ops_* modules, which need ops complete.
from .tensor import Tensor, topological_order
from .ops import concatenate, stack, unbroadcast
from .ops_elementwise import (abs, absolute, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,  # noqa: A004
                              arctanh, ceil, clip, cos, cosh, deg2rad, degrees, exp2, expm1, floor, floor_divide,
                              fmax, fmin, hypot, log1p, log2, log10, logaddexp, logaddexp2, maximum, minimum, mod,
                              rad2deg, radians, reciprocal, sign, sin, sinh, sqrt, square, tan, where)
from .ops_reductions import cumsum, logsumexp, min, prod, std, var  # noqa: A004 (numpy's names)
from .ops_linalg import diag, dot, einsum, inner, outer, tensordot, trace, tril, triu
from .ops_shape import (append, array_split, astype, atleast_1d, atleast_2d, atleast_3d, column_stack, dsplit,
                        expand_dims, flatten, fliplr, flipud, hsplit, hstack, moveaxis, pad, ravel, repeat, roll,
                        split, squeeze, swapaxes, tile, vsplit, vstack)
from .random import manual_seed
from .render import animate_backward, draw
from . import ops_elementwise, ops_linalg, ops_reductions, ops_shape
from . import nn, optim, testing  # noqa: E402  (after Tensor: they build on it)
from .serialization import load, save  # noqa: E402  (after nn and optim: it saves their state)

__all__ = [
    "Tensor", "no_grad", "enable_grad", "is_grad_enabled", "scope", "current_scope",
    "detect_anomaly", "concatenate", "stack", "unbroadcast", "topological_order",
    "manual_seed", "ShapeError", "AnomalyError", "gc_paused", "draw", "animate_backward", "set_grad_enabled",
    "nn", "optim", "testing", "save", "load", "CheckpointError",
    # numpy's names for the ops of ops_elementwise, ops_reductions, ops_linalg and ops_shape
    *ops_elementwise.__all__, *ops_reductions.__all__, *ops_linalg.__all__, *ops_shape.__all__,
]
__version__ = "0.1.0"
