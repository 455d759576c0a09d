"""Argument checks for the public entry points: each error names the callable, the argument,
what was expected and what was given.

One module for the engine's checks (``nn``, ``optim``, ``testing``, ``draw``, ``save``/``load``);
``nets/_checks.py`` imports the same functions, so a mistake is worded the same everywhere.
The rule for the exception type is Python's: ``TypeError`` when the argument is of the wrong
kind (a string where a number belongs, a float where a count belongs), ``ValueError`` when it
is of the right kind but out of range (a negative size, a NaN learning rate).

The checks sit where a user's value enters (constructors, ``save``, ``draw``), never inside an
op's forward or backward, which run thousands of times per training step.
"""
from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

# Tensor is imported inside the two checks that need it: tensor.py imports _state.py, which
# uses check_flags, so importing tensor.py here would make a cycle.
if TYPE_CHECKING:
    from .tensor import Tensor


def _is_integer(value: Any) -> bool:
    """A Python or numpy integer, and not a bool (``True`` is an int in Python, but not a count)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    """A real number: int, float or their numpy kinds, not a bool, a complex or a string."""
    return (isinstance(value, (numbers.Real, np.floating, np.integer))
            and not isinstance(value, (bool, np.bool_)))


def check_count(who: str, name: str, value: Any, minimum: int = 1) -> None:
    """An integer >= ``minimum`` (sizes, numbers of layers or steps)."""
    if not _is_integer(value):
        raise TypeError(f"{who}: {name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{who}: {name} must be an integer >= {minimum}, got {value!r}")


def check_sizes(who: str, minimum: int = 1, **sizes: Any) -> None:
    """Layer sizes: integers >= ``minimum`` (1 unless the layer means something with 0)."""
    for name, value in sizes.items():
        check_count(who, name, value, minimum)


def check_flags(who: str, **flags: Any) -> None:
    """Flags must be bools: a string such as "no" would count as True."""
    for name, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{who}: {name} must be True or False, got {value!r}")


def check_range(who: str, name: str, value: Any, low: float, high: float, low_open: bool = False,
                high_open: bool = False, allow_inf: bool = False) -> None:
    """A real number in [low, high] (``low_open``/``high_open`` leave out that end); finite unless
    ``allow_inf`` (where infinity has a meaning, such as "no clipping")."""
    if not _is_real(value):
        raise TypeError(f"{who}: {name} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:           # an int beyond float's range
        number = math.inf if value > 0 else -math.inf
    below = number <= low if low_open else number < low
    above = number >= high if high_open else number > high
    if math.isnan(number) or (math.isinf(number) and not allow_inf) or below or above:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        kind = "a number" if allow_inf else "a finite number"
        raise ValueError(f"{who}: {name} must be {kind} in {interval}, got {value!r}")


def check_choice(who: str, name: str, value: Any, choices: Iterable[Any]) -> None:
    """One of a few allowed values (a view's name, a nonlinearity)."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{who}: {name} must be one of {listed}, got {value!r}")


def check_tensor(who: str, name: str, value: Any) -> Tensor:
    """Refuse anything but a Tensor where only a Tensor makes sense (what to draw, a loss's input)."""
    from .tensor import Tensor
    if not isinstance(value, Tensor):
        raise TypeError(f"{who}: {name} must be a minigrad.Tensor, got {type(value).__name__}; "
                        f"wrap it first: minigrad.Tensor(value)")
    return value


def as_tensor_argument(who: str, name: str, value: Any) -> Tensor:
    """``value`` as a Tensor (a Tensor is returned as is), or an error naming the callable and the
    argument when it is not an array of real numbers (ragged lists, None, strings, complex)."""
    from .tensor import Tensor
    if isinstance(value, Tensor):
        return value
    try:
        return Tensor(value)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{who}: {name} must be an array of numbers ({error})") from None


def as_real_array(who: str, name: str, value: Any, dtype: Any = np.float64) -> np.ndarray:
    """``value`` as a numpy array of ``dtype``, or an error naming the callable and the argument
    when it is not an array of real numbers (ragged lists, None, strings, complex)."""
    from .tensor import _as_float_array
    return _as_float_array(value, dtype, what=f"{who}: {name}")


def check_mapping(who: str, name: str, value: Any) -> Mapping:
    """A mapping (a dict, an OrderedDict, the result of ``minigrad.load``), with string keys."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{who}: {name} must be a mapping of names to arrays (a dict, as "
                        f"state_dict() returns), got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"{who}: the keys of {name} must be strings, got {key!r}")
    return value


def check_tensor_list(who: str, name: str, value: Any) -> list:
    """A list or tuple of Tensors (what ``stack`` joins, what ``gradcheck`` perturbs)."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{who}: {name} must be a list or tuple of Tensors, got {type(value).__name__}")
    from .tensor import Tensor
    # One import and one isinstance per item: stack() checks the T outputs of an unrolled net this
    # way, so the per-item cost is per time step; the item's name is built only for a refused one.
    for position, item in enumerate(value):
        if not isinstance(item, Tensor):
            check_tensor(who, f"{name}[{position}]", item)
    return list(value)


def check_path(who: str, name: str, value: Any) -> None:
    """A file path: a str or a pathlib.Path (an int would be taken as a file descriptor)."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{who}: {name} must be a str or a pathlib.Path, got {type(value).__name__}")


def check_callable(who: str, name: str, value: Any) -> None:
    """A function (a loss, the function gradcheck differentiates)."""
    if not callable(value):
        raise TypeError(f"{who}: {name} must be callable, got {value!r}")


def check_str(who: str, name: str, value: Any, optional: bool = False) -> None:
    """A string (a name, a title); ``optional``: None is allowed too."""
    if not (isinstance(value, str) or (optional and value is None)):
        expected = "a string or None" if optional else "a string"
        raise TypeError(f"{who}: {name} must be {expected}, got {value!r}")
