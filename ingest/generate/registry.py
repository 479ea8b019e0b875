"""The business register: businesses and people.

Domestic businesses with GB 32100 credit codes (USCC), names, statuses, addresses, phones and
e-mails; the planted shell clusters (one address, shared phones and e-mails, registered within
30 days) and the legitimate registration-agent hubs; foreign offshore holders; people with
resident id numbers that python-stdnum accepts, passports and other ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.generate.columns import (
    FloatArr,
    IntArr,
    Unique,
    array,
    concat,
    floats,
    group_sizes,
    iso_dates,
    later_dups,
    nulls,
    numstr,
    probabilities,
    str_list,
    strings,
    take,
    where,
)
from ingest.generate.context import Gen
from ingest.generate.vocab import (
    CITIES,
    COMPANY_SUFFIX,
    COUNTIES,
    EPOCH,
    INDUSTRIES,
    ROADS,
    TRADE,
    day_of,
)

__all__ = [
    "Businesses",
    "People",
    "USCC_ALPHABET",
    "business_columns",
    "make_businesses",
    "make_people",
    "pick_people",
    "rics",
    "usccs",
]


# Resident-id region codes with the birth years python-stdnum accepts for them
# (GB/T 2260 as of that year). 0 = open.
_RIC_CODES: tuple[tuple[str, int, int], ...] = (
    ("330102", 1983, 0),
    ("330105", 1983, 0),
    ("330106", 1983, 0),
    ("330108", 1996, 0),
    ("330110", 2001, 0),
    ("330122", 0, 0),
    ("330127", 0, 0),
    ("330121", 0, 1987),
    ("330123", 0, 1994),
    ("330124", 0, 1996),
    ("330125", 0, 1994),
    ("330126", 0, 1992),
    ("330181", 1989, 2001),
    ("330182", 1992, 0),
    ("330120", 0, 1983),
    ("330203", 1983, 0),
    ("330205", 1983, 0),
    ("330211", 1985, 0),
    ("330225", 1983, 0),
    ("330226", 1983, 0),
    ("330227", 1983, 2002),
    ("330281", 1989, 0),
    ("330282", 1989, 0),
    ("330220", 0, 1983),
    ("330302", 1984, 0),
    ("330303", 1984, 0),
    ("330324", 1981, 0),
    ("330326", 1981, 0),
    ("330327", 1981, 0),
    ("330328", 1981, 0),
    ("330381", 1989, 0),
    ("330382", 1993, 0),
    ("330320", 0, 1983),
    ("330402", 1983, 0),
    ("330411", 1983, 0),
    ("330421", 1983, 0),
    ("330424", 1983, 0),
    ("330481", 1989, 0),
    ("330521", 1983, 0),
    ("330522", 1983, 0),
    ("330523", 1983, 0),
    ("330602", 1983, 0),
    ("330621", 1983, 2013),
    ("330624", 1983, 0),
    ("330681", 1989, 0),
    ("330702", 1985, 0),
    ("330723", 1985, 0),
    ("330726", 1985, 0),
    ("330782", 1989, 0),
    ("330783", 1989, 0),
    ("330784", 1992, 0),
    ("330802", 1985, 0),
    ("330822", 1985, 0),
    ("330824", 1985, 0),
    ("330881", 1989, 0),
    ("330902", 1987, 0),
    ("330903", 1987, 0),
    ("331002", 1994, 0),
    ("331003", 1994, 0),
    ("331022", 1994, 0),
    ("331081", 1994, 0),
    ("331102", 2000, 0),
    ("331121", 2000, 0),
    ("310101", 0, 0),
    ("310104", 0, 0),
    ("310105", 0, 0),
    ("310106", 0, 0),
    ("310110", 0, 0),
    ("110101", 0, 0),
    ("110105", 0, 0),
    ("440305", 1983, 0),
    ("350203", 1983, 0),
)

_FOREIGN: tuple[tuple[str, int, str], ...] = (
    ("HK", 7, "Limited"),
    ("VG", 7, "Ltd."),
    ("KY", 6, "Holdings"),
    ("SG", 9, "Pte. Ltd."),
    ("US-DE", 7, "Inc."),
)
_FOREIGN_WORDS = (
    "Star",
    "Ocean",
    "Golden",
    "Pacific",
    "Dragon",
    "Harbour",
    "Summit",
    "Bright",
    "Jade",
    "Eastern",
    "Silver",
    "Crown",
    "Lotus",
    "Phoenix",
    "Crystal",
    "Great",
    "Union",
    "Prime",
)
_FOREIGN_KINDS = ("Holdings", "Investment", "Capital", "Trading", "International", "Group")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array(
    [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64
)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)

_BIZ_STATUS = ("active", "abnormal", "revoked", "cancelled")


@dataclass
class Businesses:
    """Businesses as aligned arrays; domestic ones first, foreign ones after ``domestic``."""

    ids: pa.Array
    county: IntArr  # -1 for foreign
    est: IntArr
    status: IntArr  # index into _BIZ_STATUS, -1 foreign
    capital: FloatArr
    address: pa.Array
    phone: pa.Array
    email: pa.Array
    t1: IntArr
    t2: IntArr
    names: pa.Array
    domestic: int
    cluster_of: IntArr  # cluster index or -1
    hub_of: IntArr  # hub index or -1
    agent_of: IntArr  # registration agent (person idx) or -1
    industry: IntArr  # index into INDUSTRIES, -1 foreign


@dataclass
class People:
    """People as aligned arrays, and who may be picked for which part."""

    ids: pa.Array
    county: IntArr
    phone: pa.Array
    ordinary: IntArr  # indices eligible as holders, reps, operators
    serial: IntArr  # serial entrepreneurs (picked far more often)
    agents: IntArr


def usccs(g: Gen, county: IntArr, established: IntArr) -> pa.Array:
    """GB 32100-2015 codes: 9 (registration authority) 1 (enterprise), county code,
    organisation code (GB 11714: 8 characters + check; ``MA...`` for registrations after
    the 2015 reform), check character."""
    k = len(county)
    serial = g.org_serials.take(k)
    codes = np.array([c for c, _, _ in COUNTIES], dtype="S6")[county]
    chars = np.zeros((k, 18), dtype=np.uint8)
    chars[:, 0] = ord("9")
    chars[:, 1] = ord("1")
    chars[:, 2:8] = codes.view(np.uint8).reshape(k, 6)
    # organisation code body
    new = established >= day_of("2015-10-01")
    digits = serial % 10**8
    for i in range(8):
        chars[:, 8 + 7 - i] = ord("0") + (digits // 10**i) % 10
    alpha = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    chars[new, 8] = ord("M")
    chars[new, 9] = ord("A")
    rest = serial[new]
    for i in range(6):
        chars[new, 10 + 5 - i] = alpha[(rest // 31**i) % 31]
    value = np.zeros(256, dtype=np.int64)
    for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        value[ord(ch)] = i
    total = (value[chars[:, 8:16]] * _ORG_WEIGHTS).sum(axis=1)
    check = 11 - total % 11
    chars[:, 16] = np.where(
        check == 10, ord("X"), np.where(check == 11, ord("0"), ord("0") + check % 10)
    )
    uvalue = np.zeros(256, dtype=np.int64)
    for i, ch in enumerate(USCC_ALPHABET):
        uvalue[ord(ch)] = i
    utotal = (uvalue[chars[:, :17]] * _USCC_WEIGHTS).sum(axis=1)
    chars[:, 17] = alpha[(31 - utotal % 31) % 31]
    return array(chars.view("S18").ravel()).cast(pa.string())


def rics(g: Gen, k: int) -> tuple[pa.Array, IntArr]:
    """Resident id numbers valid for python-stdnum; returns the ids and their city index."""
    rng = g.rng
    years = np.arange(1950, 2004)
    yw = probabilities(np.exp(-(((years - 1980) / 14.0) ** 2)))
    codes = np.array([c for c, _, _ in _RIC_CODES])
    first = np.array([f for _, f, _ in _RIC_CODES])
    last = np.array([la if la else 9999 for _, _, la in _RIC_CODES])
    out = np.zeros((k, 18), dtype=np.uint8)
    keys = np.zeros(k, dtype=np.int64)
    code_of = np.zeros(k, dtype=np.int64)
    todo = np.arange(k)
    while len(todo):
        m = len(todo)
        year = rng.choice(years, size=m, p=yw)
        code_idx = np.zeros(m, dtype=np.int64)
        for y in np.unique(year):
            ok = np.flatnonzero((first <= y) & (last >= y))
            sel = year == y
            code_idx[sel] = ok[rng.integers(0, len(ok), int(sel.sum()))]
        jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        dec31 = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - 1
        day = np.minimum(jan1 + rng.integers(0, 365, m), dec31)
        month = day.astype("datetime64[M]")
        mm = month.astype(np.int64) % 12 + 1
        dd = (day - month.astype("datetime64[D]")).astype(np.int64) + 1
        seq = rng.integers(0, 1000, m)
        code_of[todo] = code_idx
        keys[todo] = (code_idx * 40_000 + (day - EPOCH).astype(np.int64) + 10_000) * 1000 + seq
        block = np.zeros((m, 17), dtype=np.uint8)
        block[:, :6] = codes.astype("S6")[code_idx].view(np.uint8).reshape(m, 6)
        for pos, (val, width) in enumerate(((year, 4), (mm, 2), (dd, 2), (seq, 3))):
            start = 6 + sum((4, 2, 2, 3)[:pos])
            for i in range(width):
                block[:, start + width - 1 - i] = ord("0") + (val // 10**i) % 10
        out[todo, :17] = block
        todo = np.flatnonzero(later_dups(keys))
    digits = out[:, :17].astype(np.int64) - ord("0")
    check = (12 - (digits * _RIC_WEIGHTS).sum(axis=1) % 11) % 11
    out[:, 17] = np.where(check == 10, ord("X"), ord("0") + check)
    ids = array(out.view("S18").ravel()).cast(pa.string())
    city_of = {c: i for i, c in enumerate(CITIES)}
    city = np.array([city_of.get(c[:4], 0) for c in codes.tolist()], dtype=np.int64)
    return ids, city[code_of]


def _pick_counties_in_city(g: Gen, city: IntArr) -> IntArr:
    """A current county (index into COUNTIES) in each given city (index into CITIES)."""
    city_keys = list(CITIES)
    by_city: dict[int, list[int]] = {}
    for i, (c, _, _) in enumerate(COUNTIES):
        by_city.setdefault(city_keys.index(c[:4]), []).append(i)
    out = np.zeros(len(city), dtype=np.int64)
    for ci, members in by_city.items():
        sel = city == ci
        out[sel] = np.array(members)[g.rng.integers(0, len(members), int(sel.sum()))]
    return out


def make_businesses(g: Gen, people_count: int) -> tuple[Businesses, dict[str, Any]]:
    """Businesses with their shell clusters, hubs and registration agents; returns them and the
    planted truth.
    """
    rng, n = g.rng, g.n
    n_for = max(1, round(0.02 * n))
    nd = n - n_for
    county = g.counties(nd)
    u = rng.random(nd)
    est = (day_of("1995-01-01") + (day_of("2025-03-31") - day_of("1995-01-01")) * u**0.6).astype(
        np.int64
    )
    status = rng.choice(4, size=nd, p=[0.85, 0.06, 0.04, 0.05]).astype(np.int64)
    capital = rng.choice(
        np.array([1e5, 3e5, 5e5, 1e6, 2e6, 3e6, 5e6, 1e7, 5e7, 1e8]),
        size=nd,
        p=probabilities([10, 8, 14, 22, 10, 8, 12, 9, 5, 2]),
    )

    # shell clusters ---------------------------------------------------------------------------
    perm = rng.permutation(nd)
    n_clusters = max(3, round(n / 400))
    sizes = group_sizes(rng, n_clusters, 3, 30, 0.18)
    while sizes.sum() > 0.25 * nd:  # tiny runs: keep clusters a minority
        sizes = np.maximum(3, sizes // 2)
    cluster_members = perm[: sizes.sum()]
    cluster_of = np.full(n, -1, dtype=np.int64)
    cluster_of[cluster_members] = np.repeat(np.arange(n_clusters), sizes)
    c_start = rng.integers(day_of("2017-01-01"), day_of("2025-01-01"), n_clusters)
    c_county = g.counties(n_clusters)
    est[cluster_members] = c_start[cluster_of[cluster_members]] + rng.integers(
        0, 30, len(cluster_members)
    )
    county[cluster_members] = c_county[cluster_of[cluster_members]]
    status[cluster_members] = rng.choice(4, size=len(cluster_members), p=[0.45, 0.4, 0.08, 0.07])
    capital[cluster_members] = rng.choice(np.array([1e6, 5e6, 1e7]), len(cluster_members))

    # registration-agent hubs (legitimate sharing) ------------------------------------------
    n_hubs = max(2, round(n / 20000))
    hub_size = int(np.clip(0.02 * n, 20, 800) * (1 + 2 * g.noise))
    hub_size = max(1, min(hub_size, (nd - len(cluster_members)) // (2 * n_hubs)))
    hub_members = perm[len(cluster_members) : len(cluster_members) + n_hubs * hub_size]
    hub_of = np.full(n, -1, dtype=np.int64)
    hub_of[hub_members] = np.repeat(np.arange(n_hubs), hub_size)
    hub_county = rng.choice(
        np.flatnonzero(np.char.startswith(np.array([c for c, _, _ in COUNTIES]), "3301")), n_hubs
    )
    county[hub_members] = hub_county[hub_of[hub_members]]
    est[hub_members] = rng.integers(day_of("2016-01-01"), day_of("2025-03-31"), len(hub_members))

    # names: city + trade name + industry + suffix, unique
    ni, ns, nv = len(INDUSTRIES), len(COMPANY_SUFFIX), len(TRADE)
    t1, t2 = g.trade_names(nd)
    ind = rng.integers(0, ni, nd)
    suf = rng.integers(0, ns, nd)
    todo = np.arange(nd)
    while len(todo):
        t1[todo], t2[todo] = g.trade_names(len(todo))
        ind[todo] = rng.integers(0, ni, len(todo))
        key = ((county * nv + t1) * nv + t2) * ni + ind
        todo = np.flatnonzero(later_dups(key))
    name = concat(
        take(g.county_city_short, county),
        g.trade_str(t1, t2),
        take(strings(INDUSTRIES), ind),
        take(strings(COMPANY_SUFFIX), suf),
    )
    ids = usccs(g, county, est)
    address = g.office_addresses(county)
    phone = g.phones(nd, county, landline=0.4)
    phone = where(rng.random(nd) < 0.88, phone)
    email = where(rng.random(nd) < 0.45, g.emails(nd))

    # clusters share an address, 1-3 phones, 1-2 e-mails -----------------------------------
    c_addr = g.office_addresses(c_county, park=0.3)
    members = cluster_members
    cm = cluster_of[members]
    addr_np = address.to_numpy(zero_copy_only=False).astype(object)
    c_addr_np = c_addr.to_numpy(zero_copy_only=False).astype(object)
    addr_np[members] = c_addr_np[cm]
    c_phones = g.phones(3 * n_clusters).to_numpy(zero_copy_only=False).astype(object)
    c_mails = g.emails(2 * n_clusters).to_numpy(zero_copy_only=False).astype(object)
    n_ph = rng.integers(1, 4, n_clusters)
    n_ml = rng.integers(1, 3, n_clusters)
    ph_pick = cm * 3 + rng.integers(0, 3, len(members)) % n_ph[cm]
    ml_pick = cm * 2 + rng.integers(0, 2, len(members)) % n_ml[cm]
    phone_np = phone.to_numpy(zero_copy_only=False).astype(object)
    email_np = email.to_numpy(zero_copy_only=False).astype(object)
    keep_ph = rng.random(len(members)) >= g.noise
    keep_ml = rng.random(len(members)) >= max(g.noise, 0.3)
    phone_np[members] = np.where(keep_ph, c_phones[ph_pick], None)
    email_np[members] = np.where(keep_ml, c_mails[ml_pick], None)
    # some members write the shared address or phone another way
    for r in members[rng.random(len(members)) < 0.2]:
        addr_np[r] = g.add_variant(str(addr_np[r]))
    for r in members[rng.random(len(members)) < 0.1]:
        if phone_np[r] is not None and "-" not in str(phone_np[r]):
            written = "+86 " + str(phone_np[r])
            g.phone_variants[written] = str(phone_np[r])
            phone_np[r] = written

    # hubs: one address, an agent phone used by a third of the tenants ----------------------
    hub_addr = concat(
        take(g.county_prefix, hub_county),
        take(strings(ROADS), rng.integers(0, len(ROADS), n_hubs)),
        numstr(rng.integers(1, 2000, n_hubs)),
        "号",
        numstr(rng.integers(1, 12, n_hubs)),
        "幢",
        take(strings(["(集群注册)", "(商务秘书地址)", "(住所托管)"]), rng.integers(0, 3, n_hubs)),
    ).to_pylist()
    n_hub_phones = n_hubs * (1 + round(2 * g.noise))
    hub_phones = g.phones(n_hub_phones, np.tile(hub_county, n_hub_phones // n_hubs), 1.0)
    hub_phones_l = [str(p) for p in hub_phones.to_pylist()]
    hm = hub_members
    addr_np[hm] = np.array(hub_addr, dtype=object)[hub_of[hm]]
    use_hub_phone = rng.random(len(hm)) < 0.3 + 0.3 * g.noise
    hub_phone_pick = hub_of[hm] + n_hubs * rng.integers(0, n_hub_phones // n_hubs, len(hm))
    phone_np[hm] = np.where(
        use_hub_phone, np.array(hub_phones_l, dtype=object)[hub_phone_pick], phone_np[hm]
    )

    # foreign offshore holders ---------------------------------------------------------------
    fj = rng.integers(0, len(_FOREIGN), n_for)
    # registry numbers: a unique 6-digit head, padded to the jurisdiction's width
    head = Unique(rng, lambda k: rng.integers(10**5, 10**6, k)).take(n_for)
    width = np.array([w for _, w, _ in _FOREIGN])[fj]
    fser = head * 10 ** (width - 6) + rng.integers(0, 1000, n_for) % 10 ** (width - 6)
    fid = [
        f"{_FOREIGN[j][0]}:{int(s) % 10 ** _FOREIGN[j][1]:0{_FOREIGN[j][1]}d}"
        for j, s in zip(fj.tolist(), fser.tolist(), strict=True)
    ]
    w = _FOREIGN_WORDS
    fname = [
        f"{w[a]} {w[b]} {_FOREIGN_KINDS[c]} {_FOREIGN[j][2]}"
        for a, b, c, j in zip(
            rng.integers(0, len(w), n_for).tolist(),
            rng.integers(0, len(w), n_for).tolist(),
            rng.integers(0, len(_FOREIGN_KINDS), n_for).tolist(),
            fj.tolist(),
            strict=True,
        )
    ]
    f_est = rng.integers(day_of("1990-01-01"), day_of("2020-01-01"), n_for)

    all_ids = pa.concat_arrays([ids, strings(fid)])
    if len(pc.unique(all_ids)) != n:  # foreign ids drawn from distinct serials: never
        raise AssertionError("duplicate business ids")
    biz = Businesses(
        ids=all_ids,
        county=np.concatenate([county, np.full(n_for, -1)]),
        est=np.concatenate([est, f_est]),
        status=np.concatenate([status, np.full(n_for, -1)]),
        capital=np.concatenate([capital, np.full(n_for, np.nan)]),
        address=pa.concat_arrays([array(addr_np, type=pa.string()), nulls(n_for)]),
        phone=pa.concat_arrays([array(phone_np, type=pa.string()), nulls(n_for)]),
        email=pa.concat_arrays([array(email_np, type=pa.string()), nulls(n_for)]),
        t1=np.concatenate([t1, np.zeros(n_for, dtype=np.int64)]),
        t2=np.concatenate([t2, np.zeros(n_for, dtype=np.int64)]),
        names=pa.concat_arrays([name, strings(fname)]),
        domestic=nd,
        cluster_of=cluster_of,
        hub_of=hub_of,
        agent_of=np.full(n, -1, dtype=np.int64),
        industry=np.concatenate([ind, np.full(n_for, -1)]),
    )
    n_agents = max(3, round(n / 2000))
    agents = np.arange(people_count - n_agents, people_count)  # last people are agents
    hub_agents = agents[rng.integers(0, n_agents, (n_hubs, 3))]
    biz.agent_of[hm] = hub_agents[hub_of[hm], rng.integers(0, 3, len(hm))]
    extra = rng.random(nd) < 0.02
    extra &= biz.agent_of[:nd] < 0
    biz.agent_of[:nd][extra] = agents[rng.integers(0, n_agents, int(extra.sum()))]
    clusters = [str_list(all_ids, members[cm == c]) for c in range(n_clusters)]
    info = {
        "shell_clusters": clusters,
        "hub_addresses": hub_addr,
        "hub_phones": hub_phones_l,
        "registration_agents_idx": agents,
    }
    return biz, info


def business_columns(g: Gen, biz: Businesses) -> dict[str, pa.Array]:
    """The ``businesses`` file's columns (foreign businesses without status or region)."""
    return {
        "business_id": biz.ids,
        "name": biz.names,
        "status": where(biz.status >= 0, take(strings(_BIZ_STATUS), np.maximum(biz.status, 0))),
        "established": iso_dates(biz.est),
        "registered_capital": floats(biz.capital, biz.status >= 0),
        "region": where(biz.county >= 0, take(g.county_code, np.maximum(biz.county, 0))),
        "address": biz.address,
        "phone": biz.phone,
        "email": biz.email,
    }


def make_people(g: Gen, count: int) -> tuple[People, dict[str, pa.Array]]:
    """People (the last ones are registration agents); returns them and the ``people`` file's
    columns.
    """
    rng = g.rng
    ids, city = rics(g, count)
    county = _pick_counties_in_city(g, city)
    id_type = np.zeros(count, dtype=np.int64)  # 0 ric, 1 passport, 2 other
    n_agents = max(3, round(g.n / 2000))
    body = np.arange(count - n_agents)
    kind = rng.random(len(body))
    passport = body[kind < 0.01]
    other = body[(kind >= 0.01) & (kind < 0.013)]
    id_type[passport] = 1
    id_type[other] = 2
    ids_np = ids.to_numpy(zero_copy_only=False).astype(object)
    pser = Unique(rng, lambda k: rng.integers(0, 10**8, k)).take(len(passport) + len(other))
    letters = np.array(list("EGPK"))[rng.integers(0, 4, len(passport))]
    ids_np[passport] = [f"{a}{int(s) % 10**8:08d}" for a, s in zip(letters, pser, strict=False)]
    ids_np[other] = [f"H{int(s) % 10**8:08d}" for s in pser[len(passport) :]]
    names = g.person_names(count).to_numpy(zero_copy_only=False).astype(object)
    w = _FOREIGN_WORDS
    foreign_names = rng.random(len(passport)) < 0.5
    first = ("John", "Mary", "David", "Linda", "Kenji", "Anna", "Peter", "Grace", "Tom", "Wei")
    names[passport[foreign_names]] = [
        f"{first[a]} {w[b]}"
        for a, b in zip(
            rng.integers(0, len(first), int(foreign_names.sum())).tolist(),
            rng.integers(0, len(w), int(foreign_names.sum())).tolist(),
            strict=True,
        )
    ]
    region = take(g.county_code, county)
    region = where(id_type != 1, region)
    phone = where(rng.random(count) < 0.75, g.phones(count))
    email = where(rng.random(count) < 0.3, g.emails(count))
    ids = array(ids_np, type=pa.string())
    ordinary = body[id_type[body] != 2]
    serial = rng.choice(ordinary, size=max(1, len(ordinary) // 30), replace=False)
    people = People(
        ids=ids,
        county=county,
        phone=phone,
        ordinary=ordinary,
        serial=serial,
        agents=np.arange(count - n_agents, count),
    )
    cols = {
        "person_id": ids,
        "name": array(names, type=pa.string()),
        "id_type": take(strings(["ric", "passport", "other"]), id_type),
        "region": region,
        "phone": phone,
        "email": email,
    }
    return people, cols


def pick_people(g: Gen, p: People, k: int) -> IntArr:
    """Holders, directors ...: mostly ordinary people, a quarter from serial entrepreneurs."""
    rng = g.rng
    out = p.ordinary[rng.integers(0, len(p.ordinary), k)]
    ser = rng.random(k) < 0.25
    out[ser] = p.serial[rng.integers(0, len(p.serial), int(ser.sum()))]
    return out
