"""One BPTT step of nets.RNN and nets.LSTM against the hand-written numpy reference.

One step = forward over the whole sequence + summed squared error over all
time steps (many-to-many) + backward to every parameter, float64, one BLAS
thread. The engine and the reference (nets/reference.py) run interleaved in
the same process, taking turns; a ratio is the median over rounds of the
engine's time over the reference's time in the same round, so that a
background hiccup or a drift of the machine's speed does not decide it.

Optional columns, if the packages are installed (they are not dependencies):
PyTorch (its autograd, with nn.RNNCell / nn.LSTMCell looped in Python, the
same way this engine unrolls) and HIPS autograd (the same numpy step code,
differentiated by autograd).

Run:  python -m benchmarks.bptt_step            (writes its section of docs/benchmarks.md)
      python -m benchmarks.bptt_step --quick    (fewer repeats, prints only)
"""
from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse
import gc
import time
import tracemalloc
from typing import Callable, Optional

import numpy as np

import nets
from nets import reference

from .report import machine_line, write_section

CONFIGS = [  # (B, T, D, H), the two targets
    (32, 50, 16, 128),
    (1, 1000, 4, 32),
]
TARGETS = {(32, 50, 16, 128): 1.15, (1, 1000, 4, 32): 2.0}


def engine_step(net: nets.RecurrentNet, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    def step() -> None:
        net.zero_grad()
        output, _ = net(x)
        error = output - y
        (error * error).sum().backward()
    return step


def reference_step(kind: str, params: dict, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    forward = reference.rnn_forward if kind == "rnn" else reference.lstm_forward
    backward = reference.rnn_backward if kind == "rnn" else reference.lstm_backward

    def step() -> None:
        output, _, cache = forward(params, x)
        backward(params, cache, 2.0 * (output - y))
    return step


def torch_step(kind: str, params: dict, x: np.ndarray, y: np.ndarray) -> Optional[Callable[[], None]]:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    D, H = x.shape[2], params["weight_hh_l0"].shape[1]
    cell = (torch.nn.RNNCell if kind == "rnn" else torch.nn.LSTMCell)(D, H).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(torch.from_numpy(params[name + "_l0"]))
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> None:
        cell.zero_grad()
        h = torch.zeros(x.shape[1], H, dtype=torch.float64)
        c = torch.zeros_like(h)
        loss = 0.0
        for t in range(x.shape[0]):
            if kind == "rnn":
                h = cell(xs[t], h)
            else:
                h, c = cell(xs[t], (h, c))
            loss = loss + ((h - ys[t]) ** 2).sum()
        loss.backward()
    return step


def hips_step(kind: str, params: dict, x: np.ndarray, y: np.ndarray) -> Optional[Callable[[], None]]:
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        return None
    names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")

    def loss(weights: list) -> float:
        w_ih, w_hh, b_ih, b_hh = weights
        H = w_hh.shape[1]
        h = anp.zeros((x.shape[1], H))
        c = anp.zeros((x.shape[1], H))
        total = 0.0
        for t in range(x.shape[0]):
            gates = anp.dot(x[t], w_ih.T) + b_ih + anp.dot(h, w_hh.T) + b_hh
            if kind == "rnn":
                h = anp.tanh(gates)
            else:
                i, f = 1 / (1 + anp.exp(-gates[:, :H])), 1 / (1 + anp.exp(-gates[:, H:2 * H]))
                g, o = anp.tanh(gates[:, 2 * H:3 * H]), 1 / (1 + anp.exp(-gates[:, 3 * H:]))
                c = f * c + i * g
                h = o * anp.tanh(c)
            total = total + anp.sum((h - y[t]) ** 2)
        return total

    gradient = autograd.grad(loss)
    weights = [params[n] for n in names]
    return lambda: gradient(weights)


def time_interleaved(functions: dict[str, Callable[[], None]], repeats: int) -> dict[str, list[float]]:
    """``repeats`` timings of each function, the functions taking turns (one round = one call each).

    CPU time of this process (``time.process_time``), not wall time: with one
    BLAS thread the two are the same on an idle machine, and CPU time is not
    inflated when another process shares the core.
    """
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for function in functions.values():
        function()                                    # warm up caches and allocators
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.process_time()
            function()
            samples[name].append(time.process_time() - start)
    return samples


def typical(times: list[float]) -> float:
    """The median of the fastest half: robust to the occasional slow run."""
    return float(np.median(sorted(times)[:max(1, len(times) // 2)]))


def ratio_to_reference(samples: dict[str, list[float]], name: str) -> float:
    """Median over rounds of (time of `name`) / (reference's time in the same round).

    Comparing within a round cancels the slow drifts of a shared machine
    (frequency, neighbours), which move both timings of a round together.
    """
    return float(np.median(np.array(samples[name]) / np.array(samples["reference"])))


def peak_memory(function: Callable[[], None]) -> float:
    """Peak bytes allocated (numpy data included: numpy reports to tracemalloc) during one call."""
    gc.collect()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def measure(kind: str, B: int, T: int, D: int, H: int, repeats: int, others: bool) -> dict:
    rng = np.random.default_rng(0)
    net = (nets.RNN if kind == "rnn" else nets.LSTM)(D, H, rng=0)
    params = {name: p.data.copy() for name, p in net.named_parameters()}
    x, y = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
    reference_run = reference_step(kind, params, x, y)
    # Two passes, each against the reference: the engine's own figure is not
    # disturbed by the other libraries' memory churn between its runs.
    passes = [{"engine": engine_step(net, x, y), "reference": reference_run}]
    if others:
        competitors = {"reference": reference_run}
        for name, make in (("pytorch", torch_step), ("hips", hips_step)):
            function = make(kind, params, x, y)
            if function is not None:
                competitors[name] = function
        if len(competitors) > 1:
            passes.append(competitors)
    times, ratios, functions = {}, {}, {}
    for functions_of_pass in passes:
        samples = time_interleaved(functions_of_pass, repeats)
        for name, values in samples.items():
            times.setdefault(name, typical(values))
            ratios.setdefault(name, ratio_to_reference(samples, name))
        functions.update(functions_of_pass)
    memory = {name: peak_memory(functions[name]) for name in ("engine", "reference")}
    return {"times": times, "ratios": ratios, "memory": memory}


def missed_sentence(rows: list) -> str:
    """What the table says about the targets, in words, from the same rows (so the prose cannot drift)."""
    missed = [f"{kind.upper()} (B={B}, T={T}, {ratios['engine']:.2f}x against {target}x)"
              for kind, B, T, D, H, times, ratios, target, memory in rows if ratios["engine"] > target]
    memory = [m["engine"] / m["reference"] for *_, m in rows]
    where = (f"Missed in this run: {', '.join(missed)}." if missed else "Every target is met in this run.")
    return (f"{where} What remains of the gap is mostly memory: the engine keeps every intermediate of the "
            f"unrolled graph (the peak-memory column: {min(memory):.1f} to {max(memory):.1f} times the "
            f"reference's cache), and walking that much more memory costs time; the summed-squared-error "
            f"loss is also computed by the engine as ops rather than handed over as 2(y - d).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; print, do not write the docs")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--no-others", action="store_true", help="skip PyTorch and HIPS autograd")
    args = parser.parse_args()
    repeats = args.repeats or (6 if args.quick else 30)

    rows = []
    for kind in ("rnn", "lstm"):
        for B, T, D, H in CONFIGS:
            result = measure(kind, B, T, D, H, repeats, not args.no_others)
            times, ratios, memory = result["times"], result["ratios"], result["memory"]
            ratio = ratios["engine"]
            target = TARGETS[(B, T, D, H)]
            extra = " ".join(f"{name} {times[name] * 1e3:.1f} ms ({ratios[name]:.1f}x)"
                             for name in ("pytorch", "hips") if name in times)
            print(f"{kind:4s} B={B:2d} T={T:4d} D={D:2d} H={H:3d}: engine {times['engine'] * 1e3:7.2f} ms, "
                  f"reference {times['reference'] * 1e3:7.2f} ms, ratio {ratio:.2f} (target {target}) {extra}; "
                  f"peak memory engine {memory['engine'] / 2**20:.1f} MiB, reference "
                  f"{memory['reference'] / 2**20:.1f} MiB")
            rows.append((kind, B, T, D, H, times, ratios, target, memory))
    if args.quick:
        return

    lines = [
        "## One BPTT step: nets vs the hand-written numpy reference",
        "",
        "Forward over the sequence, summed squared error at every step, backward to all parameters; "
        "float64, one BLAS thread, CPU time. Engine and reference take turns in one process for "
        + str(repeats) + " rounds; then, in a second pass, the reference, PyTorch and HIPS autograd. "
        "Times: median of the fastest half (first pass for the reference); ratios: median over rounds "
        "of the time divided by the reference's time in the same round. Peak memory: tracemalloc's peak during one step "
        "(the unrolled graph for the engine, the forward cache for the reference).",
        "",
        "| net | B | T | D | H | engine (ms) | reference (ms) | ratio | target | PyTorch cell loop | "
        "HIPS autograd | peak MiB engine / reference |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, B, T, D, H, times, ratios, target, memory in rows:
        ratio = ratios["engine"]
        others = []
        for name in ("pytorch", "hips"):
            others.append(f"{times[name] * 1e3:.1f} ms ({ratios[name]:.1f}x)"
                          if name in times else "not installed")
        verdict = "met" if ratio <= target else "missed"
        lines.append(f"| {kind.upper()} | {B} | {T} | {D} | {H} | {times['engine'] * 1e3:.2f} | "
                     f"{times['reference'] * 1e3:.2f} | **{ratio:.2f}x** | {target}x ({verdict}) | "
                     f"{others[0]} | {others[1]} | {memory['engine'] / 2**20:.1f} / "
                     f"{memory['reference'] / 2**20:.1f} |")
    lines += [
        "",
        "What the engine does to get there, each found by profiling (see docs/engine.md, \"Where the "
        "time goes\"): one `linear` op for W h + b instead of matmul, transpose and add; the input "
        "projection of all time steps in one matrix product; a backward that consumes each step's "
        "gradients as soon as they are complete (use counts, a last-in-first-out ready stack); ops as "
        "module-level forward/backward pairs instead of closures (a third fewer Python objects for the "
        "garbage collector to walk), with the collector paused while a graph is built or walked; and "
        "glibc told to keep freed memory, so a step does not page-fault its arrays back in. None of "
        "it is specific to recurrent nets, and no cell is fused: a step is the seeds' equations, op by op.",
        "",
        "The ratios move by a few hundredths from run to run on this (shared, virtual) machine; "
        "`python -m benchmarks.bptt_step --quick --no-others` gives a quick reading. "
        + missed_sentence(rows),
        "",
        machine_line(), "", "Rerun: `python -m benchmarks.bptt_step` "
        "(PyTorch and HIPS autograd columns appear when `torch` and `autograd` are installed)."]
    write_section("bptt_step", "\n".join(lines))


if __name__ == "__main__":
    main()
