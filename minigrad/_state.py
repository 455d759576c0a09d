"""Global switches of the engine: grad mode, the current scope, anomaly detection.

They live in one small module so that the hot path reads a single attribute
(``state.grad_enabled``) instead of walking a context stack on every op.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from ._checks import check_flags, check_str


class _State:
    __slots__ = ("grad_enabled", "scope", "anomaly", "write_clock")

    def __init__(self) -> None:
        self.grad_enabled = True   # False inside `no_grad()`: ops record no graph
        self.scope = ""            # "layer0/fwd/t=3": path of the enclosing `scope()` blocks
        self.anomaly = False       # True inside `detect_anomaly()`
        self.write_clock = 0       # writes through Tensor.data so far (tensor.py, _mark_written)


state = _State()


class set_grad_enabled:
    """Inside the block, ops record a graph (``mode=True``) or not (``mode=False``), as in PyTorch."""

    __slots__ = ("mode", "previous")

    def __init__(self, mode: bool) -> None:
        check_flags("set_grad_enabled", mode=mode)
        self.mode = bool(mode)

    def __enter__(self) -> None:
        self.previous = state.grad_enabled
        state.grad_enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        state.grad_enabled = self.previous


def no_grad() -> set_grad_enabled:
    """Ops inside this block record no graph: their results are leaves.

    Used for evaluation, for optimizer updates, and wherever a value is needed
    without its history (as in PyTorch's ``torch.no_grad``).
    """
    return set_grad_enabled(False)


def enable_grad() -> set_grad_enabled:
    """Re-enable graph recording inside a ``no_grad()`` block."""
    return set_grad_enabled(True)


def is_grad_enabled() -> bool:
    """Whether ops record the graph now (False inside ``no_grad()``), as ``torch.is_grad_enabled``."""
    return state.grad_enabled


class scope:
    """Tag every tensor created inside the block with a scope path.

    Scopes nest: ``with scope("layer0"): with scope("t=3"): ...`` tags tensors
    with ``"layer0/t=3"``. Recurrent nets name layer, direction and time step
    this way, and the graph renderer draws one cluster per scope.

    (A class rather than a ``@contextmanager`` generator: an RNN enters one
    scope per time step, and this is three times cheaper.)
    """

    __slots__ = ("name", "previous")

    def __init__(self, name: str) -> None:
        check_str("scope", "name", name)
        if not name or "/" in name:
            raise ValueError(f"scope: a scope name must be non-empty and contain no '/', got {name!r}")
        self.name = name

    def __enter__(self) -> str:
        self.previous = state.scope
        state.scope = f"{self.previous}/{self.name}" if self.previous else self.name
        return state.scope

    def __exit__(self, *exc_info: object) -> None:
        state.scope = self.previous


def current_scope() -> str:
    """The scope path tensors created now are tagged with ("" outside every ``scope``)."""
    return state.scope


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise at the first op whose forward or backward produces NaN or Inf.

    The error names the op and the scope it ran in. Off by default because
    checking every array for finiteness costs a pass over its data.
    """
    previous = state.anomaly
    state.anomaly = True
    try:
        yield
    finally:
        state.anomaly = previous
