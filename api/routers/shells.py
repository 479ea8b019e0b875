"""Officers: suspected shell-entity clusters (空壳公司), their members and reasons, review.

A cluster is a suspicion: reviewing it records the officer's decision (the API key's name)
and reason, which later detection runs keep; it punishes nobody by itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation.proportion import ActionPreview
from algorithms.shells import service
from api import approvals
from api.deps import OfficerKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES
from api.ledger import record as rec
from api.ledger.state import record_api
from api.paging import CursorQuery, cursor_link, refuse_offset
from api.schemas import Page

__all__ = ["ReviewRequest", "router"]

router = APIRouter(prefix="/v1/shells", tags=["officer"], responses=PROBLEM_RESPONSES)

ClusterId = Annotated[
    str,
    Path(
        min_length=4,
        max_length=60,
        pattern=r"^(shell:)?[0-9a-f]{4,32}$",
        description="The cluster's uid (shell:…) or the hex id after the prefix",
        examples=["shell:a9852d7f8d4d7533"],
    ),
]


class ReviewRequest(BaseModel):
    """The officer's decision on a cluster and why."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: service.Decision = Field(examples=["confirm"])
    reason: str = Field(min_length=1, max_length=2000, examples=["实地核查: 同一办公室, 无经营"])


@router.get(
    "",
    response_model=Page[service.ClusterSummary],
    summary="Suspected shell clusters, highest score first",
    dependencies=[Depends(refuse_offset)],
)
async def list_clusters(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    status: Annotated[
        service.ClusterStatus | None, Query(description="suspected, confirmed or dismissed")
    ] = None,
    min_score: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
) -> Page[service.ClusterSummary]:
    """Clusters the last detection run found, ranked by score; ``next`` pages on, null on
    the last page. Each carries its reasons in words and the identifiers its members share."""
    page = await run_in_threadpool(
        lambda: service.list_clusters(
            state.store, status=status, min_score=min_score, limit=limit, cursor=cursor
        )
    )
    nxt = cursor_link(request, page.next)
    return Page[service.ClusterSummary](items=page.items, limit=limit, next=nxt)


@router.get(
    "/{cluster_id}",
    response_model=service.ClusterDetail,
    summary="A cluster's members (most typical first), reasons and review",
)
async def get_cluster(
    key: OfficerKey, state: StateDep, request: Request, cluster_id: ClusterId
) -> service.ClusterDetail:
    """Members are ranked by their mean Jaccard similarity to the other members."""
    uid = service.shell_uid(cluster_id)
    audit_subject(request, uid)
    return await run_in_threadpool(service.get_cluster, state.store, uid)


@router.get(
    "/{cluster_id}/review/preview",
    response_model=ActionPreview,
    summary="What a review of the cluster would impose (nothing: it records the finding)",
)
async def review_preview(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    cluster_id: ClusterId,
    decision: Annotated[service.Decision, Query()] = service.Decision.CONFIRM,
) -> ActionPreview:
    """Confirming a shell cluster records the finding and imposes no measure; listing its
    members is a separate listing decision (``/v1/listings/preview``). The preview says so,
    in Chinese and English, like every action's preview."""
    uid = service.shell_uid(cluster_id)
    audit_subject(request, uid)
    return await run_in_threadpool(
        approvals.shell_confirm_preview,
        state.store,
        uid,
        approval_above=state.settings.approval_above,
        confirm=decision is service.Decision.CONFIRM,
    )


@router.post(
    "/{cluster_id}/review",
    response_model=service.ClusterDetail,
    summary="Confirm or dismiss a cluster, with the reason",
)
async def review(
    key: OfficerKey, state: StateDep, request: Request, cluster_id: ClusterId, body: ReviewRequest
) -> service.ClusterDetail:
    """The decision, the officer (the key's name), the reason and the time are recorded and
    survive later detection runs."""
    uid = service.shell_uid(cluster_id)
    audit_subject(request, uid)

    def run() -> service.ClusterDetail:
        with state.write_lock:
            detail = service.review_cluster(state.store, uid, body.decision, key.name, body.reason)
            decision = rec.shell_reviewed(
                rec.api_actor(key), detail.uid, body.decision.value, body.reason
            )
            record_api(state, decision)
            return detail

    return await run_in_threadpool(run)
