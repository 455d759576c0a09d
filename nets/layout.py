"""PyTorch's layout of a recurrent layer, shared by the nets and the hand-written reference.

Plain names and numpy only (no engine): the nets (``cells.py``, ``recurrent.py``)
build their parameters under these names, and the oracle (``nets/reference/``)
reads them back under the same names, so both agree on which array is which.

- ``GATES``: how many H-row blocks a cell stacks in its weights (G in G*H).
- ``PARAMETER_NAMES`` and ``parameter_suffix``: PyTorch's names
  ``weight_ih_l{k}{sfx}``, ``weight_hh_l{k}{sfx}``, ``bias_ih_l{k}{sfx}``,
  ``bias_hh_l{k}{sfx}``, sfx ``""`` forward and ``"_reverse"`` backward.
- ``ACTIVATIONS``: an Elman net's nonlinearity f, by name, with its derivative.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

GATES = {"rnn": 1, "lstm": 4, "gru": 3}

# In the order the nets draw them from the random stream (PyTorch's order).
PARAMETER_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def parameter_suffix(layer: int, direction: int) -> str:
    """``_l{layer}`` for the forward direction (0), ``_l{layer}_reverse`` for the backward one (1)."""
    return f"_l{layer}" + ("_reverse" if direction else "")


@dataclass(frozen=True)
class Activation:
    """An elementwise f with its derivative, in numpy.

    Attributes:
        function: h = f(z), any shape.
        derivative: f'(z) given z and h = f(z), any shape: the diagonal of seed
            004's ``Jacobian(h(t,l), z(t,l))`` (each unit's output depends only
            on its own pre-activation).
    """

    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _tanh_derivative(z: np.ndarray, h: np.ndarray) -> np.ndarray:
    return 1.0 - h**2  # tanh' = 1 - tanh^2


def _relu_derivative(z: np.ndarray, h: np.ndarray) -> np.ndarray:
    # relu' is 1 for z > 0 and 0 for z < 0; at the kink z = 0 we take 0, as PyTorch does.
    return (z > 0.0).astype(z.dtype)


# PyTorch's choices for nn.RNN's nonlinearity.
ACTIVATIONS = {"tanh": Activation(np.tanh, _tanh_derivative),
               "relu": Activation(_relu, _relu_derivative)}
NONLINEARITIES = tuple(ACTIVATIONS)


def check_nonlinearity(who: str, nonlinearity: str) -> None:
    """An Elman net's f must be tanh or relu (PyTorch's choices)."""
    if nonlinearity not in NONLINEARITIES:              # a tuple: an unhashable value is refused too
        raise ValueError(f"{who}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
