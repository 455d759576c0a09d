"""Two engines, timed against each other: is a change to minigrad/ measurably slower?

    python -m benchmarks.engine_ab BASE HEAD [--rounds 20]

BASE and HEAD are checkouts of the repository (e.g. ``git worktree add /tmp/base
56d7dc2``). Each side runs in its own process, with ``minigrad`` and ``nets`` from
its checkout and the benchmark code (this file, ``bptt_step``, ``op_overhead``)
from the repository it is run from, so that both sides are timed by the same code.
The processes alternate (A B B A A B ...), one round = one process of each.

A process times, for each case, the engine and its numpy reference in turns (the
per-step hand-written BPTT of ``bptt_step``; the op's bare numpy forward+backward
of ``op_overhead``) and keeps the minimum of each. The figure per case is the
median over rounds of HEAD / BASE for the engine's time divided by its reference's
time in the same process: the reference is the same code on both sides, so
dividing by it cancels what the machine did to that process (frequency,
neighbours). The raw engine-time ratio is printed beside it.

Prints a markdown table; it writes nothing (the run recorded in
docs/benchmarks.md says its command).
"""
from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

HERE = Path(__file__).resolve().parent
BPTT_SHAPES = [(32, 50, 16, 128), (1, 1000, 4, 32)]    # (B, T, D, H): issue 11's two target shapes
BPTT_REPEATS = 7
OP_REPEATS = 5
OP_SECONDS = 0.02


def cpu_seconds_per_call(function: Callable[[], object]) -> float:
    """CPU time per call (``time.process_time``: not inflated while another process has the core),
    the minimum over OP_REPEATS runs of enough calls to last about OP_SECONDS."""
    calls = 1
    while True:
        start = time.process_time()
        for _ in range(calls):
            function()
        elapsed = time.process_time() - start
        if elapsed >= OP_SECONDS / 10:
            break
        calls *= 10
    calls = max(1, int(calls * OP_SECONDS / elapsed))
    best = float("inf")
    for _ in range(OP_REPEATS):
        start = time.process_time()
        for _ in range(calls):
            function()
        best = min(best, (time.process_time() - start) / calls)
    return best


def child(only: str) -> None:
    """Time every case (whose name contains ``only``) in this process; print {case: [engine s, reference s]}."""
    from benchmarks import op_overhead
    from benchmarks.bptt_step import NETS, engine_step, per_step_floor

    results = {}
    for kind in ("rnn", "lstm", "gru"):
        for B, T, D, H in BPTT_SHAPES:
            name = f"{kind} B={B} T={T} H={H}"
            if only not in name:
                continue
            rng = np.random.default_rng(0)
            net = NETS[kind](D, H, rng=0)
            params = {name: np.array(p.data) for name, p in net.named_parameters()}
            x, y = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
            pair = (engine_step(net, x, y), per_step_floor(kind, params, x, y))
            best = [float("inf"), float("inf")]
            for function in pair:
                function()                                        # warm up
            for _ in range(BPTT_REPEATS):
                for k, function in enumerate(pair):
                    start = time.process_time()
                    function()
                    best[k] = min(best[k], time.process_time() - start)
            results[name] = best
    rng = np.random.default_rng(0)
    for case in [c for n in (op_overhead.TINY, op_overhead.LARGE) for c in op_overhead.cases(n, rng)]:
        name = f"op {case.op} {case.shape}"
        if only in name:
            results[name] = [cpu_seconds_per_call(case.minigrad_fwd_bwd), cpu_seconds_per_call(case.numpy_fwd_bwd)]
    print(json.dumps(results))


def side_directory(root: Path, parent: Path, label: str) -> Path:
    """A directory whose minigrad/ and nets/ are ``root``'s and whose benchmarks/ is this repository's."""
    side = parent / label
    side.mkdir()
    for package in ("minigrad", "nets"):
        (side / package).symlink_to(root.resolve() / package)
    (side / "benchmarks").symlink_to(HERE)
    return side


def run_side(side: Path, only: str) -> dict[str, list[float]]:
    environment = dict(os.environ, PYTHONPATH=str(side))
    done = subprocess.run([sys.executable, "-m", "benchmarks.engine_ab", "--child", "--only", only], cwd=side,
                          env=environment,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def revision(root: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", type=Path)
    parser.add_argument("head", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--only", default="", help="only the cases whose name contains this (e.g. 'B=1', 'op ')")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.only)
        return
    if args.base is None or args.head is None:
        parser.error("give two checkouts: BASE HEAD")
    with tempfile.TemporaryDirectory() as parent:
        sides = {"base": side_directory(args.base, Path(parent), "base"),
                 "head": side_directory(args.head, Path(parent), "head")}
        rounds: list[dict[str, dict]] = []
        for number in range(args.rounds):
            order = ("base", "head") if number % 2 == 0 else ("head", "base")
            rounds.append({label: run_side(sides[label], args.only) for label in order})
            print(f"round {number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    print(f"HEAD {revision(args.head)} against BASE {revision(args.base)}, {args.rounds} rounds "
          f"(alternating processes). Ratios HEAD / BASE: median over rounds, with the 25th-75th percentiles.\n")
    print("| case | engine / reference, HEAD / BASE | engine time, HEAD / BASE | BASE engine | HEAD engine |")
    print("|---|---:|---:|---:|---:|")
    for case in rounds[0]["base"]:
        normalized = np.array([(r["head"][case][0] / r["head"][case][1]) / (r["base"][case][0] / r["base"][case][1])
                               for r in rounds])
        raw = np.array([r["head"][case][0] / r["base"][case][0] for r in rounds])
        base_engine = np.median([r["base"][case][0] for r in rounds]) * 1e6
        head_engine = np.median([r["head"][case][0] for r in rounds]) * 1e6
        q1, q3 = np.percentile(normalized, [25, 75])
        print(f"| {case} | {np.median(normalized):.3f} ({q1:.3f}–{q3:.3f}) | {np.median(raw):.3f} | "
              f"{base_engine:.1f} µs | {head_engine:.1f} µs |")


if __name__ == "__main__":
    main()
