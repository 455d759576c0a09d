"""Argument checks shared by the nets: each error names the module, the argument and the value.

One place for them, so every net words the same mistake the same way.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def check_count(who: str, name: str, value: Any, minimum: int = 1) -> None:
    """Refuse anything but an integer >= ``minimum`` (a bool is not a count)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{who}: {name} must be an integer >= {minimum}, got {value!r}")


def check_sizes(who: str, **sizes: Any) -> None:
    """Layer sizes: integers >= 1."""
    for name, value in sizes.items():
        check_count(who, name, value, minimum=1)


def check_flags(who: str, **flags: Any) -> None:
    """Refuse flags that are not bools: a string such as "no" would count as True."""
    for name, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{who}: {name} must be True or False, got {value!r}")


def check_range(who: str, name: str, value: Any, low: float, high: float, low_open: bool = False) -> None:
    """A finite real number in [low, high], or (low, high] with ``low_open``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"{who}: {name} must be a number, got {value!r}")
    below = value <= low if low_open else value < low
    if not np.isfinite(value) or below or value > high:
        bracket = "(" if low_open else "["
        raise ValueError(f"{who}: {name} must be a finite number in {bracket}{low}, {high}], got {value!r}")
