"""The engine's own exceptions (docs/errors.md lists every exception a user can meet)."""


class ShapeError(ValueError):
    """An op was given operands whose shapes it cannot combine."""


class AnomalyError(FloatingPointError):
    """Raised inside `detect_anomaly()` when an op produces NaN or Inf."""


class CheckpointError(ValueError):
    """``minigrad.load`` was given a file that is not a complete minigrad checkpoint.

    A truncated or corrupted file, a plain ``.npz`` without minigrad's format
    version, a newer format version, or a file holding pickled objects.
    """
