"""minigrad: a small reverse-mode tensor autograd engine on numpy, written to be read.

Start with ``tensor.py`` (the Tensor and ``backward``), then ``ops.py`` (every
op's forward next to its vector-Jacobian product).
"""
from . import _memory  # noqa: F401  (keeps freed memory for reuse; see _memory.py)
from ._memory import gc_paused
from ._state import detect_anomaly, enable_grad, is_grad_enabled, no_grad, scope, current_scope
from .errors import AnomalyError, ShapeError
from .ops import concatenate, stack, unbroadcast
from .random import manual_seed
from .render import draw
from .tensor import Tensor, topological_order

__all__ = [
    "Tensor", "no_grad", "enable_grad", "is_grad_enabled", "scope", "current_scope",
    "detect_anomaly", "concatenate", "stack", "unbroadcast", "topological_order",
    "manual_seed", "ShapeError", "AnomalyError", "gc_paused", "draw",
]
__version__ = "0.1.0"
