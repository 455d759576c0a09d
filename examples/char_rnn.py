"""Character-level text generation: an RNN and an LSTM learn to write like Act I of Hamlet.

Seed 003 (``003_2d0bb0a675b13982.txt``, Drexel CS 615) shows a text-generating
RNN's samples "after 10 iterations" and "after 100 iterations": gibberish
first, then word-like strings with spaces and line breaks. This script
trains on ``examples/data/hamlet_act1.txt`` (Shakespeare, public domain, 39 kB;
see ``examples/data/README.md``) and prints samples at fixed iterations as
training goes, for a vanilla RNN and for an LSTM of the same hidden size.

The setup is Karpathy's min-char-rnn (2015), the program those slides follow:

- one-hot characters in, a softmax over the vocabulary out, hidden size 100;
- truncated BPTT over 25 characters: the text is walked in chunks of 25, the
  hidden state carried from chunk to chunk but detached, so each update
  backpropagates through the last 25 steps only (``nets.truncated_bptt`` with
  k1 = k2 = 25; seed 000, "Backpropagation through time - online with truncation");
- the loss of a chunk is the summed cross-entropy of its 25 next-character
  predictions; Adagrad, learning rate 0.1; every gradient element clipped to
  [-5, 5] (seed 001, "Main Issue:": "Clip the gradient");
- at the end of the text, start again from the beginning with a zero state.

The figure is the loss per character against iterations (mean over the last
100 chunks), with log(vocabulary size), the loss of a uniform guess, for scale.

Run from the repository root:

    python examples/char_rnn.py          # docs/img/char_rnn.png and the samples in docs/experiments.md
    python examples/char_rnn.py --quick  # seconds (tests/test_experiments_learning.py)
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))          # the shared _experiment module
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing

import _experiment                                  # noqa: E402
import minigrad as mg                               # noqa: E402
import nets                                         # noqa: E402
from minigrad.nn import Linear                      # noqa: E402
from minigrad.nn.functional import cross_entropy    # noqa: E402
from minigrad.optim import Adagrad, clip_grad_value_  # noqa: E402

TEXT = Path(__file__).resolve().parent / "data" / "hamlet_act1.txt"
FIGURE = "char_rnn.png"
HIDDEN = 100           # min-char-rnn's hidden_size
CHUNK = 25             # min-char-rnn's seq_length: characters per truncated-BPTT window
LEARNING_RATE = 0.1    # min-char-rnn's Adagrad learning rate
CLIP = 5.0             # every gradient element clipped to [-CLIP, CLIP], as in min-char-rnn
SAMPLE_LENGTH = 200    # characters per printed sample
AVERAGE = 100          # chunks in the running mean that the figure and the closing line report


@dataclass(frozen=True)
class Setting:
    iterations: int                  # truncated-BPTT updates (chunks of 25 characters)
    sample_at: tuple[int, ...]       # iterations after which a sample is printed


FULL = Setting(iterations=6000, sample_at=(10, 100, 1000, 6000))
QUICK = Setting(iterations=300, sample_at=(10, 100, 300))


@dataclass
class Run:
    """One net's training: the loss per character of every chunk, and its samples."""

    name: str
    losses: list[float] = field(default_factory=list)
    samples: dict[int, str] = field(default_factory=dict)

    def mean_loss(self, first: int, stop: int) -> float:
        """The mean loss per character over chunks [first, stop)."""
        return float(np.mean(self.losses[first:stop]))


class Vocabulary:
    """The characters of a text, each with an index (sorted, so the order does not depend on the run)."""

    def __init__(self, text: str) -> None:
        self.characters = sorted(set(text))
        self.index = {character: k for k, character in enumerate(self.characters)}

    def __len__(self) -> int:
        return len(self.characters)

    def encode(self, text: str) -> np.ndarray:
        return np.array([self.index[character] for character in text], dtype=np.intp)

    def one_hot(self, indices: np.ndarray) -> np.ndarray:
        """indices (T,) -> (T, 1, V): a batch of one sequence, the layout the nets take."""
        return np.eye(len(self), dtype=np.float64)[indices][:, None, :]


class CharModel(mg.nn.Module):
    """A recurrent net with a softmax readout: one-hot (T, 1, V) -> hidden (T, 1, H) -> logits (T, V)."""

    def __init__(self, kind: str, vocabulary_size: int, rng: np.random.Generator) -> None:
        network = nets.LSTM if kind == "LSTM" else nets.RNN
        self.net = network(vocabulary_size, HIDDEN, rng=rng)
        self.readout = Linear(HIDDEN, vocabulary_size, rng=rng)

    def logits(self, hidden: mg.Tensor) -> mg.Tensor:
        """hidden (T, 1, H) -> logits (T, V)."""
        return self.readout(hidden.reshape(hidden.shape[0], HIDDEN))


def sample(model: CharModel, vocabulary: Vocabulary, first: str, length: int,
           rng: np.random.Generator) -> str:
    """Generate ``length`` characters after ``first``, each drawn from the model's softmax."""
    state, index, characters = None, vocabulary.index[first], [first]
    with mg.no_grad():
        for _ in range(length):
            hidden, state = model.net(vocabulary.one_hot(np.array([index])), state)
            probabilities = model.logits(hidden).softmax(axis=-1).data[0]
            index = int(rng.choice(len(vocabulary), p=probabilities / probabilities.sum()))
            characters.append(vocabulary.characters[index])
    return "".join(characters)


def train(kind: str, text: str, setting: Setting, seed: int, report=print) -> Run:
    """min-char-rnn's training loop for an ``"RNN"`` or an ``"LSTM"``; samples go to ``report``."""
    vocabulary = Vocabulary(text)
    model = CharModel(kind, len(vocabulary), np.random.default_rng(seed))
    parameters = list(model.parameters())
    optimizer = Adagrad(parameters, lr=LEARNING_RATE)
    sampler = np.random.default_rng(seed + 1)
    encoded = vocabulary.encode(text)
    inputs, targets = vocabulary.one_hot(encoded[:-1]), encoded[1:]
    run = Run(kind)

    def loss_fn(hidden: mg.Tensor, target: np.ndarray) -> mg.Tensor:
        return cross_entropy(model.logits(hidden), target, reduction="sum")

    def passes():
        """The chunks of the text, pass after pass, each pass from a zero state."""
        while True:
            yield from nets.truncated_bptt(model.net, inputs, targets, loss_fn, k1=CHUNK)

    bar = _experiment.progress(range(1, setting.iterations + 1), f"{kind} (H = {HIDDEN})")
    for iteration, window in zip(bar, passes()):
        clip_grad_value_(parameters, CLIP)
        optimizer.step()
        optimizer.zero_grad()
        run.losses.append(float(window.loss.data) / (window.end - window.first_loss))
        if iteration in setting.sample_at:
            run.samples[iteration] = sample(model, vocabulary, text[0], SAMPLE_LENGTH, sampler)
            report(f"----- {kind} after {iteration} iterations "
                   f"(loss {run.mean_loss(max(0, iteration - AVERAGE), iteration):.2f} per character):\n"
                   f"{run.samples[iteration]}\n-----")
    return run


def running_mean(values: list[float], width: int) -> np.ndarray:
    """The mean of the last ``width`` values (fewer at the start) at every position."""
    sums = np.cumsum(np.concatenate([[0.0], values]))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - width)
    return (sums[ends] - sums[starts]) / (ends - starts)


def plot(runs: list[Run], vocabulary_size: int, path: Path) -> Path:
    """Loss per character against iterations for both nets, with the uniform guess for scale."""
    with _experiment.plot_to(path) as axes:
        for run, colour in zip(runs, ("tab:orange", "tab:blue")):
            iterations = np.arange(1, len(run.losses) + 1)
            axes.plot(iterations, running_mean(run.losses, AVERAGE), color=colour,
                      label=f"{run.name} (H = {HIDDEN})")
        axes.axhline(math.log(vocabulary_size), color="grey", linestyle="--",
                     label=f"uniform guess: log {vocabulary_size} = {math.log(vocabulary_size):.2f}")
        axes.set_xlabel(f"iteration (one chunk of {CHUNK} characters)")
        axes.set_ylabel(f"cross-entropy per character (nats, mean of {AVERAGE} chunks)")
        axes.set_title(f"Character-level generation on examples/data/{TEXT.name}")
        axes.legend()
    return path


def main(argv: list[str] | None = None) -> dict[str, Run]:
    options, out = _experiment.start(__doc__.splitlines()[0], argv)
    setting = QUICK if options.quick else FULL
    text = TEXT.read_text(encoding="ascii")
    samples: list[str] = []

    def report(sample: str) -> None:
        _experiment.progress_write(sample)
        samples.append(sample + "\n")

    runs = [train(kind, text, setting, options.seed, report=report) for kind in ("RNN", "LSTM")]
    path = plot(runs, len(Vocabulary(text)), out / FIGURE)
    end = setting.iterations
    summary = ", ".join(f"{run.name} {run.mean_loss(0, AVERAGE):.2f} -> {run.mean_loss(end - AVERAGE, end):.2f}"
                        for run in runs)
    size = len(Vocabulary(text))
    output = (f"char-RNN on {TEXT.name} ({len(text)} characters, {size} distinct), {end} iterations: loss per "
              f"character (mean of the first and the last {AVERAGE} chunks) {summary}; a uniform guess scores "
              f"log {size} = {math.log(size):.2f}")
    _experiment.finish("char_rnn", output, path, options, out, printed_before="".join(samples))
    return {run.name: run for run in runs}


if __name__ == "__main__":
    _experiment.run(main, "char_rnn.py")
