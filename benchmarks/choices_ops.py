"""The figures behind two design choices stated in the op files' comments (section choices_ops).

1. Module-level ``*_backward`` functions, not a closure per node (``minigrad/ops/__init__.py``):
   a closure is a function object plus its cells and their tuple, extra objects per node that
   Python's garbage collector walks on every collection. Timed here: building and keeping a
   graph of N nodes, each holding either a reference to one module-level function or a fresh
   closure over two values, with the garbage collector on, as in a training loop.
2. ``_logistic`` as 1 / (1 + e^-x) rather than 0.5 (1 + tanh(x/2)) (``minigrad/ops/nn_ops.py``):
   timed here, numpy's exp against its tanh on one batch of gate pre-activations.

    python -m benchmarks.choices_ops            # print the figures
    python -m benchmarks.choices_ops --write    # and write them into docs/benchmarks.md
"""
from __future__ import annotations

import gc
import sys
import timeit

import numpy as np

from benchmarks.report import engine_revision, machine_line, write_section

NODES = 30_000       # about an LSTM unrolled over 1000 steps (some 30 recorded ops per step)


class Node:
    __slots__ = ("parents", "backward", "saved")


def module_backward(g, out):
    return g


def build(nodes: int, closures: bool) -> list:
    graph, previous = [], None
    for step in range(nodes):
        node = Node()
        node.parents, node.saved = (previous,), None
        if closures:
            a, b = previous, step

            def backward(g, out):     # closes over a and b: a function, two cells, a tuple
                return g if a is None else g + b
            node.backward = backward
        else:
            node.backward = module_backward
        graph.append(node)
        previous = node
    return graph


def best(statement, number: int, repeat: int = 7) -> float:
    return min(timeit.repeat(statement, number=number, repeat=repeat)) / number


def measure() -> dict:
    gc.enable()
    plain = best(lambda: build(NODES, False), 3)
    closed = best(lambda: build(NODES, True), 3)
    x = np.random.default_rng(0).standard_normal((32, 256))
    exp = best(lambda: np.exp(x), 2000)
    tanh = best(lambda: np.tanh(x), 2000)
    return {"plain": plain, "closed": closed, "exp": exp, "tanh": tanh}


def markdown(f: dict) -> str:
    return "\n".join([
        "## Choices in the op files, timed",
        "",
        f"{machine_line()} Engine at {engine_revision()}. Best of 7 runs; the machine was shared with "
        "other jobs, so only the ratios measured in the same run mean much.",
        "",
        "| choice | timed | module-level / plain | closure / tanh | ratio |",
        "|---|---|---|---|---|",
        f"| module-level `*_backward`, not a closure per node | build and keep {NODES} graph nodes, gc on | "
        f"{f['plain'] * 1e3:.1f} ms | {f['closed'] * 1e3:.1f} ms | closures cost "
        f"{f['closed'] / f['plain']:.2f}x |",
        f"| `_logistic` through exp, not tanh | one (32, 256) array | exp {f['exp'] * 1e6:.1f} µs | "
        f"tanh {f['tanh'] * 1e6:.1f} µs | tanh / exp = {f['tanh'] / f['exp']:.2f} |",
        "",
        "Written by `python -m benchmarks.choices_ops --write`.",
    ])


def main() -> None:
    text = markdown(measure())
    print(text)
    if "--write" in sys.argv[1:]:
        write_section("choices_ops", text)


if __name__ == "__main__":
    main()
