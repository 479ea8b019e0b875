"""Accounts, waybills and orders, with planted brushing rings (刷单团伙).

Ordinary orders follow store popularity and account activity. A ring is a batch of fake
accounts registered shortly before its first wave; each wave orders from a few boosted
low-popularity stores within a window, mostly with empty parcels to a few drop addresses, and
camouflage orders go to random or popular stores (:class:`BrushingParams`). Orders and
waybills are written in chunks of a million rows, ordered by time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from ingest.generate.columns import (
    IntArr,
    array,
    concat,
    floats,
    iso_dates,
    iso_times,
    numstr,
    probabilities,
    str_list,
    strings,
    take,
    where,
)
from ingest.generate.context import Gen
from ingest.generate.output import Output, table
from ingest.generate.stores import Stores
from ingest.generate.vocab import (
    ACCOUNT_PLATFORMS,
    ACCOUNT_PREFIX,
    BUYER_PLATFORM,
    CARRIER_WEIGHT,
    CARRIERS,
    DAY,
    HOUR,
    ORDER_END,
    ORDER_START,
    PLATFORM_WEIGHT,
    PLATFORMS,
    day_of,
)

__all__ = [
    "make_commerce",
]


_CHUNK = 1_000_000  # rows of orders/waybills built and written at a time


def make_commerce(g: Gen, st: Stores, out: Output) -> tuple[list[dict[str, Any]], IntArr]:
    """Write accounts, waybills and orders; return the planted rings and the boosted stores."""
    rng, n = g.rng, g.n
    bp_params = g.brushing
    n_acc = 2 * n
    acc_plat = rng.choice(4, size=n_acc, p=probabilities([0.45, 0.18, 0.22, 0.15])).astype(np.int64)
    acc_created = rng.integers(day_of("2010-01-01"), day_of("2024-12-31"), n_acc)
    launch = np.array(
        [day_of("2003-05-10"), day_of("2004-01-01"), day_of("2015-09-01"), day_of("2018-01-01")]
    )
    acc_created = np.maximum(acc_created, launch[acc_plat] + rng.integers(0, 700, n_acc))
    acc_county = g.counties(n_acc)
    n_homes = max(10, int(0.8 * n_acc))
    homes = g.home_addresses(acc_county[:n_homes])
    acc_home = np.concatenate([np.arange(n_homes), rng.integers(0, n_homes, n_acc - n_homes)])
    acc_phone = g.phones(n_acc)
    acc_has_phone = rng.random(n_acc) < 0.85

    store_buyer = np.array([ACCOUNT_PLATFORMS.index(BUYER_PLATFORM[p]) for p in range(5)])[
        st.platform
    ]
    n_st = len(st.platform)
    pop = 1.0 / (rng.permutation(n_st) + 1.0) ** 1.1
    pop = pop * np.where(st.status == 0, 1.0, 0.3)
    act = rng.lognormal(0.0, 1.0, n_acc)

    n_ord = 10 * n
    o_acc_l: list[IntArr] = []
    o_st_l: list[IntArr] = []
    for bpi in range(4):
        accs = np.flatnonzero(acc_plat == bpi)
        sts = np.flatnonzero(store_buyer == bpi)
        if not len(accs) or not len(sts):
            continue
        k = round(n_ord * len(accs) / n_acc)
        o_acc_l.append(rng.choice(accs, size=k, p=act[accs] / act[accs].sum()))
        o_st_l.append(rng.choice(sts, size=k, p=pop[sts] / pop[sts].sum()))
    o_acc = np.concatenate(o_acc_l)
    o_st = np.concatenate(o_st_l)
    k = len(o_acc)
    placed = rng.integers(ORDER_START * DAY, ORDER_END * DAY, k)
    floor_ = np.maximum(st.opened[o_st], acc_created[o_acc]) * DAY + rng.integers(HOUR, 40 * DAY, k)
    placed = np.maximum(placed, floor_)
    amount = np.round(rng.lognormal(np.log(80), 1.0, k), 2)
    recv = acc_home[o_acc]
    other = rng.random(k) < 0.1
    recv[other] = rng.integers(0, n_homes, int(other.sum()))
    weight = np.round(np.maximum(rng.lognormal(np.log(0.9), 0.8, k), 0.05), 3)
    light = rng.random(k) < 0.005  # cards, documents: light but genuine
    weight[light] = np.round(rng.uniform(0.01, 0.049, int(light.sum())), 3)
    ship_delay = rng.integers(2 * HOUR, 72 * HOUR, k)
    deliver_delay = rng.integers(18 * HOUR, 5 * DAY, k)
    kind = np.zeros(k, dtype=np.int64)  # 0 normal, 1 ring, 2 camouflage
    # receiver phone: index into [account phones..., ring phones...]; -1 = none
    recv_phone = o_acc.copy()

    # brushing rings ----------------------------------------------------------------------------
    n_rings = bp_params.rings if bp_params.rings is not None else max(2, round(n / 2000))
    max_recv = bp_params.receivers[1]
    ring_addr_l = [str(a) for a in g.home_addresses(g.counties(n_rings * max_recv)).to_pylist()]
    ring_phone_l = [str(p) for p in g.phones(n_rings * max_recv).to_pylist()]
    order_rank = np.argsort(-pop, kind="stable")
    by_plat: dict[int, tuple[IntArr, IntArr]] = {}
    for plat in range(len(PLATFORMS)):
        cand = np.flatnonzero((st.platform == plat) & (st.status == 0))
        low = cand[pop[cand] <= np.quantile(pop[cand], 0.8)] if len(cand) else cand
        by_plat[plat] = (cand, low if len(low) >= bp_params.stores[0] else cand)
    top_by_buyer: dict[int, IntArr] = {}
    all_by_buyer: dict[int, IntArr] = {}
    for bpi in range(len(ACCOUNT_PLATFORMS)):
        plat_st = np.flatnonzero(store_buyer == bpi)
        ranked = order_rank[store_buyer[order_rank] == bpi]
        all_by_buyer[bpi] = plat_st
        top_by_buyer[bpi] = ranked[: max(5, len(plat_st) // 100)]

    rings: list[dict[str, Any]] = []
    boosted_all: list[IntArr] = []
    ring_acc_plat: list[IntArr] = []
    ring_acc_created: list[IntArr] = []
    r_acc_l: list[IntArr] = []
    r_st_l: list[IntArr] = []
    r_t_l: list[IntArr] = []
    r_recv_l: list[IntArr] = []
    r_phone_l: list[IntArr] = []
    r_kind_l: list[IntArr] = []
    extra_homes: list[str] = []
    extra_phones: list[str] = []
    next_acc = n_acc
    for r in range(n_rings):
        plat = int(rng.choice(len(PLATFORMS), p=PLATFORM_WEIGHT))
        bpi = ACCOUNT_PLATFORMS.index(BUYER_PLATFORM[plat])
        cand, low_pop = by_plat[plat]
        if len(cand) < bp_params.stores[0]:
            continue
        ns = int(rng.integers(bp_params.stores[0], bp_params.stores[1] + 1))
        boosted = rng.choice(low_pop, size=min(ns, len(low_pop)), replace=False)
        na = int(rng.integers(bp_params.accounts[0], bp_params.accounts[1] + 1))
        accs = np.arange(next_acc, next_acc + na)
        next_acc += na
        t_first = max(ORDER_START, int(st.opened[boosted].max()) + 7) * DAY
        t0 = int(rng.integers(t_first, max(t_first + DAY, (ORDER_END - 30) * DAY)))
        # fake accounts are registered in one batch shortly before the first wave
        created = t0 // DAY - int(rng.integers(3, 30)) + rng.integers(0, 3, na)
        ring_acc_plat.append(np.full(na, bpi, dtype=np.int64))
        ring_acc_created.append(created)
        nrecv = int(rng.integers(bp_params.receivers[0], max_recv + 1))
        recv_ids: list[int] = []
        for j in range(nrecv):
            addr = ring_addr_l[r * max_recv + j]
            if j and rng.random() < 0.2:  # the same drop address, written another way
                addr = g.add_variant(ring_addr_l[r * max_recv + j - 1])
            extra_homes.append(addr)
            extra_phones.append(ring_phone_l[r * max_recv + j])
            recv_ids.append(len(extra_homes) - 1)
        recv_a = np.array(recv_ids, dtype=np.int64)
        waves = int(rng.integers(bp_params.waves[0], bp_params.waves[1] + 1))
        ring_count = np.zeros(na, dtype=np.int64)
        grid_a = np.repeat(accs, len(boosted))
        grid_s = np.tile(boosted, na)
        start = t0
        for _ in range(waves):
            hit = rng.random(len(grid_a)) < bp_params.density
            m = int(hit.sum())
            slot = recv_a[rng.integers(0, nrecv, m)]
            r_acc_l.append(grid_a[hit])
            r_st_l.append(grid_s[hit])
            r_t_l.append(start + (rng.random(m) * bp_params.window_hours * HOUR).astype(np.int64))
            r_recv_l.append(n_homes + slot)
            r_phone_l.append(-2 - slot)
            r_kind_l.append(np.ones(m, dtype=np.int64))
            ring_count += np.bincount(grid_a[hit] - accs[0], minlength=na)
            start += int(rng.integers(5, 40)) * DAY
        if bp_params.camouflage != "none" and bp_params.camouflage_level > 0:
            ca = np.repeat(accs, rng.poisson(bp_params.camouflage_level * ring_count))
            m = len(ca)
            rnd = all_by_buyer[bpi][rng.integers(0, len(all_by_buyer[bpi]), m)]
            top = top_by_buyer[bpi]
            popular = top[rng.integers(0, len(top), m)]
            if bp_params.camouflage == "random":
                cs = rnd
            elif bp_params.camouflage == "popular":
                cs = popular
            else:
                cs = np.where(rng.random(m) < 0.5, rnd, popular)
            lo = np.maximum(st.opened[cs], created[ca - accs[0]]) * DAY + HOUR
            lo = np.maximum(lo, t0 - 20 * DAY)
            r_acc_l.append(ca)
            r_st_l.append(cs)
            r_t_l.append(lo + (rng.random(m) * 90 * DAY).astype(np.int64))
            r_recv_l.append(rng.integers(0, n_homes, m))
            r_phone_l.append(ca)
            r_kind_l.append(np.full(m, 2, dtype=np.int64))
        boosted_all.append(boosted)
        rings.append({"platform": PLATFORMS[plat], "accounts": accs, "stores": boosted})

    n_fake = next_acc - n_acc
    acc_plat_all = np.concatenate([acc_plat, *ring_acc_plat])
    acc_created_all = np.concatenate([acc_created, *ring_acc_created])
    acc_phone_all = pa.concat_arrays(
        [where(acc_has_phone, acc_phone), where(rng.random(n_fake) < 0.6, g.phones(n_fake))]
    )
    handles = g.serials.take(len(acc_plat_all)) + 10**9
    acc_ids = concat(
        take(strings(ACCOUNT_PLATFORMS), acc_plat_all),
        ":",
        take(strings(ACCOUNT_PREFIX), acc_plat_all),
        numstr(handles),
    )
    all_homes = pa.concat_arrays([homes, strings(extra_homes)])
    phone_tab = pa.concat_arrays([acc_phone_all, strings(extra_phones)])

    if r_acc_l:
        r_acc = np.concatenate(r_acc_l)
        r_kind = np.concatenate(r_kind_l)
        m = len(r_acc)
        ring_order = r_kind == 1
        empty = ring_order & (rng.random(m) < bp_params.empty_parcel)
        rw = np.round(np.maximum(rng.lognormal(np.log(0.9), 0.8, m), 0.05), 3)
        rw[empty] = np.round(rng.uniform(0.005, 0.045, int(empty.sum())), 3)
        o_acc = np.concatenate([o_acc, r_acc])
        o_st = np.concatenate([o_st, *r_st_l])
        placed = np.concatenate([placed, *r_t_l])
        amount = np.concatenate([amount, np.round(rng.lognormal(np.log(60), 0.7, m), 2)])
        recv = np.concatenate([recv, *r_recv_l])
        r_phone = np.concatenate(r_phone_l)
        recv_phone = np.concatenate(
            [recv_phone, np.where(r_phone <= -2, len(acc_plat_all) + (-2 - r_phone), r_phone)]
        )
        weight = np.concatenate([weight, rw])
        ship_delay = np.concatenate(
            [
                ship_delay,
                np.where(
                    ring_order,
                    rng.integers(HOUR // 2, 6 * HOUR, m),
                    rng.integers(2 * HOUR, 72 * HOUR, m),
                ),
            ]
        )
        # empty parcels "arrive" within hours, wherever they go
        deliver_delay = np.concatenate(
            [
                deliver_delay,
                np.where(
                    empty, rng.integers(HOUR, 8 * HOUR, m), rng.integers(18 * HOUR, 5 * DAY, m)
                ),
            ]
        )
        kind = np.concatenate([kind, r_kind])

    accounts = {
        "account_id": acc_ids,
        "created": iso_dates(acc_created_all),
        "phone": acc_phone_all,
    }
    out.emit("accounts", [table("accounts", accounts)])
    del accounts, acc_phone_all, acc_created_all

    # one order of rows for both files: by time; order and waybill numbers grow with time
    k = len(o_acc)
    by_time = np.argsort(placed, kind="stable")
    o_acc = o_acc[by_time].astype(np.int32)
    o_st = o_st[by_time].astype(np.int32)
    placed = placed[by_time]
    amount = amount[by_time]
    recv = recv[by_time].astype(np.int32)
    recv_phone = recv_phone[by_time].astype(np.int32)
    weight = weight[by_time]
    shipped = placed + ship_delay[by_time]
    delivered = shipped + deliver_delay[by_time]
    kind = kind[by_time].astype(np.int8)
    del by_time, ship_delay, deliver_delay
    has_wb = (rng.random(k) < 0.95) | (kind == 1)
    in_transit = (rng.random(k) < 0.02) & (kind == 0)
    carrier = rng.choice(len(CARRIERS), size=k, p=probabilities(CARRIER_WEIGHT)).astype(np.int8)
    o_plat = st.platform[o_st].astype(np.int8)
    order_no = np.zeros(k, dtype=np.int64)
    for p in range(len(PLATFORMS)):
        sel = o_plat == p
        order_no[sel] = 10**15 * (p + 1) + np.cumsum(rng.integers(1, 40, int(sel.sum())))
    wb_no = np.zeros(k, dtype=np.int64)
    for c in range(len(CARRIERS)):
        sel = (carrier == c) & has_wb
        wb_no[sel] = 7 * 10**11 + c * 10**10 + np.cumsum(rng.integers(1, 30, int(sel.sum())))
    platforms, carriers = strings(PLATFORMS), strings(CARRIERS)

    def waybill_ids(sl: slice) -> pa.Array:
        return concat(take(carriers, carrier[sl]), ":", numstr(wb_no[sl]))

    def waybill_chunks() -> Iterator[pa.Table]:
        for a in range(0, k, _CHUNK):
            sl = slice(a, min(a + _CHUNK, k))
            rows = np.flatnonzero(has_wb[sl]) + a
            yield table(
                "waybills",
                {
                    "waybill_id": waybill_ids(sl).filter(array(has_wb[sl])),
                    "weight_kg": floats(weight[rows]),
                    "shipped": iso_times(shipped[rows]),
                    "delivered": where(~in_transit[rows], iso_times(delivered[rows])),
                    "receiver_address": take(all_homes, recv[rows]),
                    "receiver_phone": take(phone_tab, recv_phone[rows]),
                },
            )

    def order_chunks() -> Iterator[pa.Table]:
        for a in range(0, k, _CHUNK):
            sl = slice(a, min(a + _CHUNK, k))
            yield table(
                "orders",
                {
                    "order_id": concat(take(platforms, o_plat[sl]), ":", numstr(order_no[sl])),
                    "account_id": take(acc_ids, o_acc[sl]),
                    "store_id": take(st.ids, o_st[sl]),
                    "placed": iso_times(placed[sl]),
                    "amount": floats(amount[sl]),
                    "waybill_id": where(has_wb[sl], waybill_ids(sl)),
                },
            )

    out.emit("waybills", waybill_chunks(), total=int(has_wb.sum()))
    out.emit("orders", order_chunks(), total=k)
    truth_rings = [
        {
            "platform": ring["platform"],
            "accounts": str_list(acc_ids, ring["accounts"]),
            "stores": str_list(st.ids, ring["stores"]),
        }
        for ring in rings
    ]
    boosted_idx = np.unique(np.concatenate(boosted_all)) if boosted_all else np.empty(0, np.int64)
    return truth_rings, boosted_idx
