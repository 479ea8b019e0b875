"""In-memory markets with planted brushing rings, for the ring detector's tests and benchmarks.

Background orders follow a heavy-tailed store popularity (Zipf) and account activity, with
ordinary parcels (about a kilogram), ordinary transit times and the account's own receiver.
A planted ring is a set of new accounts that order from a few small stores with a given density,
in bursts (the organiser posts a task, members fill it within minutes), and ship empty parcels
with faked waybills to a few shared receivers.  Camouflage adds honest-looking orders from ring
accounts: to random stores, or to stores picked in proportion to their popularity (the harder
case for plain average degree).  Decoys are honest dense groups (a workplace ordering lunch from
the same shops): as dense as a ring in the order matrix, but with ordinary logistics.

Written for this project rather than taken from the FRAUDAR package, whose injector does not
run on Python 3.11. Unlike :func:`ingest.generate.generate` it writes no files: it returns the
orders as the detector's :class:`~algorithms.brushing.signals.OrderTable` (accounts, stores,
addresses and phones as numbers) and, through :func:`market_graph`, as graph rows to upsert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from graph.errors import InvalidInput
from graph.model import OrderTable
from ingest.generate.columns import IntArr, probabilities
from ingest.generate.vocab import DAY, HOUR

__all__ = [
    "MarketGraph",
    "MarketSpec",
    "PlantedGroup",
    "SyntheticMarket",
    "make_market",
    "market_graph",
]


@dataclass(frozen=True)
class PlantedGroup:
    """Accounts and stores of one planted ring or decoy."""

    accounts: IntArr
    stores: IntArr


@dataclass(frozen=True)
class MarketSpec:
    """What to generate; the defaults give a small market with three clean rings."""

    n_orders: int = 50_000
    n_rings: int = 3
    ring_accounts: int = 30
    ring_stores: int = 8
    ring_density: float = 0.8
    camouflage: Literal["none", "random", "biased"] = "none"
    camouflage_ratio: float = 1.0
    ring_logistics: float = 0.85
    n_decoys: int = 0
    decoy_accounts: int = 30
    decoy_stores: int = 8
    decoy_density: float = 0.8
    days: int = 30
    seed: int = 0


@dataclass(frozen=True)
class SyntheticMarket:
    """Generated orders and the groups planted in them."""

    orders: OrderTable
    rings: tuple[PlantedGroup, ...]
    decoys: tuple[PlantedGroup, ...] = field(default=())

    @property
    def ring_accounts(self) -> IntArr:
        """All planted ring accounts."""
        return _union([ring.accounts for ring in self.rings])

    @property
    def ring_stores(self) -> IntArr:
        """All stores boosted by planted rings."""
        return _union([ring.stores for ring in self.rings])


def make_market(spec: MarketSpec = MarketSpec()) -> SyntheticMarket:
    """Generate a market with planted rings, camouflage and decoys.

    Parameters
    ----------
    spec : MarketSpec
        Sizes, densities, camouflage kind and seed.

    Returns
    -------
    SyntheticMarket
        The orders plus the planted rings and decoys.

    Raises
    ------
    InvalidInput
        If a density or share is outside ``(0, 1]`` or a size is not positive.

    Examples
    --------
    >>> market = make_market(MarketSpec(n_orders=2_000, n_rings=1, ring_accounts=10))
    >>> market.rings[0].accounts.size, market.orders.n_orders > 2_000
    (10, True)
    """
    for name in ("ring_density", "decoy_density", "ring_logistics"):
        value = getattr(spec, name)
        if not 0 < value <= 1:
            raise InvalidInput(f"must be in (0, 1], got {value}", field=name)
    if spec.n_orders < 1 or spec.ring_accounts < 1 or spec.ring_stores < 1 or spec.days < 1:
        raise InvalidInput("sizes must be positive")
    rng = np.random.default_rng(spec.seed)
    n_background_accounts = max(10, spec.n_orders // 5)
    n_stores = max(20, spec.n_orders // 50)
    popularity = probabilities(1.0 / np.arange(1, n_stores + 1) ** 1.1)
    activity = probabilities(rng.lognormal(0.0, 0.6, n_background_accounts))
    parts: list[dict[str, IntArr | npt.NDArray[np.float64]]] = []
    parts.append(
        _honest(
            rng,
            rng.choice(n_background_accounts, spec.n_orders, p=activity),
            rng.choice(n_stores, spec.n_orders, p=popularity),
            spec.days,
        )
    )
    next_account = n_background_accounts
    # Rings and decoys boost small stores: the less popular half.
    small = np.arange(n_stores // 2, n_stores)
    rings: list[PlantedGroup] = []
    for _ in range(spec.n_rings):
        accounts = np.arange(next_account, next_account + spec.ring_accounts, dtype=np.int64)
        next_account += spec.ring_accounts
        stores = np.sort(rng.choice(small, spec.ring_stores, replace=False)).astype(np.int64)
        rings.append(PlantedGroup(accounts, stores))
        ring_orders = _ring(rng, accounts, stores, spec)
        parts.append(ring_orders)
        if spec.camouflage != "none":
            per_account = np.bincount(ring_orders["account"] - accounts[0], minlength=accounts.size)
            counts = rng.poisson(per_account * spec.camouflage_ratio)
            camo_accounts = np.repeat(accounts, counts)
            camo_stores = (
                rng.integers(0, n_stores, camo_accounts.size)
                if spec.camouflage == "random"
                else rng.choice(n_stores, camo_accounts.size, p=popularity)
            )
            parts.append(_honest(rng, camo_accounts, camo_stores, spec.days))
    decoys: list[PlantedGroup] = []
    for _ in range(spec.n_decoys):
        accounts = np.arange(next_account, next_account + spec.decoy_accounts, dtype=np.int64)
        next_account += spec.decoy_accounts
        stores = np.sort(rng.choice(small, spec.decoy_stores, replace=False)).astype(np.int64)
        decoys.append(PlantedGroup(accounts, stores))
        member, shop = _block(rng, accounts, stores, spec.decoy_density)
        parts.append(_honest(rng, member, shop, spec.days))
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    orders = OrderTable(
        account=columns["account"].astype(np.int64),
        store=columns["store"].astype(np.int64),
        placed=columns["placed"].astype(np.int64),
        weight_kg=columns["weight_kg"].astype(np.float64),
        shipped=columns["shipped"].astype(np.int64),
        delivered=columns["delivered"].astype(np.int64),
        address=columns["address"].astype(np.int64),
        phone=columns["phone"].astype(np.int64),
        n_accounts=next_account,
        n_stores=n_stores,
    )
    return SyntheticMarket(orders=orders, rings=tuple(rings), decoys=tuple(decoys))


def _honest(
    rng: np.random.Generator, account: IntArr, store: IntArr, days: int
) -> dict[str, IntArr | npt.NDArray[np.float64]]:
    """Ordinary orders: real parcels, ordinary transit, the account's own receiver."""
    n = account.size
    placed = rng.integers(0, days * DAY, n)
    shipped = placed + rng.integers(2 * HOUR, 48 * HOUR, n)
    transit = rng.integers(20 * HOUR, 96 * HOUR, n)
    same_city = rng.random(n) < 0.03  # genuine same-city couriers are fast too
    transit[same_city] = rng.integers(2 * HOUR, 8 * HOUR, int(same_city.sum()))
    weight = rng.lognormal(0.0, 0.8, n)
    documents = rng.random(n) < 0.02  # vouchers and documents weigh almost nothing
    weight[documents] = rng.uniform(0.01, 0.06, int(documents.sum()))
    weight[rng.random(n) < 0.05] = np.nan
    # A household shares an address: accounts 2k and 2k+1 do one time in ten.
    household = (account // 2) % 10 == 0
    address = np.where(household, account // 2 * 2, account)
    return {
        "account": account,
        "store": store,
        "placed": placed,
        "weight_kg": weight,
        "shipped": shipped,
        "delivered": shipped + transit,
        "address": address,
        "phone": account.copy(),
    }


def _block(
    rng: np.random.Generator, accounts: IntArr, stores: IntArr, density: float
) -> tuple[IntArr, IntArr]:
    """Each (account, store) pair with probability ``density``; every account keeps one."""
    hit = rng.random((accounts.size, stores.size)) < density
    hit[np.arange(accounts.size), rng.integers(0, stores.size, accounts.size)] = True
    rows, cols = np.nonzero(hit)
    return accounts[rows], stores[cols]


def _ring(
    rng: np.random.Generator, accounts: IntArr, stores: IntArr, spec: MarketSpec
) -> dict[str, IntArr | npt.NDArray[np.float64]]:
    """Brushing orders: bursts per store task, empty parcels, fake waybills, shared receivers."""
    member, shop = _block(rng, accounts, stores, spec.ring_density)
    n = member.size
    # Each store posts three tasks; members fill one within eight minutes of its posting.
    tasks = rng.integers(0, spec.days * DAY, (stores.size, 3))
    slot = np.searchsorted(stores, shop)
    placed = tasks[slot, rng.integers(0, 3, n)] + rng.integers(0, 8 * 60, n)
    orders = _honest(rng, member, shop, spec.days)
    orders["placed"] = placed
    orders["shipped"] = placed + rng.integers(1 * HOUR, 12 * HOUR, n)
    transit = rng.integers(20 * HOUR, 96 * HOUR, n)
    tell = rng.random((3, n)) < spec.ring_logistics
    transit[tell[0]] = rng.integers(10 * 60, 4 * HOUR, int(tell[0].sum()))
    orders["delivered"] = orders["shipped"] + transit
    weight = np.asarray(orders["weight_kg"], dtype=np.float64)
    weight[tell[1]] = rng.uniform(0.002, 0.04, int(tell[1].sum()))
    orders["weight_kg"] = weight
    # A handful of drop addresses and phones, numbered above any account number.
    base = 10_000_000 + int(accounts[0]) * 10
    pool = max(2, accounts.size // 10)
    orders["address"] = np.where(
        tell[2], base + rng.integers(0, pool, n), np.asarray(orders["address"])
    )
    orders["phone"] = np.where(
        tell[2], base + rng.integers(0, pool, n), np.asarray(orders["phone"])
    )
    return orders


def _union(parts: list[IntArr]) -> IntArr:
    if not parts:
        return np.zeros(0, dtype=np.int64)
    merged: IntArr = np.unique(np.concatenate(parts)).astype(np.int64)
    return merged


@dataclass(frozen=True)
class MarketGraph:
    """A market as graph rows ready for ``upsert_nodes`` / ``upsert_relationships``.

    ``nodes`` maps a label to its rows; ``rels`` maps ``(type, src label, dst label)`` to its
    rows.  ``account_uids[i]`` and ``store_uids[j]`` name account ``i`` and store ``j``.
    """

    nodes: dict[str, list[dict[str, Any]]]
    rels: dict[tuple[str, str, str], list[dict[str, Any]]]
    account_uids: list[str]
    store_uids: list[str]


def market_graph(
    market: SyntheticMarket, platform: str = "tb", start: datetime = datetime(2024, 3, 1)
) -> MarketGraph:
    """The market as Account, Store, Order, Waybill, Address and Phone rows and their edges.

    Times are ``start`` plus the market's seconds; every order has a waybill (weight and
    times as generated, unknown ones left out) delivered to its address and phone.

    Examples
    --------
    >>> graph = market_graph(make_market(MarketSpec(n_orders=100, n_rings=1)))
    >>> len(graph.nodes["Order"]) == len(graph.rels[("PLACED", "Account", "Order")])
    True
    """
    t = market.orders

    def moment(seconds: int) -> datetime | None:
        return None if seconds < 0 else start + timedelta(seconds=int(seconds))

    accounts = [f"account:{platform}:a{i:06d}" for i in range(t.n_accounts)]
    stores = [f"store:{platform}:s{j:05d}" for j in range(t.n_stores)]
    nodes: dict[str, list[dict[str, Any]]] = {
        "Account": [
            {"uid": uid, "platform": platform, "account_id": uid.rsplit(":", 1)[1]}
            for uid in accounts
        ],
        "Store": [
            {
                "uid": uid,
                "platform": platform,
                "shop_id": uid.rsplit(":", 1)[1],
                "name": f"店铺{j:05d}",
            }
            for j, uid in enumerate(stores)
        ],
        "Order": [],
        "Waybill": [],
        "Address": [
            {"uid": f"addr:m{a}", "text": f"浙江省杭州市某路{a}号"}
            for a in np.unique(t.address[t.address >= 0]).tolist()
        ],
        "Phone": [
            {"uid": f"phone:m{p}", "number": f"1{p:010d}"}
            for p in np.unique(t.phone[t.phone >= 0]).tolist()
        ],
    }
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = {
        key: []
        for key in (
            ("PLACED", "Account", "Order"),
            ("AT_STORE", "Order", "Store"),
            ("SHIPPED_BY", "Order", "Waybill"),
            ("DELIVERED_TO", "Waybill", "Address"),
            ("HAS_PHONE", "Waybill", "Phone"),
        )
    }
    for k in range(t.n_orders):
        order, waybill = f"order:{platform}:o{k:07d}", f"waybill:sf:w{k:07d}"
        weight = float(t.weight_kg[k])
        nodes["Order"].append(
            {
                "uid": order,
                "platform": platform,
                "order_id": f"o{k:07d}",
                "placed": moment(int(t.placed[k])),
                "amount": 10.0,
            }
        )
        nodes["Waybill"].append(
            {
                "uid": waybill,
                "carrier": "sf",
                "waybill_no": f"w{k:07d}",
                "weight_kg": None if np.isnan(weight) else weight,
                "shipped": moment(int(t.shipped[k])),
                "delivered": moment(int(t.delivered[k])),
            }
        )
        rels[("PLACED", "Account", "Order")].append(
            {"rid": f"placed:{k}", "src": accounts[int(t.account[k])], "dst": order}
        )
        rels[("AT_STORE", "Order", "Store")].append(
            {"rid": f"at_store:{k}", "src": order, "dst": stores[int(t.store[k])]}
        )
        rels[("SHIPPED_BY", "Order", "Waybill")].append(
            {"rid": f"shipped_by:{k}", "src": order, "dst": waybill}
        )
        if t.address[k] >= 0:
            rels[("DELIVERED_TO", "Waybill", "Address")].append(
                {"rid": f"delivered_to:{k}", "src": waybill, "dst": f"addr:m{int(t.address[k])}"}
            )
        if t.phone[k] >= 0:
            rels[("HAS_PHONE", "Waybill", "Phone")].append(
                {"rid": f"waybill_phone:{k}", "src": waybill, "dst": f"phone:m{int(t.phone[k])}"}
            )
    return MarketGraph(nodes, rels, accounts, stores)
