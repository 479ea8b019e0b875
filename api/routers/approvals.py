"""Officers: actions waiting for a second officer (two-person rule), approved or rejected.

A ring confirmation or a listing that would restrict more subjects than the threshold that
applies (``Settings.approval_above``, or a list type's ``reach.approval_above`` in the rules
file where stricter) answers ``202`` with a pending approval instead of applying. Another
officer (a key with a different name) approves it here, with a written reason, which
applies it in one store transaction, or rejects it. The officer who requested it may
withdraw it (reject) but never approve it. Every step goes on the decision log.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation.proportion import ActionPreview
from api import approvals
from api.deps import ApiState, OfficerKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES
from api.ledger import record as rec
from api.ledger.state import record_api
from api.routers.listings import _after_write

__all__ = [
    "ApprovalOut",
    "DecideIn",
    "approval_out",
    "approval_store",
    "request_approval",
    "router",
]

router = APIRouter(prefix="/v1/approvals", tags=["officer"], responses=PROBLEM_RESPONSES)


class DecideIn(BaseModel):
    """The second officer's written reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000, examples=["已核对预览, 同意执行"])


class ApprovalOut(BaseModel):
    """An action waiting for, or decided by, a second officer."""

    id: int
    action: str
    target: str
    subjects: int
    restrictions: int
    threshold: int
    preview: ActionPreview
    requested_by: str
    request_reason: str
    requested_at: str
    status: Literal["pending", "approved", "rejected"]
    decided_by: str | None
    decision_reason: str | None
    decided_at: str | None
    decision: int | None = Field(None, description="decision log entry (seq) of this step")


class ApprovedOut(BaseModel):
    """An approval and what applying its action did."""

    approval: ApprovalOut
    result: dict[str, Any]


def approval_store(state: ApiState) -> approvals.ApprovalStore:
    """The app's approval store, opened on first use (closed with the other extras)."""
    found = state.extras.get("approvals")
    if not isinstance(found, approvals.ApprovalStore):
        found = state.extras["approvals"] = approvals.ApprovalStore(state.keys.path)
    return found


def approval_out(a: approvals.Approval, decision: int | None = None) -> ApprovalOut:
    """The API's view of an approval."""
    return ApprovalOut.model_validate({**a.to_dict(), "decision": decision})


ApprovalId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("", response_model=list[ApprovalOut], summary="Approvals (pending ones by default)")
async def list_approvals(
    key: OfficerKey,
    state: StateDep,
    status: Annotated[
        Literal["pending", "approved", "rejected"] | None,
        Query(description="pending (default), approved or rejected"),
    ] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ApprovalOut]:
    """Oldest first, each with the preview the requesting officer saw."""
    found = await run_in_threadpool(approval_store(state).find, status=status, limit=limit)
    return [approval_out(a) for a in found]


@router.get("/{approval_id}", response_model=ApprovalOut, summary="One approval")
async def get_approval(key: OfficerKey, state: StateDep, approval_id: ApprovalId) -> ApprovalOut:
    """The action, its preview, who asked and why, and the decision if any."""
    return approval_out(await run_in_threadpool(approval_store(state).get, approval_id))


@router.post(
    "/{approval_id}/approve",
    response_model=ApprovedOut,
    summary="A second officer approves: the action is applied",
)
async def approve(
    key: OfficerKey, state: StateDep, request: Request, approval_id: ApprovalId, body: DecideIn
) -> ApprovedOut:
    """Refused (422, field ``officer``) when the key's officer is the one who requested it;
    otherwise the action is applied whole (one store transaction) and logged."""

    def run() -> ApprovedOut:
        store = approval_store(state)
        with state.write_lock:
            current = store.check(approval_id, key.name, body.reason, approving=True)
            audit_subject(request, current.target)
            done, result, decisions = approvals.approve(
                store, state.store, approval_id, key.name, body.reason, rec.api_actor(key)
            )
            _after_write(state)
            entries = record_api(state, *decisions, rules=None)
        data = result.model_dump(mode="json")
        data["decision"] = entries[-1].seq
        return ApprovedOut(approval=approval_out(done, entries[-2].seq), result=data)

    return await run_in_threadpool(run)


@router.post(
    "/{approval_id}/reject",
    response_model=ApprovalOut,
    summary="Reject (or, by its requester, withdraw) a pending action",
)
async def reject(
    key: OfficerKey, state: StateDep, request: Request, approval_id: ApprovalId, body: DecideIn
) -> ApprovalOut:
    """Nothing is applied; the rejection and its reason go on the decision log."""

    def run() -> ApprovalOut:
        store = approval_store(state)
        with state.write_lock:
            done, decision = approvals.reject(
                store, approval_id, key.name, body.reason, rec.api_actor(key)
            )
            audit_subject(request, done.target)
            entries = record_api(state, decision)
        return approval_out(done, entries[-1].seq)

    return await run_in_threadpool(run)


def request_approval(
    state: ApiState,
    key: Any,
    action: str,
    target: str,
    payload: dict[str, Any],
    preview: ActionPreview,
    reason: str,
) -> ApprovalOut:
    """Store an action that needs a second officer and log the request (callers hold the
    write lock)."""
    pending = approval_store(state).request(
        action, target, payload, preview, officer=key.name, reason=reason
    )
    entries = record_api(state, approvals.approval_decision(rec.api_actor(key), pending))
    return approval_out(pending, entries[-1].seq)
