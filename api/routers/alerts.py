"""Watchlists and risk alerts near watched entities (周边风险).

Officers and platforms watch entities; officers also watch a region or a list type. When a
listing is imposed on, or a restriction derived onto, an entity within the watch's hops of
a watched entity, the watch's owner gets one alert per listing (see ``api/alerts.py``).
A platform sees its alerts at status level only: which watched seller, which list type and
measure, how many hops away; never the other entity or the path (never the network).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.alerts.core import DEFAULT_WATCH_RELS, MAX_WATCH_HOPS
from api.alert_feed import Alert, AlertEventOut, AlertOut, alert_out
from api.alerts import AlertStore
from api.deps import ApiState, OfficerKey, PlatformKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES
from api.routers._views import next_link
from api.schemas import Page
from api.security import ApiKey, Scope
from api.webhooks import WebhookWorker
from graph.errors import InvalidInput
from graph.lookup import resolve_entity
from graph.schema import REL_BY_TYPE

__all__ = ["AlertEventOut", "AlertOut", "AlertUpdate", "WatchIn", "WatchOut", "router"]

router = APIRouter(tags=["platform"], responses=PROBLEM_RESPONSES)


class WatchIn(BaseModel):
    """What to watch."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["entity", "region", "list_type"] = "entity"
    target: str = Field(
        min_length=1,
        max_length=120,
        description="entity: uid, USCC, id number or platform:shop_id; region: a division "
        "code prefix (officers); list_type: a list type id (officers)",
        examples=["91330106MA2AAAAA15"],
    )
    hops: int = Field(2, ge=1, le=MAX_WATCH_HOPS, description="platforms: at most 2")
    rel_types: list[str] = Field(
        default_factory=lambda: list(DEFAULT_WATCH_RELS),
        max_length=20,
        description="relationship types followed from the watched entity",
    )


class WatchOut(BaseModel):
    """A watch as stored."""

    id: int
    kind: str
    target: str
    hops: int
    rel_types: list[str]


class AlertUpdate(BaseModel):
    """Acknowledge, assign (officers) or close an alert."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Literal["acknowledged", "assigned", "closed", "open"]
    assignee: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2000)


def _alerts(state: ApiState) -> AlertStore:
    found = state.extras["alerts"]
    assert isinstance(found, AlertStore)
    return found


def _wake_webhooks(state: ApiState) -> None:
    """New alert events: deliver them now rather than at the next poll."""
    worker = state.extras.get("webhooks")
    if isinstance(worker, WebhookWorker):
        worker.wake()


def _view(alert: Alert, key: ApiKey) -> AlertOut:
    return alert_out(alert, officer=key.scope is Scope.OFFICER)


@router.post("/v1/watches", response_model=WatchOut, status_code=201, summary="Watch an entity")
async def add_watch(key: PlatformKey, state: StateDep, request: Request, body: WatchIn) -> WatchOut:
    """An entity is named as a restriction check names it (a person's id number is hashed at
    once); officers may also watch a region code prefix or a list type."""
    officer = key.scope is Scope.OFFICER
    if body.kind != "entity" and not officer:
        raise InvalidInput("platforms watch entities only", field="kind")
    if not officer and body.hops > 2:
        raise InvalidInput("platforms watch at most 2 hops", field="hops")
    for rel in body.rel_types:
        if rel not in REL_BY_TYPE:
            raise InvalidInput(f"unknown relationship type {rel!r}", field="rel_types")
    target = body.target
    if body.kind == "entity":
        node = await run_in_threadpool(resolve_entity, state.store, target, state.id_hash_key)
        target = node.uid
        audit_subject(request, target)
    watch = await run_in_threadpool(
        _alerts(state).watch, key.key_id, body.kind, target, body.hops, body.rel_types
    )
    return WatchOut(
        id=watch.id,
        kind=watch.kind,
        target=watch.target,
        hops=watch.hops,
        rel_types=list(watch.rel_types),
    )


@router.get("/v1/watches", response_model=list[WatchOut], summary="This key's watches")
async def list_watches(key: PlatformKey, state: StateDep) -> list[WatchOut]:
    """Oldest first."""
    watches = await run_in_threadpool(_alerts(state).watches, key.key_id)
    return [
        WatchOut(id=w.id, kind=w.kind, target=w.target, hops=w.hops, rel_types=list(w.rel_types))
        for w in watches
    ]


@router.delete("/v1/watches/{watch_id}", status_code=204, summary="Stop watching")
async def remove_watch(
    key: PlatformKey, state: StateDep, watch_id: Annotated[int, Path(ge=1, le=2**62)]
) -> Response:
    """The watch's alerts are kept."""
    await run_in_threadpool(_alerts(state).unwatch, key.key_id, watch_id)
    return Response(status_code=204)


@router.get("/v1/alerts", response_model=Page[AlertOut], summary="This key's alerts, newest first")
async def list_alerts(
    key: PlatformKey,
    state: StateDep,
    request: Request,
    status: Annotated[Literal["open", "acknowledged", "assigned", "closed"] | None, Query()] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="the last id seen")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[AlertOut]:
    """Paged by id: ``next`` asks for the alerts before the last one of this page."""
    found = await run_in_threadpool(
        _alerts(state).alerts, key.key_id, status=status, before=before, limit=limit
    )
    nxt = next_link(request, before=found[-1].id, limit=limit) if len(found) == limit else None
    return Page[AlertOut](items=[_view(a, key) for a in found], limit=limit, next=nxt)


@router.get(
    "/v1/alerts/events",
    response_model=Page[AlertEventOut],
    summary="This key's alert feed: alerts made, acknowledged, assigned, closed",
)
async def alert_events(
    key: PlatformKey,
    state: StateDep,
    request: Request,
    since: Annotated[
        int, Query(ge=0, le=2**62, description="The last seq seen (0: from the start)")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> Page[AlertEventOut]:
    """Oldest first, each event with the alert as it was then (a platform sees the status
    level only). Webhooks push the same events (``type: "alerts"``)."""
    found = await run_in_threadpool(
        _alerts(state).events,
        key.key_id,
        since,
        limit + 1,
        officer=key.scope is Scope.OFFICER,
    )
    more = len(found) > limit
    found = found[:limit]
    nxt = next_link(request, since=found[-1].seq, limit=limit) if more else None
    return Page[AlertEventOut](items=found, limit=limit, next=nxt)


class ScanOut(BaseModel):
    """What a scan of the feed found."""

    new_alerts: int


@router.post(
    "/v1/alerts/scan", response_model=ScanOut, tags=["officer"], summary="Scan the feed now"
)
async def scan_now(key: OfficerKey, state: StateDep) -> ScanOut:
    """Alerts are made by a background scan of the change feed; this runs one at once."""
    new = await run_in_threadpool(_alerts(state).scan_all, state.store)
    if new:
        _wake_webhooks(state)
    return ScanOut(new_alerts=new)


@router.post("/v1/alerts/{alert_id}", response_model=AlertOut, summary="Acknowledge or close")
async def update_alert(
    key: PlatformKey,
    state: StateDep,
    alert_id: Annotated[int, Path(ge=1, le=2**62)],
    body: AlertUpdate,
) -> AlertOut:
    """Platforms acknowledge and close; officers also assign (with an assignee)."""
    if body.status == "assigned" and key.scope is not Scope.OFFICER:
        raise InvalidInput("only officers assign alerts", field="status")
    alert = await run_in_threadpool(
        _alerts(state).update,
        key.key_id,
        alert_id,
        body.status,
        assignee=body.assignee,
        note=body.note,
    )
    _wake_webhooks(state)
    return _view(alert, key)
