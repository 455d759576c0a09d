"""Optimizers and gradient clipping, with ``torch.optim``'s update rules.

Updates work on the numpy arrays directly (no graph is recorded) and change ``parameter.data`` in place, so a
model's parameters stay the same objects throughout training.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from .tensor import Tensor


def _as_list(params: Iterable[Tensor], who: str) -> list[Tensor]:
    params = list(params)
    if not params:
        raise ValueError(f"{who}: got an empty parameter list")
    for p in params:
        if not isinstance(p, Tensor) or not p.requires_grad:
            raise TypeError(f"{who}: every parameter must be a Tensor with requires_grad=True, got {p!r:.60}")
        if p.parents:
            raise TypeError(f"{who}: every parameter must be a leaf tensor, got the output of op "
                            f"'{p.op}' (its gradient is not kept, so it would never be updated)")
    return params


class Optimizer:
    """What every optimizer shares (``torch.optim.Optimizer``): the parameters, ``zero_grad`` and ``step``.

    ``step`` adds weight decay to each gradient, then hands it to the
    subclass's ``_update``, which changes the parameter's data in place.
    """

    def __init__(self, params: Iterable[Tensor], lr: float, weight_decay: float = 0.0) -> None:
        if lr < 0:
            raise ValueError(f"{type(self).__name__}: learning rate must be >= 0, got {lr}")
        self.params = _as_list(params, type(self).__name__)
        self.lr = lr
        self.weight_decay = weight_decay
        self.state: list[dict] = [{} for _ in self.params]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.zero_grad(set_to_none)

    def step(self) -> None:
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                # Weight decay (L2) adds lambda * p to the gradient, as in torch.optim.
                grad = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
                self._update(p, grad, state)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * v, with v = momentum * v + (g + weight_decay * p) (PyTorch's form, no dampening)."""

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum, self.nesterov = momentum, nesterov

    def _update(self, p: Tensor, grad: np.ndarray, state: dict) -> None:
        if self.momentum:
            if "velocity" not in state:
                state["velocity"] = grad.copy()
            else:
                state["velocity"] *= self.momentum
                state["velocity"] += grad
            grad = grad + self.momentum * state["velocity"] if self.nesterov else state["velocity"]
        p.data -= self.lr * grad


class Adagrad(Optimizer):
    """p -= lr * g / (sqrt(sum of g^2) + eps)."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, eps: float = 1e-10,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.eps = eps

    def _update(self, p: Tensor, grad: np.ndarray, state: dict) -> None:
        if "sum_sq" not in state:
            state["sum_sq"] = np.zeros_like(p.data)
        state["sum_sq"] += grad * grad
        p.data -= self.lr * grad / (np.sqrt(state["sum_sq"]) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction, as ``torch.optim.Adam``."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.betas, self.eps = betas, eps

    def _update(self, p: Tensor, grad: np.ndarray, state: dict) -> None:
        beta1, beta2 = self.betas
        if not state:
            state.update(step=0, m=np.zeros_like(p.data), v=np.zeros_like(p.data))
        state["step"] += 1
        state["m"] *= beta1                          # m = beta1 m + (1 - beta1) g, in place
        state["m"] += (1 - beta1) * grad
        state["v"] *= beta2                          # v = beta2 v + (1 - beta2) g^2
        state["v"] += (1 - beta2) * grad * grad
        m_hat = state["m"] / (1 - beta1 ** state["step"])
        v_hat = state["v"] / (1 - beta2 ** state["step"])
        p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def clip_grad_norm_(params: Iterable[Tensor], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their global norm is at most ``max_norm``.

    Returns the global norm before clipping (seed 001, "gradient clipping":
    rescale g to max_norm * g / ||g|| when ||g|| exceeds the threshold).
    """
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g), initial=0.0)) for g in grads)
    elif norm_type == -math.inf:
        total = min(float(np.min(np.abs(g), initial=math.inf)) for g in grads)
    elif not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive, inf or -inf, got {norm_type!r}")
    else:
        total = float(sum(np.sum(np.abs(g) ** norm_type) for g in grads) ** (1.0 / norm_type))
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in grads:
            g *= scale
    return total


def clip_grad_value_(params: Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient element into [-clip_value, clip_value], in place."""
    for p in params:
        if p.grad is not None:
            np.clip(p.grad, -clip_value, clip_value, out=p.grad)


__all__ = ["Optimizer", "SGD", "Adagrad", "Adam", "clip_grad_norm_", "clip_grad_value_"]
