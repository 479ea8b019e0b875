"""Brands and their owners, the counterfeit (store, brand) pairs and the
infringement reports: true ones about counterfeits, false ones against innocent stores."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ingest.generate.columns import (
    IntArr,
    Unique,
    array,
    concat,
    iso_dates,
    later_dups,
    numstr,
    probabilities,
    strings,
    take,
    where,
)
from ingest.generate.context import Gen
from ingest.generate.registry import Businesses, People
from ingest.generate.stores import Stores
from ingest.generate.vocab import TODAY, day_of

__all__ = [
    "counterfeit_pairs",
    "make_brands",
    "make_reports",
]


def make_brands(
    g: Gen, biz: Businesses, people: People
) -> tuple[dict[str, pa.Array], IntArr, IntArr]:
    """Brands (``n/100``, at least 5) owned by large active businesses or a few people; returns the
    columns, owner types and owners.
    """
    rng, nd = g.rng, biz.domestic
    nb = max(5, round(g.n / 100))
    owner_type = (rng.random(nb) < 0.05).astype(np.int64)
    big = np.flatnonzero(
        (biz.status[:nd] == 0) & (biz.cluster_of[:nd] < 0) & (biz.capital[:nd] >= 1e6)
    )
    owner = np.where(
        owner_type == 0,
        rng.choice(big, size=nb),
        people.ordinary[rng.integers(0, len(people.ordinary), nb)],
    )
    syl = (
        "Lu",
        "mi",
        "ko",
        "Va",
        "ra",
        "Ne",
        "xo",
        "Ti",
        "an",
        "Bo",
        "le",
        "Zen",
        "Ka",
        "ro",
        "Su",
    )
    latin = rng.random(nb) < 0.4
    a, b, c = (rng.integers(0, len(syl), nb) for _ in range(3))
    names = g.trade_str(*g.trade_names(nb)).to_numpy(zero_copy_only=False).astype(object)
    names[latin] = [
        f"{syl[x].capitalize()}{syl[y].lower()}{syl[z].lower()}"
        for x, y, z in zip(a[latin], b[latin], c[latin], strict=True)
    ]
    brand_no = Unique(rng, lambda k: rng.integers(10**7, 10**8, k)).take(nb)
    brand_id = concat("TM", numstr(brand_no))
    owner_id = where(
        owner_type == 0,
        take(biz.ids, np.where(owner_type == 0, owner, 0)),
        take(people.ids, np.where(owner_type == 1, owner, 0)),
    )
    cols = {
        "brand_id": brand_id,
        "name": array(names, type=pa.string()),
        "owner_type": take(strings(["business", "person"]), owner_type),
        "owner_id": owner_id,
    }
    return cols, owner_type, owner


def counterfeit_pairs(
    g: Gen, cf: IntArr, cf_pairs: tuple[IntArr, IntArr], nb: int
) -> tuple[IntArr, IntArr]:
    """Counterfeit (store, brand) pairs: a quarter of the stores copy two brands, famous
    brands are copied most, and both stores of a reopened pair copy the same brand."""
    rng = g.rng
    two = rng.random(len(cf)) < 0.25
    cf_store = np.concatenate([cf, cf[two]])
    cf_brand = rng.choice(nb, size=len(cf_store), p=probabilities(1.0 / np.arange(1, nb + 1)))
    old_cf, new_cf = cf_pairs
    pos = {int(s): i for i, s in enumerate(cf_store[: len(cf)])}
    for o, nw in zip(old_cf.tolist(), new_cf.tolist(), strict=True):
        cf_brand[pos[nw]] = cf_brand[pos[o]]
    keep = ~later_dups(cf_store * nb + cf_brand)
    return cf_store[keep], cf_brand[keep]


def make_reports(
    g: Gen,
    st: Stores,
    cf_store: IntArr,
    cf_brand: IntArr,
    brand_ids: pa.Array,
    brand_owner_ids: pa.Array,
) -> tuple[dict[str, pa.Array], list[str]]:
    """Infringement reports: 1-3 per counterfeit (store, brand) pair and 20% false ones against
    innocent stores; returns the columns and the false reports' ids.
    """
    rng = g.rng
    cnt = rng.integers(1, 4, len(cf_store))
    s = np.repeat(cf_store, cnt)
    b = np.repeat(cf_brand, cnt)
    status = rng.choice(
        4, size=len(s), p=[0.1, 0.7, 0.1, 0.1]
    )  # pending confirmed rejected countered
    n_false = max(1, round(0.2 * len(s)))
    innocent = np.setdiff1d(np.arange(len(st.platform)), cf_store)
    fs = rng.choice(innocent, size=n_false)
    fb = rng.integers(0, len(brand_ids), n_false)
    fstat = rng.choice(4, size=n_false, p=[0.2, 0.0, 0.45, 0.35])
    s = np.concatenate([s, fs])
    b = np.concatenate([b, fb])
    status = np.concatenate([status, fstat])
    false_mask = np.concatenate([np.zeros(len(s) - n_false, bool), np.ones(n_false, bool)])
    k = len(s)
    filed = np.minimum(
        np.maximum(st.opened[s], day_of("2019-01-01")) + rng.integers(20, 900, k), TODAY - 1
    )
    order = np.argsort(filed, kind="stable")
    s, b, status, filed, false_mask = (
        s[order],
        b[order],
        status[order],
        filed[order],
        false_mask[order],
    )
    year = np.asarray(filed, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    rid = concat("IPR-", numstr(year), "-", numstr(np.arange(1, k + 1), 7))
    evidence = concat(
        take(
            strings(["鉴定报告 JD", "公证书 GZ", "测试购买 TB", "截图存证 SS"]),
            rng.integers(0, 4, k),
        ),
        numstr(year),
        "-",
        numstr(rng.integers(0, 10**6, k), 6),
    )
    cols = {
        "report_id": rid,
        "store_id": take(st.ids, s),
        "brand_id": take(brand_ids, b),
        "complainant": take(brand_owner_ids, b),
        "status": take(strings(["pending", "confirmed", "rejected", "countered"]), status),
        "filed": iso_dates(filed),
        "evidence": evidence,
    }
    return cols, [str(x) for x in rid.filter(array(false_mask)).to_pylist()]
