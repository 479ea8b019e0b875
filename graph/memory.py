"""Process memory: freed heap handed back to the operating system between the phases of a
long job, and the garbage collector tuned for jobs that hold millions of objects."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache

import pyarrow as pa

__all__ = ["GC_THRESHOLDS", "release_free_heap", "tune_garbage_collector"]

#: The collector's thresholds in every entry point (the CLI, the API, the store worker):
#: the youngest generation is collected after 100,000 net allocations instead of 700, and
#: each older one after 50 and 100 collections of the one below instead of 10 and 10.
GC_THRESHOLDS = (100_000, 50, 100)


@cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        return None


def release_free_heap() -> None:
    """Return the free pages of Arrow's memory pool and of the C heap (glibc
    ``malloc_trim``) to the OS.

    A phase that builds and drops large Python, Arrow and engine objects leaves the freed
    memory in the process's resident set; the next phase's peak then lands on top of it
    (the 20k demo: about 200 MB between steps; Arrow's pool kept 0.8 GB of the 1M orders a
    ring detection at 100k businesses reads). Costs milliseconds.
    """
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def tune_garbage_collector() -> None:
    """Set :data:`GC_THRESHOLDS`. Reference counting frees everything but cycles at once;
    the cyclic collector only has to run now and then. With Python's defaults, a job that
    builds rows by the hundred thousand (an ingest chunk, a propagation's versions, an
    export's entities) runs it thousands of times, and each older-generation pass walks
    every object still alive: the 20k demo took 36.6 s with Python's thresholds and 31.4 s
    with these, the same 1.29 GB peak (``bench/demo_steps.py --gc default`` against
    ``bench/demo_steps.py``, input reused)."""
    gc.set_threshold(*GC_THRESHOLDS)
