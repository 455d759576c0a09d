"""Selective recall: the LSTM forgets what was marked long ago, attention looks it up.

Seed 001 (``001_ceeef2fa78ef4152.txt``, "Beyond the LSTM"): "Even LSTM is not
that great with learning the right context: when an output depends on context
from several steps ago, LSTM and GRU still have problems learning the right
dependences. Solution: Attention – look explicitly at not only the current
hidden state but also at past hidden states, and learn which ones are important."

The task: at every step the net sees a random symbol (one of K, one-hot); at
one step, drawn at random, a marker flag is on as well; at the last step a
query flag asks "which symbol was marked?". The lag is the number of steps
between the marked step and the query. A plain recurrent net must carry the
symbol through every step in between, over a stream of distractors; the
``nets.AttentionRNN`` only has to learn to attend to the marked step.

Three nets of the same hidden size H, each with a linear readout on its
output at the last step, trained on the same batches with Adam:
``nets.RNN``, ``nets.LSTM``, and ``nets.AttentionRNN(cell="lstm",
score="general")``. Then the accuracy by lag on fresh sequences, and the
attention weights of one of them.

    python examples/attention_recall.py            # full size, a few minutes: docs/img/attention_recall.png
    python examples/attention_recall.py --quick    # seconds (what tests/test_attention_experiments.py runs)

docs/attention.md shows the figure and the closing line.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))     # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

import minigrad as mg                                                # noqa: E402
import nets                                                          # noqa: E402
from minigrad import nn                                              # noqa: E402
from _experiment import output_folder, parser, progress, pyplot, save_figure   # noqa: E402

NETS = ("RNN", "LSTM", "AttentionRNN")
COLORS = {"RNN": "#999999", "LSTM": "#1f77b4", "AttentionRNN": "#d62728"}


@dataclass(frozen=True)
class Config:
    steps: int            # T: sequence length; lags run from 1 to T - 1
    symbols: int          # K
    hidden: int           # H
    batch: int
    updates: int
    lr: float
    test: int             # sequences for the accuracy by lag
    bins: int             # lag bins on the figure


FULL = Config(steps=100, symbols=8, hidden=32, batch=32, updates=300, lr=1e-2, test=1024, bins=10)
QUICK = Config(steps=30, symbols=4, hidden=16, batch=32, updates=100, lr=2e-2, test=256, bins=3)


def make_batch(rng: np.random.Generator, batch: int, steps: int, symbols: int) -> tuple[np.ndarray, ...]:
    """x (T, B, K + 2): one-hot symbols, the marker flag (channel K), the query flag at the last step (K + 1).

    Returns x, the marked symbols (B,) and the lags (B,), lag = T - 1 - marked step, uniform in 1 .. T - 1.
    """
    x = np.zeros((steps, batch, symbols + 2))
    seen = rng.integers(0, symbols, size=(steps - 1, batch))
    x[np.arange(steps - 1)[:, None], np.arange(batch), seen] = 1.0
    marked = rng.integers(0, steps - 1, size=batch)
    x[marked, np.arange(batch), symbols] = 1.0
    x[steps - 1, :, symbols + 1] = 1.0
    return x, seen[marked, np.arange(batch)], steps - 1 - marked


class Recaller(nn.Module):
    """A recurrent net and a linear readout of its output at the last step: logits over the K symbols."""

    def __init__(self, kind: str, config: Config, seed: int) -> None:
        rng = np.random.default_rng(seed)
        inputs = config.symbols + 2
        if kind == "AttentionRNN":
            self.net = nets.AttentionRNN(inputs, config.hidden, cell="lstm", score="general", rng=rng)
        else:
            self.net = {"RNN": nets.RNN, "LSTM": nets.LSTM}[kind](inputs, config.hidden, rng=rng)
        self.readout = nn.Linear(config.hidden, config.symbols, rng=rng)

    def forward(self, x: np.ndarray) -> tuple[mg.Tensor, mg.Tensor | None]:
        results = self.net(x)
        weights = results[2] if len(results) == 3 else None
        return self.readout(results[0][-1]), weights


def train(kind: str, config: Config, seed: int) -> tuple[Recaller, list[float]]:
    """Adam on fresh batches (the same batches for every net: the data generator is seeded alike)."""
    model = Recaller(kind, config, seed)
    optimizer = mg.optim.Adam(model.parameters(), lr=config.lr)
    data = np.random.default_rng(seed + 1)
    losses = []
    for _ in progress(range(config.updates), f"training {kind}"):
        x, target, _ = make_batch(data, config.batch, config.steps, config.symbols)
        logits, _ = model(x)
        loss = nn.functional.cross_entropy(logits, target)
        model.zero_grad()
        loss.backward()
        mg.optim.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    return model, losses


@dataclass
class Result:
    config: Config
    bin_edges: np.ndarray                 # (bins + 1,) lag bin edges
    accuracy: dict[str, np.ndarray]       # net -> (bins,) accuracy per lag bin
    long_accuracy: dict[str, float]       # net -> accuracy at lags in the last third
    losses: dict[str, list[float]]
    example_weights: np.ndarray           # (T, T): the AttentionRNN's weights for one test sequence
    example_lag: int

    @property
    def long_lags(self) -> int:
        return long_lag_threshold(self.config.steps)

    def closing_line(self) -> str:
        c, chance = self.config, 1.0 / self.config.symbols
        accuracies = ", ".join(f"{kind} {self.long_accuracy[kind]:.0%}" for kind in NETS)
        return (f"recall at lags {self.long_lags}..{c.steps - 1} (T = {c.steps}, K = {c.symbols}, H = {c.hidden}, "
                f"{c.updates} updates): {accuracies}; chance {chance:.0%}")


def long_lag_threshold(steps: int) -> int:
    """Lags >= this count as long: the last third of the range 1 .. T - 1."""
    return int(np.ceil(2 * (steps - 1) / 3))


def evaluate(models: dict[str, Recaller], config: Config, seed: int) -> Result:
    x, target, lags = make_batch(np.random.default_rng(seed + 2), config.test, config.steps, config.symbols)
    edges = np.linspace(1, config.steps, config.bins + 1)
    accuracy, long_accuracy, example = {}, {}, None
    long_lags = long_lag_threshold(config.steps)
    shown = int(np.argmax(lags >= long_lags))            # the heatmap shows the first sequence with a long lag
    with mg.no_grad():
        for kind, model in models.items():
            logits, weights = model(x)
            correct = np.argmax(logits.data, axis=-1) == target
            bins = np.clip(np.digitize(lags, edges) - 1, 0, config.bins - 1)
            accuracy[kind] = np.array([correct[bins == b].mean() for b in range(config.bins)])
            long_accuracy[kind] = float(correct[lags >= long_lags].mean())
            if weights is not None:
                example = weights.data[shown]
    return Result(config, edges, accuracy, long_accuracy, {}, example, int(lags[shown]))


def plot(result: Result, path: Path) -> Path:
    plt = pyplot()
    c = result.config
    figure, (left, right) = plt.subplots(1, 2, figsize=(12.5, 4.8), gridspec_kw={"width_ratios": [1.25, 1]})
    centers = (result.bin_edges[:-1] + result.bin_edges[1:]) / 2
    for kind in NETS:
        left.plot(centers, result.accuracy[kind], marker="o", color=COLORS[kind], linewidth=2, label=kind)
    left.axhline(1.0 / c.symbols, color="black", linestyle="--", linewidth=1, label="chance (1/K)")
    left.set_xlabel("lag: steps between the marked symbol and the query")
    left.set_ylabel("accuracy on fresh sequences")
    left.set_ylim(0, 1.03)
    left.set_title(f"Selective recall, T = {c.steps}, K = {c.symbols} symbols, H = {c.hidden}, "
                   f"{c.updates} Adam updates", fontsize=10)
    left.legend(loc="center right")
    left.grid(alpha=0.3)
    image = right.imshow(result.example_weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    marked = c.steps - 1 - result.example_lag
    right.scatter([marked], [c.steps - 1], s=80, facecolors="none", edgecolors="red", linewidths=1.5,
                  label=f"query (t = {c.steps - 1}) at the marked step s = {marked}")
    right.set_xlabel("s (attended step)")
    right.set_ylabel("t (attending step)")
    right.set_title("AttentionRNN's weights α(t, s), one test sequence", fontsize=10)
    right.legend(loc="upper right", fontsize=8)
    figure.colorbar(image, ax=right, fraction=0.046)
    figure.tight_layout()
    save_figure(figure, path)
    plt.close(figure)
    return path


def run(config: Config, seed: int) -> Result:
    models, losses = {}, {}
    for kind in NETS:
        models[kind], losses[kind] = train(kind, config, seed)
    result = evaluate(models, config, seed)
    result.losses = losses
    return result


def main(argv: list[str] | None = None) -> Result:
    arguments = parser(__doc__.split("\n")[0])
    options = arguments.parse_args(argv)
    out = output_folder(arguments, options.out)
    result = run(QUICK if options.quick else FULL, options.seed)
    for kind in NETS:
        print(f"{kind:>12}: accuracy by lag bin " + " ".join(f"{a:.2f}" for a in result.accuracy[kind]))
    print(f"wrote {plot(result, out / 'attention_recall.png')}")
    print(result.closing_line())
    return result


if __name__ == "__main__":
    main()
