"""Sequential against parallel: the depth of the graph and the time of forward + backward against T.

Seed 001 ("Beyond the LSTM"): "Attention is computationally expensive ...
Solution: the transformer model ... turn attention-based learning into a
parallel rather than sequential process." A recurrent net cannot compute
step t before step t - 1: the longest chain of ops between its input and its
loss grows like T. Causal self-attention (``nets.SelfAttention``) computes
every step at once from the whole input: its longest chain is the same for
every T. The price is the T x T matrix of scores, T^2 work and memory.

For T = 16 .. 1024 this script builds, for an ``nets.LSTM`` and for a
``nets.SelfAttention`` of the same width, the graph of L = sum of all outputs,
and measures

- the depth: the number of ops on the longest path from the input x to L,
  by walking ``parents`` (a longest-path pass over the topological order);
- the wall time of forward + backward (the best of a few repeats).

    python examples/attention_parallel.py            # docs/img/attention_parallel.png
    python examples/attention_parallel.py --quick    # T = 16 .. 128 (the tests)
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))     # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

import minigrad as mg                                                # noqa: E402
import nets                                                          # noqa: E402
from _experiment import output_folder, parser, progress, pyplot, save_figure   # noqa: E402

FULL = dict(lengths=(16, 32, 64, 128, 256, 512, 1024), width=32, batch=8, repeats=5)
QUICK = dict(lengths=(16, 32, 64, 128), width=8, batch=2, repeats=1)
KINDS = ("LSTM", "SelfAttention")


def longest_path(source: mg.Tensor, root: mg.Tensor) -> int:
    """The number of ops on the longest path from ``source`` to ``root`` in the graph."""
    depth = {id(source): 0}
    for tensor in mg.topological_order(root):          # parents before children
        reached = [depth[id(parent)] for parent in tensor.parents if id(parent) in depth]
        if reached:
            depth[id(tensor)] = 1 + max(reached)
    return depth[id(root)]


def loss_of(kind: str, net: mg.nn.Module, x: mg.Tensor) -> mg.Tensor:
    if kind == "LSTM":
        return net(x)[0].sum()                           # x (T, B, d)
    return net(x.transpose(1, 0, 2)).sum()              # SelfAttention takes (B, T, d)


@dataclass
class Result:
    lengths: tuple[int, ...]
    depth: dict[str, list[int]]
    seconds: dict[str, list[float]]

    def crossover(self) -> int | None:
        """The smallest T from which on self-attention took longer than the LSTM at every length, if any."""
        found = None
        for T, lstm, attention in zip(self.lengths, self.seconds["LSTM"], self.seconds["SelfAttention"]):
            found = (found or T) if attention > lstm else None
        return found

    def growth(self, kind: str) -> float:
        """The exponent a of time ~ T^a between the last two lengths."""
        (t0, t1), (s0, s1) = self.lengths[-2:], self.seconds[kind][-2:]
        return float(np.log(s1 / s0) / np.log(t1 / t0))

    def closing_line(self) -> str:
        T = self.lengths[-1]
        crossing = self.crossover()
        where = (f"self-attention is slower from T = {crossing} on" if crossing else
                 f"self-attention is faster at every T up to {T}")
        return (f"at T = {T}: longest path LSTM {self.depth['LSTM'][-1]} ops, SelfAttention "
                f"{self.depth['SelfAttention'][-1]} ops (the same at every T); forward + backward LSTM "
                f"{self.seconds['LSTM'][-1]:.3f} s, SelfAttention {self.seconds['SelfAttention'][-1]:.3f} s; "
                f"{where}; time grows as T^{self.growth('LSTM'):.2f} and T^{self.growth('SelfAttention'):.2f} "
                f"over the last doubling")


def run(lengths: tuple[int, ...], width: int, batch: int, repeats: int, seed: int) -> Result:
    rng = np.random.default_rng(seed)
    lstm = nets.LSTM(width, width, rng=seed)
    attention = nets.SelfAttention(width, rng=seed)
    depth: dict[str, list[int]] = {kind: [] for kind in KINDS}
    seconds: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for T in progress(lengths, "lengths"):
        data = rng.standard_normal((T, batch, width))
        for kind, net in zip(KINDS, (lstm, attention)):
            x = mg.Tensor(data, requires_grad=True, name="x")
            depth[kind].append(longest_path(x, loss_of(kind, net, x)))
            best = np.inf
            for _ in range(repeats):
                start = time.perf_counter()
                loss_of(kind, net, mg.Tensor(data)).backward()
                best = min(best, time.perf_counter() - start)
            seconds[kind].append(best)
    return Result(tuple(lengths), depth, seconds)


def plot(result: Result, path: Path, width: int, batch: int) -> Path:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(12.5, 4.6))
    colors = {"LSTM": "#1f77b4", "SelfAttention": "#d62728"}
    for kind in KINDS:
        left.loglog(result.lengths, result.depth[kind], marker="o", color=colors[kind], linewidth=2, label=kind)
        right.loglog(result.lengths, result.seconds[kind], marker="o", color=colors[kind], linewidth=2, label=kind)
    lengths = np.array(result.lengths, dtype=float)
    scale = result.seconds["SelfAttention"][-1] / lengths[-1] ** 2
    right.loglog(lengths, scale * lengths ** 2, color="grey", linestyle="--", linewidth=1, label="∝ T²")
    left.set_ylabel("ops on the longest path from x to the loss")
    left.set_title("Depth of the graph: sequential O(T) against parallel O(1)", fontsize=10)
    right.set_ylabel("forward + backward, seconds (best of repeats)")
    right.set_title(f"Wall time, width {width}, batch {batch}", fontsize=10)
    for axis in (left, right):
        axis.set_xlabel("sequence length T")
        axis.set_xticks(result.lengths)
        axis.set_xticklabels([str(T) for T in result.lengths])
        axis.grid(alpha=0.3, which="both")
        axis.legend()
    figure.tight_layout()
    save_figure(figure, path)
    plt.close(figure)
    return path


def main(argv: list[str] | None = None) -> Result:
    arguments = parser(__doc__.split("\n")[0])
    options = arguments.parse_args(argv)
    out = output_folder(arguments, options.out)
    size = QUICK if options.quick else FULL
    result = run(**size, seed=options.seed)
    print(f"{'T':>6} {'depth LSTM':>11} {'depth SA':>9} {'LSTM s':>9} {'SA s':>9}")
    for index, T in enumerate(result.lengths):
        print(f"{T:6d} {result.depth['LSTM'][index]:11d} {result.depth['SelfAttention'][index]:9d} "
              f"{result.seconds['LSTM'][index]:9.4f} {result.seconds['SelfAttention'][index]:9.4f}")
    print(f"wrote {plot(result, out / 'attention_parallel.png', size['width'], size['batch'])}")
    print(result.closing_line())
    return result


if __name__ == "__main__":
    main()
