"""Officers: suspected brushing rings (刷单炒信), their evidence, confirmation and dismissal.

A ring is a suspicion: reading and dismissing it punish nobody. Confirming it records a
violation and lists the boosted stores' operators, and the joint-punishment rules derive
the restrictions the answer reports. The officer is the API key's name.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.brushing import score_store, service
from algorithms.propagation.proportion import ActionPreview
from api import approvals
from api.deps import OfficerKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES
from api.ledger import record as rec
from api.ledger.state import record_api
from api.paging import CursorQuery, cursor_link, refuse_offset
from api.routers.approvals import ApprovalOut, request_approval
from api.routers.listings import _after_write
from api.schemas import Page

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


MinScore = Annotated[float, Query(ge=0.0, le=1.0, description="only scores at least this")]


async def _scores(
    state: StateDep,
    request: Request,
    kind: score_store.Kind,
    limit: int,
    cursor: str | None,
    low: float,
) -> Page[score_store.EntityScore]:
    page = await run_in_threadpool(
        lambda: score_store.list_scores(
            state.store, kind, limit=limit, cursor=cursor, min_score=low
        )
    )
    nxt = cursor_link(request, page.next)
    return Page[score_store.EntityScore](items=page.items, limit=limit, next=nxt)


@router.get(
    "/accounts",
    response_model=Page[score_store.EntityScore],
    summary="Accounts by calibrated brushing score, with reasons",
    dependencies=[Depends(refuse_offset)],
)
async def account_scores(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
    min_score: MinScore = 0.0,
) -> Page[score_store.EntityScore]:
    """Every account with orders has a score in [0, 1] (about 90% precision at 0.9) from
    the last detection run; reasons come as codes with figures and as sentences."""
    return await _scores(state, request, "account", limit, cursor, min_score)


@router.get(
    "/stores",
    response_model=Page[score_store.EntityScore],
    summary="Stores by calibrated brushing score, with reasons",
    dependencies=[Depends(refuse_offset)],
)
async def store_scores(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
    min_score: MinScore = 0.0,
) -> Page[score_store.EntityScore]:
    """Every store with orders has a score in [0, 1] from the last detection run."""
    return await _scores(state, request, "store", limit, cursor, min_score)


EntityUid = Annotated[
    str,
    Path(
        min_length=3,
        max_length=300,
        description="The account's or store's uid",
        examples=["account:tb:a000042"],
    ),
]


@router.get(
    "/accounts/{uid}",
    response_model=score_store.EntityScore,
    summary="One account's brushing score and reasons",
)
async def account_score(
    key: OfficerKey, state: StateDep, request: Request, uid: EntityUid
) -> score_store.EntityScore:
    """404 when the account does not exist or has not been scored (no orders)."""
    audit_subject(request, uid)
    return await run_in_threadpool(score_store.entity_score, state.store, _prefixed("account", uid))


@router.get(
    "/stores/{uid}",
    response_model=score_store.EntityScore,
    summary="One store's brushing score and reasons",
)
async def store_score(
    key: OfficerKey, state: StateDep, request: Request, uid: EntityUid
) -> score_store.EntityScore:
    """404 when the store does not exist or has not been scored (no orders)."""
    audit_subject(request, uid)
    return await run_in_threadpool(score_store.entity_score, state.store, _prefixed("store", uid))


def _prefixed(prefix: str, uid: str) -> str:
    """The uid with its label prefix: ``tb:a1`` under /accounts is ``account:tb:a1``."""
    text = uid.strip()
    return text if text.startswith(f"{prefix}:") else f"{prefix}:{text}"


@router.get(
    "",
    response_model=Page[service.RingSummary],
    summary="Brushing rings, best score first",
    dependencies=[Depends(refuse_offset)],
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
    cursor: CursorQuery = None,
) -> Page[service.RingSummary]:
    """Rings ranked by score; ``next`` pages on, null on the last page."""
    statuses = list(status or ("suspected", "confirmed", "dismissed"))
    page = await run_in_threadpool(
        lambda: service.list_rings(state.store, statuses, limit=limit, cursor=cursor)
    )
    nxt = cursor_link(request, page.next)
    return Page[service.RingSummary](items=page.items, limit=limit, next=nxt)


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


@router.get(
    "/{ring_id}/confirm/preview",
    response_model=ActionPreview,
    summary="What confirming the ring would impose, per rule, by name; writes nothing",
)
async def confirm_preview(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    ring_id: RingId,
    decided: Annotated[date | None, Query(description="decision date (default: today)")] = None,
) -> ActionPreview:
    """The listings a confirmation would record (the boosted stores, or their operators
    where the list type's reach lets a store's violation reach the operator's other
    stores), the subjects and measures each rule would restrict, by name, with counts, the
    approval threshold that applies and whether a second officer must approve."""
    uid = _uid(ring_id)
    audit_subject(request, uid)
    return await run_in_threadpool(
        approvals.ring_confirm_preview,
        state.store,
        uid,
        approval_above=state.settings.approval_above,
        decided=decided,
    )


@router.post(
    "/{ring_id}/confirm",
    response_model=service.ReviewResult | ApprovalOut,
    summary="Confirm a ring: violation, listings and the restrictions that follow",
    responses={202: {"model": ApprovalOut, "description": "Waiting for a second officer"}},
)
async def confirm(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    response: Response,
    ring_id: RingId,
    body: ConfirmRequest,
) -> service.ReviewResult | ApprovalOut:
    """Only confirmation punishes: a ``brushing`` violation (《电子商务法》第十七条,
    《反不正当竞争法》第八条) on the boosted stores' operators and listings (see
    ``…/confirm/preview``), so that the joint-punishment rules apply; the answer lists the
    restrictions now in force. When the preview restricts more subjects than the threshold
    that applies, nothing is applied: the answer is ``202`` with a pending approval that a
    second officer approves at ``/v1/approvals/{id}/approve``."""
    uid = _uid(ring_id)
    audit_subject(request, uid)
    payload = approvals.ring_confirm_payload(
        uid,
        key.name,
        body.reason,
        decided=body.decided,
        authority=body.authority,
        region=body.region,
        case_no=body.case_no,
    )

    def run() -> service.ReviewResult | ApprovalOut:
        with state.write_lock:
            preview = approvals.ring_confirm_preview(
                state.store, uid, approval_above=state.settings.approval_above, decided=body.decided
            )
            if preview.needs_approval:
                response.status_code = status.HTTP_202_ACCEPTED
                return request_approval(
                    state, key, "ring.confirm", uid, payload, preview, body.reason
                )
            result, decision = approvals.apply_action(
                state.store, "ring.confirm", payload, rec.api_actor(key)
            )
            _after_write(state)
            record_api(state, decision, rules=None)
            assert isinstance(result, service.ReviewResult)
            return result

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
            result = service.dismiss(state.store, uid, key.name, body.reason)
            decision = rec.ring_reviewed(
                rec.api_actor(key), result, confirmed=False, reason=body.reason
            )
            record_api(state, decision)
            return result

    return await run_in_threadpool(run)
