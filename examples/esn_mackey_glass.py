"""Echo state networks on Mackey-Glass: one-step-ahead and closed-loop prediction.

Run from the repository root:

    python examples/esn_mackey_glass.py            # ~5 s; writes docs/img/esn_mackey_glass.png
    python examples/esn_mackey_glass.py --search   # ~1 min; the grid search behind task 2

The recipe is seed 000's ("Reservoir computing - overall recipe", in
/work/shared/seeds/000_77918607210de3c5.txt): generate a random reservoir,
drive it with the series and collect its states, solve the linear readout in
one shot by ridge regression, then predict. Two tasks on the chaotic
Mackey-Glass series with delay tau = 17 (`nets.datasets.mackey_glass`):

1. One-step-ahead prediction: the input is s(n), the target s(n+1). First
   with reservoirpy's documented set-up (100 units, leak 0.3, spectral
   radius 1.25), then with the 1,000-unit reservoir of task 2.
2. Closed-loop generation (the seed's "autonomous pattern generation"): after
   a warm-up on the true series the ESN's output is fed back as its next
   input. The ESN literature scores it by NRMSE_84 (Jaeger 2001; Jaeger &
   Haas 2004): the error 84 steps after the warm-up, over many independent
   starting points, divided by the signal's standard deviation.

The hyperparameters of task 2 were picked by a small grid search
(`--search`, about a minute) scored on closed-loop runs starting between
steps 20,500 and 25,700 of this same series, after the training stretch;
every figure printed here is measured on steps 26,000 onwards, which the
search never saw.
"""
from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files; no display needed
import matplotlib.pyplot as plt
import numpy as np

from nets.datasets import mackey_glass
from nets.esn import ESN, nrmse

DEFAULT_PLOT = Path(__file__).resolve().parent.parent / "docs" / "img" / "esn_mackey_glass.png"
HORIZON = 84  # NRMSE_84: the literature's standard horizon for MG17
TRAIN = 20_000  # training steps of task 2 (--train)
TEST_START = 26_000  # first step of the held-out stretch
WARMUP = 300  # true steps that synchronise the reservoir before each generation


def one_step(esn: ESN, series: np.ndarray, train: int, test: int) -> tuple[float, np.ndarray]:
    """Fit on s(0..train-1) -> s(1..train), predict the held-out stretch.

    Returns:
        (NRMSE, prediction of shape (test, 1)) on targets s(TEST_START + 1 ...).
    """
    esn.fit(series[: train - 1], series[1:train], washout=100)
    # Warm the reservoir up on the true series just before the test stretch.
    esn.predict(series[TEST_START - WARMUP : TEST_START], reset=True)
    prediction = esn.predict(series[TEST_START : TEST_START + test])
    return nrmse(prediction, series[TEST_START + 1 : TEST_START + test + 1]), prediction


def nrmse_at_horizon(esn: ESN, series: np.ndarray, starts: np.ndarray) -> float:
    """Jaeger's NRMSE_84: error HORIZON steps into each closed-loop run.

    For each start t: warm up on s(t - WARMUP .. t - 1), generate s(t) ...
    s(t + HORIZON - 1), keep the last one. Normalised by the standard
    deviation of the whole series, as Jaeger does.
    """
    errors = []
    for start in starts:
        generated = esn.generate(HORIZON, warmup=series[start - WARMUP : start])
        errors.append(generated[-1] - series[start + HORIZON - 1])
    errors = np.array(errors)
    return nrmse(errors, np.zeros_like(errors), target_std=float(series.std()))


def search(series: np.ndarray, units: int, seed: int, train: int) -> None:
    """Score a small grid of set-ups by NRMSE_84 on runs that end before TEST_START."""
    starts = train + 500 + np.arange(40) * 130
    assert starts[-1] + HORIZON < TEST_START  # the held-out stretch stays unseen
    print(f"selection runs start at steps {starts[0]:,} to {starts[-1]:,}")
    scores, singular = [], []
    for radius, leak, ridge, bias in itertools.product(
        [1.25, 1.5], [0.6, 0.8, 1.0], [1e-10, 1e-9, 1e-8, 1e-7], [0.5, 1.0]
    ):
        esn = ESN(1, units, 1, spectral_radius=radius, leak_rate=leak, bias_scaling=bias,
                  connectivity=10 / units, ridge=ridge, seed=seed)
        try:
            esn.fit(series[: train - 1], series[1:train], washout=100)
        except ValueError:  # the normal equations are singular in floating point
            singular.append(ridge)
            continue
        scores.append((nrmse_at_horizon(esn, series, starts), radius, leak, ridge, bias))
    print(f"{len(singular)} set-ups refused by fit() as singular, with ridge "
          f"{sorted(set(singular))}")
    print("NRMSE_84 on the selection runs, best first:")
    for score, radius, leak, ridge, bias in sorted(scores)[:8]:
        print(f"  {score:.2e}  spectral_radius={radius} leak_rate={leak} ridge={ridge:g} "
              f"bias_scaling={bias}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000, help="reservoir size of task 2")
    parser.add_argument("--trials", type=int, default=100, help="starting points for NRMSE_84")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=DEFAULT_PLOT)
    parser.add_argument("--train", type=int, default=TRAIN, help="training steps of task 2")
    parser.add_argument("--search", action="store_true",
                        help="rerun the grid search that picked task 2's hyperparameters")
    args = parser.parse_args()

    series = mackey_glass(TEST_START + 14_000)
    print(f"Mackey-Glass tau=17: {series.shape[0]:,} samples, std {series.std():.4f}")
    if args.search:
        search(series, args.units, args.seed, args.train)
        return

    # --- 1. one-step-ahead, reservoirpy's documented set-up ------------------
    small = ESN(1, 100, 1, spectral_radius=1.25, leak_rate=0.3, connectivity=0.1,
                ridge=1e-7, seed=args.seed)
    small_error, small_prediction = one_step(small, series, train=2000, test=2000)
    print(f"one-step, 100 units (leak 0.3, rho 1.25, ridge 1e-7), 2,000 training steps: "
          f"NRMSE {small_error:.2e}")
    defaults_error, _ = one_step(ESN(1, 100, 1, seed=args.seed), series, train=2000, test=2000)
    print(f"one-step, 100 units with ESN's defaults, 2,000 training steps: "
          f"NRMSE {defaults_error:.2e}")

    # --- 2. the larger reservoir: one-step and closed loop -------------------
    settings = dict(spectral_radius=1.5, leak_rate=0.6, bias_scaling=1.0, input_scaling=1.0,
                    connectivity=10 / args.units, ridge=1e-9, seed=args.seed)
    large = ESN(1, args.units, 1, **settings)
    started = time.perf_counter()
    large_error, _ = one_step(large, series, train=args.train, test=2000)
    print(f"one-step, {args.units} units ({settings}), {args.train:,} training steps: "
          f"NRMSE {large_error:.2e} (fit + test {time.perf_counter() - started:.1f} s)")

    starts = TEST_START + WARMUP + np.arange(args.trials) * 130
    started = time.perf_counter()
    error_84 = nrmse_at_horizon(large, series, starts)
    print(f"closed loop, {args.trials} runs: NRMSE_{HORIZON} = {error_84:.2e} "
          f"(log10 = {np.log10(error_84):.2f}; {time.perf_counter() - started:.1f} s)")

    # One long free run for the plot.
    free_start = TEST_START + WARMUP
    free_run = large.generate(600, warmup=series[free_start - WARMUP : free_start])
    truth = series[free_start : free_start + 600]
    error_at = np.abs(free_run[:, 0] - truth[:, 0])
    print(f"closed loop, one 600-step run: |error| at 84 steps {error_at[83]:.1e}, "
          f"at 300 steps {error_at[299]:.1e}")

    plot(args.plot, series, small_prediction, free_run, truth, small_error, error_84, args.units)
    print(f"plot written to {args.plot}")


def plot(path: Path, series, small_prediction, free_run, truth, small_error, error_84, units):
    """Three panels: one-step prediction, closed-loop run, closed-loop error."""
    figure, axes = plt.subplots(3, 1, figsize=(10, 9), constrained_layout=True)
    shown = 400
    steps = np.arange(TEST_START + 1, TEST_START + 1 + shown)
    axes[0].plot(steps, series[TEST_START + 1 : TEST_START + 1 + shown, 0], color="black",
                 linewidth=2.5, label="truth s(n+1)")
    axes[0].plot(steps, small_prediction[:shown, 0], color="tab:orange", linestyle="--",
                 label=f"ESN, 100 units (NRMSE {small_error:.1e})")
    axes[0].set_title("One-step-ahead prediction, driven by the true series")
    axes[0].set_xlabel("time step n")
    axes[0].set_ylim(0.35, 1.6)  # headroom so the legend covers no data
    axes[0].legend(loc="upper center", ncol=2)

    ahead = np.arange(1, free_run.shape[0] + 1)
    axes[1].plot(ahead, truth[:, 0], color="black", linewidth=2.5, label="truth")
    axes[1].plot(ahead, free_run[:, 0], color="tab:blue", linestyle="--",
                 label=f"ESN, {units} units, output fed back as input")
    axes[1].axvline(HORIZON, color="gray", linestyle=":", label=f"{HORIZON} steps")
    axes[1].set_title("Closed-loop generation after a 300-step warm-up")
    axes[1].set_xlabel("steps after the warm-up")
    axes[1].set_ylim(0.35, 1.6)
    axes[1].legend(loc="upper center", ncol=3)

    axes[2].semilogy(ahead, np.abs(free_run[:, 0] - truth[:, 0]) + 1e-12, color="tab:blue")
    axes[2].axvline(HORIZON, color="gray", linestyle=":")
    axes[2].axhline(error_84 * series.std(), color="tab:red", linestyle="--",
                    label=f"RMS error at {HORIZON} steps over all runs "
                          f"(NRMSE_{HORIZON} {error_84:.1e})")
    axes[2].set_title("Closed-loop absolute error (log scale): chaos amplifies it step by step")
    axes[2].set_xlabel("steps after the warm-up")
    axes[2].set_ylabel("|prediction - truth|")
    axes[2].legend(loc="lower right")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
