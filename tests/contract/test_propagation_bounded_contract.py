"""Writes bounded by their neighbourhood give what a full recomputation gives, on both stores.

Over small random graphs (hypothesis) written into each store:

1. For every listing, the engine over the neighbourhood read by a bounded traversal
   (:func:`bounded.neighbourhood`) derives exactly, field for field, what it derives over
   a projection of the whole graph.
2. Listings put on record and taken off one by one through the service (each write
   reading only its neighbourhood) leave the materialised records a full propagation
   (``propagate_store(full=True)``) would not change in any way.
3. After random edge changes (new edges, ended edges, changed shares), ``edges_changed``
   on their endpoints alone again leaves nothing for a full propagation to change.

Besides the shipped rules the graphs are run against a test list type whose rules reach
four hops, mix directions, read a share condition and use the decision date, so the
walk's depth, direction and pruning are all exercised.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algorithms.propagation import service
from algorithms.propagation.bounded import neighbourhood
from algorithms.propagation.engine import Listing, prepare, propagate
from algorithms.propagation.rules import DEFAULT_RULES_PATH, RuleSet, SubjectKind, parse_rules
from graph.embedded_store import EmbeddedStore
from graph.schema import label_of_uid
from graph.store import GraphStore


def _rules_with_deep_reach() -> RuleSet:
    data = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    everyone = ["business", "person", "store"]
    data["list_types"].append(
        {
            "id": "deep_reach",
            "name_zh": "测试名单",
            "name_en": "test list reaching four hops",
            "legal_basis": ["test"],
            "subjects": everyone,
            "measures": ["credit_publicity"],
            "propagation": [
                {
                    "id": "deep_reach.mixed",
                    "follow": [
                        {
                            "rel_type": "SHAREHOLDER_OF",
                            "direction": "out",
                            "where": [{"prop": "share", "op": ">=", "value": 0.5}],
                        },
                        {"role": "store_operator"},
                        {"role": "operated_store"},
                        {"role": "legal_representative"},
                    ],
                    "max_hops": 4,
                    "edge_time": "in_force",
                    "targets": everyone,
                    "measures": ["credit_publicity"],
                    "legal_basis": ["test"],
                },
                {
                    "id": "deep_reach.upward",
                    "follow": [
                        {"rel_type": "SHAREHOLDER_OF", "direction": "in"},
                        {"role": "actual_controller"},
                    ],
                    "min_hops": 2,
                    "max_hops": 3,
                    "edge_time": "at_decision",
                    "targets": ["business", "person"],
                    "measures": ["credit_publicity"],
                    "legal_basis": ["test"],
                },
            ],
        }
    )
    return parse_rules(data, source="test rules")


RULES = _rules_with_deep_reach()
LIST_TYPES = [lt.id for lt in RULES.list_types] + ["deep_reach", "serious_dishonesty"] * 2
DAY0 = date(2024, 1, 1)
T0 = datetime(2024, 6, 1, 9, 0, 0)

BIZ = [f"biz:{i}" for i in range(4)]
PEOPLE = [f"person:{i}" for i in range(3)]
STORES = [f"store:{i}" for i in range(3)]
NODES = BIZ + PEOPLE + STORES

PAIRS: list[tuple[str, list[str], list[str]]] = [
    ("SHAREHOLDER_OF", BIZ + PEOPLE, BIZ),
    ("LEGAL_REPRESENTATIVE_OF", PEOPLE, BIZ),
    ("MANAGER_OF", PEOPLE, BIZ),
    ("DIRECTOR_OF", PEOPLE, BIZ),
    ("ACTUAL_CONTROLLER_OF", PEOPLE + BIZ, BIZ),
    ("OPERATES", BIZ + PEOPLE, STORES),
    ("SHAREHOLDER_OF", BIZ + PEOPLE, BIZ),
    ("OPERATES", BIZ + PEOPLE, STORES),
]


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
def edge_st(draw: st.DrawFn, rid: str) -> E:
    rel_type, srcs, dsts = draw(st.sampled_from(PAIRS))
    src = draw(st.sampled_from(srcs))
    dst = draw(st.sampled_from([d for d in dsts if d != src]))
    since = draw(st.one_of(st.none(), st.integers(0, 10)))
    until = draw(st.one_of(st.none(), st.integers(1, 15)))
    if since is not None and until is not None and until <= since:
        until = since + 1
    share = draw(st.sampled_from([None, 0.3, 0.9])) if rel_type == "SHAREHOLDER_OF" else None
    return E(rid, rel_type, src, dst, day(since), day(until), share)


@st.composite
def listing_st(draw: st.DrawFn, uid: str) -> Listing:
    list_type = RULES.list_type_by_id[draw(st.sampled_from(LIST_TYPES))]
    allowed = [
        u for u in NODES if SubjectKind.of_label(label_of_uid(u) or "") in list_type.subjects
    ]
    decided = draw(st.integers(0, 10))
    expires = draw(st.one_of(st.none(), st.integers(decided + 1, 20)))
    return Listing(
        uid, draw(st.sampled_from(allowed)), list_type.id, day(decided) or DAY0, day(expires)
    )


def graphs(
    n_edges: int = 16,
) -> st.SearchStrategy[tuple[list[E], list[Listing]]]:
    edges = st.integers(0, n_edges).flatmap(
        lambda n: st.tuples(*[edge_st(f"e{i}") for i in range(n)])
    )
    listings = st.integers(1, 4).flatmap(
        lambda n: st.tuples(*[listing_st(f"listing:{i}") for i in range(n)])
    )
    return st.tuples(edges.map(list), listings.map(list))


def write_edges(store: GraphStore, edges: list[E]) -> None:
    for e in edges:
        row: dict[str, Any] = {
            "rid": e.rid,
            "src": e.src,
            "dst": e.dst,
            "since": e.since,
            "until": e.until,
        }
        if e.type == "SHAREHOLDER_OF":
            row["share"] = e.share
        store.upsert_relationships(
            e.type, label_of_uid(e.src) or "", label_of_uid(e.dst) or "", [row]
        )


@contextmanager
def fresh(store: GraphStore) -> Iterator[GraphStore]:
    """A clean store of the fixture's kind for one example: Neo4j wiped; a new embedded
    database (LadybugDB's buffer pool does not get back what a wipe frees between examples)."""
    if store.dialect != "ladybug":
        store.wipe()
        yield store
        return
    with tempfile.TemporaryDirectory() as tmp:
        embedded = EmbeddedStore(Path(tmp) / "graph.lbdb", buffer_pool_mb=256)
        try:
            embedded.create_schema()
            yield embedded
        finally:
            embedded.close()


def write_graph(store: GraphStore, edges: list[E]) -> None:
    for uid in NODES:
        store.upsert_nodes(label_of_uid(uid) or "", [{"uid": uid, "name": uid}])
    write_edges(store, edges)


def full_run_changes_nothing(store: GraphStore) -> bool:
    report = service.propagate_store(store, RULES, full=True, now=T0 + timedelta(days=30))
    return (report.imposed, report.lifted, report.amended) == (0, 0, 0)


EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@EXAMPLES
@given(case=graphs())
def test_engine_over_the_neighbourhood_equals_the_engine_over_the_whole_graph(
    store: GraphStore, case: tuple[list[E], list[Listing]]
) -> None:
    edges, listings = case
    with fresh(store) as db:
        check_neighbourhoods(db, edges, listings)


def check_neighbourhoods(store: GraphStore, edges: list[E], listings: list[Listing]) -> None:
    write_graph(store, edges)
    whole = prepare(
        store.project(
            list(RULES.rel_types),
            edge_props=list(RULES.edge_props()),
            node_labels=("Business", "Person", "Store"),
        )
    )
    for listing in listings:
        local = prepare(neighbourhood(store, RULES, [listing]))
        expected = [r.content() for r in propagate(whole, [listing], RULES)]
        assert [r.content() for r in propagate(local, [listing], RULES)] == expected
    together = prepare(neighbourhood(store, RULES, listings))
    assert [r.content() for r in propagate(together, listings, RULES)] == [
        r.content() for r in propagate(whole, listings, RULES)
    ]


@EXAMPLES
@given(case=graphs(), removals=st.lists(st.integers(0, 3), max_size=2))
def test_listing_writes_leave_nothing_for_a_full_propagation_to_change(
    store: GraphStore, case: tuple[list[E], list[Listing]], removals: list[int]
) -> None:
    edges, listings = case
    with fresh(store) as db:
        check_listing_writes(db, edges, listings, removals)


def check_listing_writes(
    store: GraphStore, edges: list[E], listings: list[Listing], removals: list[int]
) -> None:
    write_graph(store, edges)
    for listing in listings:
        service.add_listing(store, listing, RULES, now=T0)
    assert full_run_changes_nothing(store)
    for i in sorted(set(removals)):
        if i < len(listings):
            reason = "repaired" if i % 2 else "error"
            service.remove_listing(
                store, listings[i].uid, DAY0 + timedelta(days=12), reason, RULES, now=T0
            )
    assert full_run_changes_nothing(store)


@EXAMPLES
@given(case=graphs(n_edges=12), changes=st.lists(edge_st("new"), min_size=1, max_size=4))
def test_edges_changed_at_their_endpoints_leaves_nothing_for_a_full_propagation_to_change(
    store: GraphStore, case: tuple[list[E], list[Listing]], changes: list[E]
) -> None:
    edges, listings = case
    with fresh(store) as db:
        check_edge_changes(db, edges, listings, changes)


def check_edge_changes(
    store: GraphStore, edges: list[E], listings: list[Listing], changes: list[E]
) -> None:
    write_graph(store, edges)
    for listing in listings:
        service.add_listing(store, listing, RULES, now=T0)
    # half the changes re-date or re-weigh an existing edge, half add a new one
    changed = []
    for k, e in enumerate(changes):
        if k % 2 and edges:
            old = edges[k % len(edges)]
            changed.append(E(old.rid, old.type, old.src, old.dst, e.since, e.until, e.share))
        else:
            changed.append(E(f"new{k}", e.type, e.src, e.dst, e.since, e.until, e.share))
    changed = [
        c if c.type == "SHAREHOLDER_OF" else E(c.rid, c.type, c.src, c.dst, c.since, c.until, None)
        for c in changed
    ]
    write_edges(store, changed)
    service.edges_changed(store, {u for c in changed for u in (c.src, c.dst)}, RULES, now=T0)
    assert full_run_changes_nothing(store)
