"""Proportionate confirmation: what confirming one ring reaches, previewed and applied.

The case of issue 16: one operator runs 1,544 stores, a 40-account ring boosts one of them
(and three other stores), and confirming the ring restricted all 1,544. This builds that
market in a fresh embedded store (:mod:`ingest.generate.market`, one ring of 40 accounts
over 4 stores; the operator of the first runs 1,543 more), detects the ring, and reports
for the shipped rules (``online_serious_violation.reach.other_stores: false``) and for the
same rules with ``other_stores: true`` (the old reach): the listings, the subjects and
restrictions the preview counts, whether a second officer must approve, and the preview's
and the confirmation's wall-clock seconds. Run::

    .venv/bin/python -m bench.confirmation [--stores 1544]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from algorithms.brushing import service as rings
from algorithms.propagation import service as punish
from algorithms.propagation.rules import DEFAULT_RULES_PATH, RuleSet, default_rules, parse_rules
from api import approvals
from graph.embedded_store import EmbeddedStore
from ingest.generate.market import MarketSpec, make_market, market_graph

OPERATOR = "biz:91330106MA2BRUSH01"
T = datetime(2024, 5, 2, 9, 0, 0)


def _wide_rules() -> RuleSet:
    data = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    for lt in data["list_types"]:
        if lt["id"] == "online_serious_violation":
            lt["reach"]["other_stores"] = True
    return parse_rules(data, source="wide")


def _market(store: EmbeddedStore, n_stores: int) -> str:
    market = make_market(
        MarketSpec(n_orders=5_000, n_rings=1, ring_accounts=40, ring_stores=4, seed=11)
    )
    graph = market_graph(market)
    for label, rows in graph.nodes.items():
        store.upsert_nodes(label, rows)
    for (rel_type, src, dst), rows in graph.rels.items():
        store.upsert_relationships(rel_type, src, dst, rows)
    boosted = graph.store_uids[int(market.rings[0].stores[0])]
    others = [f"store:tb:op{i:05d}" for i in range(n_stores - 1)]
    store.upsert_nodes("Business", [{"uid": OPERATOR, "name": "某某电子商务有限公司"}])
    store.upsert_nodes(
        "Store",
        [{"uid": u, "platform": "tb", "shop_id": u[9:], "name": f"旗舰店{u[-5:]}"} for u in others],
    )
    store.upsert_relationships(
        "OPERATES",
        "Business",
        "Store",
        [{"rid": f"op:{u}", "src": OPERATOR, "dst": u} for u in [boosted, *others]],
    )
    rings.detect(store, now=T)
    return rings.list_rings(store).items[0].uid


def run(n_stores: int) -> list[dict[str, Any]]:
    out = []
    for name, rules in (("shipped (other_stores: false)", default_rules()),
                        ("other_stores: true", _wide_rules())):  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            store = EmbeddedStore(Path(tmp) / "g.lbdb", buffer_pool_mb=512)
            store.create_schema()
            try:
                ring = _market(store, n_stores)
                started = time.perf_counter()
                preview = approvals.ring_confirm_preview(
                    store, ring, approval_above=50, rules=rules
                )
                preview_s = time.perf_counter() - started
                started = time.perf_counter()
                result = rings.confirm(store, ring, "bench", "bench", rules=rules, now=T)
                confirm_s = time.perf_counter() - started
                other = f"store:tb:op{0:05d}"
                out.append(
                    {
                        "rules": name,
                        "listings": preview.listings,
                        "subjects": preview.subjects,
                        "restrictions": preview.restrictions,
                        "applied_restrictions": len(result.restrictions),
                        "needs_approval": preview.needs_approval,
                        "threshold": preview.limit.threshold,
                        "other_store_restricted": punish.status(
                            store, other, at=date(2024, 6, 1)
                        ).restricted,
                        "preview_s": round(preview_s, 2),
                        "confirm_s": round(confirm_s, 2),
                    }
                )
            finally:
                store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=1_544, help="stores the operator runs")
    args = parser.parse_args()
    for row in run(args.stores):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
