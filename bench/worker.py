"""What the store worker costs: store calls in-process vs through ``WorkerStore``.

Usage::

    .venv/bin/python bench/worker.py --entities 20000      # the demo's size

Prepares a market like ``bench/api.py`` (generate, ingest, propagate) in a temporary
directory, then opens a copy of it in this process (``EmbeddedStore``) and another through
a worker process (``WorkerStore``, what ``credgraph serve`` uses), and times on both,
taking turns call by call, for the same random subjects:

- ``get_nodes_ms``: one uid lookup (the smallest call: mostly the fixed cost of a call);
- ``neighbourhood_ms``: ``neighbourhood(uid, hops=2)`` (an officer's network view);
- ``listing_add_ms`` / ``listing_remove_ms``: ``service.add_listing`` then
  ``service.remove_listing`` (reads, engine, one transaction of writes and feed events),
  with ``calls_per_add``, the store calls one add makes;

p50 and p99 in milliseconds, one JSON line per mode, then the overhead (worker - in-process)
of each p50.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, cast

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algorithms.propagation import service  # noqa: E402
from algorithms.propagation.engine import Listing  # noqa: E402
from algorithms.propagation.rules import SubjectKind, default_rules  # noqa: E402
from graph.store import GraphStore  # noqa: E402

KEY = "bench-id-hash-key-0123456789"
POOL_MB = 4096  # the default of `credgraph serve` (DEFAULT_BUFFER_POOL_MB)


def _prepare(work: Path, entities: int) -> list[str]:
    from graph.embedded_store import EmbeddedStore
    from ingest.generate import generate
    from ingest.pipeline import ingest_directory

    data = work / "input"
    started = time.perf_counter()
    generate(data, entities, 7)
    with EmbeddedStore(work / "graph.lbdb", buffer_pool_mb=POOL_MB) as store:
        store.create_schema()
        ingest_directory(store, data, id_hash_key=KEY, quarantine_dir=work / "q")
        service.propagate_store(store, full=True)
    print(
        f"prepared {entities:,} businesses in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    with (data / "businesses.csv").open(encoding="utf-8") as handle:
        return [f"biz:{row['business_id']}" for row in csv.DictReader(handle)]


def _ms(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(values) * 1000, q)), 2)


class _Counting:
    """Counts the store calls made through it (for ``calls_per_add``)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.calls = 0
        self.dialect = store.dialect

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return attr(*args, **kwargs)

        return counted


def _time(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(
    stores: dict[str, GraphStore], subjects: list[str], pairs: int, seed: int
) -> dict[str, dict[str, Any]]:
    """The figures for each store, each on its own copy of the same graph, taking turns
    call by call (so that load from elsewhere on the machine falls on both alike)."""
    rng = np.random.default_rng(seed)
    picks = [subjects[int(i)] for i in rng.integers(0, len(subjects), size=max(pairs, 200))]
    rules = default_rules()
    types = [lt.id for lt in rules.list_types if SubjectKind.BUSINESS in lt.subjects]
    timings: dict[str, dict[str, list[float]]] = {m: {} for m in stores}
    counting = {m: _Counting(s) for m, s in stores.items()}
    calls: list[int] = []

    def timed(mode: str, name: str, fn: Callable[[], Any]) -> None:
        timings[mode].setdefault(name, []).append(_time(fn))

    for uid in picks[:20]:  # warm the buffer pools and the worker's imports alike
        for store in stores.values():
            store.neighbourhood(uid, hops=2)
    for uid in picks:
        for mode, store in stores.items():
            timed(mode, "get_nodes_ms", partial(store.get_nodes, [uid]))
            timed(mode, "neighbourhood_ms", partial(store.neighbourhood, uid, hops=2))
    removed = date(2024, 6, 1)
    for n, uid in enumerate(picks[:pairs]):
        listing = Listing(f"listing:bench-worker-{n}", uid, types[n % len(types)], date(2024, 1, 1))
        for mode, counted in counting.items():
            as_store = cast(GraphStore, counted)
            before = counted.calls
            timed(mode, "listing_add_ms", partial(service.add_listing, as_store, listing, rules))
            calls.append(counted.calls - before)
            remove = partial(service.remove_listing, as_store, listing.uid, removed, "repaired")
            timed(mode, "listing_remove_ms", partial(remove, rules))
    return {
        mode: {
            name: {"p50": _ms(values, 50), "p99": _ms(values, 99), "n": len(values)}
            for name, values in found.items()
        }
        | {"calls_per_add": int(np.median(calls))}
        for mode, found in timings.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=40, help="listing add+remove pairs per mode")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    from graph.embedded_store import EmbeddedStore
    from graph.worker_store import WorkerStore

    with tempfile.TemporaryDirectory(prefix="credgraph-worker-bench-") as tmp:
        work = Path(tmp)
        subjects = _prepare(work, args.entities)
        shutil.copy2(work / "graph.lbdb", work / "graph-worker.lbdb")
        stores: dict[str, GraphStore] = {
            "in_process": EmbeddedStore(work / "graph.lbdb", buffer_pool_mb=POOL_MB),
            "worker": WorkerStore(work / "graph-worker.lbdb", buffer_pool_mb=POOL_MB),
        }
        try:
            results = measure(stores, subjects, args.pairs, args.seed)
        finally:
            for store in stores.values():
                store.close()
        for mode, figures in results.items():
            print(json.dumps({"mode": mode, "entities": args.entities, **figures}))
        overhead = {
            name: round(results["worker"][name]["p50"] - results["in_process"][name]["p50"], 2)
            for name in ("get_nodes_ms", "neighbourhood_ms", "listing_add_ms", "listing_remove_ms")
        }
        print(json.dumps({"worker_overhead_p50_ms": overhead}))


if __name__ == "__main__":
    main()
