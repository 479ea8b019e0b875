"""Shell clusters through the store port, on both stores: detection, write-back, reviews.

A small market is planted by hand (its expected answer worked by hand in the test, not with
the functions detection runs): two shell clusters, a registration-agent hub address
with its agent phone, and a serial entrepreneur who represents and holds three unrelated
businesses. On Neo4j with GDS the in-database path must give the same clusters.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime

import pytest

from algorithms.shells.core import (
    HubAction,
    IdentifierKind,
    ShellParams,
    ShellResult,
    ShellStats,
)
from algorithms.shells.service import (
    ClusterStatus,
    Decision,
    detect_shells,
    get_cluster,
    list_clusters,
    review_cluster,
    shell_uid,
)
from graph.errors import InvalidInput, NotFound
from graph.store import GraphStore
from tests.conftest import in_ci

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


def test_detection_matches_the_hand_worked_answer(store: GraphStore) -> None:
    # Worked by hand from plant(), not with the functions detect_shells runs:
    # A0..A3 each hold {addr:A, person:rep}: every pair shares 2 of 2 (Jaccard 1), strength
    #   address 1 + representative 1 = 2, linked; established 1-4 March 2024 (one burst of 4);
    #   none operates a store; A3 is listed. Score 0.35*1 + 0.2*4/4 + 0.25*4/4 + 0.2*1/4 = 0.85.
    # B0..B2 each hold {phone:B, email, own address}: pairs share 2 of 3+3-2 (Jaccard 0.5),
    #   strength phone 1 + e-mail 1 = 2; no address in common, so no burst; B0 operates a
    #   store. Score 0.35*0.5 + 0.2*0 + 0.25*2/3 + 0.2*0 = 0.341666...
    # H00..H59 share addr:HUB (60 > 50: a hub, excluded); H00..H09 also phone:AGENT, strength 1.
    # S0..S2 share person:serial as representative (1) and shareholder (0.5): 1.5 < 2.
    plant(store)
    result = detect_shells(store, use_gds=False, now=NOW)
    got = [
        (c.id, c.members, c.mean_jaccard, round(c.score, 9), c.reasons, dict(c.shared), c.n_links)
        for c in result.clusters
    ]
    assert got == [
        (
            _sha1_16(CLUSTER_A),
            tuple(CLUSTER_A),
            (1.0, 1.0, 1.0, 1.0),
            0.85,
            (
                "1 address in common",
                "1 legal representative in common",
                "4 businesses at one address registered within 30 days",
                "none operates a store",
                "1 already on the abnormal-operation list",
            ),
            {IdentifierKind.ADDRESS: 1, IdentifierKind.LEGAL_REPRESENTATIVE: 1},
            6,
        ),
        (
            _sha1_16(CLUSTER_B),
            tuple(CLUSTER_B),
            (0.5, 0.5, 0.5),
            round(0.35 * 0.5 + 0.25 * 2 / 3, 9),
            ("1 phone in common", "1 e-mail in common", "2 of 3 operate no store"),
            {IdentifierKind.PHONE: 1, IdentifierKind.EMAIL: 1},
            3,
        ),
    ]
    assert [(h.uid, h.kind, h.degree, h.action, h.weight) for h in result.hubs] == [
        ("addr:HUB", IdentifierKind.ADDRESS, 60, HubAction.EXCLUDED, 0.0)
    ]
    # 71 businesses; identifiers: 5 addresses, 2 phones, 1 e-mail, 2 representatives and
    # 1 shareholder; pairs with any strength: A 6 + B 3 + H00..H09 45 + S 3 = 57; links 6 + 3.
    assert result.stats == ShellStats(
        businesses=71,
        identifiers=11,
        hubs=1,
        candidate_pairs=57,
        links=9,
        components=2,
        clusters=2,
    )


def test_a_loose_threshold_links_the_agents_phone_and_the_serial_entrepreneur(
    store: GraphStore,
) -> None:
    # link_threshold 1 and min_size 2: one shared phone (H00..H09) and one person as
    # representative and shareholder (1.5, S0..S2) now link; the hub address still does not.
    plant(store)
    result = detect_shells(store, ShellParams(link_threshold=1.0, min_size=2), use_gds=False)
    assert _members(result) == {
        frozenset(CLUSTER_A),
        frozenset(CLUSTER_B),
        frozenset(HUB[:10]),
        frozenset(SERIAL),
    }


def _sha1_16(members: list[str]) -> str:
    return hashlib.sha1("\n".join(sorted(members)).encode(), usedforsecurity=False).hexdigest()[:16]


def _has_gds(store: GraphStore) -> bool:
    has_gds = getattr(store, "has_gds", None)
    return bool(callable(has_gds) and has_gds())


def _require_gds(store: GraphStore) -> None:
    """A Neo4j without GDS fails the test in CI and skips it only on a developer's machine."""
    if not _has_gds(store):
        if in_ci():
            pytest.fail("CI is set but this Neo4j has no GDS plugin")
        pytest.skip("Neo4j without the GDS plugin")


@pytest.mark.parametrize(
    "params",
    [
        ShellParams(),
        ShellParams(hub_action=HubAction.DOWNWEIGHTED, hub_threshold={IdentifierKind.ADDRESS: 20}),
        ShellParams(link_threshold=1.0, min_size=2),
        ShellParams(link_threshold=1.0, min_size=2, weights={IdentifierKind.SHAREHOLDER: 0.0}),
        ShellParams(at=date(2025, 6, 1)),
    ],
    ids=["defaults", "downweighted-hubs", "loose", "loose-no-shareholders", "dated"],
)
def test_gds_gives_the_same_clusters_as_the_projection_path(
    store: GraphStore, params: ShellParams
) -> None:
    if store.dialect != "neo4j":
        with pytest.raises(InvalidInput):
            detect_shells(store, params, use_gds=True)
        return
    _require_gds(store)
    plant(store)
    # Edges that ended before the dated case's day: a shared phone that once linked biz:B0
    # to cluster A, and a store and a listing of cluster B's members.
    ended = {"since": "2023-01-01", "until": "2024-12-31"}
    store.upsert_relationships(
        "HAS_PHONE",
        "Business",
        "Phone",
        [{"rid": f"old-phone:{b}", "src": b, "dst": "phone:B", **ended} for b in CLUSTER_A[:2]],
    )
    store.upsert_relationships(
        "OPERATES",
        "Business",
        "Store",
        [{"rid": "old-store:B1", "src": "biz:B1", "dst": "store:tb:1", **ended}],
    )
    store.upsert_relationships(
        "LISTED",
        "Business",
        "Listing",
        [{"rid": "old-listing:B2", "src": "biz:B2", "dst": "listing:L1", **ended}],
    )
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
    assert replace(gds.stats, candidate_pairs=-1) == replace(pure.stats, candidate_pairs=-1)
    assert store.counts().nodes["ShellCluster"] == len(pure.clusters)


def test_a_market_without_shared_identifiers_has_no_cluster_on_either_path(
    store: GraphStore,
) -> None:
    store.upsert_nodes("Business", [{"uid": f"biz:solo{i}"} for i in range(3)])
    store.upsert_nodes("Address", [{"uid": f"addr:solo{i}"} for i in range(3)])
    _rel(
        store,
        "REGISTERED_AT",
        "Business",
        "Address",
        [(f"biz:solo{i}", f"addr:solo{i}") for i in range(3)],
    )
    pure = detect_shells(store, use_gds=False, now=NOW)
    assert pure.clusters == ()
    assert (pure.stats.businesses, pure.stats.identifiers) == (3, 3)
    if store.dialect != "neo4j":
        return
    _require_gds(store)
    gds = detect_shells(store, use_gds=True, now=NOW)
    assert gds.clusters == ()
    assert replace(gds.stats, candidate_pairs=-1) == replace(pure.stats, candidate_pairs=-1)
