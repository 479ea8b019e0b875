"""Ownership and roles.

Shareholdings: holding trees, offshore and domestic minority stakes, cross-holdings, cycles,
natural persons holding the rest, transfers (an earlier holder until the day before); the
legal representative of each business; and the roles file (legal representatives, directors,
supervisors, managers, declared actual controllers, registration agents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ingest.generate.columns import (
    IntArr,
    floats,
    iso_dates,
    later_dups,
    str_list,
    strings,
    take,
    where,
)
from ingest.generate.context import Gen
from ingest.generate.registry import Businesses, People, pick_people
from ingest.generate.vocab import TODAY

__all__ = [
    "Edges",
    "make_ownership",
    "make_roles",
    "shareholding_columns",
]


_ROLE_KINDS = (
    "legal_representative",
    "director",
    "supervisor",
    "manager",
    "actual_controller",
    "registration_agent",
)


@dataclass
class Edges:
    """Shareholding edges accumulated part by part (indices into businesses or people)."""

    holder_type: list[IntArr] = field(default_factory=list)  # 0 person, 1 business
    holder: list[IntArr] = field(default_factory=list)
    target: list[IntArr] = field(default_factory=list)
    bp: list[IntArr] = field(default_factory=list)  # basis points
    since: list[IntArr] = field(default_factory=list)
    until: list[IntArr] = field(default_factory=list)  # -1 = in force

    def add(
        self,
        htype: int,
        holder: IntArr,
        target: IntArr,
        bp: IntArr,
        since: IntArr,
        until: IntArr | None = None,
    ) -> None:
        """Edges from ``holder`` (of type ``htype``: 0 person, 1 business) to ``target``."""
        k = len(holder)
        self.holder_type.append(np.full(k, htype, dtype=np.int64))
        self.holder.append(np.asarray(holder, dtype=np.int64))
        self.target.append(np.asarray(target, dtype=np.int64))
        self.bp.append(np.asarray(bp, dtype=np.int64))
        self.since.append(np.minimum(np.asarray(since, dtype=np.int64), TODAY - 1))
        self.until.append(
            np.full(k, -1, dtype=np.int64) if until is None else np.asarray(until, np.int64)
        )

    def cat(self, name: str) -> IntArr:
        """One accumulated field over all edges."""
        parts: list[IntArr] = getattr(self, name)
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def make_ownership(
    g: Gen, biz: Businesses, people: People, cluster_reps: IntArr
) -> tuple[Edges, IntArr, dict[str, Any]]:
    """Shareholdings; returns the edges, the legal representative per business, truth."""
    rng, n, nd = g.rng, g.n, biz.domestic
    edges = Edges()
    est = biz.est
    general = np.flatnonzero((biz.cluster_of[:nd] < 0) & (biz.hub_of[:nd] < 0))
    pool = rng.permutation(general)
    foreign = np.arange(nd, n)
    biz_bp = np.zeros(n, dtype=np.int64)

    # holding trees: 10% of general businesses, depth <= 4 below the root
    target_members = int(0.10 * len(pool))
    groups: list[IntArr] = []
    used = 0
    roots: list[int] = []
    parent_l: list[int] = []
    child_l: list[int] = []
    while used + 2 <= target_members:
        size = int(min(2 + rng.geometric(0.3) - 1, 15, target_members - used))
        if size < 2:
            break
        members = pool[used : used + size]
        used += size
        # the root is the oldest; a child is never older than its parent
        members = members[np.argsort(est[members], kind="stable")]
        depth = [0]
        for j in range(1, size):
            par = j - 1 if rng.random() < 0.45 else int(rng.integers(0, j))
            if depth[par] >= 4:
                par = int(rng.integers(0, j))
            if depth[par] >= 4:
                par = 0
            depth.append(depth[par] + 1)
            parent_l.append(int(members[par]))
            child_l.append(int(members[j]))
        groups.append(members)
        roots.append(int(members[0]))
    par_a = np.array(parent_l, dtype=np.int64)
    ch_a = np.array(child_l, dtype=np.int64)
    k = len(ch_a)
    majority = rng.random(k) < 0.7
    bp = np.where(
        majority,
        np.where(rng.random(k) < 0.4, 10_000, rng.integers(5100, 10_000, k)),
        rng.integers(2000, 5000, k),
    )
    edges.add(1, par_a, ch_a, bp, np.maximum(est[par_a], est[ch_a]))
    biz_bp[ch_a] += bp

    roots_a = np.array(roots, dtype=np.int64)
    offshore_top = roots_a[rng.random(len(roots_a)) < 0.3]
    fholder = foreign[rng.integers(0, len(foreign), len(offshore_top))]
    bp = rng.integers(5100, 10_001, len(offshore_top))
    edges.add(1, fholder, offshore_top, bp, np.maximum(est[fholder], est[offshore_top]))
    biz_bp[offshore_top] += bp

    # minority stakes, cross-holdings and cycles on businesses outside the trees
    rest = pool[used:]
    n_off = min(len(foreign) * 2, len(rest) // 10)
    n_dom = min(round(0.02 * nd), len(rest) // 10)
    n_cross = max(1, round(n / 5000))
    n_cyc = max(1, round(n / 20000))
    cyc_len = rng.integers(3, 5, n_cyc)
    cur = 0
    off_t = rest[cur : cur + n_off]
    cur += n_off
    off_h = foreign[rng.integers(0, len(foreign), len(off_t))]
    bp = rng.integers(500, 3000, len(off_t))
    edges.add(1, off_h, off_t, bp, np.maximum(est[off_h], est[off_t]))
    biz_bp[off_t] += bp
    dom_t = rest[cur : cur + n_dom]
    cur += n_dom
    dom_h = general[rng.integers(0, len(general), len(dom_t))]
    ok = dom_h != dom_t
    dom_h, dom_t = dom_h[ok], dom_t[ok]
    bp = rng.integers(500, 3000, len(dom_t))
    edges.add(1, dom_h, dom_t, bp, np.maximum(est[dom_h], est[dom_t]))
    biz_bp[dom_t] += bp
    cross = rest[cur : cur + 2 * n_cross].reshape(-1, 2)
    cur += 2 * n_cross
    for a, b in ((cross[:, 0], cross[:, 1]), (cross[:, 1], cross[:, 0])):
        bp = rng.integers(1000, 3000, len(a))
        edges.add(1, a, b, bp, np.maximum(est[a], est[b]) + rng.integers(30, 900, len(a)))
        biz_bp[b] += bp
    cycles: list[IntArr] = []
    for length in cyc_len.tolist():
        ring = rest[cur : cur + length]
        cur += length
        nxt = np.roll(ring, -1)
        bp = rng.integers(1500, 3500, length)
        edges.add(1, ring, nxt, bp, np.maximum(est[ring], est[nxt]) + rng.integers(30, 900, length))
        biz_bp[nxt] += bp
        cycles.append(ring)

    # natural persons take what businesses do not hold ----------------------------------------
    dom = np.arange(nd)
    rem = 10_000 - biz_bp[:nd]
    unalloc = rng.random(nd) < 0.05
    rem = np.where(unalloc, np.maximum(0, rem - rng.integers(100, 1000, nd)), rem)
    kcount = rng.choice(np.arange(1, 6), size=nd, p=[0.45, 0.3, 0.15, 0.07, 0.03])
    in_cluster = biz.cluster_of[:nd] >= 0
    kcount[in_cluster] = rng.integers(1, 3, int(in_cluster.sum()))
    kcount = np.where(rem > 0, kcount, 0)
    rows_b = np.repeat(dom, kcount)
    first = np.zeros(len(rows_b), dtype=bool)
    starts = np.cumsum(kcount) - kcount
    first[starts[kcount > 0]] = True
    holder = pick_people(g, people, len(rows_b))
    cl = biz.cluster_of[rows_b]
    clm = cl >= 0
    holder[clm] = cluster_reps[cl[clm], rng.integers(0, 3, int(clm.sum()))]
    # merge a person drawn twice for one business
    key = rows_b * (len(people.ids) + 1) + holder
    keep = ~later_dups(key)
    wts = rng.exponential(1.0, len(rows_b)) * keep
    tot = np.bincount(rows_b, weights=wts, minlength=nd)
    bp = np.floor(wts / np.where(tot[rows_b] > 0, tot[rows_b], 1) * rem[rows_b]).astype(np.int64)
    short = rem - np.bincount(rows_b, weights=bp, minlength=nd).astype(np.int64)
    bp[starts[kcount > 0]] += short[kcount > 0]
    sel = keep & (bp > 0)
    rows_b, holder, bp, first = rows_b[sel], holder[sel], bp[sel], first[sel]
    since = est[rows_b].copy()
    # 5% transferred: an earlier holder until the day before the current one came in
    moved = np.flatnonzero(rng.random(len(rows_b)) < 0.05)
    moved = moved[est[rows_b[moved]] < TODAY - 60]
    d = (
        est[rows_b[moved]]
        + (rng.random(len(moved)) * (TODAY - 30 - est[rows_b[moved]])).astype(np.int64)
        + 30
    )
    old = pick_people(g, people, len(moved))
    edges.add(0, old, rows_b[moved], bp[moved], est[rows_b[moved]], d - 1)
    since[moved] = d
    edges.add(0, holder, rows_b, bp, since)

    # legal representative: the first person holder for three quarters, else someone else
    rep = np.full(n, -1, dtype=np.int64)
    first_holder = np.full(nd, -1, dtype=np.int64)
    first_holder[rows_b[first]] = holder[first]
    rep[:nd] = pick_people(g, people, nd)
    use_holder = (first_holder >= 0) & (rng.random(nd) < 0.75)
    rep[:nd][use_holder] = first_holder[use_holder]
    cm = np.flatnonzero(in_cluster)
    rep[cm] = cluster_reps[biz.cluster_of[cm], rng.integers(0, 3, len(cm))]

    ctrl_pairs: list[tuple[int, int]] = []
    for members in groups:
        top = int(first_holder[members[0]]) if members[0] < nd else -1
        if top < 0:
            continue
        for m in members[1:]:
            if rng.random() < 0.5:
                ctrl_pairs.append((top, int(m)))
    truth = {
        "ownership_cycles": [str_list(biz.ids, c) for c in cycles],
        "cross_holdings": [str_list(biz.ids, pair) for pair in cross],
        "holding_groups": [str_list(biz.ids, m) for m in groups],
        "controllers": ctrl_pairs,
        "first_holder": first_holder,
    }
    return edges, rep, truth


def shareholding_columns(edges: Edges, biz: Businesses, people: People) -> dict[str, pa.Array]:
    """The ``shareholdings`` file's columns from the accumulated edges."""
    htype, holder, target = edges.cat("holder_type"), edges.cat("holder"), edges.cat("target")
    until = edges.cat("until")
    return {
        "holder_type": take(strings(["person", "business"]), htype),
        "holder_id": where(
            htype == 0,
            take(people.ids, np.where(htype == 0, holder, 0)),
            take(biz.ids, np.where(htype == 1, holder, 0)),
        ),
        "business_id": take(biz.ids, target),
        "share": floats(edges.cat("bp") / 10_000),
        "since": iso_dates(edges.cat("since")),
        "until": where(until >= 0, iso_dates(np.maximum(until, 0))),
    }


def make_roles(
    g: Gen,
    biz: Businesses,
    people: People,
    rep: IntArr,
    controllers: list[tuple[int, int]],
    first_holder: IntArr,
) -> dict[str, pa.Array]:
    """The ``roles`` file's columns: one row per (person, business, role, since)."""
    rng, nd = g.rng, biz.domestic
    est = biz.est
    persons: list[IntArr] = []
    bizs: list[IntArr] = []
    kinds: list[IntArr] = []
    since: list[IntArr] = []
    until: list[IntArr] = []

    def add(p: IntArr, b: IntArr, kind: int, s: IntArr, u: IntArr | None = None) -> None:
        persons.append(p)
        bizs.append(b)
        kinds.append(np.full(len(p), kind, dtype=np.int64))
        since.append(s)
        until.append(np.full(len(p), -1, dtype=np.int64) if u is None else u)

    dom = np.arange(nd)
    rep_since = est[:nd].copy()
    changed = np.flatnonzero(
        (rng.random(nd) < 0.08) & (biz.cluster_of[:nd] < 0) & (est[:nd] < TODAY - 90)
    )
    d = (
        est[changed]
        + 30
        + (rng.random(len(changed)) * (TODAY - 60 - est[changed])).astype(np.int64)
    )
    add(pick_people(g, people, len(changed)), changed, 0, est[changed], d - 1)
    rep_since[changed] = d
    add(rep[:nd], dom, 0, rep_since)

    def board(frac: float, kind: int, low: int, high: int) -> None:
        chosen = dom[rng.random(nd) < frac]
        cnt = rng.integers(low, high + 1, len(chosen))
        b = np.repeat(chosen, cnt)
        p = pick_people(g, people, len(b))
        s = est[b] + rng.integers(0, 400, len(b))
        ended = rng.random(len(b)) < 0.1
        u = np.where(ended, s + rng.integers(100, 2000, len(b)), -1)
        u = np.where(u >= TODAY, -1, u)
        s = np.minimum(s, TODAY - 1)
        add(p, b, kind, s, u)

    board(0.25, 1, 1, 5)
    board(0.60, 2, 1, 1)
    mgr = dom[rng.random(nd) < 0.35]
    same = rng.random(len(mgr)) < 0.5
    mp = pick_people(g, people, len(mgr))
    mp[same] = rep[mgr[same]]
    add(mp, mgr, 3, est[mgr])
    if controllers:
        ca = np.array(controllers, dtype=np.int64)
        add(ca[:, 0], ca[:, 1], 4, est[ca[:, 1]] + rng.integers(0, 200, len(ca)))
    solo = dom[(rng.random(nd) < 0.01) & (first_holder >= 0)]
    add(first_holder[solo], solo, 4, est[solo])
    ag = np.flatnonzero(biz.agent_of >= 0)
    add(biz.agent_of[ag], ag, 5, est[ag] - rng.integers(1, 20, len(ag)), est[ag] + 30)

    p = np.concatenate(persons)
    b = np.concatenate(bizs)
    k = np.concatenate(kinds)
    s = np.concatenate(since)
    u = np.concatenate(until)
    # one row per (person, business, role, since): a person drawn twice as director is one
    key = (b * 8 + k) * (len(people.ids) + 1) + p
    keep = ~(later_dups(key) & (k != 0))
    p, b, k, s, u = p[keep], b[keep], k[keep], s[keep], u[keep]
    return {
        "person_id": take(people.ids, p),
        "business_id": take(biz.ids, b),
        "role": take(strings(_ROLE_KINDS), k),
        "since": iso_dates(s),
        "until": where(u >= 0, iso_dates(np.maximum(u, 0))),
    }
