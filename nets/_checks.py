"""Argument checks shared by the nets: each error names the module, the argument and the value.

They are the engine's own checks (``minigrad/_checks.py``), so that a mistake is worded the same
in ``nets`` as in ``minigrad``; this module only gathers what the nets use.
"""
from minigrad._checks import (as_real_array, as_tensor_argument, check_callable, check_choice, check_count,
                              check_flags, check_mapping, check_range, check_sizes, check_str, check_tensor)

__all__ = ["as_real_array", "as_tensor_argument", "check_callable", "check_choice", "check_count", "check_flags",
           "check_mapping", "check_range", "check_sizes", "check_str", "check_tensor"]
