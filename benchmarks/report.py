"""Write a benchmark's figures into its own section of docs/benchmarks.md.

Every benchmark script owns one section, delimited by HTML comments, and
rewrites only that section, so scripts can be rerun in any order.
"""
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import numpy as np

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = ("# Benchmarks\n\nEvery figure on this page is written by a script in `benchmarks/`; rerun it to "
          "refresh its section. Each section names the OpenBLAS kernels it ran with.\n")


def machine_line() -> str:
    """One line naming the machine, the library versions and the BLAS kernels the figures come from."""
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    kernels = (f"OpenBLAS kernels forced by OPENBLAS_CORETYPE={coretype}" if coretype else
               "OpenBLAS kernels of its own choice for the detected CPU (OPENBLAS_CORETYPE unset)")
    return (f"Machine: {platform.machine()}, Python {platform.python_version()}, "
            f"numpy {np.__version__}, {platform.system()}. {kernels}{blas_kernels()}.")


def blas_kernels() -> str:
    """The kernels the BLAS says it runs, if threadpoolctl (not a dependency) is installed to ask it."""
    try:
        import threadpoolctl
    except ImportError:
        return ""
    found = {info.get("architecture") for info in threadpoolctl.threadpool_info()
             if info.get("internal_api") == "openblas" and info.get("architecture")}
    return f"; OpenBLAS reports its {', '.join(sorted(found))} kernels (threadpoolctl)" if found else ""


def engine_revision() -> str:
    """The commit the figures come from, flagged if minigrad/ has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "minigrad"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"commit {commit}" + (" with uncommitted changes to minigrad/" if dirty else "")


def write_section(name: str, markdown: str) -> None:
    """Replace (or append) the section called `name` in docs/benchmarks.md."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    text = DOC.read_text() if DOC.exists() else HEADER
    block = f"{begin}\n{markdown.strip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
