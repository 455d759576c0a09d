"""The reference's argument checks: each error names the function, the argument, the expected and
the actual value.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..layout import check_nonlinearity, parameter_suffix
from .common import Params
from .stack import Cache


def _as_float64(array: np.ndarray) -> np.ndarray:
    return np.asarray(array, dtype=np.float64)


def _check_shape(fn: str, arg: str, shape: tuple[int, ...], expected: tuple[int, ...],
                 meaning: str) -> None:
    """Raise ValueError naming the function, the argument, the expected and the actual shape."""
    if tuple(shape) != expected:
        raise ValueError(f"{fn}: {arg} must have shape {meaning} = {expected}, got {tuple(shape)}")


def _check_params(fn: str, params: Params, gates: int, num_layers: int,
                  bidirectional: bool) -> tuple[int, int]:
    """Check every parameter is present with PyTorch's shape; return (D, H).

    Biases may be absent, but no key may be unknown: an unexpected key would
    usually mean num_layers or bidirectional disagree with the parameters.
    """
    if not isinstance(params, dict):
        raise ValueError(f"{fn}: params must be a dict name -> array, got {type(params).__name__}")
    for name in ("weight_ih_l0", "weight_hh_l0"):
        if name not in params:
            raise ValueError(f"{fn}: params is missing key '{name}'")
    input_size = np.shape(params["weight_ih_l0"])[-1]
    hidden_size = np.shape(params["weight_hh_l0"])[-1]
    nd = 2 if bidirectional else 1
    expected_keys = set()
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else nd * hidden_size
        for direction in range(nd):
            suffix = parameter_suffix(layer, direction)
            # short name -> (expected shape, how the shape is written in the docs)
            expected = {"weight_ih": ((gates * hidden_size, layer_input), "(G*H, D_k)"),
                        "weight_hh": ((gates * hidden_size, hidden_size), "(G*H, H)"),
                        "bias_ih": ((gates * hidden_size,), "(G*H,)"),
                        "bias_hh": ((gates * hidden_size,), "(G*H,)")}
            for short, (shape, meaning) in expected.items():
                name = short + suffix
                expected_keys.add(name)
                if name not in params:
                    if short.startswith("bias"):
                        continue  # built with bias=False
                    raise ValueError(f"{fn}: params is missing key '{name}'")
                _check_shape(fn, f"params['{name}']", np.shape(params[name]), shape, meaning)
    unexpected = sorted(set(params) - expected_keys)
    if unexpected:
        raise ValueError(f"{fn}: params has unexpected keys {unexpected} for "
                         f"num_layers={num_layers}, bidirectional={bidirectional}")
    return input_size, hidden_size


def _check_input(fn: str, x: np.ndarray, input_size: int) -> np.ndarray:
    """x must be (T, B, D) with T >= 1 and D = input size; returns it as float64."""
    x = _as_float64(x)
    if x.ndim != 3:
        raise ValueError(f"{fn}: x must be 3-D (T, B, D), got shape {x.shape}")
    if x.shape[0] < 1:
        raise ValueError(f"{fn}: x must have at least one time step, got shape {x.shape}")
    _check_shape(fn, "x", x.shape, (x.shape[0], x.shape[1], input_size), "(T, B, D)")
    return x


def _initial_state(fn: str, arg: str, state: Optional[np.ndarray],
                   shape: tuple[int, int, int]) -> np.ndarray:
    """An initial state of the given (L * nd, B, H) shape; None means zeros."""
    if state is None:
        return np.zeros(shape)
    state = _as_float64(state)
    _check_shape(fn, arg, state.shape, shape, "(num_layers * num_directions, B, H)")
    return state


def _check_cache(fn: str, cache: Cache, cell: str) -> None:
    if not isinstance(cache, Cache) or cache.cell != cell:
        made_by = f"{cell}_forward"
        raise ValueError(f"{fn}: cache must be the Cache returned by {made_by}")


def _output_gradient(fn: str, arg: str, gradient: Optional[np.ndarray],
                     shape: tuple[int, ...], meaning: str) -> np.ndarray:
    """A gradient argument of the given shape; None means zeros (the loss ignores it)."""
    if gradient is None:
        return np.zeros(shape)
    gradient = _as_float64(gradient)
    _check_shape(fn, arg, gradient.shape, shape, meaning)
    return gradient


_check_nonlinearity = check_nonlinearity     # the cells' check and message: one activation table, one check
