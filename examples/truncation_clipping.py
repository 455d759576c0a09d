"""Truncated BPTT on a long sequence, and gradient clipping preventing an explosion.

Two remedies of the lectures for long sequences, each run on streams far
too long to backpropagate through whole, with ``nets.truncated_bptt``:

1. Truncation (seed 000, "Backpropagation through time – online with
   truncation": "the number of recursive steps for weight updates has to be
   finite", "beyond the truncation there is no memory effect"; seed 001,
   "truncated BPTT with look-back limited to τ steps back"). BPTT(k1, k2)
   updates every k1 steps and backpropagates through the last k2, so a loss
   term reaches back between k2 - k1 and k2 - 1 steps. A tanh RNN must
   output, at every step, the bit it read ``LAG`` = 8 steps ago. With k1 = 4
   and k2 = 4 or 8 no gradient ever spans 8 steps, and the net never learns
   the task although its forward state could carry the bit; with k2 = 16 it
   learns it.

2. Clipping (seed 001: "Back-propagating through time causes vanishing or
   exploding gradients. Solution: Clip the gradient (to prevent
   explosion)"). A ReLU RNN started at W_hh = I (the IRNN of Le, Jaitly &
   Hinton 2015) trained by plain SGD: the first gradient is large, one step
   pushes W_hh's spectral radius above 1, the states and the next gradients
   grow geometrically and the loss overflows to NaN within a few updates.
   The same run with the global gradient norm clipped to 1
   (``minigrad.optim.clip_grad_norm_``) trains.

    python examples/truncation_clipping.py            # ~15 s; docs/img/truncation_clipping.png
    python examples/truncation_clipping.py --quick    # a few seconds (tests/test_experiments.py)
    python examples/truncation_clipping.py --out DIR  # the figure goes into DIR
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from _experiment import finish, progress, pyplot, run, save_figure, start

import minigrad as mg  # noqa: E402  (after _experiment, which makes a checkout importable)
import nets  # noqa: E402
from minigrad import nn, optim  # noqa: E402

LAG = 8                      # part 1: the target at t is x(t - 8)
CLIP_LAG = 3                 # part 2: the target at t is x(t - 3)
K1 = 4
LOOK_BACKS = (4, 8, 16)      # part 1: k2
CLIP_WINDOW = 20             # part 2: BPTT(20, 20)
MAX_NORM = 1.0
CHART_TOP = 1e30             # part 2's panels: larger values are drawn at this height
HIDDEN, STREAMS = 16, 16


@dataclass
class Run:
    """One training run over a long stream: a loss and a gradient norm per window."""

    label: str
    losses: list[float] = field(default_factory=list)
    norms: list[float] = field(default_factory=list)   # global gradient norm before any clipping
    nmse: float = float("nan")                         # on fresh streams, after training

    @property
    def blew_up(self) -> bool:
        return not np.all(np.isfinite(self.losses))


def bit_streams(rng: np.random.Generator, steps: int, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """STREAMS random bit streams x (steps, STREAMS, 1) in {-1, +1}, and y(t) = x(t - lag).

    Both are cut from one longer stream, so y(t) for t < lag is a bit from
    before x starts: the same task at every step, nothing special at the start.
    """
    bits = rng.choice([-1.0, 1.0], size=(steps + lag, STREAMS, 1))
    return bits[lag:], bits[:steps]


def squared_error(readout: nn.Linear):
    """The loss of one window: mean (readout(h(t)) - y(t))^2 over its loss steps and the streams."""
    def loss(states: mg.Tensor, target: np.ndarray) -> mg.Tensor:
        error = readout(states) - mg.Tensor(target)
        return (error * error).mean()
    return loss


def recall_error(net: nets.RNN, readout: nn.Linear, lag: int, seed: int) -> float:
    """NMSE of the recall on 64 fresh sequences of 200 steps, run forward whole (no truncation)."""
    rng = np.random.default_rng(seed + 1000)
    x = rng.choice([-1.0, 1.0], size=(200, 64, 1))
    with mg.no_grad(), np.errstate(over="ignore", invalid="ignore"):
        prediction = readout(net(x)[0]).data[lag:]
    return float(np.mean((prediction - x[:200 - lag]) ** 2) / np.var(x))


def global_norm(params: list[mg.Tensor]) -> float:
    return float(np.sqrt(sum(np.sum(p.grad ** 2) for p in params if p.grad is not None)))


def train_truncated(k2: int, steps: int, seed: int) -> Run:
    """Part 1: a tanh RNN trained by BPTT(K1, k2) with Adam on one long batch of streams."""
    net, readout = nets.RNN(1, HIDDEN, rng=seed), nn.Linear(HIDDEN, 1, rng=seed + 1)
    params = list(net.parameters()) + list(readout.parameters())
    opt = optim.Adam(params, lr=0.01)
    x, y = bit_streams(np.random.default_rng(seed), steps, LAG)
    run = Run(f"BPTT(k1={K1}, k2={k2}): look-back {k2 - K1}..{k2 - 1} steps")
    windows = nets.truncated_bptt(net, x, y, squared_error(readout), k1=K1, k2=k2)
    for window in progress(windows, f"BPTT({K1}, {k2})", total=-(-steps // K1)):
        run.losses.append(window.loss.item())
        run.norms.append(global_norm(params))
        opt.step()
        opt.zero_grad()
    run.nmse = recall_error(net, readout, LAG, seed)
    return run


def train_clipped_or_not(clip: bool, steps: int, seed: int) -> Run:
    """Part 2: an IRNN (ReLU, W_hh = I) trained by BPTT(20, 20) with SGD, lr 0.1, with or without clipping."""
    net, readout = nets.RNN(1, HIDDEN, nonlinearity="relu", rng=seed), nn.Linear(HIDDEN, 1, rng=seed + 1)
    net.weight_hh_l0.data[...] = np.eye(HIDDEN)
    params = list(net.parameters()) + list(readout.parameters())
    opt = optim.SGD(params, lr=0.1)
    x, y = bit_streams(np.random.default_rng(seed), steps, CLIP_LAG)
    run = Run(f"clipped to global norm {MAX_NORM:g}" if clip else "not clipped")
    windows = nets.truncated_bptt(net, x, y, squared_error(readout), k1=CLIP_WINDOW)
    with np.errstate(over="ignore", invalid="ignore"):        # the unclipped run overflows: that is the point
        for window in progress(windows, run.label, total=-(-steps // CLIP_WINDOW)):
            run.losses.append(window.loss.item())
            run.norms.append(optim.clip_grad_norm_(params, MAX_NORM) if clip else global_norm(params))
            if not np.isfinite(run.losses[-1]):
                break                                          # NaN from here on: nothing left to learn
            opt.step()
            opt.zero_grad()
    run.nmse = recall_error(net, readout, CLIP_LAG, seed)
    return run


def running_mean(values: list[float], width: int) -> np.ndarray:
    values = np.asarray(values)
    return np.array([values[max(0, i - width + 1):i + 1].mean() for i in range(len(values))])


def plot(truncated: list[Run], clipping: list[Run], path: Path) -> Path:
    plt = pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    colors = ["#fd8d3c", "#e31a1c", "#08306b"]
    for run, color in zip(truncated, colors):
        axes[0].plot(running_mean(run.losses, 50), color=color, linewidth=1.8,
                     label=f"{run.label}; NMSE {run.nmse:.2g}")
    axes[0].axhline(1.0, color="grey", linestyle="--", linewidth=1, label="predicting the mean")
    axes[0].set_xlabel(f"update (one every k1 = {K1} steps of the stream)")
    axes[0].set_ylabel("window loss, running mean of 50")
    axes[0].set_title(f"Truncation: a tanh RNN must output x(t - {LAG})\nno memory effect beyond the look-back",
                      fontsize=10)
    axes[0].legend(fontsize=8)

    # Values past the top of the chart (up to 1e300 before the NaN) are drawn on its edge: matplotlib's
    # log axes cannot tick such a range.
    for run, color, marker in zip(clipping, ("#e31a1c", "#08306b"), ("x", None)):
        updates = np.arange(1, len(run.losses) + 1)
        label = run.label + (f": NaN at update {len(run.losses)}" if run.blew_up else f"; NMSE {run.nmse:.2g}")
        for axis, values in ((axes[1], run.losses), (axes[2], run.norms)):
            values = np.asarray(values)
            shown = np.isfinite(values)
            axis.semilogy(updates[shown], np.minimum(values[shown], CHART_TOP), color=color, marker=marker,
                          linewidth=1.2, label=label)
    axes[1].set_ylim(top=CHART_TOP * 10)
    axes[2].set_ylim(top=CHART_TOP * 10)
    axes[1].set_xscale("log")
    axes[1].set_xlabel(f"SGD update (one per BPTT({CLIP_WINDOW}, {CLIP_WINDOW}) window)")
    axes[1].set_ylabel(f"window loss (log scale; above {CHART_TOP:.0e} drawn at {CHART_TOP:.0e})")
    axes[1].set_title(f"Clipping: a ReLU RNN from W_hh = I, SGD lr 0.1, output x(t - {CLIP_LAG})", fontsize=10)
    axes[1].legend(fontsize=8)
    axes[2].axhline(MAX_NORM, color="grey", linestyle="--", linewidth=1, label=f"clipping threshold {MAX_NORM:g}")
    axes[2].set_xscale("log")
    axes[2].set_xlabel("SGD update")
    axes[2].set_ylabel("global gradient norm before clipping (log scale)")
    axes[2].set_title("The gradient norms of the two runs", fontsize=10)
    axes[2].legend(fontsize=8)
    for axis in axes:
        axis.grid(True, alpha=0.3)
    figure.tight_layout()
    save_figure(figure, path)
    plt.close(figure)
    return path


def report(truncated: list[Run], clipping: list[Run]) -> str:
    lines = [f"1. Truncated BPTT, tanh RNN of {HIDDEN} units, Adam, target x(t - {LAG}); "
             f"NMSE on fresh sequences (1 = no better than the mean):"]
    lines += [f"   {run.label:42s} {len(run.losses):5d} updates   NMSE {run.nmse:.4f}" for run in truncated]
    lines.append(f"2. Clipping, ReLU RNN from W_hh = I, SGD lr 0.1, BPTT({CLIP_WINDOW}, {CLIP_WINDOW}), "
                 f"target x(t - {CLIP_LAG}):")
    for run in clipping:
        finite_norms = [n for n in run.norms if np.isfinite(n)]
        outcome = (f"loss {run.losses[0]:.3g} -> NaN at update {len(run.losses)}" if run.blew_up
                   else f"loss {run.losses[0]:.3g} -> {np.mean(run.losses[-50:]):.2e}, NMSE {run.nmse:.4f}")
        lines.append(f"   {run.label:30s} {outcome}; largest finite gradient norm {max(finite_norms):.3g}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> tuple[list[Run], list[Run]]:
    options, out = start(__doc__.split("\n")[0], argv)
    truncation_steps, clipping_steps = (3000, 10000) if options.quick else (6000, 40000)
    truncated = [train_truncated(k2, truncation_steps, options.seed) for k2 in LOOK_BACKS]
    clipping = [train_clipped_or_not(clip, clipping_steps, options.seed) for clip in (False, True)]
    path = plot(truncated, clipping, out / "truncation_clipping.png")
    unclipped, clipped = clipping
    longest = truncated[-1]
    output = (f"{report(truncated, clipping)}\n"
              f"A look-back of {LOOK_BACKS[-1] - K1}..{LOOK_BACKS[-1] - 1} steps learns the lag-{LAG} recall "
              f"(NMSE {longest.nmse:.2g}), shorter ones do not (NMSE >= {min(r.nmse for r in truncated[:-1]):.2f}); "
              + (f"unclipped SGD turned NaN at update {len(unclipped.losses)}" if unclipped.blew_up
                 else "unclipped SGD did not blow up")
              + f", clipped SGD trained to NMSE {clipped.nmse:.2g}.")
    finish("truncation_clipping", output, path, options, out)
    return truncated, clipping


if __name__ == "__main__":
    run(main, "truncation_clipping.py")
