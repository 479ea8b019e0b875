"""An offshore registry slice of our own (no third-party data): ``generate(..., offshore=N)``.

Written to ``OUT/offshore/`` as its own input directory (``businesses``, ``people``,
``roles``, ``shareholdings`` with the columns real registers need) and
``OUT/offshore/ground_truth.json``; it refers to nothing in the main files, so it loads
alone or after them. Its random stream is its own (seeded from ``seed``), so the main
files of a seed are byte-for-byte what they were without it.

What it holds, for ``N`` companies:

* companies keyed with three-letter ISO 3166 codes (``VGB:``, ``CYM:``, ``PAN:`` ...);
* formation agents (``max(1, N // 40)``): a corporate-services company per agent, every
  one of its dozens of companies registered at the agent's address, most within 30 days,
  the agent company as their ``registration_agent`` (a company as officer);
* nominee-director companies (``max(1, N // 50)``) serving as directors of ~30% of them;
* officers with passport numbers, addresses (some written in full width) and e-mails;
* shareholdings mostly without a share (offshore registers rarely publish them), a
  fifth of companies with no shareholder at all, and sole holders with a share of 1;
* duplicates with conflicts: ``max(1, N // 25)`` companies given again at the end of
  ``businesses.csv`` in lower case with another name (the later row wins and is reported).
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["OFFSHORE_COLUMNS", "make_offshore"]

OFFSHORE_COLUMNS: dict[str, tuple[str, ...]] = {
    "businesses": ("business_id", "name", "status", "established", "address", "email"),
    "people": ("person_id", "name", "id_type", "address", "email"),
    "roles": ("holder_type", "holder_id", "business_id", "role", "since", "until"),
    "shareholdings": ("holder_type", "holder_id", "business_id", "share", "since", "until"),
}

_JURISDICTIONS = ("VGB", "CYM", "PAN", "SYC", "BHS", "BLZ", "MHL", "WSM")
_SUFFIX = {"PAN": "S.A.", "MHL": "Inc.", "BLZ": "Ltd.", "WSM": "Limited"}
_WORDS = (
    "Amber", "Azure", "Bright", "Cedar", "Coral", "Crest", "Delta", "Eagle", "Ever", "Falcon",
    "Golden", "Harbour", "Jade", "Lotus", "Maple", "Noble", "Ocean", "Orchid", "Pacific",
    "Pearl", "Phoenix", "Prime", "Royal", "Sapphire", "Silver", "Summit", "Sun", "Trident",
)  # fmt: skip
_TRADES = ("Holdings", "Investments", "Capital", "Trading", "Ventures", "Resources", "Global")
_GIVEN = ("Anna", "David", "Elena", "James", "Li", "Maria", "Mei", "Omar", "Peter", "Sofia")
_FAMILY = ("Chan", "Garcia", "Ivanova", "Kumar", "Lee", "Muller", "Rossi", "Smith", "Wong")
_STREETS = ("Wickhams Cay", "Main Street", "Harbour Road", "Queen's Road", "Calle 50")
_TOWNS = ("Road Town", "George Town", "Panama City", "Victoria", "Nassau", "Belize City")
_START = date(2012, 1, 2)


def _company_name(rng: np.random.Generator, jurisdiction: str) -> str:
    a, b = rng.choice(len(_WORDS), 2, replace=False)
    trade = _TRADES[int(rng.integers(len(_TRADES)))]
    return f"{_WORDS[a]} {_WORDS[b]} {trade} {_SUFFIX.get(jurisdiction, 'Limited')}"


def _address(rng: np.random.Generator, width: str = "half") -> str:
    number = int(rng.integers(1, 400))
    text = f"{number} {_STREETS[int(rng.integers(len(_STREETS)))]}, "
    text += _TOWNS[int(rng.integers(len(_TOWNS)))]
    if width == "full":  # the same address as a full-width form would write its digits
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    return text


def make_offshore(out_dir: Path, companies: int, seed: int) -> dict[str, Any]:
    """Write the offshore slice of ``companies`` companies to ``out_dir``; its ground truth."""
    if companies < 20:
        raise ValueError(f"offshore={companies}: need at least 20 companies")
    rng = np.random.default_rng([seed, 0x0FF5])
    rows: dict[str, list[list[str]]] = {name: [] for name in OFFSHORE_COLUMNS}
    serial = iter(range(1_000_001, 9_999_999))

    def company(jurisdiction: str) -> str:
        return f"{jurisdiction}:{next(serial)}"

    n_agents = max(1, companies // 40)
    agents: list[dict[str, Any]] = []
    for _ in range(n_agents):
        agent = company("HKG")
        address = f"Suite {int(rng.integers(100, 3000))}, " + _address(rng)
        name = f"{_WORDS[int(rng.integers(len(_WORDS)))]} Corporate Services Limited"
        rows["businesses"].append([agent, name, "active", "2005-06-01", address, ""])
        agents.append({"agent": agent, "address": address, "companies": []})
    nominees: list[str] = []
    for _ in range(max(1, companies // 50)):
        nominee = company("SYC")
        address = agents[len(nominees) % n_agents]["address"]
        name = f"{_WORDS[int(rng.integers(len(_WORDS)))]} Nominees Limited"
        rows["businesses"].append([nominee, name, "active", "2008-03-01", address, ""])
        nominees.append(nominee)

    people = []
    for i in range(max(5, companies // 2)):
        person_id = f"P{10_000_000 + 7919 * i + int(rng.integers(7919))}"  # unique
        name = (
            f"{_GIVEN[int(rng.integers(len(_GIVEN)))]} {_FAMILY[int(rng.integers(len(_FAMILY)))]}"
        )
        width = "full" if i % 7 == 0 else "half"
        email = f"{name.split()[0].lower()}.{i}@mail.example"
        rows["people"].append([person_id, name, "passport", _address(rng, width), email])
        people.append(person_id)

    ids, names = [], []
    unknown_shares = sole_holders = 0
    for i in range(companies):
        jurisdiction = _JURISDICTIONS[int(rng.integers(len(_JURISDICTIONS)))]
        uid = company(jurisdiction)
        office = agents[i % n_agents]
        burst = _START + timedelta(days=365 * (i % n_agents))
        late = rng.random() < 0.2
        established = burst + timedelta(days=int(rng.integers(400 if late else 25)))
        name = _company_name(rng, jurisdiction)
        rows["businesses"].append(
            [uid, name, "active", established.isoformat(), office["address"], ""]
        )
        ids.append(uid)
        names.append(name)
        office["companies"].append(uid)
        since = established.isoformat()
        rows["roles"].append(["business", office["agent"], uid, "registration_agent", since, ""])
        officer = people[int(rng.integers(len(people)))]
        rows["roles"].append(["person", officer, uid, "director", since, ""])
        if rng.random() < 0.3:
            nominee = nominees[int(rng.integers(len(nominees)))]
            rows["roles"].append(["business", nominee, uid, "director", since, ""])
        draw = rng.random()
        if draw < 0.2:
            continue  # no shareholder on the register
        if draw < 0.35:
            rows["shareholdings"].append(["person", officer, uid, "1", since, ""])
            sole_holders += 1
            continue
        holders = rng.choice(len(people), int(rng.integers(1, 3)), replace=False)
        for h in holders:
            rows["shareholdings"].append(["person", people[int(h)], uid, "", since, ""])
            unknown_shares += 1
        if i > 0 and rng.random() < 0.3:  # an earlier company holds it too, share unknown
            parent = ids[int(rng.integers(i))]
            rows["shareholdings"].append(["business", parent, uid, "", since, ""])
            unknown_shares += 1

    conflicts = []
    for k in rng.choice(companies, max(1, companies // 25), replace=False).tolist():
        row = rows["businesses"][n_agents + len(nominees) + int(k)]
        renamed = f"{names[int(k)].rsplit(' ', 1)[0]} (formerly {names[int(k)]})"
        rows["businesses"].append([row[0].lower(), renamed, *row[2:]])
        conflicts.append(row[0])

    out_dir.mkdir(parents=True, exist_ok=True)
    for name, columns in OFFSHORE_COLUMNS.items():
        with (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows[name])
    truth: dict[str, Any] = {
        "companies": companies,
        "formation_agents": agents,
        "nominee_directors": nominees,
        "conflicts": sorted(conflicts),
        "unknown_share_holdings": unknown_shares,
        "sole_holders": sole_holders,
        "rows": {name: len(r) for name, r in rows.items()},
    }
    (out_dir / "ground_truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth
