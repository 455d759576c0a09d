"""A tapped delay line's memory is finite; a recurrent net's is not (seed 000).

Seed 000 ("Static MLP for handling dynamics", "Tapped delay line memory")
gives a static MLP a "short-term memory function" by showing it the last d
inputs at once: the focused TLFN (``nets.TLFN``). Its output at t is a
function of x(t), ..., x(t-d) and of nothing older, whatever the weights; the
recurrent net that follows in the lecture carries a state instead, and its
memory has no such edge.

The task makes the edge visible. The input is a random series of bits
x(t) in {-1, +1}; the target is the input ``lag`` steps ago, y(t) = x(t - lag).
For each lag, a TLFN with d delays and a tanh RNN of the same hidden size
are trained with Adam, then scored on fresh sequences by the normalised
error NMSE = mean (prediction - target)^2 / var(target): 0 is perfect recall,
1 is what predicting the mean gets. For lag <= d the bit is in the TLFN's
window and it recalls it exactly; for lag > d the bit is independent of
everything the TLFN sees, so no training can bring it below 1. The RNN
recalls every lag tried.

    python examples/tlfn_memory.py            # lags 0..14, d = 5: about a minute; docs/img/tlfn_memory.png
    python examples/tlfn_memory.py --quick    # a few lags, d = 3: seconds (tests/test_experiments.py)
    python examples/tlfn_memory.py --out DIR  # the figure goes into DIR
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _experiment import finish, progress, pyplot, run, save_figure, start

import minigrad as mg  # noqa: E402  (after _experiment, which makes a checkout importable)
import nets  # noqa: E402
from minigrad import nn, optim  # noqa: E402


@dataclass(frozen=True)
class Setup:
    """The sizes of one run."""

    delays: int          # d, the TLFN's window is x(t), ..., x(t - d)
    lags: tuple[int, ...]
    updates: int         # Adam updates per net and lag
    hidden: int = 16
    steps: int = 30      # T of every training sequence
    batch: int = 32
    test_batch: int = 256
    lr: float = 0.01


FULL = Setup(delays=5, lags=tuple(range(15)), updates=1000)
QUICK = Setup(delays=3, lags=(0, 2, 3, 4, 6), updates=250, steps=20)


def recall_batch(rng: np.random.Generator, steps: int, batch: int, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Random bits x (steps, batch, 1) in {-1, +1} and the target y(t) = x(t - lag) (0 for t < lag)."""
    x = rng.choice([-1.0, 1.0], size=(steps, batch, 1))
    y = np.zeros_like(x)
    y[lag:] = x[:steps - lag]
    return x, y


class RecurrentRecall(nn.Module):
    """A tanh RNN and a linear readout: (T, B, 1) -> (T, B, 1)."""

    def __init__(self, hidden: int, seed: int) -> None:
        self.rnn = nets.RNN(1, hidden, rng=seed)
        self.readout = nn.Linear(hidden, 1, rng=seed + 1)

    def forward(self, x: np.ndarray) -> mg.Tensor:
        states, _ = self.rnn(x)
        return self.readout(states)


def make_net(kind: str, setup: Setup, seed: int) -> nn.Module:
    """``"tlfn"``: a TLFN with ``setup.delays`` delays; ``"rnn"``: the RNN. Same hidden size."""
    if kind == "tlfn":
        return nets.TLFN(1, setup.hidden, 1, setup.delays, rng=seed)
    return RecurrentRecall(setup.hidden, seed)


def train_and_score(kind: str, lag: int, setup: Setup, seed: int) -> float:
    """Train one net to output x(t - lag); return its NMSE on fresh sequences."""
    rng = np.random.default_rng(seed)
    net = make_net(kind, setup, seed)
    opt = optim.Adam(net.parameters(), lr=setup.lr)
    for _ in range(setup.updates):
        x, y = recall_batch(rng, setup.steps, setup.batch, lag)
        error = (net(x) - mg.Tensor(y))[lag:]        # before step lag there is nothing to recall
        loss = (error * error).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    x, y = recall_batch(np.random.default_rng(seed + 1000), setup.steps, setup.test_batch, lag)
    with mg.no_grad():
        prediction = net(x).data[lag:]
    return float(np.mean((prediction - y[lag:]) ** 2) / np.var(y[lag:]))


def measure(setup: Setup, seed: int) -> dict[str, list[float]]:
    """{"tlfn": NMSE per lag, "rnn": NMSE per lag}."""
    errors: dict[str, list[float]] = {"tlfn": [], "rnn": []}
    runs = [(lag, kind) for lag in setup.lags for kind in errors]
    for lag, kind in progress(runs, "training a TLFN and an RNN per lag"):
        errors[kind].append(train_and_score(kind, lag, setup, seed))
    return errors


def table(setup: Setup, errors: dict[str, list[float]]) -> str:
    lines = [f"Recall x(t - lag) from random bits; TLFN with d = {setup.delays} delays vs tanh RNN, "
             f"hidden size {setup.hidden}, {setup.updates} Adam updates each.",
             "NMSE on 256 new sequences (0 = exact recall, 1 = no better than the mean):",
             "   lag     TLFN      RNN"]
    for lag, tlfn, rnn in zip(setup.lags, errors["tlfn"], errors["rnn"]):
        window = "  (in the window)" if lag <= setup.delays else ""
        lines.append(f"  {lag:4d}   {tlfn:.1e}   {rnn:.1e}{window}")
    return "\n".join(lines)


def plot(setup: Setup, errors: dict[str, list[float]], path: Path) -> Path:
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(8, 4.4))
    axis.axvspan(-0.5, setup.delays + 0.5, color="#c6dbef", alpha=0.5,
                 label=f"the TLFN's window: x(t), ..., x(t-{setup.delays})")
    axis.plot(setup.lags, errors["tlfn"], "o-", color="#e31a1c", linewidth=2, label=f"TLFN, d = {setup.delays}")
    axis.plot(setup.lags, errors["rnn"], "s-", color="#08306b", linewidth=2, label="tanh RNN")
    axis.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="predicting the mean (NMSE = 1)")
    axis.set_xlabel("lag: the target at t is the input x(t - lag)")
    axis.set_ylabel("normalised error on new sequences")
    axis.set_xticks(setup.lags)
    axis.set_ylim(-0.05, 1.25)
    axis.set_title(f"A delay line of {setup.delays} taps remembers exactly {setup.delays} steps; "
                   f"the RNN's state has no such edge\n(hidden size {setup.hidden}, "
                   f"{setup.updates} Adam updates per net and lag)", fontsize=10)
    axis.legend(loc="center right", fontsize=9)
    axis.grid(True, alpha=0.3)
    figure.tight_layout()
    save_figure(figure, path)
    plt.close(figure)
    return path


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    options, out = start(__doc__.split("\n")[0], argv)
    setup = QUICK if options.quick else FULL
    errors = measure(setup, options.seed)
    path = plot(setup, errors, out / "tlfn_memory.png")
    inside = [e for lag, e in zip(setup.lags, errors["tlfn"]) if lag <= setup.delays]
    outside = [e for lag, e in zip(setup.lags, errors["tlfn"]) if lag > setup.delays]
    output = (f"{table(setup, errors)}\n"
              f"TLFN (d = {setup.delays}): NMSE at most {max(inside):.1e} within its window and at least "
              f"{min(outside):.3f} beyond it; RNN: at most {max(errors['rnn']):.1e} at every lag up to "
              f"{max(setup.lags)}.")
    finish("tlfn_memory", output, path, options, out)
    return errors


if __name__ == "__main__":
    run(main, "tlfn_memory.py")
