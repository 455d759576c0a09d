"""Argument checks shared by the nets: each error names the module, the argument and the value.

They are the engine's own checks (``minigrad/_checks.py``), so that a mistake is worded the same
in ``nets`` as in ``minigrad``; this module gathers what the nets use, and adds the checks of
time-major (T, width) sequences that the ESN and its readout share.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from minigrad._checks import (as_real_array, as_tensor_argument, check_callable, check_choice, check_count,
                              check_flags, check_mapping, check_range, check_sizes, check_str, check_tensor)

__all__ = ["as_real_array", "as_tensor_argument", "check_callable", "check_choice", "check_count", "check_flags",
           "check_mapping", "check_range", "check_sizes", "check_str", "check_tensor", "check_same_length",
           "as_sequence", "as_sequence_list", "check_state_vector", "ArrayOrSequences"]

ArrayOrSequences = np.ndarray | Sequence[np.ndarray]


def check_same_length(who: str, name_a: str, length_a: int, name_b: str, length_b: int) -> None:
    if length_a != length_b:
        raise ValueError(
            f"{who}: {name_a} and {name_b} must have the same number of steps, "
            f"got {length_a} and {length_b}"
        )


def as_sequence(
    who: str, name: str, data: np.ndarray, width: int | None, width_name: str = ""
) -> np.ndarray:
    """Check one (T, width) sequence and return it as a float64 array; errors name ``who``.

    `width=None` accepts any number of columns but none (for arrays whose
    width is not set by an ESN).
    """
    array = as_real_array(who, name, data)
    if array.ndim != 2:
        hint = " (reshape a 1-D series with .reshape(-1, 1))" if array.ndim == 1 else ""
        shape = f"(T, {'width' if width is None else width})"
        raise ValueError(f"{who}: {name} must be a 2-D array {shape}, got shape {array.shape}{hint}")
    if width is None and array.shape[1] == 0:
        raise ValueError(f"{who}: {name} has no columns, got shape {array.shape}")
    if width is not None and array.shape[1] != width:
        raise ValueError(
            f"{who}: {name} has {array.shape[1]} columns but the ESN has {width_name}={width}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{who}: {name} is empty: it needs at least one step")
    finite = np.isfinite(array)
    if not finite.all():
        row, column = np.argwhere(~finite)[0]
        raise ValueError(
            f"{who}: {name} contains NaN or Inf "
            f"(first at step {row}, column {column}: {array[row, column]})"
        )
    return array


def as_sequence_list(
    who: str, name: str, data: ArrayOrSequences, width: int, width_name: str
) -> list[np.ndarray]:
    """A (T, width) array becomes a one-element list; a list is checked item by item.

    A list counts as a list of sequences when its first item is 2-D; a nested
    list of numbers such as [[0.1], [0.2]] is one (T, width) sequence.
    """
    if isinstance(data, (list, tuple)) and (len(data) == 0 or np.ndim(data[0]) == 2):
        if len(data) == 0:
            raise ValueError(f"{who}: {name} is an empty list: it needs at least one sequence")
        return [
            as_sequence(who, f"{name}[{index}]", item, width, width_name)
            for index, item in enumerate(data)
        ]
    return [as_sequence(who, name, data, width, width_name)]


def check_state_vector(who: str, name: str, state: np.ndarray, size: int) -> np.ndarray:
    """A finite state of shape (size,) as a float64 array; errors name ``who`` and ``name``."""
    state = as_real_array(who, name, state)
    if state.shape != (size,):
        raise ValueError(
            f"{who}: {name} must have shape ({size},), "
            f"got {state.shape}"
        )
    if not np.isfinite(state).all():
        raise ValueError(f"{who}: {name} contains NaN or Inf")
    return state
