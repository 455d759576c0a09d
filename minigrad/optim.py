"""Optimizers and gradient clipping, with ``torch.optim``'s update rules.

Updates work on the numpy arrays directly (no graph is recorded) and change ``parameter.data`` in place, so a
model's parameters stay the same objects throughout training.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, Iterable, Mapping

import numpy as np

from ._checks import _is_real, check_flags, check_mapping, check_range
from .tensor import Tensor, _as_float_array


def _tensor_list(params: Any, who: str) -> list[Tensor]:
    """``params`` (an iterable of Tensors, such as ``model.parameters()``) as a list."""
    if isinstance(params, Tensor):
        raise TypeError(f"{who}: params must be an iterable of Tensors (model.parameters(), or [tensor] "
                        f"for a single one), got a Tensor of shape {params.shape}")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{who}: params must be an iterable of Tensors, such as model.parameters(), "
                        f"got {type(params).__name__}") from None
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{who}: every parameter must be a Tensor, got {type(p).__name__} {p!r:.60}")
    return params


def _as_list(params: Iterable[Tensor], who: str) -> list[Tensor]:
    params = _tensor_list(params, who)
    if not params:
        raise ValueError(f"{who}: got an empty parameter list")
    seen: set[int] = set()
    for position, p in enumerate(params):
        if not p.requires_grad:
            raise TypeError(f"{who}: every parameter must be a Tensor with requires_grad=True, got {p!r:.60}")
        if p.parents:
            raise TypeError(f"{who}: every parameter must be a leaf tensor, got the output of op "
                            f"'{p.op}' (its gradient is not kept, so it would never be updated)")
        if id(p) in seen:       # it would be updated twice per step
            raise ValueError(f"{who}: parameter {position} appears more than once in the list")
        seen.add(id(p))
    return params


class Optimizer:
    """What every optimizer shares (``torch.optim.Optimizer``): the parameters, ``zero_grad`` and ``step``.

    ``step`` adds weight decay to each gradient, then hands it to the
    subclass's ``_update``, which changes the parameter's data in place.

    Subclasses name their hyperparameters (``hyperparameters``) and the arrays
    they keep per parameter (``state_names``), check the hyperparameters in
    ``_set_hyperparameters`` and define the update ``_update``. Knowing those
    names is what lets ``state_dict`` / ``load_state_dict`` save and restore an
    optimizer exactly, so that training resumes where it stopped.
    """

    hyperparameters: tuple[str, ...] = ("lr", "weight_decay")
    state_names: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Tensor], lr: float, weight_decay: float = 0.0, **more: Any) -> None:
        self.params = _as_list(params, type(self).__name__)
        self._set_hyperparameters(type(self).__name__, lr=lr, weight_decay=weight_decay, **more)
        self.state: list[dict] = [{} for _ in self.params]

    def _set_hyperparameters(self, who: str, lr: Any, weight_decay: Any) -> None:
        check_range(who, "lr", lr, 0.0, math.inf)
        check_range(who, "weight_decay", weight_decay, 0.0, math.inf)
        self.lr, self.weight_decay = lr, weight_decay

    def zero_grad(self, set_to_none: bool = True) -> None:
        check_flags(f"{type(self).__name__}.zero_grad", set_to_none=set_to_none)
        for p in self.params:
            p.zero_grad(set_to_none)

    def step(self) -> None:
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                # Weight decay (L2) adds lambda * p to the gradient, as in torch.optim.
                grad = _grad_values(p)
                grad = grad + self.weight_decay * p.data if self.weight_decay else grad
                self._update(p, grad, state)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ saving and loading
    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """The hyperparameters and every parameter's state, as arrays by name.

        Keys: each hyperparameter (``"lr"``, ``"betas"``, ...), and
        ``"state.<i>.<name>"`` for parameter i's state (Adam's ``m``, ``v`` and
        ``step``), for the parameters that have one (a parameter that never had
        a gradient has none). Flat and numeric, so ``minigrad.save`` can store it.
        """
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        for name in self.hyperparameters:
            out[name] = np.array(getattr(self, name))
        for index, state in enumerate(self.state):
            for name in self.state_names:
                if name in state:
                    out[f"state.{index}.{name}"] = np.array(state[name])
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyperparameters and per-parameter state from ``state_dict()``'s output.

        Every key is checked (missing, unexpected, shape, values) before anything
        changes, so a refused state dict leaves the optimizer as it was.
        """
        who = f"{type(self).__name__}.load_state_dict"
        check_mapping(who, "state_dict", state_dict)
        missing = [name for name in self.hyperparameters if name not in state_dict]
        expected_state = {f"state.{i}.{name}": (i, name) for i in range(len(self.params))
                          for name in self.state_names}
        unexpected = [key for key in state_dict if key not in expected_state and key not in self.hyperparameters]
        if missing or unexpected:
            raise KeyError(f"{who}: missing keys {missing}, unexpected keys {unexpected} (a state dict of "
                           f"another optimizer, or of one over other parameters?)")
        current = {name: getattr(self, name) for name in self.hyperparameters}
        loaded = {name: _hyperparameter(who, name, state_dict[name], current[name])
                  for name in self.hyperparameters}
        states: list[dict] = [{} for _ in self.params]
        for key, (index, name) in expected_state.items():
            if key in state_dict:
                states[index][name] = _state_entry(who, key, name, state_dict[key], self.params[index])
        for index, state in enumerate(states):
            if state and set(state) != set(self.state_names):
                raise KeyError(f"{who}: parameter {index} has state {sorted(state)}, expected all of "
                               f"{list(self.state_names)} or none")
        self._set_hyperparameters(who, **loaded)      # checked like the constructor's arguments
        self.state = states


def _hyperparameter(who: str, name: str, value: Any, like: Any) -> Any:
    """A saved hyperparameter as the Python value it was: a float, a bool, or a tuple (Adam's betas)."""
    array = np.asarray(value)
    expected = np.shape(like)
    if array.shape != expected or array.dtype.kind not in "biuf":
        raise ValueError(f"{who}: '{name}' must be a number array of shape {expected}, got "
                         f"{array.dtype} of shape {array.shape}")
    if isinstance(like, bool):
        return bool(array)
    if isinstance(like, tuple):
        return tuple(float(v) for v in array)
    return float(array)


def _state_entry(who: str, key: str, name: str, value: Any, p: Tensor) -> Any:
    """One saved state entry: the step count as an int, an array of the parameter's shape otherwise."""
    if name == "step":
        array = np.asarray(value)
        if array.shape != () or array.dtype.kind not in "iu" or array < 0:
            raise ValueError(f"{who}: '{key}' must be a count (an integer >= 0), got {array!r:.60}")
        return int(array)
    array = _as_float_array(value, p.dtype, what=f"{who}: '{key}'")
    if array.shape != p.shape:
        raise ValueError(f"{who}: '{key}' has shape {array.shape} but parameter {key.split('.')[1]} has "
                         f"shape {p.shape}")
    return array


class SGD(Optimizer):
    """p -= lr * v, with v = momentum * v + (g + weight_decay * p) (PyTorch's form, no dampening)."""

    hyperparameters = ("lr", "momentum", "weight_decay", "nesterov")
    state_names = ("velocity",)

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)

    def _set_hyperparameters(self, who: str, lr: Any, momentum: Any, weight_decay: Any, nesterov: Any) -> None:
        super()._set_hyperparameters(who, lr, weight_decay)
        # momentum >= 1 makes the velocity a sum that never forgets, and grows without bound.
        check_range(who, "momentum", momentum, 0.0, 1.0, high_open=True)
        check_flags(who, nesterov=nesterov)
        if nesterov and momentum == 0:
            raise ValueError(f"{who}: nesterov=True needs a momentum > 0, got momentum={momentum!r}")
        self.momentum, self.nesterov = momentum, bool(nesterov)

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

    hyperparameters = ("lr", "eps", "weight_decay")
    state_names = ("sum_sq",)

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, eps: float = 1e-10,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, eps=eps, weight_decay=weight_decay)

    def _set_hyperparameters(self, who: str, lr: Any, eps: Any, weight_decay: Any) -> None:
        super()._set_hyperparameters(who, lr, weight_decay)
        check_range(who, "eps", eps, 0.0, math.inf)
        self.eps = eps

    def _update(self, p: Tensor, grad: np.ndarray, state: dict) -> None:
        if "sum_sq" not in state:
            state["sum_sq"] = np.zeros_like(p.data)
        state["sum_sq"] += grad * grad
        p.data -= self.lr * grad / (np.sqrt(state["sum_sq"]) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction, as ``torch.optim.Adam``."""

    hyperparameters = ("lr", "betas", "eps", "weight_decay")
    state_names = ("step", "m", "v")

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _set_hyperparameters(self, who: str, lr: Any, betas: Any, eps: Any, weight_decay: Any) -> None:
        super()._set_hyperparameters(who, lr, weight_decay)
        if isinstance(betas, (str, bytes)) or not isinstance(betas, (tuple, list, np.ndarray)) or len(betas) != 2:
            raise TypeError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r:.60}")
        # beta = 1 would divide by 1 - beta^step = 0 in the bias correction.
        check_range(who, "betas[0]", betas[0], 0.0, 1.0, high_open=True)
        check_range(who, "betas[1]", betas[1], 0.0, 1.0, high_open=True)
        check_range(who, "eps", eps, 0.0, math.inf)
        self.betas, self.eps = (betas[0], betas[1]), eps

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

def clip_grad_norm_(params: Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so their global norm is at most ``max_norm``.

    Returns the global norm before clipping (seed 001, "Main Issue:", clipping:
    rescale g to max_norm * g / ||g|| when ||g|| exceeds the threshold).

    A NaN or Inf norm (some gradient already is NaN or Inf): with
    ``error_if_nonfinite=True`` a ``RuntimeError`` says so; with False (the
    default, as in PyTorch) the gradients are scaled as PyTorch scales them, by
    max_norm / (norm + 1e-6): a NaN norm makes every gradient NaN, an Inf norm
    makes the finite entries 0. The next step is then visibly broken rather
    than silently taken with the unclipped gradients.
    """
    params = _tensor_list(params, "clip_grad_norm_")
    check_range("clip_grad_norm_", "max_norm", max_norm, 0.0, math.inf, allow_inf=True)
    if not _is_real(norm_type):
        raise TypeError(f"clip_grad_norm_: norm_type must be a number (2.0, or math.inf), got {norm_type!r}")
    if not (norm_type > 0 or norm_type == -math.inf):
        raise ValueError(f"clip_grad_norm_: norm_type must be positive, inf or -inf, got {norm_type!r}")
    check_flags("clip_grad_norm_", error_if_nonfinite=error_if_nonfinite)
    grads = [_grad_values(p) for p in params if p.grad is not None]
    if not grads:
        return 0.0
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g), initial=0.0)) for g in grads)
    elif norm_type == -math.inf:
        total = min(float(np.min(np.abs(g), initial=math.inf)) for g in grads)
    else:
        total = float(sum(np.sum(np.abs(g) ** norm_type) for g in grads) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients of "
                           f"{len(grads)} parameters is {total}, so they cannot be clipped; a gradient is "
                           f"NaN or Inf (minigrad.detect_anomaly() finds the op that made it). Set "
                           f"error_if_nonfinite=False to scale them anyway, as PyTorch does")
    scale = max_norm / (total + 1e-6)
    if scale < 1.0 or math.isnan(scale):
        for g in grads:
            g *= scale
    return total


def clip_grad_value_(params: Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient element into [-clip_value, clip_value], in place."""
    params = _tensor_list(params, "clip_grad_value_")
    # A negative clip_value would set every gradient to -clip_value: numpy's clip takes the upper bound.
    check_range("clip_grad_value_", "clip_value", clip_value, 0.0, math.inf, allow_inf=True)
    for p in params:
        if p.grad is not None:
            grad = _grad_values(p)
            np.clip(grad, -clip_value, clip_value, out=grad)


def _grad_values(p: Tensor) -> np.ndarray:
    """``p.grad`` as an array an update reads and clipping scales in place.

    After ``backward(create_graph=True)`` the gradient is a Tensor with a graph: its
    values are its counted view ``.data`` (a step does not record, as in torch.optim).
    """
    return p.grad.data if isinstance(p.grad, Tensor) else p.grad


__all__ = ["Optimizer", "SGD", "Adagrad", "Adam", "clip_grad_norm_", "clip_grad_value_"]
