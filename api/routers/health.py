"""Liveness (``/healthz``) and readiness (``/readyz``: the store answers a cheap query)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import StoreDep
from api.schemas import Health
from graph.errors import StoreError

__all__ = ["router"]

router = APIRouter(tags=["health"])

#: A uid no node has: the lookup exercises the store's uid index and returns nothing.
_PROBE_UID = "biz:__readyz__"


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    """Always ``ok`` while the process serves requests."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="The graph store is reachable",
    responses={503: {"model": Health, "description": "The store does not answer"}},
)
async def readyz(store: StoreDep) -> Health | JSONResponse:
    """``ok`` when the store answers a uid lookup; 503 otherwise."""
    try:
        await run_in_threadpool(store.get_nodes, [_PROBE_UID])
    except StoreError as exc:
        body = Health(status="unavailable", store=store.dialect, detail=type(exc).__name__)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", store=store.dialect)
