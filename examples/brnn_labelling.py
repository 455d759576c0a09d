"""Bidirectional labelling: a BRNN labels each step by inputs that come after it; an RNN cannot.

Seed 004 (``004_7345ef0444cabb36.txt``, "Bidirectional RNN (BRNN)"): "in
problems where the entire input sequence is available before we compute the
output, RNNs can be bidirectional". A forward net reads x(0), ..., x(T-1), a
backward net reads the same sequence end to beginning, and the output at t
reads both states, h(t) = [h_f(t); h_b(t)] ("Bidirectional RNN block").

The labelling task gives every step a label that only the future decides.
The inputs are random bits x(t) in {-1, +1}; the label at t is the majority
of the next WINDOW = 3 inputs:

    y(t) = 1 if x(t+1) + x(t+2) + x(t+3) > 0, else 0,    for t = 0, ..., T-4

(the last three steps have no full window and are not scored). Those three
bits are drawn independently of x(0), ..., x(t), so a unidirectional RNN,
whose output at t is a function of x(0), ..., x(t) only, can do no better
than guessing: 50% accuracy, whatever its size or training. The BRNN's
backward state h_b(t) has read x(T-1), ..., x(t), the window included.

Both nets have the same hidden size, H = 16 per direction, so the BRNN has
twice the recurrent weights and a readout twice as wide (the parameter
counts are printed); both are tanh nets with a linear readout to two classes,
trained by Adam on the cross-entropy of every scored step, from the same seed,
on the same batches, and scored on the same held-out sequences.

Run from the repository root:

    python examples/brnn_labelling.py          # docs/img/brnn_labelling.png and its numbers in docs/experiments.md
    python examples/brnn_labelling.py --quick  # seconds (tests/test_experiments_learning.py)
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))   # the shared _experiment module

import _experiment                                # noqa: E402  (it makes a checkout importable)
import minigrad as mg                             # noqa: E402
import nets                                       # noqa: E402
from minigrad.nn import Linear                    # noqa: E402
from minigrad.nn.functional import cross_entropy  # noqa: E402
from minigrad.optim import Adam                   # noqa: E402

WINDOW = 3                      # the label at t is the majority of x(t+1), ..., x(t+WINDOW)
FIGURE = "brnn_labelling.png"
LABELS = {"BRNN": "BRNN (forward + backward)", "RNN": "unidirectional RNN"}


@dataclass(frozen=True)
class Setting:
    """One size of the experiment."""

    T: int                  # sequence length
    hidden: int             # hidden size (per direction)
    batch: int              # sequences per training step
    steps: int              # Adam steps
    lr: float               # Adam's learning rate
    eval_every: int         # steps between two measurements of the test accuracy
    test_size: int = 500    # held-out sequences


FULL = Setting(T=40, hidden=16, batch=32, steps=600, lr=1e-2, eval_every=20)
QUICK = Setting(T=20, hidden=16, batch=32, steps=300, lr=2e-2, eval_every=25, test_size=200)


@dataclass
class Curve(_experiment.LearningCurve):
    """The test accuracy after ``steps[k]`` training steps, and the net's number of parameters."""

    parameters: int = 0


def labelling_batch(T: int, batch: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` sequences: x (T, batch, 1) of random bits in {-1, +1} and labels (T - WINDOW, batch) in {0, 1}.

    labels[t] = 1 when the majority of x(t+1), ..., x(t+WINDOW) is +1.
    """
    x = rng.choice([-1.0, 1.0], size=(T, batch, 1))
    future = sum(x[1 + k:T - WINDOW + 1 + k, :, 0] for k in range(WINDOW))
    return x, (future > 0).astype(np.intp)


class Labeller(mg.nn.Module):
    """A tanh RNN or BRNN and a linear readout at every step: (T, B, 1) -> logits (T - WINDOW, B, 2)."""

    def __init__(self, kind: str, hidden: int, rng: np.random.Generator) -> None:
        network = nets.BRNN if kind == "BRNN" else nets.RNN
        self.net = network(1, hidden, rng=rng)
        self.readout = Linear(self.net.num_directions * hidden, 2, rng=rng)

    def forward(self, x: np.ndarray) -> mg.Tensor:
        states, _ = self.net(x)                      # (T, B, directions * H)
        return self.readout(states[:x.shape[0] - WINDOW])


def accuracy(model: Labeller, x: np.ndarray, labels: np.ndarray) -> float:
    with mg.no_grad():
        return float(np.mean(model(x).data.argmax(axis=-1) == labels))


def train(kind: str, setting: Setting, seed: int) -> Curve:
    """Train a ``"BRNN"`` or an ``"RNN"``; measure its test accuracy every ``eval_every`` steps.

    Both kinds get the same weight stream, training batches and test set from ``seed``.
    """
    model = Labeller(kind, setting.hidden, np.random.default_rng(seed))
    parameters = list(model.parameters())
    optimizer = Adam(parameters, lr=setting.lr)
    data = np.random.default_rng(seed + 1)
    x_test, labels_test = labelling_batch(setting.T, setting.test_size, np.random.default_rng(seed + 2))
    curve = Curve(kind, parameters=sum(p.data.size for p in parameters))
    curve.add(0, accuracy(model, x_test, labels_test))
    for step in _experiment.progress(range(1, setting.steps + 1), f"{kind} H={setting.hidden}"):
        x, labels = labelling_batch(setting.T, setting.batch, data)
        logits = model(x)
        loss = cross_entropy(logits.reshape(-1, 2), labels.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % setting.eval_every == 0:
            curve.add(step, accuracy(model, x_test, labels_test))
    return curve


def plot(curves: list[Curve], setting: Setting, path: Path) -> Path:
    """Test accuracy against training steps for both nets, with chance (50%) for scale."""
    with _experiment.plot_to(path) as axes:
        for curve, colour in zip(curves, ("tab:blue", "tab:orange")):
            axes.plot(curve.steps, curve.values, color=colour,
                      label=f"{LABELS[curve.name]}, H = {setting.hidden} ({curve.parameters} parameters)")
        axes.axhline(0.5, color="grey", linestyle="--", label="chance: 50%")
        axes.set_ylim(0.4, 1.02)
        axes.set_xlabel(f"training step (batch of {setting.batch} sequences)")
        axes.set_ylabel(f"test accuracy per step ({setting.test_size} sequences)")
        axes.set_title(f"Label at t = majority of x(t+1), ..., x(t+{WINDOW}); T = {setting.T}")
        axes.legend(loc="center right")
    return path


def main(argv: list[str] | None = None) -> dict[str, Curve]:
    options, out = _experiment.start(__doc__.splitlines()[0], argv)
    setting = QUICK if options.quick else FULL
    curves = [train(kind, setting, options.seed) for kind in ("BRNN", "RNN")]
    path = plot(curves, setting, out / FIGURE)
    brnn, rnn = curves
    output = "\n".join(
        [f"labels decided by the future: y(t) = majority of x(t+1), ..., x(t+{WINDOW}); T = {setting.T}, "
         f"H = {setting.hidden}, {setting.steps} Adam steps, batch {setting.batch}, seed {options.seed}",
         *(f"  {LABELS[c.name]:26s} {c.parameters:4d} parameters   test accuracy after "
           f"{', '.join(f'{s} steps {a:.3f}' for s, a in zip(c.steps, c.values) if s in (0, 100, 500))}"
           for c in curves),
         f"final test accuracy (mean of the last 3 measurements): BRNN {brnn.final:.3f}, "
         f"RNN {rnn.final:.3f} (chance 0.500)"])
    _experiment.finish("brnn_labelling", output, path, options, out)
    return {curve.name: curve for curve in curves}


if __name__ == "__main__":
    _experiment.run(main, "brnn_labelling.py")
