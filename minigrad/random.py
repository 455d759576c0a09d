"""The engine's default random generator, used to initialise parameters.

``minigrad.manual_seed(0)`` makes every later initialisation reproducible;
modules also accept their own ``rng`` (a seed or a ``np.random.Generator``).
"""
from __future__ import annotations

from typing import Any, Union

import numpy as np

from ._checks import check_count

_generator = np.random.default_rng()

RngLike = Union[None, int, np.random.Generator]


def check_seed(who: str, name: str, seed: Any) -> None:
    """A seed is an integer >= 0 (numpy refuses negative ones, deep inside ``default_rng``)."""
    check_count(who, name, seed, minimum=0)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (as ``torch.manual_seed``)."""
    global _generator
    check_seed("manual_seed", "seed", seed)
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    return _generator


def as_generator(rng: RngLike, who: str = "as_generator") -> np.random.Generator:
    """A generator from ``rng``: None means the default one, an int seeds a new one.

    ``who`` names the module or function whose ``rng`` argument this is, for the error.
    """
    if rng is None:
        return _generator
    if isinstance(rng, np.random.Generator):
        return rng
    if not isinstance(rng, (int, np.integer)) or isinstance(rng, (bool, np.bool_)):
        raise TypeError(f"{who}: rng must be None, an integer seed >= 0 or a numpy.random.Generator, "
                        f"got {rng!r:.80}")
    check_seed(who, "rng", rng)
    return np.random.default_rng(rng)
