"""Brushing-ring detection, specified by planted rings and a slow reference peel.

``_fraudar_python`` is the FRAUDAR greedy written plainly: at every step it recomputes each
alive row's and column's weight from the dense matrix and the density from scratch.  The fast
peel must return the same first block with the same score on any small matrix.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import sparse

from algorithms.brushing.fraudar import QUANTUM_BITS, detect_dense_blocks, peel
from algorithms.brushing.rings import Ring, RingParams, find_rings
from algorithms.brushing.signals import (
    OrderTable,
    fast_deliveries,
    light_parcels,
    lockstep,
    receiver_sharing,
)
from graph.errors import InvalidInput
from ingest.generate.market import MarketSpec, SyntheticMarket, make_market

IntArray = npt.NDArray[np.int64]


def _fraudar_python(
    values: npt.NDArray[np.float64], weighting: str
) -> tuple[list[int], list[int], float]:
    """Reference greedy peel: rows, columns and density of the best prefix."""
    if weighting == "log":
        degree = (values != 0).sum(axis=0)
        values = values / np.log(degree + 5.0)
    weights = np.rint(values * 2.0**QUANTUM_BITS).astype(np.int64)
    rows = set(range(weights.shape[0]))
    cols = set(range(weights.shape[1]))

    def mass() -> int:
        return int(weights[np.ix_(sorted(rows), sorted(cols))].sum()) if rows and cols else 0

    best = (sorted(rows), sorted(cols), mass() / (len(rows) + len(cols)))
    while rows and cols:
        row_cost, row = min((int(weights[i, sorted(cols)].sum()), i) for i in rows)
        col_cost, col = min((int(weights[sorted(rows), j].sum()), j) for j in cols)
        if row_cost <= col_cost:
            rows.remove(row)
        else:
            cols.remove(col)
        score = mass() / (len(rows) + len(cols))
        if score > best[2]:
            best = (sorted(rows), sorted(cols), score)
    return best[0], best[1], best[2] / 2.0**QUANTUM_BITS


small_matrices = arrays(
    np.float64,
    st.tuples(st.integers(1, 9), st.integers(1, 9)),
    elements=st.sampled_from([0.0, 0.0, 1.0, 2.0]),
)


class TestFraudarPeel:
    @settings(max_examples=150, deadline=None)
    @given(values=small_matrices, weighting=st.sampled_from(["log", "none"]))
    def test_first_block_matches_the_slow_reference(
        self, values: npt.NDArray[np.float64], weighting: str
    ) -> None:
        blocks = detect_dense_blocks(sparse.csr_matrix(values), 1, weighting=weighting)  # type: ignore[arg-type]
        if not values.any():
            assert blocks == []
            return
        rows, cols, density = _fraudar_python(values, weighting)
        assert blocks[0].rows.tolist() == rows
        assert blocks[0].cols.tolist() == cols
        assert blocks[0].density == density

    @pytest.mark.parametrize("seed", range(4))
    def test_larger_matrices_match_the_slow_reference(self, seed: int) -> None:
        # Deeper heaps and many ties (integer values, shared column degrees).
        rng = np.random.default_rng(seed)
        values = (rng.random((40, 30)) < 0.15) * rng.integers(1, 3, (40, 30)).astype(float)
        values[:6, :5] = 1.0
        block = detect_dense_blocks(sparse.csr_matrix(values), 1)[0]
        rows, cols, density = _fraudar_python(values, "log")
        assert (block.rows.tolist(), block.cols.tolist(), block.density) == (rows, cols, density)

    def test_finds_a_planted_clique_among_noise(self) -> None:
        rng = np.random.default_rng(3)
        values = (rng.random((300, 200)) < 0.01).astype(np.float64)
        values[:20, :10] = 1.0
        block = detect_dense_blocks(sparse.csr_matrix(values), 1)[0]
        assert set(range(20)) <= set(block.rows.tolist())
        assert set(range(10)) == set(block.cols.tolist())

    def test_later_blocks_do_not_reuse_the_first_blocks_entries(self) -> None:
        values = np.zeros((12, 10))
        values[:5, :5] = 1.0
        values[6:9, 6:9] = 1.0
        first, second = detect_dense_blocks(sparse.csr_matrix(values), 2, weighting="none")
        assert (first.rows.tolist(), first.cols.tolist()) == ([0, 1, 2, 3, 4], [0, 1, 2, 3, 4])
        assert (second.rows.tolist(), second.cols.tolist()) == ([6, 7, 8], [6, 7, 8])

    def test_min_density_stops_the_search(self) -> None:
        values = np.zeros((10, 10))
        values[:5, :5] = 1.0
        values[7, 7] = 1.0
        blocks = detect_dense_blocks(sparse.csr_matrix(values), 5, weighting="none", min_density=1)
        assert len(blocks) == 1

    def test_an_empty_matrix_has_no_block(self) -> None:
        assert peel(sparse.csr_matrix((3, 4))) is None

    @pytest.mark.parametrize("bad", [-1.0, np.inf, np.nan])
    def test_refuses_negative_or_non_finite_values(self, bad: float) -> None:
        with pytest.raises(InvalidInput):
            detect_dense_blocks(sparse.csr_matrix(np.array([[1.0, bad]])))

    def test_refuses_zero_blocks(self) -> None:
        with pytest.raises(InvalidInput):
            detect_dense_blocks(sparse.csr_matrix(np.eye(2)), 0)


def _table(**columns: list[int] | list[float]) -> OrderTable:
    n = len(columns["account"])
    defaults: dict[str, list[int] | list[float]] = {
        "store": [0] * n,
        "placed": [0] * n,
        "weight_kg": [1.0] * n,
        "shipped": [-1] * n,
        "delivered": [-1] * n,
        "address": [-1] * n,
        "phone": [-1] * n,
    }
    merged = {**defaults, **columns}
    return OrderTable(
        account=np.array(merged["account"], dtype=np.int64),
        store=np.array(merged["store"], dtype=np.int64),
        placed=np.array(merged["placed"], dtype=np.int64),
        weight_kg=np.array(merged["weight_kg"], dtype=np.float64),
        shipped=np.array(merged["shipped"], dtype=np.int64),
        delivered=np.array(merged["delivered"], dtype=np.int64),
        address=np.array(merged["address"], dtype=np.int64),
        phone=np.array(merged["phone"], dtype=np.int64),
        n_accounts=int(max(merged["account"])) + 1,
        n_stores=int(max(merged["store"])) + 1,
    )


class TestSignals:
    def test_light_parcels_flag_weights_under_the_threshold_and_skip_unknown(self) -> None:
        orders = _table(account=[0, 0, 1], weight_kg=[0.01, 0.2, float("nan")])
        assert light_parcels(orders, max_kg=0.05).tolist() == [True, False, False]

    def test_fast_deliveries_need_both_times(self) -> None:
        orders = _table(account=[0, 1, 2], shipped=[0, 0, -1], delivered=[3600, 86_400, 10])
        assert fast_deliveries(orders, max_hours=6).tolist() == [True, False, False]

    def test_receiver_sharing_counts_distinct_accounts_per_address_or_phone(self) -> None:
        orders = _table(
            account=[0, 1, 2, 2, 3],
            address=[5, 5, 5, 9, 8],
            phone=[1, 2, 3, 4, 4],
        )
        sharing = receiver_sharing(orders)
        assert sharing.per_order.tolist() == [3, 3, 3, 2, 2]
        assert sharing.per_account.tolist() == [3, 3, 3, 2]

    def test_lockstep_pairs_accounts_that_meet_in_two_store_windows(self) -> None:
        # Accounts 0 and 1 buy at store 0 and store 1 within minutes of each other; account 2
        # meets them once only.
        orders = _table(
            account=[0, 1, 0, 1, 2],
            store=[0, 0, 1, 1, 0],
            placed=[100, 160, 5_000, 5_100, 200],
        )
        found = lockstep(orders, window_seconds=600, min_shared=2)
        assert found.per_account.tolist() == [1, 1, 0]
        assert found.per_order.tolist() == [1, 1, 1, 1, 0]

    def test_order_table_refuses_misaligned_columns(self) -> None:
        with pytest.raises(InvalidInput, match="store"):
            OrderTable(
                account=np.zeros(2, dtype=np.int64),
                store=np.zeros(3, dtype=np.int64),
                placed=np.zeros(2, dtype=np.int64),
                weight_kg=np.zeros(2),
                shipped=np.zeros(2, dtype=np.int64),
                delivered=np.zeros(2, dtype=np.int64),
                address=np.zeros(2, dtype=np.int64),
                phone=np.zeros(2, dtype=np.int64),
                n_accounts=1,
                n_stores=1,
            )


def _found(rings: list[Ring]) -> IntArray:
    if not rings:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate([ring.accounts for ring in rings]))


def _account_f1(market: SyntheticMarket, rings: list[Ring]) -> float:
    found, planted = _found(rings), market.ring_accounts
    hits = int(np.isin(found, planted).sum())
    if hits == 0:
        return 0.0
    precision, recall = hits / found.size, hits / planted.size
    return 2 * precision * recall / (precision + recall)


class TestFindRings:
    def test_finds_planted_rings_in_a_clean_market(self) -> None:
        market = make_market(MarketSpec(n_orders=30_000, seed=1))
        assert _account_f1(market, find_rings(market.orders)) >= 0.9

    @pytest.mark.parametrize("camouflage", ["random", "biased"])
    def test_camouflage_does_not_stop_detection(self, camouflage: str) -> None:
        spec = MarketSpec(n_orders=30_000, camouflage=camouflage, camouflage_ratio=1.0, seed=2)  # type: ignore[arg-type]
        market = make_market(spec)
        assert _account_f1(market, find_rings(market.orders)) >= 0.9

    def test_logistics_beat_orders_alone_when_density_is_ambiguous(self) -> None:
        # Honest dense groups as dense as the rings: only the parcels tell them apart.
        spec = MarketSpec(n_orders=30_000, n_decoys=3, ring_density=0.6, decoy_density=0.8, seed=4)
        market = make_market(spec)
        orders_only = _account_f1(market, find_rings(market.orders, RingParams.orders_only()))
        with_logistics = _account_f1(market, find_rings(market.orders))
        assert with_logistics >= 0.9
        assert with_logistics > orders_only + 0.3

    def test_reasons_state_the_counts_behind_each_tell(self) -> None:
        market = make_market(MarketSpec(n_orders=20_000, n_rings=1, ring_logistics=1.0, seed=5))
        ring = find_rings(market.orders)[0]
        planted = market.rings[0]
        assert ring.accounts.tolist() == planted.accounts.tolist()
        reasons = " | ".join(ring.reasons)
        assert f"{planted.accounts.size} accounts and" in reasons
        assert "possible account-store pairs" in reasons
        assert "100% of their parcels weighed under 50 g" in reasons
        assert "ordered within the same 10-minute window" in reasons
        pool = np.unique(market.orders.address[ring.evidence])
        assert f"shipped to {pool.size} receiver addresses shared by 30 accounts" in reasons

    def test_ring_evidence_is_the_orders_between_members_and_ring_stores(self) -> None:
        market = make_market(MarketSpec(n_orders=20_000, n_rings=1, seed=6))
        ring = find_rings(market.orders)[0]
        orders = market.orders
        assert np.isin(orders.account[ring.evidence], ring.accounts).all()
        assert np.isin(orders.store[ring.evidence], ring.stores).all()
        assert 0.0 <= ring.score <= 1.0

    def test_params_are_validated(self) -> None:
        with pytest.raises(ValueError, match="n_blocks"):
            RingParams(n_blocks=0)
