"""The whole pipeline at one size: each stage's wall time and peak memory, as a table and JSON.

Stages, in order, on one store (embedded by default; ``--store neo4j`` uses the server in
``CREDGRAPH_NEO4J_*``):

1. ``generate``: synthetic input (``credgraph generate``) with ground truth;
2. ``ingest``: validate and load it;
3. ``controllers``: every actual controller computed and written;
4. ``shells``: shell-cluster detection;
5. ``rings``: brushing-ring detection;
6. ``propagate``: full propagation of every listing;
7. ``listing add/remove``: ``--pairs`` listing adds and removes through the service (the
   path the CLI, API and console use), p50/p99 per call;
8. ``status``: ``--checks`` restriction checks through the service on random subjects
   (listed, derived and unrestricted), p50/p99 per call.

Each stage runs in a child process, so its peak RSS (``ru_maxrss`` of that process, the
store's buffer pool included) is its own. Usage::

    .venv/bin/python bench/scale.py --businesses 100000
    .venv/bin/python bench/scale.py --businesses 1000000 --out data/scale-1m --json scale-1m.json
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: bench/ingest.py would shadow ``ingest``
    sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.config import Settings  # noqa: E402
from graph.factory import open_store  # noqa: E402
from graph.memory import tune_garbage_collector  # noqa: E402

KEY = "bench-scale-id-hash-key-0123456789"


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        environment="test",
        store=args.store,
        embedded_path=Path(args.out) / "graph.lbdb",
        id_hash_key=KEY,
        quarantine_dir=Path(args.out) / "quarantine",
        neo4j_uri=os.environ.get("CREDGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687"),
        neo4j_user=os.environ.get("CREDGRAPH_NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("CREDGRAPH_NEO4J_PASSWORD", "credgraph-test"),
    )


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
        "calls": len(ordered),
    }


# -- stages (each runs in its own process) ---------------------------------------------------
def stage_generate(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.generate import generate

    summary = generate(Path(args.out) / "input", args.businesses, args.seed)
    return {"rows": sum(summary.rows.values())}


def stage_ingest(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.pipeline import ingest_directory

    settings = _settings(args)
    with open_store(settings, for_ingest=True) as store:  # the pool ``credgraph ingest`` takes
        if args.store == "neo4j":
            store.wipe()
        store.create_schema()
        report = ingest_directory(
            store,
            Path(args.out) / "input",
            id_hash_key=KEY,
            quarantine_dir=settings.quarantine_dir,
        )
    loaded = sum(f.loaded for f in report.files)
    return {"rows": report.read, "loaded": loaded}


def stage_controllers(args: argparse.Namespace) -> dict[str, Any]:
    from algorithms.ownership.core import ControlParams
    from algorithms.ownership.service import compute_controllers

    with open_store(_settings(args)) as store:
        run = compute_controllers(store, ControlParams(at=date(2025, 6, 30)))
    return {"controllers": run.findings, "skipped": len(run.skipped)}


def stage_shells(args: argparse.Namespace) -> dict[str, Any]:
    from algorithms.shells.service import detect_shells

    with open_store(_settings(args)) as store:
        report = detect_shells(store)
    return {"clusters": len(getattr(report, "clusters", ()) or ())}


def stage_rings(args: argparse.Namespace) -> dict[str, Any]:
    from algorithms.brushing import service

    with open_store(_settings(args)) as store:
        report = service.detect(store)
    return {"rings": len(report.rings), "orders": report.orders}


def stage_propagate(args: argparse.Namespace) -> dict[str, Any]:
    from algorithms.propagation import service

    with open_store(_settings(args)) as store:
        report = service.propagate_store(store, full=True)
    return {"listings": report.listings, "imposed": report.imposed}


def _subjects(store: Any, n: int, seed: int) -> list[str]:
    projection = store.project([], node_props=(), node_labels=["Business"])
    uids = [str(u) for u in projection.uids.tolist()]
    return random.Random(seed).sample(uids, min(n, len(uids)))


def stage_listings(args: argparse.Namespace) -> dict[str, Any]:
    from algorithms.propagation import service
    from algorithms.propagation.engine import Listing

    adds: list[float] = []
    removes: list[float] = []
    with open_store(_settings(args)) as store:
        for i, uid in enumerate(_subjects(store, args.pairs, args.seed)):
            listing = Listing(
                uid=f"listing:bench-{i}",
                subject_uid=uid,
                list_type="abnormal_operation",
                decided=date(2025, 1, 1),
            )
            t0 = time.perf_counter()
            service.add_listing(store, listing)
            t1 = time.perf_counter()
            service.remove_listing(store, listing.uid, date(2025, 2, 1), "error")
            t2 = time.perf_counter()
            adds.append(t1 - t0)
            removes.append(t2 - t1)
    return {"add": _percentiles(adds), "remove": _percentiles(removes)}


def stage_status(args: argparse.Namespace) -> dict[str, Any]:
    from algorithms.propagation import service

    samples: list[float] = []
    restricted = 0
    with open_store(_settings(args)) as store:
        for uid in _subjects(store, args.checks, args.seed + 1):
            t0 = time.perf_counter()
            answer = service.status(store, uid, date(2025, 6, 30))
            samples.append(time.perf_counter() - t0)
            restricted += answer.restricted
    return {**_percentiles(samples), "restricted": restricted}


STAGES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "generate": stage_generate,
    "ingest": stage_ingest,
    "controllers": stage_controllers,
    "shells": stage_shells,
    "rings": stage_rings,
    "propagate": stage_propagate,
    "listing add/remove": stage_listings,
    "status": stage_status,
}


def _child(name: str, args: argparse.Namespace, out: Any) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    tune_garbage_collector()  # as every entry point of the product runs
    t0 = time.perf_counter()
    try:
        detail: dict[str, Any] = STAGES[name](args)
        error = None
    except Exception as exc:  # reported in the table; the run stops there
        traceback.print_exc()
        detail, error = {}, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.send(
        {"seconds": round(seconds, 2), "peak_rss_mb": round(peak), "detail": detail, "error": error}
    )
    out.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--store", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--out", default=None, help="working directory (default data/scale-N)")
    parser.add_argument("--pairs", type=int, default=1_000, help="listing add/remove pairs")
    parser.add_argument("--checks", type=int, default=10_000, help="status checks")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        help="a stage to skip, by its name or first word (repeat): --skip listing",
    )
    parser.add_argument("--json", dest="json_path", default=None, help="write results here")
    args = parser.parse_args()
    args.out = args.out or f"data/scale-{args.businesses}"
    Path(args.out).mkdir(parents=True, exist_ok=True)
    ctx = mp.get_context("spawn")
    results: list[dict[str, Any]] = []
    for name in STAGES:
        if name in args.skip or name.split()[0] in args.skip:
            continue
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, args=(name, args, send))
        child.start()
        result = receive.recv()
        child.join()
        rows = result["detail"].get("rows")
        if rows and result["seconds"]:
            result["detail"]["rows_per_s"] = round(rows / result["seconds"])
        results.append({"stage": name, **result})
        print(
            f"{name:<20} {result['seconds']:>9.1f} s  {result['peak_rss_mb']:>7,} MB  "
            f"{json.dumps(result['detail'], ensure_ascii=False)}"
            + (f"  ERROR {result['error']}" if result["error"] else ""),
            flush=True,
        )
        if result["error"]:
            break
    report = {"businesses": args.businesses, "store": args.store, "stages": results}
    print()
    print(
        f"| stage ({args.businesses:,} businesses, {args.store}) | seconds | peak RSS MB | detail |"
    )
    print("|---|---:|---:|---|")
    for r in results:
        print(
            f"| {r['stage']} | {r['seconds']:,.1f} | {r['peak_rss_mb']:,} | "
            f"{json.dumps(r['detail'], ensure_ascii=False)} |"
        )
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
