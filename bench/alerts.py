"""Alert latency and throughput: a change committed → the alerts it causes stored.

Usage::

    .venv/bin/python bench/alerts.py --businesses 10000 --watches 1000
    .venv/bin/python bench/alerts.py --businesses 100000 --watches 10000
    .venv/bin/python bench/alerts.py --store neo4j ...   # CREDGRAPH_NEO4J_* (wiped first!)

Loads the synthetic market of ``bench/propagate.py`` into a fresh embedded store (or the
Neo4j ``CREDGRAPH_NEO4J_*`` names), materialises its listings, and watches ``--watches``
random businesses (hops 2, the default relationship types) in a fresh alert file, spread
over ten keys; the alert cursor starts at the feed's head. Then:

- ``latency``: ``--changes`` times, a new listing on a random entity is committed
  (``service.add_listing``: the listing, its restrictions and their feed events), then one
  scan of the feed (``AlertStore.scan_all``: read the events, read each changed entity's
  bounded neighbourhood, match the watches, store the alerts, their feed events and the
  cursor in one transaction). ``latency_ms`` is commit → alerts stored, the scan alone; the
  API's background worker adds up to one poll interval (``webhook_poll_seconds``, 2 s by
  default) before the scan starts.
- ``throughput``: ``--batch`` listings committed without scanning, then one scan over all
  their feed events: events and alerts per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algorithms.propagation import service  # noqa: E402
from algorithms.propagation.engine import Listing  # noqa: E402
from algorithms.propagation.rules import SubjectKind  # noqa: E402
from api.alerts import AlertStore  # noqa: E402
from bench.listing_writes import _open  # noqa: E402
from bench.propagate import RULES, load_market, market  # noqa: E402
from graph.schema import label_of_uid  # noqa: E402

KEYS = 10


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(values) * 1000, q)), 1)


def _listings(subjects: list[str], n: int, rng: np.random.Generator, tag: str) -> list[Listing]:
    out: list[Listing] = []
    while len(out) < n:
        subject = subjects[int(rng.integers(0, len(subjects)))]
        kind = SubjectKind.of_label(label_of_uid(subject) or "")
        types = [lt.id for lt in RULES.list_types if kind in lt.subjects]
        out.append(
            Listing(
                f"listing:{tag}{len(out)}",
                subject,
                types[int(rng.integers(0, len(types)))],
                date(2024, 1, 1),
            )
        )
    return out


def run(
    businesses: int, watches: int, changes: int, batch: int, kind: str, seed: int = 3
) -> dict[str, Any]:
    """Load, watch, then time scans; figures as a dict."""
    projection, listings = market(businesses, seed=11)
    rng = np.random.default_rng(seed)
    subjects = [str(u) for u in projection.uids]
    firms = [s for s in subjects if s.startswith("biz:")]
    watched = [
        firms[i] for i in rng.choice(len(firms), size=min(watches, len(firms)), replace=False)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        store = _open(kind, Path(tmp))
        alerts = AlertStore(Path(tmp) / "api.sqlite")
        try:
            t = time.perf_counter()
            load_market(store, projection, listings)
            service.propagate_store(store, RULES, full=True)
            load_s = time.perf_counter() - t
            t = time.perf_counter()
            for i, uid in enumerate(watched):
                alerts.watch(f"key{i % KEYS}", "entity", uid, 2)
            watch_s = time.perf_counter() - t
            alerts.scan_all(store)  # the cursor to the feed's head
            latencies: list[float] = []
            made: list[int] = []
            for listing in _listings(subjects, changes, rng, "lat"):
                service.add_listing(store, listing, RULES)
                t = time.perf_counter()
                made.append(alerts.scan_all(store))
                latencies.append(time.perf_counter() - t)
            head = alerts.cursor()
            for listing in _listings(subjects, batch, rng, "thr"):
                service.add_listing(store, listing, RULES)
            t = time.perf_counter()
            batch_alerts = alerts.scan_all(store)
            batch_s = time.perf_counter() - t
            events = alerts.cursor() - head
        finally:
            alerts.close()
            store.close()
    return {
        "store": kind,
        "businesses": businesses,
        "nodes": projection.n_nodes,
        "edges": projection.n_edges,
        "watches": len(watched),
        "load_and_propagate_s": round(load_s, 1),
        "watch_s": round(watch_s, 1),
        "changes": changes,
        "alerts_per_change_mean": round(float(np.mean(made)), 2),
        "latency_p50_ms": _pct(latencies, 50),
        "latency_p99_ms": _pct(latencies, 99),
        "latency_max_ms": _pct(latencies, 100),
        "batch_listings": batch,
        "batch_feed_events": events,
        "batch_alerts": batch_alerts,
        "batch_scan_s": round(batch_s, 2),
        "events_per_s": round(events / batch_s, 1) if batch_s else None,
        "alerts_per_s": round(batch_alerts / batch_s, 1) if batch_s else None,
    }


def main() -> None:
    """Run and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--watches", type=int, default=1_000)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--store", choices=["embedded", "neo4j"], default="embedded")
    args = parser.parse_args()
    figures = run(args.businesses, args.watches, args.changes, args.batch, args.store)
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
