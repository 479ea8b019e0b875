"""The regional overview read through the store port (a batch read over the records).

Records: listings (region of the listing, month decided, the listed subject), violations
(likewise, the penalised subject), restrictions in force on ``at`` (region of the bound
subject, month the restriction began), brushing rings and shell clusters not dismissed
(the commonest region among their stores or businesses, month first detected).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from algorithms.overview.core import Cell, Record, tally
from graph.model import Projection, as_date
from graph.store import GraphStore

__all__ = ["overview", "records"]


def _month(value: Any) -> str | None:
    day = as_date(value)
    return f"{day.year:04d}-{day.month:02d}" if day else None


def _prop(projection: Projection, name: str, i: int) -> Any:
    column = projection.node_props.get(name)
    return None if column is None else column[i]


def _groups(store: GraphStore, label: str, at: date) -> list[Record]:
    kind = "rings" if label == "BrushingRing" else "shells"
    projection = store.project(
        ["MEMBER_OF"], node_props=("region", "status", "first_seen"), node_labels=[label]
    )
    regions: dict[int, Counter[str]] = defaultdict(Counter)
    for s, d in zip(projection.src.tolist(), projection.dst.tolist(), strict=True):
        region = _prop(projection, "region", s)
        if region:
            regions[d][str(region)] += 1
    out = []
    for i, uid in enumerate(projection.uids.tolist()):
        if projection.labels[i] != label or _prop(projection, "status", i) == "dismissed":
            continue
        first = as_date(_prop(projection, "first_seen", i))
        if first is not None and first > at:
            continue
        common = regions[i].most_common(1)
        out.append(Record(kind, common[0][0] if common else None, _month(first), str(uid)))
    return out


def records(store: GraphStore, at: date) -> list[Record]:
    """Every countable record on ``at`` (see the module docstring)."""
    out: list[Record] = []
    listings = store.project(
        [], node_props=("region", "decided", "subject_uid"), node_labels=["Listing"]
    )
    for i, _uid in enumerate(listings.uids.tolist()):
        decided = as_date(_prop(listings, "decided", i))
        if decided is None or decided <= at:
            out.append(
                Record(
                    "listings",
                    _prop(listings, "region", i),
                    _month(decided),
                    str(_prop(listings, "subject_uid", i)),
                )
            )
    violations = store.project(
        ["PENALISED"], node_props=("region", "decided"), node_labels=["Violation"]
    )
    subject_of = {
        d: str(violations.uids[s])
        for s, d in zip(violations.src.tolist(), violations.dst.tolist(), strict=True)
    }
    for i, uid in enumerate(violations.uids.tolist()):
        if violations.labels[i] != "Violation":
            continue
        decided = as_date(_prop(violations, "decided", i))
        if decided is None or decided <= at:
            out.append(
                Record(
                    "violations",
                    _prop(violations, "region", i),
                    _month(decided),
                    subject_of.get(i, str(uid)),
                )
            )
    bound = store.project(
        ["RESTRICTS"], node_props=("region", "valid_from", "valid_to", "superseded_at", "run_uid")
    )
    for s, d in zip(bound.src.tolist(), bound.dst.tolist(), strict=True):
        start = as_date(_prop(bound, "valid_from", s))
        end = as_date(_prop(bound, "valid_to", s))
        if _prop(bound, "superseded_at", s) is not None or _prop(bound, "run_uid", s):
            continue  # superseded, or written by a batched run not finished yet
        if (start and start > at) or (end and end <= at):
            continue
        out.append(
            Record("restrictions", _prop(bound, "region", d), _month(start), str(bound.uids[d]))
        )
    out += _groups(store, "BrushingRing", at)
    out += _groups(store, "ShellCluster", at)
    return out


def overview(store: GraphStore, at: date, level: int = 4) -> list[Cell]:
    """Counts by region (cut to ``level`` digits) and month, with the entities behind them."""
    return tally(records(store, at), level)
