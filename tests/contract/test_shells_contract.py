"""Shell clusters through the store port, on both stores: detection, write-back, reviews.

A small market is planted by hand: two shell clusters, a registration-agent hub address
with its agent phone, and a serial entrepreneur who represents and holds three unrelated
businesses. On Neo4j with GDS the in-database path must give the same clusters.
"""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from algorithms.shells.core import (
    HubAction,
    IdentifierKind,
    ShellParams,
    ShellResult,
    find_shell_clusters,
)
from algorithms.shells.service import (
    ClusterStatus,
    Decision,
    detect_shells,
    get_cluster,
    list_clusters,
    project_for_shells,
    review_cluster,
    shell_uid,
)
from graph.errors import InvalidInput, NotFound
from graph.store import GraphStore

NOW = datetime(2025, 6, 30, 12, 0, 0)
CLUSTER_A = [f"biz:A{i}" for i in range(4)]  # one address + one legal representative
CLUSTER_B = [f"biz:B{i}" for i in range(3)]  # one phone + one e-mail
HUB = [f"biz:H{i:02d}" for i in range(60)]  # a registered-agent address, 60 tenants
SERIAL = [f"biz:S{i}" for i in range(3)]  # one person represents and holds all three


def _rel(
    store: GraphStore, rel: str, src_label: str, dst_label: str, pairs: list[tuple[str, str]]
) -> None:
    store.upsert_relationships(
        rel,
        src_label,
        dst_label,
        [{"rid": f"{rel}:{s}->{d}", "src": s, "dst": d} for s, d in pairs],
    )


def plant(store: GraphStore) -> None:
    """The hand-made market described in the module docstring."""
    businesses = CLUSTER_A + CLUSTER_B + HUB + SERIAL + ["biz:LONE"]
    store.upsert_nodes(
        "Business",
        [
            {"uid": b, "name": f"公司{b[4:]}", "established": "2024-03-0" + str(1 + i % 9)}
            for i, b in enumerate(businesses)
        ],
    )
    store.upsert_nodes(
        "Address", [{"uid": u} for u in ("addr:A", "addr:HUB", "addr:B0", "addr:B1", "addr:B2")]
    )
    store.upsert_nodes("Phone", [{"uid": "phone:B"}, {"uid": "phone:AGENT"}])
    store.upsert_nodes("Email", [{"uid": "email:b@x.cn"}])
    store.upsert_nodes("Person", [{"uid": "person:rep"}, {"uid": "person:serial"}])
    store.upsert_nodes("Store", [{"uid": "store:tb:1"}])
    store.upsert_nodes("Listing", [{"uid": "listing:L1", "list_type": "abnormal_operation"}])
    _rel(store, "REGISTERED_AT", "Business", "Address", [(b, "addr:A") for b in CLUSTER_A])
    _rel(
        store,
        "LEGAL_REPRESENTATIVE_OF",
        "Person",
        "Business",
        [("person:rep", b) for b in CLUSTER_A],
    )
    _rel(store, "HAS_PHONE", "Business", "Phone", [(b, "phone:B") for b in CLUSTER_B])
    _rel(store, "HAS_EMAIL", "Business", "Email", [(b, "email:b@x.cn") for b in CLUSTER_B])
    _rel(store, "REGISTERED_AT", "Business", "Address", [(b, f"addr:{b[4:]}") for b in CLUSTER_B])
    _rel(store, "REGISTERED_AT", "Business", "Address", [(b, "addr:HUB") for b in HUB])
    _rel(store, "HAS_PHONE", "Business", "Phone", [(b, "phone:AGENT") for b in HUB[:10]])
    for rel in ("LEGAL_REPRESENTATIVE_OF", "SHAREHOLDER_OF"):
        _rel(store, rel, "Person", "Business", [("person:serial", b) for b in SERIAL])
    _rel(store, "OPERATES", "Business", "Store", [("biz:B0", "store:tb:1")])
    _rel(store, "LISTED", "Business", "Listing", [("biz:A3", "listing:L1")])


def _members(result: ShellResult) -> set[frozenset[str]]:
    return {frozenset(c.members) for c in result.clusters}


def test_detection_finds_the_planted_clusters_and_sets_hubs_aside(store: GraphStore) -> None:
    plant(store)
    result = detect_shells(store, now=NOW)
    assert _members(result) == {frozenset(CLUSTER_A), frozenset(CLUSTER_B)}
    assert [(h.uid, h.degree, h.action.value) for h in result.hubs] == [
        ("addr:HUB", 60, "excluded")
    ]
    a = next(c for c in result.clusters if "biz:A0" in c.members)
    assert "1 legal representative in common" in a.reasons
    assert "1 already on the abnormal-operation list" in a.reasons
    b = next(c for c in result.clusters if "biz:B0" in c.members)
    assert "2 of 3 operate no store" in b.reasons


def test_results_are_written_back_and_readable(store: GraphStore) -> None:
    plant(store)
    result = detect_shells(store, now=NOW)
    page = list_clusters(store)
    assert page.total == 2
    assert [c.uid for c in page.items] == [shell_uid(c.id) for c in result.clusters]
    assert [c.score for c in page.items] == sorted((c.score for c in page.items), reverse=True)
    top = get_cluster(store, page.items[0].cluster_id)
    assert top.status is ClusterStatus.SUSPECTED
    assert top.detection_run is not None
    assert top.detection_run.startswith("shells-20250630")
    assert {m.uid for m in top.members} == set(result.clusters[0].members)
    assert top.reasons == list(result.clusters[0].reasons)
    assert [m.similarity for m in top.members] == sorted(
        (m.similarity for m in top.members), reverse=True
    )
    second = list_clusters(store, limit=1, cursor=list_clusters(store, limit=1).next)
    assert [c.uid for c in second.items] == [page.items[1].uid]
    assert second.total == 2
    with pytest.raises(NotFound):
        get_cluster(store, "shell:nope")
    with pytest.raises(InvalidInput):
        list_clusters(store, limit=0)


def test_re_running_does_not_duplicate(store: GraphStore) -> None:
    plant(store)
    first = detect_shells(store, now=NOW)
    before = store.counts()
    second = detect_shells(store, now=NOW)
    after = store.counts()
    assert [c.id for c in second.clusters] == [c.id for c in first.clusters]
    assert after.nodes["ShellCluster"] == before.nodes["ShellCluster"] == 2
    assert after.relationships["MEMBER_OF"] == before.relationships["MEMBER_OF"] == 7


def test_a_review_survives_re_runs_and_membership_changes(store: GraphStore) -> None:
    plant(store)
    detect_shells(store, now=NOW)
    a_uid = next(c.uid for c in list_clusters(store).items if c.size == 4)
    reviewed = review_cluster(store, a_uid, Decision.CONFIRM, "officer-7", "site visit: one office")
    assert reviewed.status is ClusterStatus.CONFIRMED
    assert reviewed.reviewed_by == "officer-7"
    # A3 moves out (new address, new representative): it leaves the cluster.
    store.delete_relationships("REGISTERED_AT", ["REGISTERED_AT:biz:A3->addr:A"])
    store.delete_relationships(
        "LEGAL_REPRESENTATIVE_OF", ["LEGAL_REPRESENTATIVE_OF:person:rep->biz:A3"]
    )
    result = detect_shells(store, now=NOW)
    again = get_cluster(store, a_uid)
    assert again.status is ClusterStatus.CONFIRMED
    assert again.review_reason == "site visit: one office"
    assert {m.uid for m in again.members} == set(CLUSTER_A[:3])
    assert again.size == 3
    assert shell_uid(next(c.id for c in result.clusters if "biz:A0" in c.members)) == a_uid
    assert store.counts().nodes["ShellCluster"] == 2
    assert list_clusters(store, status=ClusterStatus.CONFIRMED).total == 1


def test_a_cluster_no_longer_found_keeps_its_node_without_members(store: GraphStore) -> None:
    plant(store)
    detect_shells(store, now=NOW)
    b_uid = next(c.uid for c in list_clusters(store).items if c.size == 3)
    review_cluster(store, b_uid, Decision.DISMISS, "officer-7", "a franchise, not shells")
    store.delete_relationships("HAS_EMAIL", [f"HAS_EMAIL:{b}->email:b@x.cn" for b in CLUSTER_B])
    detect_shells(store, now=NOW)
    gone = get_cluster(store, b_uid)
    assert gone.size == 0
    assert gone.members == []
    assert gone.status is ClusterStatus.DISMISSED
    assert [c.uid for c in list_clusters(store).items] != [b_uid]
    assert list_clusters(store).total == 1
    assert list_clusters(store, include_vanished=True).total == 2


def test_review_needs_an_officer_a_reason_and_a_known_cluster(store: GraphStore) -> None:
    plant(store)
    detect_shells(store, now=NOW)
    uid = list_clusters(store).items[0].uid
    with pytest.raises(InvalidInput):
        review_cluster(store, uid, Decision.CONFIRM, " ", "x")
    with pytest.raises(InvalidInput):
        review_cluster(store, uid, Decision.CONFIRM, "officer", "")
    with pytest.raises(NotFound):
        review_cluster(store, "shell:0000", Decision.DISMISS, "officer", "x")


def test_projection_path_matches_the_pure_algorithm(store: GraphStore) -> None:
    plant(store)
    expected = find_shell_clusters(project_for_shells(store), ShellParams())
    result = detect_shells(store, use_gds=False, now=NOW)
    assert [(c.members, c.score, c.reasons) for c in result.clusters] == [
        (c.members, c.score, c.reasons) for c in expected.clusters
    ]


def _has_gds(store: GraphStore) -> bool:
    has_gds = getattr(store, "has_gds", None)
    return bool(callable(has_gds) and has_gds())


@pytest.mark.parametrize(
    "params",
    [
        ShellParams(),
        ShellParams(hub_action=HubAction.DOWNWEIGHTED, hub_threshold={IdentifierKind.ADDRESS: 20}),
        ShellParams(link_threshold=1.0, min_size=2),
    ],
    ids=["defaults", "downweighted-hubs", "loose"],
)
def test_gds_gives_the_same_clusters_as_the_projection_path(
    store: GraphStore, params: ShellParams
) -> None:
    if store.dialect != "neo4j":
        with pytest.raises(InvalidInput):
            detect_shells(store, params, use_gds=True)
        return
    if not _has_gds(store):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but this Neo4j has no GDS plugin")
        pytest.skip("Neo4j without the GDS plugin")
    plant(store)
    pure = detect_shells(store, params, use_gds=False, now=NOW)
    gds = detect_shells(store, params, use_gds=True, now=NOW)
    assert gds.clusters, "the planted clusters must be found"
    assert [(c.id, c.members, c.reasons, c.n_links, dict(c.shared)) for c in gds.clusters] == [
        (c.id, c.members, c.reasons, c.n_links, dict(c.shared)) for c in pure.clusters
    ]
    for g, p in zip(gds.clusters, pure.clusters, strict=True):
        assert g.score == pytest.approx(p.score)
        assert g.mean_jaccard == pytest.approx(p.mean_jaccard)
    assert gds.hubs == pure.hubs
    assert store.counts().nodes["ShellCluster"] == len(pure.clusters)
