"""The embedded store's batches and sessions, on a real LadybugDB database.

LadybugDB 0.22 keeps every Arrow table passed to it as a parameter, and memory for every row
written in a session, until the database closes. The store hands batches over as Parquet
files it removes after each statement, and reopens the database between transactions once
enough rows went through it: writes, reads and transactions behave as if nothing happened.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.embedded_store import EmbeddedStore
from graph.errors import StoreError
from graph.model import Projection


def _business(i: int, name: str = "") -> dict[str, object]:
    return {"uid": f"biz:{i:06d}", "name": name or f"公司{i}", "region": "330100"}


def _spools(directory: Path) -> list[Path]:
    return sorted(directory.glob(".credgraph-spool-*"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path / "graph.lbdb", buffer_pool_mb=256)
    store.create_schema()
    yield store
    store.close()


def test_bulk_batches_leave_no_files_behind(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "graph.lbdb", buffer_pool_mb=256)
    try:
        store.create_schema()
        assert store.upsert_nodes("Business", [_business(i) for i in range(5_000)]) == 5_000
        assert store.upsert_nodes("Business", [_business(1, "改名公司")]) == 1
        spools = _spools(tmp_path)
        assert len(spools) == 1
        assert not list(spools[0].iterdir())
        node = store.get_node("biz:000001")
        assert node is not None
        assert node.props["name"] == "改名公司"
    finally:
        store.close()
    assert _spools(tmp_path) == []


def test_a_crashed_writers_spool_is_removed_by_the_next(tmp_path: Path) -> None:
    dead = tmp_path / ".credgraph-spool-999999999-abc"
    dead.mkdir()
    (dead / "0.parquet").write_bytes(b"left by a crash")
    alive = tmp_path / f".credgraph-spool-{os.getppid()}-abc"
    alive.mkdir()
    store = EmbeddedStore(tmp_path / "graph.lbdb", buffer_pool_mb=256)
    try:
        store.create_schema()
        store.upsert_nodes("Business", [_business(i) for i in range(3)])
        assert not dead.exists()
        assert alive.exists()  # another live process's batches are left alone
    finally:
        store.close()


def test_the_database_reopens_between_writes_without_losing_any(
    store: EmbeddedStore,
) -> None:
    store.reopen_after_rows = 3_000
    first_connection = store._conn
    for start in range(0, 12_000, 2_500):
        store.upsert_nodes("Business", [_business(i) for i in range(start, start + 2_500)])
    assert store._conn is not first_connection
    assert store.counts().nodes["Business"] == 12_500
    assert {n.uid for n in store.get_nodes(["biz:000000", "biz:012499"])} == {
        "biz:000000",
        "biz:012499",
    }


def test_a_long_writer_of_small_statements_reopens_and_keeps_every_write(
    store: EmbeddedStore,
) -> None:
    store.reopen_after_statements = 20
    first_connection = store._conn
    for i in range(60):
        store.upsert_nodes("Business", [_business(i)])
        store.set_node_properties("Business", [{"uid": f"biz:{i:06d}", "name": f"改名{i}"}])
    assert store._conn is not first_connection
    assert store.counts().nodes["Business"] == 60
    renamed = store.get_node("biz:000059")
    assert renamed is not None
    assert renamed.props["name"] == "改名59"


def test_a_transaction_past_the_reopen_mark_commits_whole(store: EmbeddedStore) -> None:
    store.reopen_after_rows = 10
    store.reopen_after_statements = 2
    with store.transaction():
        store.upsert_nodes("Business", [_business(i) for i in range(100)])
        store.upsert_nodes("Business", [_business(i) for i in range(100, 200)])
    assert store.counts().nodes["Business"] == 200
    store.upsert_nodes("Business", [_business(200)])  # the reopen it was due, after the commit
    assert store.counts().nodes["Business"] == 201


def test_a_transaction_is_never_split_by_a_reopen(store: EmbeddedStore) -> None:
    store.reopen_after_rows = 10
    store.upsert_nodes("Business", [_business(i) for i in range(20)])
    connections = []

    def write_then_fail() -> None:
        with store.transaction():
            connections.append(store._conn)
            store.upsert_nodes("Business", [_business(i) for i in range(100, 150)])
            store.upsert_nodes("Business", [_business(i) for i in range(150, 200)])
            connections.append(store._conn)
            raise StoreError("boom")

    with pytest.raises(StoreError, match="boom"):
        write_then_fail()
    assert connections[0] is connections[1]
    assert store.get_node("biz:000120") is None  # rolled back as one
    assert store.counts().nodes["Business"] == 20


def test_a_projection_read_a_few_source_nodes_at_a_time_has_every_edge(
    store: EmbeddedStore,
) -> None:
    store.upsert_nodes("Business", [_business(i) for i in range(9)])
    store.upsert_nodes("Person", [{"uid": f"person:{i}", "name": f"人{i}"} for i in range(3)])
    store.upsert_nodes("Store", [{"uid": f"store:{i}", "name": f"店{i}"} for i in range(12)])
    edges = [
        {"rid": f"op{i}", "src": f"biz:{i % 9:06d}", "dst": f"store:{i}", "since": "2024-01-02"}
        for i in range(9)
    ]
    store.upsert_relationships("OPERATES", "Business", "Store", edges)
    store.upsert_relationships(
        "OPERATES",
        "Person",
        "Store",
        [{"rid": f"op{i}", "src": f"person:{i - 9}", "dst": f"store:{i}"} for i in range(9, 12)],
    )
    whole = store.project(["OPERATES"], edge_props=["since"], node_labels=["Business"])
    store.projection_page_nodes = 2
    paged = store.project(["OPERATES"], edge_props=["since"], node_labels=["Business"])

    def edge_set(p: Projection) -> set[tuple[str, str, str, object]]:
        since = p.edge_props["since"]
        return {
            (str(p.rids[k]), str(p.uids[p.src[k]]), str(p.uids[p.dst[k]]), since[k])
            for k in range(p.n_edges)
        }

    assert paged.n_edges == 12
    assert edge_set(paged) == edge_set(whole)
    assert ("op0", "biz:000000", "store:0", "2024-01-02") in edge_set(paged)


def _phones(store: EmbeddedStore, owners: list[str]) -> list[dict[str, object]]:
    store.upsert_nodes("Business", [{"uid": b} for b in owners])
    store.upsert_nodes("Phone", [{"uid": "phone:1"}])
    return [{"rid": f"HAS_PHONE:{b}->phone:1", "src": b, "dst": "phone:1"} for b in owners]


def test_held_relationship_inserts_are_copied_before_anything_reads_them(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    rows = _phones(store, ["biz:a", "biz:b", "biz:c"])
    assert store.hold_relationship_inserts()
    assert store.insert_new_relationships("HAS_PHONE", "Business", "Phone", rows[:2]) == 2
    assert store.insert_new_relationships("HAS_PHONE", "Business", "Phone", rows[2:]) == 1
    store.upsert_nodes("Phone", [{"uid": "phone:2"}])  # a node write between the batches
    assert [n.uid for n in store.get_nodes(["phone:2"])] == ["phone:2"]
    out = store.edges_of(["biz:a"], direction="out")  # a read sees every one inserted before
    assert [(e.type, e.dst) for e in out] == [("HAS_PHONE", "phone:1")]
    assert store.counts().relationships["HAS_PHONE"] == 3
    assert store.release_relationship_inserts() == 0  # already copied by the read
    assert not list(_spools(tmp_path)[0].glob("*held*"))


def test_a_release_copies_each_type_in_one_statement_and_close_copies_what_is_left(
    tmp_path: Path,
) -> None:
    path = tmp_path / "graph.lbdb"
    store = EmbeddedStore(path, buffer_pool_mb=256)
    store.create_schema()
    rows = _phones(store, [f"biz:{i}" for i in range(6)])
    store.hold_relationship_inserts()
    for k in range(0, 6, 2):
        store.insert_new_relationships("HAS_PHONE", "Business", "Phone", rows[k : k + 2])
    assert store.release_relationship_inserts() == 6
    store.hold_relationship_inserts()
    store.upsert_nodes("Business", [{"uid": "biz:late"}])
    late = {"rid": "HAS_PHONE:biz:late->phone:1", "src": "biz:late", "dst": "phone:1"}
    store.insert_new_relationships("HAS_PHONE", "Business", "Phone", [late])
    store.close()  # still held: copied on close
    reopened = EmbeddedStore(path, buffer_pool_mb=256)
    try:
        assert reopened.counts().relationships["HAS_PHONE"] == 7
    finally:
        reopened.close()


def test_held_relationships_larger_than_one_copy_go_in_several(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _phones(store, [f"biz:{i}" for i in range(7)])
    monkeypatch.setattr(EmbeddedStore, "held_copy_rows", property(lambda self: 3))
    store.hold_relationship_inserts()
    for k in range(0, 7, 2):  # files of 2, 2, 2 and 1 rows: copies of 2, 2 and 2+1
        store.insert_new_relationships("HAS_PHONE", "Business", "Phone", rows[k : k + 2])
    assert store.release_relationship_inserts() == 7
    assert store.counts().relationships["HAS_PHONE"] == 7


def test_a_held_copy_that_fails_raises_and_leaves_no_held_file(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    rows = _phones(store, ["biz:a"])
    store.hold_relationship_inserts()
    dangling = {"rid": "HAS_PHONE:biz:a->phone:404", "src": "biz:a", "dst": "phone:404"}
    store.insert_new_relationships("HAS_PHONE", "Business", "Phone", [*rows, dangling])
    with pytest.raises(StoreError, match="phone:404"):
        store.release_relationship_inserts()
    assert not list(_spools(tmp_path)[0].glob("*held*"))
