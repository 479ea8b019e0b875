"""Platforms: the feed of restrictions imposed, lifted and amended, paged by sequence."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation import service
from api.deps import PlatformKey, StoreDep
from api.errors import PROBLEM_RESPONSES
from api.routers._views import next_link
from api.schemas import Page

__all__ = ["ChangeOut", "router"]

router = APIRouter(prefix="/v1/changes", tags=["platform"], responses=PROBLEM_RESPONSES)


class ChangeOut(BaseModel):
    """One change: a measure imposed on, lifted from or amended for a subject."""

    model_config = ConfigDict(frozen=True)

    seq: int
    kind: Literal["imposed", "lifted", "amended", "disputed", "dispute_closed"] = Field(
        description="disputed: an objection (异议) against it was filed, it stays in force; "
        "dispute_closed: the objection was decided (an upheld one also lifts or amends)"
    )
    subject_ref: str
    measure: str
    list_type: str
    listing_uid: str
    valid_from: date | None
    valid_until: date | None
    reason: str
    at: datetime
    objection: int | None = Field(None, description="the objection a dispute event is about")


@router.get("", response_model=Page[ChangeOut], summary="Changes since a cursor")
async def feed(
    key: PlatformKey,
    store: StoreDep,
    request: Request,
    since: Annotated[
        int, Query(ge=0, le=2**62, description="The last seq seen (0: from the start)")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> Page[ChangeOut]:
    """Oldest first. Keep the last ``seq`` you processed and pass it as ``since``
    (``next`` does it for you); ``subject_ref`` is the ``ref`` a check returned."""
    events = await run_in_threadpool(service.changes, store, since, limit + 1)
    more = len(events) > limit
    events = events[:limit]
    items = [
        ChangeOut(
            seq=e.seq,
            kind=e.kind,
            subject_ref=e.subject_uid,
            measure=e.measure,
            list_type=e.list_type,
            listing_uid=e.listing_uid,
            valid_from=e.valid_from,
            valid_until=e.valid_to,
            reason=e.reason,
            at=e.at,
            objection=e.objection_id,
        )
        for e in events
    ]
    nxt = next_link(request, since=items[-1].seq, limit=limit) if more else None
    return Page[ChangeOut](items=items, limit=limit, next=nxt)
