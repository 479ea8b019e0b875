"""An upheld objection against a link lifts exactly what depended on it, on both stores.

The market: 甲 (biz:a) holds 60% of 乙 (biz:b, link s1) and 70% of 丙 (biz:c, link s2);
丙 holds 55% of 乙 (link s3). 甲 is on the serious-dishonesty list, whose rule
``controlled_subsidiaries`` follows majority holdings up to two hops: 乙 is reached twice
(s1; s2 then s3), 丙 once (s2). Its legal representative 张三 (link r1) is reached by the
rule ``legal_representative``.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from algorithms.propagation import service
from algorithms.propagation.engine import Listing, propagate
from algorithms.propagation.exclusions import Exclusion, list_exclusions, load_exclusions
from algorithms.propagation.rules import default_rules
from graph.errors import InvalidInput, NotFound
from graph.store import GraphStore

T1 = datetime(2024, 2, 1, 9, 0, 0)
T2 = datetime(2024, 6, 1, 9, 0, 0)
T3 = datetime(2024, 7, 1, 9, 0, 0)
DAY = date(2024, 3, 1)
SUBSIDIARIES = "serious_dishonesty.controlled_subsidiaries"
LISTING = Listing("listing:sd1", "biz:a", "serious_dishonesty", date(2024, 1, 15))


def build(store: GraphStore) -> None:
    store.upsert_nodes(
        "Business",
        [
            {"uid": "biz:a", "name": "甲公司"},
            {"uid": "biz:b", "name": "乙公司"},
            {"uid": "biz:c", "name": "丙公司"},
        ],
    )
    store.upsert_nodes("Person", [{"uid": "person:rep", "name": "张三"}])
    store.upsert_relationships(
        "SHAREHOLDER_OF",
        "Business",
        "Business",
        [
            {"rid": "s1", "src": "biz:a", "dst": "biz:b", "share": 0.6},
            {"rid": "s2", "src": "biz:a", "dst": "biz:c", "share": 0.7},
            {"rid": "s3", "src": "biz:c", "dst": "biz:b", "share": 0.55},
        ],
    )
    store.upsert_relationships(
        "LEGAL_REPRESENTATIVE_OF",
        "Person",
        "Business",
        [{"rid": "r1", "src": "person:rep", "dst": "biz:a", "since": "2020-01-01"}],
    )
    service.add_listing(store, LISTING, now=T1)


def _derived(store: GraphStore, uid: str, listing: str = "listing:sd1") -> list[tuple[str, ...]]:
    """The rid sequences of the paths of ``uid``'s key-supervision restriction from a listing."""
    found = service.status(store, uid, DAY)
    return [
        tuple(e.rid for e in p.edges)
        for r in found.restrictions
        if r.measure == "key_supervision" and r.listing_uid == listing
        for p in r.paths
    ]


def _exclude(store: GraphStore, rid: str, oid: int, scope: str = "all", value: str | None = None,
             now: datetime = T2) -> service.PropagationReport:  # fmt: skip
    return service.exclude_link(
        store, Exclusion(rid, scope, value, oid, now.date()), near=["biz:a"], now=now
    )


def _full_changes_nothing(store: GraphStore) -> None:
    report = service.propagate_store(store, full=True, now=T3)
    assert (report.imposed, report.lifted, report.amended) == (0, 0, 0)


def test_a_second_path_keeps_the_restriction_with_the_remaining_path(store: GraphStore) -> None:
    build(store)
    assert sorted(_derived(store, "biz:b")) == [("s1",), ("s2", "s3")]

    report = _exclude(store, "s1", 1)

    assert report.lifted == 0
    assert report.amended == 1
    assert _derived(store, "biz:b") == [("s2", "s3")]
    assert service.status(store, "biz:b", DAY).restricted
    assert _derived(store, "biz:c") == [("s2",)]  # not on the cut link: untouched
    _full_changes_nothing(store)


def test_a_single_path_is_lifted_and_history_keeps_it(store: GraphStore) -> None:
    build(store)
    report = _exclude(store, "s2", 1)

    # 丙 was reached only over s2: lifted; 乙 keeps its direct holding s1
    assert report.lifted == 1
    assert not service.status(store, "biz:c", DAY).restricted
    assert _derived(store, "biz:b") == [("s1",)]
    # bitemporal: as known before the decision, 丙 was restricted
    before = service.status(store, "biz:c", DAY, known_at=T1)
    assert [r.measure for r in before.restrictions] == ["key_supervision"]
    lifted = [e for e in service.changes(store) if e.kind == "lifted"]
    assert [(e.subject_uid, e.rule_id) for e in lifted] == [("biz:c", SUBSIDIARIES)]
    assert "s2" in lifted[0].reason
    _full_changes_nothing(store)


def test_a_later_listing_does_not_derive_over_an_excluded_link(store: GraphStore) -> None:
    build(store)
    _exclude(store, "s2", 1)
    _exclude(store, "r1", 2, "rule", "serious_dishonesty.legal_representative")

    later = Listing("listing:sd2", "biz:a", "serious_dishonesty", date(2024, 2, 1))
    service.add_listing(store, later, now=T3)

    assert _derived(store, "biz:c", "listing:sd2") == []
    assert _derived(store, "biz:b", "listing:sd2") == [("s1",)]
    assert not service.status(store, "person:rep", DAY).restricted
    # the rule scope binds that rule only: the judgment-defaulter rule still reaches 张三
    service.add_listing(
        store, Listing("listing:jd1", "biz:a", "judgment_defaulter", date(2024, 2, 1)), now=T3
    )
    assert [r.rule_id for r in service.status(store, "person:rep", DAY).restrictions] == [
        "judgment_defaulter.legal_representative"
    ]
    _full_changes_nothing(store)


def test_a_listing_scope_binds_that_listing_only(store: GraphStore) -> None:
    build(store)
    _exclude(store, "s2", 1, "listing", "listing:sd1")
    assert not service.status(store, "biz:c", DAY).restricted

    later = Listing("listing:sd2", "biz:a", "serious_dishonesty", date(2024, 2, 1))
    service.add_listing(store, later, now=T3)

    assert _derived(store, "biz:c", "listing:sd2") == [("s2",)]
    assert _derived(store, "biz:c", "listing:sd1") == []
    _full_changes_nothing(store)


def test_bounded_writes_equal_a_full_recomputation_with_exclusions(store: GraphStore) -> None:
    build(store)
    _exclude(store, "s1", 1)
    _exclude(store, "s3", 2, "rule", SUBSIDIARIES)
    service.add_listing(
        store, Listing("listing:sd2", "biz:c", "serious_dishonesty", date(2024, 2, 1)), now=T3
    )
    rules = default_rules()
    stored = sorted(
        (r.listing_uid, r.rule_id, r.subject_uid, r.measure, r.path_count,
         tuple(tuple(e.rid for e in p.edges) for p in r.paths))
        for r in service.current_restrictions(store)
    )  # fmt: skip
    graph = store.project(list(rules.rel_types), edge_props=list(rules.edge_props()))
    full = sorted(
        (r.listing_uid, r.rule_id, r.subject_uid, r.measure_id, r.path_count,
         tuple(tuple(e.rid for e in p.edges) for p in r.paths))
        for r in propagate(graph, service.load_listings(store), rules,
                           exclusions=load_exclusions(store))
    )  # fmt: skip
    assert stored == full
    assert not [s for s in stored if s[2] == "biz:b"]  # both ways to 乙 are cut
    _full_changes_nothing(store)


def test_exclusions_are_kept_and_writing_one_again_changes_nothing(store: GraphStore) -> None:
    build(store)
    _exclude(store, "s2", 7)
    again = _exclude(store, "s2", 7, now=T3)
    assert (again.imposed, again.lifted, again.amended) == (0, 0, 0)
    [kept] = list_exclusions(store)
    assert (kept.objection_id, kept.rid, kept.scope, kept.rel_type) == (
        7, "s2", "all", "SHAREHOLDER_OF"
    )  # fmt: skip
    assert (kept.src_uid, kept.dst_uid) == ("biz:a", "biz:c")


def test_an_unknown_link_rule_or_listing_is_refused(store: GraphStore) -> None:
    build(store)
    with pytest.raises(NotFound):
        _exclude(store, "nope", 1)
    with pytest.raises(InvalidInput):
        _exclude(store, "s2", 1, "rule", "no.such.rule")
    with pytest.raises(NotFound):
        _exclude(store, "s2", 1, "listing", "listing:none")
    assert list_exclusions(store) == []


def test_the_feed_says_which_restrictions_a_link_objection_reaches(store: GraphStore) -> None:
    build(store)
    head = service.changes(store)[-1].seq

    filed = service.note_dispute(store, 5, "link", "s2", "biz:c", now=T2)

    events = service.changes(store, head)
    assert filed == len(events) == 2  # 丙 over s2, and 乙 over s2 then s3
    assert {(e.kind, e.subject_uid, e.objection_id) for e in events} == {
        ("disputed", "biz:c", 5),
        ("disputed", "biz:b", 5),
    }
    assert service.status(store, "biz:c", DAY).restricted  # still in force
    closed = service.note_dispute(store, 5, "link", "s2", "biz:c", outcome="upheld", now=T2)
    again = service.note_dispute(store, 5, "link", "s2", "biz:c", outcome="upheld", now=T3)
    assert (closed, again) == (2, 0)
    assert [e.reason for e in service.changes(store, head + 2)] == ["objection 5 upheld"] * 2
