"""Shared by every layer of the reference: the types, the activations, the summed bias."""
from __future__ import annotations

import numpy as np

from ..layout import ACTIVATIONS

Params = dict[str, np.ndarray]
Grads = dict[str, np.ndarray]


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function, computed as 0.5 * (1 + tanh(a / 2)).

    The identity avoids the overflow warning ``np.exp(-a)`` gives for very
    negative a; the values are the same.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _elman_activation(z: np.ndarray, nonlinearity: str) -> np.ndarray:
    """h = f(z), f = tanh or relu (``nets/layout.py``'s table); any shape."""
    return ACTIVATIONS[nonlinearity].function(z)


def _elman_activation_derivative(z: np.ndarray, h: np.ndarray, nonlinearity: str) -> np.ndarray:
    """f'(z), given z and h = f(z); any shape.

    This is the diagonal of seed 004's ``Jacobian(h(t,l), z(t,l))``: each unit's
    output depends only on its own pre-activation.
    """
    return ACTIVATIONS[nonlinearity].derivative(z, h)


def _summed_bias(weights: Params, size: int) -> np.ndarray:
    """b_ih + b_hh, shape (size,); zeros for a layer built without biases.

    The two biases are always added together, so they act as one bias b
    (seed 004's ``b(l)``); PyTorch keeps two only for compatibility with cuDNN.
    """
    total = np.zeros(size)
    for name in ("bias_ih", "bias_hh"):
        if name in weights:
            total = total + weights[name]
    return total


def _gradient_sums(weights: Params, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zeros for dE/dx (T, B, D_k), dE/dW_ih and dE/dW_hh: what a layer's BPTT adds up, step by step."""
    return np.zeros_like(x), np.zeros_like(weights["weight_ih"]), np.zeros_like(weights["weight_hh"])


def _bias_grads(weights: Params, d_bias: np.ndarray) -> Grads:
    """Both biases receive the gradient of their sum, b = b_ih + b_hh."""
    return {name: d_bias.copy() for name in ("bias_ih", "bias_hh") if name in weights}
