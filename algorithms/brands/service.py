"""Brand protection through the store port: members, reports, links, repeat infringers.

Every read runs a query from ``queries/brands/`` that carries the caller's
:class:`BrandScope` as parameters: ``$see_all`` (officers) or ``$allowed`` (the brand uids
an alliance member may act for) filter the ``Brand`` node *inside the Cypher*, so a member
can never receive rows about another brand, whatever the Python around it does. Asking
about a brand outside the scope finds nothing and raises :class:`NotFound`.

Writes (filing reports, decisions, members, listings) go through ``upsert_*`` in one
transaction each; the pure scoring lives in :mod:`algorithms.brands`.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from algorithms.brands.core import (
    ACTIVE_STATUSES,
    ActorKind,
    Link,
    LinkParams,
    Membership,
    Reach,
    RepeatInfringer,
    ReportObs,
    Reputation,
    StoreEvidence,
    StoreInfo,
    check_transition,
    infringement_links,
    repeat_infringers,
    reputations,
    store_evidence,
)
from graph.errors import InvalidInput, NotFound
from graph.identity import store_uid
from graph.normalise import clean_identifier
from graph.paging import decode_cursor, encode_cursor
from graph.store import GraphStore

__all__ = [
    "REPORT_CSV_COLUMNS",
    "BrandOut",
    "BrandScope",
    "FiledReports",
    "LinkOut",
    "LinkPage",
    "MemberOut",
    "NewReport",
    "RepeatOut",
    "RepeatPage",
    "ReportOut",
    "BrandPage",
    "ReportPage",
    "ReputationOut",
    "add_member",
    "brand_uid",
    "decide_report",
    "file_reports",
    "get_brand",
    "get_report",
    "links_for_brand",
    "list_brands",
    "list_members",
    "list_repeat_infringer",
    "repeat_infringer_listing",
    "list_reports",
    "parse_reports_csv",
    "rank_repeat_infringers",
    "complainant_reputations",
    "resolve_scope",
]

#: Columns of a bulk report file (``evidence_sha256`` of an evidence file is optional).
REPORT_CSV_COLUMNS: tuple[str, ...] = (
    "report_id",
    "store_id",
    "brand_id",
    "complainant",
    "filed",
    "evidence",
    "evidence_sha256",
)
_ALL_STATUSES = ("pending", "confirmed", "rejected", "countered")
#: Rows a single scoped read pulls (reports, reach): bounds memory per request.
_MAX_ROWS = 100_000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


# -- scope -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BrandScope:
    """Which brands a caller may see: all of them (officers) or ``allowed`` uids only."""

    see_all: bool
    allowed: tuple[str, ...] = ()

    @classmethod
    def officer(cls) -> BrandScope:
        """Every brand."""
        return cls(True)

    @classmethod
    def of(cls, brands: Iterable[str]) -> BrandScope:
        """Only these brand uids."""
        return cls(False, tuple(sorted(set(brands))))

    def params(self, brands: Sequence[str] | None = None) -> dict[str, Any]:
        """Query parameters: the scope, and ``brands`` (None = every brand in scope).

        Lists are never empty (LadybugDB cannot type an empty list parameter): an empty
        one becomes ``[""]``, which no uid equals.
        """
        return {
            "see_all": self.see_all,
            "allowed": list(self.allowed) or [""],
            "any_brand": brands is None,
            "brands": list(brands or ()) or [""],
        }


def resolve_scope(store: GraphStore, key_brands: Sequence[str]) -> BrandScope:
    """A brand key's scope: its brand uids plus the brands its ``member:`` uids act for now."""
    brands = {b for b in key_brands if b.startswith("brand:")}
    members = [m for m in key_brands if m.startswith("member:")]
    if members:
        brands |= {r["brand"] for r in store.query("brands/member_brands", {"members": members})}
    return BrandScope.of(brands)


def brand_uid(text: str) -> str:
    """``TM123`` or ``brand:TM123`` -> ``brand:TM123``."""
    value = text.strip()
    if not value:
        raise InvalidInput("a brand is required", field="brand")
    return value if value.startswith("brand:") else f"brand:{value}"


# -- models --------------------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class BrandOut(_Model):
    """A brand and its owner."""

    uid: str
    brand_id: str | None = None
    name: str | None = None
    owner: str | None = None


class ReportOut(_Model):
    """An infringement report with its store, brand and evidence."""

    uid: str
    report_id: str | None = None
    status: str
    complainant: str | None = None
    filed: date | None = None
    evidence: str | None = None
    evidence_sha256: str | None = None
    counter_notice: str | None = None
    decided: date | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    brand: str
    brand_name: str | None = None
    store: str
    store_name: str | None = None
    platform: str | None = None
    store_status: str | None = None


class ReportPage(_Model):
    """One page of reports; ``next`` is the cursor of the following page (None on the last)."""

    items: list[ReportOut]
    limit: int
    has_more: bool
    next: str | None = None


class BrandPage(_Model):
    """One page of brands by uid; ``next`` is the cursor of the following page."""

    items: list[BrandOut]
    limit: int
    next: str | None = None


class NewReport(BaseModel):
    """A report to file: the store (``platform:shop_id``), brand and evidence."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    report_id: str | None = Field(None, pattern=r"^[A-Za-z0-9._:-]{1,100}$")
    store_id: str = Field(min_length=3, max_length=120, examples=["taobao:880001"])
    brand_id: str = Field(min_length=1, max_length=120, examples=["XC"])
    complainant: str | None = Field(None, max_length=200)
    filed: date | None = None
    evidence: str = Field(min_length=1, max_length=2000)
    evidence_sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")


class FiledReports(_Model):
    """What filing did: the report uids created."""

    filed: list[str]


class LinkPathOut(_Model):
    """A path from a report to a linked store; ``rels[i]`` joins ``nodes[i]`` and ``nodes[i+1]``."""

    nodes: list[str]
    rels: list[str]
    kind: str
    weight: float
    report: str


class LinkOut(_Model):
    """A store linked to a brand's reports, with its paths and evidence."""

    store: str
    name: str | None = None
    platform: str | None = None
    status: str | None = None
    weight: float
    relation: str
    reported: bool
    evidence: list[str]
    paths: list[LinkPathOut]


class LinkPage(_Model):
    """One page of links, strongest first."""

    brand: str
    total: int
    items: list[LinkOut]
    offset: int
    limit: int
    has_more: bool
    next: str | None = Field(None, description="URL of the next page; null on the last")


class RepeatOut(_Model):
    """A repeat infringer, ranked, with reasons."""

    actor: str
    kind: str
    score: float
    stores: list[str]
    operators: list[str]
    platforms: list[str]
    reopened: list[tuple[str, str]]
    first_filed: date | None
    last_filed: date | None
    reports: list[str]
    reasons: list[str]


class RepeatPage(_Model):
    """One page of repeat infringers, highest score first."""

    total: int
    items: list[RepeatOut]
    offset: int
    limit: int
    has_more: bool
    next: str | None = Field(None, description="URL of the next page; null on the last")


class ReputationOut(_Model):
    """A complainant's weight (counts only for officers)."""

    complainant: str
    weight: float
    confirmed: int | None = None
    rejected: int | None = None
    countered: int | None = None
    pending: int | None = None


class MemberOut(_Model):
    """An alliance member and the brands (in scope) it acts for."""

    uid: str
    name: str | None = None
    kind: str | None = None
    brands: list[str]


# -- brands and members -------------------------------------------------------------------------
def list_brands(
    store: GraphStore, scope: BrandScope, cursor: str | None = None, limit: int = 100
) -> BrandPage:
    """Brands in scope, by uid, one page from ``cursor`` (None for the first)."""
    after = "" if cursor is None else str(decode_cursor("brands", cursor, (str,))[0])
    params = {**scope.params(), "after_uid": after, "limit": limit + 1}
    rows = store.query("brands/brands", params)
    nxt = encode_cursor("brands", (rows[limit - 1]["uid"],)) if len(rows) > limit else None
    return BrandPage(items=[BrandOut(**r) for r in rows[:limit]], limit=limit, next=nxt)


def get_brand(store: GraphStore, scope: BrandScope, brand: str) -> BrandOut:
    """One brand in scope; NotFound for a brand that does not exist or is out of scope."""
    rows = store.query("brands/brands", {**scope.params([brand]), "after_uid": "", "limit": 1})
    if not rows:
        raise NotFound(f"no brand {brand!r} you may act for")
    return BrandOut(**rows[0])


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat()


def add_member(
    store: GraphStore,
    member_id: str,
    name: str,
    brands: Sequence[str],
    *,
    kind: str = "rights_holder",
    role: str = "owner",
    joined: date | None = None,
) -> MemberOut:
    """Record an alliance member and the brands it may act for (brands must exist)."""
    if not _ID.match(member_id):
        raise InvalidInput("a member id is 1-100 letters, digits or ._:-", field="member_id")
    if kind not in ("rights_holder", "agent"):
        raise InvalidInput("kind is rights_holder or agent", field="kind")
    uids = sorted({brand_uid(b) for b in brands})
    if not uids:
        raise InvalidInput("a member acts for at least one brand", field="brands")
    found = {n.uid for n in store.get_nodes(uids)}
    missing = [u for u in uids if u not in found]
    if missing:
        raise NotFound(f"no brand {missing[0]!r}")
    uid, now = f"member:{member_id}", _now()
    with store.transaction():
        store.upsert_nodes(
            "AllianceMember",
            [
                {
                    "uid": uid,
                    "member_id": member_id,
                    "name": name,
                    "kind": kind,
                    "joined": (joined or date.today()).isoformat(),
                    "source": "brands",
                    "first_seen": now,
                    "last_seen": now,
                }
            ],
        )
        store.upsert_relationships(
            "ACTS_FOR",
            "AllianceMember",
            "Brand",
            [
                {
                    "rid": f"ACTS_FOR:{uid}->{b}",
                    "src": uid,
                    "dst": b,
                    "role": role,
                    "source": "brands",
                }
                for b in uids
            ],
        )
    return MemberOut(uid=uid, name=name, kind=kind, brands=uids)


def list_members(store: GraphStore, scope: BrandScope) -> list[MemberOut]:
    """Members acting for brands in scope, each with the brands (in scope) it acts for."""
    by_uid: dict[str, MemberOut] = {}
    for row in store.query("brands/members", scope.params()):
        if row["until"] is not None:
            continue
        prev = by_uid.get(row["uid"])
        brands = [*(prev.brands if prev else []), row["brand"]]
        by_uid[row["uid"]] = MemberOut(
            uid=row["uid"], name=row["name"], kind=row["kind"], brands=brands
        )
    return list(by_uid.values())


# -- reports -------------------------------------------------------------------------------------
def _report(row: Mapping[str, Any]) -> ReportOut:
    return ReportOut(**{k: v for k, v in row.items() if k in ReportOut.model_fields})


def list_reports(
    store: GraphStore,
    scope: BrandScope,
    brand: str | None = None,
    statuses: Sequence[str] = _ALL_STATUSES,
    cursor: str | None = None,
    limit: int = 100,
) -> ReportPage:
    """Reports on one brand (or every brand in scope), filed order (ties by uid), one page
    from ``cursor`` (the ``next`` of the previous page; None for the first)."""
    bad = [s for s in statuses if s not in _ALL_STATUSES]
    if bad:
        raise InvalidInput(f"unknown status {bad[0]!r}", field="status")
    after = (
        (date(1, 1, 1), "")
        if cursor is None
        else decode_cursor("brands/reports", cursor, (date, str))
    )
    if brand is not None:
        get_brand(store, scope, brand)
    params = {
        **scope.params(None if brand is None else [brand]),
        "statuses": list(statuses) or [""],
        "first": cursor is None,
        "after_filed": after[0],
        "after_uid": after[1],
        "limit": limit + 1,
    }
    rows = store.query("brands/reports", params)
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        nxt = encode_cursor("brands/reports", (last["filed"], last["uid"]))
    return ReportPage(
        items=[_report(r) for r in rows[:limit]],
        limit=limit,
        has_more=nxt is not None,
        next=nxt,
    )


def get_report(store: GraphStore, scope: BrandScope, uid: str) -> ReportOut:
    """One report concerning a brand in scope; NotFound otherwise."""
    report_uid = uid if uid.startswith("report:") else f"report:{uid}"
    rows = store.query("brands/report", {**scope.params(), "uid": report_uid})
    if not rows:
        raise NotFound(f"no report {report_uid!r} about a brand you may act for")
    return _report(rows[0])


def parse_reports_csv(text: str) -> list[NewReport]:
    """Rows of a bulk report file (header: :data:`REPORT_CSV_COLUMNS`, extras refused)."""
    try:
        return _parse_reports_csv(text)
    except csv.Error as exc:  # malformed quoting or line ends: the sender's file, not a 500
        raise InvalidInput(f"not a readable CSV file: {exc}", file="reports") from exc


def _parse_reports_csv(text: str) -> list[NewReport]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in REPORT_CSV_COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column {unknown[0]!r}", file="reports", field=unknown[0])
    for needed in ("store_id", "brand_id", "evidence"):
        if needed not in header:
            raise InvalidInput("a required column is missing", file="reports", field=needed)
    out = []
    for row_no, row in enumerate(reader, start=2):
        values = {k: v.strip() for k, v in row.items() if k and v is not None and v.strip()}
        try:
            out.append(NewReport.model_validate(values))
        except ValueError as exc:
            field = ""
            errors = getattr(exc, "errors", None)
            if callable(errors):
                first = errors()[0]
                field = str(first["loc"][0]) if first.get("loc") else ""
            raise InvalidInput("invalid value", file="reports", row=row_no, field=field) from exc
        if len(out) > 10_000:
            raise InvalidInput("at most 10,000 reports per file", file="reports")
    return out


def file_reports(
    store: GraphStore,
    scope: BrandScope,
    reports: Sequence[NewReport],
    *,
    complainant: str,
    filed_by: str,
    today: date | None = None,
) -> FiledReports:
    """File reports (status ``pending``) in one transaction; all or none.

    Each brand must be in scope (else NotFound, as if it did not exist) and each store
    must exist; a report id already on record is refused.
    """
    if not reports:
        raise InvalidInput("no reports to file")
    day = (today or date.today()).isoformat()
    brands = sorted({brand_uid(r.brand_id) for r in reports})
    visible = {
        r["uid"]
        for r in store.query(
            "brands/brands", {**scope.params(brands), "after_uid": "", "limit": len(brands)}
        )
    }
    rows, rels_store, rels_brand = [], [], []
    seen: set[str] = set()
    for i, r in enumerate(reports):
        b = brand_uid(r.brand_id)
        if b not in visible:
            raise NotFound(f"no brand {b!r} you may act for (report {i + 1})")
        rid = r.report_id or f"IPR-{day[:4]}-{uuid.uuid4().hex[:12]}"
        uid = f"report:{rid}"
        if uid in seen:
            raise InvalidInput(f"report id {rid!r} twice", row=i + 1, field="report_id")
        seen.add(uid)
        try:  # the reading ingest gives store ids (graph/normalise.py)
            s = store_uid(clean_identifier(r.store_id).removeprefix("store:"), "store_id")
        except InvalidInput as exc:
            raise InvalidInput(exc.reason, row=i + 1, field="store_id") from exc
        rows.append(
            {
                "uid": uid,
                "report_id": rid,
                "complainant": r.complainant or complainant,
                "status": "pending",
                "filed": (r.filed.isoformat() if r.filed else day),
                "evidence": r.evidence,
                "evidence_sha256": r.evidence_sha256.lower() if r.evidence_sha256 else None,
                "filed_by": filed_by,
                "source": "brands",
                "first_seen": _now(),
                "last_seen": _now(),
            }
        )
        rels_store.append({"rid": f"REPORTS:{uid}->{s}", "src": uid, "dst": s, "source": "brands"})
        rels_brand.append({"rid": f"CONCERNS:{uid}->{b}", "src": uid, "dst": b, "source": "brands"})
    stores = sorted({r["dst"] for r in rels_store})
    found = {n.uid for n in store.get_nodes(stores)}
    missing = [s for s in stores if s not in found]
    if missing:
        raise NotFound(f"no store {missing[0]!r}")
    taken = store.get_nodes(sorted(seen))
    if taken:
        raise InvalidInput(f"report {taken[0].uid!r} is already on record", field="report_id")
    with store.transaction():
        store.upsert_nodes("InfringementReport", rows)
        store.upsert_relationships("REPORTS", "InfringementReport", "Store", rels_store)
        store.upsert_relationships("CONCERNS", "InfringementReport", "Brand", rels_brand)
    return FiledReports(filed=[r["uid"] for r in rows])


def decide_report(
    store: GraphStore,
    uid: str,
    status: str,
    *,
    decided_by: str,
    reason: str | None = None,
    counter_notice: str | None = None,
    on: date | None = None,
) -> ReportOut:
    """Move a report to ``status`` (see :data:`algorithms.brands.TRANSITIONS`).

    ``countered`` (a successful counter-notice) needs the counter-notice text.
    """
    current = get_report(store, BrandScope.officer(), uid)
    new = check_transition(current.status, status)
    if new.value == "countered" and not (counter_notice or current.counter_notice):
        raise InvalidInput("a countered report needs the counter-notice", field="counter_notice")
    props: dict[str, Any] = {
        "uid": current.uid,
        "status": new.value,
        "decided": (on or date.today()).isoformat(),
        "decided_by": decided_by,
        "decision_reason": reason,
        "last_seen": _now(),
    }
    if counter_notice:
        props["counter_notice"] = counter_notice
    store.set_node_properties("InfringementReport", [props])
    return get_report(store, BrandScope.officer(), current.uid)


def complainant_reputations(
    store: GraphStore, scope: BrandScope, prior: tuple[float, float] = (4.0, 1.0)
) -> dict[str, Reputation]:
    """Reputation of every complainant who filed on a brand in scope."""
    counts: dict[str, dict[str, int]] = {}
    for row in store.query("brands/complainants", scope.params()):
        counts.setdefault(str(row["complainant"]), {})[str(row["status"])] = int(row["n"])
    return reputations(counts, prior)


# -- the network around reported stores ----------------------------------------------------------
@dataclass
class Network:
    """What the link and repeat-infringer algorithms read, fetched under one scope."""

    reports: list[ReportObs]
    reputation: dict[str, Reputation]
    evidence: dict[str, StoreEvidence]
    memberships: list[Membership]
    reach: list[Reach]
    stores: dict[str, StoreInfo]


def _info(row: Mapping[str, Any], prefix: str = "") -> StoreInfo:
    return StoreInfo(
        uid=row[f"{prefix}store" if prefix else "store"],
        name=row.get(f"{prefix}name"),
        platform=row.get("platform"),
        status=row.get(f"{prefix}status"),
        opened=row.get(f"{prefix}opened"),
    )


def load_network(
    store: GraphStore,
    scope: BrandScope,
    brands: Sequence[str] | None = None,
    statuses: Sequence[str] = ACTIVE_STATUSES,
    prior: tuple[float, float] = (4.0, 1.0),
) -> Network:
    """Reports with ``statuses`` on ``brands`` (None = all in scope) and the actors and stores
    around their stores; every query filters by the scope."""
    base = {**scope.params(brands), "statuses": list(statuses) or [""]}
    rows = store.query(
        "brands/reports",
        {**base, "first": True, "after_filed": date(1, 1, 1), "after_uid": "", "limit": _MAX_ROWS},
    )
    reports = [
        ReportObs(r["uid"], r["store"], r["brand"], r["status"], str(r["complainant"]), r["filed"])
        for r in rows
    ]
    stores = {
        r["store"]: StoreInfo(
            r["store"], r["store_name"], r["platform"], r["store_status"], r["store_opened"]
        )
        for r in rows
    }
    reputation = complainant_reputations(store, scope, prior)
    evidence = store_evidence(reports, reputation, prior[0] / (prior[0] + prior[1]))
    memberships: list[Membership] = []
    reach: list[Reach] = []
    for r in store.query("brands/seed_operators", base):
        memberships.append(
            Membership(r["seed"], r["operator"], ActorKind.OPERATOR, (("OPERATES", r["operator"]),))
        )
    for r in store.query("brands/seed_people", base):
        memberships.append(
            Membership(
                r["seed"],
                r["person"],
                ActorKind.PERSON,
                (("OPERATES", r["business"]), (str(r["role"]), r["person"])),
            )
        )
    for r in store.query("brands/seed_clusters", base):
        memberships.append(
            Membership(
                r["seed"],
                r["cluster"],
                ActorKind.CLUSTER,
                (("OPERATES", r["business"]), ("MEMBER_OF", r["cluster"])),
            )
        )
    for r in store.query("brands/operator_reach", base):
        stores.setdefault(r["store"], _info(r))
        reach.append(Reach(r["actor"], r["store"], (("OPERATES", r["store"]),), r["actor"]))
    for r in store.query("brands/person_reach", base):
        stores.setdefault(r["store"], _info(r))
        if r["business"]:
            steps: tuple[tuple[str, str], ...] = (
                (str(r["role"]), r["business"]),
                ("OPERATES", r["store"]),
            )
            reach.append(Reach(r["actor"], r["store"], steps, r["business"]))
        else:
            reach.append(Reach(r["actor"], r["store"], (("OPERATES", r["store"]),), r["actor"]))
    for r in store.query("brands/cluster_reach", base):
        stores.setdefault(r["store"], _info(r))
        reach.append(
            Reach(
                r["actor"],
                r["store"],
                (("MEMBER_OF", r["business"]), ("OPERATES", r["store"])),
                r["business"],
            )
        )
    return Network(reports, reputation, evidence, memberships, reach, stores)


def _link_out(link: Link) -> LinkOut:
    return LinkOut(
        store=link.store,
        name=link.info.name,
        platform=link.info.platform,
        status=link.info.status,
        weight=round(link.weight, 4),
        relation=link.relation,
        reported=link.reported,
        evidence=list(link.evidence),
        paths=[
            LinkPathOut(
                nodes=list(p.nodes),
                rels=list(p.rels),
                kind=p.kind,
                weight=round(p.weight, 4),
                report=p.report,
            )
            for p in link.paths
        ],
    )


def links_for_brand(
    store: GraphStore,
    scope: BrandScope,
    brand: str,
    params: LinkParams | None = None,
    offset: int = 0,
    limit: int = 50,
) -> LinkPage:
    """Stores linked to ``brand``'s confirmed and pending reports, strongest first."""
    get_brand(store, scope, brand)
    params = params or LinkParams()
    net = load_network(store, scope, [brand], prior=params.prior)
    links = infringement_links(net.evidence, net.memberships, net.reach, net.stores, params)
    page = links[offset : offset + limit]
    return LinkPage(
        brand=brand,
        total=len(links),
        items=[_link_out(x) for x in page],
        offset=offset,
        limit=limit,
        has_more=offset + limit < len(links),
    )


def _repeat_out(x: RepeatInfringer) -> RepeatOut:
    return RepeatOut(
        actor=x.actor,
        kind=x.kind.value,
        score=round(x.score, 4),
        stores=list(x.stores),
        operators=list(x.operators),
        platforms=list(x.platforms),
        reopened=list(x.reopened),
        first_filed=x.first_filed,
        last_filed=x.last_filed,
        reports=list(x.reports),
        reasons=list(x.reasons),
    )


def rank_repeat_infringers(
    store: GraphStore,
    scope: BrandScope,
    brand: str | None = None,
    params: LinkParams | None = None,
    *,
    confirmed_only: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> RepeatPage:
    """Repeat infringers behind reports on ``brand`` (None = every brand in scope)."""
    if brand is not None:
        get_brand(store, scope, brand)
    params = params or LinkParams()
    statuses = ("confirmed",) if confirmed_only else ACTIVE_STATUSES
    net = load_network(
        store, scope, None if brand is None else [brand], statuses, prior=params.prior
    )
    ranked = repeat_infringers(net.evidence, net.memberships, net.reach, net.stores, params)
    return RepeatPage(
        total=len(ranked),
        items=[_repeat_out(x) for x in ranked[offset : offset + limit]],
        offset=offset,
        limit=limit,
        has_more=offset + limit < len(ranked),
    )


def list_repeat_infringer(
    store: GraphStore,
    actor: str,
    *,
    listing_id: str,
    decided: date,
    authority: str | None = None,
    legal_basis: str | None = None,
    expires: date | None = None,
    params: LinkParams | None = None,
) -> Any:
    """Put a confirmed repeat infringer (business or person) on the ``repeat_ip_infringer`` list.

    Only an actor that is a repeat infringer on *confirmed* reports alone may be listed;
    the propagation service then applies the punishment rules. Returns its report.
    """
    from algorithms.propagation import service

    listing = repeat_infringer_listing(
        store,
        actor,
        listing_id=listing_id,
        decided=decided,
        legal_basis=legal_basis,
        expires=expires,
        params=params,
    )
    return service.add_listing(store, listing, authority=authority)


def repeat_infringer_listing(
    store: GraphStore,
    actor: str,
    *,
    listing_id: str,
    decided: date,
    legal_basis: str | None = None,
    expires: date | None = None,
    params: LinkParams | None = None,
) -> Any:
    """The ``repeat_ip_infringer`` listing of ``actor``, refused (``InvalidInput`` on
    ``actor``) unless it is a business or person and a repeat infringer on confirmed
    reports alone. Writes nothing: previewed, applied or sent for approval by the caller."""
    from algorithms.propagation.engine import Listing

    if not actor.startswith(("biz:", "person:")):
        raise InvalidInput("only a business or a person can be listed", field="actor")
    confirmed = rank_repeat_infringers(
        store, BrandScope.officer(), None, params, confirmed_only=True, limit=_MAX_ROWS
    )
    found = next((x for x in confirmed.items if x.actor == actor), None)
    if found is None:
        raise InvalidInput(f"{actor} is not a repeat infringer on confirmed reports", field="actor")
    return Listing(
        uid=f"listing:{listing_id}",
        subject_uid=actor,
        list_type="repeat_ip_infringer",
        decided=decided,
        expires=expires,
        legal_basis=legal_basis,
    )
