"""The figures behind the choices that comments in ``nets/`` explain.

Run: ``python -m benchmarks.choices_nets [--quick]`` from the repo root; it
rewrites its section of docs/benchmarks.md (``--quick``: tiny sizes, prints
only, writes nothing). Each measurement times what one comment claims:

- ``nets/__init__.py``: ``nets.ESN`` is imported lazily, because ``nets.esn``
  needs scipy, whose import the recurrent nets do not need.
- ``nets/readout.py``: the products of ``ESN.fit`` call scipy's BLAS by hand,
  because alternating numpy's ``@`` with scipy's ``dsyrk`` makes numpy's and
  scipy's OpenBLAS thread pools fight over the cores.
- ``nets/readout.py``: ``_add_gram`` updates the Gram matrix in place, with no
  (F, F) temporary (``gram + z.T @ z`` allocates one).
- ``nets/reservoir.py``: ``spectral_radius`` asks ARPACK for the 10 largest
  eigenvalues (one alone sometimes falls short), to a relative tolerance of
  1e-10 (machine precision takes longer).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import scipy.sparse.linalg

from benchmarks.report import engine_revision, machine_line, write_section
from nets.readout import _add_gram, _times_transpose
from nets.reservoir import random_reservoir


def import_seconds(statement: str, repeats: int) -> float:
    """Median wall time of a fresh ``python -c statement``, in seconds (interpreter start included)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def gram_update_seconds(units: int, chunks: int, chunk_size: int, numpy_drive: bool) -> float:
    """Time spent in ``_add_gram`` over ``chunks`` chunks, each after an input-drive product as in ``ESN.fit``.

    The drive product is numpy's ``@`` (``numpy_drive``) or scipy's dgemm (what ``nets/reservoir.py`` does).
    """
    rng = np.random.default_rng(0)
    features = units + 2
    gram = np.zeros((features, features), order="F")
    z = rng.standard_normal((chunk_size, features))
    inputs, w_in = rng.standard_normal((64, 1)), rng.standard_normal((units, 1))
    spent = 0.0
    for _ in range(chunks):
        for _ in range(chunk_size // 64):               # the drive, DRIVE_BLOCK steps at a time
            drive = inputs @ w_in.T if numpy_drive else _times_transpose(inputs, w_in)
        drive.sum()
        start = time.perf_counter()
        gram = _add_gram(gram, z)
        spent += time.perf_counter() - start
    return spent


def gram_peak_mb(features: int, in_place: bool) -> float:
    """tracemalloc's peak while adding z^T z to an (F, F) Gram matrix, in MB (numpy reports to tracemalloc)."""
    rng = np.random.default_rng(0)
    gram = np.zeros((features, features), order="F")
    z = rng.standard_normal((64, features))
    tracemalloc.start()
    gram = _add_gram(gram, z) if in_place else gram + z.T @ z
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def arpack(units: int, seed: int, **options: object) -> tuple[float, float]:
    """(radius ARPACK finds, seconds) for a reservoir of ``units`` units scaled to radius 1 (5 links per unit)."""
    matrix = random_reservoir(units, 5 / units, 1.0, np.random.default_rng(seed))
    start = time.perf_counter()
    values = scipy.sparse.linalg.eigs(matrix, which="LM", v0=np.ones(units), return_eigenvectors=False, **options)
    return float(np.max(np.abs(values))), time.perf_counter() - start


def shortfall(units: int, seeds: int) -> tuple[float, float]:
    """Largest relative shortfall from the dense spectral radius: (k=1 with ARPACK's defaults, k=10 ncv=60)."""
    worst_one, worst_ten = 0.0, 0.0
    for seed in range(seeds):
        matrix = random_reservoir(units, 5 / units, 1.0, np.random.default_rng(seed))
        exact = float(np.max(np.abs(np.linalg.eigvals(matrix.toarray()))))
        one = arpack(units, seed, k=1)[0]
        ten = arpack(units, seed, k=10, ncv=60, tol=1e-10)[0]
        worst_one, worst_ten = max(worst_one, 1 - one / exact), max(worst_ten, 1 - ten / exact)
    return worst_one, worst_ten


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, print only")
    args = parser.parse_args()
    quick = args.quick
    units, arpack_units, gram_features = (200, 1200, 300) if quick else (1000, 4000, 2001)
    chunks, shortfall_units, seeds = (2, 1100, 1) if quick else (10, 1200, 4)

    lazy = import_seconds("import nets", 1 if quick else 7)
    eager = import_seconds("import nets, nets.esn", 1 if quick else 7)
    mixed = gram_update_seconds(units, chunks, 2000, numpy_drive=True)
    one_pool = gram_update_seconds(units, chunks, 2000, numpy_drive=False)
    temporary, in_place = gram_peak_mb(gram_features, False), gram_peak_mb(gram_features, True)
    _, tight = arpack(arpack_units, 0, k=10, ncv=60, tol=1e-10)
    _, exact = arpack(arpack_units, 0, k=10, ncv=60, tol=0)
    worst_one, worst_ten = shortfall(shortfall_units, seeds)
    rows = [
        f"| `import nets` / `import nets, nets.esn` (fresh interpreter, median) | {lazy:.2f} s / {eager:.2f} s "
        f"| nets.esn adds {eager - lazy:.2f} s (scipy) |",
        f"| `_add_gram` time over {chunks} chunks of 2000 steps, N = {units}: drive by numpy `@` / by scipy dgemm "
        f"| {mixed:.2f} s / {one_pool:.2f} s | {mixed / one_pool:.1f}x |",
        f"| peak memory adding z^T z to a {gram_features}x{gram_features} Gram matrix: `gram + z.T @ z` / "
        f"`_add_gram` | {temporary:.0f} MB / {in_place:.1f} MB | the temporary is 8 F^2 bytes |",
        f"| ARPACK, N = {arpack_units}, 10 eigenvalues: tol=1e-10 / tol=0 | {tight:.2f} s / {exact:.2f} s "
        f"| {exact / tight:.1f}x |",
        f"| worst shortfall from the dense radius, N = {shortfall_units}, {seeds} seeds: k=1 (ARPACK's defaults) "
        f"/ k=10, ncv=60 | {worst_one:.1e} / {worst_ten:.1e} | |",
    ]
    markdown = "\n".join([
        "## Choices in `nets/` (`benchmarks/choices_nets.py`)",
        "",
        "The figures behind the comments in `nets/` that give a reason for a choice (lazy import of the ESN, "
        "scipy's BLAS in the readout, the in-place Gram update, ARPACK's settings). Measured on a busy machine "
        "(other jobs running), wall time: read the ratios, not the absolute times.",
        "",
        "| measurement | figures | ratio |",
        "|---|---|---|",
        *rows,
        "",
        f"{machine_line()} Code at {engine_revision()}.",
    ])
    print(markdown)
    if not quick:
        write_section("choices_nets", markdown)


if __name__ == "__main__":
    main()
