"""Credit listings and administrative penalties.

Listings: abnormal operation, serious dishonesty, judgment defaulters, online serious
violations and repeat IP infringers, with expiry and removal (credit repair, objection upheld,
expired); violations: penalties with case numbers, amounts and legal bases."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ingest.generate.columns import (
    IntArr,
    array,
    concat,
    floats,
    iso_dates,
    numstr,
    probabilities,
    strings,
    take,
    where,
)
from ingest.generate.context import Gen
from ingest.generate.registry import Businesses, People
from ingest.generate.stores import Stores
from ingest.generate.vocab import COUNTIES, ORDER_START, TODAY, day_of

__all__ = [
    "make_listings",
    "make_violations",
]


_LIST_BASIS: dict[str, tuple[str, ...]] = {
    "abnormal_operation": (
        "《企业经营异常名录管理暂行办法》第四条第（一）项",
        "《企业经营异常名录管理暂行办法》第四条第（四）项",
        "《企业信息公示暂行条例》第十七条",
    ),
    "serious_dishonesty": tuple(
        f"《市场监督管理严重违法失信名单管理办法》第{a}条"
        for a in ("二", "五", "六", "七", "八", "九", "十", "十一")
    ),
    "judgment_defaulter": tuple(
        f"《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第（{i}）项"
        for i in ("一", "二", "三", "四", "五", "六")
    ),
    "online_serious_violation": (
        "《网络交易监督管理办法》第十四条",
        "《中华人民共和国电子商务法》第十七条",
        "《中华人民共和国电子商务法》第八十五条",
    ),
    "repeat_ip_infringer": (
        "《中华人民共和国商标法》第六十条",
        "《中华人民共和国电子商务法》第四十二条",
        "《浙江省电子商务条例》第三十五条",
    ),
}
_VIOLATION_KINDS: tuple[tuple[str, str, str, float], ...] = (
    # kind, legal basis, penalty, weight
    ("false_advertising", "《中华人民共和国反不正当竞争法》第二十条", "罚款", 3),
    ("counterfeit_goods", "《中华人民共和国商标法》第六十条第二款", "没收侵权商品、罚款", 2),
    ("fake_transactions", "《中华人民共和国电子商务法》第十七条、第八十五条", "罚款", 1),
    ("unlicensed_operation", "《无证无照经营查处办法》第十三条", "警告", 1),
    ("price_violation", "《中华人民共和国价格法》第三十九条", "罚款", 1),
    ("product_quality", "《中华人民共和国产品质量法》第五十条", "没收违法所得、罚款", 2),
    ("consumer_rights", "《中华人民共和国消费者权益保护法》第五十六条", "警告、罚款", 2),
    ("unfair_competition", "《中华人民共和国反不正当竞争法》第十二条", "责令改正、罚款", 1),
)


@dataclass
class _Subjects:
    """Accumulates subject rows of listings or violations."""

    stype: list[IntArr] = field(default_factory=list)  # 0 business 1 person 2 store
    sidx: list[IntArr] = field(default_factory=list)
    kind: list[IntArr] = field(default_factory=list)
    decided: list[IntArr] = field(default_factory=list)
    county: list[IntArr] = field(default_factory=list)

    def add(self, stype: int, idx: IntArr, kind: int, decided: IntArr, county: IntArr) -> None:
        """Subjects ``idx`` of type ``stype`` with one kind, decision days and counties."""
        k = len(idx)
        self.stype.append(np.full(k, stype, dtype=np.int64))
        self.sidx.append(np.asarray(idx, dtype=np.int64))
        self.kind.append(np.full(k, kind, dtype=np.int64))
        self.decided.append(np.minimum(np.asarray(decided, dtype=np.int64), TODAY - 1))
        self.county.append(np.where(np.asarray(county) < 0, 0, county).astype(np.int64))

    def cat(self, name: str) -> IntArr:
        """One accumulated field over all subjects."""
        return np.concatenate(getattr(self, name))


_LIST_TYPES = (
    "serious_dishonesty",
    "abnormal_operation",
    "judgment_defaulter",
    "online_serious_violation",
    "repeat_ip_infringer",
)


def _subject_ids(
    stype: IntArr, sidx: IntArr, biz: Businesses, people: People, st: Stores
) -> pa.Array:
    """The business, person or store id of each subject."""
    out = take(biz.ids, np.where(stype == 0, sidx, 0))
    out = where(stype == 1, take(people.ids, np.where(stype == 1, sidx, 0)), out)
    return where(stype == 2, take(st.ids, np.where(stype == 2, sidx, 0)), out)


def make_listings(
    g: Gen,
    biz: Businesses,
    people: People,
    st: Stores,
    rep: IntArr,
    repeat_ops: list[tuple[int, int]],
    bad_stores: IntArr,
) -> dict[str, pa.Array]:
    """The ``listings`` file's columns: who is listed, by whom, when, until when and why removed."""
    rng, nd = g.rng, biz.domestic
    sub = _Subjects()
    est = biz.est
    dom = np.arange(nd)

    def after(e: IntArr) -> IntArr:
        return e + (rng.random(len(e)) * np.maximum(TODAY - 10 - e, 1)).astype(np.int64)

    abn = dom[biz.status[:nd] == 1]
    sub.add(0, abn, 1, after(est[abn] + 365), biz.county[abn])
    repaired = dom[(biz.status[:nd] == 0) & (rng.random(nd) < 0.02)]
    sub.add(0, repaired, 1, after(est[repaired] + 365), biz.county[repaired])
    serious = dom[(rng.random(nd) < 0.004) | ((biz.status[:nd] == 1) & (rng.random(nd) < 0.1))]
    sub.add(0, serious, 0, after(est[serious] + 400), biz.county[serious])
    jd_b = dom[rng.random(nd) < 0.005]
    sub.add(0, jd_b, 2, after(est[jd_b] + 300), biz.county[jd_b])
    jd_p = np.concatenate(
        [
            rep[jd_b[rng.random(len(jd_b)) < 0.5]],
            people.ordinary[rng.random(len(people.ordinary)) < 0.002],
        ]
    )
    sub.add(1, jd_p, 2, rng.integers(day_of("2015-01-01"), TODAY, len(jd_p)), people.county[jd_p])
    online = bad_stores[rng.random(len(bad_stores)) < 0.3]
    sub.add(2, online, 3, after(st.opened[online] + 30), _store_county(g, st, online))
    o_biz = st.operator[online][st.op_type[online] == 0]
    sub.add(
        0,
        o_biz,
        3,
        after(np.maximum(est[o_biz], st.opened[online][st.op_type[online] == 0])),
        biz.county[o_biz],
    )
    if repeat_ops:
        ro = np.array(repeat_ops, dtype=np.int64)
        ro = ro[rng.random(len(ro)) < 0.6]
        rb = ro[ro[:, 0] == 0, 1]
        rp = ro[ro[:, 0] == 1, 1]
        sub.add(0, rb, 4, after(np.maximum(est[rb], day_of("2019-01-01"))), biz.county[rb])
        sub.add(1, rp, 4, rng.integers(day_of("2019-01-01"), TODAY, len(rp)), people.county[rp])

    stype, sidx, kind = sub.cat("stype"), sub.cat("sidx"), sub.cat("kind")
    decided, county = sub.cat("decided"), sub.cat("county")
    k = len(sidx)
    expires = np.full(k, -1, dtype=np.int64)
    ser = kind == 0
    expires[ser] = decided[ser] + 3 * 365
    jd = (kind == 2) & (rng.random(k) < 0.5)
    expires[jd] = decided[jd] + 2 * 365
    other = ((kind == 3) | (kind == 4)) & (rng.random(k) < 0.7)
    expires[other] = decided[other] + 3 * 365
    removed = np.full(k, -1, dtype=np.int64)
    reason = np.full(k, -1, dtype=np.int64)  # 0 credit_repair 1 objection_upheld 2 expired
    lapsed = (expires >= 0) & (expires < TODAY) & (rng.random(k) < 0.6)
    removed[lapsed] = expires[lapsed]
    reason[lapsed] = 2
    repair = (~lapsed) & (rng.random(k) < 0.15) & (decided < TODAY - 200)
    subject_status = np.where(stype == 0, biz.status[np.where(stype == 0, sidx, 0)], -1)
    repair |= (kind == 1) & (subject_status == 0)
    repair &= ~((kind == 1) & (subject_status == 1))  # still abnormal: still listed
    removed[repair] = (
        decided[repair]
        + (rng.random(int(repair.sum())) * np.maximum(TODAY - 1 - decided[repair] - 90, 1)).astype(
            np.int64
        )
        + 90
    )
    reason[repair] = 0
    objection = repair & (rng.random(k) < 0.15)
    removed[objection] = decided[objection] + rng.integers(10, 60, int(objection.sum()))
    reason[objection] = 1
    removed = np.where(removed >= TODAY, TODAY - 1, removed)
    # the authority: county bureau for abnormal operation, court for defaulters, else city
    city_level = (kind == 0) | (kind == 3) | (kind == 4) | ((kind == 2) & (rng.random(k) < 0.4))
    authority = take(g.county_bureau, county)
    authority = where(city_level, take(g.county_city_bureau, county), authority)
    court = where(city_level, take(g.county_city_court, county), take(g.county_court, county))
    authority = where(kind == 2, court, authority)
    region = where(city_level, take(g.county_city_code, county), take(g.county_code, county))
    basis_flat = [b for t in _LIST_TYPES for b in _LIST_BASIS[t]]
    basis_start = np.cumsum([0] + [len(_LIST_BASIS[t]) for t in _LIST_TYPES])[:-1]
    basis_len = np.array([len(_LIST_BASIS[t]) for t in _LIST_TYPES])
    basis = basis_start[kind] + rng.integers(0, 1000, k) % basis_len[kind]
    year = (
        np.asarray(decided, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    prefix = strings(["YZSX", "JYYC", "SXBZX", "WLYZ", "ZSCQ"])
    order = rng.permutation(k)
    lid = concat(take(prefix, kind), "-", numstr(year), "-", numstr(np.argsort(order) + 1, 7))
    return {
        "listing_id": lid,
        "subject_type": take(strings(["business", "person", "store"]), stype),
        "subject_id": _subject_ids(stype, sidx, biz, people, st),
        "list_type": take(strings(_LIST_TYPES), kind),
        "authority": authority,
        "decided": iso_dates(decided),
        "expires": where(expires >= 0, iso_dates(np.maximum(expires, 0))),
        "removed": where(removed >= 0, iso_dates(np.maximum(removed, 0))),
        "removal_reason": where(
            reason >= 0,
            take(strings(["credit_repair", "objection_upheld", "expired"]), np.maximum(reason, 0)),
        ),
        "legal_basis": take(strings(basis_flat), basis),
        "region": region,
    }


def _store_county(g: Gen, st: Stores, idx: IntArr) -> IntArr:
    """The county index of stores ``idx`` (from their region code)."""
    codes = [c for c, _, _ in COUNTIES]
    pos = {c: i for i, c in enumerate(codes)}
    return np.array(
        [pos.get(str(r), 0) for r in st.region.take(array(idx)).to_pylist()], dtype=np.int64
    )


def make_violations(
    g: Gen, biz: Businesses, people: People, st: Stores, bad_stores: IntArr, boosted: IntArr
) -> dict[str, pa.Array]:
    """The ``violations`` file's columns: penalties of businesses, people and stores."""
    rng, nd = g.rng, biz.domestic
    sub = _Subjects()
    dom = np.arange(nd)
    est = biz.est
    kw = probabilities([w for *_, w in _VIOLATION_KINDS])
    rb = dom[rng.random(nd) < 0.025]
    kinds_b = rng.choice(len(_VIOLATION_KINDS), size=len(rb), p=kw)
    dec_b = est[rb] + (rng.random(len(rb)) * np.maximum(TODAY - est[rb] - 10, 1)).astype(np.int64)
    for kd in range(len(_VIOLATION_KINDS)):
        sel = kinds_b == kd
        sub.add(0, rb[sel], kd, dec_b[sel], biz.county[rb[sel]])
    cf = bad_stores[rng.random(len(bad_stores)) < 0.5]
    sub.add(2, cf, 1, st.opened[cf] + rng.integers(30, 700, len(cf)), _store_county(g, st, cf))
    bs = boosted[rng.random(len(boosted)) < 0.3]
    sub.add(
        2,
        bs,
        2,
        np.maximum(st.opened[bs], ORDER_START) + rng.integers(60, 700, len(bs)),
        _store_county(g, st, bs),
    )
    ps = np.flatnonzero((st.op_type == 1) & (rng.random(len(st.op_type)) < 0.01))
    sub.add(
        1,
        st.operator[ps],
        0,
        st.opened[ps] + rng.integers(30, 900, len(ps)),
        people.county[st.operator[ps]],
    )
    stype, sidx, kind = sub.cat("stype"), sub.cat("sidx"), sub.cat("kind")
    decided, county = sub.cat("decided"), sub.cat("county")
    k = len(sidx)
    year = (
        np.asarray(decided, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    seq = rng.integers(1, 3000, k)
    case_no = concat(
        take(g.county_city_short, county), "市监处罚〔", numstr(year), "〕", numstr(seq), "号"
    )
    penalty = take(strings([p for _, _, p, _ in _VIOLATION_KINDS]), kind)
    warn_only = np.array([p == "警告" for _, _, p, _ in _VIOLATION_KINDS])[kind]
    amount = np.round(
        rng.choice([2e3, 5e3, 1e4, 3e4, 5e4, 1e5, 2e5, 5e5], size=k) * rng.uniform(0.5, 2, k), -2
    )
    order = rng.permutation(k)
    return {
        "violation_id": concat("CF-", numstr(year), "-", numstr(np.argsort(order) + 1, 7)),
        "subject_type": take(strings(["business", "person", "store"]), stype),
        "subject_id": _subject_ids(stype, sidx, biz, people, st),
        "kind": take(strings([kd for kd, *_ in _VIOLATION_KINDS]), kind),
        "authority": take(g.county_bureau, county),
        "decided": iso_dates(decided),
        "case_no": case_no,
        "penalty": penalty,
        "amount": floats(amount, ~warn_only),
        "legal_basis": take(strings([b for _, b, _, _ in _VIOLATION_KINDS]), kind),
        "region": take(g.county_code, county),
    }
