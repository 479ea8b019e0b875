"""Ownership penetration and computed controllers through the store port, on both stores.

The holdings (shares in brackets)::

    person:z --60%--> biz:A --55%--> biz:B
    person:z --70%--> biz:C <--declared controller-- person:y
    biz:D --30%--> biz:E --20%--> biz:D  (a cross-holding), person:w --70%--> biz:D,
    person:v --80%--> biz:E

Hand-computed: z holds 60% x 55% = 33% of B and controls it through A (majority at each
level); C's declared controller y disagrees with z's 70%. In the cycle, w holds 0.7 x 0.2
= 14% of E (the walk w -> D -> E; walks passing E again are E's own holding of itself,
cut), D holds 20% of E, and E holds 0.3 x 0.2 = 6% of itself.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from algorithms.ownership import service as ownership_service
from algorithms.ownership.core import ControlParams, ControlRule
from algorithms.ownership.service import compute_controllers, computed_rid, ownership
from graph.errors import NotFound
from graph.store import GraphStore

NOW = datetime(2025, 6, 30, 12, 0, 0)
DAY = date(2025, 6, 30)


def _hold(store: GraphStore, src_label: str, rows: list[tuple[str, str, float]]) -> None:
    store.upsert_relationships(
        "SHAREHOLDER_OF",
        src_label,
        "Business",
        [
            {"rid": f"SHAREHOLDER_OF:{s}->{d}", "src": s, "dst": d, "share": share}
            for s, d, share in rows
        ],
    )


def plant(store: GraphStore) -> None:
    """The holdings in the module docstring."""
    store.upsert_nodes("Business", [{"uid": f"biz:{x}", "name": f"{x}公司"} for x in "ABCDE"])
    store.upsert_nodes("Person", [{"uid": f"person:{x}", "name": x} for x in "zywv"])
    _hold(
        store,
        "Person",
        [
            ("person:z", "biz:A", 0.6),
            ("person:z", "biz:C", 0.7),
            ("person:w", "biz:D", 0.7),
            ("person:v", "biz:E", 0.8),
        ],
    )
    _hold(
        store,
        "Business",
        [("biz:A", "biz:B", 0.55), ("biz:D", "biz:E", 0.2), ("biz:E", "biz:D", 0.3)],
    )
    store.upsert_relationships(
        "ACTUAL_CONTROLLER_OF",
        "Person",
        "Business",
        [
            {
                "rid": "ACTUAL_CONTROLLER_OF:person:y->biz:C",
                "src": "person:y",
                "dst": "biz:C",
                "computed": False,
            }
        ],
    )


def _controller_edges(store: GraphStore) -> dict[str, dict[str, object]]:
    edges = store.edges_of([f"biz:{x}" for x in "ABCDE"], ["ACTUAL_CONTROLLER_OF"], direction="in")
    return {e.rid: {"src": e.src, "dst": e.dst, **e.props} for e in edges}


def test_ownership_penetrates_chains_and_names_the_controller(store: GraphStore) -> None:
    plant(store)
    report = ownership(store, "biz:B", DAY)
    z = next(h for h in report.holders if h.uid == "person:z")
    assert z.share == pytest.approx(0.33)
    assert z.direct == 0.0
    assert z.chains[0].uids == ["person:z", "biz:A", "biz:B"]
    assert z.chains[0].names == ["z", "A公司", "B公司"]
    assert [h.uid for h in report.beneficial_owners] == ["person:z"]
    assert [(c.controller, c.rule) for c in report.controllers] == [
        ("person:z", ControlRule.MAJORITY)
    ]
    assert report.controllers[0].path == ["person:z", "biz:A", "biz:B"]


def test_ownership_through_a_cross_holding(store: GraphStore) -> None:
    plant(store)
    report = ownership(store, "biz:E", DAY)
    assert report.holders[0].uid == "person:v"
    assert report.holders[0].share == pytest.approx(0.8)
    w = next(h for h in report.holders if h.uid == "person:w")
    assert w.share == pytest.approx(0.7 * 0.2)
    d = next(h for h in report.holders if h.uid == "biz:D")
    assert d.share == pytest.approx(0.2)
    assert report.self_held == pytest.approx(0.3 * 0.2)
    assert [h.uid for h in report.beneficial_owners] == ["person:v"]


def test_declared_controller_wins_and_a_disagreement_is_flagged(store: GraphStore) -> None:
    plant(store)
    report = ownership(store, "biz:C", DAY)
    [finding] = report.controllers
    assert finding.controller == "person:y"
    assert finding.rule is ControlRule.DECLARED
    assert finding.disagrees_with_declared
    assert finding.computed_controller == "person:z"


def test_ownership_of_an_unknown_business_is_not_found(store: GraphStore) -> None:
    plant(store)
    with pytest.raises(NotFound):
        ownership(store, "biz:NOPE", DAY)
    with pytest.raises(NotFound):
        ownership(store, "person:z", DAY)


def test_computed_controllers_are_written_marked_and_explained(store: GraphStore) -> None:
    plant(store)
    run = compute_controllers(store, ControlParams(at=DAY), now=NOW)
    edges = _controller_edges(store)
    computed = {rid: e for rid, e in edges.items() if e.get("computed") is True}
    assert set(computed) == {
        computed_rid("person:z", "biz:A"),
        computed_rid("person:z", "biz:B"),
        computed_rid("person:w", "biz:D"),
        computed_rid("person:v", "biz:E"),
    }
    b = computed[computed_rid("person:z", "biz:B")]
    assert str(b["explanation"]).startswith("majority: z holds 60% of A公司")
    declared = edges["ACTUAL_CONTROLLER_OF:person:y->biz:C"]
    assert declared["computed"] is False
    assert run.computed == 4
    assert run.removed == 0
    assert run.disagreements == ["biz:C"]


def test_re_running_replaces_computed_edges_and_never_touches_declared_ones(
    store: GraphStore,
) -> None:
    plant(store)
    compute_controllers(store, ControlParams(at=DAY), now=NOW)
    again = compute_controllers(store, ControlParams(at=DAY), now=NOW)
    assert again.computed == 4
    assert again.removed == 0
    assert len(_controller_edges(store)) == 5
    # z sells A to u: z's computed edges give way to u's.
    store.delete_relationships("SHAREHOLDER_OF", ["SHAREHOLDER_OF:person:z->biz:A"])
    store.upsert_nodes("Person", [{"uid": "person:u", "name": "u"}])
    _hold(store, "Person", [("person:u", "biz:A", 0.9)])
    changed = compute_controllers(store, ControlParams(at=DAY), now=NOW)
    edges = _controller_edges(store)
    assert computed_rid("person:z", "biz:A") not in edges
    assert computed_rid("person:z", "biz:B") not in edges
    assert computed_rid("person:u", "biz:A") in edges
    assert computed_rid("person:u", "biz:B") in edges
    assert "ACTUAL_CONTROLLER_OF:person:y->biz:C" in edges
    assert changed.removed == 2
    # The punishment rules' view: computed edges do not count as declarations.
    report = ownership(store, "biz:B", DAY)
    assert [(c.controller, c.rule) for c in report.controllers] == [
        ("person:u", ControlRule.MAJORITY)
    ]


def test_one_inconsistent_business_does_not_stop_controllers_for_everyone(
    store: GraphStore,
) -> None:
    plant(store)
    store.upsert_nodes("Business", [{"uid": "biz:X", "name": "X公司"}])
    store.upsert_nodes("Person", [{"uid": "person:q", "name": "q"}])
    # X's registered holdings add up to 2 (a duplicate filing); the rest of the graph is sound.
    _hold(store, "Person", [("person:q", "biz:X", 1.0), ("person:z", "biz:X", 1.0)])
    run = compute_controllers(store, ControlParams(at=DAY), now=NOW)
    assert [(x.business, x.code, x.total) for x in run.skipped] == [
        ("biz:X", "shares_over_one", 2.0)
    ]
    assert computed_rid("person:z", "biz:B") in _controller_edges(store)
    assert store.edges_of(["biz:X"], ["ACTUAL_CONTROLLER_OF"], direction="in") == []


def test_a_run_larger_than_one_write_batch_commits_in_batches_with_the_same_result(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant(store)
    compute_controllers(store, ControlParams(at=DAY), now=NOW)
    whole = _controller_edges(store)
    store.delete_relationships("SHAREHOLDER_OF", ["SHAREHOLDER_OF:person:z->biz:A"])
    store.upsert_nodes("Person", [{"uid": "person:u", "name": "u"}])
    _hold(store, "Person", [("person:u", "biz:A", 0.9)])
    monkeypatch.setattr(ownership_service, "WRITE_BATCH", 1)  # every row its own commit
    changed = compute_controllers(store, ControlParams(at=DAY), now=NOW)
    edges = _controller_edges(store)
    assert changed.removed == 2
    assert set(edges) == set(whole) - {
        computed_rid("person:z", "biz:A"),
        computed_rid("person:z", "biz:B"),
    } | {computed_rid("person:u", "biz:A"), computed_rid("person:u", "biz:B")}
    explained = edges[computed_rid("person:u", "biz:B")]["explanation"]
    assert str(explained).startswith("majority: u holds 90% of A公司")
