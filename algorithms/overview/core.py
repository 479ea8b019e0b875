"""Counts by region and month from records that carry a region code and a date.

A *record* is one listing, violation, restriction in force, brushing ring, shell cluster or
alert,
with the region code of its subject (a 6-digit division code, e.g. ``330106``), the month
it began (``YYYY-MM``) and the entity it concerns. :func:`tally` groups them by the region
code cut to a level (``2`` province, ``4`` city, ``6`` county) and month, and keeps the
entities of each cell so an officer can drill down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["KINDS", "Cell", "Record", "tally"]

KINDS = ("listings", "violations", "restrictions", "rings", "shells", "alerts")


@dataclass(frozen=True)
class Record:
    """One countable thing: its kind, region code, month (``YYYY-MM``) and entity uid."""

    kind: str
    region: str | None
    month: str | None
    entity: str


@dataclass
class Cell:
    """The counts of one (region, month) and the entities behind them, by kind."""

    region: str
    month: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    entities: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def tally(records: Iterable[Record], level: int = 4) -> list[Cell]:
    """Cells by (region cut to ``level`` digits, month), sorted; unknowns as ``"unknown"``.

    Examples
    --------
    >>> cells = tally([Record("listings", "330106", "2024-06", "biz:a"),
    ...                Record("listings", "330110", "2024-06", "biz:b"),
    ...                Record("rings", "330200", "2024-07", "ring:1")], level=4)
    >>> [(c.region, c.month, c.counts["listings"], c.counts["rings"]) for c in cells]
    [('3301', '2024-06', 2, 0), ('3302', '2024-07', 0, 1)]
    """
    if level not in (2, 4, 6):
        raise ValueError("level must be 2 (province), 4 (city) or 6 (county)")
    cells: dict[tuple[str, str], Cell] = {}
    for r in records:
        region = r.region[:level] if r.region and r.region[:level].isdigit() else "unknown"
        month = r.month or "unknown"
        cell = cells.get((region, month))
        if cell is None:
            cell = cells[(region, month)] = Cell(region, month)
        cell.counts[r.kind] = cell.counts.get(r.kind, 0) + 1
        cell.entities[r.kind].append(r.entity)
    return [cells[k] for k in sorted(cells)]
