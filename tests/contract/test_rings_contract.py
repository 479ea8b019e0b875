"""Brushing rings through each store: detect, re-run, review, and what confirmation causes.

A small synthetic market with two planted rings (``ingest.generate.market``) is
written as accounts, orders, waybills, receiver addresses and phones. The first ring's
first store is operated by a business. Detection must find both rings and write them as
suspected; a re-run must change nothing; confirming must create a violation and, through
the joint-punishment service, restrictions on the operator; dismissing must punish nobody.
"""

from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter

import pytest

from algorithms.brushing import score_store, service
from algorithms.propagation import service as punish
from graph.embedded_store import EmbeddedStore
from graph.errors import InvalidInput, NotFound
from graph.store import GraphStore
from ingest.generate.market import MarketGraph, MarketSpec, make_market, market_graph

T1 = datetime(2024, 5, 1, 9, 0, 0)
T2 = datetime(2024, 5, 2, 9, 0, 0)
OPERATOR = "biz:91330106MA2BRUSH01"


def write_market(
    store: GraphStore, seed: int = 3, *, reviews: bool = False
) -> tuple[MarketGraph, list[set[str]]]:
    """Write a two-ring market; return its rows and each planted ring's account uids."""
    market = make_market(
        MarketSpec(
            n_orders=1_500, n_rings=2, ring_accounts=12, ring_stores=4, seed=seed, reviews=reviews
        )
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
    for summary in service.list_rings(store, service.STATUSES).items:
        detail = service.ring_detail(store, summary.uid)
        if set(detail.accounts) & accounts:
            return detail
    raise AssertionError("planted ring not found")


def test_a_query_read_as_a_table_in_pages_has_the_rows_of_the_query(store: GraphStore) -> None:
    write_market(store)
    if isinstance(store, EmbeddedStore):
        store.projection_page_nodes = 37  # many pages
    table = store.query_table("rings/orders", pages_over="Order")
    rows = store.query("rings/orders", {"lo": 0, "hi": 2**62})  # one page holding all
    assert table.num_rows == len(rows) > 37
    key = itemgetter("order_uid")
    assert sorted(table.to_pylist(), key=key) == sorted(rows, key=key)


def test_loading_reads_every_order_with_its_buyer_and_store(store: GraphStore) -> None:
    graph, _ = write_market(store)
    loaded = service.load_orders(store)
    assert loaded.table.n_orders == len(graph.nodes["Order"])
    assert loaded.order_uids.to_pylist() == sorted(row["uid"] for row in graph.nodes["Order"])
    buyer = {row["dst"]: row["src"] for row in graph.rels[("PLACED", "Account", "Order")]}
    seller = {row["src"]: row["dst"] for row in graph.rels[("AT_STORE", "Order", "Store")]}
    for i in (0, len(loaded.order_uids) // 2, len(loaded.order_uids) - 1):
        order = loaded.order_uids[i].as_py()
        assert loaded.account_uids[loaded.table.account[i]] == buyer[order]
        assert loaded.store_uids[loaded.table.store[i]] == seller[order]
    assert (loaded.table.address >= 0).all()
    assert (loaded.table.placed > 0).all()


def test_detection_writes_suspected_rings_and_a_rerun_changes_nothing(store: GraphStore) -> None:
    _, planted = write_market(store)
    first = service.detect(store, now=T1)
    assert first.created == 2
    rings = service.list_rings(store).items
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
    again = service.detect(store, now=T2)
    assert (again.created, again.updated, again.superseded) == (0, 2, 0)
    assert store.counts() == counts
    assert {r.uid for r in service.list_rings(store).items} == {r.uid for r in rings}


def test_confirming_creates_a_violation_and_restrictions_follow(store: GraphStore) -> None:
    _, planted = write_market(store)
    service.detect(store, now=T1)
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
    again = service.detect(store, now=T2)
    assert again.kept_reviewed == 1
    assert service.ring_detail(store, ring.uid).status == "confirmed"
    with pytest.raises(InvalidInput):
        service.confirm(store, ring.uid, "officer-7", "twice")


def test_dismissing_punishes_nobody(store: GraphStore) -> None:
    _, planted = write_market(store)
    service.detect(store, now=T1)
    ring = _ring_of(store, planted[0])
    with pytest.raises(InvalidInput):
        service.dismiss(store, ring.uid, "officer-7", "  ")
    result = service.dismiss(store, ring.uid, "officer-7", "a family buying together", now=T2)
    assert result.ring.status == "dismissed"
    assert result.violation_uid is None
    assert store.counts().nodes["Violation"] == 0
    assert store.counts().nodes["Listing"] == 0
    assert [r.uid for r in service.list_rings(store, ["dismissed"]).items] == [ring.uid]


def test_unknown_rings_are_not_found(store: GraphStore) -> None:
    with pytest.raises(NotFound):
        service.ring_detail(store, "ring:0000000000000000")
    with pytest.raises(InvalidInput):
        service.ring_detail(store, "biz:not-a-ring")


def test_every_account_and_store_with_orders_gets_a_score_with_reasons(store: GraphStore) -> None:
    graph, planted = write_market(store, reviews=True)
    loaded = service.load_orders(store)
    assert loaded.table.has_ratings
    report = service.detect(store, now=T1)
    buyers = {row["src"] for row in graph.rels[("PLACED", "Account", "Order")]}
    shops = {row["dst"] for row in graph.rels[("AT_STORE", "Order", "Store")]}
    assert (report.scored_accounts, report.scored_stores) == (len(buyers), len(shops))
    ring_accounts = set().union(*planted)
    page = score_store.list_scores(store, "account", limit=len(ring_accounts))
    top = page.items
    assert {e.uid for e in top} == ring_accounts
    assert all(e.score >= 0.9 and e.reasons for e in top)
    assert all(r.text_zh and r.text_en and "{" not in r.text_en for r in top[0].reasons)
    rest = score_store.list_scores(store, "account", limit=1000, cursor=page.next).items
    assert not {e.uid for e in rest} & ring_accounts
    honest = [e for e in rest if e.uid not in ring_accounts]
    assert max(e.score for e in honest) < 0.5
    best_store = score_store.list_scores(store, "store", limit=1).items[0]
    assert best_store.score >= 0.9
    assert any(r.code.startswith("brushing_store_") for r in best_store.reasons)
    one = score_store.entity_score(store, top[0].uid)
    assert one == top[0]
    ring = _ring_of(store, planted[0])
    assert {e.uid for e in ring.member_scores} >= set(ring.accounts)
    counts = store.counts()
    service.detect(store, now=T2)
    assert store.counts() == counts
    with pytest.raises(InvalidInput):
        score_store.entity_score(store, "ring:0123456789abcdef")
    with pytest.raises(NotFound):
        score_store.entity_score(store, "account:tb:nobody")
