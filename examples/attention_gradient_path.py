"""The gradient path: through attention the loss at step T reaches h(s) in one hop, not T - s.

Seed 001 ("Main Issue:") writes the gradient of a loss at step T with respect
to an earlier state as a product of T - t Jacobians dh(d)/dh(d-1); seed 000
("Long-term dependencies problem") explains why it shrinks geometrically
(``examples/vanishing_gradients.py`` measures it). An ``nets.AttentionRNN``
adds a second path: h(s) is a parent of step T's attention (the stack of
h(0..T) that the weights average), so ∂E_T/∂h(s) has a term that crosses no
recurrent step at all.

Two nets with the same recurrent weights: an ``nets.LSTM``, and an
``nets.AttentionRNN(cell="lstm", score="general")`` whose ``.rnn`` is loaded
with that LSTM's state dict. Both untrained, on the same random inputs; the
loss is E_T = r · y(T), r a fixed random vector and y(T) the net's output at
the last step. Every h(t) is found by walking the graph from E_T (tensors
named "h" in the scope ``.../t={t}``), asked to keep its gradient
(``retain_grad``), and one ``backward`` fills them all. Also counted: the
fewest ops between h(t) and E_T (a breadth-first walk from h(t) towards E_T).

    python examples/attention_gradient_path.py           # docs/img/attention_gradient_path.png
    python examples/attention_gradient_path.py --quick   # seconds (the tests)
"""
from __future__ import annotations

import re
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))     # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

import minigrad as mg                                                # noqa: E402
import nets                                                          # noqa: E402
from _experiment import output_folder, parser, progress, pyplot, save_figure   # noqa: E402

STEP = re.compile(r"(?:^|/)t=(\d+)$")
FULL = dict(steps=200, hidden=32, inputs=4, batch=8)
QUICK = dict(steps=40, hidden=16, inputs=4, batch=4)


@dataclass
class Path_:
    """One net's measurements, index = lag T - t (0 .. T - 1)."""

    norms: np.ndarray          # ||dE_T/dh(t)||, over the whole (B, H) batch
    hops: np.ndarray           # fewest ops from h(t) to E_T


def by_step(root: mg.Tensor, name: str) -> dict[int, mg.Tensor]:
    """The tensor called ``name`` of every step t (scope ``.../t={t}``), found in the graph of ``root``."""
    found = {}
    for tensor in mg.topological_order(root):
        match = STEP.search(tensor.scope)
        if tensor.name == name and match:
            found[int(match.group(1))] = tensor
    return found


def fewest_ops(start: mg.Tensor, root: mg.Tensor, children: dict[int, list[mg.Tensor]]) -> int:
    """The length of the shortest chain of ops from ``start`` to ``root`` (breadth first, along children)."""
    distance, queue = {id(start): 0}, deque([start])
    while queue:
        node = queue.popleft()
        if node is root:
            return distance[id(node)]
        for child in children.get(id(node), ()):
            if id(child) not in distance:
                distance[id(child)] = distance[id(node)] + 1
                queue.append(child)
    raise ValueError("fewest_ops: root does not depend on start")


def measure(net: mg.nn.Module, x: np.ndarray, r: np.ndarray) -> Path_:
    T = x.shape[0]
    # y(T) taken from its step, not as output[-1]: the stacked output has every step's y(t) as a
    # parent, which would make a zero-gradient shortcut from every h(t) to the loss.
    last = by_step(net(x)[0], "h~" if isinstance(net, nets.AttentionRNN) else "h")[T - 1]
    loss = (last * mg.Tensor(r)).sum()                        # E_T = r · y(T)
    states = by_step(loss, "h")
    order = mg.topological_order(loss)
    children: dict[int, list[mg.Tensor]] = {}
    for tensor in order:
        for parent in tensor.parents:
            children.setdefault(id(parent), []).append(tensor)
    for h in states.values():
        h.retain_grad()
    loss.backward()
    norms = np.array([np.linalg.norm(states[T - 1 - lag].grad) for lag in range(T)])
    hops = np.array([fewest_ops(states[T - 1 - lag], loss, children) for lag in range(T)])
    return Path_(norms, hops)


@dataclass
class Result:
    steps: int
    lstm: Path_
    attention: Path_

    def closing_line(self) -> str:
        T = self.steps
        return (f"||dE_T/dh(t)|| at lag {T - 1} (T = {T}): LSTM {self.lstm.norms[-1]:.1e}, AttentionRNN "
                f"{self.attention.norms[-1]:.1e} (at lag 0: {self.lstm.norms[0]:.1e} and "
                f"{self.attention.norms[0]:.1e}); fewest ops from h(0) to E_T: LSTM {self.lstm.hops[-1]}, "
                f"AttentionRNN {self.attention.hops[-1]}")


def run(steps: int, hidden: int, inputs: int, batch: int, seed: int) -> Result:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps, batch, inputs))
    r = rng.standard_normal((batch, hidden))
    lstm = nets.LSTM(inputs, hidden, rng=seed)
    attentive = nets.AttentionRNN(inputs, hidden, cell="lstm", score="general", rng=seed + 1)
    attentive.rnn.load_state_dict(lstm.state_dict())         # the same recurrent net under both
    measured = [measure(net, x, r) for net in progress([lstm, attentive], "backward", total=2)]
    return Result(steps, *measured)


def plot(result: Result, path: Path) -> Path:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(12.5, 4.6))
    lags = np.arange(result.steps)
    for label, measured, color in (("LSTM", result.lstm, "#1f77b4"), ("AttentionRNN", result.attention, "#d62728")):
        left.semilogy(lags, measured.norms, color=color, linewidth=2, label=label)
        right.plot(lags, measured.hops, color=color, linewidth=2, label=label)
    left.set_xlabel("lag T − t")
    left.set_ylabel("‖∂E_T/∂h(t)‖ (log scale)")
    left.set_title(f"Gradient of the last step's loss, untrained nets, same LSTM weights (T = {result.steps})",
                   fontsize=10)
    right.set_xlabel("lag T − t")
    right.set_ylabel("fewest ops from h(t) to E_T")
    right.set_title("Length of the shortest path in the graph", fontsize=10)
    for axis in (left, right):
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    save_figure(figure, path)
    plt.close(figure)
    return path


def main(argv: list[str] | None = None) -> Result:
    arguments = parser(__doc__.split("\n")[0])
    options = arguments.parse_args(argv)
    out = output_folder(arguments, options.out)
    result = run(**(QUICK if options.quick else FULL), seed=options.seed)
    for lag in sorted({0, 1, 5, 10, 20, 50, 100, result.steps - 1} & set(range(result.steps))):
        print(f"lag {lag:4d}: LSTM {result.lstm.norms[lag]:9.2e} ({result.lstm.hops[lag]:4d} ops)   "
              f"AttentionRNN {result.attention.norms[lag]:9.2e} ({result.attention.hops[lag]:3d} ops)")
    print(f"wrote {plot(result, out / 'attention_gradient_path.png')}")
    print(result.closing_line())
    return result


if __name__ == "__main__":
    main()
