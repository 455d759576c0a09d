"""Hypothesis profiles.

- ``default``: a few dozen examples per property, so the whole suite runs in
  a few minutes on 2 cores. In CI (``CI`` set) it is derandomized, so a run
  that passed once passes again on the same code.
- ``thorough``: thousands of examples per op. Select it with
  ``MINIGRAD_HYPOTHESIS_PROFILE=thorough python -m pytest``.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=40, deadline=None, derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("MINIGRAD_HYPOTHESIS_PROFILE", "default"))
