"""The store port's contract: both adapters give the same answers to the same calls."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from graph.errors import InvalidInput, NoPath, NotFound
from graph.identity import address_uid, phone_uid
from graph.store import GraphStore
from ingest import pipeline
from ingest.mappings import MAPPINGS
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY
from tests.sample_graph import SAMPLE_NODES, SAMPLE_RELATIONSHIPS

A, B, C, D = (
    "biz:91330106MA2AAAAA15",
    "biz:91330106MA2AAAAA28",
    "biz:91330106MA2AAAAA3B",
    "biz:HK:1234567",
)
ZHANG, WANG = "person:zhang", "person:wang"
SHOP = "store:taobao:100234"


def build_scenario(store: GraphStore) -> None:
    """D holds 70% of A, Zhang 30%; A holds 60% of B; Zhang represents A and B; B runs a shop."""
    store.upsert_nodes(
        "Business",
        [
            {
                "uid": A,
                "name": "杭州星辰贸易有限公司",
                "established": "2018-03-12",
                "registered_capital": 5e6,
            },
            {"uid": B, "name": "杭州星辰电子商务有限公司", "established": "2019-06-01"},
            {"uid": C, "name": "杭州云帆科技有限公司"},
            {"uid": D, "name": "星辰控股(香港)有限公司"},
        ],
    )
    store.upsert_nodes("Person", [{"uid": ZHANG, "name": "张伟"}, {"uid": WANG, "name": "王芳"}])
    store.upsert_nodes("Store", [{"uid": SHOP, "name": "星辰数码旗舰店", "platform": "taobao"}])
    store.upsert_relationships(
        "SHAREHOLDER_OF",
        "Business",
        "Business",
        [
            {"rid": "sh:D-A", "src": D, "dst": A, "share": 0.7, "since": "2018-03-12"},
            {"rid": "sh:A-B", "src": A, "dst": B, "share": 0.6, "since": "2019-06-01"},
        ],
    )
    store.upsert_relationships(
        "SHAREHOLDER_OF",
        "Person",
        "Business",
        [
            {"rid": "sh:Z-A", "src": ZHANG, "dst": A, "share": 0.3},
        ],
    )
    store.upsert_relationships(
        "LEGAL_REPRESENTATIVE_OF",
        "Person",
        "Business",
        [
            {"rid": "lr:Z-A", "src": ZHANG, "dst": A, "since": "2018-03-12"},
            {"rid": "lr:Z-B", "src": ZHANG, "dst": B, "since": "2019-06-01", "until": "2023-01-01"},
        ],
    )
    store.upsert_relationships(
        "OPERATES", "Business", "Store", [{"rid": "op:B-shop", "src": B, "dst": SHOP}]
    )


def test_upserting_the_same_rows_twice_changes_nothing(store: GraphStore) -> None:
    build_scenario(store)
    first = store.counts()
    build_scenario(store)
    second = store.counts()
    assert first == second
    assert second.nodes["Business"] == 4
    assert second.relationships["SHAREHOLDER_OF"] == 3


def test_a_large_batch_creates_the_new_updates_the_stored_and_the_last_row_wins(
    store: GraphStore,
) -> None:
    """Large enough for either adapter's bulk path (probe, create, then update)."""
    build_scenario(store)
    people = [{"uid": f"person:p{i}", "name": f"甲{i}"} for i in range(2_500)]
    store.upsert_nodes("Person", people[:100])
    again = [{"uid": f"person:p{i}", "name": f"乙{i}"} for i in range(10)]
    store.upsert_nodes("Person", [*people, *again])
    holdings = [
        {"rid": f"sh:p{i}", "src": f"person:p{i}", "dst": B, "share": 0.0001} for i in range(2_495)
    ]
    missing = [
        {"rid": f"sh:x{i}", "src": f"person:missing{i}", "dst": B, "share": 0.1} for i in range(5)
    ]
    store.upsert_relationships("SHAREHOLDER_OF", "Person", "Business", holdings[:100])
    later = [{**row, "share": 0.2} for row in holdings[:10]]
    written = store.upsert_relationships(
        "SHAREHOLDER_OF", "Person", "Business", [*holdings, *missing, *later]
    )
    counts = store.counts()
    assert written == 2_495 + 10
    assert counts.nodes["Person"] == 2 + 2_500
    assert counts.relationships["SHAREHOLDER_OF"] == 3 + 2_495
    assert store.get_node("person:p3").props["name"] == "乙3"  # type: ignore[union-attr]
    assert store.get_node("person:p30").props["name"] == "甲30"  # type: ignore[union-attr]
    shares = {e.rid: e.props["share"] for e in store.edges_of([B], ["SHAREHOLDER_OF"])}
    assert shares["sh:p3"] == pytest.approx(0.2)
    assert shares["sh:p30"] == pytest.approx(0.0001)
    assert "sh:x0" not in shares


def test_a_wipe_empties_a_graph_larger_than_one_delete_batch(store: GraphStore) -> None:
    people = [{"uid": f"person:{i:05d}", "name": f"人{i}"} for i in range(12_000)]
    store.upsert_nodes("Person", people)
    store.upsert_nodes("Business", [{"uid": "biz:hub", "name": "枢纽"}])
    store.upsert_relationships(
        "SHAREHOLDER_OF",
        "Person",
        "Business",
        [{"rid": f"sh:{i}", "src": p["uid"], "dst": "biz:hub"} for i, p in enumerate(people)],
    )
    store.wipe()
    counts = store.counts()
    assert counts.total_nodes == 0
    assert counts.total_relationships == 0


def test_get_nodes_keeps_the_order_asked_and_leaves_out_unknown_uids(store: GraphStore) -> None:
    build_scenario(store)
    nodes = store.get_nodes([B, "biz:nope", ZHANG, A])
    assert [n.uid for n in nodes] == [B, ZHANG, A]
    assert [n.label for n in nodes] == ["Business", "Person", "Business"]
    assert store.get_node("person:nobody") is None


def test_properties_come_back_typed_and_without_nulls(store: GraphStore) -> None:
    build_scenario(store)
    node = store.get_node(A)
    assert node is not None
    assert node.props["established"] == date(2018, 3, 12)
    assert node.props["registered_capital"] == pytest.approx(5e6)
    assert "status" not in node.props


def test_a_relationship_to_a_missing_node_is_not_written(store: GraphStore) -> None:
    build_scenario(store)
    written = store.upsert_relationships(
        "OPERATES", "Business", "Store", [{"rid": "op:x", "src": A, "dst": "store:jd:missing"}]
    )
    assert written == 0
    assert store.counts().relationships["OPERATES"] == 1


def test_a_label_pair_the_schema_does_not_allow_is_refused(store: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="does not join"):
        store.upsert_relationships(
            "OPERATES", "Store", "Business", [{"rid": "x", "src": SHOP, "dst": A}]
        )


def test_edges_of_respects_direction_and_type(store: GraphStore) -> None:
    build_scenario(store)
    outgoing = store.edges_of([ZHANG], direction="out")
    assert {e.rid for e in outgoing} == {"sh:Z-A", "lr:Z-A", "lr:Z-B"}
    incoming_to_a = store.edges_of([A], ["SHAREHOLDER_OF"], direction="in")
    assert {(e.src, e.dst) for e in incoming_to_a} == {(D, A), (ZHANG, A)}
    ended = next(e for e in outgoing if e.rid == "lr:Z-B")
    assert ended.props["until"] == date(2023, 1, 1)


def test_neighbourhood_follows_hops_and_type_filters(store: GraphStore) -> None:
    build_scenario(store)
    one_hop = store.neighbourhood(B, 1)
    assert {n.uid for n in one_hop.nodes} == {B, A, ZHANG, SHOP}
    owners_only = store.neighbourhood(B, 2, ["SHAREHOLDER_OF"])
    assert {n.uid for n in owners_only.nodes} == {B, A, D, ZHANG}
    assert all(e.type == "SHAREHOLDER_OF" for e in owners_only.edges)


def test_neighbourhood_says_when_it_was_truncated(store: GraphStore) -> None:
    build_scenario(store)
    small = store.neighbourhood(A, 2, max_nodes=3)
    assert small.truncated
    assert len(small.nodes) == 3


def test_neighbourhood_of_an_unknown_entity_is_not_found(store: GraphStore) -> None:
    with pytest.raises(NotFound):
        store.neighbourhood("biz:nobody", 1)


def test_paths_returns_every_shortest_path(store: GraphStore) -> None:
    build_scenario(store)
    found = store.paths(ZHANG, SHOP, max_hops=4)
    assert {p.uids for p in found} == {(ZHANG, B, SHOP)}
    via_a = store.paths(D, ZHANG)
    assert {p.uids for p in via_a} == {(D, A, ZHANG)}
    assert {tuple(e.type for e in p.edges) for p in via_a} == {
        ("SHAREHOLDER_OF", "SHAREHOLDER_OF"),
        ("SHAREHOLDER_OF", "LEGAL_REPRESENTATIVE_OF"),
    }


def test_paths_between_unconnected_entities_raise_no_path(store: GraphStore) -> None:
    build_scenario(store)
    with pytest.raises(NoPath):
        store.paths(C, A)


def test_projection_carries_edges_and_properties_as_arrays(store: GraphStore) -> None:
    build_scenario(store)
    projection = store.project(
        ["SHAREHOLDER_OF"],
        edge_props=["share", "since"],
        node_props=["name"],
        node_labels=["Business"],
    )
    assert projection.n_edges == 3
    assert set(projection.uids) == {A, B, C, D, ZHANG}
    index = projection.index
    shares = {
        (projection.uids[s], projection.uids[d]): w
        for s, d, w in zip(
            projection.src, projection.dst, projection.edge_props["share"], strict=True
        )
    }
    assert shares == {
        (D, A): pytest.approx(0.7),
        (A, B): pytest.approx(0.6),
        (ZHANG, A): pytest.approx(0.3),
    }
    since = dict(zip(projection.rids, projection.edge_props["since"], strict=True))
    assert since["sh:D-A"] == "2018-03-12"
    assert since["sh:Z-A"] is None
    assert projection.node_props["name"][index[C]] == "杭州云帆科技有限公司"
    matrix = projection.adjacency(weights=np.asarray(projection.edge_props["share"], dtype=float))
    assert matrix[index[A], index[B]] == pytest.approx(0.6)


def test_setting_properties_leaves_the_others_alone(store: GraphStore) -> None:
    build_scenario(store)
    assert store.set_node_properties("Business", [{"uid": A, "status": "abnormal"}]) == 1
    node = store.get_node(A)
    assert node is not None
    assert node.props["status"] == "abnormal"
    assert node.props["name"] == "杭州星辰贸易有限公司"


def test_a_failed_transaction_leaves_no_trace(store: GraphStore) -> None:
    build_scenario(store)

    def write_then_fail() -> None:
        with store.transaction():
            store.upsert_nodes("Person", [{"uid": "person:ghost", "name": "幽灵"}])
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert store.get_node("person:ghost") is None
    with store.transaction():
        store.upsert_nodes("Person", [{"uid": "person:kept", "name": "留下"}])
    assert store.get_node("person:kept") is not None


def test_search_finds_chinese_names_by_substring(store: GraphStore) -> None:
    build_scenario(store)
    assert {n.uid for n in store.search_nodes("Business", "星辰")} == {A, B, D}
    assert [n.uid for n in store.find_nodes("Person", {"name": "王芳"})] == [WANG]


def test_deleting_relationships_by_rid(store: GraphStore) -> None:
    build_scenario(store)
    store.delete_relationships("LEGAL_REPRESENTATIVE_OF", ["lr:Z-B"])
    assert {e.rid for e in store.edges_of([ZHANG], ["LEGAL_REPRESENTATIVE_OF"])} == {"lr:Z-A"}


def test_a_load_that_holds_its_inserts_reads_updates_and_releases_them_whole(
    store: GraphStore,
) -> None:
    """What a load does between ``hold_relationship_inserts`` and the release (the embedded
    store copies relationships at the release and defers its checkpoints meanwhile; Neo4j
    writes at once): every read, update and count sees what came before it."""
    held = store.hold_relationship_inserts()
    companies = [{"uid": f"biz:HK:{i:07d}", "name": f"公司{i}"} for i in range(3_000)]
    assert store.insert_new_nodes("Business", companies) == 3_000
    owners = [
        {"rid": f"sh:{i}", "src": f"biz:HK:{i:07d}", "dst": f"biz:HK:{i + 1:07d}", "share": 0.5}
        for i in range(2_999)
    ]
    written = store.insert_new_relationships("SHAREHOLDER_OF", "Business", "Business", owners)
    assert written == 2_999
    store.upsert_nodes("Business", [{"uid": "biz:HK:0000007", "name": "改名公司"}])
    renamed = store.get_node("biz:HK:0000007")
    assert renamed is not None
    assert renamed.props["name"] == "改名公司"
    assert store.release_relationship_inserts() == (2_999 if held else 0)  # node calls wait
    assert {e.rid for e in store.edges_of(["biz:HK:0000007"], ["SHAREHOLDER_OF"])} == {
        "sh:6",
        "sh:7",
    }
    counts = store.counts()
    assert counts.nodes["Business"] == 3_000
    assert counts.relationships["SHAREHOLDER_OF"] == 2_999


def test_ingesting_the_sample_gives_the_same_graph_on_both_stores(
    store: GraphStore, tmp_path: Path
) -> None:
    report = ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path)
    assert report.quarantined == 0
    assert report.read == report.loaded == 41
    counts = store.counts()
    assert counts.nodes["Business"] == 5
    # eight address mentions, four places: 文三路90号5楼 is also written 文三路９０号５楼
    assert counts.nodes["Address"] == 4
    assert counts.relationships["SHAREHOLDER_OF"] == 6
    assert counts.nodes["Licence"] == counts.relationships["HOLDS_LICENCE"] == 5
    assert {label: n for label, n in counts.nodes.items() if n} == SAMPLE_NODES
    assert {rel: n for rel, n in counts.relationships.items() if n} == SAMPLE_RELATIONSHIPS
    again = ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path)
    assert again.loaded == 41
    assert store.counts() == counts


def test_an_address_and_a_phone_several_rows_name_are_written_once_a_run(
    store: GraphStore, tmp_path: Path
) -> None:
    """The sample names 文三路90号5楼 in two rows of businesses.csv and once in stores.csv, and
    0571-88001234 in all three: their properties follow from their uid, so the run writes
    each once; its source is the first file that named it. A later run updates it."""
    address, phone = address_uid("浙江省杭州市西湖区文三路90号5楼"), phone_uid("0571-88001234")
    first = ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path)
    for uid in (address, phone):
        node = store.get_node(uid)
        assert node is not None
        assert (node.props["source"], node.props["run_id"]) == ("businesses.csv", first.run_id)
    stores = next(f for f in first.files if f.name == "stores")
    assert stores.nodes_written == 4  # its stores: both addresses and the phone were written
    assert store.counts().nodes["Address"] == 4
    again = ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path)
    assert again.run_id != first.run_id
    for uid in (address, phone):
        node = store.get_node(uid)
        assert node is not None
        assert node.props["run_id"] == again.run_id  # stored before the run: updated


def test_a_relationship_type_let_go_and_written_again_is_upserted_not_doubled(
    store: GraphStore, tmp_path: Path
) -> None:
    """The sample's businesses go through one run twice, every rid let go in between: the
    second pass meets every relationship again, and must not insert it a second time."""
    mapping = next(m for m in MAPPINGS if m.name == "businesses")
    path = SAMPLE_DIR / "businesses.csv"
    provenance = {"source": path.name, "run_id": "r", "first_seen": "2025-03-01T09:30:00"}
    provenance["last_seen"] = provenance["first_seen"]
    counts = []
    for passes in (1, 2):
        store.wipe()
        sink = pipeline.StoreSink(store)
        sink.prepare()
        run = pipeline._Run(sink, TEST_KEY, True)
        for _ in range(passes):
            report = pipeline.FileReport(mapping.name, str(path))
            run.file(mapping, path, report, provenance, tmp_path / "q", None)
            run.keep_only(frozenset())
        sink.finish()
        counts.append(store.counts().relationships)
    assert counts[0]["HAS_PHONE"] == 4
    assert counts[1] == counts[0]


@pytest.mark.neo4j
def test_an_open_transaction_belongs_to_its_thread(neo4j_store: GraphStore) -> None:
    """A worker thread reading while a request writes in a transaction must neither run
    inside that transaction nor see its uncommitted writes."""
    import threading

    neo4j_store.wipe()
    seen: list[object] = []
    with neo4j_store.transaction():
        neo4j_store.upsert_nodes("Business", [{"uid": "biz:tx", "name": "未提交"}])
        reader = threading.Thread(target=lambda: seen.append(neo4j_store.get_node("biz:tx")))
        reader.start()
        reader.join(timeout=30)
    assert seen == [None]
    assert neo4j_store.get_node("biz:tx") is not None
