"""What a full propagation would derive, estimated from a random sample of listings.

Usage::

    .venv/bin/python bench/propagation_sample.py STORE_PATH --listings 3000

Opens an embedded store, prepares the propagation graph once, computes the restrictions of
``--listings`` random listings one at a time (nothing is written) and prints the total, the
listings deriving the most, and the extrapolation to every listing. At 1M businesses a full
propagation was dominated by a few subjects listed many times (``docs/scale.md``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algorithms.propagation import service  # noqa: E402
from algorithms.propagation.engine import propagate  # noqa: E402
from algorithms.propagation.rules import default_rules  # noqa: E402
from graph.embedded_store import EmbeddedStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--listings", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pool-mb", type=int, default=4_096)
    args = parser.parse_args()
    rules = default_rules()
    with EmbeddedStore(args.store, buffer_pool_mb=args.pool_mb, read_only=True) as store:
        listings = {lst.uid: lst for lst in service.load_listings(store)}
        t0 = time.perf_counter()
        graph = service._graph(store, rules)
        prepared = time.perf_counter() - t0
    sample = random.Random(args.seed).sample(sorted(listings), min(args.listings, len(listings)))
    sizes: list[tuple[int, float, str, str]] = []
    for uid in sample:
        t0 = time.perf_counter()
        derived = len(propagate(graph, [listings[uid]], rules))
        sizes.append((derived, time.perf_counter() - t0, uid, listings[uid].subject_uid))
    total = sum(s[0] for s in sizes)
    seconds = sum(s[1] for s in sizes)
    scale = len(listings) / max(1, len(sample))
    report = {
        "listings": len(listings),
        "sampled": len(sample),
        "graph_nodes": graph.projection.n_nodes,
        "graph_edges": graph.projection.n_edges,
        "prepare_s": round(prepared, 1),
        "sample_restrictions": total,
        "sample_compute_s": round(seconds, 1),
        "estimated_restrictions": round(total * scale),
        "estimated_compute_s": round(seconds * scale),
        "largest": [
            {"restrictions": n, "seconds": round(s, 2), "listing": u, "subject": subj}
            for n, s, u, subj in sorted(sizes, reverse=True)[:5]
        ],
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
