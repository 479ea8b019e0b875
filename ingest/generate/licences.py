"""Administrative licences of domestic businesses, by the industry in their
name: issue and expiry, renewals, lapses, revocations and suspensions, with numbers and
issuing authorities in the formats of the real ones."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ingest.generate.columns import concat, iso_dates, numstr, strings, take
from ingest.generate.context import Gen
from ingest.generate.registry import Businesses
from ingest.generate.vocab import CITIES, COUNTIES, INDUSTRIES, TODAY

__all__ = [
    "make_licences",
]


# Licence types (graph.licences: code, usual term in years) and, per industry of the business
# name, the chance of holding each: food and tea sellers need a food operation licence, media
# a publication licence, internet companies an ICP licence; a few traders deal in drugs or
# medical devices. Shell-cluster members hold none.
_LICENCE_TYPES: tuple[tuple[str, int], ...] = (
    ("food_operation", 5),
    ("food_production", 5),
    ("drug_operation", 5),
    ("medical_device_operation", 5),
    ("publication_operation", 6),
    ("icp", 5),
)
_LICENCE_NEED: dict[str, dict[str, float]] = {
    "食品": {"food_operation": 0.9, "food_production": 0.3},
    "茶业": {"food_operation": 0.85, "food_production": 0.2},
    "母婴用品": {"food_operation": 0.5, "medical_device_operation": 0.1},
    "贸易": {"food_operation": 0.15, "drug_operation": 0.01, "medical_device_operation": 0.03},
    "电子商务": {"food_operation": 0.2, "medical_device_operation": 0.03, "icp": 0.2},
    "进出口": {"food_operation": 0.1, "drug_operation": 0.01},
    "日用品": {"food_operation": 0.1, "medical_device_operation": 0.05},
    "供应链管理": {"food_operation": 0.1},
    "化妆品": {"medical_device_operation": 0.02},
    "文化传媒": {"publication_operation": 0.6, "icp": 0.2},
    "网络科技": {"icp": 0.4},
    "信息技术": {"icp": 0.35},
    "科技": {"medical_device_operation": 0.02, "icp": 0.15},
}
_LICENCE_STATUS = ("valid", "suspended", "revoked", "expired")
# outcome per business status (active, abnormal, revoked, cancelled):
# in force, lapsed (not renewed), revoked, suspended
_LICENCE_OUTCOME = (
    (0.84, 0.10, 0.04, 0.02),
    (0.50, 0.30, 0.15, 0.05),
    (0.00, 0.30, 0.70, 0.00),
    (0.00, 0.85, 0.15, 0.00),
)
_PROVINCE_ABBR = {
    "浙江省": "浙",
    "上海市": "沪",
    "北京市": "京",
    "江苏省": "苏",
    "广东省": "粤",
    "福建省": "闽",
}


def make_licences(g: Gen, biz: Businesses) -> dict[str, pa.Array]:
    """Licences of domestic businesses by industry; renewals, lapses, revocations."""
    rng, nd = g.rng, biz.domestic
    codes = [c for c, _ in _LICENCE_TYPES]
    need = np.zeros((len(INDUSTRIES), len(codes)))
    for industry, chances in _LICENCE_NEED.items():
        for code, chance in chances.items():
            need[INDUSTRIES.index(industry), codes.index(code)] = chance
    holds = rng.random((nd, len(codes))) < need[biz.industry[:nd]]
    holds[biz.cluster_of[:nd] >= 0] = False
    b, t = np.nonzero(holds)
    b, t = b.astype(np.int64), t.astype(np.int64)
    k = len(b)
    term = (np.array([y for _, y in _LICENCE_TYPES]) * 36525 // 100)[t] - 1  # days
    est = biz.est[b]
    outcome = np.zeros(k, dtype=np.int64)
    for biz_status, weights in enumerate(_LICENCE_OUTCOME):
        sel = np.flatnonzero(biz.status[b] == biz_status)
        outcome[sel] = rng.choice(4, size=len(sel), p=weights)
    # lapsed: expired before today, if the business is old enough; else in force
    lapse_hi = TODAY - term - 1
    outcome[(outcome == 1) & (lapse_hi < est)] = 0
    lo = np.where(outcome == 1, est, np.maximum(est, TODAY - term + 1))
    hi = np.where(outcome == 1, lapse_hi, TODAY - 1)
    issued = lo + (rng.random(k) * np.maximum(hi - lo, 0)).astype(np.int64)
    expires = issued + term
    status = np.select(
        [outcome == 2, outcome == 3, (outcome == 1) & (rng.random(k) < 0.7)], [2, 1, 3], 0
    )  # 30% of lapsed licences are still recorded valid: the check date tells
    # a quarter of licences in force were renewed: the expired predecessor is on record too
    renewed = np.flatnonzero((outcome == 0) & (issued - term - 1 >= est) & (rng.random(k) < 0.25))
    b = np.concatenate([b, b[renewed]])
    t = np.concatenate([t, t[renewed]])
    expires = np.concatenate([expires, issued[renewed] - 1])
    issued = np.concatenate([issued, issued[renewed] - term[renewed] - 1])
    status = np.concatenate([status, np.full(len(renewed), 3)])
    # numbers: a serial unique within the type, in a format like the type's real ones
    order = np.argsort(t, kind="stable")
    b, t, issued, expires, status = b[order], t[order], issued[order], expires[order], status[order]
    county = biz.county[b]
    cities = [CITIES[c[:4]] for c, _, _ in COUNTIES]
    abbr = strings([_PROVINCE_ABBR[c[0]] for c in cities])
    city_short = g.county_city_short
    area = strings([c[3].removeprefix("0") for c in cities])
    year = numstr(
        np.asarray(issued, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    serial = np.zeros(len(b), dtype=np.int64)
    for i in range(len(codes)):
        sel = np.flatnonzero(t == i)
        serial[sel] = rng.permutation(len(sel)) + 1
    w = len(str(len(b)))  # wide enough for every serial
    ser4, ser6 = numstr(serial, max(4, w)), numstr(serial, max(6, w))
    digit = numstr(rng.integers(0, 10, len(b)))
    cc = take(g.county_code, county)
    pa_abbr, pa_city = take(abbr, county), take(city_short, county)
    numbers = [
        concat("JY1", cc, ser6, digit),
        concat("SC1", numstr(rng.integers(1, 32, len(b)), 2), cc, ser4, digit),
        concat(pa_abbr, "AA", take(area, county), ser4),
        concat(pa_abbr, pa_city, "药监械经营许", year, ser4, "号"),
        concat("新出发", pa_city, "字第", ser4, "号"),
        concat(pa_abbr, "B2-", year, ser4),
    ]
    province = strings([c[0] for c in cities])
    authorities = [
        take(g.county_bureau, county),
        take(g.county_city_bureau, county),
        concat(take(province, county), "药品监督管理局"),
        take(g.county_city_bureau, county),
        concat(take(strings([c[1] for c in cities]), county), "文化广电旅游局"),
        concat(take(province, county), "通信管理局"),
    ]
    bounds = np.searchsorted(t, np.arange(len(codes) + 1))
    pick = [(int(bounds[i]), int(bounds[i + 1] - bounds[i])) for i in range(len(codes))]
    return {
        "business_id": take(biz.ids, b),
        "licence_type": take(strings(codes), t),
        "licence_no": pa.concat_arrays([numbers[i].slice(a, m) for i, (a, m) in enumerate(pick)]),
        "authority": pa.concat_arrays(
            [authorities[i].slice(a, m) for i, (a, m) in enumerate(pick)]
        ),
        "issued": iso_dates(issued),
        "expires": iso_dates(expires),
        "status": take(strings(_LICENCE_STATUS), status),
    }
