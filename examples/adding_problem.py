"""The adding problem: an LSTM remembers two numbers across 100 steps, a tanh RNN does not.

Hochreiter & Schmidhuber (1997, experiment 4) made this task to show what the
LSTM's memory cell buys; Le, Jaitly & Hinton (2015, "A simple way to
initialize recurrent networks of rectified linear units") fixed the form most
papers use since. Each sequence has T steps with two inputs per step:

    x(t) = [v(t), m(t)],   v(t) ~ U[0, 1],   m(t) = 1 at two steps, 0 elsewhere,

one marked step in the first half of the sequence and one in the second half.
The target, read from the net's last state only, is the sum of the two marked
values. Predicting the constant 1 (the mean of the sum of two U[0, 1]) scores
the variance of that sum, 2/12 = 1/6 ≈ 0.167: a net that has learnt nothing
about the markers sits at this baseline.

What it shows (seed 000, "Long-term dependencies problem" and "LSTM memory cell
summary"; seed 003, "Exploding/Vanishing Gradients"): the first marked value
must reach the output across up to T - 1 steps. A tanh RNN's gradient along
that path is a product of ~T Jacobians diag(1 - h^2) W and vanishes, so the RNN
learns only the mean; the LSTM's cell c(t) = f(t) ⊙ c(t-1) + i(t) ⊙ C~(t)
carries the value (and its gradient) additively, and the LSTM goes far below
the baseline. Both nets have the same hidden size, readout, optimizer, data
and seed. The full size trains each net from three seeds (--seed, --seed + 1,
--seed + 2), so that the result is not one lucky start.

Run from the repository root:

    python examples/adding_problem.py          # T = 100: docs/img/adding_problem.png, docs/experiments.md
    python examples/adding_problem.py --quick  # seconds (tests/test_experiments_learning.py)
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))          # the shared _experiment module
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing

import _experiment                             # noqa: E402
from _experiment import LearningCurve          # noqa: E402
import minigrad as mg                          # noqa: E402
import nets                                    # noqa: E402
from minigrad.nn import Linear                 # noqa: E402
from minigrad.nn.functional import mse_loss    # noqa: E402
from minigrad.optim import Adam, clip_grad_norm_  # noqa: E402

BASELINE = 1 / 6          # the variance of the sum of two U[0, 1]: the MSE of always answering 1
FIGURE = "adding_problem.png"
LABELS = {"LSTM": "LSTM", "RNN": "tanh RNN"}
FORGET_BIAS = 1.0         # added to the LSTM forget gate's bias at the start (see Regressor)


@dataclass(frozen=True)
class Setting:
    """One size of the experiment: sequence length, net and training."""

    T: int                # sequence length
    hidden: int           # hidden size of both nets
    batch: int            # sequences per training step
    steps: int            # training steps
    lr: float             # Adam's learning rate
    eval_every: int       # steps between two measurements of the test MSE
    seeds: int = 1        # runs with seeds --seed, --seed + 1, ...: the full size shows it is not one lucky seed
    test_size: int = 500  # held-out sequences the curves are measured on


# lr 1e-2 and 3000 steps left seed 1's LSTM on the plateau (it left it after 4300 steps of a
# 6000-step run); with lr 2e-2 it left it after 1200 steps.
FULL = Setting(T=100, hidden=16, batch=32, steps=2500, lr=2e-2, eval_every=50, seeds=3)
# T = 20: short enough for the LSTM to leave the plateau within 550 steps for seeds 0-4, long
# enough that the tanh RNN stays near the baseline for all of them.
QUICK = Setting(T=20, hidden=16, batch=16, steps=800, lr=2e-2, eval_every=50, test_size=200)


def adding_batch(T: int, batch: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` adding-problem sequences. Returns x (T, batch, 2) and the targets (batch, 1).

    Channel 0 holds the values v(t) ~ U[0, 1], channel 1 the markers: one in
    steps [0, T/2), one in [T/2, T) (Le et al. 2015).
    """
    values = rng.uniform(0.0, 1.0, size=(T, batch))
    first = rng.integers(0, T // 2, size=batch)
    second = rng.integers(T // 2, T, size=batch)
    markers = np.zeros((T, batch))
    columns = np.arange(batch)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    targets = values[first, columns] + values[second, columns]
    return np.stack([values, markers], axis=-1), targets[:, None]


class Regressor(mg.nn.Module):
    """A recurrent net read out by a linear layer at its last step: (T, B, 2) -> (B, 1)."""

    def __init__(self, kind: str, hidden: int, rng: np.random.Generator) -> None:
        if kind == "LSTM":
            self.net = nets.LSTM(2, hidden, rng=rng)
            # Forget gate biased open at the start (Gers et al. 2000; Jozefowicz et al. 2015):
            # f(t) ≈ σ(1) ≈ 0.73 instead of σ(0) = 0.5, so the cell keeps what it wrote
            # for longer before training has taught it to.
            self.net.bias_hh_l0.data[hidden:2 * hidden] += FORGET_BIAS
        else:
            self.net = nets.RNN(2, hidden, nonlinearity="tanh", rng=rng)
        self.readout = Linear(hidden, 1, rng=rng)

    def forward(self, x: np.ndarray) -> mg.Tensor:
        output, _ = self.net(x)
        return self.readout(output[-1])


def train(kind: str, setting: Setting, seed: int) -> LearningCurve:
    """Train an ``"LSTM"`` or a tanh ``"RNN"``; measure its test MSE every ``eval_every`` steps.

    Both kinds draw the same weights' random stream, the same training
    batches and the same test set from ``seed``.
    """
    model = Regressor(kind, setting.hidden, np.random.default_rng(seed))
    parameters = list(model.parameters())
    optimizer = Adam(parameters, lr=setting.lr)
    data = np.random.default_rng(seed + 1)
    x_test, y_test = adding_batch(setting.T, setting.test_size, np.random.default_rng(seed + 2))
    curve = LearningCurve(kind)

    def measure(step: int) -> None:
        with mg.no_grad():
            curve.add(step, float(mse_loss(model(x_test), y_test).data))

    measure(0)
    for step in _experiment.progress(range(1, setting.steps + 1), f"{kind} T={setting.T} seed {seed}"):
        x, y = adding_batch(setting.T, setting.batch, data)
        loss = mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(parameters, 1.0)      # a rare large step would undo what the net has learnt
        optimizer.step()
        if step % setting.eval_every == 0:
            measure(step)
    return curve


def plot(curves: dict[str, list[LearningCurve]], setting: Setting, path: Path) -> Path:
    """Every seed's learning curves against the baseline 1/6, on a log scale."""
    with _experiment.plot_to(path) as axes:
        for (kind, runs), colour in zip(curves.items(), ("tab:blue", "tab:orange")):
            for k, (seed, curve) in enumerate(runs.items()):
                axes.plot(curve.steps, curve.values, color=colour, alpha=1.0 - 0.25 * k,
                          label=f"{LABELS[kind]} (H = {setting.hidden}), seed {seed}")
        axes.axhline(BASELINE, color="grey", linestyle="--", label="baseline: always answer 1 (MSE 1/6)")
        axes.set_yscale("log")
        axes.set_xlabel("training step (batch of %d sequences)" % setting.batch)
        axes.set_ylabel(f"test MSE ({setting.test_size} sequences)")
        axes.set_title(f"The adding problem, T = {setting.T}")
        axes.legend(fontsize=8, loc="lower left")
    return path


def main(argv: list[str] | None = None) -> dict[str, dict[int, LearningCurve]]:
    options, out = _experiment.start(__doc__.splitlines()[0], argv)
    setting = QUICK if options.quick else FULL
    seeds = range(options.seed, options.seed + setting.seeds)
    curves = {kind: {seed: train(kind, setting, seed) for seed in seeds} for kind in ("LSTM", "RNN")}
    path = plot(curves, setting, out / FIGURE)
    lstm, rnn = curves["LSTM"], curves["RNN"]
    output = "\n".join(
        [f"adding problem, T = {setting.T}, H = {setting.hidden}, batch {setting.batch}, {setting.steps} Adam steps, "
         f"lr {setting.lr:g}; test MSE (mean of the last 3 measurements; baseline 1/6 = {BASELINE:.4f}):",
         *(f"  seed {seed}: LSTM {lstm[seed].final:.4f} (first below 0.01 after "
           f"{first_below(lstm[seed], 0.01)} steps), tanh RNN {rnn[seed].final:.4f}" for seed in seeds),
         f"LSTM below 0.01 for {sum(lstm[seed].final < 0.01 for seed in seeds)} of {len(seeds)} seeds; "
         f"tanh RNN at least {min(rnn[seed].final for seed in seeds):.4f}"])
    _experiment.finish("adding_problem", output, path, options, out)
    return curves


def first_below(curve: LearningCurve, level: float) -> str:
    """The first measured step at which ``curve`` is below ``level``, or "never"."""
    return next((str(step) for step, value in zip(curve.steps, curve.values) if value < level), "never")


if __name__ == "__main__":
    _experiment.run(main, "adding_problem.py")
