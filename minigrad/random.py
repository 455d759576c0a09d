"""The engine's default random generator, used to initialise parameters.

``minigrad.manual_seed(0)`` makes every later initialisation reproducible;
modules also accept their own ``rng`` (a seed or a ``np.random.Generator``).
"""
from __future__ import annotations

from typing import Union

import numpy as np

_generator = np.random.default_rng()

RngLike = Union[None, int, np.random.Generator]


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (as ``torch.manual_seed``)."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    return _generator


def as_generator(rng: RngLike) -> np.random.Generator:
    """A generator from ``rng``: None means the default one, an int seeds a new one."""
    if rng is None:
        return _generator
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)
