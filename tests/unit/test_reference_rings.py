"""Ring assembly (``find_rings``) against a plain reference on small random order tables.

FRAUDAR's peel has its own slow reference (``tests/unit/test_brushing.py``) and so do the
tells (``algorithms.brushing.signals``); what is checked here is what ``find_rings`` builds
from them, re-done step by step from its module docstring with sets and loops: the boosted
account x store weights, the split of each dense block into connected parts, pruning and
growing with the tells, dropping camouflage stores, the fill and score, and skipping a part
most of whose accounts an earlier ring already holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from algorithms.brushing.fraudar import detect_dense_blocks
from algorithms.brushing.rings import RingParams, find_rings
from algorithms.brushing.signals import (
    OrderTable,
    fast_deliveries,
    light_parcels,
    lockstep,
    receiver_sharing,
)


@dataclass(frozen=True)
class RefRing:
    accounts: tuple[int, ...]
    stores: tuple[int, ...]
    score: float
    evidence: tuple[int, ...]


def _suspicion(orders: OrderTable, p: RingParams) -> tuple[list[float], set[tuple[int, int]]]:
    """Per-order suspicion and lockstep partner pairs, from the tells as published."""
    n = orders.n_orders
    if not p.uses_signals:
        return [0.0] * n, set()
    tells = [
        (p.weight_light, light_parcels(orders, p.light_parcel_kg)),
        (p.weight_fast, fast_deliveries(orders, p.fast_delivery_hours)),
        (
            p.weight_receiver,
            receiver_sharing(orders).per_order >= p.shared_receiver_accounts,
        ),
    ]
    found = lockstep(orders, p.lockstep_window_seconds, p.lockstep_min_shared)
    tells.append((p.weight_lockstep, found.per_order > 0))
    total = sum(w for w, _ in tells)
    suspicion = [sum(w * float(flags[k]) for w, flags in tells) / total for k in range(n)]
    coo = found.partners.tocoo()
    partners = {(int(a), int(b)) for a, b, v in zip(coo.row, coo.col, coo.data, strict=True) if v}
    return suspicion, partners


def _parts(
    entries: set[tuple[int, int]], rows: set[int], cols: set[int]
) -> list[tuple[set[int], set[int]]]:
    """Connected parts of the block's account-store entries (union-find)."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for a, s in entries:
        if a in rows and s in cols:
            parent[find(("a", a))] = find(("s", s))
    groups: dict[tuple[str, int], tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for x in list(parent):
        accounts, stores = groups[find(x)]
        (accounts if x[0] == "a" else stores).add(x[1])
    return [g for g in groups.values() if g[0] and g[1]]


def _vet(
    orders: OrderTable,
    p: RingParams,
    suspicion: list[float],
    partners: set[tuple[int, int]],
    rows: set[int],
    cols: set[int],
) -> RefRing | None:
    acc = orders.account.tolist()
    sto = orders.store.tolist()
    ks = range(orders.n_orders)
    members = set(rows)
    if p.uses_signals:
        into: dict[int, list[float]] = defaultdict(list)
        for k in ks:
            if sto[k] in cols:
                into[acc[k]].append(suspicion[k])
        mean = {a: sum(v) / len(v) for a, v in into.items()}
        members = {a for a in members if mean.get(a, 0.0) >= p.prune_below}
        tied = {b for a, b in partners if a in members}
        for key in (orders.address.tolist(), orders.phone.tolist()):
            member_keys = {key[k] for k in ks if acc[k] in members and key[k] >= 0}
            tied |= {acc[k] for k in ks if sto[k] in cols and key[k] in member_keys}
        members |= {a for a in tied if mean.get(a, 0.0) >= p.grow_above}
    if len(members) < p.min_accounts:
        return None
    evidence = [k for k in ks if acc[k] in members and sto[k] in cols]
    if p.uses_signals:
        per_store: dict[int, list[float]] = defaultdict(list)
        for k in evidence:
            per_store[sto[k]].append(suspicion[k])
        kept = {s for s, v in per_store.items() if sum(v) >= p.prune_below * len(v)}
        evidence = [k for k in evidence if sto[k] in kept]
        members = {acc[k] for k in evidence}
        if len(members) < p.min_accounts:
            return None
    stores = {sto[k] for k in evidence}
    fill = len({(acc[k], sto[k]) for k in evidence}) / (len(members) * len(stores))
    if fill < p.min_fill:
        return None
    score = fill
    if p.uses_signals:
        score = 0.5 * fill + 0.5 * sum(suspicion[k] for k in evidence) / len(evidence)
    return RefRing(tuple(sorted(members)), tuple(sorted(stores)), score, tuple(evidence))


def _reference(orders: OrderTable, p: RingParams) -> list[RefRing]:
    suspicion, partners = _suspicion(orders, p)
    by_pair: dict[tuple[int, int], list[float]] = defaultdict(list)
    for k in range(orders.n_orders):
        by_pair[(int(orders.account[k]), int(orders.store[k]))].append(suspicion[k])
    weights = {pair: 1.0 + p.boost * sum(v) / len(v) for pair, v in by_pair.items()}
    dense = np.zeros((orders.n_accounts, orders.n_stores))
    for (a, s), w in weights.items():
        dense[a, s] = w
    rings: list[RefRing] = []
    reported: set[int] = set()
    blocks = detect_dense_blocks(sparse.csr_matrix(dense), p.n_blocks, weighting=p.weighting)
    for block in blocks:
        for rows, cols in _parts(set(weights), set(block.rows.tolist()), set(block.cols.tolist())):
            ring = _vet(orders, p, suspicion, partners, rows, cols)
            if ring is not None and sum(a in reported for a in ring.accounts) < 0.5 * len(
                ring.accounts
            ):
                reported |= set(ring.accounts)
                rings.append(ring)
    return sorted(rings, key=lambda r: -r.score)


@st.composite
def order_tables(draw: st.DrawFn) -> OrderTable:
    """Up to 12 accounts and 6 stores, often with a planted group buying together."""
    n_accounts = draw(st.integers(min_value=3, max_value=12))
    n_stores = draw(st.integers(min_value=1, max_value=6))
    rows: list[tuple[int, int, int, float, int, int, int, int]] = []
    # A planted group: several accounts x several stores, in lockstep, light parcels.
    group = draw(st.sets(st.integers(0, n_accounts - 1), min_size=0, max_size=6))
    shops = draw(st.sets(st.integers(0, n_stores - 1), min_size=1, max_size=3))
    for a in sorted(group):
        for s in sorted(shops):
            for burst in range(draw(st.integers(min_value=1, max_value=2))):
                rows.append((a, s, 10_000 * burst + 60 * s, 0.01, 0, 3_600, 0, -1))
    noise = st.tuples(
        st.integers(0, n_accounts - 1),
        st.integers(0, n_stores - 1),
        st.integers(0, 40_000),
        st.sampled_from([0.01, 0.8, float("nan")]),
        st.sampled_from([-1, 0]),
        st.sampled_from([-1, 3_600, 86_400]),
        st.integers(-1, 3),
        st.integers(-1, 3),
    )
    rows += draw(st.lists(noise, max_size=40))
    cols = list(zip(*rows, strict=True)) if rows else [()] * 8
    ints = [np.asarray(c if i != 3 else (), dtype=np.int64) for i, c in enumerate(cols)]
    return OrderTable(
        account=ints[0],
        store=ints[1],
        placed=ints[2],
        weight_kg=np.asarray(cols[3], dtype=np.float64),
        shipped=ints[4],
        delivered=ints[5],
        address=ints[6],
        phone=ints[7],
        n_accounts=n_accounts,
        n_stores=n_stores,
    )


PARAMS = {
    "defaults": RingParams(n_blocks=3),
    "orders-only": RingParams.orders_only(n_blocks=3),
    "small-rings": RingParams(n_blocks=2, min_accounts=2, min_fill=0.5, boost=1.0),
}


@pytest.mark.parametrize("params", PARAMS.values(), ids=PARAMS.keys())
@settings(max_examples=80, deadline=None)
@given(orders=order_tables())
def test_find_rings_matches_the_step_by_step_reference(
    orders: OrderTable, params: RingParams
) -> None:
    expected = _reference(orders, params)
    found = find_rings(orders, params)
    assert [(r.accounts.tolist(), r.stores.tolist()) for r in found] == [
        (list(r.accounts), list(r.stores)) for r in expected
    ]
    for ring, ref in zip(found, expected, strict=True):
        assert ring.score == pytest.approx(ref.score)
        assert sorted(ring.evidence.tolist()) == sorted(ref.evidence)
        assert 0.0 <= ring.score <= 1.0


@pytest.mark.parametrize("params", PARAMS.values(), ids=PARAMS.keys())
def test_an_empty_order_table_has_no_ring(params: RingParams) -> None:
    # Found by the reference check: the lockstep tell crashed on a table without orders.
    none = np.zeros(0, dtype=np.int64)
    orders = OrderTable(none, none, none, np.zeros(0), none, none, none, none, 3, 2)
    assert find_rings(orders, params) == []
