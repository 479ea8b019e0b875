"""Officers: entity search, credit records (profiles) and the network around an entity."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import ApiState, OfficerKey, StateDep, audit_subject, audit_subjects
from api.errors import PROBLEM_RESPONSES
from api.paging import CursorQuery, position_link, start_of
from api.params import Uid
from api.routers._views import edge_out, entity_out
from api.routers.feedback import feedback_store
from api.routers.identity import licences_on_record
from api.routers.search_index import SEARCHABLE, NameIndexCache
from api.schemas import EntityProfile, Network, Page, SearchHit
from graph.errors import InvalidInput, NotFound
from graph.lookup import candidate_uids
from graph.model import Node
from graph.schema import REL_BY_TYPE

__all__ = ["ROLE_TYPES", "restriction_status", "router"]

router = APIRouter(prefix="/v1/entities", tags=["officer"], responses=PROBLEM_RESPONSES)

#: Relationships a profile lists as the entity's roles, holdings and stores.
ROLE_TYPES = (
    "SHAREHOLDER_OF",
    "LEGAL_REPRESENTATIVE_OF",
    "DIRECTOR_OF",
    "SUPERVISOR_OF",
    "MANAGER_OF",
    "ACTUAL_CONTROLLER_OF",
    "OPERATES",
)
_MAX_RANKED = 500

UidPath = Annotated[
    Uid,
    Path(
        min_length=3,
        max_length=200,
        description="The entity's uid (biz:…, person:…, store:platform:shop_id …)",
        examples=["biz:91330106MA2AAAAA15"],
    ),
]


def names(state: ApiState) -> NameIndexCache:
    """The app's name index cache."""
    found = state.extras.get("names")
    if not isinstance(found, NameIndexCache):
        found = state.extras["names"] = NameIndexCache()
    return found


def _search(state: ApiState, q: str, labels: list[str] | None, wanted: int) -> list[SearchHit]:
    hits: list[SearchHit] = []
    seen: set[str] = set()
    try:
        exact = state.store.get_nodes(candidate_uids(q, state.id_hash_key))
    except InvalidInput:
        exact = []
    for match in exact:
        if labels is None or match.label in labels:
            hits.append(SearchHit(entity=entity_out(match), score=1.0, matched="identifier"))
            seen.add(match.uid)
    ranked = names(state).get(state.store).search(q, labels, limit=wanted)
    fresh = [h for h in ranked if h.uid not in seen]
    nodes = {n.uid: n for n in state.store.get_nodes([h.uid for h in fresh])}
    for hit in fresh:
        node = nodes.get(hit.uid)
        if node is not None:
            hits.append(SearchHit(entity=entity_out(node), score=hit.score, matched="name"))
    return hits


@router.get("", response_model=Page[SearchHit], summary="Search entities by identifier or name")
async def search(
    key: OfficerKey,
    state: StateDep,
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="USCC, id number, platform:shop_id, uid, or (part of) a name",
            examples=["星辰贸易"],
        ),
    ],
    label: Annotated[
        list[str] | None, Query(description="Business, Person and/or Store (default: all)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: CursorQuery = None,
    offset: Annotated[int, Query(ge=0, le=_MAX_RANKED)] = 0,
) -> Page[SearchHit]:
    """Exact identifiers first (score 1), then names ranked by bigram similarity.

    Fuzzy: ``杭州星晨贸易`` finds ``杭州星辰贸易有限公司``. Follow ``next`` (a ``cursor``)
    for more; null on the last page. ``offset`` is kept for older clients.
    """
    offset = start_of("search", cursor, offset)
    if offset > _MAX_RANKED:
        raise InvalidInput(f"search ranks at most {_MAX_RANKED} hits", field="cursor")
    if not q.strip():
        raise InvalidInput("q must not be blank", field="q")
    for name in label or ():
        if name not in SEARCHABLE:
            raise InvalidInput(f"label must be one of {', '.join(SEARCHABLE)}", field="label")
    wanted = min(offset + limit + 1, _MAX_RANKED + 1)
    hits = await run_in_threadpool(_search, state, q, label, wanted)
    exact = [h.entity.uid for h in hits if h.matched == "identifier"]
    if exact:
        audit_subjects(request, exact)
    page = hits[offset : offset + limit]
    more = len(hits) > offset + limit and offset + limit < _MAX_RANKED
    nxt = position_link(request, "search", offset + limit if more else None)
    return Page[SearchHit](items=page, limit=limit, next=nxt)


def restriction_status(state: ApiState, uid: str) -> dict[str, Any] | None:
    """The restriction status from the engine's service, or None where it is not installed."""
    try:
        from api.routers.restrictions import status_dict
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing.startswith("algorithms.") or missing == "api.routers.restrictions":
            return None
        raise
    found: dict[str, Any] = status_dict(state, uid)
    return found


def _profile(state: ApiState, uid: str) -> EntityProfile:
    store = state.store
    node = store.get_node(uid)
    if node is None:
        raise NotFound(f"no entity with uid {uid!r}")
    own = store.edges_of([uid], ["PENALISED", "LISTED"], direction="out")
    records = {n.uid: n for n in store.get_nodes([e.dst for e in own])}

    def of(rel: str) -> list[Node]:
        found = [records[e.dst] for e in own if e.type == rel and e.dst in records]
        return sorted(found, key=lambda n: str(n.get("decided", "")), reverse=True)

    roles = [e for e in store.edges_of([uid], list(ROLE_TYPES), limit=500) if e.type in REL_BY_TYPE]
    return EntityProfile(
        entity=entity_out(node),
        compliance=[entity_out(n) for n in of("PENALISED")],
        dishonesty=[entity_out(n) for n in of("LISTED")],
        roles=[edge_out(e) for e in sorted(roles, key=lambda e: (e.type, e.rid))],
        licences=licences_on_record(store, uid, date.today()) if node.label == "Business" else [],
        restrictions=restriction_status(state, uid),
        feedback=feedback_store(state).list(subject=uid, limit=50),
    )


@router.get("/{uid}", response_model=EntityProfile, summary="An entity's credit record")
async def profile(
    key: OfficerKey, state: StateDep, uid: UidPath, request: Request
) -> EntityProfile:
    """Basic record, compliance (violations), dishonesty (listings), roles, licences,
    restrictions (when the joint-punishment engine is installed) and platform feedback
    about it."""
    audit_subject(request, uid)
    return await run_in_threadpool(_profile, state, uid)


@router.get("/{uid}/network", response_model=Network, summary="The network around an entity")
async def network(
    key: OfficerKey,
    state: StateDep,
    uid: UidPath,
    request: Request,
    hops: Annotated[int, Query(ge=1, le=4, description="how far to expand")] = 1,
    types: Annotated[
        list[str] | None,
        Query(description="relationship types to follow (default: all)", examples=["OPERATES"]),
    ] = None,
    max_nodes: Annotated[int, Query(ge=1, le=2_000)] = 300,
) -> Network:
    """Nodes within ``hops`` of the entity, following only ``types`` when given, and the
    edges among them; at most ``max_nodes`` nodes (``truncated`` says the limit cut in)."""
    audit_subject(request, uid)
    sub = await run_in_threadpool(
        state.store.neighbourhood, uid, hops, types or None, max_nodes=max_nodes
    )
    return Network(
        centre=uid,
        hops=hops,
        nodes=[entity_out(n) for n in sub.nodes],
        edges=[edge_out(e) for e in sub.edges],
        truncated=sub.truncated,
    )
