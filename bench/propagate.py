"""Joint-punishment engine figures: full propagation beside a plain scipy BFS, incremental
updates, peak memory, and status-lookup latency from materialised records.

Usage::

    .venv/bin/python bench/propagate.py --businesses 100000
    .venv/bin/python bench/propagate.py --businesses 1000000 --status-businesses 0
    .venv/bin/python bench/propagate.py --businesses 2000 --status-businesses 2000 --lookups 10000

The engine figures run on an in-memory synthetic market (businesses with legal
representatives, managers, directors, shareholders, computed controllers, majority-owned
subsidiaries, stores; 20% of role edges ended; about 3% of entities listed), built
directly as a ``Projection`` so that a million businesses fit in a few seconds. The
status figures load a smaller market into an embedded store (``--status-businesses``),
propagate through the service, then time ``service.status`` lookups on random subjects.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from algorithms.propagation import engine, service
from algorithms.propagation.engine import Listing, PreparedGraph
from algorithms.propagation.rules import RuleSet, default_rules
from graph.model import Projection
from graph.store import GraphStore

RULES: RuleSet = default_rules()
DAY0 = date(2015, 1, 1)
LIST_TYPES = [lt.id for lt in RULES.list_types]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _iso(days: npt.NDArray[np.int64], keep: npt.NDArray[np.bool_]) -> list[str | None]:
    base = np.datetime64(DAY0.isoformat())
    text = (base + days.astype("timedelta64[D]")).astype(str)
    return [t if k else None for t, k in zip(text.tolist(), keep.tolist(), strict=True)]


def market(businesses: int, seed: int = 7) -> tuple[Projection, list[Listing]]:
    """A synthetic market as a projection of the rules' relationship types, and listings."""
    rng = np.random.default_rng(seed)
    nb, npers, ns = businesses, int(businesses * 1.2), int(businesses * 0.8)
    uids = np.array(
        [f"biz:{i}" for i in range(nb)]
        + [f"person:{i}" for i in range(npers)]
        + [f"store:{i}" for i in range(ns)],
        dtype=object,
    )
    labels = np.array(["Business"] * nb + ["Person"] * npers + ["Store"] * ns, dtype=object)
    biz = np.arange(nb)
    person0, store0 = nb, nb + npers

    # people are reused: a Zipf-ish pick makes some people behind many businesses
    def people(k: int) -> npt.NDArray[np.int64]:
        return person0 + (rng.zipf(1.6, k) * 7919 + rng.integers(0, npers, k)) % npers

    parts: list[tuple[str, npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []
    parts.append(("LEGAL_REPRESENTATIVE_OF", people(nb), biz))
    mgr = biz[rng.random(nb) < 0.7]
    parts.append(("MANAGER_OF", people(mgr.size), mgr))
    d = np.repeat(biz, rng.integers(0, 3, nb))
    parts.append(("DIRECTOR_OF", people(d.size), d))
    ctl = biz[rng.random(nb) < 0.3]
    parts.append(("ACTUAL_CONTROLLER_OF", people(ctl.size), ctl))
    sh = np.repeat(biz, rng.integers(1, 4, nb))
    parts.append(("SHAREHOLDER_OF", people(sh.size), sh))
    sub = biz[rng.random(nb) < 0.12]
    parent = rng.integers(0, nb, sub.size)
    ok = parent != sub
    parts.append(("SHAREHOLDER_OF", parent[ok], sub[ok]))
    op_biz = rng.random(ns) < 0.7
    operator = np.where(op_biz, rng.integers(0, nb, ns), people(ns))
    parts.append(("OPERATES", operator, store0 + np.arange(ns)))
    src = np.concatenate([p[1] for p in parts]).astype(np.int64)
    dst = np.concatenate([p[2] for p in parts]).astype(np.int64)
    types = np.concatenate([np.full(p[1].size, p[0], dtype=object) for p in parts])
    m = src.size
    since_d = rng.integers(0, 3000, m)
    ended = rng.random(m) < 0.2
    until_d = since_d + rng.integers(30, 2000, m)
    share = np.where(types == "SHAREHOLDER_OF", rng.choice([0.1, 0.3, 0.5, 0.6, 1.0], m), np.nan)
    computed = np.array(
        [True if t == "ACTUAL_CONTROLLER_OF" else None for t in types], dtype=object
    )
    projection = Projection(
        uids=uids,
        labels=labels,
        src=src,
        dst=dst,
        types=types,
        rids=np.array([f"e{i}" for i in range(m)], dtype=object),
        edge_props={
            "since": np.array(_iso(since_d, rng.random(m) < 0.9), dtype=object),
            "until": np.array(_iso(until_d, ended), dtype=object),
            "share": share,
            "computed": computed,
        },
    )
    listings = []
    n_list = max(1, int((nb + npers + ns) * 0.03))
    subjects = rng.integers(0, uids.size, n_list)
    for i, s in enumerate(subjects.tolist()):
        decided = DAY0 + timedelta(days=int(rng.integers(0, 3500)))
        expires = (
            decided + timedelta(days=int(rng.integers(365, 1500))) if rng.random() < 0.5 else None
        )
        listings.append(
            Listing(f"listing:{i}", str(uids[s]), str(rng.choice(LIST_TYPES)), decided, expires)
        )
    return projection, listings


def scipy_bfs(projection: Projection, listings: list[Listing], rules: RuleSet) -> int:
    """Lower bound: per rule, level-synchronous multi-source BFS by sparse mat-vec (reach only)."""
    index = projection.index
    n = projection.n_nodes
    reached = 0
    for lt in rules.list_types:
        starts = [
            index[x.subject_uid]
            for x in listings
            if x.list_type == lt.id and x.subject_uid in index
        ]
        for rule in lt.propagation:
            rows, cols = [], []
            for step in rule.follow:
                rel_type, direction = rules.resolve(step)
                mask = projection.types == rel_type
                a, b = projection.src[mask], projection.dst[mask]
                rows.append(a if direction == "out" else b)
                cols.append(b if direction == "out" else a)
            r, c = np.concatenate(rows), np.concatenate(cols)
            adj = sparse.csr_matrix((np.ones(r.size, dtype=np.int8), (c, r)), shape=(n, n))
            frontier = np.zeros(n, dtype=np.int8)
            frontier[starts] = 1
            seen = frontier.astype(bool)
            for _ in range(rule.max_hops):
                nxt = (adj @ frontier) > 0
                nxt &= ~seen
                if not nxt.any():
                    break
                seen |= nxt
                frontier = nxt.astype(np.int8)
            reached += int(seen.sum())
    return reached


def engine_figures(businesses: int) -> dict[str, Any]:
    """Full, incremental and baseline timings on one synthetic market."""
    t = time.perf_counter()
    projection, listings = market(businesses)
    build = time.perf_counter() - t
    rss_before = _rss_mb()

    t = time.perf_counter()
    scipy_bfs(projection, listings, RULES)
    baseline = time.perf_counter() - t

    t = time.perf_counter()
    graph = PreparedGraph(projection)
    prep = time.perf_counter() - t
    t = time.perf_counter()
    records = engine.propagate(graph, listings, RULES)
    full = time.perf_counter() - t

    rng = np.random.default_rng(1)
    biz = int(rng.integers(0, businesses))
    new = Listing("listing:new", f"biz:{biz}", "serious_dishonesty", date(2024, 1, 1))
    t = time.perf_counter()
    engine.propagate(graph, [new], RULES)
    incremental_add = time.perf_counter() - t
    t = time.perf_counter()
    added = engine.update(records, graph, [*listings, new], RULES, {new.uid})
    update_add = time.perf_counter() - t
    gone = listings[len(listings) // 2]
    removed = Listing(
        **{**gone.__dict__, "removed": date(2024, 6, 1), "removal_reason": "repaired"}
    )
    rest = [removed if x.uid == gone.uid else x for x in listings]
    t = time.perf_counter()
    engine.propagate(graph, [removed], RULES)
    incremental_remove = time.perf_counter() - t
    t = time.perf_counter()
    engine.update(added, graph, rest, RULES, {gone.uid})
    update_remove = time.perf_counter() - t
    return {
        "businesses": businesses,
        "nodes": projection.n_nodes,
        "edges": projection.n_edges,
        "listings": len(listings),
        "restrictions": len(records),
        "derived (not self)": sum(1 for r in records if not r.rule_id.endswith(".self")),
        "build_s": round(build, 2),
        "prepare_s": round(prep, 2),
        "full_propagation_s": round(full, 2),
        "full_with_prepare_s": round(full + prep, 2),
        "scipy_bfs_s": round(baseline, 2),
        "ratio_full_vs_bfs": round(full / baseline, 1),
        "ratio_full_with_prepare_vs_bfs": round((full + prep) / baseline, 1),
        # the engine alone on a graph already in memory: no store, no reads, no writes
        # (bench/listing_writes.py times add/remove end to end through the store)
        "engine_only_add_listing_ms": round(incremental_add * 1000, 1),
        "engine_only_remove_listing_ms": round(incremental_remove * 1000, 1),
        "update_whole_record_list_add_ms": round(update_add * 1000, 1),
        "update_whole_record_list_remove_ms": round(update_remove * 1000, 1),
        "peak_rss_mb": round(_rss_mb(), 0),
        "rss_growth_during_propagation_mb": round(_rss_mb() - rss_before, 0),
    }


def load_market(store: GraphStore, projection: Projection, listings: list[Listing]) -> None:
    """Write a synthetic market (nodes, the rules' relationships, listings) into a store."""
    for label in ("Business", "Person", "Store"):
        rows: list[dict[str, Any]] = [
            {"uid": str(u)}
            for u, lbl in zip(projection.uids, projection.labels, strict=True)
            if lbl == label
        ]
        store.upsert_nodes(label, rows)
    kinds = {"biz": "Business", "person": "Person", "store": "Store"}
    for rel in sorted(set(projection.types.tolist())):
        idx = np.flatnonzero(projection.types == rel)
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for k in idx.tolist():
            s, d = (
                str(projection.uids[projection.src[k]]),
                str(projection.uids[projection.dst[k]]),
            )
            row: dict[str, Any] = {
                "rid": str(projection.rids[k]),
                "src": s,
                "dst": d,
                "since": projection.edge_props["since"][k],
                "until": projection.edge_props["until"][k],
            }
            if rel == "SHAREHOLDER_OF":
                row["share"] = float(projection.edge_props["share"][k])
            if rel == "ACTUAL_CONTROLLER_OF":
                row["computed"] = True
            groups.setdefault((kinds[s.partition(":")[0]], kinds[d.partition(":")[0]]), []).append(
                row
            )
        for (a, b), rows in groups.items():
            store.upsert_relationships(rel, a, b, rows)
    listing_rows: list[dict[str, Any]] = [
        {
            "uid": x.uid,
            "list_type": x.list_type,
            "subject_uid": x.subject_uid,
            "decided": x.decided,
            "expires": x.expires,
        }
        for x in listings
    ]
    store.upsert_nodes("Listing", listing_rows)


def status_figures(businesses: int, lookups: int) -> dict[str, Any]:
    """Materialise through the service on an embedded store, then time status lookups."""
    from graph.embedded_store import EmbeddedStore

    projection, listings = market(businesses, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "bench.lbdb", buffer_pool_mb=1024)
        store.create_schema()
        t = time.perf_counter()
        load_market(store, projection, listings)
        load = time.perf_counter() - t
        t = time.perf_counter()
        report = service.propagate_store(store, RULES, full=True)
        materialise = time.perf_counter() - t
        rng = np.random.default_rng(3)
        restricted = sorted({r["subject_uid"] for r in store.query("punish/current_restrictions")})
        pool = [str(u) for u in projection.uids]
        picks = [
            restricted[int(rng.integers(0, len(restricted)))]
            if rng.random() < 0.5
            else pool[int(rng.integers(0, len(pool)))]
            for _ in range(lookups)
        ]
        times = []
        for uid in picks:
            t = time.perf_counter()
            service.status(store, uid, date(2024, 1, 1))
            times.append(time.perf_counter() - t)
        store.close()
    ms = np.array(times) * 1000
    return {
        "status_businesses": businesses,
        "store_load_s": round(load, 1),
        "materialise_full_s": round(materialise, 1),
        "records_written": report.imposed,
        "lookups": lookups,
        "status_p50_ms": round(float(np.percentile(ms, 50)), 2),
        "status_p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


def main() -> None:
    """Run the figures asked for and print them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--status-businesses", type=int, default=2_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    args = parser.parse_args()
    out: dict[str, Any] = {}
    if args.businesses:
        out["engine"] = engine_figures(args.businesses)
    if args.status_businesses:
        out["status"] = status_figures(args.status_businesses, args.lookups)
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
