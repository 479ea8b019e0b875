"""An embedded database written before restriction versions had their ``DERIVED_FROM``
edge: opening it gives every version its edge, so repairing a listing still lifts what it
imposed (LadybugDB finds a listing's versions through that edge)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from algorithms.propagation import service
from algorithms.propagation.engine import Listing
from graph.embedded_store import EmbeddedStore
from tests.contract.test_propagation_contract import T1, T2, build


def _derived_edges(store: EmbeddedStore) -> int:
    return int(store.counts().relationships.get("DERIVED_FROM", 0))


def test_an_older_database_gets_its_edges_when_opened_and_a_repair_still_lifts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "graph.lbdb"
    store = EmbeddedStore(path, buffer_pool_mb=256)
    store.create_schema()
    build(store)
    imposed = service.add_listing(
        store, Listing("listing:jd1", "biz:a", "judgment_defaulter", date(2024, 1, 10)), now=T1
    ).imposed
    assert _derived_edges(store) == imposed == 8
    # as a database written before the relationship existed: no DERIVED_FROM edges
    store._run("MATCH ()-[e:DERIVED_FROM]->() DELETE e")
    assert _derived_edges(store) == 0
    store.close()

    reopened = EmbeddedStore(path, buffer_pool_mb=256)
    reopened.create_schema()
    try:
        assert _derived_edges(reopened) == 8
        assert service.status(reopened, "person:ctl", at=date(2024, 3, 1)).restricted
        repaired = service.repair_listing(reopened, "listing:jd1", date(2024, 5, 1), now=T2)
        assert repaired.lifted == 7  # as on a database that always had the edges
        assert not service.status(reopened, "person:ctl", at=date(2024, 5, 2)).restricted
        reopened.create_schema()  # a second opening has nothing to add
        assert _derived_edges(reopened) == 8 + repaired.lifted + repaired.amended
    finally:
        reopened.close()
