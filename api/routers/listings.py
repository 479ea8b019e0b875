"""Officers: put subjects on credit lists, take them off, repair credit (propagation runs)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation import decisions
from algorithms.propagation.engine import Listing
from algorithms.propagation.proportion import ActionPreview
from algorithms.propagation.service import check_new_listing
from api.deps import ApiState, OfficerKey, StateDep, audit_subject, subject_uid
from api.errors import PROBLEM_RESPONSES
from api.ledger import record as rec
from api.ledger.log import Decision
from api.ledger.state import record_api
from api.schemas import EntityKind
from graph.errors import InvalidInput

__all__ = ["ListingIn", "RemovalIn", "router"]

router = APIRouter(prefix="/v1/listings", tags=["officer"], responses=PROBLEM_RESPONSES)


class ListingIn(BaseModel):
    """A new listing decision."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "listing_id": "ZJ-2025-0100",
                    "kind": "business",
                    "id": "91330106MA2AAAAA4E",
                    "list_type": "serious_dishonesty",
                    "decided": "2025-01-10",
                    "expires": "2028-01-10",
                    "authority": "浙江省市场监督管理局",
                    "legal_basis": "《市场监督管理严重违法失信名单管理办法》第二条",
                }
            ]
        },
    )

    listing_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
    kind: EntityKind
    id: str = Field(min_length=1, max_length=64, description="USCC, id number or platform:shop_id")
    list_type: str = Field(min_length=1, max_length=64)
    decided: date
    expires: date | None = None
    authority: str | None = Field(None, max_length=200)
    legal_basis: str | None = Field(None, max_length=500)
    region: str | None = Field(None, max_length=20)
    reason: str | None = Field(
        None,
        max_length=2000,
        description="The officer's written reason; required when the listing needs a "
        "second officer's approval (see /v1/listings/preview)",
    )


class RemovalIn(BaseModel):
    """Taking a listing off its list."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"on": "2025-03-01", "reason": "objection_upheld"}]},
    )

    on: date
    reason: Literal["removed", "expired", "repaired", "error", "objection_upheld", "revoked"] = (
        "removed"
    )


class RepairIn(BaseModel):
    """Credit repair (信用修复): the listing ends on ``on``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"on": "2025-03-01"}]}
    )

    on: date


def _after_write(state: ApiState) -> None:
    """Make reads see the write at once (restriction snapshot, name index) and send its
    changes to webhooks without waiting for the next poll."""
    view = state.extras.get("restrictions")
    refresh = getattr(view, "refresh", None)
    if callable(refresh):
        refresh()
    wake = getattr(state.extras.get("webhooks"), "wake", None)
    if callable(wake):
        wake()
    names = state.extras.get("names")
    invalidate = getattr(names, "invalidate", None)
    if callable(invalidate):
        invalidate()


def _write(
    state: ApiState, action: Any, *args: Any, decision: Callable[[Any], Decision]
) -> dict[str, Any]:
    """Run the decision, then log it (``decision`` builds the entry from the report)."""
    with state.write_lock:
        report = action(state.store, *args)
        _after_write(state)
        entries = record_api(state, decision(report), rules=None)
    result: dict[str, Any] = report.model_dump(mode="json")
    result["decision"] = entries[-1].seq
    return result


_LISTING = Path(min_length=9, max_length=200, examples=["listing:ZJ-2024-0002"])


def _listing_of(body: ListingIn, state: ApiState) -> Listing:
    return Listing(
        uid=f"listing:{body.listing_id}",
        subject_uid=subject_uid(body.kind, body.id, state.id_hash_key),
        list_type=body.list_type,
        decided=body.decided,
        expires=body.expires,
        legal_basis=body.legal_basis,
    )


def _preview(state: ApiState, listing: Listing) -> ActionPreview:
    from api import approvals

    # the checks add_listing makes (kind, list type, subject on record), before computing
    check_new_listing(state.store, listing)
    return approvals.listing_add_preview(
        state.store, listing, approval_above=state.settings.approval_above
    )


@router.post(
    "/preview",
    response_model=ActionPreview,
    summary="What putting a subject on a list would impose, per rule, by name; writes nothing",
)
async def preview(
    body: ListingIn, key: OfficerKey, state: StateDep, request: Request
) -> ActionPreview:
    """The same body as ``POST /v1/listings``: the subjects and measures each rule would
    restrict, by name, with counts, the approval threshold that applies (and its legal
    basis) and whether a second officer must approve."""
    listing = _listing_of(body, state)
    audit_subject(request, listing.subject_uid)
    return await run_in_threadpool(_preview, state, listing)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Put a subject on a list",
    responses={202: {"description": "Waiting for a second officer (a pending approval)"}},
)
async def add(
    body: ListingIn, key: OfficerKey, state: StateDep, request: Request, response: Response
) -> dict[str, Any]:
    """Records the listing and propagates its measures; returns the propagation report
    (restrictions imposed, feed sequence numbers). When the preview (``/v1/listings/preview``)
    restricts more subjects than the threshold that applies, nothing is applied: the
    answer is ``202`` with a pending approval (``/v1/approvals``), which needs ``reason``."""
    from api import approvals
    from api.routers.approvals import request_approval

    listing = _listing_of(body, state)
    uid = listing.subject_uid
    audit_subject(request, uid)
    payload = approvals.listing_payload(listing, authority=body.authority, region=body.region)

    def run() -> dict[str, Any]:
        with state.write_lock:
            found = _preview(state, listing)
            if found.needs_approval:
                if not body.reason:
                    raise InvalidInput(
                        f"this listing would restrict {found.subjects} subjects, more than "
                        f"{found.limit.threshold}: give a written reason for the second "
                        "officer who must approve it",
                        field="reason",
                    )
                response.status_code = status.HTTP_202_ACCEPTED
                reason = body.reason
                pending = request_approval(
                    state, key, "listing.add", listing.uid, payload, found, reason
                )
                return pending.model_dump(mode="json")
            report, decision = approvals.apply_action(
                state.store, "listing.add", payload, rec.api_actor(key)
            )
            _after_write(state)
            entries = record_api(state, decision, rules=None)
        result: dict[str, Any] = report.model_dump(mode="json")
        result["decision"] = entries[-1].seq
        return result

    return await run_in_threadpool(run)


@router.post("/{listing_uid}/removal", summary="Take a listing off its list")
async def remove(
    listing_uid: Annotated[str, _LISTING],
    body: RemovalIn,
    key: OfficerKey,
    state: StateDep,
    request: Request,
) -> dict[str, Any]:
    """Ends the listing on ``on`` and lifts what followed from it; ``error``,
    ``objection_upheld`` and ``revoked`` retract it from the start."""
    audit_subject(request, listing_uid)

    def decision(report: Any) -> Decision:
        return rec.listing_removed(rec.api_actor(key), listing_uid, body.on, body.reason, report)

    return await run_in_threadpool(
        functools.partial(_write, decision=decision),
        state,
        decisions.remove_listing,
        listing_uid,
        body.on,
        body.reason,
    )


@router.post("/{listing_uid}/repair", summary="Credit repair")
async def repair(
    listing_uid: Annotated[str, _LISTING],
    body: RepairIn,
    key: OfficerKey,
    state: StateDep,
    request: Request,
) -> dict[str, Any]:
    """The listing ends on ``on``; every restriction derived from it ends with it."""
    audit_subject(request, listing_uid)

    def decision(report: Any) -> Decision:
        return rec.listing_removed(rec.api_actor(key), listing_uid, body.on, "repaired", report)

    return await run_in_threadpool(
        functools.partial(_write, decision=decision),
        state,
        decisions.repair_listing,
        listing_uid,
        body.on,
    )
