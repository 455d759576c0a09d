"""Benchmark: echo state network fit time and peak memory, against reservoirpy.

Run from the repository root:

    python -m benchmarks.esn_fit                      # full run, ~5-10 minutes
    python -m benchmarks.esn_fit --sizes 1000 2000 --repeats 1 --no-write   # quick look

What is measured, all on a one-input, one-output next-step Mackey-Glass task
(`nets.datasets.mackey_glass`, tau = 17):

1. Fit time and peak memory of `nets.ESN.fit` for reservoirs of 1,000 to
   10,000 units with 5 links per unit, on 20,000 steps. Building the
   reservoir (drawing W and scaling its spectral radius) is timed apart.
   Each child fits twice: a cold fit (the process's first, as in a script
   that fits once) and a warm one (a second reservoir of the same size,
   reusing the memory the first left behind).
2. The issue's target: a 2,000-unit, 5-links-per-unit reservoir must fit
   20,000 steps in half the time reservoirpy 0.4 takes, with the same
   hyperparameters. Child processes alternate between the two libraries
   and the medians are compared, cold and warm, because the machine may
   be shared. Next to it, the floor under both: the Gram matrix H H^T of
   random features of the same shape, alone.
3. One-step-ahead NRMSE with reservoirpy's documented Mackey-Glass set-up
   (100 units, leak 0.3, spectral radius 1.25), for both libraries on the
   same data, averaged over several seeds.

Every fit runs in a fresh child process, which measures its own memory with
resource.getrusage (tracemalloc does not see what BLAS and scipy allocate in
C): the peak resident size is reset just before `fit` (Linux's
/proc/self/clear_refs), and the figure reported is the peak during the fit
minus the resident size before it. The interpreter, the libraries, the data
and the reservoir's weights are not counted; everything `fit` allocates is.

With OPENBLAS_CORETYPE set in the environment (which makes OpenBLAS use the
named CPU's kernels instead of the ones it detects), the figures go to their
own section of docs/benchmarks.md, next to the default one; run with
`env -u OPENBLAS_CORETYPE` to measure OpenBLAS's own choice on a machine
whose environment sets it.

reservoirpy is run only if it is importable; it is not a dependency of
minigrad (install it by hand: `pip install reservoirpy`).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

from benchmarks.report import engine_revision, machine_line, write_section
from nets.datasets import mackey_glass
from nets.esn import DEFAULT_CHUNK_SIZE, ESN, _add_gram, nrmse

LINKS_PER_UNIT = 5
LEAK_RATE = 0.3
SPECTRAL_RADIUS = 1.25
RIDGE = 1e-6
# reservoirpy's documented one-step Mackey-Glass set-up.
SMALL_UNITS = 100
SMALL_RIDGE = 1e-7


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_memory_measurement() -> float:
    """Reset the peak resident size to the current one; return the current one, in MB.

    Linux resets the peak (VmHWM, which ru_maxrss reports) when "5" is
    written to /proc/self/clear_refs, so the peak read after the fit belongs
    to the fit, not to whatever came before (imports, data, building W).
    Elsewhere the peak cannot be reset and the figure is a lower bound.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def next_step_task(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs s(0..T-1) and targets s(1..T) of Mackey-Glass, each (T, 1)."""
    series = mackey_glass(steps + 1)
    return series[:-1], series[1:]


# --------------------------------------------------------------- child side


def build_model(library: str, units: int, X: np.ndarray, seed: int):
    """A reservoir of `units` units with its weights drawn, ready to fit."""
    connectivity = LINKS_PER_UNIT / units
    if library == "minigrad":
        return ESN(1, units, 1, spectral_radius=SPECTRAL_RADIUS, leak_rate=LEAK_RATE,
                   connectivity=connectivity, ridge=RIDGE, seed=seed)
    from reservoirpy.nodes import Reservoir, Ridge

    reservoir = Reservoir(units, lr=LEAK_RATE, sr=SPECTRAL_RADIUS,
                          rc_connectivity=connectivity, seed=seed)
    # reservoirpy draws its weights lazily, on the first call.
    reservoir.initialize(X)
    return reservoir >> Ridge(ridge=RIDGE)


def child_fit(library: str, units: int, steps: int, seed: int) -> dict:
    """Build and fit one reservoir, then a second one; return times (s) and memory (MB).

    The first fit is what a script that fits once pays ("cold"): its
    arrays are new to the process, so the operating system hands it fresh
    pages. The second fit, of another reservoir of the same size (seed + 1000),
    runs where the first left memory behind ("warm"), which isolates the
    arithmetic from the cost of getting memory.
    """
    X, Y = next_step_task(steps)
    started = time.perf_counter()
    model = build_model(library, units, X, seed)
    build_time = time.perf_counter() - started
    memory_before = start_memory_measurement()
    started = time.perf_counter()
    model.fit(X, Y)
    fit_time = time.perf_counter() - started
    fit_memory = peak_rss_mb() - memory_before
    del model
    second = build_model(library, units, X, seed + 1000)
    started = time.perf_counter()
    second.fit(X, Y)
    warm_time = time.perf_counter() - started
    return {"build_s": build_time, "fit_s": fit_time, "warm_fit_s": warm_time,
            "fit_memory_mb": fit_memory, "peak_rss_mb": peak_rss_mb()}


def child_one_step_nrmse(library: str, seed: int) -> dict:
    """Train on 2,000 steps of Mackey-Glass, score one-step NRMSE on the next 2,000."""
    series = mackey_glass(4101)
    X_train, Y_train = series[:2000], series[1:2001]
    X_test, Y_test = series[2000:4000], series[2001:4001]
    if library == "minigrad":
        model = ESN(1, SMALL_UNITS, 1, spectral_radius=SPECTRAL_RADIUS, leak_rate=LEAK_RATE,
                    connectivity=0.1, ridge=SMALL_RIDGE, seed=seed)
        model.fit(X_train, Y_train, washout=100)
        prediction = model.predict(X_test)
    else:
        from reservoirpy.nodes import Reservoir, Ridge

        reservoir = Reservoir(SMALL_UNITS, lr=LEAK_RATE, sr=SPECTRAL_RADIUS, seed=seed)
        model = reservoir >> Ridge(ridge=SMALL_RIDGE)
        model.fit(X_train, Y_train, warmup=100)
        prediction = model.run(X_test)
    return {"nrmse": nrmse(prediction, Y_test)}


# -------------------------------------------------------------- parent side


def run_child(*arguments: str) -> dict:
    """Run this module as a child process and parse the JSON line it prints."""
    command = [sys.executable, "-m", "benchmarks.esn_fit", "--child", *arguments]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"child {' '.join(arguments)} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def reservoirpy_version() -> str | None:
    """reservoirpy's version if it is importable, else None."""
    try:
        import reservoirpy
    except ImportError:
        return None
    return reservoirpy.__version__


def child_gram(units: int, steps: int) -> dict:
    """The floor under both fits: H H^T for T x (units + 2) features, no reservoir.

    Both libraries spend most of a fit on this one BLAS product: minigrad
    as chunked symmetric rank-k updates (`nets.esn._add_gram`), reservoirpy
    as one `X.T @ X`, which numpy hands to the same kind of routine. Timed
    on random data of the fit's shape, best of three.
    """
    features = np.random.default_rng(0).standard_normal((steps, units + 2))
    chunked, one_product = [], []
    for _ in range(3):
        gram = np.zeros((units + 2, units + 2), order="F")
        started = time.perf_counter()
        for start in range(0, steps, DEFAULT_CHUNK_SIZE):
            gram = _add_gram(gram, features[start : start + DEFAULT_CHUNK_SIZE])
        chunked.append(time.perf_counter() - started)
        started = time.perf_counter()
        features.T @ features
        one_product.append(time.perf_counter() - started)
    return {"chunked_s": min(chunked), "one_product_s": min(one_product)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000],
                        help="reservoir sizes for the fit-time table")
    parser.add_argument("--steps", type=int, default=20000, help="training steps")
    parser.add_argument("--repeats", type=int, default=7,
                        help="alternating runs per library for the 2,000-unit target")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the NRMSE comparison")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch docs/")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        task, library, *numbers = args.child
        if task == "fit":
            units, steps, seed = (int(value) for value in numbers)
            print(json.dumps(child_fit(library, units, steps, seed)))
        elif task == "gram":
            units, steps = (int(value) for value in numbers)
            print(json.dumps(child_gram(units, steps)))
        else:
            print(json.dumps(child_one_step_nrmse(library, int(numbers[0]))))
        return

    load_at_start = os.getloadavg()[0]
    version = reservoirpy_version()
    libraries = ["minigrad"] + (["reservoirpy"] if version else [])
    print(f"reservoirpy: {version or 'not installed, skipped'}")

    size_rows = []
    for units in args.sizes:
        row = {"units": units}
        for library in libraries:
            result = run_child("fit", library, str(units), str(args.steps), "0")
            row[library] = result
            print(f"{units:6d} units  {library:12s} build {result['build_s']:6.2f} s  "
                  f"fit {result['fit_s']:7.2f} s (warm {result['warm_fit_s']:7.2f} s)  "
                  f"fit memory {result['fit_memory_mb']:7.0f} MB", flush=True)
        size_rows.append(row)

    target = {library: {"fit_s": [], "warm_fit_s": []} for library in libraries}
    for repeat in range(args.repeats):
        for library in libraries:
            result = run_child("fit", library, "2000", str(args.steps), str(repeat))
            for key, times in target[library].items():
                times.append(result[key])
    print("2000-unit fit times:", target)
    gram = run_child("gram", "-", "2000", str(args.steps))
    print("2000-unit Gram alone:", gram)

    scores = {library: [] for library in libraries}
    for seed in range(args.seeds):
        for library in libraries:
            scores[library].append(run_child("nrmse", library, str(seed))["nrmse"])
    print("one-step NRMSE:", {k: [f"{v:.2e}" for v in values] for k, values in scores.items()})

    loads = (load_at_start, os.getloadavg()[0])
    markdown = report(args, version, size_rows, target, gram, scores, loads)
    print(markdown)
    if not args.no_write:
        write_section(section_name(), markdown)


def section_name() -> str:
    """docs/benchmarks.md section: one for OpenBLAS's own kernel choice, one per forced choice."""
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return "esn_fit" if not coretype else f"esn_fit_openblas_{coretype.lower()}"


def report(args, version, size_rows, target, gram, scores, loads) -> str:
    """The markdown section for docs/benchmarks.md."""
    has_rpy = version is not None
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    title = "## Echo state network fit (`benchmarks/esn_fit.py`)"
    if coretype:
        title = (f"## Echo state network fit, OpenBLAS kernels forced to {coretype} "
                 f"(`OPENBLAS_CORETYPE={coretype} python -m benchmarks.esn_fit`)")
    command = " ".join(["python -m benchmarks.esn_fit"] + sys.argv[1:])
    lines = [
        title,
        "",
        f"Rerun: `{command}` from the repo root. Engine at {engine_revision()}.",
        "",
        machine_line(),
        f"reservoirpy: {version if has_rpy else 'not installed (comparison skipped)'}. "
        f"1-minute load average {loads[0]:.1f} at the start, {loads[1]:.1f} at the end "
        f"(on {os.cpu_count()} cores).",
        "",
        f"Next-step Mackey-Glass (tau = 17), {args.steps:,} training steps, "
        f"{LINKS_PER_UNIT} links per unit, leak {LEAK_RATE}, spectral radius {SPECTRAL_RADIUS}, "
        f"ridge {RIDGE:g}. Every child process builds and fits a reservoir (*cold*: what a "
        "script that fits once pays, fresh memory included), then builds and fits a second "
        "one of the same size (*warm*: memory the first fit left behind is reused, so this is "
        "closer to the arithmetic alone). *Fit memory* is the peak resident size during the "
        "cold `fit` minus the resident size just before it (getrusage in the child, with the "
        "peak reset before `fit`). *Build* is drawing the weights and scaling the spectral "
        "radius, not included in *fit*. The machine may be shared with other jobs, which "
        "makes multi-threaded BLAS timings noisy.",
        "",
    ]
    header = "| units | build (s) | fit cold (s) | fit warm (s) | fit memory (MB) |"
    rule = "|---:|---:|---:|---:|---:|"
    if has_rpy:
        header += " reservoirpy cold (s) | reservoirpy warm (s) | reservoirpy memory (MB) |"
        rule += "---:|---:|---:|"
    lines += [header, rule]
    for row in size_rows:
        ours = row["minigrad"]
        line = (f"| {row['units']:,} | {ours['build_s']:.2f} | {ours['fit_s']:.2f} "
                f"| {ours['warm_fit_s']:.2f} | {ours['fit_memory_mb']:.0f} |")
        if has_rpy:
            theirs = row["reservoirpy"]
            line += (f" {theirs['fit_s']:.2f} | {theirs['warm_fit_s']:.2f} "
                     f"| {theirs['fit_memory_mb']:.0f} |")
        lines.append(line)

    lines += ["", f"Target, 2,000 units, {args.repeats} alternating child processes per "
              "library (different seeds); median fit time (fastest to slowest):", ""]
    for kind, label in (("fit_s", "cold"), ("warm_fit_s", "warm")):
        ours = target["minigrad"][kind]
        line = (f"- {label}: minigrad {statistics.median(ours):.2f} s "
                f"({min(ours):.2f} to {max(ours):.2f} s)")
        if has_rpy:
            theirs = target["reservoirpy"][kind]
            ratio = statistics.median(ours) / statistics.median(theirs)
            verdict = "met" if ratio <= 0.5 else "not met"
            line += (f", reservoirpy {statistics.median(theirs):.2f} s "
                     f"({min(theirs):.2f} to {max(theirs):.2f} s): ratio of medians "
                     f"**{ratio:.2f}** (target <= 0.5: {verdict})")
        lines.append(line)
    lines += ["", f"The floor under both: H H^T alone for {args.steps:,} x 2,002 random "
              f"features takes {gram['chunked_s']:.2f} s as minigrad's chunked symmetric "
              f"updates and {gram['one_product_s']:.2f} s as one `X.T @ X` (reservoirpy's "
              "way), best of three."]

    lines += ["", f"One-step NRMSE, reservoirpy's documented set-up ({SMALL_UNITS} units, leak "
              f"{LEAK_RATE}, spectral radius {SPECTRAL_RADIUS}, ridge {SMALL_RIDGE:g}, 10% "
              f"connectivity), trained on 2,000 steps, tested on the next 2,000, "
              f"mean ± std over {args.seeds} seeds:", ""]
    for library, values in scores.items():
        lines.append(f"- {library}: {statistics.mean(values):.2e} ± "
                     f"{statistics.pstdev(values):.1e}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
