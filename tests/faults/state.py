"""What a decision changes in a store, compared across runs (without the clock)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from algorithms.brushing import service as rings
from algorithms.propagation import service
from graph.embedded_store import EmbeddedStore

__all__ = ["assert_feed_whole", "snapshot"]


def snapshot(home: Path) -> dict[str, Any]:
    """What a decision changes, without the clock (recorded/at times differ run to run)."""
    with EmbeddedStore(home / "graph.lbdb", buffer_pool_mb=256) as store:
        feed = service.changes(store, 0, 10_000)
        listings = service.load_listings(store)
        current = service.current_restrictions(store)
        reports = store.find_nodes("InfringementReport", {"source": "brands"}, limit=1_000)
        ring_rows = rings.list_rings(store, limit=1000).items
        counts = store.counts()
    return {
        "seqs": [e.seq for e in feed],
        "feed": [
            (
                e.seq,
                e.kind,
                e.subject_uid,
                e.measure,
                e.listing_uid,
                e.restriction_uid,
                e.valid_from,
                e.valid_to,
                e.reason,
            )
            for e in feed
        ],  # fmt: skip
        "listings": sorted(
            (x.uid, x.subject_uid, x.list_type, x.decided, x.removed, x.removal_reason)
            for x in listings
        ),
        "restrictions": sorted(
            (r.uid, r.subject_uid, r.measure, r.listing_uid, r.rule_id, r.valid_from, r.valid_to)
            for r in current
        ),
        "reports": sorted((n.uid, n.get("status"), n.get("complainant")) for n in reports),
        "rings": sorted((r.uid, r.status) for r in ring_rows),
        "counts": counts,
    }


def assert_feed_whole(state: dict[str, Any]) -> None:
    seqs = state["seqs"]
    assert seqs == list(range(1, len(seqs) + 1)), "the change feed has a gap or a duplicate"
