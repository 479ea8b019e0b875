"""A brand's infringement links filtered the way an analyst works through them.

``GET /v1/brands/{brand}/links`` pages the links strongest first with a minimum weight.
The console's brand page also needs: only the stores nobody has reported yet (the ones to
act on), one platform, and links whose evidence was filed on or after a date. The same
links are computed (``algorithms.brands.service.links_for_brand``, with the caller's brand
scope), then filtered and paged here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool

from algorithms.brands import service as svc
from algorithms.brands.core import LinkParams
from api.deps import ApiState, BrandKey, StateDep
from api.routers.brands import _scope_for
from graph.store import MAX_OFFSET

__all__ = ["router"]

#: Most links of one brand filtered (beyond it the filter sees the strongest ones).
MAX_LINKS = 20_000

router = APIRouter(prefix="/api/brands", tags=["console"])
_BRAND = Path(min_length=1, max_length=130, pattern=r"^[A-Za-z0-9._:-]+$")


class FilteredLinks(svc.LinkPage):
    """A page of links after the filters, and the platforms present before them."""

    platforms: list[str]


def _filed(state: ApiState, reports: set[str]) -> dict[str, date]:
    out: dict[str, date] = {}
    for node in state.store.get_nodes(sorted(reports)):
        value = node.get("filed")
        if value:
            out[node.uid] = date.fromisoformat(str(value)[:10])
    return out


def _filtered(
    state: ApiState,
    scope: svc.BrandScope,
    brand: str,
    min_weight: float,
    unreported_only: bool,
    platform: str | None,
    since: date | None,
    offset: int,
    limit: int,
) -> FilteredLinks:
    every = svc.links_for_brand(
        state.store, scope, brand, LinkParams(min_weight=min_weight), 0, MAX_LINKS
    )
    links = every.items
    platforms = sorted({x.platform for x in links if x.platform})
    if unreported_only:
        links = [x for x in links if not x.reported]
    if platform:
        links = [x for x in links if x.platform == platform]
    if since is not None:
        filed = _filed(state, {r for x in links for r in x.evidence})
        links = [x for x in links if any(filed.get(r, date.min) >= since for r in x.evidence)]
    page = links[offset : offset + limit]
    return FilteredLinks(
        brand=every.brand,
        total=len(links),
        items=page,
        offset=offset,
        limit=limit,
        has_more=offset + limit < len(links),
        platforms=platforms,
    )


@router.get("/{brand}/links", response_model=FilteredLinks, summary="Filtered infringement links")
async def filtered_links(
    brand: Annotated[str, _BRAND],
    key: BrandKey,
    state: StateDep,
    min_weight: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    unreported_only: bool = False,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[date | None, Query(description="evidence filed on or after")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> FilteredLinks:
    """The brand's links (as ``/v1/brands/{brand}/links``, same scope rules), only the
    unreported stores, one platform, or with evidence filed since a date."""
    scope, uid = await _scope_for(state, key, brand)
    assert uid is not None
    return await run_in_threadpool(
        _filtered, state, scope, uid, min_weight, unreported_only, platform, since, offset, limit
    )
