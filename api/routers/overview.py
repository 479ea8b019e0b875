"""Officers: the regional overview (监管态势) and the entities behind each count.

Counts of listings, violations, restrictions in force, brushing rings, shell clusters and
alerts by region (province, city or county) and month (``algorithms/overview``), then a
drill-down to the entities of one cell. A batch read over those records, made on each
request. Alerts (every key's, from the API's SQLite file) count in the region of the
entity whose change raised them, in the month they were made.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from algorithms.overview.core import KINDS, Cell, Record, tally
from algorithms.overview.service import records
from api.alerts import AlertStore
from api.deps import ApiState, OfficerKey, StateDep
from api.errors import PROBLEM_RESPONSES
from graph.render import display_name

__all__ = ["router"]

router = APIRouter(prefix="/v1/overview", tags=["officer"], responses=PROBLEM_RESPONSES)

Level = Annotated[int, Query(ge=2, le=6, multiple_of=2, description="2 province, 4 city, 6 county")]
Kind = Literal["listings", "violations", "restrictions", "rings", "shells", "alerts"]


def _alert_records(state: ApiState, at: date) -> list[Record]:
    alerts = state.extras.get("alerts")
    if not isinstance(alerts, AlertStore):
        return []
    rows = alerts.overview_rows(at.isoformat())
    nodes = state.store.get_nodes(sorted({subject for subject, _ in rows}))
    region = {n.uid: n.get("region") for n in nodes}
    return [
        Record("alerts", str(region[s]) if region.get(s) else None, month, s) for s, month in rows
    ]


def overview(state: ApiState, at: date, level: int) -> list[Cell]:
    """The store's records and the alerts, by region and month."""
    return tally(records(state.store, at) + _alert_records(state, at), level)


class CellOut(BaseModel):
    """The counts of one region and month."""

    region: str
    month: str
    counts: dict[str, int]


class OverviewOut(BaseModel):
    """Counts by region and month, and their totals by kind."""

    at: date
    level: int
    cells: list[CellOut]
    totals: dict[str, int]


class EntityRef(BaseModel):
    """An entity behind a count."""

    uid: str
    name: str
    label: str


class DrillOut(BaseModel):
    """The entities of one cell and kind (each once, in uid order)."""

    region: str
    month: str
    kind: str
    total: int
    entities: list[EntityRef] = Field(description="At most `limit` of them")


@router.get("", response_model=OverviewOut, summary="Counts by region and month")
async def get_overview(
    key: OfficerKey,
    state: StateDep,
    level: Level = 4,
    at: Annotated[date | None, Query(description="as of this day (today)")] = None,
) -> OverviewOut:
    """Listings and violations by month decided, restrictions in force by month begun, rings
    and shell clusters (not dismissed) by month first detected, alerts by month made."""
    day = at or date.today()
    cells = await run_in_threadpool(overview, state, day, level)
    totals = {k: sum(c.counts.get(k, 0) for c in cells) for k in KINDS}
    return OverviewOut(
        at=day,
        level=level,
        cells=[CellOut(region=c.region, month=c.month, counts=dict(c.counts)) for c in cells],
        totals=totals,
    )


@router.get("/entities", response_model=DrillOut, summary="The entities behind one count")
async def drill_down(
    key: OfficerKey,
    state: StateDep,
    region: Annotated[str, Query(pattern=r"^(\d{2}|\d{4}|\d{6}|unknown)$")],
    month: Annotated[str, Query(pattern=r"^(\d{4}-\d{2}|unknown)$")],
    kind: Kind,
    at: Annotated[date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DrillOut:
    """Names resolved; a person by name or masked id number."""
    day = at or date.today()
    level = len(region) if region != "unknown" else 4
    cells = await run_in_threadpool(overview, state, day, level)
    found = next((c for c in cells if c.region == region and c.month == month), None)
    uids = sorted(set(found.entities.get(kind, []))) if found else []
    nodes = await run_in_threadpool(state.store.get_nodes, uids[:limit])
    return DrillOut(
        region=region,
        month=month,
        kind=kind,
        total=len(uids),
        entities=[EntityRef(uid=n.uid, name=display_name(n), label=n.label) for n in nodes],
    )
