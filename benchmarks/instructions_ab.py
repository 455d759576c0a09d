"""Two engines compared by the instructions one BPTT step executes: an A/B that a busy machine cannot blur.

    python -m benchmarks.instructions_ab BASE HEAD [--only "B=1"]

``engine_ab`` times two checkouts; on a shared machine its rounds scatter by ±5-10%, too much to
tell a 2% change from none. This script counts instead: it runs one checkout's BPTT step under
valgrind's callgrind (a CPU simulator that counts every executed instruction, ``Ir``) and reports
instructions per step, which do not depend on what else the machine is doing. A process runs
``1`` and then ``3`` steps of the same net on the same data; the difference over 2 is one steady-state
step without the import and the first step's warm-up.

Instructions are not time (a cache miss costs more than an add), but in the overhead-bound case
(B=1), where the step is the Python interpreter working through the engine's code, they follow it
closely; at B=32 the BLAS kernels dominate both. Needs ``valgrind`` (``apt install valgrind``);
a run takes about 30 s per case and checkout. Prints a markdown table and writes nothing.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.engine_ab import BPTT_SHAPES, revision, side_directory

STEPS = (1, 3)


def child(kind: str, shape: str, steps: int) -> None:
    """Run ``steps`` BPTT steps of ``kind`` at ``shape`` ("B,T,D,H") in this process."""
    import numpy as np

    import minigrad as mg
    from benchmarks.bptt_step import NETS, engine_step

    if hasattr(mg, "tune_allocator"):   # an engine that no longer tunes the allocator on import
        mg.tune_allocator()
    B, T, D, H = (int(n) for n in shape.split(","))
    rng = np.random.default_rng(0)
    net = NETS[kind](D, H, rng=0)
    step = engine_step(net, rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H)))
    for _ in range(steps):
        step()


def instructions(side: Path, kind: str, shape: tuple[int, int, int, int], steps: int) -> int:
    """Instructions callgrind counts for one process of ``steps`` steps with ``side``'s engine."""
    # PYTHONHASHSEED: the same string hashes (so the same set order, the same work) in every process.
    environment = dict(os.environ, PYTHONPATH=str(side), PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1",
                       OMP_NUM_THREADS="1")
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
               "-m", "benchmarks.instructions_ab", "--child", kind, ",".join(map(str, shape)), str(steps)]
    done = subprocess.run(command, cwd=side, env=environment, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"instructions_ab: callgrind printed no count for {kind} {shape}:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_step(side: Path, kind: str, shape: tuple[int, int, int, int]) -> float:
    few, many = (instructions(side, kind, shape, steps) for steps in STEPS)
    return (many - few) / (STEPS[1] - STEPS[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", type=Path)
    parser.add_argument("head", nargs="?", type=Path)
    parser.add_argument("--only", default="", help="only the cases whose name contains this (e.g. 'B=1', 'lstm')")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "SHAPE", "STEPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    if args.base is None or args.head is None:
        parser.error("give two checkouts: BASE HEAD")
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not on PATH (apt install valgrind)")
    print(f"HEAD {revision(args.head)} against BASE {revision(args.base)}: instructions per BPTT step "
          f"(callgrind Ir, ({STEPS[1]} steps - {STEPS[0]} step) / {STEPS[1] - STEPS[0]}).\n")
    print("| case | BASE (10^6 instructions) | HEAD (10^6 instructions) | HEAD / BASE |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as parent:
        sides = {label: side_directory(root, Path(parent), label)
                 for label, root in (("base", args.base), ("head", args.head))}
        for kind in ("rnn", "lstm", "gru"):
            for shape in BPTT_SHAPES:
                name = f"{kind} B={shape[0]} T={shape[1]} H={shape[3]}"
                if args.only not in name:
                    continue
                base, head = (per_step(sides[label], kind, shape) for label in ("base", "head"))
                print(f"| {name} | {base / 1e6:.2f} | {head / 1e6:.2f} | {head / base:.4f} |", flush=True)


if __name__ == "__main__":
    main()
