"""Officers: suspected brushing rings (刷单炒信), their evidence, confirmation and dismissal.

A ring is a suspicion: reading and dismissing it punish nobody. Confirming it records a
violation and lists the boosted stores' operators, and the joint-punishment rules derive
the restrictions the answer reports. The officer is the API key's name.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.brushing import service
from api.deps import OfficerKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES
from api.routers._views import next_link
from api.schemas import Page
from graph.store import MAX_OFFSET

__all__ = ["ConfirmRequest", "DismissRequest", "router"]

router = APIRouter(prefix="/v1/rings", tags=["officer"], responses=PROBLEM_RESPONSES)

RingId = Annotated[
    str,
    Path(
        min_length=5,
        max_length=60,
        pattern=r"^(ring:)?[0-9a-f]{16}$",
        description="The ring's uid (ring:…) or the hex id after the prefix",
        examples=["ring:1496c81a9ad63efd"],
    ),
]


class DismissRequest(BaseModel):
    """Why the officer dismisses the ring."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000, examples=["家庭成员共用地址"])


class ConfirmRequest(DismissRequest):
    """Why the officer confirms the ring, and the case it belongs to."""

    decided: date | None = Field(None, description="decision date (default: today)")
    case_no: str | None = Field(None, max_length=100, examples=["杭市监处罚〔2024〕88号"])
    authority: str | None = Field(None, max_length=200, examples=["杭州市市场监督管理局"])
    region: str | None = Field(None, max_length=20, examples=["330100"])


def _uid(ring_id: str) -> str:
    return service.as_ring_uid(ring_id)


@router.get(
    "", response_model=Page[service.RingSummary], summary="Brushing rings, best score first"
)
async def list_rings(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    status: Annotated[
        list[service.Status] | None,
        Query(
            description="suspected, confirmed, dismissed, superseded (default: all but the last)"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[service.RingSummary]:
    """Rings ranked by score; ``next`` pages on, null on the last page."""
    statuses = list(status or ("suspected", "confirmed", "dismissed"))
    found = await run_in_threadpool(
        service.list_rings, state.store, statuses, limit=limit + 1, offset=offset
    )
    more = len(found) > limit
    nxt = next_link(request, offset=offset + limit, limit=limit) if more else None
    return Page[service.RingSummary](items=found[:limit], limit=limit, next=nxt)


@router.get(
    "/{ring_id}",
    response_model=service.RingDetail,
    summary="A ring's members and evidence: orders, waybills, shared receivers",
)
async def ring_detail(
    key: OfficerKey, state: StateDep, request: Request, ring_id: RingId
) -> service.RingDetail:
    """The accounts, boosted stores, scored reasons and the orders behind them."""
    uid = _uid(ring_id)
    audit_subject(request, uid)
    return await run_in_threadpool(service.ring_detail, state.store, uid)


@router.post(
    "/{ring_id}/confirm",
    response_model=service.ReviewResult,
    summary="Confirm a ring: violation, listings and the restrictions that follow",
)
async def confirm(
    key: OfficerKey, state: StateDep, request: Request, ring_id: RingId, body: ConfirmRequest
) -> service.ReviewResult:
    """Only confirmation punishes: a ``brushing`` violation (《电子商务法》第十七条,
    《反不正当竞争法》第八条) on the boosted stores' operators, who are listed so that the
    joint-punishment rules apply; the answer lists the restrictions now in force."""
    uid = _uid(ring_id)
    audit_subject(request, uid)

    def run() -> service.ReviewResult:
        with state.write_lock:
            return service.confirm(
                state.store,
                uid,
                key.name,
                body.reason,
                decided=body.decided,
                authority=body.authority,
                region=body.region,
                case_no=body.case_no,
            )

    return await run_in_threadpool(run)


@router.post(
    "/{ring_id}/dismiss",
    response_model=service.ReviewResult,
    summary="Dismiss a ring with the reason; nobody is punished",
)
async def dismiss(
    key: OfficerKey, state: StateDep, request: Request, ring_id: RingId, body: DismissRequest
) -> service.ReviewResult:
    """The ring is kept, marked dismissed with the officer and the reason."""
    uid = _uid(ring_id)
    audit_subject(request, uid)

    def run() -> service.ReviewResult:
        with state.write_lock:
            return service.dismiss(state.store, uid, key.name, body.reason)

    return await run_in_threadpool(run)
