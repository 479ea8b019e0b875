"""Identity verification (task 八): a seller's claimed business against the registry."""

from __future__ import annotations

import unicodedata
from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import PlatformKey, StoreDep, audit_subject
from api.errors import PROBLEM_RESPONSES
from api.schemas import IdentityVerifyIn, IdentityVerifyOut
from graph.errors import InvalidInput
from graph.identity import business_uid
from graph.store import GraphStore

__all__ = ["router"]

router = APIRouter(prefix="/v1/identity", tags=["platform"], responses=PROBLEM_RESPONSES)

#: Registry statuses under which a business may trade.
ACTIVE_STATUSES = frozenset({"active", "存续", "在业", "开业"})


def _same_name(a: str, b: str) -> bool:
    """Equal after NFKC (full-width brackets and digits) and without white space."""

    def fold(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())

    return fold(a) == fold(b)


def _representatives(store: GraphStore, uid: str) -> list[str]:
    """Names of the business's legal representatives in office today."""
    today = date.today().isoformat()
    edges = store.edges_of([uid], ["LEGAL_REPRESENTATIVE_OF"], direction="in")
    current = [e.src for e in edges if not e.props.get("until") or str(e.props["until"]) > today]
    return [str(p.get("name", "")) for p in store.get_nodes(current)]


def claimed_uid(uscc: str) -> str:
    """The uid of the claimed USCC (422 naming ``uscc`` when malformed)."""
    try:
        return business_uid(uscc)
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field="uscc") from exc


def verify(store: GraphStore, body: IdentityVerifyIn) -> IdentityVerifyOut:
    """Check the claim: the business exists, is active, and the names match."""
    uid = claimed_uid(body.uscc)
    node = store.get_node(uid)
    if node is None:
        return IdentityVerifyOut(
            verified=False,
            exists=False,
            active=False,
            status=None,
            name_matches=False,
            legal_representative_matches=None,
            problems=["no business with this USCC in the registry"],
        )
    problems: list[str] = []
    status = node.get("status")
    active = str(status) in ACTIVE_STATUSES
    if not active:
        problems.append(f"registry status is {status!r}, not active")
    name_matches = _same_name(str(node.get("name", "")), body.name)
    if not name_matches:
        problems.append("the name differs from the registered name")
    rep_matches: bool | None = None
    if body.legal_representative is not None:
        reps = _representatives(store, uid)
        rep_matches = any(_same_name(r, body.legal_representative) for r in reps)
        if not rep_matches:
            problems.append("the legal representative differs from the registry's")
    return IdentityVerifyOut(
        verified=active and name_matches and rep_matches is not False,
        exists=True,
        active=active,
        status=None if status is None else str(status),
        name_matches=name_matches,
        legal_representative_matches=rep_matches,
        problems=problems,
    )


@router.post("/verify", response_model=IdentityVerifyOut, summary="Verify a seller's business")
async def verify_identity(
    body: IdentityVerifyIn, key: PlatformKey, store: StoreDep, request: Request
) -> IdentityVerifyOut:
    """USCC + name (+ legal representative) against the registry.

    Answers whether the business exists, is active, and whether the names match; it
    never returns the registered names themselves (a platform sees status, not details).
    """
    uid = claimed_uid(body.uscc)
    audit_subject(request, uid)
    return await run_in_threadpool(verify, store, body)
