"""Officers: formation agents and registered-office addresses that serve many companies.

A finding is a lead for review, ranked by size and by how many of the companies were set
up within a short window; it restricts nobody. Computed from the registry edges on each
request (a batch read over the registration-agent and address edges).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from algorithms.shells import service
from algorithms.shells.agents import AgentParams
from api.deps import OfficerKey, StateDep
from api.errors import PROBLEM_RESPONSES

__all__ = ["router"]

router = APIRouter(prefix="/v1/formation-agents", tags=["officer"], responses=PROBLEM_RESPONSES)


@router.get(
    "",
    response_model=list[service.FormationOut],
    summary="Agents and addresses that formed many companies, highest score first",
)
async def formation_agents(
    key: OfficerKey,
    state: StateDep,
    min_companies: Annotated[int, Query(ge=2, le=100_000)] = 10,
    window_days: Annotated[int, Query(ge=1, le=3_650)] = 30,
    at: Annotated[date | None, Query(description="edges in force on this day (today)")] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> list[service.FormationOut]:
    """Each finding names the agent and the address, how many companies, how many of them
    within the window, and the reason in Chinese and English."""
    params = AgentParams(
        at=at or date.today(), min_companies=min_companies, window_days=window_days
    )
    return await run_in_threadpool(service.formation_agents, state.store, params, limit=limit)
