"""The engine's exceptions. Each message names the op and the shapes involved."""


class ShapeError(ValueError):
    """An op was given operands whose shapes it cannot combine."""


class AnomalyError(FloatingPointError):
    """Raised inside `detect_anomaly()` when an op produces NaN or Inf."""
