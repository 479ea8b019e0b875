"""The officer web console: static files at ``/console`` and the few reads it needs.

The console is plain ES modules (``static/js``) talking to the public API with the
officer's key, which the page keeps in ``sessionStorage`` and sends as ``X-API-Key``; the
server holds no console sessions. What the public API does not offer yet lives here,
under ``/console/api`` (officer keys only, but for ``me``):

* ``me``: who the key is, officer or brand-alliance member (a platform key gets 403, so
  the page refuses it; a brand key's page shows only the brand pages, whose data comes from
  ``/v1/brands`` with that key's scope);
* ``meta``: list types, relationship types, labels and which ``/v1`` paths this server
  has, so the page shows only the features installed;
* ``explanation``: an entity's restrictions with each derivation path as nodes (name,
  label) and typed edges, ready to draw;
* ``restricted``: which of up to 1,000 uids are restricted today (network colouring),
  answered from the restriction snapshot in memory;
* ``listings/preview``: what adding, removing or repairing a listing would impose, lift
  or end, computed with the propagation engine without writing.

Every answer is bounded: nothing here reads the whole graph into the page.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path as FsPath
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation import service
from algorithms.propagation.engine import DerivationPath, Listing, Restriction
from algorithms.propagation.rules import RuleSet, SubjectKind, default_rules
from api.deps import ApiState, BrandKey, OfficerKey, StateDep, audit_subject, subject_uid
from api.errors import PROBLEM_RESPONSES
from api.params import Uid
from api.routers.listings import ListingIn, RemovalIn
from api.routers.restrictions import restriction_view
from graph.errors import InvalidInput, NotFound
from graph.render import node_name, vocabulary
from graph.schema import NODES, REL_BY_TYPE, label_of_uid

__all__ = ["STATIC_DIR", "router"]

#: Where the console's files are (committed; no build step).
STATIC_DIR = FsPath(__file__).resolve().parent / "static"

#: Most items a preview or explanation lists (the counts are always complete).
MAX_ITEMS = 200
#: Most uids one ``restricted`` call may ask about.
MAX_UIDS = 1_000

# Scripts, styles and images only from this origin; the vendored graph library needs
# inline style attributes on its canvas container.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(prefix="/console", responses=PROBLEM_RESPONSES)


# -- static files --------------------------------------------------------------------------
@router.get("", include_in_schema=False)
async def console_root() -> RedirectResponse:
    """``/console`` → ``/console/`` so relative asset paths resolve."""
    return RedirectResponse("/console/", status_code=308)


@router.get("/", include_in_schema=False)
async def console_index() -> FileResponse:
    """The single page; it shows nothing but the sign-in form until a key is given."""
    return FileResponse(STATIC_DIR / "index.html", headers=_SECURITY_HEADERS)


_MEDIA = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@router.get("/static/{path:path}", include_in_schema=False)
async def console_static(path: str) -> Response:
    """A file under ``static/`` (never outside it)."""
    try:
        target = (STATIC_DIR / path).resolve()
        found = target.is_relative_to(STATIC_DIR) and target.is_file()
    except (OSError, ValueError):  # a NUL byte, a name too long for the file system
        found = False
    if not found:
        raise NotFound("no such console file")
    media = _MEDIA.get(target.suffix, "text/plain; charset=utf-8")
    return FileResponse(target, media_type=media, headers=_SECURITY_HEADERS)


@router.get("/vocabulary.js", include_in_schema=False)
async def console_vocabulary() -> Response:
    """Label and relationship words from :mod:`graph.render`, as an ES module."""
    words = vocabulary()
    body = (
        f"export const LABELS = {json.dumps(words['labels'], ensure_ascii=False)};\n"
        f"export const RELS = {json.dumps(words['relationships'], ensure_ascii=False)};\n"
    )
    return Response(body, media_type="text/javascript", headers=_SECURITY_HEADERS)


# -- who and what --------------------------------------------------------------------------
class Me(BaseModel):
    """The signed-in key (never the token)."""

    key_id: str
    name: str
    scope: str
    brands: list[str] = Field(
        default_factory=list, description="A brand key's brand and member uids (as issued)"
    )


@router.get("/api/me", response_model=Me, tags=["console"], summary="The console's key")
async def me(key: BrandKey) -> Me:
    """Who the key is: an officer's or a brand-alliance member's; 403 for a platform key."""
    return Me(key_id=key.key_id, name=key.name, scope=key.scope.value, brands=list(key.brands))


class ListTypeOut(BaseModel):
    """A credit list officers can put subjects on."""

    id: str
    name_zh: str
    name_en: str
    subjects: list[str]
    legal_basis: list[str]


class MeasureOut(BaseModel):
    """A joint-punishment measure by name."""

    id: str
    name_zh: str
    name_en: str


class Meta(BaseModel):
    """What the console needs to know about this server."""

    list_types: list[ListTypeOut]
    measures: list[MeasureOut] = Field(default_factory=list)
    removal_reasons: list[str]
    rel_types: list[str]
    labels: list[str]
    paths: list[str] = Field(description="The /v1 paths this server has (feature detection)")
    max_items: int


def _rules() -> RuleSet:
    return default_rules()


@router.get("/api/meta", response_model=Meta, tags=["console"], summary="Console metadata")
async def meta(key: OfficerKey, request: Request) -> Meta:
    """List types, relationship types, labels and the server's ``/v1`` paths."""
    rules = _rules()
    # The OpenAPI document lists every operation however routers are nested (and FastAPI
    # caches it after the first build).
    paths = sorted(request.app.openapi().get("paths", {}))
    reasons = RemovalIn.model_fields["reason"].annotation
    return Meta(
        list_types=[
            ListTypeOut(
                id=lt.id,
                name_zh=lt.name_zh,
                name_en=lt.name_en,
                subjects=[s.value for s in lt.subjects],
                legal_basis=list(lt.legal_basis),
            )
            for lt in rules.list_types
        ],
        measures=[
            MeasureOut(id=m.id, name_zh=m.name_zh, name_en=m.name_en)
            for m in rules.measure_by_id.values()
        ],
        removal_reasons=list(getattr(reasons, "__args__", ())),
        rel_types=sorted(REL_BY_TYPE),
        labels=[spec.label for spec in NODES],
        paths=[p for p in paths if p.startswith("/v1/")],
        max_items=MAX_ITEMS,
    )


# -- explanations as drawable paths --------------------------------------------------------
class PathNode(BaseModel):
    """A node on a derivation path."""

    uid: str
    label: str | None
    name: str | None


class PathEdgeOut(BaseModel):
    """A typed edge on a derivation path, with its own valid time."""

    rid: str
    type: str
    src: str
    dst: str
    since: date | None
    until: date | None


class DrawnPath(BaseModel):
    """Nodes from the listed entity to the restricted one; ``edges[i]`` joins node i, i+1."""

    nodes: list[PathNode]
    edges: list[PathEdgeOut]


class ExplainedOut(BaseModel):
    """One measure in force, why, and the paths that carried it."""

    measure: str
    measure_name_zh: str
    measure_name_en: str
    list_type: str
    list_name_zh: str
    list_name_en: str
    rule_id: str
    rule_zh: str | None
    rule_en: str | None
    listing_uid: str
    listed_uid: str
    derived: bool
    valid_from: date
    valid_to: date | None
    legal_basis: list[str]
    path_count: int
    paths: list[DrawnPath]


class Explanation(BaseModel):
    """An entity's restrictions on ``at``."""

    uid: str
    at: date
    restricted: bool
    items: list[ExplainedOut]
    total: int


def _names(state: ApiState, uids: set[str]) -> dict[str, PathNode]:
    nodes = state.store.get_nodes(sorted(uids)) if uids else []
    out = {
        n.uid: PathNode(
            uid=n.uid,
            label=n.label,
            name=node_name(n) or None,
        )
        for n in nodes
    }
    for uid in uids - out.keys():
        out[uid] = PathNode(uid=uid, label=label_of_uid(uid), name=None)
    return out


def _drawn(path: DerivationPath, names: dict[str, PathNode]) -> DrawnPath:
    return DrawnPath(
        nodes=[names[u] for u in path.nodes],
        edges=[
            PathEdgeOut(rid=e.rid, type=e.type, src=e.src, dst=e.dst, since=e.since, until=e.until)
            for e in path.edges
        ],
    )


def _explanation(state: ApiState, uid: str, at: date | None) -> Explanation:
    rules = _rules()
    current = service.status(state.store, uid, at)
    records = current.restrictions[:MAX_ITEMS]
    names = _names(state, {n for r in records for p in r.paths for n in p.nodes})
    items = []
    for r in records:
        list_type = rules.list_type_by_id.get(r.list_type)
        rule = rules.rule_by_id.get(r.rule_id)
        items.append(
            ExplainedOut(
                measure=r.measure,
                measure_name_zh=r.measure_name_zh,
                measure_name_en=r.measure_name_en,
                list_type=r.list_type,
                list_name_zh=list_type.name_zh if list_type else r.list_type,
                list_name_en=list_type.name_en if list_type else r.list_type,
                rule_id=r.rule_id,
                rule_zh=(rule.description_zh or None) if rule else None,
                rule_en=(rule.description_en or None) if rule else None,
                listing_uid=r.listing_uid,
                listed_uid=r.listed_uid,
                derived=r.listed_uid != r.subject_uid,
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                legal_basis=list(r.legal_basis),
                path_count=r.path_count,
                paths=[_drawn(p, names) for p in r.paths],
            )
        )
    return Explanation(
        uid=uid,
        at=current.at,
        restricted=current.restricted,
        items=items,
        total=len(current.restrictions),
    )


_UID = Path(min_length=3, max_length=200, examples=["biz:91330106MA2AAAAA15"])


@router.get(
    "/api/entities/{uid}/explanation",
    response_model=Explanation,
    tags=["console"],
    summary="Restrictions with drawable paths",
)
async def explanation(
    uid: Annotated[Uid, _UID],
    key: OfficerKey,
    state: StateDep,
    request: Request,
    at: date | None = None,
) -> Explanation:
    """Each measure in force on ``at`` (today) with its rule, listing and paths as nodes
    and typed edges (at most 200 measures; ``total`` counts them all)."""
    audit_subject(request, uid)
    return await run_in_threadpool(_explanation, state, uid, at)


# -- restriction flags for a page of nodes -------------------------------------------------
class RestrictedIn(BaseModel):
    """Uids shown on the page."""

    model_config = ConfigDict(extra="forbid")

    uids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(max_length=MAX_UIDS)
    at: date | None = None


class RestrictedOut(BaseModel):
    """The restricted ones among them, with their measures."""

    at: date
    restricted: dict[str, list[str]]


@router.post(
    "/api/restricted",
    response_model=RestrictedOut,
    tags=["console"],
    summary="Which of these entities are restricted",
)
async def restricted(body: RestrictedIn, key: OfficerKey, state: StateDep) -> RestrictedOut:
    """Measures in force on ``at`` (today) for each restricted uid among ``uids``
    (at most 1,000), from the in-memory restriction snapshot."""
    at = body.at or date.today()

    def run() -> RestrictedOut:
        view = restriction_view(state)
        found: dict[str, list[str]] = {}
        for uid in dict.fromkeys(body.uids):
            measures = sorted({r.measure for r in view.in_force(uid, at)})
            if measures:
                found[uid] = measures
        return RestrictedOut(at=at, restricted=found)

    return await run_in_threadpool(run)


# -- listing previews ----------------------------------------------------------------------
class AddPreviewIn(BaseModel):
    """Preview of ``POST /v1/listings`` with the same body."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["add"]
    listing: ListingIn


class RemovePreviewIn(RemovalIn):
    """Preview of ``POST /v1/listings/{listing_uid}/removal``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "action": "remove",
                    "listing_uid": "listing:ZJ-2024-0002",
                    "on": "2025-03-01",
                    "reason": "objection_upheld",
                }
            ]
        },
    )

    action: Literal["remove"]
    listing_uid: str = Field(min_length=9, max_length=200)


class RepairPreviewIn(BaseModel):
    """Preview of ``POST /v1/listings/{listing_uid}/repair``."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["repair"]
    listing_uid: str = Field(min_length=9, max_length=200)
    on: date


AnyPreview = AddPreviewIn | RemovePreviewIn | RepairPreviewIn
PreviewIn = Annotated[AnyPreview, Field(discriminator="action")]


class EffectOut(BaseModel):
    """One restriction the change would impose, lift or re-date."""

    subject: PathNode
    measure: str
    measure_name_zh: str
    measure_name_en: str
    rule_id: str
    derived: bool
    valid_from: date
    valid_to: date | None
    new_valid_to: date | None = Field(None, description="For a re-dated one: its new end")
    path: DrawnPath | None


class PreviewOut(BaseModel):
    """What applying the change would do, written nowhere."""

    action: str
    listing_uid: str
    subject: PathNode
    imposed: int
    lifted: int
    ended: int
    amended: int
    items_imposed: list[EffectOut]
    items_lifted: list[EffectOut]
    items_changed: list[EffectOut]


def _check_subject(rules: RuleSet, listing: Listing, state: ApiState) -> None:
    """The checks ``service.add_listing`` makes, without writing."""
    service.check_listing_dates(listing)
    label = label_of_uid(listing.subject_uid)
    list_type = rules.list_type_by_id.get(listing.list_type)
    if list_type is None:
        known = ", ".join(rules.list_type_by_id)
        raise InvalidInput(
            f"unknown list type {listing.list_type!r} (known: {known})", field="list_type"
        )
    kind = SubjectKind.of_label(label or "")
    if kind is None:
        raise InvalidInput("the subject is not a business, person or store", field="id")
    if kind not in list_type.subjects:
        raise InvalidInput(f"{list_type.id} does not list a {label}", field="kind")
    if state.store.get_node(listing.subject_uid) is None:
        raise NotFound("no such subject on record")


def _listing_for(state: ApiState, body: AnyPreview) -> Listing:
    if isinstance(body, AddPreviewIn):
        b = body.listing
        return Listing(
            uid=f"listing:{b.listing_id}",
            subject_uid=subject_uid(b.kind, b.id, state.id_hash_key),
            list_type=b.list_type,
            decided=b.decided,
            expires=b.expires,
            legal_basis=b.legal_basis,
        )
    found = service.load_listings(state.store, [body.listing_uid])
    if not found:
        raise NotFound(f"no listing {body.listing_uid!r}")
    reason = body.reason if isinstance(body, RemovePreviewIn) else "repaired"
    return dataclasses.replace(found[0], removed=body.on, removal_reason=reason)


def _effects(
    rules: RuleSet, rows: Sequence[tuple[Restriction, date | None]], names: dict[str, PathNode]
) -> list[EffectOut]:
    measures = rules.measure_by_id
    out = []
    for r, new_to in rows:
        m = measures.get(r.measure_id)
        out.append(
            EffectOut(
                subject=names[r.subject_uid],
                measure=r.measure_id,
                measure_name_zh=m.name_zh if m else r.measure_id,
                measure_name_en=m.name_en if m else r.measure_id,
                rule_id=r.rule_id,
                derived=r.listed_uid != r.subject_uid,
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                new_valid_to=new_to,
                path=_drawn(r.paths[0], names) if r.paths else None,
            )
        )
    return out


def _preview(state: ApiState, body: AnyPreview) -> PreviewOut:
    rules = _rules()
    listing = _listing_for(state, body)
    if isinstance(body, AddPreviewIn):
        _check_subject(rules, listing, state)
    change = service.preview_listing(state.store, listing, rules)
    ended = [
        (new, new.valid_to)
        for old, new in change.changed
        if new.valid_to is not None and (old.valid_to is None or new.valid_to < old.valid_to)
    ]
    ended_keys = {r.key for r, _ in ended}
    amended = [(new, new.valid_to) for _, new in change.changed if new.key not in ended_keys]
    imposed = [(r, None) for r in change.imposed[:MAX_ITEMS]]
    lifted = [(r, None) for r in change.lifted[:MAX_ITEMS]]
    changed = (ended + amended)[:MAX_ITEMS]
    shown = [r for r, _ in imposed + lifted + changed]
    names = _names(
        state,
        {listing.subject_uid}
        | {r.subject_uid for r in shown}
        | {u for r in shown for u in (r.paths[0].nodes if r.paths else ())},
    )
    return PreviewOut(
        action=body.action,
        listing_uid=listing.uid,
        subject=names[listing.subject_uid],
        imposed=len(change.imposed),
        lifted=len(change.lifted),
        ended=len(ended),
        amended=len(amended),
        items_imposed=_effects(rules, imposed, names),
        items_lifted=_effects(rules, lifted, names),
        items_changed=_effects(rules, changed, names),
    )


@router.post(
    "/api/listings/preview",
    response_model=PreviewOut,
    tags=["console"],
    summary="What a listing change would do, without doing it",
)
async def preview(body: PreviewIn, key: OfficerKey, state: StateDep) -> PreviewOut:
    """Runs the propagation engine for the changed listing against the current graph and
    compares with the listing's current restrictions; writes nothing. Lists at most 200
    restrictions per kind of effect (the counts are complete)."""
    return await run_in_threadpool(_preview, state, body)


# -- graph reads (expansion grouped by relationship, neighbour pages, names) ----------------
# In their own module; included here so the app mounts one console router.
def _include_graph_reads() -> None:
    from api.console.alerts import router as alerts_router
    from api.console.brand_links import router as brand_links_router
    from api.console.cases import router as cases_router
    from api.console.graph_api import router as graph_router
    from api.console.reasons import router as reasons_router

    router.include_router(graph_router)
    router.include_router(reasons_router)
    router.include_router(cases_router)
    router.include_router(brand_links_router)
    router.include_router(alerts_router)


_include_graph_reads()
