"""Brushing rings through each store: detect, re-run, review, and what confirmation causes.

A small synthetic market with two planted rings (``ingest.generate.market``) is
written as accounts, orders, waybills, receiver addresses and phones. The first ring's
first store is operated by a business. Detection must find both rings and write them as
suspected; a re-run must change nothing; confirming must create a violation and, through
the joint-punishment service, restrictions on the operator; dismissing must punish nobody.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from algorithms.brushing import service
from algorithms.propagation import service as punish
from graph.errors import InvalidInput, NotFound
from graph.store import GraphStore
from ingest.generate.market import MarketGraph, MarketSpec, make_market, market_graph

T1 = datetime(2024, 5, 1, 9, 0, 0)
T2 = datetime(2024, 5, 2, 9, 0, 0)
OPERATOR = "biz:91330106MA2BRUSH01"


def write_market(store: GraphStore, seed: int = 3) -> tuple[MarketGraph, list[set[str]]]:
    """Write a two-ring market; return its rows and each planted ring's account uids."""
    market = make_market(
        MarketSpec(n_orders=1_500, n_rings=2, ring_accounts=12, ring_stores=4, seed=seed)
    )
    graph = market_graph(market)
    for label, rows in graph.nodes.items():
        store.upsert_nodes(label, rows)
    for (rel_type, src, dst), rows in graph.rels.items():
        store.upsert_relationships(rel_type, src, dst, rows)
    boosted = graph.store_uids[int(market.rings[0].stores[0])]
    store.upsert_nodes("Business", [{"uid": OPERATOR, "name": "某某电子商务有限公司"}])
    store.upsert_relationships(
        "OPERATES", "Business", "Store", [{"rid": "op:brush", "src": OPERATOR, "dst": boosted}]
    )
    planted = [{graph.account_uids[int(a)] for a in ring.accounts} for ring in market.rings]
    return graph, planted


def _ring_of(store: GraphStore, accounts: set[str]) -> service.RingDetail:
    for summary in service.list_rings(store, service.STATUSES):
        detail = service.ring_detail(store, summary.uid)
        if set(detail.accounts) & accounts:
            return detail
    raise AssertionError("planted ring not found")


def test_loading_pages_through_every_order(store: GraphStore) -> None:
    graph, _ = write_market(store)
    loaded = service.load_orders(store, batch_size=400)
    assert loaded.table.n_orders == len(graph.nodes["Order"])
    assert loaded.pages == len(graph.nodes["Order"]) // 400 + 1
    assert set(loaded.order_uids) == {row["uid"] for row in graph.nodes["Order"]}
    assert (loaded.table.address >= 0).all()
    assert (loaded.table.placed > 0).all()


def test_detection_writes_suspected_rings_and_a_rerun_changes_nothing(store: GraphStore) -> None:
    _, planted = write_market(store)
    first = service.detect(store, batch_size=500, now=T1)
    assert first.created == 2
    rings = service.list_rings(store)
    assert [r.status for r in rings] == ["suspected", "suspected"]
    assert rings[0].score >= rings[1].score
    for accounts in planted:
        detail = _ring_of(store, accounts)
        assert set(detail.accounts) == accounts
        assert detail.n_stores == len(detail.stores) == 4
        assert {m.role for m in detail.stores} == {"boosted_store"}
        assert detail.orders
        assert detail.waybills == len(detail.orders)
        assert len(detail.shared_receivers[0].accounts) >= 3
        assert any("parcels weighed under" in r for r in detail.reasons)
    counts = store.counts()
    again = service.detect(store, batch_size=500, now=T2)
    assert (again.created, again.updated, again.superseded) == (0, 2, 0)
    assert store.counts() == counts
    assert {r.uid for r in service.list_rings(store)} == {r.uid for r in rings}


def test_confirming_creates_a_violation_and_restrictions_follow(store: GraphStore) -> None:
    _, planted = write_market(store)
    service.detect(store, batch_size=500, now=T1)
    ring = _ring_of(store, planted[0])
    assert punish.status(store, OPERATOR, at=date(2024, 6, 1)).restricted is False
    result = service.confirm(
        store, ring.uid, "officer-7", "platform confirmed empty parcels", now=T2
    )
    assert result.ring.status == "confirmed"
    assert result.ring.reviewed_by == "officer-7"
    assert result.violation_uid is not None
    assert OPERATOR in result.penalised
    # stores without an operator on record are penalised themselves
    assert len(result.penalised) == 4
    violation = store.get_node(result.violation_uid)
    assert violation is not None
    assert violation.get("kind") == "brushing"
    assert "第十七条" in violation.get("legal_basis")
    penalised = store.edges_of([result.violation_uid], ["PENALISED"], direction="in")
    assert {e.src for e in penalised} == set(result.penalised)
    measures = {(r.subject_uid, r.measure) for r in result.restrictions}
    assert (OPERATOR, "platform_entry_restriction") in measures
    status = punish.status(store, OPERATOR, at=date(2024, 6, 1))
    assert status.restricted
    assert "platform_entry_restriction" in status.measures
    # a confirmed ring stays confirmed when detection runs again
    again = service.detect(store, batch_size=500, now=T2)
    assert again.kept_reviewed == 1
    assert service.ring_detail(store, ring.uid).status == "confirmed"
    with pytest.raises(InvalidInput):
        service.confirm(store, ring.uid, "officer-7", "twice")


def test_dismissing_punishes_nobody(store: GraphStore) -> None:
    _, planted = write_market(store)
    service.detect(store, batch_size=500, now=T1)
    ring = _ring_of(store, planted[0])
    with pytest.raises(InvalidInput):
        service.dismiss(store, ring.uid, "officer-7", "  ")
    result = service.dismiss(store, ring.uid, "officer-7", "a family buying together", now=T2)
    assert result.ring.status == "dismissed"
    assert result.violation_uid is None
    assert store.counts().nodes["Violation"] == 0
    assert store.counts().nodes["Listing"] == 0
    assert [r.uid for r in service.list_rings(store, ["dismissed"])] == [ring.uid]


def test_unknown_rings_are_not_found(store: GraphStore) -> None:
    with pytest.raises(NotFound):
        service.ring_detail(store, "ring:0000000000000000")
    with pytest.raises(InvalidInput):
        service.ring_detail(store, "biz:not-a-ring")
