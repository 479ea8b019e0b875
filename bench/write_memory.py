"""Where memory goes under listing writes: the store worker's RSS vs the caller's.

Usage::

    .venv/bin/python bench/write_memory.py --entities 2000 --pairs 200 --pool-mb 64
    .venv/bin/python bench/write_memory.py --entities 2000 --pairs 200 --pool-mb 256

Prepares a market like ``bench/api.py`` (generate, ingest, propagate), opens it through
``WorkerStore`` (the embedded store in its own process, as ``credgraph serve`` runs it)
and adds then removes a listing ``--pairs`` times, as ``POST /v1/listings`` and its
removal do (``service.add_listing`` / ``remove_listing``). Every ``--every`` pairs it
prints one JSON line: the worker's RSS (the engine: buffer pool, native allocations, the
adapter), this process's RSS (the service: projection, propagation, diff) and its Python
heap (``tracemalloc``), and the store's size on disk. A buffer pool filling up levels off
at about ``--pool-mb``; a leak keeps growing past it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algorithms.propagation import service  # noqa: E402
from algorithms.propagation.engine import Listing  # noqa: E402
from algorithms.propagation.rules import SubjectKind, default_rules  # noqa: E402
from bench.worker import _prepare  # noqa: E402


def _rss_mb(pid: int | str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _disk_mb(path: Path) -> float:
    files = [path, *path.parent.glob(path.name + ".*")]
    return round(sum(f.stat().st_size for f in files if f.is_file()) / 2**20, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=2_000)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--pool-mb", type=int, default=256)
    args = parser.parse_args()
    from graph.worker_store import WorkerStore

    rules = default_rules()
    types = [lt.id for lt in rules.list_types if SubjectKind.BUSINESS in lt.subjects]
    with tempfile.TemporaryDirectory(prefix="credgraph-write-memory-") as tmp:
        work = Path(tmp)
        subjects = _prepare(work, args.entities)
        store = WorkerStore(work / "graph.lbdb", buffer_pool_mb=args.pool_mb)
        tracemalloc.start()
        started = time.perf_counter()
        try:
            for n in range(args.pairs + 1):
                if n % args.every == 0:
                    heap, _ = tracemalloc.get_traced_memory()
                    print(
                        json.dumps(
                            {
                                "pairs": n,
                                "worker_rss_mb": _rss_mb(store.worker_pid or 0),
                                "caller_rss_mb": _rss_mb("self"),
                                "caller_heap_mb": round(heap / 2**20, 1),
                                "disk_mb": _disk_mb(work / "graph.lbdb"),
                                "seconds": round(time.perf_counter() - started),
                            }
                        ),
                        flush=True,
                    )
                if n == args.pairs:
                    break
                subject = subjects[(n * 7919) % len(subjects)]
                listing = Listing(
                    f"listing:mem-{n}", subject, types[n % len(types)], date(2024, 1, 1)
                )
                service.add_listing(store, listing, rules)
                service.remove_listing(store, listing.uid, date(2024, 6, 1), "repaired", rules)
        finally:
            store.close()


if __name__ == "__main__":
    main()
