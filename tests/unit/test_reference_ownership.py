"""Actual controllers and UBOs against plain references on small random graphs (hypothesis).

The references are written from the rules as documented (``actual_controllers`` docstring,
``ultimate_beneficial_owners`` docstring), one business at a time with dictionaries, not with
the arrays the library uses. Holdings here have cycles, people as holders and declared
controllers (some marked ``computed``, which must be ignored); shares are drawn from a few
round values so that exact halves and ties come up often.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.ownership import (
    ControlParams,
    actual_controllers,
    ultimate_beneficial_owners,
)
from graph.errors import DidNotConverge
from graph.model import Projection

TOL = 1e-9
SHARES = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0)


@dataclass(frozen=True)
class Market:
    """Holdings ``(holder, business, share)``; declarations ``(controller, business, computed)``."""

    nodes: tuple[str, ...]
    holdings: tuple[tuple[str, str, float], ...]
    declared: tuple[tuple[str, str, bool], ...]

    def projection(self) -> Projection:
        label = {u: "Person" if u.startswith("person:") else "Business" for u in self.nodes}
        records = [(f"h{i}", "SHAREHOLDER_OF", a, b) for i, (a, b, _) in enumerate(self.holdings)]
        records += [
            (f"c{i}", "ACTUAL_CONTROLLER_OF", a, b) for i, (a, b, _) in enumerate(self.declared)
        ]
        return Projection.from_records(
            [(u, label[u]) for u in self.nodes],
            records,
            edge_props={
                "share": [s for *_, s in self.holdings] + [None] * len(self.declared),
                "computed": [None] * len(self.holdings) + [c for *_, c in self.declared],
            },
        )


@st.composite
def markets(draw: st.DrawFn, with_declared: bool = True) -> Market:
    """Up to 6 businesses and 3 people; any business may hold any other (cycles included)."""
    n_biz = draw(st.integers(min_value=1, max_value=6))
    n_people = draw(st.integers(min_value=0, max_value=3))
    businesses = [f"biz:{i}" for i in range(n_biz)]
    people = [f"person:{i}" for i in range(n_people)]
    holders = businesses + people
    holdings: list[tuple[str, str, float]] = []
    for b in businesses:
        room = 1.0
        for h in draw(st.lists(st.sampled_from(holders), max_size=4, unique=True)):
            share = draw(st.sampled_from(SHARES))
            if h == b or share > room + TOL:
                continue
            room -= share
            holdings.append((h, b, share))
    declared: list[tuple[str, str, bool]] = []
    if with_declared:
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            c = draw(st.sampled_from(holders))
            b = draw(st.sampled_from(businesses))
            if c != b:
                declared.append((c, b, draw(st.booleans())))
    return Market(tuple(businesses + people), tuple(holdings), tuple(declared))


# --------------------------------------------------------------------------- controllers


def _on_pointer_cycle(ctrl: dict[str, str]) -> set[str]:
    """Nodes whose controller pointers lead back to themselves."""
    cycle: set[str] = set()
    for start in ctrl:
        seen = [start]
        x = ctrl.get(start)
        while x is not None and x not in seen:
            seen.append(x)
            x = ctrl.get(x)
        if x == start:
            cycle.add(start)
    return cycle


def _tops(nodes: tuple[str, ...], ctrl: dict[str, str]) -> dict[str, str]:
    """Each node's top controller; members of a pointer cycle are their own top."""
    cycle = _on_pointer_cycle(ctrl)
    top: dict[str, str] = {}
    for start in nodes:
        x = start
        while x in ctrl and x not in cycle:
            x = ctrl[x]
        top[start] = x
    return top


def _blocks(market: Market, top: dict[str, str]) -> dict[str, list[tuple[float, str]]]:
    """Per business, its voting blocks ``(votes, top)`` largest first (own votes left out)."""
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for h, b, s in market.holdings:
        if top[h] != b:
            votes[b][top[h]] += s
    return {b: sorted(((v, t) for t, v in by.items()), reverse=True) for b, by in votes.items()}


def _expected_control(
    market: Market, params: ControlParams
) -> set[tuple[str, str, str, str | None, bool]]:
    """``(business, controller, rule, computed controller, disagrees)`` per finding."""
    declared_by: dict[str, list[str]] = defaultdict(list)
    for c, b, marked_computed in market.declared:
        if not marked_computed:
            declared_by[b].append(c)
    declared = {b: cs[0] for b, cs in declared_by.items() if len(cs) == 1}
    frozen: set[str] = set()
    ctrl = dict(declared)
    top = _tops(market.nodes, ctrl)
    for _ in range(params.max_iter):
        blocks = _blocks(market, top)
        majority = {b: bl[0][1] for b, bl in blocks.items() if bl[0][0] > params.majority + TOL}
        new_ctrl = {b: c for b, c in {**majority, **declared}.items() if b not in frozen}
        frozen |= _on_pointer_cycle(new_ctrl)
        new_ctrl = {b: c for b, c in new_ctrl.items() if b not in frozen}
        new_top = _tops(market.nodes, new_ctrl)
        if new_ctrl == ctrl and new_top == top:
            break
        ctrl, top = new_ctrl, new_top
    else:
        raise DidNotConverge("reference did not settle")
    rule: dict[str, tuple[str, str]] = {}
    for b, bl in blocks.items():
        if b in frozen and b not in declared:
            continue
        (v, t), second = bl[0], (bl[1][0] if len(bl) > 1 else 0.0)
        if v > params.majority + TOL:
            rule[b] = ("majority", t)
        elif v >= params.plurality_threshold - TOL and v - second >= params.plurality_margin - TOL:
            rule[b] = ("plurality", t)
    out: set[tuple[str, str, str, str | None, bool]] = set()
    for b in market.nodes:
        if not b.startswith("biz:"):
            continue
        by_rule = rule[b][1] if b in rule else None
        if b in declared_by:
            for c in declared_by[b]:
                agrees = by_rule is None or by_rule in (c, top[c])
                out.add((b, c, "declared", by_rule, not agrees))
        elif b in rule:
            out.add((b, rule[b][1], rule[b][0], by_rule, False))
    return out


@settings(max_examples=200, deadline=None)
@given(markets())
def test_controllers_with_cycles_and_declarations_match_the_reference(market: Market) -> None:
    params = ControlParams()
    try:
        expected = _expected_control(market, params)
    except DidNotConverge:
        with pytest.raises(DidNotConverge):
            actual_controllers(market.projection(), params)
        return
    found = {
        (f.business, f.controller, f.rule.value, f.computed_controller, f.disagrees_with_declared)
        for f in actual_controllers(market.projection(), params)
    }
    assert found == expected


@settings(max_examples=100, deadline=None)
@given(markets())
def test_ignoring_declarations_is_the_same_as_having_none(market: Market) -> None:
    undeclared = Market(market.nodes, market.holdings, ())
    params = ControlParams(use_declared=False)
    found = {
        (f.business, f.controller, f.rule.value)
        for f in actual_controllers(market.projection(), params)
    }
    assert found == {
        (f.business, f.controller, f.rule.value)
        for f in actual_controllers(undeclared.projection(), ControlParams())
    }


# --------------------------------------------------------------------------- UBO


def _effective_by_walks(market: Market, target: str, sweeps: int = 400) -> dict[str, float]:
    """Effective shares in ``target`` summed walk by walk, never passing through ``target``.

    A walk's value is the product of its shares; walks that revisit ``target`` are cut, so
    what ``target`` holds of itself is excluded (the library's ``self_held``).
    """
    into: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for h, b, s in market.holdings:
        into[b].append((h, s))
    # value[x] = sum over walks x -> ... -> target avoiding target in between: iterate.
    value: dict[str, float] = defaultdict(float)
    for _ in range(sweeps):
        new: dict[str, float] = defaultdict(float)
        for h, s in into[target]:
            new[h] += s
        for b, holders in into.items():
            if b == target:
                continue
            for h, s in holders:
                new[h] += s * value[b]
        value = new
    return {x: v for x, v in value.items() if x != target and v > 1e-12}


@st.composite
def ubo_cases(draw: st.DrawFn) -> tuple[Market, str, float]:
    market = draw(markets(with_declared=False))
    # Businesses held at most 90% by others so every cycle's series converges.
    capped = tuple((h, b, s * 0.9) for h, b, s in market.holdings)
    market = Market(market.nodes, capped, ())
    target = draw(st.sampled_from([u for u in market.nodes if u.startswith("biz:")]))
    threshold = draw(st.sampled_from((0.05, 0.1, 0.25, 0.5)))
    return market, target, threshold


@settings(max_examples=150, deadline=None)
@given(ubo_cases())
def test_ubos_are_the_people_whose_summed_walks_reach_the_threshold(
    case: tuple[Market, str, float],
) -> None:
    market, target, threshold = case
    shares = _effective_by_walks(market, target)
    found = {
        o.uid: o.share
        for o in ultimate_beneficial_owners(market.projection(), target, threshold=threshold)
    }
    people = {u: v for u, v in shares.items() if u.startswith("person:")}
    # Shares within 1e-6 of the threshold are too close to call in floating point.
    clear = {u: v for u, v in people.items() if abs(v - threshold) > 1e-6}
    assert {u for u, v in clear.items() if v >= threshold} == {u for u in found if u in clear}
    assert set(found) <= set(people)
    for uid, share in found.items():
        assert share == pytest.approx(people[uid], abs=1e-6)
    order = list(found.values())
    assert order == sorted(order, reverse=True)
    assert np.isfinite(order).all()
