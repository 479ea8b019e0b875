"""Online stores: platform, operator (business or person), opening date, status,
ship-from address and phone; the stores of repeat infringers, closed stores reopened under a new
name (same operator, or a new business with the same legal representative), and which stores
sell counterfeits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.generate.columns import IntArr, array, concat, iso_dates, numstr, strings, take, where
from ingest.generate.context import Gen
from ingest.generate.registry import Businesses, People
from ingest.generate.vocab import (
    PLATFORM_LAUNCH,
    PLATFORM_SERVICE_PHONES,
    PLATFORM_WEIGHT,
    PLATFORMS,
    TRADE,
    day_of,
)

__all__ = [
    "MAX_OPERATOR_STORES",
    "Stores",
    "capped_shares",
    "make_stores",
    "store_columns",
    "stores_by_operator",
]


_STORE_SUFFIX: dict[str, tuple[str, ...]] = {
    "taobao": ("小铺", "的店", "精品店", "家居馆", "百货", "优选"),
    "tmall": ("旗舰店", "官方旗舰店", "专卖店", "专营店"),
    "jd": ("旗舰店", "官方旗舰店", "专营店", "京东自营专区"),
    "pinduoduo": ("百货", "专营店", "优品", "工厂店", "好物"),
    "douyin": ("的小店", "官方店", "直播间", "好物"),
}


#: A cap on an operator's expected stores, as a share of all stores drawn. The operator
#: weights are heavy-tailed with an infinite mean, so uncapped the largest operator keeps a
#: constant share of all stores as the market grows (one of 117,482 stores at 1M
#: businesses), which no registry shows. About 60% of stores have a business operator, so
#: the largest run about 1,100-1,200 (1,110 at 20k businesses, 1,156 at 1M): chain-retailer
#: sizes, and below the 1,500-store hub the listing bench adds.
MAX_OPERATOR_STORES = 1_500


def capped_shares(weights: np.ndarray[Any, np.dtype[np.float64]], cap: float) -> Any:
    """``weights`` as shares summing to 1, none above ``cap``: the largest are cut to the cap
    and the rest scaled up in proportion (unchanged when the cap cannot hold them all)."""
    shares = weights / weights.sum()
    if cap * len(shares) <= 1.0 or shares.max() <= cap:
        return shares
    order = np.argsort(shares)[::-1]
    ranked = shares[order]
    k = np.arange(len(ranked))
    tails = ranked[::-1].cumsum()[::-1]  # sum of ranked[k:]
    fits = ranked * (1.0 - k * cap) <= cap * tails
    capped = int(np.argmax(fits))  # how many are cut to the cap
    scale = (1.0 - capped * cap) / tails[capped]
    out = shares * scale
    out[order[:capped]] = cap
    return out


@dataclass
class Stores:
    """Stores as aligned arrays (indices into platforms, businesses or people)."""

    platform: IntArr
    op_type: IntArr  # 0 business, 1 person
    operator: IntArr
    opened: IntArr
    status: IntArr  # 0 open 1 closed 2 suspended
    t1: IntArr
    t2: IntArr
    suffix: IntArr
    region: pa.Array
    ship_from: pa.Array
    phone: pa.Array
    ids: pa.Array = field(default_factory=lambda: strings([]))


def make_stores(
    g: Gen, biz: Businesses, people: People, rep: IntArr
) -> tuple[Stores, dict[str, Any]]:
    """Stores, repeat infringers' stores and reopened stores; returns them and what was planted."""
    rng, nd = g.rng, biz.domestic
    s0 = max(20, round(0.6 * g.n))
    platform = rng.choice(len(PLATFORMS), size=s0, p=PLATFORM_WEIGHT).astype(np.int64)
    business_only = (platform == 1) | (platform == 2)
    op_type = np.where(business_only | (rng.random(s0) < 0.6), 0, 1).astype(np.int64)
    eligible = np.flatnonzero(
        (biz.status[:nd] <= 1)
        & ((biz.cluster_of[:nd] < 0) | (rng.random(nd) < 0.03))
        & (biz.est[:nd] < day_of("2024-06-01"))
    )
    ew = capped_shares((rng.pareto(1.2, len(eligible)) + 1.0) ** 1.5, MAX_OPERATOR_STORES / s0)
    operator = np.where(
        op_type == 0,
        rng.choice(eligible, size=s0, p=ew),
        people.ordinary[rng.integers(0, len(people.ordinary), s0)],
    )

    def opened_for(plat: IntArr, otype: IntArr, op: IntArr) -> IntArr:
        launch = np.array([day_of(f"{y}-01-01") for y in PLATFORM_LAUNCH])[plat]
        low = np.maximum(launch, np.where(otype == 0, biz.est[np.where(otype == 0, op, 0)], 0))
        low = np.maximum(low, day_of("2008-01-01"))
        high = day_of("2024-12-31")
        out: IntArr = np.minimum(
            low + (rng.random(len(plat)) ** 0.7 * np.maximum(high - low, 1)), high
        ).astype(np.int64)
        return out

    opened = opened_for(platform, op_type, operator)
    status = rng.choice(3, size=s0, p=[0.85, 0.1, 0.05]).astype(np.int64)
    suffix = rng.integers(0, 4, s0)
    t1, t2 = g.trade_names(s0)
    from_biz = (op_type == 0) & (rng.random(s0) < 0.6)
    t1 = np.where(from_biz, biz.t1[np.where(op_type == 0, operator, 0)], t1)
    t2 = np.where(from_biz, biz.t2[np.where(op_type == 0, operator, 0)], t2)

    def place(otype: IntArr, op: IntArr) -> tuple[IntArr, pa.Array, pa.Array, pa.Array]:
        k = len(op)
        bidx = np.where(otype == 0, op, 0)
        pidx = np.where(otype == 1, op, 0)
        county = np.where(otype == 0, biz.county[bidx], people.county[pidx])
        county = np.where(county < 0, 0, county)
        own = g.office_addresses(county) if k else strings([])
        ship = where((otype == 0) & (rng.random(k) < 0.7), take(biz.address, bidx), own)
        ship = pc.coalesce(ship, own)
        ph = g.phones(k, county, 0.2)
        ph = where(otype == 0, pc.coalesce(take(biz.phone, bidx), ph), ph)
        ph = where(otype == 1, pc.coalesce(take(people.phone, pidx), ph), ph)
        service = rng.random(k) < 0.08 + 0.05 * g.noise
        ph = where(
            ~service,
            ph,
            take(
                strings(PLATFORM_SERVICE_PHONES), rng.integers(0, len(PLATFORM_SERVICE_PHONES), k)
            ),
        )
        return county, take(g.county_code, county), ship, ph

    _, region, ship, phone = place(op_type, operator)
    st = Stores(platform, op_type, operator, opened, status, t1, t2, suffix, region, ship, phone)

    # repeat infringers: operators that run 2-4 counterfeit stores -------------------------------
    n_rep = max(2, round(0.003 * s0))
    r_type = (rng.random(n_rep) < 0.5).astype(np.int64)
    r_op = np.where(
        r_type == 0,
        rng.choice(eligible, size=n_rep),
        people.ordinary[rng.integers(0, len(people.ordinary), n_rep)],
    )
    cnt = rng.integers(2, 5, n_rep)
    a_type = np.repeat(r_type, cnt)
    a_op = np.repeat(r_op, cnt)
    a_plat = np.where(
        a_type == 0,
        rng.choice(len(PLATFORMS), size=len(a_op), p=PLATFORM_WEIGHT),
        np.array([0, 3, 4])[rng.integers(0, 3, len(a_op))],
    )
    n_s0 = s0
    _append_stores(
        g,
        st,
        a_plat,
        a_type,
        a_op,
        opened_for(a_plat, a_type, a_op),
        rng.choice(3, size=len(a_op), p=[0.5, 0.3, 0.2]),
        place,
    )
    repeat_new = np.arange(n_s0, n_s0 + len(a_op))

    # reopened: a closed store comes back under a new name, same operator or same legal rep ----
    closed = np.flatnonzero(st.status[:n_s0] == 1)
    n_re = min(len(closed), max(2, round(0.015 * s0)))
    old = rng.choice(closed, size=n_re, replace=False) if n_re else closed[:0]
    o_type = st.op_type[old]
    via_rep = (o_type == 0) & (rng.random(n_re) < 0.25)
    new_op = st.operator[old].copy()
    fresh = rng.choice(eligible, size=int(via_rep.sum()))
    new_op[via_rep] = fresh
    rep[fresh] = rep[st.operator[old[via_rep]]]
    via_rep &= new_op != st.operator[old]
    new_plat = st.platform[old].copy()
    switch = rng.random(n_re) < 0.3
    alt = np.where(
        o_type == 0, rng.integers(0, 5, n_re), np.array([0, 3, 4])[rng.integers(0, 3, n_re)]
    )
    new_plat[switch] = alt[switch]
    new_open = np.minimum(st.opened[old] + rng.integers(60, 900, n_re), day_of("2025-03-31"))
    base = len(st.platform)
    _append_stores(g, st, new_plat, o_type, new_op, new_open, np.zeros(n_re, dtype=np.int64), place)
    new = np.arange(base, base + n_re)
    # a new name: never the old trade name again
    same_name = (st.t1[new] == st.t1[old]) & (st.t2[new] == st.t2[old])
    st.t1[new[same_name]] = (st.t1[old[same_name]] + 1) % len(TRADE)
    ship_np = st.ship_from.to_numpy(zero_copy_only=False).astype(object)
    phone_np = st.phone.to_numpy(zero_copy_only=False).astype(object)
    same_ship = rng.random(n_re)
    ship_np[new[same_ship < 0.6]] = ship_np[old[same_ship < 0.6]]
    for o, nw in zip(
        old[(same_ship >= 0.6) & (same_ship < 0.8)],
        new[(same_ship >= 0.6) & (same_ship < 0.8)],
        strict=True,
    ):
        ship_np[nw] = g.add_variant(str(ship_np[o]))
    same_phone = rng.random(n_re) < 0.7
    phone_np[new[same_phone]] = phone_np[old[same_phone]]
    st.ship_from = array(ship_np, type=pa.string())
    st.phone = array(phone_np, type=pa.string())
    # a few ship-from addresses written another way than the operator's registered address
    total = len(st.platform)
    var_rows = np.flatnonzero(rng.random(total) < 0.02)
    st.ship_from = g.variant_column(st.ship_from, var_rows)

    # store ids -----------------------------------------------------------------------------
    shop = g.serials.take(total) % 10**9 + 10**8
    st.ids = concat(take(strings(PLATFORMS), st.platform), ":", numstr(shop))

    # counterfeits ------------------------------------------------------------------------------
    single = rng.choice(n_s0, size=min(n_s0, max(3, round(0.01 * s0))), replace=False)
    cf_reopen = rng.random(n_re) < 0.3
    cf_stores = np.unique(np.concatenate([repeat_new, single, old[cf_reopen], new[cf_reopen]]))
    info = {
        "reopened": (old, new, via_rep),
        "counterfeit": cf_stores,
        "cf_pairs": (old[cf_reopen], new[cf_reopen]),
        "repeat_groups": np.repeat(np.arange(n_rep), cnt),
        "repeat_new": repeat_new,
    }
    susp = cf_stores[rng.random(len(cf_stores)) < 0.3]
    st.status[susp] = 2
    return st, info


def _append_stores(
    g: Gen,
    st: Stores,
    plat: IntArr,
    otype: IntArr,
    op: IntArr,
    opened: IntArr,
    status: IntArr,
    place: Callable[[IntArr, IntArr], tuple[IntArr, pa.Array, pa.Array, pa.Array]],
) -> None:
    """Append stores with fresh names, places and phones."""
    k = len(op)
    t1, t2 = g.trade_names(k)
    _, region, ship, phone = place(otype, op)
    st.platform = np.concatenate([st.platform, plat])
    st.op_type = np.concatenate([st.op_type, otype])
    st.operator = np.concatenate([st.operator, op])
    st.opened = np.concatenate([st.opened, opened])
    st.status = np.concatenate([st.status, status])
    st.t1 = np.concatenate([st.t1, t1])
    st.t2 = np.concatenate([st.t2, t2])
    st.suffix = np.concatenate([st.suffix, g.rng.integers(0, 4, k)])
    st.region = pa.concat_arrays([st.region, region])
    st.ship_from = pa.concat_arrays([st.ship_from, ship])
    st.phone = pa.concat_arrays([st.phone, phone])


def store_columns(g: Gen, st: Stores, biz: Businesses, people: People) -> dict[str, pa.Array]:
    """The ``stores`` file's columns."""
    suffix_idx = st.platform * 4 + st.suffix
    suffixes = strings(
        [_STORE_SUFFIX[p][i % len(_STORE_SUFFIX[p])] for p in PLATFORMS for i in range(4)]
    )
    name = concat(g.trade_str(st.t1, st.t2), take(suffixes, suffix_idx))
    op_id = where(
        st.op_type == 0,
        take(biz.ids, np.where(st.op_type == 0, st.operator, 0)),
        take(people.ids, np.where(st.op_type == 1, st.operator, 0)),
    )
    return {
        "store_id": st.ids,
        "name": name,
        "operator_type": take(strings(["business", "person"]), st.op_type),
        "operator_id": op_id,
        "opened": iso_dates(st.opened),
        "status": take(strings(["open", "closed", "suspended"]), st.status),
        "region": st.region,
        "ship_from_address": st.ship_from,
        "phone": st.phone,
    }


def stores_by_operator(st: Stores, idx: IntArr) -> dict[tuple[int, int], list[int]]:
    """The given stores grouped by (operator type, operator), in the given order."""
    by_op: dict[tuple[int, int], list[int]] = {}
    for s in idx.tolist():
        by_op.setdefault((int(st.op_type[s]), int(st.operator[s])), []).append(s)
    return by_op
