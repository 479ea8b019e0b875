"""Officers: put subjects on credit lists, take them off, repair credit (propagation runs)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation import decisions
from algorithms.propagation.engine import Listing
from api.deps import ApiState, OfficerKey, StateDep, audit_subject, subject_uid
from api.errors import PROBLEM_RESPONSES
from api.ledger import record as rec
from api.ledger.log import Decision
from api.ledger.state import record_api
from api.schemas import EntityKind

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


@router.post("", status_code=status.HTTP_201_CREATED, summary="Put a subject on a list")
async def add(
    body: ListingIn, key: OfficerKey, state: StateDep, request: Request
) -> dict[str, Any]:
    """Records the listing and propagates its measures; returns the propagation report
    (restrictions imposed, feed sequence numbers)."""
    uid = subject_uid(body.kind, body.id, state.id_hash_key)
    audit_subject(request, uid)
    listing = Listing(
        uid=f"listing:{body.listing_id}",
        subject_uid=uid,
        list_type=body.list_type,
        decided=body.decided,
        expires=body.expires,
        legal_basis=body.legal_basis,
    )

    def action(store: Any) -> Any:
        return decisions.add_listing(store, listing, authority=body.authority, region=body.region)

    def decision(report: Any) -> Decision:
        return rec.listing_added(
            rec.api_actor(key),
            listing_uid=listing.uid,
            subject_uid=uid,
            list_type=body.list_type,
            decided=body.decided,
            expires=body.expires,
            legal_basis=body.legal_basis,
            authority=body.authority,
            region=body.region,
            report=report,
        )

    return await run_in_threadpool(functools.partial(_write, decision=decision), state, action)


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
