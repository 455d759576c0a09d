"""Losses and activations as functions, as in ``torch.nn.functional``."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from .._checks import as_tensor_argument, check_tensor
from ..errors import ShapeError
from ..tensor import Tensor

relu = ops.relu
sigmoid = ops.sigmoid
tanh = ops.tanh
softmax = ops.softmax
log_softmax = ops.log_softmax


linear = ops.linear


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of the squared differences. Shapes: input (...), target the same shape."""
    check_tensor("mse_loss", "input", input)
    if isinstance(target, (int, float)):
        target = ops.as_tensor(target, input)       # a number takes the input's dtype
    else:
        target = as_tensor_argument("mse_loss", "target", target)
    if input.shape != target.shape:
        raise ShapeError(f"mse_loss: input has shape {input.shape} but target has shape {target.shape}")
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


def _class_indices(target: Any, op: str, batch: tuple[int, ...], classes: int) -> np.ndarray:
    try:
        array = np.asarray(target.data if isinstance(target, Tensor) else target)
    except ValueError:                  # ragged nested lists
        raise ValueError(f"{op}: target must be a rectangular array of class indices, got {target!r:.80}") from None
    if array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0):
        array = array.astype(np.intp)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold integer class indices, got dtype {array.dtype}")
    if array.shape != batch:
        raise ShapeError(f"{op}: target has shape {array.shape} but the input's batch shape is {batch}")
    if array.size and (array.min() < 0 or array.max() >= classes):
        raise ValueError(f"{op}: class indices must be in [0, {classes}), got values from "
                         f"{array.min()} to {array.max()}")
    return array


def nll_loss(log_probs: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer targets. Shapes: log_probs (N, C) or (C,), target (N,) or ()."""
    check_tensor("nll_loss", "input", log_probs)
    return _nll_loss(log_probs, target, reduction, "nll_loss")


def _nll_loss(log_probs: Tensor, target: Any, reduction: str, op: str) -> Tensor:
    """nll_loss, with errors naming ``op`` (cross_entropy calls it too)."""
    if log_probs.ndim not in (1, 2):
        raise ShapeError(f"{op}: input must have shape (N, C) or (C,), got {log_probs.shape}")
    classes = log_probs.shape[-1]
    indices = _class_indices(target, op, log_probs.shape[:-1], classes)
    if log_probs.ndim == 1:
        picked = log_probs[indices]
    else:
        picked = log_probs[np.arange(log_probs.shape[0]), indices]
    return _reduce(-picked, reduction, op)


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy from logits and integer class targets.

    Shapes: logits (N, C) or (C,), target (N,) or () of indices in [0, C).
    """
    check_tensor("cross_entropy", "input", logits)
    return _nll_loss(ops.log_softmax(logits, axis=-1), target, reduction, "cross_entropy")
