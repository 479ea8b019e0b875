"""Where memory goes under listing writes: the store worker's RSS vs the caller's.

Usage::

    .venv/bin/python bench/write_memory.py --entities 2000 --pairs 200 --pool-mb 64
    .venv/bin/python bench/write_memory.py --entities 2000 --pairs 200 --pool-mb 256
    .venv/bin/python bench/write_memory.py --per-statement --pool-mb 2048

Prepares a market like ``bench/api.py`` (generate, ingest, propagate), opens it through
``WorkerStore`` (the embedded store in its own process, as ``credgraph serve`` runs it)
and adds then removes a listing ``--pairs`` times, as ``POST /v1/listings`` and its
removal do (``service.add_listing`` / ``remove_listing``). Every ``--every`` pairs it
prints one JSON line: the worker's RSS (the engine: buffer pool, native allocations, the
adapter), this process's RSS (the service: projection, propagation, diff) and its Python
heap (``tracemalloc``), and the store's size on disk. A buffer pool filling up levels off
at about ``--pool-mb``; a leak keeps growing past it.

``--per-statement`` measures, in this process, the memory one write statement of each kind
leaves held, and whether a checkpoint and a reopen of the database give it back.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
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


def per_statement(pool_mb: int, n: int = 200) -> None:
    """What one write statement leaves held, by kind, in this process (an EmbeddedStore),
    then whether a checkpoint or a reopen gives it back."""
    import pyarrow as pa

    from graph.embedded_store import EmbeddedStore

    row = {"uid": "listing:x", "list_type": "serious_dishonesty", "subject_uid": "biz:1"}
    with tempfile.TemporaryDirectory(prefix="credgraph-write-memory-") as tmp:
        path = Path(tmp) / "g.lbdb"
        store = EmbeddedStore(path, buffer_pool_mb=pool_mb)
        store.create_schema()
        run = store._run  # noqa: SLF001 - plain statements, to compare with the adapter's
        trials: dict[str, Callable[[], object]] = {
            "upsert_nodes (LOAD FROM an Arrow batch, MERGE)": lambda: store.upsert_nodes(
                "Listing", [row]
            ),
            "MERGE with literal values": lambda: run(
                "MERGE (n:Listing {uid: 'listing:y'}) SET n.list_type = 'a'"
            ),
            "UNWIND over a list parameter, MERGE": lambda: run(
                "UNWIND $rows AS r MERGE (n:Listing {uid: r.uid}) SET n.list_type = r.t",
                {"rows": [{"uid": "listing:w", "t": "c"}]},
            ),
            "LOAD FROM an Arrow batch, read only": lambda: run(
                "LOAD FROM $rows RETURN count(*)", {"rows": pa.table({"uid": ["a"]})}
            ),
            "MATCH, read only": lambda: run("MATCH (n:Listing {uid: 'listing:y'}) RETURN n.uid"),
        }
        for name, fn in trials.items():
            for _ in range(10):
                fn()
            before = _rss_mb("self")
            for _ in range(n):
                fn()
            kb = (_rss_mb("self") - before) * 1024 / n
            print(json.dumps({"statement": name, "kb_per_statement": round(kb, 1)}))
        before = _rss_mb("self")
        for _ in range(n):
            trials["upsert_nodes (LOAD FROM an Arrow batch, MERGE)"]()
        grown = _rss_mb("self")
        run("CHECKPOINT")
        store.close()
        store = EmbeddedStore(path, buffer_pool_mb=pool_mb)
        for _ in range(n):  # the allocator reuses what the close gave back: no new growth
            trials["upsert_nodes (LOAD FROM an Arrow batch, MERGE)"]()
        print(
            json.dumps(
                {
                    "upserts": n,
                    "grown_mb": round(grown - before, 1),
                    "after_checkpoint_reopen_and_as_many_again_mb": round(
                        _rss_mb("self") - before, 1
                    ),
                }
            )
        )
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=2_000)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--pool-mb", type=int, default=256)
    parser.add_argument(
        "--per-statement", action="store_true", help="only what one write statement holds"
    )
    args = parser.parse_args()
    if args.per_statement:
        per_statement(args.pool_mb)
        return
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
