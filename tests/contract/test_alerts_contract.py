"""Alerts from the change feed through each store: the same watches reached by the same
paths, whether the changed entities are scanned one at a time or together.

甲 (biz:a) and 乙 (biz:b) share their legal representative 张三; 乙 operates a store; 丙
(biz:c) has 张三 as a director only (not a relationship watches follow by default). 甲 is
put on the abnormal-operations list, which restricts 甲 alone.
"""

from __future__ import annotations

from datetime import date

from algorithms.alerts.core import Watch
from algorithms.alerts.service import scan
from algorithms.propagation import service
from algorithms.propagation.engine import Listing
from graph.store import GraphStore


def build(store: GraphStore) -> None:
    store.upsert_nodes(
        "Business",
        [
            {"uid": "biz:a", "name": "甲公司", "region": "330106"},
            {"uid": "biz:b", "name": "乙公司", "region": "330106"},
            {"uid": "biz:c", "name": "丙公司", "region": "320100"},
        ],
    )
    store.upsert_nodes("Person", [{"uid": "person:p", "name": "张三"}])
    store.upsert_nodes("Store", [{"uid": "store:s", "name": "乙旗舰店"}])
    store.upsert_relationships(
        "LEGAL_REPRESENTATIVE_OF",
        "Person",
        "Business",
        [
            {"rid": "lr1", "src": "person:p", "dst": "biz:a"},
            {"rid": "lr2", "src": "person:p", "dst": "biz:b"},
        ],
    )
    store.upsert_relationships(
        "DIRECTOR_OF", "Person", "Business", [{"rid": "d1", "src": "person:p", "dst": "biz:c"}]
    )
    store.upsert_relationships(
        "OPERATES", "Business", "Store", [{"rid": "o1", "src": "biz:b", "dst": "store:s"}]
    )


WATCHES = [
    Watch(1, "k", "entity", "biz:b", hops=2),
    Watch(2, "k", "entity", "store:s", hops=2),  # three hops away: not reached
    Watch(3, "k", "entity", "store:s", hops=3),
    Watch(4, "k", "entity", "biz:c", hops=2),  # only through a director: not reached
    Watch(5, "k", "region", "3301"),
    Watch(6, "k", "list_type", "serious_dishonesty"),  # another list: not reached
]


def test_a_change_reaches_the_watches_within_their_hops_by_the_shortest_path(
    store: GraphStore,
) -> None:
    build(store)
    service.add_listing(
        store, Listing("listing:1", "biz:a", "abnormal_operation", date(2024, 1, 1))
    )
    result = scan(store, WATCHES, 0)
    reached = {(r.watch.id, r.path, r.rel_types) for r in result.reaches}
    assert reached == {
        (1, ("biz:a", "person:p", "biz:b"), ("LEGAL_REPRESENTATIVE_OF",) * 2),
        (
            3,
            ("biz:a", "person:p", "biz:b", "store:s"),
            ("LEGAL_REPRESENTATIVE_OF", "LEGAL_REPRESENTATIVE_OF", "OPERATES"),
        ),
        (5, ("biz:a",), ()),
    }
    assert {r.change.kind for r in result.reaches} == {"listing"}
    assert result.truncated == 0
    assert scan(store, WATCHES, result.next_seq).reaches == ()


def test_changes_scanned_together_reach_what_each_reaches_alone(store: GraphStore) -> None:
    build(store)
    service.add_listing(
        store, Listing("listing:1", "biz:a", "abnormal_operation", date(2024, 1, 1))
    )
    first = scan(store, WATCHES, 0)
    service.add_listing(
        store, Listing("listing:2", "biz:c", "abnormal_operation", date(2024, 1, 1))
    )
    second = scan(store, WATCHES, first.next_seq)
    together = scan(store, WATCHES, 0)
    alone = {(r.watch.id, r.change.listing_uid, r.path) for r in first.reaches + second.reaches}
    assert {(r.watch.id, r.change.listing_uid, r.path) for r in together.reaches} == alone
    # 丙 itself is watched (hops 2): its own listing reaches it at distance 0.
    assert (4, "listing:2", ("biz:c",)) in alone
