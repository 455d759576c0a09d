"""Memory and the garbage collector: two costs of a big graph that are not arithmetic.

1. glibc's allocator is asked to keep freed memory instead of handing it back to the OS.

Why an autograd engine cares: an unrolled graph keeps every intermediate
array alive until ``backward`` has used it, then frees them all at once. By
default glibc returns that freed memory to the operating system (heap
trimming, and mmap for blocks over 128 KiB), so the next forward pass touches
fresh pages and takes a page fault every 4 KiB. Profiling an RNN step showed
those faults costing as much as the arithmetic (see docs/benchmarks.md).
Keeping the memory in the process makes the second and later passes reuse it.

Only on Linux with glibc; set ``MINIGRAD_KEEP_FREED_MEMORY=0`` to opt out.

2. ``gc_paused()`` pauses Python's cyclic garbage collector while a large
graph is built or walked. Every op creates a few container objects (the
Tensor, the tuple of its parents, what it saved for the backward), and the collector runs
after every 700 such allocations, periodically walking every live object: on
an LSTM unrolled over 1000 steps (15,000 nodes) it tripled the forward time.
It finds nothing to collect there: a node refers only to its parents, never
back, so the graph has no reference cycles and reference counting frees it
(tests/test_engine.py checks this).
"""
from __future__ import annotations

import ctypes
import gc
import os
import sys

# mallopt() parameter numbers from glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

TRIM_THRESHOLD = 1 << 30      # only give memory back when over 1 GiB is free at the heap's top
MMAP_THRESHOLD = 32 << 20     # arrays up to 32 MiB (glibc's maximum) come from the reusable heap


def keep_freed_memory() -> bool:
    """Apply the settings; return whether they took effect."""
    if os.environ.get("MINIGRAD_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):     # musl or another libc: nothing to tune
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    trim_set = bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    mmap_set = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    return trim_set and mmap_set


KEPT = keep_freed_memory()


class gc_paused:
    """Pause the cyclic garbage collector inside the block (if it was running).

    A class rather than a ``@contextmanager`` generator: it is entered on
    every ``backward`` call, and this is cheaper.
    """

    __slots__ = ("was_enabled",)

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self.was_enabled:
            gc.enable()
