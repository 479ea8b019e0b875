"""Ownership penetration, UBOs and actual controllers, as specifications.

Every expected number is computed by hand in the test (the arithmetic is in the comments);
effective ownership is cross-checked against plain path enumeration with networkx, and the
vectorised control fixed point against a loop-per-business reference.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.ownership.core import (
    ControllerFinding,
    ControlParams,
    ControlRule,
    actual_controllers,
    effective_ownership,
    holding_edges,
    holding_problems,
    ultimate_beneficial_owners,
)
from graph.errors import DidNotConverge, InvalidInput, NotFound
from graph.model import Projection

Holding = tuple[str, str, float]
MaybeHolding = tuple[str, str, float | None]


def _label(uid: str) -> str:
    return "Person" if uid.startswith("person:") else "Business"


def holdings(
    edges: Sequence[MaybeHolding],
    *,
    since: list[str | None] | None = None,
    until: list[str | None] | None = None,
    declared: list[tuple[str, str, bool]] | None = None,
    names: dict[str, str] | None = None,
) -> Projection:
    """A projection of SHAREHOLDER_OF edges (and ACTUAL_CONTROLLER_OF edges, if declared)."""
    declared = declared or []
    uids: list[str] = []
    for a, b, *_ in [*edges, *declared]:
        for uid in (a, b):
            if uid not in uids:
                uids.append(uid)
    records = [(f"h{i}", "SHAREHOLDER_OF", a, b) for i, (a, b, _) in enumerate(edges)]
    records += [(f"c{i}", "ACTUAL_CONTROLLER_OF", a, b) for i, (a, b, _) in enumerate(declared)]
    no_dates: list[str | None] = [None] * len(declared)
    edge_props: dict[str, list[object]] = {
        "share": [*(s for _, _, s in edges), *[None] * len(declared)],
        "computed": [None] * len(edges) + [c for _, _, c in declared],
        "since": [*(since or [None] * len(edges)), *no_dates],
        "until": [*(until or [None] * len(edges)), *no_dates],
    }
    node_props: dict[str, list[object]] = {"name": [(names or {}).get(u, u) for u in uids]}
    return Projection.from_records(
        [(u, _label(u)) for u in uids], records, edge_props=edge_props, node_props=node_props
    )


# --------------------------------------------------------------------------- effective ownership


def test_a_chain_multiplies_its_shares() -> None:
    p = holdings([("person:a", "biz:b", 0.6), ("biz:b", "biz:c", 0.5)])
    result = effective_ownership(p, "biz:c")
    assert result.share_of("person:a") == pytest.approx(0.3)  # 0.6 * 0.5
    assert result.share_of("biz:b") == pytest.approx(0.5)
    assert [h.uid for h in result.holders] == ["biz:b", "person:a"]
    chain = result.holder("person:a").chains[0]  # type: ignore[union-attr]
    assert chain.uids == ("person:a", "biz:b", "biz:c")
    assert chain.shares == (0.6, 0.5)
    assert chain.product == pytest.approx(0.3)


def test_chains_are_summed_and_listed_largest_first() -> None:
    p = holdings(
        [
            ("person:p", "biz:a", 0.6),
            ("biz:a", "biz:c", 0.5),  # 0.6 * 0.5 = 0.30
            ("person:p", "biz:b", 0.5),
            ("biz:b", "biz:c", 0.4),  # 0.5 * 0.4 = 0.20
            ("person:p", "biz:c", 0.1),  # direct 0.10
        ]
    )
    owner = effective_ownership(p, "biz:c").holder("person:p")
    assert owner is not None
    assert owner.share == pytest.approx(0.6)
    assert owner.direct == pytest.approx(0.1)
    assert [c.product for c in owner.chains] == pytest.approx([0.3, 0.2, 0.1])
    assert owner.chains[0].uids == ("person:p", "biz:a", "biz:c")


def test_top_chains_limits_the_explanation_not_the_share() -> None:
    edges = [("person:p", f"biz:m{i}", 0.5) for i in range(4)]
    edges += [(f"biz:m{i}", "biz:t", 0.2) for i in range(4)]
    owner = effective_ownership(holdings(edges), "biz:t", top_chains=2).holder("person:p")
    assert owner is not None
    assert owner.share == pytest.approx(0.4)  # 4 chains of 0.5 * 0.2
    assert len(owner.chains) == 2


def test_cross_holding_excludes_the_targets_holding_of_itself() -> None:
    # P holds 60% of A; A and B hold each other (A 50% of B, B 20% of A); Q holds 50% of B.
    p = holdings(
        [
            ("person:p", "biz:a", 0.6),
            ("biz:b", "biz:a", 0.2),
            ("biz:a", "biz:b", 0.5),
            ("person:q", "biz:b", 0.5),
        ]
    )
    in_a = effective_ownership(p, "biz:a")
    # Chains into A that do not pass through A: P->A, B->A, Q->B->A.
    assert in_a.share_of("person:p") == pytest.approx(0.6)
    assert in_a.share_of("biz:b") == pytest.approx(0.2)
    assert in_a.share_of("person:q") == pytest.approx(0.5 * 0.2)
    # A holds 50% of B, which holds 20% of A: A holds 10% of itself.
    assert in_a.self_held == pytest.approx(0.1)
    assert in_a.holder("biz:a") is None
    in_b = effective_ownership(p, "biz:b")
    assert in_b.share_of("person:p") == pytest.approx(0.6 * 0.5)
    assert in_b.share_of("person:q") == pytest.approx(0.5)
    assert in_b.self_held == pytest.approx(0.2 * 0.5)


def test_a_cycle_between_intermediates_is_summed_as_a_geometric_series() -> None:
    # X and Y hold each other (X 50% of Y, Y 40% of X); X holds 80% of T; P holds 50% of X.
    p = holdings(
        [
            ("person:p", "biz:x", 0.5),
            ("biz:x", "biz:y", 0.5),
            ("biz:y", "biz:x", 0.4),
            ("biz:x", "biz:t", 0.8),
        ]
    )
    result = effective_ownership(p, "biz:t")
    loop = 1 / (1 - 0.5 * 0.4)  # X -> Y -> X, any number of times
    assert result.share_of("biz:x") == pytest.approx(0.8 * loop)
    assert result.share_of("person:p") == pytest.approx(0.5 * 0.8 * loop)
    assert result.share_of("biz:y") == pytest.approx(0.4 * 0.8 * loop)
    assert result.self_held == 0.0
    # The explanation lists simple chains only.
    owner = result.holder("person:p")
    assert owner is not None
    assert [c.uids for c in owner.chains] == [("person:p", "biz:x", "biz:t")]


def test_treasury_shares_are_reported_apart_and_ultimate_shares_add_up() -> None:
    # H holds 90% of T, T's subsidiary X (100% T) holds the other 10%.
    p = holdings([("person:h", "biz:t", 0.9), ("biz:x", "biz:t", 0.1), ("biz:t", "biz:x", 1.0)])
    result = effective_ownership(p, "biz:t")
    assert result.share_of("person:h") == pytest.approx(0.9)
    assert result.self_held == pytest.approx(0.1)
    assert result.share_of("person:h") + result.self_held == pytest.approx(1.0)
    # Cancelling the self-held shares gives H everything.
    assert result.share_of("person:h") / (1 - result.self_held) == pytest.approx(1.0)


def test_a_cycle_without_outside_holders_does_not_converge() -> None:
    p = holdings([("biz:a", "biz:b", 1.0), ("biz:b", "biz:a", 1.0), ("biz:a", "biz:c", 0.5)])
    with pytest.raises(DidNotConverge, match="biz:a"):
        effective_ownership(p, "biz:c")


def test_shares_summing_above_one_name_the_business() -> None:
    p = holdings([("person:a", "biz:b", 0.7), ("person:c", "biz:b", 0.6)])
    with pytest.raises(InvalidInput, match="biz:b"):
        effective_ownership(p, "biz:b")


@pytest.mark.parametrize("share", [-0.1, 1.5, None])
def test_shares_outside_zero_to_one_are_refused(share: float | None) -> None:
    p = Projection.from_records(
        [("person:a", "Person"), ("biz:b", "Business")],
        [("r1", "SHAREHOLDER_OF", "person:a", "biz:b")],
        edge_props={"share": [share]},
    )
    with pytest.raises(InvalidInput, match="r1"):
        holding_edges(p)


def test_an_unknown_target_is_not_found() -> None:
    with pytest.raises(NotFound, match="biz:nobody"):
        effective_ownership(holdings([("person:a", "biz:b", 0.5)]), "biz:nobody")


def test_only_edges_in_force_on_the_date_count() -> None:
    p = holdings(
        [
            ("person:old", "biz:b", 0.6),  # ended 2020-01-01 (until is exclusive)
            ("person:new", "biz:b", 0.6),  # from 2020-01-01
            ("person:lasting", "biz:b", 0.3),
        ],
        since=[None, "2020-01-01", "2015-05-05"],
        until=["2020-01-01", None, None],
    )
    before = effective_ownership(p, "biz:b", at=date(2019, 12, 31))
    assert {h.uid: h.share for h in before.holders} == pytest.approx(
        {"person:old": 0.6, "person:lasting": 0.3}
    )
    on = effective_ownership(p, "biz:b", at=date(2020, 1, 1))
    assert {h.uid: h.share for h in on.holders} == pytest.approx(
        {"person:new": 0.6, "person:lasting": 0.3}
    )
    # Without a date every edge counts, and 0.6 + 0.6 + 0.3 > 1.
    with pytest.raises(InvalidInput, match="biz:b"):
        effective_ownership(p, "biz:b")


def test_ubos_are_persons_at_or_above_the_threshold() -> None:
    p = holdings(
        [
            ("person:a", "biz:h", 0.5),
            ("biz:h", "biz:t", 0.5),  # A: 0.25 through H, exactly the threshold
            ("person:b", "biz:t", 0.2),  # below
            ("person:c", "biz:t", 0.3),  # above
        ]
    )
    owners = ultimate_beneficial_owners(p, "biz:t")
    assert [(o.uid, round(o.share, 9)) for o in owners] == [("person:c", 0.3), ("person:a", 0.25)]
    assert [o.uid for o in ultimate_beneficial_owners(p, "biz:t", threshold=0.1)] == [
        "person:c",
        "person:a",
        "person:b",
    ]
    with pytest.raises(InvalidInput):
        ultimate_beneficial_owners(p, "biz:t", threshold=0)


def _paths_reference(edges: list[Holding], target: str) -> dict[str, float]:
    """Effective ownership by enumerating every path of an acyclic holding graph."""
    graph = nx.DiGraph()
    for a, b, s in edges:
        share = graph.get_edge_data(a, b, {"share": 0.0})["share"] + s
        graph.add_edge(a, b, share=share)
    total: dict[str, float] = defaultdict(float)
    for source in graph.nodes:
        if source == target:
            continue
        for path in nx.all_simple_paths(graph, source, target):
            steps = zip(path, path[1:], strict=False)
            total[source] += math.prod(graph[u][v]["share"] for u, v in steps)
    return {k: v for k, v in total.items() if v > 1e-12}


@st.composite
def acyclic_holdings(draw: st.DrawFn) -> list[Holding]:
    """Holdings where node i only holds nodes j > i, each business held at most 100%."""
    n = draw(st.integers(min_value=2, max_value=9))
    edges: list[Holding] = []
    for j in range(1, n):
        # The last business always has a holder, so every example has a target to check.
        last = j == n - 1
        holders = draw(
            st.sets(st.integers(min_value=0, max_value=j - 1), min_size=int(last), max_size=3)
        )
        room = 1.0
        for i in sorted(holders):
            share = draw(st.floats(min_value=0.01, max_value=1.0)) * room
            room -= share
            edges.append((f"biz:{i}", f"biz:{j}", share))
    return edges


@settings(max_examples=60, deadline=None)
@given(acyclic_holdings())
def test_effective_ownership_matches_path_enumeration(edges: list[Holding]) -> None:
    target = f"biz:{max(int(b.split(':')[1]) for _, b, _ in edges)}"
    expected = _paths_reference(edges, target)
    result = effective_ownership(holdings(edges), target)
    assert {h.uid: h.share for h in result.holders} == pytest.approx(expected)
    for holder in result.holders:
        products = [c.product for c in holder.chains]
        assert products == sorted(products, reverse=True)
        assert sum(products) <= holder.share + 1e-9


# --------------------------------------------------------------------------- actual controllers


def by_business(findings: list[ControllerFinding]) -> dict[str, ControllerFinding]:
    return {f.business: f for f in findings}


def test_majority_control_runs_through_chains_and_is_explained() -> None:
    p = holdings(
        [("person:z", "biz:a", 0.6), ("biz:a", "biz:b", 0.55)],
        names={"person:z": "张三", "biz:a": "A", "biz:b": "B"},
    )
    found = by_business(actual_controllers(p))
    assert set(found) == {"biz:a", "biz:b"}
    b = found["biz:b"]
    assert (b.controller, b.rule) == ("person:z", ControlRule.MAJORITY)
    assert b.path == ("person:z", "biz:a", "biz:b")
    assert b.votes == pytest.approx(0.55)
    assert b.explanation == (
        "张三 holds 60% of A directly; A holds 55% of B"
        " → 张三 controls B through A (55% of the votes)"
    )
    assert not b.disagrees_with_declared


def test_control_not_ownership_propagates() -> None:
    # Z owns only 0.51 * 0.51 = 26% of C but controls it through B.
    p = holdings(
        [
            ("person:z", "biz:b", 0.51),
            ("biz:b", "biz:c", 0.51),
            ("person:y", "biz:c", 0.49),
        ]
    )
    c = by_business(actual_controllers(p))["biz:c"]
    assert c.controller == "person:z"
    assert c.path == ("person:z", "biz:b", "biz:c")


def test_a_controllers_block_adds_its_own_and_its_subsidiaries_votes() -> None:
    # Z: 25% of B directly + 30% through X (which Z controls) = 55%; Y holds 45%.
    p = holdings(
        [
            ("person:z", "biz:x", 0.6),
            ("biz:x", "biz:b", 0.3),
            ("person:z", "biz:b", 0.25),
            ("person:y", "biz:b", 0.45),
        ]
    )
    b = by_business(actual_controllers(p))["biz:b"]
    assert (b.controller, b.rule) == ("person:z", ControlRule.MAJORITY)
    assert b.votes == pytest.approx(0.55)
    assert b.path == ("person:z", "biz:b") or b.path == ("person:z", "biz:x", "biz:b")


def test_plurality_needs_the_threshold_and_a_margin() -> None:
    clear = holdings(
        [("person:p", "biz:a", 0.35), ("person:q", "biz:a", 0.2), ("person:r", "biz:a", 0.2)]
    )
    a = by_business(actual_controllers(clear))["biz:a"]
    assert (a.controller, a.rule) == ("person:p", ControlRule.PLURALITY)
    assert "next 20%" in a.explanation
    close = holdings([("person:p", "biz:a", 0.35), ("person:q", "biz:a", 0.3)])
    assert actual_controllers(close) == []
    low = holdings([("person:p", "biz:a", 0.29), ("person:q", "biz:a", 0.1)])
    assert actual_controllers(low) == []
    assert actual_controllers(low, ControlParams(plurality_threshold=0.25))[0].rule == (
        ControlRule.PLURALITY
    )


def test_plurality_control_does_not_propagate() -> None:
    # P has a plurality in A; A holds 60% of B, so A (not P) controls B.
    p = holdings(
        [
            ("person:p", "biz:a", 0.35),
            ("person:q", "biz:a", 0.2),
            ("biz:a", "biz:b", 0.6),
        ]
    )
    assert by_business(actual_controllers(p))["biz:b"].controller == "biz:a"


def test_a_declared_controller_wins_and_a_disagreement_is_flagged() -> None:
    p = holdings(
        [("person:z", "biz:a", 0.7), ("person:w", "biz:a", 0.3)],
        declared=[("person:w", "biz:a", False)],
    )
    a = by_business(actual_controllers(p))["biz:a"]
    assert (a.controller, a.rule) == ("person:w", ControlRule.DECLARED)
    assert a.disagrees_with_declared
    assert a.computed_controller == "person:z"
    assert a.declared_controllers == ("person:w",)
    assert "disagreement" in a.explanation


def test_an_agreeing_declaration_is_not_flagged_and_computed_edges_are_not_declarations() -> None:
    agree = holdings([("person:z", "biz:a", 0.7)], declared=[("person:z", "biz:a", False)])
    a = by_business(actual_controllers(agree))["biz:a"]
    assert (a.rule, a.disagrees_with_declared) == (ControlRule.DECLARED, False)
    # A previous run's own output (computed = true) is not evidence.
    recomputed = holdings([("person:z", "biz:a", 0.7)], declared=[("person:w", "biz:a", True)])
    a = by_business(actual_controllers(recomputed))["biz:a"]
    assert (a.controller, a.rule) == ("person:z", ControlRule.MAJORITY)
    ignored = holdings([("person:z", "biz:a", 0.7)], declared=[("person:w", "biz:a", False)])
    params = ControlParams(use_declared=False)
    assert by_business(actual_controllers(ignored, params))["biz:a"].controller == "person:z"


def test_declared_control_propagates_down_the_chain() -> None:
    p = holdings([("biz:a", "biz:b", 0.6)], declared=[("person:w", "biz:a", False)])
    b = by_business(actual_controllers(p))["biz:b"]
    assert (b.controller, b.rule, b.path) == (
        "person:w",
        ControlRule.MAJORITY,
        ("person:w", "biz:a", "biz:b"),
    )
    assert "person:w controls biz:a" in b.explanation


def test_control_uses_only_edges_in_force() -> None:
    p = holdings(
        [("person:old", "biz:a", 0.6), ("person:new", "biz:a", 0.6)],
        since=[None, "2021-03-01"],
        until=["2021-03-01", None],
    )
    early = actual_controllers(p, ControlParams(at=date(2021, 2, 28)))
    late = actual_controllers(p, ControlParams(at=date(2021, 3, 1)))
    assert [f.controller for f in early] == ["person:old"]
    assert [f.controller for f in late] == ["person:new"]


def test_mutual_majority_holders_control_each_other_and_nobody_controls_them() -> None:
    p = holdings([("biz:a", "biz:b", 0.6), ("biz:b", "biz:a", 0.6), ("biz:a", "biz:c", 0.9)])
    found = by_business(actual_controllers(p))
    assert "biz:a" not in found
    assert "biz:b" not in found
    assert found["biz:c"].controller == "biz:a"


def test_bad_params_are_refused() -> None:
    with pytest.raises(InvalidInput, match="majority"):
        ControlParams(majority=1.2)
    with pytest.raises(InvalidInput, match="plurality_threshold"):
        ControlParams(plurality_threshold=0.6)


def _control_reference(edges: list[Holding], params: ControlParams) -> dict[str, str]:
    """Rules (a) and (b) one business at a time, iterated to a fixed point."""
    controller: dict[str, str] = {}

    def top(x: str) -> str:
        while x in controller:
            x = controller[x]
        return x

    held: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for a, b, s in edges:
        held[b].append((a, s))
    while True:
        new: dict[str, str] = {}
        for b, holders in held.items():
            votes: dict[str, float] = defaultdict(float)
            for a, s in holders:
                votes[top(a)] += s
            best, v = max(votes.items(), key=lambda kv: kv[1])
            if v > params.majority + 1e-9 and best != b:
                new[b] = best
        if new == controller:
            break
        controller = new
    result = dict(controller)
    for b, holders in held.items():
        if b in result:
            continue
        votes = defaultdict(float)
        for a, s in holders:
            votes[top(a)] += s
        ranked = sorted(votes.values(), reverse=True) + [0.0]
        best = max(votes, key=lambda k: votes[k])
        if ranked[0] >= params.plurality_threshold - 1e-9 and (
            ranked[0] - ranked[1] >= params.plurality_margin - 1e-9
        ):
            result[b] = best
    return {b: top(c) if b in controller else c for b, c in result.items()}


@settings(max_examples=60, deadline=None)
@given(acyclic_holdings())
def test_vectorised_control_matches_a_per_business_reference(edges: list[Holding]) -> None:
    params = ControlParams()
    found = {f.business: f.controller for f in actual_controllers(holdings(edges), params)}
    assert found == _control_reference(edges, params)


@st.composite
def cyclic_holdings(draw: st.DrawFn) -> list[Holding]:
    """Random holdings with cycles; each business held at most 90% so sums converge.

    Business 0 always has a holder: it is the target the Leontief test checks.
    """
    n = draw(st.integers(min_value=2, max_value=7))
    edges: list[Holding] = []
    for j in range(n):
        holders = draw(
            st.sets(st.integers(min_value=0, max_value=n - 1), min_size=int(j == 0), max_size=3)
        )
        room = 0.9
        for i in sorted(holders):
            share = draw(st.floats(min_value=0.01, max_value=1.0)) * room
            room -= share
            edges.append((f"biz:{i}", f"biz:{j}", share))
    return edges


@settings(max_examples=60, deadline=None)
@given(cyclic_holdings(), st.data())
def test_with_cycles_shares_are_the_leontief_inverse_over_its_diagonal(
    edges: list[Holding], data: st.DataObject
) -> None:
    # N = (I - A)^-1 counts every walk; N[h, t] / N[t, t] drops the walks through t.
    p = holdings(edges)
    # Any business held by someone (business 0 always is): every example checks a target.
    target = data.draw(st.sampled_from(sorted({b for _, b, _ in edges})))
    n = p.n_nodes
    a = np.zeros((n, n))
    for x, y, s in edges:
        a[p.index[x], p.index[y]] += s
    leontief = np.linalg.inv(np.eye(n) - a)
    k = p.index[target]
    expected = {
        str(p.uids[h]): leontief[h, k] / leontief[k, k]
        for h in range(n)
        if h != k and leontief[h, k] > 1e-12
    }
    result = effective_ownership(p, target)
    assert {h.uid: h.share for h in result.holders} == pytest.approx(expected, abs=1e-9)
    assert result.self_held == pytest.approx(1 - 1 / leontief[k, k], abs=1e-9)


def test_control_that_has_not_settled_within_max_iter_does_not_converge() -> None:
    # Rounds: Z gets A and A gets B, then Z gets B, then a round confirms nothing moved.
    p = holdings([("person:z", "biz:a", 0.6), ("biz:a", "biz:b", 0.6)])
    with pytest.raises(DidNotConverge, match="1 rounds"):
        actual_controllers(p, ControlParams(max_iter=1))


# --------------------------------------------------------------------------- partial failure


def test_one_business_with_shares_over_one_is_skipped_and_everyone_else_computed() -> None:
    p = holdings(
        [
            ("person:a", "biz:bad", 0.7),
            ("person:c", "biz:bad", 0.6),  # 1.3 in biz:bad
            ("person:z", "biz:ok", 1.0),
            ("biz:bad", "biz:child", 0.9),  # what biz:bad holds still counts
        ]
    )
    [problem] = holding_problems(p)
    assert (problem.business, problem.code) == ("biz:bad", "shares_over_one")
    assert problem.total == pytest.approx(1.3)
    assert set(problem.rids) == {"h0", "h1"}
    found = {f.business: f.controller for f in actual_controllers(p)}
    assert found == {"biz:ok": "person:z", "biz:child": "biz:bad"}
    # The child's ownership still answers, names the skipped business, stops above it.
    child = effective_ownership(p, "biz:child")
    assert [h.uid for h in child.holders] == ["biz:bad"]
    assert [x.business for x in child.skipped] == ["biz:bad"]
    with pytest.raises(InvalidInput, match="biz:bad"):
        effective_ownership(p, "biz:bad")


def test_a_share_outside_zero_to_one_skips_only_its_business() -> None:
    p = holdings([("person:a", "biz:b", 1.5), ("person:z", "biz:ok", 0.8)])
    [problem] = holding_problems(p)
    assert (problem.business, problem.code, problem.rids) == (
        "biz:b",
        "share_out_of_range",
        ("h0",),
    )
    assert [(f.business, f.controller) for f in actual_controllers(p)] == [("biz:ok", "person:z")]


def test_an_unknown_share_holds_without_weight_and_blocks_only_plurality() -> None:
    # Offshore registers rarely publish shares: the holding is recorded, its weight unknown.
    majority = holdings([("person:a", "biz:m", 0.6), ("person:u", "biz:m", None)])
    assert holding_problems(majority) == []
    [finding] = actual_controllers(majority)
    assert (finding.controller, finding.rule) == ("person:a", ControlRule.MAJORITY)
    result = effective_ownership(majority, "biz:m")
    assert [h.uid for h in result.holders] == ["person:a"]
    assert result.unknown_share_holders == ("person:u",)
    # 40% leads 10% by a plurality, but the unknown holding might be the largest block.
    plural = holdings(
        [("person:a", "biz:p", 0.4), ("person:b", "biz:p", 0.1), ("person:u", "biz:p", None)]
    )
    assert actual_controllers(plural) == []
    known = holdings([("person:a", "biz:p", 0.4), ("person:b", "biz:p", 0.1)])
    assert [f.rule for f in actual_controllers(known)] == [ControlRule.PLURALITY]
