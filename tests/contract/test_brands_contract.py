"""Brand protection through each store: scope in every query, links, repeat infringers,
filing and deciding reports, members, listing a confirmed repeat infringer.

The market: brands A and B. ``biz:OP`` runs stores s1 (reported for A), s2 (reported for A)
and s3 (never reported); its legal representative ``person:P`` also represents ``biz:OP2``,
which runs s4; ``biz:OP`` and ``biz:SH`` are in one shell cluster, ``biz:SH`` runs s5.
Store s9 is run by ``biz:OTHER`` and reported only for brand B.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from algorithms.brands import service as svc
from algorithms.propagation import service as restrictions
from graph.errors import InvalidInput, NotFound
from graph.store import GraphStore

A, B = "brand:A", "brand:B"


def _rows(*uids: str, **props: Any) -> list[dict[str, Any]]:
    return [{"uid": u, **props} for u in uids]


def build(store: GraphStore) -> None:
    """Write the market described in the module docstring."""
    store.upsert_nodes("Brand", [{"uid": A, "name": "甲"}, {"uid": B, "name": "乙"}])
    store.upsert_nodes("Business", _rows("biz:OP", "biz:OP2", "biz:SH", "biz:OTHER", name="某公司"))
    store.upsert_nodes("Person", [{"uid": "person:P", "name": "张三"}])
    stores = {
        "store:taobao:1": ("taobao", "closed", "2020-01-01", "甲店"),
        "store:jd:2": ("jd", "open", "2021-06-01", "乙店"),
        "store:taobao:3": ("taobao", "open", "2019-01-01", "丙店"),
        "store:douyin:4": ("douyin", "open", "2022-01-01", "丁店"),
        "store:taobao:5": ("taobao", "open", "2022-02-01", "戊店"),
        "store:taobao:9": ("taobao", "open", "2022-02-01", "己店"),
    }
    store.upsert_nodes(
        "Store",
        [
            {"uid": u, "platform": p, "status": st, "opened": o, "name": n}
            for u, (p, st, o, n) in stores.items()
        ],
    )
    ops = [
        ("biz:OP", "store:taobao:1"),
        ("biz:OP", "store:jd:2"),
        ("biz:OP", "store:taobao:3"),
        ("biz:OP2", "store:douyin:4"),
        ("biz:SH", "store:taobao:5"),
        ("biz:OTHER", "store:taobao:9"),
    ]
    store.upsert_relationships(
        "OPERATES",
        "Business",
        "Store",
        [{"rid": f"op:{s}", "src": b, "dst": s} for b, s in ops],
    )
    store.upsert_relationships(
        "LEGAL_REPRESENTATIVE_OF",
        "Person",
        "Business",
        [{"rid": f"lr:{b}", "src": "person:P", "dst": b} for b in ("biz:OP", "biz:OP2")],
    )
    store.upsert_nodes("ShellCluster", [{"uid": "shell:c1", "status": "suspected", "score": 0.9}])
    store.upsert_relationships(
        "MEMBER_OF",
        "Business",
        "ShellCluster",
        [{"rid": f"m:{b}", "src": b, "dst": "shell:c1"} for b in ("biz:OP", "biz:SH")],
    )
    reports = [
        ("r1", "store:taobao:1", A, "confirmed", "alliance-A"),
        ("r2", "store:jd:2", A, "confirmed", "alliance-A"),
        ("r3", "store:taobao:3", A, "rejected", "alliance-A"),
        ("r9", "store:taobao:9", B, "confirmed", "alliance-B"),
    ]
    store.upsert_nodes(
        "InfringementReport",
        [
            {
                "uid": f"report:{r}",
                "report_id": r,
                "status": st,
                "complainant": c,
                "filed": "2024-01-0" + r[-1],
                "evidence": f"notarised purchase {r}",
            }
            for r, _, _, st, c in reports
        ],
    )
    store.upsert_relationships(
        "REPORTS",
        "InfringementReport",
        "Store",
        [{"rid": f"rep:{r}", "src": f"report:{r}", "dst": s} for r, s, _, _, _ in reports],
    )
    store.upsert_relationships(
        "CONCERNS",
        "InfringementReport",
        "Brand",
        [{"rid": f"con:{r}", "src": f"report:{r}", "dst": b} for r, _, b, _, _ in reports],
    )


ONLY_A = svc.BrandScope.of([A])


def test_links_follow_operators_people_and_clusters(store: GraphStore) -> None:
    build(store)
    page = svc.links_for_brand(store, ONLY_A, A)
    by_store = {x.store: x for x in page.items}
    assert set(by_store) == {
        "store:taobao:1",
        "store:jd:2",
        "store:taobao:3",
        "store:douyin:4",
        "store:taobao:5",
    }
    assert by_store["store:jd:2"].reported
    assert by_store["store:taobao:3"].relation == "same_operator"
    person = by_store["store:douyin:4"]
    assert person.relation == "same_person"
    assert "person:P" in person.paths[0].nodes
    assert "LEGAL_REPRESENTATIVE_OF" in person.paths[0].rels
    cluster = by_store["store:taobao:5"]
    assert cluster.relation == "same_cluster"
    assert "shell:c1" in cluster.paths[0].nodes
    assert set(cluster.evidence) <= {"report:r1", "report:r2"}
    # pagination
    first = svc.links_for_brand(store, ONLY_A, A, offset=0, limit=2)
    rest = svc.links_for_brand(store, ONLY_A, A, offset=2, limit=10)
    assert first.has_more
    assert not rest.has_more
    assert [x.store for x in first.items + rest.items] == [x.store for x in page.items]


def test_a_member_never_sees_another_brand(store: GraphStore) -> None:
    build(store)
    with pytest.raises(NotFound):
        svc.get_brand(store, ONLY_A, B)
    with pytest.raises(NotFound):
        svc.links_for_brand(store, ONLY_A, B)
    with pytest.raises(NotFound):
        svc.list_reports(store, ONLY_A, B)
    with pytest.raises(NotFound):
        svc.get_report(store, ONLY_A, "report:r9")
    # the queries themselves filter: asking for B's rows under A's scope returns none
    params = {
        **ONLY_A.params([B]),
        "statuses": ["confirmed"],
        "first": True,
        "after_filed": date(1, 1, 1),
        "after_uid": "",
        "limit": 100,
    }
    for name in (
        "brands/reports",
        "brands/seed_operators",
        "brands/seed_people",
        "brands/seed_clusters",
        "brands/operator_reach",
        "brands/person_reach",
        "brands/cluster_reach",
        "brands/brands",
        "brands/members",
    ):
        assert store.query(name, params) == [], name
    everything = svc.list_reports(store, ONLY_A)
    assert {r.brand for r in everything.items} == {A}
    assert {b.uid for b in svc.list_brands(store, ONLY_A).items} == {A}
    ranked = svc.rank_repeat_infringers(store, ONLY_A, None, min_score_params())
    assert all("store:taobao:9" not in x.stores for x in ranked.items)
    officer = svc.list_reports(store, svc.BrandScope.officer())
    assert {r.brand for r in officer.items} == {A, B}


def min_score_params() -> Any:
    from algorithms.brands.core import LinkParams

    return LinkParams(min_score=0.0)


def test_repeat_infringers_and_listing(store: GraphStore) -> None:
    build(store)
    ranked = svc.rank_repeat_infringers(store, ONLY_A, A)
    actors = {x.actor: x for x in ranked.items}
    assert "biz:OP" in actors
    assert actors["biz:OP"].stores == ["store:jd:2", "store:taobao:1"]
    assert any("closed" in r for r in actors["biz:OP"].reasons)
    # the person and the cluster each stand behind one operator only here
    assert "person:P" not in actors
    with pytest.raises(InvalidInput):
        svc.list_repeat_infringer(store, "biz:OTHER", listing_id="RI-1", decided=date(2025, 1, 1))
    report = svc.list_repeat_infringer(store, "biz:OP", listing_id="RI-2", decided=date(2025, 1, 1))
    # Listed as a business, biz:OP takes the list's measures that bind a business (the
    # promotion ban and the store risk notice bind stores); both rules of the list start
    # from a store, so nothing is derived and nothing else changes.
    assert (report.mode, report.listings, report.imposed, report.lifted) == (
        "incremental",
        1,
        2,
        0,
    )
    assert {
        (r.subject_uid, r.measure)
        for r in restrictions.current_restrictions(store)
        if r.listing_uid == "listing:RI-2"
    } == {("biz:OP", "credit_publicity"), ("biz:OP", "key_supervision")}
    listing = store.get_node("listing:RI-2")
    assert listing is not None
    assert listing.get("list_type") == "repeat_ip_infringer"


def test_file_decide_and_counter(store: GraphStore) -> None:
    build(store)
    filed = svc.file_reports(
        store,
        ONLY_A,
        [
            svc.NewReport(
                report_id="n1",
                store_id="douyin:4",
                brand_id="A",
                evidence="test purchase",
                evidence_sha256="AB" * 32,
            )
        ],
        complainant="member:a",
        filed_by="key1",
        today=date(2025, 2, 1),
    )
    assert filed.filed == ["report:n1"]
    got = svc.get_report(store, ONLY_A, "n1")
    assert (got.status, got.store, got.evidence_sha256) == ("pending", "store:douyin:4", "ab" * 32)
    assert got.filed == date(2025, 2, 1)
    with pytest.raises(NotFound):  # brand B is not A's to report on
        svc.file_reports(
            store,
            ONLY_A,
            [svc.NewReport(store_id="douyin:4", brand_id="B", evidence="x")],
            complainant="member:a",
            filed_by="key1",
        )
    with pytest.raises(NotFound):  # unknown store
        svc.file_reports(
            store,
            ONLY_A,
            [svc.NewReport(store_id="douyin:404", brand_id="A", evidence="x")],
            complainant="member:a",
            filed_by="key1",
        )
    with pytest.raises(InvalidInput):  # a report id on record
        svc.file_reports(
            store,
            ONLY_A,
            [svc.NewReport(report_id="n1", store_id="douyin:4", brand_id="A", evidence="x")],
            complainant="member:a",
            filed_by="key1",
        )
    confirmed = svc.decide_report(store, "n1", "confirmed", decided_by="officer")
    assert confirmed.status == "confirmed"
    with pytest.raises(InvalidInput):
        svc.decide_report(store, "n1", "countered", decided_by="officer")
    countered = svc.decide_report(
        store, "n1", "countered", decided_by="officer", counter_notice="authorised reseller"
    )
    assert (countered.status, countered.counter_notice) == ("countered", "authorised reseller")
    # a countered report no longer seeds links as reported
    links = {x.store: x for x in svc.links_for_brand(store, ONLY_A, A).items}
    assert not links["store:douyin:4"].reported


def test_members_scope_keys(store: GraphStore) -> None:
    build(store)
    member = svc.add_member(store, "alliance-a", "甲联盟", ["A"])
    assert member.brands == [A]
    scope = svc.resolve_scope(store, ["member:alliance-a"])
    assert scope == svc.BrandScope.of([A])
    assert [m.uid for m in svc.list_members(store, svc.BrandScope.of([B]))] == []
    assert [m.uid for m in svc.list_members(store, scope)] == ["member:alliance-a"]
    with pytest.raises(NotFound):
        svc.add_member(store, "x", "X", ["NOPE"])
