"""Officers: how two entities are connected (shortest paths, ignoring direction)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import ApiState, OfficerKey, StateDep, audit_subjects
from api.errors import PROBLEM_RESPONSES
from api.routers._views import edge_out, entity_out
from api.schemas import Page, PathOut
from graph.lookup import resolve_entity

__all__ = ["router"]

router = APIRouter(prefix="/v1/paths", tags=["officer"], responses=PROBLEM_RESPONSES)

_Entity = Query(
    min_length=1,
    max_length=200,
    description="uid, USCC or platform:shop_id",
    examples=["biz:91330106MA2AAAAA15"],
)


def _paths(
    state: ApiState, a: str, b: str, max_hops: int, types: list[str] | None, limit: int
) -> tuple[list[PathOut], list[str]]:
    first = resolve_entity(state.store, a, state.id_hash_key)
    second = resolve_entity(state.store, b, state.id_hash_key)
    found = state.store.paths(
        first.uid, second.uid, max_hops=max_hops, rel_types=types, limit=limit
    )
    out = [
        PathOut(
            nodes=[entity_out(n) for n in p.nodes],
            edges=[edge_out(e) for e in p.edges],
            length=len(p),
        )
        for p in found
    ]
    return out, [first.uid, second.uid]


@router.get("", response_model=Page[PathOut], summary="Shortest paths between two entities")
async def paths(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    a: Annotated[str, _Entity],
    b: Annotated[str, _Entity],
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    types: Annotated[list[str] | None, Query(description="relationship types to follow")] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Page[PathOut]:
    """Up to ``limit`` shortest paths of at most ``max_hops`` edges; 404 (no-path) when
    the two are not connected within the limit. Shortest paths are one page: ``next`` is
    always null."""
    out, uids = await run_in_threadpool(_paths, state, a, b, max_hops, types or None, limit)
    audit_subjects(request, uids)
    return Page[PathOut](items=out, limit=limit, next=None)
