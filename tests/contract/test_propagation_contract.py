"""Joint punishment through each store: the same scenario, the same answers.

A business 甲 with a legal representative, a manager, an actual controller, a store and a
majority-owned subsidiary is put on two lists; then one listing is repaired and the other
retracted. Status as of dates (valid time) and as known at moments (recorded time), the
explanation and the change feed must agree with the engine and across stores.
"""

from __future__ import annotations

from datetime import date, datetime

from algorithms.propagation import service
from algorithms.propagation.engine import Listing
from graph.store import GraphStore

T1 = datetime(2024, 2, 1, 9, 0, 0)
T2 = datetime(2024, 6, 1, 9, 0, 0)
T3 = datetime(2024, 7, 1, 9, 0, 0)


def build(store: GraphStore) -> None:
    store.upsert_nodes(
        "Business", [{"uid": "biz:a", "name": "甲公司"}, {"uid": "biz:b", "name": "乙公司"}]
    )
    store.upsert_nodes(
        "Person",
        [
            {"uid": "person:rep", "name": "张三"},
            {"uid": "person:mgr", "name": "李四"},
            {"uid": "person:ctl", "name": "王五"},
            {"uid": "person:far", "name": "赵六"},
        ],
    )
    store.upsert_nodes("Store", [{"uid": "store:s", "name": "甲旗舰店"}])
    store.upsert_relationships(
        "LEGAL_REPRESENTATIVE_OF",
        "Person",
        "Business",
        [{"rid": "r1", "src": "person:rep", "dst": "biz:a", "since": "2020-01-01"}],
    )
    store.upsert_relationships(
        "MANAGER_OF",
        "Person",
        "Business",
        [{"rid": "r2", "src": "person:mgr", "dst": "biz:a", "until": "2024-04-01"}],
    )
    store.upsert_relationships(
        "ACTUAL_CONTROLLER_OF",
        "Person",
        "Business",
        [{"rid": "r3", "src": "person:ctl", "dst": "biz:a", "computed": True}],
    )
    store.upsert_relationships(
        "OPERATES", "Business", "Store", [{"rid": "o1", "src": "biz:a", "dst": "store:s"}]
    )
    store.upsert_relationships(
        "SHAREHOLDER_OF",
        "Business",
        "Business",
        [{"rid": "s1", "src": "biz:a", "dst": "biz:b", "share": 0.6}],
    )
    store.upsert_relationships(
        "LEGAL_REPRESENTATIVE_OF",
        "Person",
        "Business",
        [{"rid": "r4", "src": "person:far", "dst": "biz:b"}],
    )


def test_listing_repair_and_retraction_through_the_store(store: GraphStore) -> None:
    build(store)
    defaulter = Listing("listing:jd1", "biz:a", "judgment_defaulter", date(2024, 1, 10))
    dishonest = Listing(
        "listing:sd1", "biz:a", "serious_dishonesty", date(2024, 1, 15), expires=date(2027, 1, 15)
    )
    first = service.add_listing(store, defaulter, now=T1)
    assert first.imposed == 8  # 5 on the business (person-only measures skipped), 3 people
    service.add_listing(store, dishonest, now=T1)

    rep = service.status(store, "person:rep", at=date(2024, 3, 1))
    assert rep.measures == ("high_consumption_ban", "honours_ban", "representative_ban")
    mgr_then = service.status(store, "person:mgr", at=date(2024, 3, 1))
    mgr_later = service.status(store, "person:mgr", at=date(2024, 5, 1))
    assert mgr_then.measures == ("high_consumption_ban",)
    assert not mgr_later.restricted  # the manager's edge ended 2024-04-01
    assert service.status(store, "biz:b", at=date(2024, 3, 1)).measures == ("key_supervision",)
    assert not service.status(store, "person:far", at=date(2024, 3, 1)).restricted
    assert set(service.status(store, "store:s", at=date(2024, 3, 1)).measures) == {
        "key_supervision",
        "store_risk_notice",
    }

    (why,) = service.explain(store, "person:ctl", at=date(2024, 3, 1))
    assert why.rule_id == "judgment_defaulter.actual_controller"
    assert why.paths[0].zh == "甲公司 ←实际控制人— 王五"
    assert why.paths[0].rids == ("r3",)

    # credit repair of the defaulter listing on 2024-05-01: ends valid time, keeps history
    repaired = service.repair_listing(store, "listing:jd1", date(2024, 5, 1), now=T2)
    assert repaired.lifted == 7  # the manager's record already ended before the repair
    assert repaired.amended == 0
    assert service.status(store, "person:ctl", at=date(2024, 3, 1)).restricted
    assert not service.status(store, "person:ctl", at=date(2024, 5, 2)).restricted
    rep_after = service.status(store, "person:rep", at=date(2024, 5, 2))
    assert rep_after.measures == ("honours_ban", "representative_ban")  # the other listing stays

    # the serious-dishonesty listing is retracted (made in error): gone from every date ...
    service.remove_listing(store, "listing:sd1", date(2024, 7, 1), "error", now=T3)
    assert service.status(store, "person:rep", at=date(2024, 3, 1)).measures == (
        "high_consumption_ban",
    )
    assert not service.status(store, "biz:b", at=date(2024, 3, 1)).restricted
    # ... but what the system said before the retraction is still on record
    before = service.status(store, "biz:b", at=date(2024, 3, 1), known_at=T2)
    assert before.measures == ("key_supervision",)

    feed = service.changes(store, since_seq=0, limit=1000)
    assert [c.seq for c in feed] == list(range(1, len(feed) + 1))
    assert {c.kind for c in feed} == {"imposed", "lifted"}
    tail = service.changes(store, since_seq=feed[-3].seq, limit=10)
    assert [c.seq for c in tail] == [feed[-2].seq, feed[-1].seq]

    # nothing left to do, and a full recomputation agrees with the materialised state
    assert service.propagate_store(store).imposed == 0
    full = service.propagate_store(store, full=True)
    assert (full.imposed, full.lifted, full.amended) == (0, 0, 0)


def test_edge_change_reaches_only_listings_within_hop_limit(store: GraphStore) -> None:
    build(store)
    service.add_listing(
        store, Listing("listing:ab1", "biz:a", "abnormal_operation", date(2024, 1, 1)), now=T1
    )
    store.upsert_nodes("Store", [{"uid": "store:t", "name": "甲二店"}])
    store.upsert_relationships(
        "OPERATES",
        "Business",
        "Store",
        [{"rid": "o2", "src": "biz:a", "dst": "store:t", "since": "2024-03-01"}],
    )
    report = service.edges_changed(store, ["biz:a", "store:t"], now=T2)
    assert (report.recomputed, report.imposed) == (1, 1)
    assert not service.status(store, "store:t", at=date(2024, 2, 1)).restricted
    assert service.status(store, "store:t", at=date(2024, 3, 1)).measures == ("store_risk_notice",)


def test_every_restriction_version_is_linked_to_its_listing(store: GraphStore) -> None:
    """Both stores hold the same graph: each version has its DERIVED_FROM edge, through
    which LadybugDB finds a listing's versions (Neo4j reads its listing_uid index)."""
    build(store)
    first = service.add_listing(
        store, Listing("listing:jd1", "biz:a", "judgment_defaulter", date(2024, 1, 10)), now=T1
    )
    repaired = service.repair_listing(store, "listing:jd1", date(2024, 5, 1), now=T2)
    versions = store.counts().nodes.get("Restriction", 0)
    assert versions == first.imposed + repaired.lifted + repaired.amended
    assert store.counts().relationships.get("DERIVED_FROM", 0) == versions
