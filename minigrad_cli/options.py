"""argparse types for the integer options of the command-line tools and the experiments."""
from __future__ import annotations

import argparse
from typing import Callable, Optional


def integer_option(minimum: int, expected: str, maximum: Optional[int] = None) -> Callable[[str], int]:
    """An argparse type for an integer in [minimum, maximum]: argparse then reports a bad value in one
    line, exit 2."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected at most {maximum} (a picture of more is unreadable), "
                                             f"got {value}")
        return value
    return parse


positive_int = integer_option(1, "a positive integer")             # --first-last: any number of steps
non_negative_int = integer_option(0, "a non-negative integer")     # --seed: numpy's generators take seeds >= 0
