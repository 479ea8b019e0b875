"""Officers: who holds and who controls a business (股权穿透, 最终受益人, 实际控制人)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from algorithms.ownership.service import OwnershipReport, ownership
from api.deps import OfficerKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES
from api.params import Uid

__all__ = ["router"]

router = APIRouter(prefix="/v1/entities", tags=["officer"], responses=PROBLEM_RESPONSES)


@router.get(
    "/{uid}/ownership",
    response_model=OwnershipReport,
    summary="Effective holders with their chains, beneficial owners and actual controller",
)
async def ownership_report(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    uid: Annotated[
        Uid,
        Path(
            min_length=5,
            max_length=200,
            pattern=r"^biz:",
            description="The business's uid",
            examples=["biz:91330106MA2AAAAA15"],
        ),
    ],
    at: Annotated[date | None, Query(description="as of this date (default today)")] = None,
    ubo_threshold: Annotated[
        float, Query(gt=0.0, le=1.0, description="beneficial-owner threshold")
    ] = 0.25,
) -> OwnershipReport:
    """Every holder's effective share summed over all chains (cross-holdings included),
    the chains contributing most, the natural persons at or above ``ubo_threshold``, and
    the actual controller with the rule that names it (declared, majority or plurality)
    and a sentence explaining it; a declared controller that ownership contradicts is
    flagged."""
    audit_subject(request, uid)
    return await run_in_threadpool(
        lambda: ownership(state.store, uid, at, ubo_threshold=ubo_threshold)
    )
