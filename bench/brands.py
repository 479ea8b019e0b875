"""Precision and recall of brand links and repeat infringers on generated counterfeit networks.

Run::

    .venv/bin/python bench/brands.py --entities 10000 --seed 5

It generates a market (``ingest.generate``), ingests the files the brand features read
(orders, waybills and accounts are left out: they do not bear on brands and dominate ingest
time), runs shell detection so that cluster links exist, and scores against
``ground_truth.json``:

* linked stores (every brand, as an officer sees them) against ``counterfeit_stores``, at
  several weight thresholds, and the reported stores alone;
* operators ranked as repeat infringers against ``repeat_infringers``;
* people ranked as repeat infringers (one person behind two operators) against the planted
  reopenings through the same legal representative whose stores are counterfeit.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script, this file's directory comes first on sys.path and bench/ingest.py would
# shadow the ``ingest`` package.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

from algorithms.brands.core import LinkParams, infringement_links, repeat_infringers  # noqa: E402
from algorithms.brands.service import BrandScope, load_network  # noqa: E402
from graph.embedded_store import EmbeddedStore  # noqa: E402
from graph.identity import person_uid  # noqa: E402
from graph.store import GraphStore  # noqa: E402
from ingest.generate import generate  # noqa: E402
from ingest.pipeline import ingest_directory  # noqa: E402

__all__ = ["BRAND_FILES", "Scores", "main", "prepare", "score"]

KEY = "bench-id-hash-key-0123456789abcdef"
#: The input files brand features read.
BRAND_FILES = (
    "businesses",
    "people",
    "roles",
    "shareholdings",
    "stores",
    "brands",
    "listings",
    "violations",
    "infringement_reports",
)


@dataclass
class Scores:
    """Precision/recall figures of one run."""

    rows: list[dict[str, Any]]
    timings: dict[str, float]


def prepare(
    store: GraphStore, work: Path, entities: int, seed: int, *, shells: bool = True
) -> dict[str, Any]:
    """Generate, ingest the brand-relevant files, detect shell clusters; the ground truth."""
    full, part = work / "full", work / "input"
    summary = generate(full, entities, seed)
    part.mkdir(parents=True, exist_ok=True)
    for name in BRAND_FILES:
        src = summary.files[name]
        shutil.copy(src, part / src.name)
    ingest_directory(store, part, id_hash_key=KEY, quarantine_dir=work / "q")
    if shells:
        try:
            from algorithms.shells.service import detect_shells
        except ImportError:  # pragma: no cover - the shell feature is optional
            pass
        else:
            detect_shells(store, use_gds=False)
    truth: dict[str, Any] = json.loads(summary.ground_truth.read_text(encoding="utf-8"))
    return truth


def _pr(found: set[Any], truth: set[Any]) -> tuple[float, float]:
    """Precision and recall; an empty result scores 0 (it found nothing), and recall against
    an empty truth is undefined (nan, printed n/a) rather than a perfect 1."""
    hit = len(found & truth)
    return (hit / len(found) if found else 0.0, hit / len(truth) if truth else math.nan)


def _operator_uid(row: dict[str, Any]) -> str:
    if row["operator_type"] == "business":
        return f"biz:{row['operator_id']}"
    return person_uid(row["operator_id"], KEY)


def score(store: GraphStore, truth: dict[str, Any], params: LinkParams | None = None) -> Scores:
    """Score links and repeat infringers against the planted truth."""
    params = params or LinkParams()
    started = time.perf_counter()
    net = load_network(store, BrandScope.officer(), prior=params.prior)
    loaded = time.perf_counter()
    links = infringement_links(net.evidence, net.memberships, net.reach, net.stores, params)
    ranked = repeat_infringers(net.evidence, net.memberships, net.reach, net.stores, params)
    done = time.perf_counter()
    counterfeit = {f"store:{c['store_id']}" for c in truth["counterfeit_stores"]}
    rows: list[dict[str, Any]] = []
    reported = {x.store for x in links if x.reported}
    p, r = _pr(reported, counterfeit)
    rows.append({"what": "reported stores (confirmed+pending)", "n": len(reported), "P": p, "R": r})
    for threshold in (0.0, 0.3, 0.5, 0.7):
        found = {x.store for x in links if x.weight >= threshold}
        p, r = _pr(found, counterfeit)
        rows.append(
            {"what": f"linked stores, weight >= {threshold}", "n": len(found), "P": p, "R": r}
        )
    operators = {x.actor for x in ranked if x.kind.value == "operator"}
    planted = {_operator_uid(x) for x in truth["repeat_infringers"]}
    p, r = _pr(operators, planted)
    rows.append({"what": "repeat infringers: operators", "n": len(operators), "P": p, "R": r})
    top = [x.actor for x in ranked if x.kind.value == "operator"][: len(planted)]
    p, r = _pr(set(top), planted)
    rows.append(
        {
            "what": f"repeat operators: top {len(planted)} (precision@N, recall@N)",
            "n": len(top),
            "P": p,
            "R": r,
        }
    )
    via_rep = {
        (f"store:{a}", f"store:{b}")
        for a, b in truth["reopened_via_legal_representative"]
        if f"store:{a}" in counterfeit and f"store:{b}" in counterfeit
    }
    people = [x for x in ranked if x.kind.value == "person"]
    hits = {pair for pair in via_rep for x in people if pair[0] in x.stores and pair[1] in x.stores}
    good_people = [x for x in people if any(a in x.stores and b in x.stores for a, b in via_rep)]
    rows.append(
        {
            "what": "repeat infringers: people behind 2+ operators vs counterfeit "
            "reopenings via the same legal representative",
            "n": len(people),
            "P": len(good_people) / len(people) if people else 0.0,
            "R": len(hits) / len(via_rep) if via_rep else math.nan,
        }
    )
    return Scores(rows, {"load_s": loaded - started, "score_s": done - loaded})


def main() -> None:
    """Command line: generate, ingest, score, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="brands-bench-"))
    store = EmbeddedStore(work / "graph.lbdb", buffer_pool_mb=1024)
    store.create_schema()
    try:
        started = time.perf_counter()
        truth = prepare(store, work, args.entities, args.seed)
        prepared = time.perf_counter() - started
        result = score(store, truth)
    finally:
        store.close()
    print(
        f"entities={args.entities} seed={args.seed} prepare={prepared:.1f}s "
        f"load={result.timings['load_s']:.2f}s score={result.timings['score_s']:.2f}s"
    )
    print("| measure | n | precision | recall |")
    print("|---|---:|---:|---:|")
    for row in result.rows:
        cells = ["n/a" if math.isnan(row[k]) else f"{row[k]:.3f}" for k in ("P", "R")]
        print(f"| {row['what']} | {row['n']} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
