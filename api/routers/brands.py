"""Brand-rights alliances: reports, infringement links, repeat infringers (``/v1/brands``).

``brand`` keys see only the brands they act for (the brand uids on the key, and the brands
the ``member:`` uids on the key act for); ``officer`` keys see every brand and alone decide
reports, manage members and list repeat infringers. The scope travels into every query as
parameters (:class:`algorithms.brands.service.BrandScope`); asking about another brand is
refused with 403 before any query, and the queries themselves return nothing outside it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.brands import service as svc
from algorithms.brands.core import LinkParams
from algorithms.propagation.decisions import atomically
from algorithms.propagation.proportion import ActionPreview
from api.deps import ApiState, BrandKey, OfficerKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES, Forbidden
from api.ledger import record as rec
from api.ledger.state import record_api
from api.paging import CursorQuery, cursor_link, position_link, refuse_offset, start_of
from api.security import ApiKey, Scope
from graph.errors import InvalidInput
from graph.store import MAX_OFFSET

__all__ = ["DecisionIn", "MemberIn", "RepeatListingIn", "ReportIn", "router"]

router = APIRouter(prefix="/v1/brands", tags=["brand"], responses=PROBLEM_RESPONSES)

_BRAND = Path(min_length=1, max_length=130, pattern=r"^[A-Za-z0-9._:-]+$", examples=["brand:XC"])
_REPORT = Path(min_length=1, max_length=130, pattern=r"^[A-Za-z0-9._:-]+$")
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Query(ge=1, le=500)]


class ReportIn(BaseModel):
    """A report on one store for the brand in the path."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "store_id": "pinduoduo:880001",
                    "evidence": "test purchase 2025-03-02, appraisal report JD-2025-118",
                    "evidence_sha256": "9f" * 32,
                }
            ]
        },
    )

    report_id: str | None = Field(None, pattern=r"^[A-Za-z0-9._:-]{1,100}$")
    store_id: str = Field(min_length=3, max_length=120)
    complainant: str | None = Field(None, max_length=200)
    filed: date | None = None
    evidence: str = Field(min_length=1, max_length=2000)
    evidence_sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")


class DecisionIn(BaseModel):
    """A decision on a report; ``countered`` needs the counter-notice text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "confirmed", "reason": "appraisal"}]},
    )

    status: Literal["pending", "confirmed", "rejected", "countered"]
    reason: str | None = Field(None, max_length=1000)
    counter_notice: str | None = Field(None, max_length=4000)
    on: date | None = None


class MemberIn(BaseModel):
    """An alliance member and the brands it may act for."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    member_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,100}$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["rights_holder", "agent"] = "rights_holder"
    brands: list[str] = Field(min_length=1, max_length=200)


class RepeatListingIn(BaseModel):
    """Listing a confirmed repeat infringer (``repeat_ip_infringer``)."""

    model_config = ConfigDict(extra="forbid")

    listing_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,100}$")
    decided: date
    expires: date | None = None
    authority: str | None = Field(None, max_length=200)
    legal_basis: str | None = Field(None, max_length=500)
    reason: str | None = Field(
        None,
        max_length=2_000,
        description="Written reason, required when the listing needs a second officer's "
        "approval (see …/listing/preview)",
    )


# -- scope ---------------------------------------------------------------------------------------
def _scope(state: ApiState, key: ApiKey) -> svc.BrandScope:
    if key.scope is Scope.OFFICER:
        return svc.BrandScope.officer()
    return svc.resolve_scope(state.store, key.brands)


async def _scope_for(
    state: ApiState, key: ApiKey, brand: str | None = None
) -> tuple[svc.BrandScope, str | None]:
    scope = await run_in_threadpool(_scope, state, key)
    uid = None if brand is None else svc.brand_uid(brand)
    if uid is not None and not scope.see_all and uid not in scope.allowed:
        raise Forbidden(f"this key does not act for {uid}")
    return scope, uid


def _complainant(key: ApiKey) -> str:
    members = [b for b in key.brands if b.startswith("member:")]
    return members[0] if members else key.name


def _as_filed(
    key: ApiKey, rows: list[svc.NewReport], first_row: int | None = None
) -> list[svc.NewReport]:
    """Reports as the key files them: a brand key's reports are the key's member's (its
    ``member:`` uid, else the key's name), so a body naming anyone else is refused rather
    than recorded (a member must not file as a bureau or another member). An officer may
    record a complaint received on someone's behalf, so its rows keep their complainant."""
    if key.scope is Scope.OFFICER:
        return rows
    me = _complainant(key)
    for i, row in enumerate(rows):
        if row.complainant is not None and row.complainant != me:
            where = "" if first_row is None else f"row {first_row + i}: "
            raise InvalidInput(
                f"{where}a brand key files as {me}; complainant cannot name another",
                file="reports" if first_row is not None else None,
                row=None if first_row is None else first_row + i,
                field="complainant",
            )
    return [row.model_copy(update={"complainant": me}) for row in rows]


_Ranked = TypeVar("_Ranked", svc.LinkPage, svc.RepeatPage)


def _with_next(request: Request, kind: str, page: _Ranked) -> _Ranked:
    """A ranked page with its ``next`` (a position cursor: the list is ranked in memory)."""
    more = page.offset + page.limit if page.has_more else None
    return page.model_copy(update={"next": position_link(request, kind, more)})


# -- brands and members --------------------------------------------------------------------------
@router.get("", summary="Brands you may act for", dependencies=[Depends(refuse_offset)])
async def brands(
    key: BrandKey, state: StateDep, request: Request, cursor: CursorQuery = None, limit: Limit = 100
) -> svc.BrandPage:
    """Officers see every brand; alliance members the brands they act for. By uid; follow
    ``next`` for more."""
    scope, _ = await _scope_for(state, key)
    page = await run_in_threadpool(svc.list_brands, state.store, scope, cursor, limit)
    return page.model_copy(update={"next": cursor_link(request, page.next)})


@router.get("/members", summary="Alliance members")
async def members(key: BrandKey, state: StateDep) -> list[svc.MemberOut]:
    """Members acting for brands in your scope."""
    scope, _ = await _scope_for(state, key)
    return await run_in_threadpool(svc.list_members, state.store, scope)


@router.post("/members", status_code=status.HTTP_201_CREATED, summary="Add an alliance member")
async def add_member(body: MemberIn, key: OfficerKey, state: StateDep) -> svc.MemberOut:
    """Records the member and the brands it may act for (a brand key may then name it)."""

    def run() -> svc.MemberOut:
        with state.write_lock:
            return svc.add_member(
                state.store, body.member_id, body.name, body.brands, kind=body.kind
            )

    return await run_in_threadpool(run)


@router.get("/complainants", summary="Complainant reputation")
async def complainants(key: BrandKey, state: StateDep) -> list[svc.ReputationOut]:
    """The weight of each complainant who filed on a brand in scope: the Beta-smoothed
    share of its decided reports that stood. Counts are shown to officers only."""
    scope, _ = await _scope_for(state, key)
    found = await run_in_threadpool(svc.complainant_reputations, state.store, scope)
    officer = key.scope is Scope.OFFICER
    return [
        svc.ReputationOut(
            complainant=r.complainant,
            weight=round(r.weight, 4),
            confirmed=r.confirmed if officer else None,
            rejected=r.rejected if officer else None,
            countered=r.countered if officer else None,
            pending=r.pending if officer else None,
        )
        for r in sorted(found.values(), key=lambda r: (r.weight, r.complainant))
    ]


# -- repeat infringers ---------------------------------------------------------------------------
@router.get("/repeat-infringers", summary="Repeat infringers across your brands")
async def repeat_all(
    key: BrandKey,
    state: StateDep,
    request: Request,
    confirmed_only: bool = False,
    cursor: CursorQuery = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> svc.RepeatPage:
    """Operators, people and shell clusters behind several infringing stores, ranked;
    follow ``next`` for more (``offset`` is kept for older clients)."""
    scope, _ = await _scope_for(state, key)
    start = start_of("repeat-infringers", cursor, offset)
    page = await run_in_threadpool(
        lambda: svc.rank_repeat_infringers(
            state.store, scope, None, confirmed_only=confirmed_only, offset=start, limit=limit
        )
    )
    return _with_next(request, "repeat-infringers", page)


def _repeat_listing(state: ApiState, actor: str, body: RepeatListingIn) -> Any:
    return svc.repeat_infringer_listing(
        state.store,
        actor,
        listing_id=body.listing_id,
        decided=body.decided,
        expires=body.expires,
        legal_basis=body.legal_basis,
    )


def _repeat_preview(state: ApiState, actor: str, body: RepeatListingIn) -> ActionPreview:
    from algorithms.propagation.service import check_new_listing
    from api import approvals

    listing = _repeat_listing(state, actor, body)
    check_new_listing(state.store, listing)
    return approvals.listing_add_preview(
        state.store, listing, approval_above=state.settings.approval_above
    )


@router.post(
    "/repeat-infringers/{actor}/listing/preview",
    response_model=ActionPreview,
    summary="What listing a confirmed repeat infringer would impose, by name; writes nothing",
)
async def preview_repeat(
    actor: Annotated[str, Path(min_length=5, max_length=200)],
    body: RepeatListingIn,
    key: OfficerKey,
    state: StateDep,
    request: Request,
) -> ActionPreview:
    """The same body as the listing: per rule the measures and the subjects they would bind,
    by name, the approval threshold that applies and whether a second officer must
    approve."""
    audit_subject(request, actor)
    return await run_in_threadpool(_repeat_preview, state, actor, body)


@router.post(
    "/repeat-infringers/{actor}/listing",
    status_code=status.HTTP_201_CREATED,
    summary="List a confirmed repeat infringer",
    responses={202: {"description": "Waiting for a second officer (a pending approval)"}},
)
async def list_repeat(
    actor: Annotated[str, Path(min_length=5, max_length=200)],
    body: RepeatListingIn,
    key: OfficerKey,
    state: StateDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Puts the business or person on ``repeat_ip_infringer`` when it is a repeat infringer
    on confirmed reports alone; the joint-punishment rules propagate from there. When the
    preview restricts more subjects than the threshold that applies, nothing is applied:
    the answer is ``202`` with a pending approval (``/v1/approvals``), which needs
    ``reason``."""
    from api import approvals
    from api.routers.approvals import request_approval

    audit_subject(request, actor)

    def run() -> dict[str, Any]:
        with state.write_lock:
            found = _repeat_preview(state, actor, body)
            if found.needs_approval:
                if not body.reason:
                    raise InvalidInput(
                        f"this listing would restrict {found.subjects} subjects, more than "
                        f"{found.limit.threshold}: give a written reason for the second "
                        "officer who must approve it",
                        field="reason",
                    )
                listing = _repeat_listing(state, actor, body)
                payload = approvals.listing_payload(listing, authority=body.authority, region=None)
                response.status_code = status.HTTP_202_ACCEPTED
                pending = request_approval(
                    state, key, "listing.add", listing.uid, payload, found, body.reason
                )
                return pending.model_dump(mode="json")
            report = atomically(
                state.store,
                svc.list_repeat_infringer,
                actor,
                listing_id=body.listing_id,
                decided=body.decided,
                expires=body.expires,
                authority=body.authority,
                legal_basis=body.legal_basis,
            )
            decision = rec.listing_added(
                rec.api_actor(key),
                listing_uid=f"listing:{body.listing_id}",
                subject_uid=actor,
                list_type="repeat_ip_infringer",
                decided=body.decided,
                expires=body.expires,
                legal_basis=body.legal_basis,
                authority=body.authority,
                region=None,
                report=report,
            )
            record_api(state, decision, rules=None)
            view = state.extras.get("restrictions")
            refresh = getattr(view, "refresh", None)
            if callable(refresh):
                refresh()
        result: dict[str, Any] = report.model_dump(mode="json")
        return result

    return await run_in_threadpool(run)


# -- reports -------------------------------------------------------------------------------------
@router.post(
    "/reports/bulk", status_code=status.HTTP_201_CREATED, summary="File reports from a CSV file"
)
async def file_bulk(
    key: BrandKey,
    state: StateDep,
    csv_text: Annotated[
        str,
        Body(
            media_type="text/csv",
            description="CSV with columns "
            + ", ".join(svc.REPORT_CSV_COLUMNS)
            + " (store_id, brand_id and evidence required); all rows or none are filed",
        ),
    ],
) -> svc.FiledReports:
    """Every brand named must be one you act for."""
    scope, _ = await _scope_for(state, key)
    rows = _as_filed(key, svc.parse_reports_csv(csv_text), first_row=2)
    for row in rows:
        await _scope_for(state, key, row.brand_id)

    def run() -> svc.FiledReports:
        with state.write_lock:
            return svc.file_reports(
                state.store, scope, rows, complainant=_complainant(key), filed_by=key.key_id
            )

    return await run_in_threadpool(run)


@router.get("/reports/{report}", summary="One report")
async def report(report: Annotated[str, _REPORT], key: BrandKey, state: StateDep) -> svc.ReportOut:
    """A report about a brand in scope (404 for any other)."""
    scope, _ = await _scope_for(state, key)
    return await run_in_threadpool(svc.get_report, state.store, scope, report)


@router.post("/reports/{report}/decision", summary="Decide a report")
async def decide(
    report: Annotated[str, _REPORT], body: DecisionIn, key: OfficerKey, state: StateDep
) -> svc.ReportOut:
    """pending → confirmed / rejected / countered; confirmed → countered (a counter-notice
    the rights holder did not pursue); countered → confirmed; rejected → pending."""

    def run() -> svc.ReportOut:
        with state.write_lock:
            out = svc.decide_report(
                state.store,
                report,
                body.status,
                decided_by=key.name,
                reason=body.reason,
                counter_notice=body.counter_notice,
                on=body.on,
            )
            record_api(state, rec.report_decided(rec.api_actor(key), out))
            return out

    return await run_in_threadpool(run)


@router.get("/{brand}", summary="One brand")
async def brand(brand: Annotated[str, _BRAND], key: BrandKey, state: StateDep) -> svc.BrandOut:
    """The brand and its owner."""
    scope, uid = await _scope_for(state, key, brand)
    assert uid is not None
    return await run_in_threadpool(svc.get_brand, state.store, scope, uid)


@router.get("/{brand}/reports", summary="Reports on a brand", dependencies=[Depends(refuse_offset)])
async def reports(
    brand: Annotated[str, _BRAND],
    key: BrandKey,
    state: StateDep,
    request: Request,
    status_: Annotated[
        list[Literal["pending", "confirmed", "rejected", "countered"]] | None,
        Query(alias="status"),
    ] = None,
    cursor: CursorQuery = None,
    limit: Limit = 100,
) -> svc.ReportPage:
    """Reports in filed order; filter by ``status`` (repeatable); follow ``next`` for more."""
    scope, uid = await _scope_for(state, key, brand)
    statuses = list(status_ or ("pending", "confirmed", "rejected", "countered"))
    page = await run_in_threadpool(
        svc.list_reports, state.store, scope, uid, statuses, cursor, limit
    )
    return page.model_copy(update={"next": cursor_link(request, page.next)})


@router.post("/{brand}/reports", status_code=status.HTTP_201_CREATED, summary="File a report")
async def file_report(
    brand: Annotated[str, _BRAND], body: ReportIn, key: BrandKey, state: StateDep
) -> svc.FiledReports:
    """Files a ``pending`` report naming a store and this brand, with its evidence."""
    scope, uid = await _scope_for(state, key, brand)
    assert uid is not None
    (new,) = _as_filed(key, [svc.NewReport(brand_id=uid, **body.model_dump())])

    def run() -> svc.FiledReports:
        with state.write_lock:
            return svc.file_reports(
                state.store, scope, [new], complainant=_complainant(key), filed_by=key.key_id
            )

    return await run_in_threadpool(run)


@router.get("/{brand}/links", summary="Infringement links of a brand")
async def links(
    brand: Annotated[str, _BRAND],
    key: BrandKey,
    state: StateDep,
    request: Request,
    min_weight: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    cursor: CursorQuery = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> svc.LinkPage:
    """Stores linked to the brand's confirmed and pending reports: the reported stores,
    the other stores of their operators and of the people behind them (any platform), and
    stores of businesses in the same shell cluster; each with paths and evidence."""
    scope, uid = await _scope_for(state, key, brand)
    assert uid is not None
    params = LinkParams(min_weight=min_weight)
    start = start_of("links", cursor, offset)
    page = await run_in_threadpool(
        svc.links_for_brand, state.store, scope, uid, params, start, limit
    )
    return _with_next(request, "links", page)


@router.get("/{brand}/repeat-infringers", summary="Repeat infringers of a brand")
async def repeat_brand(
    brand: Annotated[str, _BRAND],
    key: BrandKey,
    state: StateDep,
    request: Request,
    confirmed_only: bool = False,
    cursor: CursorQuery = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> svc.RepeatPage:
    """Actors behind several stores reported for this brand, ranked, with reasons; follow
    ``next`` for more."""
    scope, uid = await _scope_for(state, key, brand)
    start = start_of("repeat-infringers", cursor, offset)
    page = await run_in_threadpool(
        lambda: svc.rank_repeat_infringers(
            state.store, scope, uid, confirmed_only=confirmed_only, offset=start, limit=limit
        )
    )
    return _with_next(request, "repeat-infringers", page)
