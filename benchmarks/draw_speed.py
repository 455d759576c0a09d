"""How long ``minigrad.draw`` takes to write the DOT of a long unrolled LSTM.

Run: ``python -m benchmarks.draw_speed`` from the repo root; it rewrites its
section of docs/benchmarks.md. Only the DOT text is timed (the layout by
``dot`` or ``graphviz-pure`` is their business, and for hundreds of steps
it is the cell view with ``first_last`` that a person wants to look at).
"""
from __future__ import annotations

import time

import numpy as np

import minigrad as mg
import nets
from benchmarks.report import engine_revision, machine_line, write_section

STEPS = 200
REPEATS = 5


def unrolled_lstm(steps: int) -> mg.Tensor:
    """The loss of a 1-layer LSTM (input 4, hidden 8, batch 1) over ``steps`` steps, after backward."""
    rng = np.random.default_rng(0)
    net = nets.LSTM(4, 8, rng=rng)
    output, _ = net(rng.normal(size=(steps, 1, 4)))
    loss = output.sum()
    loss.backward(keep_contributions="all")      # per-edge gradients, for the flow view
    return loss


def best_time(loss: mg.Tensor, **options: object) -> tuple[float, int]:
    """The fastest of REPEATS calls of draw(loss, **options), in seconds, and the DOT's length."""
    times, length = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        source = mg.draw(loss, **options).source
        times.append(time.perf_counter() - start)
        length = len(source)
    return min(times), length


def main() -> None:
    loss = unrolled_lstm(STEPS)
    tensors = len(mg.topological_order(loss))
    cases = [
        ("op view", {}),
        ("op view, grads + contributions", {"grads": True, "contributions": True}),
        ("op view, gradient flow", {"flow": True}),
        ("cell view", {"view": "cell"}),
        ("cell view, gradient flow", {"view": "cell", "flow": True}),
        ("op view, first_last=3", {"first_last": 3}),
    ]
    rows = []
    for name, options in cases:
        seconds, length = best_time(loss, **options)
        rows.append(f"| {name} | {seconds * 1000:.0f} | {length / 1000:.0f} |")
        print(f"{name:34s} {seconds * 1000:7.1f} ms  {length:9d} chars")
    markdown = "\n".join([
        "## Drawing a 200-step LSTM (`benchmarks/draw_speed.py`)",
        "",
        "Rerun: `python -m benchmarks.draw_speed` from the repo root (a few seconds).",
        "",
        f"Engine at {engine_revision()}. " + machine_line(),
        "",
        f"`minigrad.draw` on the loss of a one-layer LSTM (input 4, hidden 8, batch 1) unrolled over "
        f"{STEPS} steps ({tensors} tensors in the graph): time to produce the DOT source, "
        f"best of {REPEATS}. Laying the DOT out into a picture is Graphviz's (or graphviz-pure's) work "
        "and not included.",
        "",
        "| options | DOT in ms | DOT size (k chars) |",
        "|---|---:|---:|",
        *rows,
    ])
    write_section("draw_speed", markdown)


if __name__ == "__main__":
    main()
