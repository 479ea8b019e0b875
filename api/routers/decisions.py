"""The decision log (``/v1/decisions``): signed tree heads, inclusion and consistency proofs.

Every key may read tree heads and consistency proofs (that is what a witness or a platform
needs to hold the bureau to its history). An inclusion proof shows the decision's entry:
officers may have any; platforms those about listings (``listing.*``), the decisions
behind the restrictions they apply. Officers may also read the entries.
See docs/decision-log.md for the algorithm a receiver runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import AnyKey, OfficerKey, PlatformKey, StateDep
from api.errors import PROBLEM_RESPONSES, Forbidden
from api.ledger.state import decision_log
from api.security import Scope
from graph.errors import NotFound

__all__ = ["ConsistencyProofOut", "InclusionProofOut", "TreeHeadOut", "router"]

router = APIRouter(prefix="/v1/decisions", tags=["decisions"], responses=PROBLEM_RESPONSES)

#: Largest number accepted for a decision, head or size (SQLite integers are 64-bit).
MAX_NUMBER = 2**62

#: Entry kinds a platform key may have proofs of.
PLATFORM_KINDS = ("listing.added", "listing.removed", "listing.repaired")


class TreeHeadOut(BaseModel):
    """A signed tree head: the root of the first ``tree_size`` decisions, signed."""

    number: int = Field(description="the head's number (1, 2, ...)")
    tree_size: int
    timestamp: int = Field(description="milliseconds since 1970-01-01 UTC")
    time: str
    root_hash: str = Field(description="hex SHA-256 (RFC 6962 tree hash)")
    key_id: str = Field(description="hex SHA-256 of the public key")
    signature: str = Field(description="base64 Ed25519 over RFC 6962's TreeHeadSignature")
    public_key: str = Field(description="base64 raw Ed25519 public key: pin it, once")


class InclusionProofOut(BaseModel):
    """A decision's entry, its audit path and the head it leads to."""

    format: str
    seq: int
    leaf_index: int
    entry: str = Field(description="the entry's canonical JSON: hash these exact bytes")
    leaf_hash: str
    audit_path: list[str]
    tree_head: TreeHeadOut


class ConsistencyProofOut(BaseModel):
    """That the tree of ``second`` decisions extends the tree of ``first``."""

    format: str
    first: int
    second: int
    proof: list[str]
    tree_head: TreeHeadOut


@router.get("/tree-head", response_model=TreeHeadOut, summary="The latest signed tree head")
async def tree_head(key: AnyKey, state: StateDep) -> dict[str, Any]:
    """What to publish, witness or check proofs against."""
    log = decision_log(state)
    head = await run_in_threadpool(log.latest_head)
    if head is None:
        raise NotFound("the decision log is empty")
    return head.to_json(log.signer.public_key)


@router.get(
    "/tree-heads", response_model=list[TreeHeadOut], summary="Signed tree heads, oldest first"
)
async def tree_heads(
    key: AnyKey,
    state: StateDep,
    after: Annotated[int, Query(ge=0, le=MAX_NUMBER, description="heads after this number")] = 0,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> list[dict[str, Any]]:
    """For a witness: every head after the last one it holds."""
    log = decision_log(state)
    heads = await run_in_threadpool(lambda: log.heads(after=after, limit=limit))
    return [h.to_json(log.signer.public_key) for h in heads]


@router.get(
    "/consistency",
    response_model=ConsistencyProofOut,
    summary="Consistency proof between two tree sizes",
)
async def consistency(
    key: AnyKey,
    state: StateDep,
    first: Annotated[int, Query(ge=0, le=MAX_NUMBER, description="the size of a head you hold")],
    second: Annotated[
        int | None, Query(ge=1, le=MAX_NUMBER, description="a later head's size (default: latest)")
    ] = None,
) -> dict[str, Any]:
    """RFC 6962 section 2.1.2: the newer tree keeps every decision of the older one."""
    log = decision_log(state)
    return await run_in_threadpool(log.consistency_proof, first, second)


@router.get(
    "/{seq}/proof", response_model=InclusionProofOut, summary="Inclusion proof of a decision"
)
async def inclusion(
    key: PlatformKey,
    state: StateDep,
    seq: Annotated[int, Path(ge=1, le=MAX_NUMBER, description="the decision's number")],
    tree_size: Annotated[
        int | None,
        Query(ge=1, le=MAX_NUMBER, description="prove against this head's size (default: latest)"),
    ] = None,
) -> dict[str, Any]:
    """Check it without our database: docs/decision-log.md, or ``api/ledger/verify.py``."""
    log = decision_log(state)
    entry = await run_in_threadpool(log.entry, seq)
    if key.scope is Scope.PLATFORM and entry.kind not in PLATFORM_KINDS:
        raise Forbidden("platform keys may have proofs of listing decisions only")
    return await run_in_threadpool(log.inclusion_proof, seq, tree_size)


@router.get("", summary="Decisions on record (officers)")
async def entries(
    key: OfficerKey,
    state: StateDep,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    after: Annotated[int, Query(ge=0, le=MAX_NUMBER)] = 0,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> list[dict[str, Any]]:
    """Oldest first, with each entry's canonical text and leaf hash."""
    log = decision_log(state)
    found = await run_in_threadpool(
        lambda: log.entries(subject=subject, kind=kind, after=after, limit=limit)
    )
    return [e.to_json() for e in found]
