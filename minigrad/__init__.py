"""minigrad: a small reverse-mode tensor autograd engine on numpy, written to be read.

Start with ``tensor.py`` (the Tensor and ``backward``), then ``ops.py`` (every
op's forward next to its vector-Jacobian product).
"""
from ._memory import gc_paused  # importing _memory also keeps freed memory for reuse (see there)
from ._state import (current_scope, detect_anomaly, enable_grad, is_grad_enabled, no_grad, scope,
                     set_grad_enabled)
from .errors import AnomalyError, CheckpointError, ShapeError
from .tensor import Tensor, topological_order  # first: it imports ops, then interop (which needs every op)
from .ops import concatenate, stack, unbroadcast
from .ops import (broadcast_to, exp, flip, log, log_softmax, matmul, max, mean, relu, reshape, sigmoid,  # noqa: A004
                  softmax, sum, tanh, transpose)
from .higher_order import grad
from .random import manual_seed
from .render import animate_backward, draw
from . import nn, optim, testing  # noqa: E402  (after Tensor: they build on it)
from .serialization import load, save  # noqa: E402  (after nn and optim: it saves their state)

__all__ = [
    "Tensor", "no_grad", "enable_grad", "is_grad_enabled", "scope", "current_scope",
    "detect_anomaly", "concatenate", "stack", "unbroadcast", "topological_order",
    "manual_seed", "ShapeError", "AnomalyError", "gc_paused", "draw", "animate_backward", "set_grad_enabled",
    "nn", "optim", "testing", "save", "load", "CheckpointError",
    "grad", "exp", "log", "tanh", "sigmoid", "relu", "sum", "mean", "max", "matmul", "reshape", "transpose",
    "flip", "broadcast_to", "softmax", "log_softmax",
]
__version__ = "0.1.0"
