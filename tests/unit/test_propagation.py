"""The joint-punishment engine, one rule feature per scenario, checked against hand results.

Graphs are built in memory as projections (no store); listings are plain ``Listing``
values. Each test names the feature it specifies in its function name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from algorithms.propagation.engine import (
    Listing,
    Restriction,
    affected_by_edges,
    diff,
    propagate,
    update,
)
from algorithms.propagation.rules import RuleSet, default_rules
from graph.model import Projection
from graph.schema import label_of_uid

RULES: RuleSet = default_rules()
D = date.fromisoformat

#: ``(rid, type, src, dst)`` or ``(rid, type, src, dst, props)``
EdgeSpec = tuple[Any, ...]


def graph(edges: Sequence[EdgeSpec], extra_nodes: Sequence[str] = ()) -> Projection:
    """A projection from ``(rid, type, src, dst[, props])``; labels come from uid prefixes."""
    uids = list(dict.fromkeys([*extra_nodes, *(u for e in edges for u in (e[2], e[3]))]))
    props: dict[str, list[Any]] = {"since": [], "until": [], "share": [], "computed": []}
    for edge in edges:
        given: dict[str, Any] = edge[4] if len(edge) == 5 else {}
        for name in props:
            props[name].append(given.get(name))
    return Projection.from_records(
        [(u, label_of_uid(u) or "Unknown") for u in uids],
        [(e[0], e[1], e[2], e[3]) for e in edges],
        props,
    )


def listing(
    uid: str,
    subject: str,
    list_type: str,
    decided: str = "2024-01-01",
    *,
    expires: str | None = None,
    removed: str | None = None,
    removal_reason: str | None = None,
) -> Listing:
    """A listing with ISO-string dates."""
    return Listing(
        uid,
        subject,
        list_type,
        D(decided),
        D(expires) if expires else None,
        D(removed) if removed else None,
        removal_reason,
    )


def reached(out: Sequence[Restriction], rule: str | None = None) -> set[tuple[str, str]]:
    """``(subject, measure)`` pairs, optionally of one rule, excluding self measures."""
    return {
        (r.subject_uid, r.measure_id)
        for r in out
        if (rule is None and not r.rule_id.endswith(".self")) or r.rule_id == rule
    }


def contents(out: Sequence[Restriction]) -> list[tuple[Any, ...]]:
    return sorted(r.content() for r in out)


# -- self measures and binding -----------------------------------------------------------
def test_self_measures_bind_only_the_kinds_the_measure_names() -> None:
    g = graph([], extra_nodes=["biz:a", "person:p"])
    out = propagate(
        g,
        [
            listing("listing:1", "biz:a", "judgment_defaulter"),
            listing("listing:2", "person:p", "judgment_defaulter"),
        ],
        RULES,
    )
    biz = {r.measure_id for r in out if r.subject_uid == "biz:a"}
    person = {r.measure_id for r in out if r.subject_uid == "person:p"}
    assert "representative_ban" not in biz  # binds people only
    assert "representative_ban" in person
    assert "bond_issuance_ban" in biz
    assert "bond_issuance_ban" not in person
    assert all(r.rule_id == "judgment_defaulter.self" and r.path_count == 1 for r in out)


def test_listing_of_a_kind_the_list_does_not_cover_derives_nothing() -> None:
    g = graph([], extra_nodes=["store:s"])
    assert propagate(g, [listing("listing:1", "store:s", "abnormal_operation")], RULES) == []


def test_unknown_list_type_derives_nothing() -> None:
    g = graph([], extra_nodes=["biz:a"])
    assert propagate(g, [listing("listing:1", "biz:a", "no_such_list")], RULES) == []


# -- direction ----------------------------------------------------------------------------
def test_direction_legal_representative_is_reached_backwards_not_forwards() -> None:
    g = graph([("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:a")])
    from_biz = propagate(g, [listing("listing:1", "biz:a", "judgment_defaulter")], RULES)
    assert reached(from_biz) == {("person:p", "high_consumption_ban")}
    from_person = propagate(g, [listing("listing:2", "person:p", "judgment_defaulter")], RULES)
    assert reached(from_person) == set()


def test_direction_stores_are_reached_forwards_along_operates() -> None:
    g = graph([("r1", "OPERATES", "biz:a", "store:s")])
    out = propagate(g, [listing("listing:1", "biz:a", "abnormal_operation")], RULES)
    assert reached(out) == {("store:s", "store_risk_notice")}
    path = next(r for r in out if r.subject_uid == "store:s").paths[0]
    assert path.nodes == ("biz:a", "store:s")
    assert [(e.rid, e.type, e.src, e.dst) for e in path.edges] == [
        ("r1", "OPERATES", "biz:a", "store:s")
    ]


def test_nothing_propagates_along_relationships_no_rule_names() -> None:
    g = graph(
        [
            ("r1", "HAS_PHONE", "biz:a", "phone:1"),
            ("r2", "HAS_PHONE", "biz:b", "phone:1"),
            ("r3", "REGISTRATION_AGENT_OF", "person:x", "biz:a"),
        ]
    )
    out = propagate(g, [listing("listing:1", "biz:a", "serious_dishonesty")], RULES)
    assert reached(out) == set()


# -- hop limit and conditions --------------------------------------------------------------
def test_hop_limit_and_share_condition_on_subsidiaries() -> None:
    g = graph(
        [
            ("s1", "SHAREHOLDER_OF", "biz:a", "biz:b", {"share": 0.6}),
            ("s2", "SHAREHOLDER_OF", "biz:b", "biz:c", {"share": 0.7}),
            ("s3", "SHAREHOLDER_OF", "biz:c", "biz:d", {"share": 0.9}),  # three hops: too far
            ("s4", "SHAREHOLDER_OF", "biz:a", "biz:e", {"share": 0.49}),  # below the threshold
            ("s5", "SHAREHOLDER_OF", "biz:a", "biz:f", {"share": 0.5}),  # exactly at it
            ("s6", "SHAREHOLDER_OF", "biz:a", "biz:g"),  # share unknown: fails the condition
            ("s7", "SHAREHOLDER_OF", "biz:h", "biz:a", {"share": 1.0}),  # parent: wrong direction
        ]
    )
    out = propagate(g, [listing("listing:1", "biz:a", "serious_dishonesty")], RULES)
    assert reached(out, "serious_dishonesty.controlled_subsidiaries") == {
        ("biz:b", "key_supervision"),
        ("biz:c", "key_supervision"),
        ("biz:f", "key_supervision"),
    }
    c = next(r for r in out if r.subject_uid == "biz:c")
    assert c.paths[0].nodes == ("biz:a", "biz:b", "biz:c")


def test_min_hops_sibling_stores_skip_the_operator_itself() -> None:
    g = graph(
        [
            ("o1", "OPERATES", "person:p", "store:s1"),
            ("o2", "OPERATES", "person:p", "store:s2"),
            ("o3", "OPERATES", "person:p", "store:s3"),
        ]
    )
    out = propagate(g, [listing("listing:1", "store:s1", "repeat_ip_infringer")], RULES)
    assert reached(out, "repeat_ip_infringer.sibling_stores") == {
        ("store:s2", "store_risk_notice"),
        ("store:s3", "store_risk_notice"),
    }
    assert reached(out, "repeat_ip_infringer.operator") == {
        ("person:p", "platform_entry_restriction")
    }


# -- role-specific reach per list type --------------------------------------------------
ROLES = [
    ("r1", "LEGAL_REPRESENTATIVE_OF", "person:rep", "biz:a"),
    ("r2", "MANAGER_OF", "person:mgr", "biz:a"),
    ("r3", "DIRECTOR_OF", "person:dir", "biz:a"),
    ("r4", "ACTUAL_CONTROLLER_OF", "person:ctl", "biz:a", {"computed": True}),
    ("r5", "SUPERVISOR_OF", "person:sup", "biz:a"),
    ("r6", "SHAREHOLDER_OF", "person:holder", "biz:a", {"share": 0.3}),
]


@pytest.mark.parametrize(
    ("list_type", "people"),
    [
        ("judgment_defaulter", {"person:rep", "person:mgr", "person:ctl"}),
        ("serious_dishonesty", {"person:rep", "person:dir"}),
        ("online_serious_violation", {"person:rep", "person:dir"}),
        ("abnormal_operation", set()),
    ],
)
def test_role_specific_reach_per_list_type(list_type: str, people: set[str]) -> None:
    out = propagate(graph(ROLES), [listing("listing:1", "biz:a", list_type)], RULES)
    assert {s for s, _ in reached(out)} == people


def test_actual_controller_declared_or_computed_both_count() -> None:
    g = graph(
        [
            ("c1", "ACTUAL_CONTROLLER_OF", "person:x", "biz:a", {"computed": False}),
            ("c2", "ACTUAL_CONTROLLER_OF", "biz:h", "biz:a", {"computed": True}),
        ]
    )
    out = propagate(g, [listing("listing:1", "biz:a", "judgment_defaulter")], RULES)
    assert reached(out) == {("person:x", "high_consumption_ban"), ("biz:h", "high_consumption_ban")}


# -- time: edges in force, at decision, listing expiry ------------------------------------
def test_edge_in_force_bounds_valid_time() -> None:
    g = graph(
        [
            (
                "r1",
                "LEGAL_REPRESENTATIVE_OF",
                "person:p",
                "biz:a",
                {"since": "2024-06-01", "until": "2024-09-01"},
            )
        ]
    )
    out = propagate(
        g, [listing("listing:1", "biz:a", "judgment_defaulter", expires="2025-01-01")], RULES
    )
    (r,) = [r for r in out if r.subject_uid == "person:p"]
    assert (r.valid_from, r.valid_to) == (D("2024-06-01"), D("2024-09-01"))
    assert r.in_force(D("2024-08-31"))
    assert not r.in_force(D("2024-09-01"))
    assert not r.in_force(D("2024-05-31"))


def test_edge_ended_before_the_listing_carries_nothing() -> None:
    g = graph([("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:a", {"until": "2023-12-31"})])
    out = propagate(g, [listing("listing:1", "biz:a", "judgment_defaulter")], RULES)
    assert reached(out) == set()


def test_at_decision_reaches_the_representative_when_listed_for_the_whole_listing() -> None:
    g = graph(
        [
            (
                "r1",
                "LEGAL_REPRESENTATIVE_OF",
                "person:old",
                "biz:a",
                {"since": "2020-01-01", "until": "2024-03-01"},
            ),
            ("r2", "LEGAL_REPRESENTATIVE_OF", "person:new", "biz:a", {"since": "2024-03-01"}),
        ]
    )
    out = propagate(
        g, [listing("listing:1", "biz:a", "serious_dishonesty", expires="2027-01-01")], RULES
    )
    old = [r for r in out if r.subject_uid == "person:old"]
    assert {r.measure_id for r in old} == {"representative_ban", "honours_ban"}
    assert all((r.valid_from, r.valid_to) == (D("2024-01-01"), D("2027-01-01")) for r in old)
    assert not [r for r in out if r.subject_uid == "person:new"]


def test_expiry_ends_every_derived_record() -> None:
    g = graph([("o1", "OPERATES", "biz:a", "store:s")])
    out = propagate(
        g, [listing("listing:1", "biz:a", "abnormal_operation", expires="2024-07-01")], RULES
    )
    assert out
    assert all(r.valid_to == D("2024-07-01") for r in out)


def test_disjoint_edge_periods_give_separate_records() -> None:
    g = graph(
        [
            ("o1", "OPERATES", "biz:a", "store:s", {"since": "2024-01-01", "until": "2024-03-01"}),
            ("o2", "OPERATES", "biz:a", "store:s", {"since": "2024-06-01"}),
        ]
    )
    out = propagate(g, [listing("listing:1", "biz:a", "abnormal_operation")], RULES)
    spans = sorted((r.valid_from, r.valid_to) for r in out if r.subject_uid == "store:s")
    assert spans == [(D("2024-01-01"), D("2024-03-01")), (D("2024-06-01"), None)]


# -- several paths ------------------------------------------------------------------------
def test_several_paths_kept_shortest_first_with_count() -> None:
    g = graph(
        [
            ("s1", "SHAREHOLDER_OF", "biz:a", "biz:b", {"share": 0.8}),
            ("s2", "SHAREHOLDER_OF", "biz:a", "biz:c", {"share": 0.8}),
            ("s3", "SHAREHOLDER_OF", "biz:b", "biz:d", {"share": 0.5}),
            ("s4", "SHAREHOLDER_OF", "biz:c", "biz:d", {"share": 0.5}),
            ("s5", "SHAREHOLDER_OF", "biz:a", "biz:d", {"share": 0.5}),
        ]
    )
    out = propagate(g, [listing("listing:1", "biz:a", "serious_dishonesty")], RULES)
    (d,) = [r for r in out if r.subject_uid == "biz:d"]
    assert d.path_count == 3
    assert [p.nodes for p in d.paths] == [
        ("biz:a", "biz:d"),
        ("biz:a", "biz:b", "biz:d"),
        ("biz:a", "biz:c", "biz:d"),
    ]
    (d1,) = [
        r
        for r in propagate(
            g, [listing("listing:1", "biz:a", "serious_dishonesty")], RULES, max_paths=1
        )
        if r.subject_uid == "biz:d"
    ]
    assert d1.path_count == 3
    assert len(d1.paths) == 1


# -- removal, repair, retraction ----------------------------------------------------------
def test_removal_lifts_exactly_what_followed_from_that_listing() -> None:
    g = graph(
        [
            ("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:a"),
            ("o1", "OPERATES", "biz:a", "store:s"),
        ]
    )
    one = listing("listing:1", "biz:a", "judgment_defaulter")
    two = listing("listing:2", "biz:a", "abnormal_operation")
    before = propagate(g, [one, two], RULES)
    removed = listing(
        "listing:1", "biz:a", "judgment_defaulter", removed="2024-05-01", removal_reason="error"
    )
    after = update(before, g, [removed, two], RULES, {"listing:1"})
    assert contents(after) == contents([r for r in before if r.listing_uid == "listing:2"])
    change = diff(before, after)
    assert {r.listing_uid for r in change.lifted} == {"listing:1"}
    assert not change.imposed
    assert not change.changed


def test_repair_ends_valid_time_on_the_repair_date() -> None:
    g = graph([("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:a")])
    before = propagate(g, [listing("listing:1", "biz:a", "judgment_defaulter")], RULES)
    repaired = listing(
        "listing:1", "biz:a", "judgment_defaulter", removed="2024-05-01", removal_reason="repaired"
    )
    after = update(before, g, [repaired], RULES, {"listing:1"})
    assert {r.key for r in after} == {r.key for r in before}
    assert all(r.valid_to == D("2024-05-01") for r in after)
    change = diff(before, after)
    assert len(change.changed) == len(before)
    assert not change.lifted


# -- incremental edge changes --------------------------------------------------------------
def test_edge_added_affects_listings_within_reach_only() -> None:
    g = graph(
        [
            ("s1", "SHAREHOLDER_OF", "biz:a", "biz:b", {"share": 0.9}),
            ("s2", "SHAREHOLDER_OF", "biz:b", "biz:c", {"share": 0.9}),
            ("s3", "SHAREHOLDER_OF", "biz:x", "biz:y", {"share": 0.9}),
        ]
    )
    near = listing("listing:1", "biz:a", "serious_dishonesty")
    far = listing("listing:2", "biz:x", "serious_dishonesty")
    assert affected_by_edges(g, [near, far], RULES, ["biz:b", "biz:c"]) == {"listing:1"}


def test_edge_ended_matches_full_recomputation() -> None:
    edges: list[EdgeSpec] = [
        ("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:a"),
        ("o1", "OPERATES", "biz:a", "store:s"),
    ]
    lst = [
        listing("listing:1", "biz:a", "judgment_defaulter"),
        listing("listing:2", "biz:a", "online_serious_violation"),
    ]
    before = propagate(graph(edges), lst, RULES)
    ended: list[EdgeSpec] = [
        ("r1", "LEGAL_REPRESENTATIVE_OF", "person:p", "biz:a", {"until": "2024-04-01"}),
        edges[1],
    ]
    g2 = graph(ended)
    hit = affected_by_edges(g2, lst, RULES, ["person:p", "biz:a"])
    assert contents(update(before, g2, lst, RULES, hit)) == contents(propagate(g2, lst, RULES))
