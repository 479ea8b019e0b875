"""One generation run's shared state (:class:`Gen`) and the strings drawn from it.

The one ``numpy.random.Generator`` (every draw of a run comes from it, in a fixed order), the
allocators of unique phones, e-mails and serial numbers, per-county lookups (codes, address
prefixes, bureaus, courts), and the strings every part uses: counties, phones, e-mails, trade
and person names, office and home addresses, and an address written another way (the pair is
kept for the ground truth)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ingest.generate.columns import (
    IntArr,
    Unique,
    array,
    concat,
    numstr,
    probabilities,
    strings,
    take,
    where,
)
from ingest.generate.params import BrushingParams
from ingest.generate.vocab import (
    CITIES,
    COMPOUND_SURNAMES,
    COUNTIES,
    ESTATES,
    GIVEN,
    MAIL_DOMAINS,
    MOBILE_PREFIXES,
    PARKS,
    ROADS,
    SURNAMES,
    TRADE,
)

__all__ = [
    "Gen",
]


def _fullwidth(text: str) -> str:
    """Digits as full-width digits."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def _variant(text: str, kind: int) -> str:
    """The same address written another way; ingest must normalise it back to ``text``."""
    if kind == 0:
        return _fullwidth(text)
    if kind == 1 and "(" in text:
        return text.replace("(", "（").replace(")", "）")
    # spaces between province/city/district/street and an ideographic space before the number
    out = text.replace("省", "省 ").replace("市", "市 ", 1).replace("区", "区  ", 1)
    return out if out != text else f" {text}　"


class Gen:
    """One generation run: the RNG, the id allocators, the entity arrays, the ground truth."""

    def __init__(self, entities: int, seed: int, noise: float, brushing: BrushingParams) -> None:
        self.n = entities
        self.rng = np.random.default_rng(seed)
        self.noise = noise
        self.brushing = brushing
        self.variants: dict[str, str] = {}  # variant -> canonical
        self.phone_variants: dict[str, str] = {}
        rng = self.rng
        prefixes = np.array(MOBILE_PREFIXES, dtype=np.int64)
        self.mobiles = Unique(
            rng,
            lambda k: (
                prefixes[rng.integers(0, len(prefixes), k)] * 10**8 + rng.integers(0, 10**8, k)
            ),
        )
        self.landlines = Unique(rng, lambda k: rng.integers(80_000_000, 90_000_000, k))
        self.mail_ids = Unique(rng, lambda k: rng.integers(10**5, 10**10, k))
        self.serials = Unique(rng, lambda k: rng.integers(0, 10**9, k))
        # 10**8 < 31**6: an organisation-code body (8 digits, or MA + 6 characters) is unique
        self.org_serials = Unique(rng, lambda k: rng.integers(0, 10**8, k))
        self.county_code = strings([c for c, _, _ in COUNTIES])
        self.county_w = probabilities([w for _, _, w in COUNTIES])
        cities = [CITIES[c[:4]] for c, _, _ in COUNTIES]
        self.county_city_short = strings([c[2] for c in cities])
        self.county_area = strings([c[3] for c in cities])
        self.county_prefix = strings(
            [
                (p if p == city else p + city) + d
                for (p, city, _, _), (_, d, _) in zip(cities, COUNTIES, strict=True)
            ]
        )
        self.county_city_code = strings([c[:4] + "00" for c, _, _ in COUNTIES])
        self.county_bureau = strings(
            [
                (d if d.endswith("市") else city + d) + "市场监督管理局"
                for (_, city, _, _), (_, d, _) in zip(cities, COUNTIES, strict=True)
            ]
        )
        self.county_city_bureau = strings([c[1] + "市场监督管理局" for c in cities])
        self.county_court = strings(
            [
                (d if d.endswith("市") else city + d) + "人民法院"
                for (_, city, _, _), (_, d, _) in zip(cities, COUNTIES, strict=True)
            ]
        )
        self.county_city_court = strings([c[1] + "中级人民法院" for c in cities])

    # -- strings ---------------------------------------------------------------------------

    def counties(self, k: int) -> IntArr:
        """``k`` counties (indices into ``COUNTIES``), by weight."""
        return self.rng.choice(len(COUNTIES), size=k, p=self.county_w).astype(np.int64)

    def phones(self, k: int, county: IntArr | None = None, landline: float = 0.0) -> pa.Array:
        """k unique phone numbers; a share written as landlines of the county's area code."""
        mob = numstr(self.mobiles.take(k))
        if landline <= 0 or county is None:
            return mob
        land = concat(take(self.county_area, county), "-", numstr(self.landlines.take(k)))
        return where(self.rng.random(k) < landline, land, mob)

    def emails(self, k: int) -> pa.Array:
        """``k`` unique e-mail addresses."""
        ids = self.mail_ids.take(k)
        dom = take(strings(MAIL_DOMAINS), self.rng.integers(0, len(MAIL_DOMAINS), k))
        user = where(
            self.rng.random(k) < 0.5,
            numstr(ids),
            concat(
                take(strings(["zj", "shop", "biz", "kf", "hz"]), self.rng.integers(0, 5, k)),
                numstr(ids % 10**7),
            ),
        )
        return concat(user, "@", dom)

    def trade_names(self, k: int) -> tuple[IntArr, IntArr]:
        """``k`` two-character trade names, as indices into ``TRADE``."""
        v = len(TRADE)
        return self.rng.integers(0, v, k), self.rng.integers(0, v, k)

    def trade_str(self, t1: IntArr, t2: IntArr) -> pa.Array:
        """Trade names as strings."""
        chars = strings(list(TRADE))
        return concat(take(chars, t1), take(chars, t2))

    def person_names(self, k: int) -> pa.Array:
        """``k`` Chinese person names (frequent surnames more often)."""
        rng = self.rng
        ns = len(SURNAMES)
        sw = probabilities(1.0 / np.arange(1, ns + 1) ** 0.8)
        surname = take(strings(list(SURNAMES)), rng.choice(ns, size=k, p=sw))
        compound = rng.random(k) < 0.004
        surname = where(
            compound,
            take(strings(COMPOUND_SURNAMES), rng.integers(0, len(COMPOUND_SURNAMES), k)),
            surname,
        )
        given = strings(list(GIVEN))
        g1 = take(given, rng.integers(0, len(GIVEN), k))
        g2 = take(given, rng.integers(0, len(GIVEN), k))
        two = rng.random(k) < 0.7
        return concat(surname, g1, where(two, g2, ""))

    def office_addresses(self, county: IntArr, park: float = 0.15) -> pa.Array:
        """浙江省杭州市余杭区文一西路969号3幢201室, sometimes with a (XX园区) part."""
        rng = self.rng
        k = len(county)
        road = take(strings(ROADS), rng.integers(0, len(ROADS), k))
        no = numstr(rng.integers(1, 1500, k))
        bldg = where(rng.random(k) < 0.6, concat(numstr(rng.integers(1, 25, k)), "幢"), "")
        floor = rng.integers(1, 28, k)
        room = concat(numstr(floor * 100 + rng.integers(1, 30, k)), "室")
        parks = concat(
            "(",
            self.trade_str(*self.trade_names(k)),
            take(strings(PARKS), rng.integers(0, len(PARKS), k)),
            ")",
        )
        parkpart = where(rng.random(k) < park, parks, "")
        return concat(take(self.county_prefix, county), road, no, "号", parkpart, bldg, room)

    def home_addresses(self, county: IntArr) -> pa.Array:
        """A residential address in each county (estate, building, unit, room)."""
        rng = self.rng
        k = len(county)
        road = take(strings(ROADS), rng.integers(0, len(ROADS), k))
        estate = concat(
            self.trade_str(*self.trade_names(k)),
            take(strings(ESTATES), rng.integers(0, len(ESTATES), k)),
        )
        return concat(
            take(self.county_prefix, county),
            road,
            numstr(rng.integers(1, 999, k)),
            "号",
            estate,
            numstr(rng.integers(1, 40, k)),
            "幢",
            numstr(rng.integers(1, 6, k)),
            "单元",
            numstr(rng.integers(1, 33, k) * 100 + rng.integers(1, 5, k)),
            "室",
        )

    def add_variant(self, canonical: str, kind: int | None = None) -> str:
        """``canonical`` written another way, recorded for the ground truth."""
        k = int(self.rng.integers(0, 3)) if kind is None else kind
        v = _variant(canonical, k)
        if v == canonical:
            v = _variant(canonical, 0)
        if v != canonical:
            self.variants[v] = canonical
        return v

    def variant_column(self, col: pa.Array, rows: IntArr) -> pa.Array:
        """Rewrite col[rows] in a variant spelling (ground truth keeps the pair)."""
        if len(rows) == 0:
            return col
        values = col.to_numpy(zero_copy_only=False).astype(object)
        for r in rows:
            if values[r] is not None:
                values[r] = self.add_variant(str(values[r]))
        return array(values, type=pa.string())
