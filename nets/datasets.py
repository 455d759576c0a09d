"""Benchmark time series for the recurrent nets.

So far one series: Mackey-Glass, the standard chaotic benchmark for echo state
networks (Jaeger 2001; Jaeger & Haas 2004), used by `examples/esn_mackey_glass.py`
and `benchmarks/esn_fit.py`.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_count, check_range


def mackey_glass(
    n: int,
    tau: float = 17.0,
    a: float = 0.2,
    b: float = 0.1,
    power: float = 10.0,
    x0: float = 1.2,
    dt: float = 0.1,
    sample_step: float = 1.0,
    transient: int = 1000,
) -> np.ndarray:
    """Sample the Mackey-Glass delay differential equation.

    The equation (Mackey & Glass 1977) is

        dx/dt = a x(t - tau) / (1 + x(t - tau)**power) - b x(t),

    chaotic for tau >= 17 with the classic a = 0.2, b = 0.1, power = 10.

    Integration scheme: classical fourth-order Runge-Kutta with a fixed step
    `dt` (0.1 by default), on a grid where the delay is a whole number of steps
    (tau / dt = 170). The delayed value a stage needs at a half step,
    x(t - tau + dt/2), is the mean of its two grid neighbours (linear
    interpolation), which keeps the scheme explicit. The history on
    [-tau, 0] is the constant `x0`, so the series is deterministic: no random
    initial history, unlike some libraries. The solution is read every
    `sample_step` time units (1 by default, as in the ESN literature's MG17
    task), and the first `transient` samples are dropped so the series starts
    on the attractor rather than on the way to it.

    Args:
        n: number of samples returned.
        tau: the delay; must be a whole multiple of `dt`.
        a: the equation's feedback gain.
        b: the equation's decay rate.
        power: the equation's exponent.
        x0: the constant history x(t) for t <= 0.
        dt: the Runge-Kutta step, in time units.
        sample_step: time between two returned samples; a whole multiple of `dt`.
        transient: number of leading samples discarded.

    Returns:
        float64 array of shape (n, 1): one column, so that it can be fed to a
        net as a (T, D) sequence directly.

    Raises:
        ValueError: if n is not positive, dt is not positive, or tau or
            sample_step is not a whole multiple of dt.
    """
    check_count("mackey_glass", "n", n, minimum=1)
    check_count("mackey_glass", "transient", transient, minimum=0)
    check_range("mackey_glass", "dt", dt, 0.0, np.inf, low_open=True)
    check_range("mackey_glass", "tau", tau, 0.0, np.inf, low_open=True)
    check_range("mackey_glass", "sample_step", sample_step, 0.0, np.inf, low_open=True)
    for name, value in (("a", a), ("b", b), ("power", power), ("x0", x0)):
        check_range("mackey_glass", name, value, -np.inf, np.inf)
    delay_steps = _whole_multiple("tau", tau, dt)
    steps_per_sample = _whole_multiple("sample_step", sample_step, dt)
    if delay_steps < 1 or steps_per_sample < 1:
        raise ValueError(
            f"mackey_glass: tau and sample_step must be at least dt={dt}, "
            f"got tau={tau}, sample_step={sample_step}"
        )

    def slope(x_now: float, x_delayed: float) -> float:
        return a * x_delayed / (1.0 + x_delayed**power) - b * x_now

    total_steps = (n + transient) * steps_per_sample
    # history[i] holds x(i*dt - tau): the first delay_steps + 1 entries are the
    # constant history up to t = 0, so the delayed value for step i is
    # history[i]. Plain Python floats: numpy scalars would be several times
    # slower in this strictly sequential recurrence.
    history = [x0] * (delay_steps + 1) + [0.0] * total_steps
    x = x0
    for i in range(total_steps):
        delayed_start = history[i]
        delayed_end = history[i + 1]
        delayed_mid = 0.5 * (delayed_start + delayed_end)
        k1 = slope(x, delayed_start)
        k2 = slope(x + 0.5 * dt * k1, delayed_mid)
        k3 = slope(x + 0.5 * dt * k2, delayed_mid)
        k4 = slope(x + dt * k3, delayed_end)
        x = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        history[delay_steps + 1 + i] = x
    grid = np.asarray(history)

    # x(t) for t = 0, dt, 2 dt, ... lives at grid[delay_steps:]; keep one value
    # per sample_step, then drop the transient.
    solution = grid[delay_steps:]
    samples = solution[steps_per_sample::steps_per_sample]
    return samples[transient : transient + n].reshape(n, 1)


def _whole_multiple(name: str, value: float, step: float) -> int:
    """Return value / step as an int, or raise if it is not (nearly) whole."""
    ratio = value / step
    nearest = round(ratio)
    if abs(ratio - nearest) > 1e-9 * max(1.0, abs(ratio)):
        raise ValueError(
            f"mackey_glass: {name}={value} must be a whole multiple of dt={step} "
            f"(got {name}/dt = {ratio})"
        )
    return int(nearest)
