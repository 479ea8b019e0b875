"""Properties of the engine over random graphs and random event sequences (hypothesis).

1. :func:`propagate` equals a plain depth-first reference implementation written below.
2. Incremental maintenance (``affected_by_edges`` / ``update``) after every event of a
   random sequence equals recomputation from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.propagation.engine import (
    Listing,
    Restriction,
    affected_by_edges,
    propagate,
    update,
)
from algorithms.propagation.rules import EdgeTime, RuleSet, SubjectKind, default_rules
from graph.model import Projection
from graph.schema import label_of_uid

RULES: RuleSet = default_rules()
DAY0 = date(2024, 1, 1)
# the list types with two-hop rules are drawn more often: their reach is the hard part
LIST_TYPES = [lt.id for lt in RULES.list_types] + ["serious_dishonesty", "repeat_ip_infringer"] * 2
REASONS = ["repaired", "error", "expired"]

BIZ = [f"biz:{i}" for i in range(3)]
PEOPLE = [f"person:{i}" for i in range(2)]
STORES = [f"store:{i}" for i in range(2)]
NODES = BIZ + PEOPLE + STORES

# relationship types the rules follow, with the endpoints each may join
PAIRS: list[tuple[str, list[str], list[str]]] = [
    ("SHAREHOLDER_OF", BIZ + PEOPLE, BIZ),
    ("LEGAL_REPRESENTATIVE_OF", PEOPLE, BIZ),
    ("MANAGER_OF", PEOPLE, BIZ),
    ("DIRECTOR_OF", PEOPLE, BIZ),
    ("ACTUAL_CONTROLLER_OF", PEOPLE + BIZ, BIZ),
    ("OPERATES", BIZ + PEOPLE, STORES),
]
# the two-hop rules (subsidiaries, sibling stores) follow these: drawn more often
PAIRS += [PAIRS[0], PAIRS[-1]]


@dataclass(frozen=True)
class E:
    """An edge of the random graph."""

    rid: str
    type: str
    src: str
    dst: str
    since: date | None
    until: date | None
    share: float | None


def day(n: int | None) -> date | None:
    return None if n is None else DAY0 + timedelta(days=n)


@st.composite
def edges_st(draw: st.DrawFn, rid: str) -> E:
    rel_type, srcs, dsts = draw(st.sampled_from(PAIRS))
    src = draw(st.sampled_from(srcs))
    dst = draw(st.sampled_from([d for d in dsts if d != src]))
    since = draw(st.one_of(st.none(), st.integers(0, 10)))
    until = draw(st.one_of(st.none(), st.integers(1, 15)))
    if since is not None and until is not None and until <= since:
        until = since + 1
    share = draw(st.sampled_from([None, 0.3, 0.5, 0.9, 1.0]))
    return E(rid, rel_type, src, dst, day(since), day(until), share)


@st.composite
def listings_st(draw: st.DrawFn, uid: str) -> Listing:
    decided = draw(st.integers(0, 10))
    expires = draw(st.one_of(st.none(), st.integers(decided + 1, 20)))
    removed = draw(st.one_of(st.none(), st.integers(decided - 2, 20)))
    return Listing(
        uid,
        draw(st.sampled_from(NODES)),
        draw(st.sampled_from(LIST_TYPES)),
        day(decided) or DAY0,
        day(expires),
        day(removed),
        draw(st.sampled_from(REASONS)) if removed is not None else None,
    )


def projection(edges: list[E]) -> Projection:
    return Projection.from_records(
        [(u, label_of_uid(u) or "") for u in NODES],
        [(e.rid, e.type, e.src, e.dst) for e in edges],
        {
            "since": [None if e.since is None else e.since.isoformat() for e in edges],
            "until": [None if e.until is None else e.until.isoformat() for e in edges],
            "share": [e.share for e in edges],
        },
    )


# -- a plain reference: depth-first search over edge lists, no arrays -----------------
def reference(edges: list[E], listings: list[Listing], rules: RuleSet) -> list[tuple[Any, ...]]:
    """(listing, rule, subject, measure, valid_from, valid_to, path_count) per record."""
    out: list[tuple[Any, ...]] = []
    kind = {u: SubjectKind.of_label(label_of_uid(u) or "") for u in NODES}
    far = date.max
    for lst in listings:
        lt = rules.list_type_by_id[lst.list_type]
        end = lst.valid_to or far
        if lst.retracted or end <= lst.decided:
            continue
        if kind[lst.subject_uid] in lt.subjects:
            for m in lt.measures:
                if kind[lst.subject_uid] in rules.measure_by_id[m].binds:
                    out.append(
                        (lst.uid, f"{lt.id}.self", lst.subject_uid, m, lst.decided, lst.valid_to, 1)
                    )
        for rule in lt.propagation:
            spans: dict[str, list[tuple[date, date]]] = {}

            def walk(
                path: list[str],
                lo: date,
                hi: date,
                rule: Any = rule,
                spans: Any = spans,
                lst: Listing = lst,
            ) -> None:
                depth = len(path) - 1
                if depth >= rule.min_hops and kind[path[-1]] in rule.targets:
                    spans.setdefault(path[-1], []).append((lo, hi))
                if depth == rule.max_hops:
                    return
                for step in rule.follow:
                    rel_type, direction = rules.resolve(step)
                    for e in edges:
                        if e.type != rel_type or not all(
                            c.holds(getattr(e, c.prop, None)) for c in step.where
                        ):
                            continue
                        here, there = (e.src, e.dst) if direction == "out" else (e.dst, e.src)
                        if here != path[-1] or there in path:
                            continue
                        s, u = e.since or date.min, e.until or far
                        if rule.edge_time is EdgeTime.IN_FORCE:
                            if max(lo, s) < min(hi, u):
                                walk([*path, there], max(lo, s), min(hi, u))
                        elif rule.edge_time is EdgeTime.AT_DECISION:
                            if s <= lst.decided < u:
                                walk([*path, there], lo, hi)
                        else:
                            walk([*path, there], lo, hi)

            walk([lst.subject_uid], lst.decided, end)
            for node, found in spans.items():
                merged: list[list[date]] = []
                for a, b in sorted(found):
                    if merged and a <= merged[-1][1]:
                        merged[-1][1] = max(merged[-1][1], b)
                    else:
                        merged.append([a, b])
                for a, b in merged:
                    count = sum(1 for x, y in found if x < b and y > a)
                    for m in rule.measures:
                        if kind[node] in rules.measure_by_id[m].binds:
                            out.append(
                                (lst.uid, rule.id, node, m, a, None if b == far else b, count)
                            )
    return sorted(out, key=repr)


def summary(records: list[Restriction]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            (
                r.listing_uid,
                r.rule_id,
                r.subject_uid,
                r.measure_id,
                r.valid_from,
                r.valid_to,
                r.path_count,
            )
            for r in records
        ),
        key=repr,
    )


def graph_and_listings() -> st.SearchStrategy[tuple[list[E], list[Listing]]]:
    edges = st.integers(0, 18).flatmap(lambda n: st.tuples(*[edges_st(f"e{i}") for i in range(n)]))
    listings = st.integers(0, 6).flatmap(
        lambda n: st.tuples(*[listings_st(f"listing:{i}") for i in range(n)])
    )
    return st.tuples(edges.map(list), listings.map(list))


@settings(max_examples=300, deadline=None)
@given(graph_and_listings())
def test_propagate_matches_a_plain_reference(case: tuple[list[E], list[Listing]]) -> None:
    edges, listings = case
    assert summary(propagate(projection(edges), listings, RULES)) == reference(
        edges, listings, RULES
    )


# -- incremental == full -------------------------------------------------------------------
Event = tuple[str, Any]


@st.composite
def events_st(draw: st.DrawFn) -> list[Event]:
    events: list[Event] = []
    for i in range(draw(st.integers(1, 16))):
        kind = draw(
            st.sampled_from(
                ["add_listing", "remove_listing", "add_edge", "end_edge", "drop_edge", "share"]
            )
        )
        if kind == "add_listing":
            events.append((kind, draw(listings_st(f"listing:n{i}"))))
        elif kind == "add_edge":
            events.append((kind, draw(edges_st(f"n{i}"))))
        else:
            events.append(
                (
                    kind,
                    (
                        draw(st.integers(0, 100)),
                        draw(st.integers(0, 20)),
                        draw(st.sampled_from(REASONS)),
                    ),
                )
            )
    return events


@settings(max_examples=300, deadline=None)
@given(graph_and_listings(), events_st())
def test_incremental_equals_full_recomputation(
    case: tuple[list[E], list[Listing]], events: list[Event]
) -> None:
    edges, listings = case
    records = propagate(projection(edges), listings, RULES)
    for kind, arg in events:
        affected: set[str] = set()
        if kind == "add_listing":
            listings = [*listings, arg]
            affected = {arg.uid}
        elif kind == "remove_listing" and listings:
            pick, when, reason = arg
            old = listings[pick % len(listings)]
            new = replace(old, removed=day(when), removal_reason=reason)
            listings = [new if x.uid == old.uid else x for x in listings]
            affected = {old.uid}
        elif kind == "add_edge":
            edges = [*edges, arg]
            affected = affected_by_edges(projection(edges), listings, RULES, [arg.src, arg.dst])
        elif kind in ("end_edge", "drop_edge", "share") and edges:
            pick, when, _ = arg
            old_edge = edges[pick % len(edges)]
            ends = [old_edge.src, old_edge.dst]
            affected = affected_by_edges(projection(edges), listings, RULES, ends)
            if kind == "drop_edge":
                edges = [e for e in edges if e.rid != old_edge.rid]
            else:
                new_edge = (
                    replace(old_edge, until=day(when))
                    if kind == "end_edge"
                    else replace(old_edge, share=0.6)
                )
                edges = [new_edge if e.rid == old_edge.rid else e for e in edges]
            affected |= affected_by_edges(projection(edges), listings, RULES, ends)
        g = projection(edges)
        records = update(records, g, listings, RULES, affected)
        assert [r.content() for r in records] == [
            r.content() for r in propagate(g, listings, RULES)
        ]
