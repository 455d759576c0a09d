"""Command-line tools of minigrad (they import both the engine and ``nets``, which the engine may not)."""
