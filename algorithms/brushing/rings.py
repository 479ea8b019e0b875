"""Brushing rings (刷单炒信) from orders and logistics, with reasons a regulator can read.

Design
------
1. **Per-order suspicion.**  Each order gets ``s`` in ``[0, 1]``: the weighted share of four
   tells from :mod:`algorithms.brushing.signals` that it shows: an empty or near-empty parcel,
   a waybill delivered implausibly soon after shipping, a receiver address or phone shared by
   several accounts, and a lockstep partner (another account that met this one in the same
   store and time window more than once).  All weights zero gives ``s = 0``: orders only.
2. **Boosted FRAUDAR.**  The account x store matrix has one entry per pair that traded, worth
   ``1 + boost * mean(s)`` over the pair's orders.  Column weights ``1 / log(deg + 5)`` still
   come from the number of buyers, so boosting changes how much a suspicious edge counts, not
   how popular its store looks.  :func:`~algorithms.brushing.fraudar.detect_dense_blocks` finds
   ``n_blocks`` blocks in turn.  Logistics therefore decides *which* dense block comes first:
   an honest dense group (a workplace lunching at the same shops) weighs ``1`` per edge, a ring
   with empty parcels weighs up to ``1 + boost``.
3. **Prune and grow.**  With signals on, block members whose orders into the block's stores
   average a suspicion below ``prune_below`` are dropped (honest buyers of a small store that
   the peel swept in), and outside accounts are added when they bought from the block's stores
   with suspicious orders *and* are tied to a member by a lockstep partnership or a shared
   receiver (ring members the peel left out because camouflage diluted them).
   Ring stores are those the members bought from with suspicious orders on average: a
   store that only camouflage orders reach is dropped with its orders.
4. **Score and reasons.**  A ring's score is its fill (the share of member x store pairs that
   traded) averaged with its members' mean suspicion when signals are on; rings with fewer than
   ``min_accounts`` members or fill below ``min_fill`` are dropped.  Reasons state the counts
   behind each tell, and ``evidence`` lists the order rows between members and ring stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field
from scipy import sparse
from scipy.sparse import csgraph

from algorithms.brushing.fraudar import detect_dense_blocks
from algorithms.brushing.signals import (
    OrderTable,
    fast_deliveries,
    light_parcels,
    lockstep,
    receiver_sharing,
    unique_pairs,
)

__all__ = [
    "DEFAULT_PARAMS",
    "Ring",
    "RingParams",
    "Tells",
    "find_rings",
    "order_suspicion",
    "order_tells",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class RingParams(BaseModel):
    """Every knob of :func:`find_rings` in one validated, immutable model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_blocks: int = Field(5, ge=1, description="dense blocks to look for")
    weighting: Literal["log", "none"] = "log"
    boost: float = Field(4.0, ge=0, description="edge weight is 1 + boost * mean suspicion")
    light_parcel_kg: float = Field(0.05, gt=0)
    fast_delivery_hours: float = Field(6.0, gt=0)
    shared_receiver_accounts: int = Field(3, ge=2, description="accounts on one receiver")
    lockstep_window_seconds: int = Field(600, ge=1)
    lockstep_min_shared: int = Field(2, ge=1, description="buckets two accounts must share")
    weight_light: float = Field(1.0, ge=0)
    weight_fast: float = Field(1.0, ge=0)
    weight_receiver: float = Field(1.0, ge=0)
    weight_lockstep: float = Field(1.0, ge=0)
    prune_below: float = Field(0.25, ge=0, le=1)
    grow_above: float = Field(0.5, ge=0, le=1)
    min_accounts: int = Field(3, ge=1)
    min_fill: float = Field(0.2, ge=0, le=1)

    @property
    def uses_signals(self) -> bool:
        """Whether any logistics or identity signal has a weight."""
        return (
            self.weight_light + self.weight_fast + self.weight_receiver + self.weight_lockstep
        ) > 0

    @classmethod
    def orders_only(cls, **changes: object) -> RingParams:
        """Parameters with every signal weight at zero: FRAUDAR on the order matrix alone."""
        zero = {"weight_light": 0.0, "weight_fast": 0.0, "weight_receiver": 0.0}
        return cls.model_validate({**zero, "weight_lockstep": 0.0, **changes})


DEFAULT_PARAMS = RingParams()
"""The defaults, as one shared immutable instance."""


@dataclass(frozen=True)
class Ring:
    """A suspected brushing ring.

    ``accounts`` are the member accounts, ``stores`` the stores they boost, ``score`` is in
    ``[0, 1]``, ``reasons`` are readable sentences with the counts behind them and ``evidence``
    the order rows between members and ring stores.
    """

    accounts: IntArray
    stores: IntArray
    score: float
    reasons: tuple[str, ...]
    evidence: IntArray


@dataclass(frozen=True)
class Tells:
    """Per-order tells and the suspicion they add up to (``partners``: lockstep pairs)."""

    light: BoolArray
    fast: BoolArray
    receiver: BoolArray
    lockstep: BoolArray
    suspicion: FloatArray
    partners: sparse.csr_matrix | None


def order_suspicion(orders: OrderTable, params: RingParams = DEFAULT_PARAMS) -> FloatArray:
    """Per-order suspicion in ``[0, 1]``: the weighted share of tells the order shows.

    Parameters
    ----------
    orders : OrderTable
    params : RingParams
        Thresholds and weights of the four tells.

    Returns
    -------
    numpy.ndarray
        One value per order; all zeros when every weight is zero.

    Raises
    ------
    InvalidInput
        If the thresholds are refused by the signal functions.

    Examples
    --------
    >>> from algorithms.brushing.signals import _example
    >>> order_suspicion(_example()).round(2).tolist()
    [0.5, 0.0, 0.0]
    """
    return _tells(orders, params).suspicion


def order_tells(orders: OrderTable, params: RingParams = DEFAULT_PARAMS) -> Tells:
    """The four per-order tells of :func:`order_suspicion`, and the suspicion itself."""
    return _tells(orders, params)


def find_rings(
    orders: OrderTable, params: RingParams = DEFAULT_PARAMS, *, tells: Tells | None = None
) -> list[Ring]:
    """Find brushing rings: dense account x store blocks, weighted and vetted by logistics.

    See the module docstring for the design.

    Parameters
    ----------
    orders : OrderTable
        The orders to search.
    params : RingParams
        Thresholds, number of blocks and signal weights; ``RingParams.orders_only()`` switches
        the signals off.
    tells : Tells, optional
        The tells of :func:`order_tells` for the same orders and parameters, when the caller
        already has them (they are the costly part).

    Returns
    -------
    list of Ring
        Rings by decreasing score; empty when nothing dense enough is found.

    Raises
    ------
    InvalidInput
        If the order table is inconsistent or a threshold is refused.

    Examples
    --------
    >>> from ingest.generate.market import MarketSpec, make_market
    >>> market = make_market(MarketSpec(n_orders=5_000, n_rings=1))
    >>> ring = find_rings(market.orders)[0]
    >>> bool(np.isin(market.rings[0].accounts, ring.accounts).mean() > 0.9)
    True
    """
    tells = tells if tells is not None else _tells(orders, params)
    pair, pair_of_order = np.unique(
        orders.account * orders.n_stores + orders.store, return_inverse=True
    )
    pair_of_order = pair_of_order.ravel()
    mean_suspicion = np.bincount(pair_of_order, weights=tells.suspicion) / np.bincount(
        pair_of_order
    )
    matrix = sparse.csr_matrix(
        (1.0 + params.boost * mean_suspicion, (pair // orders.n_stores, pair % orders.n_stores)),
        shape=(orders.n_accounts, orders.n_stores),
    )
    rings: list[Ring] = []
    reported = np.zeros(orders.n_accounts, dtype=bool)
    for block in detect_dense_blocks(matrix, params.n_blocks, weighting=params.weighting):
        for rows, cols in _components(matrix, block.rows, block.cols):
            ring = _vet(orders, tells, params, rows, cols)
            # A later block can hold the remains of a ring already reported: skip repeats.
            if ring is not None and reported[ring.accounts].mean() < 0.5:
                reported[ring.accounts] = True
                rings.append(ring)
    return sorted(rings, key=lambda ring: -ring.score)


def _components(
    matrix: sparse.csr_matrix, rows: IntArray, cols: IntArray
) -> list[tuple[IntArray, IntArray]]:
    """Split a block into its connected parts: FRAUDAR often returns several rings as one."""
    sub = sparse.csr_matrix(matrix[rows][:, cols])
    n_rows = rows.size
    inner = sub.tocoo()
    size = n_rows + cols.size
    graph = sparse.csr_matrix(
        (np.ones(inner.nnz), (inner.row, inner.col + n_rows)), shape=(size, size)
    )
    count, label = csgraph.connected_components(graph, directed=False)
    parts = []
    for part in range(count):
        inside = label == part
        part_rows, part_cols = rows[inside[:n_rows]], cols[inside[n_rows:]]
        if part_rows.size and part_cols.size:
            parts.append((part_rows, part_cols))
    return parts


def _tells(orders: OrderTable, params: RingParams) -> Tells:
    n = orders.n_orders
    none = np.zeros(n, dtype=bool)
    if not params.uses_signals:
        return Tells(none, none, none, none, np.zeros(n), None)
    light = light_parcels(orders, params.light_parcel_kg)
    fast = fast_deliveries(orders, params.fast_delivery_hours)
    receiver = receiver_sharing(orders).per_order >= params.shared_receiver_accounts
    found = lockstep(orders, params.lockstep_window_seconds, params.lockstep_min_shared)
    in_step = found.per_order > 0
    weights = np.array(
        [params.weight_light, params.weight_fast, params.weight_receiver, params.weight_lockstep]
    )
    stacked = np.stack([light, fast, receiver, in_step]).astype(np.float64)
    suspicion = weights @ stacked / weights.sum()
    return Tells(light, fast, receiver, in_step, suspicion, found.partners)


def _vet(
    orders: OrderTable, tells: Tells, params: RingParams, rows: IntArray, cols: IntArray
) -> Ring | None:
    """Prune and grow one block, score it and explain it; None when it does not hold up."""
    in_stores = np.zeros(orders.n_stores, dtype=bool)
    in_stores[cols] = True
    to_stores = in_stores[orders.store]
    members = np.zeros(orders.n_accounts, dtype=bool)
    members[rows] = True
    if params.uses_signals:
        totals = np.bincount(orders.account[to_stores], minlength=orders.n_accounts)
        suspicious = np.bincount(
            orders.account[to_stores],
            weights=tells.suspicion[to_stores],
            minlength=orders.n_accounts,
        )
        mean = np.divide(suspicious, totals, out=np.zeros(orders.n_accounts), where=totals > 0)
        members &= mean >= params.prune_below
        tied = _tied_to(orders, tells, members, to_stores)
        members |= tied & (mean >= params.grow_above)
    accounts = np.flatnonzero(members).astype(np.int64)
    if accounts.size < params.min_accounts:
        return None
    evidence = np.flatnonzero(members[orders.account] & to_stores).astype(np.int64)
    if params.uses_signals:
        # A store the members bought from with ordinary-looking orders is camouflage (a
        # popular shop they also use), not a store the ring boosts: drop it and its orders.
        shop = orders.store[evidence]
        totals = np.bincount(shop, minlength=orders.n_stores)
        weight = np.bincount(shop, weights=tells.suspicion[evidence], minlength=orders.n_stores)
        evidence = evidence[(weight >= params.prune_below * np.maximum(totals, 1))[shop]]
        members &= np.bincount(orders.account[evidence], minlength=orders.n_accounts) > 0
        accounts = np.flatnonzero(members).astype(np.int64)
        if accounts.size < params.min_accounts:
            return None
    stores = np.unique(orders.store[evidence]).astype(np.int64)
    traded = np.unique(orders.account[evidence] * orders.n_stores + orders.store[evidence])
    fill = traded.size / (accounts.size * stores.size)
    if fill < params.min_fill:
        return None
    score = fill
    if params.uses_signals:
        score = 0.5 * fill + 0.5 * float(tells.suspicion[evidence].mean())
    reasons = _reasons(orders, tells, params, accounts, stores, evidence, fill)
    return Ring(accounts, stores, float(score), reasons, evidence)


def _tied_to(
    orders: OrderTable, tells: Tells, members: BoolArray, to_stores: BoolArray
) -> BoolArray:
    """Accounts that share a receiver with a member or are a member's lockstep partner."""
    tied = np.zeros(orders.n_accounts, dtype=bool)
    if tells.partners is not None:
        tied |= np.asarray(tells.partners @ members.astype(np.int64)).ravel() > 0
    for key in (orders.address, orders.phone):
        member_keys = np.unique(key[members[orders.account] & (key >= 0)])
        shares = np.isin(key, member_keys) & to_stores & (key >= 0)
        tied[orders.account[shares]] = True
    return tied


def _reasons(
    orders: OrderTable,
    tells: Tells,
    params: RingParams,
    accounts: IntArray,
    stores: IntArray,
    evidence: IntArray,
    fill: float,
) -> tuple[str, ...]:
    possible = accounts.size * stores.size
    traded = round(fill * possible)
    reasons = [
        f"{accounts.size} accounts and {stores.size} stores trade densely: {traded:,} of the "
        f"{possible:,} possible account-store pairs ({fill:.0%}) have orders"
    ]
    if not params.uses_signals:
        return tuple(reasons)
    in_step = np.unique(orders.account[evidence[tells.lockstep[evidence]]])
    if in_step.size:
        minutes = params.lockstep_window_seconds / 60
        step_stores = np.unique(orders.store[evidence[tells.lockstep[evidence]]])
        reasons.append(
            f"{in_step.size} accounts placed orders in step: at {step_stores.size} stores, "
            f"two or more of them ordered within the same {minutes:g}-minute window"
        )
    weighed = evidence[np.isfinite(orders.weight_kg[evidence])]
    if weighed.size and tells.light[weighed].any():
        share = float(tells.light[weighed].mean())
        grams = params.light_parcel_kg * 1000
        reasons.append(f"{share:.0%} of their parcels weighed under {grams:g} g")
    if tells.fast[evidence].any():
        share = float(tells.fast[evidence].mean())
        reasons.append(
            f"{share:.0%} of their waybills were delivered within "
            f"{params.fast_delivery_hours:g} hours of shipping"
        )
    for key, noun in ((orders.address, "receiver addresses"), (orders.phone, "receiver phones")):
        known = evidence[key[evidence] >= 0]
        pairs, _ = unique_pairs(key[known], orders.account[known])
        values, users = np.unique(pairs[0], return_counts=True)
        shared = values[users >= 2]
        if shared.size:
            sharers = np.unique(pairs[1][np.isin(pairs[0], shared)])
            reasons.append(f"shipped to {shared.size} {noun} shared by {sharers.size} accounts")
    return tuple(reasons)
