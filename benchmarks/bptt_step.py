"""One BPTT step of nets.RNN, nets.LSTM and nets.GRU against two hand-written numpy floors.

One step = forward over the whole sequence + summed squared error over all
time steps (many-to-many) + backward to every parameter, float64, one BLAS
thread. The engine runs interleaved with two hand-written BPTTs of the same
math (``benchmarks/handwritten.py``): the *per-step* one, the lectures' loop
as written (``nets/reference/`` for the RNN and LSTM), and the *careful*
one (input projection hoisted out of the loop, preallocated buffers updated
in place, each weight gradient one product over all steps after the sweep).
The three take turns in the same process; a ratio is the median over rounds
of the engine's time over a floor's time in the same round, so that a
background hiccup or a drift of the machine's speed does not decide it.

Optional columns, if the packages are installed (they are not dependencies):
PyTorch (its autograd, with nn.RNNCell / nn.LSTMCell / nn.GRUCell looped in
Python, the same way this engine unrolls) and HIPS autograd (the same numpy
step code, differentiated by autograd).

A second table: an RNN (B=1, D=4, H=16) at T = 10^3, 10^4, 10^5, each in a
fresh process, for time and peak memory per step (it must stay linear in T),
with PyTorch's cell loop beside it.

Run:  python -m benchmarks.bptt_step            (writes its sections of docs/benchmarks.md)
      python -m benchmarks.bptt_step --quick    (fewer repeats, prints only)
"""
from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse
import gc
import json
import subprocess
import sys
import time
import tracemalloc
from typing import Callable, Optional

import numpy as np

import nets
from minigrad.tensor import count_uses
from nets import reference

from . import handwritten
from .report import engine_revision, machine_line, write_section

KINDS = ("rnn", "lstm", "gru")
NETS = {"rnn": nets.RNN, "lstm": nets.LSTM, "gru": nets.GRU}
CONFIGS = [  # (B, T, D, H): the two target shapes, and a large one
    (32, 50, 16, 128),
    (1, 1000, 4, 32),
    (128, 100, 32, 256),
]
# Engine / per-step floor, for the RNN and the LSTM; the careful floor's aim is FLOOR_AIM everywhere.
TARGETS = {(32, 50, 16, 128): 1.10, (1, 1000, 4, 32): 1.5}
FLOOR_AIM = 1.2
PASS_SECONDS = 40.0         # fewer rounds for a pass whose rounds are slow (the large shape)
SCALING_T = (1_000, 10_000, 100_000)
SCALING_SHAPE = (1, 4, 16)  # B, D, H of the long-sequence RNN


def engine_step(net: nets.RecurrentNet, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    def step() -> None:
        net.zero_grad()
        output, _ = net(x)
        error = output - y
        (error * error).sum().backward()
    return step


def per_step_floor(kind: str, params: dict, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    """The lectures' BPTT as written: nets/reference/ (RNN, LSTM), handwritten.gru_per_step (GRU)."""
    if kind == "gru":
        return lambda: handwritten.gru_per_step(params, x, lambda output: 2.0 * (output - y))
    forward = reference.rnn_forward if kind == "rnn" else reference.lstm_forward
    backward = reference.rnn_backward if kind == "rnn" else reference.lstm_backward

    def step() -> None:
        output, _, cache = forward(params, x)
        backward(params, cache, 2.0 * (output - y))
    return step


def careful_floor(kind: str, params: dict, x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    """The careful hand-written BPTT (handwritten.py): hoisted projection, in place, one product per weight."""
    careful = handwritten.CAREFUL[kind]
    return lambda: careful(params, x, lambda output: 2.0 * (output - y))


def torch_step(kind: str, params: dict, x: np.ndarray, y: np.ndarray) -> Optional[Callable[[], None]]:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    D, H = x.shape[2], params["weight_hh_l0"].shape[1]
    cell = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[kind](D, H).double()
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
            if kind == "lstm":
                h, c = cell(xs[t], (h, c))
            else:
                h = cell(xs[t], h)
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
            xp, hp = anp.dot(x[t], w_ih.T) + b_ih, anp.dot(h, w_hh.T) + b_hh
            if kind == "rnn":
                h = anp.tanh(xp + hp)
            elif kind == "lstm":
                gates = xp + hp
                i, f = 1 / (1 + anp.exp(-gates[:, :H])), 1 / (1 + anp.exp(-gates[:, H:2 * H]))
                g, o = anp.tanh(gates[:, 2 * H:3 * H]), 1 / (1 + anp.exp(-gates[:, 3 * H:]))
                c = f * c + i * g
                h = o * anp.tanh(c)
            else:                                   # the GRU: b_hn stays inside r * (W_hn h + b_hn)
                r = 1 / (1 + anp.exp(-(xp[:, :H] + hp[:, :H])))
                z = 1 / (1 + anp.exp(-(xp[:, H:2 * H] + hp[:, H:2 * H])))
                n = anp.tanh(xp[:, 2 * H:] + r * hp[:, 2 * H:])
                h = (1 - z) * n + z * h
            total = total + anp.sum((h - y[t]) ** 2)
        return total

    gradient = autograd.grad(loss)
    weights = [params[n] for n in names]
    return lambda: gradient(weights)


def time_interleaved(functions: dict[str, Callable[[], None]], repeats: int) -> dict[str, list[float]]:
    """Up to ``repeats`` timings of each function, the functions taking turns (one round = one call each).

    CPU time of this process (``time.process_time``), not wall time: with one
    BLAS thread the two are the same on an idle machine, and CPU time is not
    inflated when another process shares the core. The warm-up round also
    sizes the pass: a shape whose rounds are slow gets fewer of them (at least
    five), so that a pass lasts about PASS_SECONDS.
    """
    samples: dict[str, list[float]] = {name: [] for name in functions}
    start = time.process_time()
    for function in functions.values():
        function()                                    # warm up caches and allocators
    round_seconds = time.process_time() - start
    rounds = max(5, min(repeats, int(PASS_SECONDS / max(round_seconds, 1e-9))))
    for _ in range(rounds):
        for name, function in functions.items():
            start = time.process_time()
            function()
            samples[name].append(time.process_time() - start)
    return samples


def typical(times: list[float]) -> float:
    """The median of the fastest half: robust to the occasional slow run."""
    return float(np.median(sorted(times)[:max(1, len(times) // 2)]))


def ratio_to(samples: dict[str, list[float]], name: str, floor: str) -> float:
    """Median over rounds of (time of `name`) / (time of `floor` in the same round).

    Comparing within a round cancels the slow drifts of a shared machine
    (frequency, neighbours), which move both timings of a round together.
    """
    return float(np.median(np.array(samples[name]) / np.array(samples[floor])))


def peak_memory(function: Callable[[], None]) -> float:
    """Peak bytes allocated (numpy data included: numpy reports to tracemalloc) during one call."""
    gc.collect()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def measure(kind: str, B: int, T: int, D: int, H: int, repeats: int, others: bool) -> dict:
    """Times, ratios to both floors, and peak memory of one BPTT step of net `kind` at (B, T, D, H)."""
    rng = np.random.default_rng(0)
    net = NETS[kind](D, H, rng=0)
    params = {name: p.data.copy() for name, p in net.named_parameters()}
    x, y = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
    per_step, careful = per_step_floor(kind, params, x, y), careful_floor(kind, params, x, y)
    # Two passes, each against the per-step floor: the engine's own figure is not
    # disturbed by the other libraries' memory churn between its runs.
    functions = {"engine": engine_step(net, x, y), "per_step": per_step, "careful": careful}
    samples = time_interleaved(functions, repeats)
    times = {name: typical(values) for name, values in samples.items()}
    ratios = {"per_step": ratio_to(samples, "engine", "per_step"),
              "careful": ratio_to(samples, "engine", "careful")}
    rounds = len(samples["engine"])
    if others:
        competitors = {"per_step": per_step}
        for name, make in (("pytorch", torch_step), ("hips", hips_step)):
            function = make(kind, params, x, y)
            if function is not None:
                competitors[name] = function
        if len(competitors) > 1:
            samples = time_interleaved(competitors, max(5, repeats // 3))
            for name in competitors:
                if name != "per_step":
                    times[name] = typical(samples[name])
                    ratios[name] = ratio_to(samples, name, "per_step")
    memory = {name: peak_memory(functions[name]) for name in functions}
    return {"times": times, "ratios": ratios, "memory": memory, "rounds": rounds}


# ------------------------------------------------- long sequences: time and memory against T
def scaling_child(library: str, T: int) -> dict:
    """One BPTT step of an RNN over T steps in this (fresh) process: CPU time and peak memory.

    ``rss_mb``: growth of the resident set during the step (its peak minus the
    size before it), for the engine and PyTorch alike; ``traced_mb`` (engine
    only): tracemalloc's peak over a second step, what Python and numpy allocate.
    """
    B, D, H = SCALING_SHAPE
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
    if library == "engine":
        net = nets.RNN(D, H, rng=0)
        step = engine_step(net, x, y)
        engine_step(net, x[:100], y[:100])()          # warm up on a short sequence
    else:
        net = nets.RNN(D, H, rng=0)
        params = {name: p.data.copy() for name, p in net.named_parameters()}
        step = torch_step("rnn", params, x, y)
        torch_step("rnn", params, x[:100], y[:100])()
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")                         # Linux: the peak (VmHWM) restarts from the current size
    before = resident_bytes("VmRSS")
    start = time.process_time()
    step()
    seconds = time.process_time() - start
    result = {"seconds": seconds, "rss_mb": (resident_bytes("VmHWM") - before) / 1e6}
    if library == "engine":
        gc.collect()
        tracemalloc.start()
        step()
        result["traced_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result


def resident_bytes(field: str) -> int:
    """This process's resident size (``VmRSS``) or its peak (``VmHWM``), from /proc/self/status."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"bptt_step: no {field} in /proc/self/status")


def scaling(with_torch: bool) -> dict[tuple[str, int], dict]:
    """``scaling_child`` for each library and T, each in a fresh process (so peaks do not mix)."""
    results = {}
    for T in SCALING_T:
        for library in ("engine", "pytorch") if with_torch else ("engine",):
            command = [sys.executable, "-m", "benchmarks.bptt_step", "--scaling-child", library, str(T)]
            done = subprocess.run(command, capture_output=True, text=True, check=True,
                                  cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            results[(library, T)] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def torch_installed() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------- where the time goes when B = 1
def time_split(kind: str, B: int, T: int, D: int, H: int, repeats: int) -> dict:
    """The engine's step cut in three, per time step: the forward (graph building), count_uses, the rest of backward.

    Each part is timed on its own over ``repeats`` steps (median of the
    fastest half), next to both floors' whole step, so that the overhead-bound
    case (B = 1) shows which part of the engine the remaining time is in.
    """
    rng = np.random.default_rng(0)
    net = NETS[kind](D, H, rng=0)
    params = {name: p.data.copy() for name, p in net.named_parameters()}
    x, y = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
    floors = {"per_step": per_step_floor(kind, params, x, y), "careful": careful_floor(kind, params, x, y)}
    parts: dict[str, list[float]] = {"forward": [], "count_uses": [], "backward": [], "per_step": [], "careful": []}
    nodes = 0
    for _ in range(repeats + 1):
        net.zero_grad()
        start = time.process_time()
        output, _ = net(x)
        error = output - y
        loss = (error * error).sum()
        built = time.process_time()
        nodes = len(count_uses(loss))
        counted = time.process_time()
        loss.backward()                       # counts the uses again, then the loop
        done = time.process_time()
        parts["forward"].append(built - start)
        parts["count_uses"].append(counted - built)
        parts["backward"].append(done - counted - (counted - built))
        for name, floor in floors.items():
            start = time.process_time()
            floor()
            parts[name].append(time.process_time() - start)
    per_step_us = {name: typical(values[1:]) / T * 1e6 for name, values in parts.items()}
    return {"us_per_step": per_step_us, "nodes_per_step": nodes / T}


# ----------------------------------------------------------------------------- report
def verdict(ratio: float, aim: Optional[float]) -> str:
    if aim is None:
        return "–"
    return f"{aim}x ({'met' if ratio <= aim else 'missed'})"


def steps_table(rows: list, repeats: int) -> list[str]:
    lines = [
        "## One BPTT step: nets against two hand-written numpy floors",
        "",
        "Forward over the sequence, summed squared error at every step, backward to all parameters; "
        "float64, one BLAS thread, CPU time. *per-step floor*: the lectures' BPTT as written, with the "
        "input projection and the weight-gradient `+=` inside the loop over time (`nets/reference/`; "
        "`benchmarks/handwritten.py` for the GRU). *careful floor*: the same math as a careful person "
        "writes it (`benchmarks/handwritten.py`): the input projection of all steps in one product before "
        "the loop, preallocated buffers updated in place, no input gradient, and each weight gradient one "
        "product over all steps after the sweep. The engine and both floors take turns in one process "
        f"(up to {repeats} rounds, fewer for slow shapes: the *rounds* column); then, in a second pass, the "
        "per-step floor, PyTorch and HIPS autograd. Times: median of the fastest half; ratios: median over "
        "rounds of the time divided by the floor's time in the same round. Targets (engine / per-step "
        "floor, RNN and LSTM): 1.10 at B=32 T=50 H=128, 1.5 at B=1 T=1000 H=32; against the careful floor "
        f"the aim is {FLOOR_AIM}. Peak memory: tracemalloc's peak during one step.",
        "",
        "| net | B | T | D | H | engine (ms) | per-step floor (ms) | careful floor (ms) | engine / per-step "
        "| target | engine / careful | PyTorch cell loop | HIPS autograd | rounds "
        "| peak MiB engine / per-step / careful |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, (B, T, D, H), result in rows:
        times, ratios, memory = result["times"], result["ratios"], result["memory"]
        target = TARGETS.get((B, T, D, H)) if kind in ("rnn", "lstm") else None
        others = [f"{times[name] * 1e3:.1f} ms ({ratios[name]:.1f}x per-step)" if name in times
                  else "not installed" for name in ("pytorch", "hips")]
        lines.append(
            f"| {kind.upper()} | {B} | {T} | {D} | {H} | {times['engine'] * 1e3:.2f} | "
            f"{times['per_step'] * 1e3:.2f} | {times['careful'] * 1e3:.2f} | **{ratios['per_step']:.2f}x** | "
            f"{verdict(round(ratios['per_step'], 2), target)} | **{ratios['careful']:.2f}x** "
            f"({'met' if ratios['careful'] <= FLOOR_AIM else 'above'} {FLOOR_AIM}) | {others[0]} | {others[1]} | "
            f"{result['rounds']} | {memory['engine'] / 2**20:.1f} / {memory['per_step'] / 2**20:.1f} / "
            f"{memory['careful'] / 2**20:.1f} |")
    return lines


def scaling_table(results: dict) -> list[str]:
    B, D, H = SCALING_SHAPE
    with_torch = any(library == "pytorch" for library, _ in results)
    lines = [
        f"### Long sequences: an RNN (B={B}, D={D}, H={H}) at T = 10^3, 10^4, 10^5",
        "",
        "One BPTT step (forward, summed squared error, backward), each in a fresh process after a "
        "100-step warm-up. *RSS growth*: peak resident size during the step minus the size before it "
        "(getrusage), comparable across libraries; *traced*: tracemalloc's peak over a second step (what "
        "Python and numpy allocate). Per step = divided by T: constant columns mean linear in T.",
        "",
        "| T | engine (s) | engine µs/step | engine RSS growth MB | engine traced MB | traced KB/step | "
        + ("PyTorch cell loop (s) | PyTorch µs/step | PyTorch RSS growth MB |" if with_torch else ""),
        "|---|---|---|---|---|---|" + ("---|---|---|" if with_torch else ""),
    ]
    for T in SCALING_T:
        engine = results[("engine", T)]
        line = (f"| {T:,} | {engine['seconds']:.2f} | {engine['seconds'] / T * 1e6:.1f} | "
                f"{engine['rss_mb']:.0f} | {engine['traced_mb']:.0f} | {engine['traced_mb'] / T * 1e3:.2f} |")
        if with_torch:
            other = results[("pytorch", T)]
            line += f" {other['seconds']:.2f} | {other['seconds'] / T * 1e6:.1f} | {other['rss_mb']:.0f} |"
        lines.append(line)
    return lines


def split_table(splits: dict[str, dict], shape: tuple[int, int, int, int]) -> list[str]:
    B, T, D, H = shape
    lines = [
        f"### Where the time goes in the overhead-bound case (B={B}, T={T}, D={D}, H={H})",
        "",
        "Microseconds per time step. The engine's step timed in parts (`time_split`): *forward* builds "
        "the graph (the ops' numpy calls and one Tensor per op), *count_uses* is backward's first walk "
        "over the graph, *backward loop* the rest of backward (every VJP and the pooling). *tensors per "
        "step*: the graph's size over T.",
        "",
        "| net | tensors per step | forward | count_uses | backward loop | engine total | per-step floor "
        "| careful floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, split in splits.items():
        us = split["us_per_step"]
        total = us["forward"] + us["count_uses"] + us["backward"]
        lines.append(f"| {kind.upper()} | {split['nodes_per_step']:.0f} | {us['forward']:.1f} | "
                     f"{us['count_uses']:.1f} | {us['backward']:.1f} | {total:.1f} | {us['per_step']:.1f} | "
                     f"{us['careful']:.1f} |")
    return lines


def remarks(rows: list, splits: dict[str, dict]) -> list[str]:
    """What the engine does, and where the remaining gap is, with this run's figures."""
    ratio = {(kind, shape): result["ratios"] for kind, shape, result in rows}
    big = [r["careful"] for (kind, shape), r in ratio.items() if shape[0] >= 32]
    lines = [
        "",
        "What the engine does to get there (docs/engine.md): one `linear` op for W h + b; the input "
        "projection of all time steps in one matrix product; a backward that consumes each step's "
        "gradients as soon as they are complete (use counts, a last-in-first-out ready stack); a shared "
        "weight's gradient pooled as one product over all its uses, dW = G^T X, formed when its last use "
        "is processed (section 5 of engine.md), instead of T small products and T additions; ops as "
        "module-level forward/backward pairs, each result built in one constructor call; the garbage "
        "collector paused while a graph is built or walked; glibc told to keep freed memory. None of it "
        "is specific to recurrent nets, and no cell is fused: a step is the seeds' equations, op by op.",
        "",
        "One difference in kernels, so that the ratios are read right: the engine's sigmoid is "
        "1/(1 + e^-x) with a clamped exponent, the per-step floor (`nets/reference/`, the oracle, left "
        "as the lectures write it) uses 0.5 (1 + tanh(x/2)), which is about twice as slow where numpy's "
        "tanh is not vectorized (this CPU); the careful floor uses the engine's kernel, so the ratio to "
        "it compares like with like.",
    ]
    if big and any(kind == "lstm" for kind, _ in ratio):
        lines += ["", f"With a batch (B = 32 and 128) the numpy work dominates: the engine is "
                      f"{min(big):.2f}x to {max(big):.2f}x the careful floor. Part of that is the nets' "
                      "choice, not the engine's: the LSTM takes one sigmoid over all four gate blocks "
                      "(two ops fewer per step, `nets/cells.py`), so it evaluates a fifth more tanh than "
                      "the careful floor (6H per row and step against 5H), and the engine keeps every "
                      "intermediate of the unrolled graph (the memory column)."]
    for kind, split in splits.items():
        us = split["us_per_step"]
        engine = us["forward"] + us["count_uses"] + us["backward"]
        lines += ["", f"At B = 1 ({kind.upper()}) the engine's step costs {engine:.0f} µs per time step for "
                      f"{split['nodes_per_step']:.0f} tensors, {engine / split['nodes_per_step']:.1f} µs per "
                      f"tensor for its forward and backward together, against {us['careful']:.0f} µs for "
                      f"the careful floor's whole step: at this size each numpy call costs about a "
                      "microsecond, and the engine's own work per op (a Tensor made in the forward, the "
                      "use count and the loop's bookkeeping in the backward) is the rest of the gap. "
                      f"count_uses alone is {us['count_uses']:.1f} µs per step."]
        break                                   # one net is enough for the sentence; the table has all
    return lines


def missed_sentence(rows: list) -> str:
    """What the table says about the targets, in words, from the same rows (so the prose cannot drift)."""
    missed = [f"{kind.upper()} (B={B}, T={T}, {result['ratios']['per_step']:.2f}x against {TARGETS[(B, T, D, H)]}x)"
              for kind, (B, T, D, H), result in rows
              if kind in ("rnn", "lstm") and (B, T, D, H) in TARGETS
              and round(result["ratios"]["per_step"], 2) > TARGETS[(B, T, D, H)]]
    return f"Missed in this run: {', '.join(missed)}." if missed else "Every target is met in this run."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; print, do not write the docs")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--no-others", action="store_true", help="skip PyTorch and HIPS autograd")
    parser.add_argument("--no-scaling", action="store_true", help="skip the T = 10^3 .. 10^5 table")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--section", default=None,
                        help="the docs/benchmarks.md section to write (default: by OPENBLAS_CORETYPE)")
    parser.add_argument("--scaling-child", nargs=2, metavar=("LIBRARY", "T"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scaling_child:
        library, T = args.scaling_child
        print(json.dumps(scaling_child(library, int(T))))
        return
    repeats = args.repeats or (6 if args.quick else 30)

    rows = []
    for kind in args.kinds:
        for B, T, D, H in CONFIGS:
            result = measure(kind, B, T, D, H, repeats, not args.no_others)
            times, ratios, memory = result["times"], result["ratios"], result["memory"]
            extra = " ".join(f"{name} {times[name] * 1e3:.1f} ms ({ratios[name]:.1f}x)"
                             for name in ("pytorch", "hips") if name in times)
            print(f"{kind:4s} B={B:3d} T={T:4d} D={D:2d} H={H:3d}: engine {times['engine'] * 1e3:8.2f} ms, "
                  f"per-step {times['per_step'] * 1e3:8.2f} ms ({ratios['per_step']:.2f}x), careful "
                  f"{times['careful'] * 1e3:8.2f} ms ({ratios['careful']:.2f}x) {extra}; peak MiB "
                  f"{memory['engine'] / 2**20:.1f} / {memory['per_step'] / 2**20:.1f} / "
                  f"{memory['careful'] / 2**20:.1f}; {result['rounds']} rounds", flush=True)
            rows.append((kind, (B, T, D, H), result))
    lines = steps_table(rows, repeats)
    overhead_bound = (1, 1000, 4, 32)
    splits = {kind: time_split(kind, *overhead_bound, repeats=max(5, repeats // 2)) for kind in args.kinds}
    table = split_table(splits, overhead_bound)
    print("\n".join(table), flush=True)
    lines += ["", missed_sentence(rows), ""] + table + remarks(rows, {kind: splits[kind] for kind in ("lstm",) if kind in splits})
    if not args.no_scaling:
        results = scaling(torch_installed() and not args.no_others)
        table = scaling_table(results)
        print("\n".join(table))
        lines += [""] + table
    if args.quick:
        return
    command = " ".join(["python -m benchmarks.bptt_step"] + sys.argv[1:])
    # Issue 11 asks for the targets "with the machine's BLAS as it is and with OPENBLAS_CORETYPE unset".
    blas_note = ("" if os.environ.get("OPENBLAS_CORETYPE") else
                 " This environment does not set OPENBLAS_CORETYPE, so the machine's BLAS \"as it is\" and "
                 "\"with OPENBLAS_CORETYPE unset\" are one configuration here, and this run covers both.")
    lines += [
        "",
        machine_line() + blas_note + f" Load average {os.getloadavg()[0]:.1f} at the end (2 cores, shared with "
        "other jobs: absolute times are noisy, ratios of the same round much less).",
        "",
        f"Recorded with: `{command}` at {engine_revision()} (PyTorch and HIPS autograd columns appear "
        "when `torch` and `autograd` are installed)."]
    write_section(args.section or section_name(), "\n".join(lines))


def section_name() -> str:
    """One section per BLAS setting, so that both can be kept side by side."""
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return "bptt_step" if not coretype else f"bptt_step_openblas_{coretype.lower()}"


if __name__ == "__main__":
    main()
