"""Keyset paging at depth: the cost of one page of rings, shell clusters and reports at the
start of a list and far into it (where ``SKIP`` crashed LadybugDB).

Plants ``--rows`` brushing rings, shell clusters and infringement reports (scores and
filing days with many ties) in a fresh embedded store (or the Neo4j named by
``CREDGRAPH_NEO4J_*`` with ``--store neo4j``; it is wiped), walks each list to the end with
``--limit`` rows a page, and prints the median wall time of a page in each tenth of the
list. Run::

    .venv/bin/python bench/paging.py --rows 20000 --limit 50
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

# Run as a script, this file's directory comes first on sys.path and bench/ingest.py would
# shadow the ``ingest`` package; the repository root is what the imports need.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from algorithms.brands import service as brands  # noqa: E402
from algorithms.brushing import service as rings  # noqa: E402
from algorithms.shells import service as shells  # noqa: E402
from graph.store import GraphStore  # noqa: E402

BRAND = "brand:BENCH"


def plant(store: GraphStore, n: int) -> None:
    """``n`` rings, clusters and reports with ties on every sort key."""
    store.upsert_nodes(
        "BrushingRing",
        [
            {
                "uid": f"ring:{i:016x}",
                "score": (i % 97) / 97,
                "status": "suspected",
                "n_accounts": 3,
                "n_stores": 1,
                "reasons": "[]",
            }
            for i in range(n)
        ],
    )
    store.upsert_nodes(
        "ShellCluster",
        [
            {
                "uid": f"shell:{i:08x}",
                "score": (i % 89) / 89,
                "size": 2 + i % 5,
                "status": "suspected",
                "reasons": "[]",
                "shared": "{}",
            }
            for i in range(n)
        ],
    )
    store.upsert_nodes("Brand", [{"uid": BRAND, "name": "bench"}])
    store.upsert_nodes("Store", [{"uid": "store:bench:1", "platform": "bench"}])
    day = date(2024, 1, 1)
    store.upsert_nodes(
        "InfringementReport",
        [
            {"uid": f"report:{i:08d}", "status": "pending", "filed": day + timedelta(i % 365)}
            for i in range(n)
        ],
    )
    for rel, label, dst in (("CONCERNS", "Brand", BRAND), ("REPORTS", "Store", "store:bench:1")):
        store.upsert_relationships(
            rel,
            "InfringementReport",
            label,
            [{"rid": f"{rel}:{i}", "src": f"report:{i:08d}", "dst": dst} for i in range(n)],
        )


def walk(fetch: Callable[[str | None], str | None], pages: int) -> list[float]:
    """Seconds per page, following cursors to the end."""
    times: list[float] = []
    cursor: str | None = None
    for _ in range(pages + 1):
        start = time.perf_counter()
        cursor = fetch(cursor)
        times.append(time.perf_counter() - start)
        if cursor is None:
            break
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--store", choices=("embedded", "neo4j"), default="embedded")
    args = parser.parse_args()
    store: GraphStore
    if args.store == "neo4j":
        from graph.config import Settings
        from graph.factory import open_store

        store = open_store(Settings(store="neo4j"))
        store.wipe()
    else:
        from graph.embedded_store import EmbeddedStore

        store = EmbeddedStore(Path(tempfile.mkdtemp()) / "paging.lbdb")
        store.create_schema()
    plant(store, args.rows)
    officer = brands.BrandScope.officer()
    lists: dict[str, Callable[[str | None], str | None]] = {
        "rings": lambda c: rings.list_rings(store, limit=args.limit, cursor=c).next,
        "shell clusters": lambda c: shells.list_clusters(store, limit=args.limit, cursor=c).next,
        "reports": lambda c: (
            brands.list_reports(store, officer, BRAND, cursor=c, limit=args.limit).next
        ),
    }
    pages = args.rows // args.limit
    print(f"{args.store}: {args.rows:,} rows, {args.limit} a page ({pages:,} pages)")
    for name, fetch in lists.items():
        times = walk(fetch, pages)
        tenth = max(len(times) // 10, 1)
        medians = [
            statistics.median(times[i : i + tenth]) * 1000 for i in range(0, len(times), tenth)
        ]
        print(
            f"  {name:15} pages {len(times):,}; median ms per tenth: "
            + " ".join(f"{m:.1f}" for m in medians[:10])
        )
    store.close()


if __name__ == "__main__":
    main()
