"""The console's graph reads: expansion grouped by relationship, neighbours a page at a time,
names for uids.

``GET /v1/entities/{uid}/network`` returns the first ``max_nodes`` neighbours, so a
1,544-store operator fills any cap with stores and hides the people behind it. The console
expands instead through:

* ``expand``: every relationship of the entity counted by (type, direction, label of the
  other end), as of ``at`` (today when not given): buckets up to ``group_at`` come with their
  nodes and edges, larger ones only as counts, which the page draws as one group node
  ("1,544 网店") opened on demand; labels in ``hide`` are counted, never fetched;
* ``neighbours``: one bucket a page at a time (opening a group, "expand by type");
* ``names``: label and display name of up to 1,000 uids (controllers, representatives and
  path nodes shown by name, never by uid).

Every answer is bounded: at most :data:`MAX_EDGES` relationships of one entity are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ApiState, OfficerKey, StateDep, audit_subject
from api.routers._views import edge_out, entity_out
from api.schemas import EdgeOut, EntityOut
from graph.errors import NotFound
from graph.model import Edge
from graph.render import node_name
from graph.schema import label_of_uid

__all__ = ["MAX_EDGES", "router"]

#: Most relationships of one entity read for an expansion (a hub beyond it is counted as
#: "at least" this many, ``complete`` false).
MAX_EDGES = 20_000
#: Most nodes one expansion returns in its small buckets.
MAX_EXPAND_NODES = 400
#: Most uids one ``names`` call may ask about.
MAX_NAMES = 1_000

Direction = Literal["out", "in"]

# Mounted under the console router (prefix /console), so these are /console/api/….
router = APIRouter(prefix="/api", tags=["console"])
_UID = Path(min_length=3, max_length=200, examples=["biz:91330106MA2AAAAA15"])


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def valid_on(edge: Edge, at: date) -> bool:
    """Whether the relationship held on ``at``: ``since`` ≤ at, and ``until`` (exclusive)
    after it; a relationship with neither is taken as always valid."""
    since = _day(edge.props.get("since"))
    until = _day(edge.props.get("until"))
    return (since is None or since <= at) and (until is None or at < until)


class Bucket(BaseModel):
    """The entity's relationships of one type, direction and label at the other end."""

    type: str
    direction: Direction = Field(description="out: the entity is the source")
    label: str
    count: int
    fetched: bool = Field(description="Whether its nodes are in this answer")


class Expansion(BaseModel):
    """An entity's neighbourhood, one hop, grouped."""

    centre: EntityOut
    at: date
    complete: bool = Field(description="False when the entity has more than 20,000 relationships")
    buckets: list[Bucket]
    nodes: list[EntityOut]
    edges: list[EdgeOut]


class NeighbourPage(BaseModel):
    """One bucket of an entity's neighbours, a page at a time."""

    uid: str
    type: str
    direction: Direction
    label: str
    total: int
    offset: int
    nodes: list[EntityOut]
    edges: list[EdgeOut]


def _grouped(
    state: ApiState, uid: str, types: Sequence[str] | None, at: date
) -> tuple[dict[tuple[str, Direction, str], list[Edge]], bool]:
    edges = state.store.edges_of([uid], list(types) if types else None, limit=MAX_EDGES)
    groups: dict[tuple[str, Direction, str], list[Edge]] = {}
    for e in edges:
        if e.src == e.dst or not valid_on(e, at):
            continue
        direction: Direction = "out" if e.src == uid else "in"
        label = label_of_uid(e.other(uid)) or "Unknown"
        groups.setdefault((e.type, direction, label), []).append(e)
    for bucket in groups.values():
        bucket.sort(key=lambda e: (e.other(uid), e.rid))
    return groups, len(edges) < MAX_EDGES


def _expand(
    state: ApiState,
    uid: str,
    types: Sequence[str] | None,
    hide: set[str],
    group_at: int,
    at: date,
) -> Expansion:
    centre = state.store.get_node(uid)
    if centre is None:
        raise NotFound(f"no entity {uid!r}")
    groups, complete = _grouped(state, uid, types, at)
    buckets: list[Bucket] = []
    chosen: list[Edge] = []
    # Smallest buckets first, so the people behind a store-heavy operator are always drawn.
    for (rel, direction, label), edges in sorted(groups.items(), key=lambda kv: len(kv[1])):
        others = {e.other(uid) for e in edges}
        fetch = (
            label not in hide
            and len(others) <= group_at
            and len(chosen) + len(edges) <= MAX_EXPAND_NODES
        )
        buckets.append(
            Bucket(type=rel, direction=direction, label=label, count=len(others), fetched=fetch)
        )
        if fetch:
            chosen.extend(edges)
    buckets.sort(key=lambda b: (b.type, b.direction, b.label))
    nodes = state.store.get_nodes(sorted({e.other(uid) for e in chosen}))
    return Expansion(
        centre=entity_out(centre),
        at=at,
        complete=complete,
        buckets=buckets,
        nodes=[entity_out(n) for n in nodes],
        edges=[edge_out(e) for e in chosen],
    )


@router.get(
    "/entities/{uid}/expand",
    response_model=Expansion,
    summary="One hop around an entity, grouped by relationship",
)
async def expand(
    uid: Annotated[str, _UID],
    key: OfficerKey,
    state: StateDep,
    request: Request,
    types: Annotated[
        list[str] | None, Query(description="relationship types (default: all)")
    ] = None,
    hide: Annotated[
        list[str] | None, Query(description="labels counted but not fetched (e.g. Listing)")
    ] = None,
    group_at: Annotated[int, Query(ge=0, le=200, description="largest bucket fetched")] = 12,
    at: Annotated[date | None, Query(description="the network as it stood that day")] = None,
) -> Expansion:
    """Every relationship valid on ``at`` counted by type, direction and label; buckets of
    at most ``group_at`` neighbours come with their nodes (at most 400 nodes in all)."""
    audit_subject(request, uid)
    day = at or date.today()
    return await run_in_threadpool(_expand, state, uid, types, set(hide or ()), group_at, day)


def _neighbours(
    state: ApiState,
    uid: str,
    rel: str,
    direction: Direction,
    label: str,
    offset: int,
    limit: int,
    at: date,
) -> NeighbourPage:
    groups, _ = _grouped(state, uid, [rel], at)
    edges = groups.get((rel, direction, label), [])
    others = list(dict.fromkeys(e.other(uid) for e in edges))
    page = others[offset : offset + limit]
    wanted = set(page)
    nodes = state.store.get_nodes(page)
    return NeighbourPage(
        uid=uid,
        type=rel,
        direction=direction,
        label=label,
        total=len(others),
        offset=offset,
        nodes=[entity_out(n) for n in nodes],
        edges=[edge_out(e) for e in edges if e.other(uid) in wanted],
    )


@router.get(
    "/entities/{uid}/neighbours",
    response_model=NeighbourPage,
    summary="One group of an entity's neighbours, a page at a time",
)
async def neighbours(
    uid: Annotated[str, _UID],
    key: OfficerKey,
    state: StateDep,
    request: Request,
    type: Annotated[str, Query(min_length=1, max_length=64)],
    direction: Direction,
    label: Annotated[str, Query(min_length=1, max_length=64)],
    offset: Annotated[int, Query(ge=0, le=MAX_EDGES)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    at: date | None = None,
) -> NeighbourPage:
    """The entity's ``type`` neighbours in ``direction`` whose label is ``label``, ordered
    by uid, ``limit`` from ``offset``; ``total`` counts them all."""
    audit_subject(request, uid)
    day = at or date.today()
    return await run_in_threadpool(
        _neighbours, state, uid, type, direction, label, offset, limit, day
    )


class NamesIn(BaseModel):
    """Uids to name."""

    model_config = ConfigDict(extra="forbid")

    uids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(max_length=MAX_NAMES)


class NamedOut(BaseModel):
    """A uid's label and display name (null when it has none or is not on record)."""

    label: str | None
    name: str | None


class NamesOut(BaseModel):
    """Names by uid, for every uid asked."""

    names: dict[str, NamedOut]


def _names(state: ApiState, uids: Sequence[str]) -> NamesOut:
    wanted = list(dict.fromkeys(uids))
    found = {n.uid: n for n in state.store.get_nodes(wanted)} if wanted else {}
    out: dict[str, NamedOut] = {}
    for uid in wanted:
        node = found.get(uid)
        out[uid] = NamedOut(
            label=node.label if node else label_of_uid(uid),
            name=(node_name(node) or None) if node else None,
        )
    return NamesOut(names=out)


@router.post("/names", response_model=NamesOut, summary="Names for uids")
async def names(body: NamesIn, key: OfficerKey, state: StateDep) -> NamesOut:
    """Label and display name of up to 1,000 uids (a person by name, never by id)."""
    return await run_in_threadpool(_names, state, body.uids)


class EdgesIn(BaseModel):
    """Nodes on the page (a saved case)."""

    model_config = ConfigDict(extra="forbid")

    uids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(max_length=1_500)
    at: date | None = None


class EdgesOut(BaseModel):
    """Relationships valid on ``at`` with both ends among the uids, and the nodes."""

    at: date
    nodes: list[EntityOut]
    edges: list[EdgeOut]


def _among(state: ApiState, uids: Sequence[str], at: date) -> EdgesOut:
    wanted = list(dict.fromkeys(uids))
    inside = set(wanted)
    edges = state.store.edges_of(wanted, None, direction="out", limit=MAX_EDGES)
    kept = [e for e in edges if e.dst in inside and valid_on(e, at)]
    return EdgesOut(
        at=at,
        nodes=[entity_out(n) for n in state.store.get_nodes(wanted)],
        edges=[edge_out(e) for e in kept],
    )


@router.post("/edges", response_model=EdgesOut, summary="The nodes and the edges among them")
async def edges_among(body: EdgesIn, key: OfficerKey, state: StateDep) -> EdgesOut:
    """The entities of up to 1,500 uids and every relationship valid on ``at`` (today)
    between two of them: a saved case drawn again."""
    return await run_in_threadpool(_among, state, body.uids, body.at or date.today())
