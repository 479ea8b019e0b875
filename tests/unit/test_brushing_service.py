"""The pure parts of the brushing service and the synthetic market's graph rows (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from algorithms.brushing.service import EvidenceOrder, _epochs, _shared, ring_uid
from graph.errors import InvalidInput
from ingest.generate.market import MarketSpec, make_market, market_graph


def test_ring_uid_depends_on_the_members_only() -> None:
    one = ring_uid(["account:b", "account:a"], ["store:x", "store:y"])
    assert one == ring_uid(["account:a", "account:b", "account:a"], ["store:y", "store:x"])
    assert one.startswith("ring:")
    assert len(one) == len("ring:") + 16
    assert one != ring_uid(["account:a", "account:c"], ["store:x", "store:y"])


def test_epochs_read_naive_times_as_utc_and_unknown_as_minus_one() -> None:
    stamps = pa.chunked_array(
        [pa.array([datetime(1970, 1, 1, 1, 0, 0, 500), None], pa.timestamp("us"))]
    )
    assert _epochs(stamps, "placed").tolist() == [3600, -1]
    aware = pa.chunked_array([pa.array([datetime(1970, 1, 1, 1, tzinfo=UTC)])])
    assert _epochs(aware, "placed").tolist() == [3600]
    text = pa.chunked_array([pa.array(["1970-01-02T00:00:00", None])])
    assert _epochs(text, "placed").tolist() == [86_400, -1]
    with pytest.raises(InvalidInput, match="yesterday"):
        _epochs(pa.chunked_array([pa.array(["yesterday"])]), "shipped")


def _order(uid: str, account: str, address: str | None, phone: str | None) -> EvidenceOrder:
    return EvidenceOrder(
        order_uid=uid, account=account, store="store:s", placed=None, address=address, phone=phone
    )


def test_shared_receivers_are_those_of_two_or_more_accounts() -> None:
    orders = [
        _order("o1", "account:a", "addr:drop", "phone:1"),
        _order("o2", "account:b", "addr:drop", "phone:2"),
        _order("o3", "account:c", "addr:drop", None),
        _order("o4", "account:c", "addr:home", "phone:1"),
        _order("o5", "account:c", "addr:home", None),
    ]
    shared = _shared(orders)
    assert [(s.kind, s.uid, len(s.accounts), s.orders) for s in shared] == [
        ("address", "addr:drop", 3, 3),
        ("phone", "phone:1", 2, 2),
    ]


def test_market_graph_has_one_waybill_per_order_and_every_edge_end() -> None:
    market = make_market(MarketSpec(n_orders=300, n_rings=1, ring_accounts=5, seed=1))
    graph = market_graph(market)
    n = market.orders.n_orders
    assert len(graph.nodes["Order"]) == len(graph.nodes["Waybill"]) == n
    uids = {row["uid"] for rows in graph.nodes.values() for row in rows}
    for rows in graph.rels.values():
        assert all(r["src"] in uids and r["dst"] in uids for r in rows)
    placed = [r["placed"] for r in graph.nodes["Order"]]
    assert all(isinstance(p, datetime) for p in placed)
    ring = market.rings[0]
    assert {graph.account_uids[int(a)] for a in ring.accounts} <= uids
    assert np.isin(ring.stores, np.arange(market.orders.n_stores)).all()
