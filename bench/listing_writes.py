"""Listing writes end to end through the store: ``service.add_listing`` + ``remove_listing``.

Usage::

    .venv/bin/python bench/listing_writes.py --businesses 10000
    .venv/bin/python bench/listing_writes.py --businesses 100000 --pairs 200
    .venv/bin/python bench/listing_writes.py --businesses 10000 --store neo4j   # CREDGRAPH_NEO4J_*

Loads the synthetic market of ``bench/propagate.py`` (businesses with representatives,
managers, directors, shareholders, controllers, subsidiaries and stores; Zipf-reused
people; about 3% of entities listed) into a fresh embedded store, or into the Neo4j that
``CREDGRAPH_NEO4J_*`` name (wiped first!), adds a hub (one business operating 1,500
stores), materialises every listing (``propagate_store(full=True)``, batched), then times:

- ``add_ms`` / ``remove_ms``: ``service.add_listing`` then ``service.remove_listing`` on a
  random subject with a random list type that can list it, through the store (reads of the
  neighbourhood, engine, diff, writes): p50 and p99 over ``--pairs`` pairs;
- ``engine_only_add_ms``: the engine alone for the same listings on the whole graph already
  prepared in memory (what the old "0.7 ms per listing" measured: no store at all);
- ``hub_*``: the same add + remove on the hub business (serious dishonesty: its 1,500
  stores restricted) and on one of its stores (repeat infringer: 1,499 sibling stores).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algorithms.propagation import engine, service  # noqa: E402
from algorithms.propagation.engine import Listing, PreparedGraph  # noqa: E402
from algorithms.propagation.rules import SubjectKind  # noqa: E402
from bench.propagate import RULES, load_market, market  # noqa: E402
from graph.schema import label_of_uid  # noqa: E402
from graph.store import GraphStore  # noqa: E402

HUB_STORES = 1_500
DAY = date(2024, 3, 1)


def _open(kind: str, tmp: Path) -> GraphStore:
    if kind == "embedded":
        from graph.embedded_store import EmbeddedStore

        store: GraphStore = EmbeddedStore(tmp / "bench.lbdb")
    else:
        from graph.neo4j_store import Neo4jStore

        store = Neo4jStore(
            os.environ.get("CREDGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687"),
            os.environ.get("CREDGRAPH_NEO4J_USER", "neo4j"),
            os.environ["CREDGRAPH_NEO4J_PASSWORD"],
        )
        store.create_schema()
        store.wipe()
    store.create_schema()
    return store


def _add_hub(store: GraphStore) -> None:
    store.upsert_nodes("Business", [{"uid": "biz:hub", "name": "hub operator"}])
    store.upsert_nodes("Store", [{"uid": f"store:hub{i}"} for i in range(HUB_STORES)])
    store.upsert_relationships(
        "OPERATES",
        "Business",
        "Store",
        [{"rid": f"hubop{i}", "src": "biz:hub", "dst": f"store:hub{i}"} for i in range(HUB_STORES)],
    )


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(values) * 1000, q)), 1)


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run(businesses: int, kind: str, pairs: int, seed: int = 5) -> dict[str, Any]:
    """Load, materialise, then time listing writes; figures as a dict."""
    projection, listings = market(businesses, seed=11)
    rng = np.random.default_rng(seed)
    subjects = [str(u) for u in projection.uids]
    picks: list[Listing] = []
    while len(picks) < pairs:
        subject = subjects[int(rng.integers(0, len(subjects)))]
        kind_of = SubjectKind.of_label(label_of_uid(subject) or "")
        types = [lt.id for lt in RULES.list_types if kind_of in lt.subjects]
        picks.append(
            Listing(
                f"listing:bench{len(picks)}",
                subject,
                types[int(rng.integers(0, len(types)))],
                date(2023, 1, 1),
            )
        )
    graph = PreparedGraph(projection)
    engine_only = [_timed(partial(engine.propagate, graph, [x], RULES)) for x in picks]

    with tempfile.TemporaryDirectory() as tmp:
        store = _open(kind, Path(tmp))
        try:
            t = time.perf_counter()
            load_market(store, projection, listings)
            _add_hub(store)
            load_s = time.perf_counter() - t
            t = time.perf_counter()
            full = service.propagate_store(store, RULES, full=True)
            full_s = time.perf_counter() - t
            adds, removes, restrictions = [], [], []
            for x in picks:
                t = time.perf_counter()
                report = service.add_listing(store, x, RULES)
                adds.append(time.perf_counter() - t)
                restrictions.append(report.imposed)
                removes.append(
                    _timed(partial(service.remove_listing, store, x.uid, DAY, "repaired", RULES))
                )
            hub: dict[str, Any] = {}
            for name, subject, list_type in (
                ("hub_operator", "biz:hub", "serious_dishonesty"),
                ("hub_store", "store:hub0", "repeat_ip_infringer"),
            ):
                lst = Listing(f"listing:{name}", subject, list_type, date(2023, 1, 1))
                t = time.perf_counter()
                report = service.add_listing(store, lst, RULES)
                hub[f"{name}_add_ms"] = round((time.perf_counter() - t) * 1000, 1)
                hub[f"{name}_restrictions"] = report.imposed
                hub[f"{name}_remove_ms"] = round(
                    _timed(partial(service.remove_listing, store, lst.uid, DAY, "repaired")) * 1000,
                    1,
                )
        finally:
            store.close()
    return {
        "store": kind,
        "businesses": businesses,
        "nodes": projection.n_nodes + 1 + HUB_STORES,
        "edges": projection.n_edges + HUB_STORES,
        "listings_on_record": len(listings),
        "load_s": round(load_s, 1),
        "full_propagation_s": round(full_s, 1),
        "full_propagation_records": full.imposed,
        "pairs": pairs,
        "mean_restrictions_per_add": round(float(np.mean(restrictions)), 1),
        "add_p50_ms": _pct(adds, 50),
        "add_p99_ms": _pct(adds, 99),
        "remove_p50_ms": _pct(removes, 50),
        "remove_p99_ms": _pct(removes, 99),
        "add_plus_remove_p50_ms": _pct([a + r for a, r in zip(adds, removes, strict=True)], 50),
        "engine_only_add_p50_ms": _pct(engine_only, 50),
        "engine_only_add_p99_ms": _pct(engine_only, 99),
        **hub,
    }


def main() -> None:
    """Run and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--pairs", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(run(args.businesses, args.store, args.pairs), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
