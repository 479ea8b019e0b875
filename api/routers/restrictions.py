"""Platforms: is this business, person or store restricted, by which measure, until when.

Checks are answered from :class:`RestrictionView`, an in-memory snapshot of the current
(not superseded) restriction records the joint-punishment service materialises, grouped by
subject. A record carries its valid time, so any ``at`` date is a filter, not a query. The
snapshot is rebuilt when the change feed moves: at once after a write made through this
API, and within ``poll_seconds`` (default 1 s) of a write made elsewhere (another process on
Neo4j, ``credgraph propagate``). Existence of subjects is cached (known uids for 10
minutes, unknown ones for 30 s). Questions about what the system *knew* at a past moment
(``known_at``) go to the service itself. While the store cannot answer (its worker is being
replaced after a fault, ``graph/worker_store.py``), checks of subjects in the snapshot or
looked up before go on answering from memory; only a subject never seen needs the store.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from algorithms.propagation import service
from algorithms.propagation.disputes import Disputes, disputed_by
from algorithms.propagation.rules import default_rules
from api.deps import (
    ApiState,
    OfficerKey,
    PlatformKey,
    StateDep,
    audit_subject,
    audit_subjects,
    get_state,
    subject_uid,
)
from api.errors import PROBLEM_RESPONSES
from api.objections import open_disputes
from api.params import Uid
from api.schemas import BatchCheckRequest, EntityKind
from graph.errors import NotFound, StoreError, StoreUnavailable
from graph.identity import hash_person_id
from graph.redact import Redactor
from graph.store import GraphStore

__all__ = [
    "CheckResult",
    "MeasureOut",
    "RestrictionView",
    "restriction_view",
    "router",
    "routers",
    "status_dict",
]

log = logging.getLogger("credgraph.api")

router = APIRouter(prefix="/v1/restrictions", tags=["platform"], responses=PROBLEM_RESPONSES)
officer_router = APIRouter(prefix="/v1/entities", tags=["officer"], responses=PROBLEM_RESPONSES)


# -- bodies --------------------------------------------------------------------------------
class MeasureOut(BaseModel):
    """One measure in force on the subject, as a platform sees it (no network details)."""

    model_config = ConfigDict(frozen=True)

    measure: str = Field(examples=["no_new_store"])
    name_zh: str
    name_en: str
    legal_basis: list[str]
    list_type: str = Field(examples=["serious_dishonesty"])
    listing_uid: str = Field(description="The source listing", examples=["listing:ZJ-2024-0002"])
    derived: bool = Field(description="True when it reaches the subject from a related entity")
    valid_from: date
    valid_until: date | None = Field(description="First day it no longer holds; null: open")
    reason_zh: str
    reason_en: str
    disputed: bool = Field(
        False, description="An objection (异议) against it is under review; still in force"
    )
    objections: list[int] = Field(default_factory=list, description="The open objections")


class CheckResult(BaseModel):
    """The answer to one check."""

    model_config = ConfigDict(frozen=True)

    kind: EntityKind
    id: str = Field(description="The id asked about (a person's masked)")
    ref: str | None = Field(None, description="Opaque subject reference used in the change feed")
    found: bool
    restricted: bool
    at: date
    measures: list[MeasureOut]


class BatchCheckResult(BaseModel):
    """Answers in the order asked."""

    model_config = ConfigDict(frozen=True)

    at: date
    restricted: int
    not_found: int
    items: list[CheckResult]


class SingleCheckRequest(BaseModel):
    """One subject, in a body (keeps a person's id number out of URLs and access logs)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"kind": "person", "id": "330100198001011237"}]},
    )

    kind: EntityKind
    id: str = Field(min_length=1, max_length=64)
    at: date | None = None


# -- the view ------------------------------------------------------------------------------
class _Lru:
    def __init__(self, size: int, ttl: float) -> None:
        self.size, self.ttl = size, ttl
        self.data: OrderedDict[str, float] = OrderedDict()

    def __contains__(self, uid: str) -> bool:
        stamp = self.data.get(uid)
        return stamp is not None and time.monotonic() - stamp < self.ttl

    def seen(self, uid: str) -> bool:
        """Whether ``uid`` was ever added (and not since evicted), however long ago."""
        return uid in self.data

    def add(self, uid: str) -> None:
        self.data[uid] = time.monotonic()
        self.data.move_to_end(uid)
        if len(self.data) > self.size:
            self.data.popitem(last=False)


class RestrictionView:
    """Current restriction records by subject, kept in step with the change feed."""

    def __init__(
        self,
        store: GraphStore,
        *,
        poll_seconds: float = 1.0,
        disputes: Callable[[], Disputes] | None = None,
    ) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        #: Open objections by target, read with each snapshot (filing or deciding one
        #: writes a feed event, which moves the feed and so rebuilds the snapshot).
        self.read_disputes = disputes
        self.disputes: Disputes = {}
        self.rules = default_rules()
        self.by_subject: dict[str, list[service.RestrictionRecord]] = {}
        #: Serialised measures by (uid, date), valid for one snapshot.
        self.measures_json: dict[tuple[str, date], bytes] = {}
        #: Whole answers by (uid, date, kind, id as shown), valid for one snapshot.
        self.answers: dict[tuple[str, date, EntityKind, str], bytes] = {}
        self.seq = -1
        self.known = _Lru(1_000_000, 600.0)
        self.unknown = _Lru(100_000, 30.0)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refresh()

    def start(self, write_lock: threading.Lock) -> None:
        """Poll the feed in a background thread (skipping rounds while a write runs)."""

        def run() -> None:
            while not self._stop.wait(self.poll_seconds):
                if not write_lock.acquire(blocking=False):
                    continue
                try:
                    self.poll()
                except StoreError as exc:
                    log.warning("restriction view could not poll the feed: %s", exc)
                finally:
                    write_lock.release()

        self._thread = threading.Thread(target=run, name="credgraph-restrictions", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def poll(self) -> None:
        """Rebuild when the feed has moved since the snapshot."""
        if service.changes(self.store, since_seq=self.seq, limit=1):
            self.refresh()

    def refresh(self) -> None:
        """Rebuild the snapshot from the store (after a write, or when the feed moved)."""
        with self._lock:
            seq = max(self.seq, 0)
            while events := service.changes(self.store, since_seq=seq, limit=10_000):
                seq = events[-1].seq
            # The service's read of every current record (see the report: to be made public).
            records = service.current_restrictions(self.store)
            by_subject: dict[str, list[service.RestrictionRecord]] = {}
            for record in records:
                by_subject.setdefault(record.subject_uid, []).append(record)
            self.by_subject = by_subject
            self.disputes = self.read_disputes() if self.read_disputes is not None else {}
            self.measures_json = {}
            self.answers = {}
            self.seq = seq
            self.unknown = _Lru(100_000, 30.0)

    def answers_from_memory(self, uid: str) -> bool:
        """Whether a check of ``uid`` needs no store read (its existence is cached)."""
        return uid in self.by_subject or uid in self.known

    def exists(self, uids: list[str]) -> set[str]:
        """Which of ``uids`` are in the graph (cached)."""
        present = {u for u in uids if u in self.known or u in self.by_subject}
        missing = [u for u in uids if u not in present and u not in self.unknown]
        if missing:
            try:
                found = {n.uid for n in self.store.get_nodes(missing)}
            except StoreUnavailable:
                # The store (its worker) is down: subjects once found still answer, from the
                # snapshot; only a subject never looked up needs the store.
                if not all(self.known.seen(u) for u in missing):
                    raise
                return present | set(missing)
            for uid in missing:
                (self.known if uid in found else self.unknown).add(uid)
            present |= found
        return present

    def in_force(self, uid: str, at: date) -> list[service.RestrictionRecord]:
        """Records in force on ``at`` as now known, by measure."""
        hits = [r for r in self.by_subject.get(uid, ()) if r.in_force(at)]
        return sorted(hits, key=lambda r: (r.measure, r.listing_uid, r.rule_id, r.valid_from))

    def measure_out(self, record: service.RestrictionRecord) -> MeasureOut:
        """A record as a platform sees it: the rule's description, not the path."""
        rule = self.rules.rule_by_id.get(record.rule_id)
        list_type = self.rules.list_type_by_id.get(record.list_type)
        list_zh = list_type.name_zh if list_type else record.list_type
        list_en = list_type.name_en if list_type else record.list_type
        derived = record.listed_uid != record.subject_uid
        if derived and rule is not None and rule.description_en:
            reason_zh, reason_en = rule.description_zh or rule.description_en, rule.description_en
        elif derived:
            reason_zh = f"关联主体被列入{list_zh}"
            reason_en = f"a related entity is listed: {list_en}"
        else:
            reason_zh, reason_en = f"被列入{list_zh}", f"listed: {list_en}"
        rids = (e.rid for p in record.paths for e in p.edges)
        objections = disputed_by(self.disputes, record.uid, record.listing_uid, rids)
        return MeasureOut(
            measure=record.measure,
            name_zh=record.measure_name_zh,
            name_en=record.measure_name_en,
            legal_basis=list(record.legal_basis),
            list_type=record.list_type,
            listing_uid=record.listing_uid,
            derived=derived,
            valid_from=record.valid_from,
            valid_until=record.valid_to,
            reason_zh=reason_zh,
            reason_en=reason_en,
            disputed=bool(objections),
            objections=list(objections),
        )

    def check_json(
        self, kind: EntityKind, shown: str, uid: str, at: date, present: set[str]
    ) -> bytes:
        """One answer as JSON (what :meth:`check` gives, serialised; measures cached)."""
        found = uid in present
        answer_key = (uid, at, kind, shown)
        answer = self.answers.get(answer_key) if found else None
        if answer is not None:
            return answer
        measures = b"[]"
        if found:
            cached = self.measures_json.get((uid, at))
            if cached is None:
                records = self.in_force(uid, at)
                cached = _MEASURES.dump_json([self.measure_out(r) for r in records])
                if len(self.measures_json) > 500_000:
                    self.measures_json.clear()
                self.measures_json[(uid, at)] = cached
            measures = cached
        head = {
            "kind": kind.value,
            "id": shown,
            "ref": uid if found else None,
            "found": found,
            "restricted": measures != b"[]",
            "at": at.isoformat(),
        }
        answer = json.dumps(head, ensure_ascii=False)[:-1].encode()
        answer += b',"measures":' + measures + b"}"
        if found:
            if len(self.answers) > 500_000:
                self.answers.clear()
            self.answers[answer_key] = answer
        return answer


_MEASURES = TypeAdapter(list[MeasureOut])
_MASK = Redactor(mask=True)
_JSON = "application/json"
_UIDS: dict[tuple[EntityKind, str], str] = {}


def _uid(kind: EntityKind, value: str, key: str) -> str:
    """``subject_uid``, remembered for businesses and stores (USCC validation is the
    costly part of a check); people are hashed every time, their numbers not kept."""
    if kind is EntityKind.PERSON:
        return subject_uid(kind, value, key)
    uid = _UIDS.get((kind, value))
    if uid is None:
        uid = subject_uid(kind, value, key)
        if len(_UIDS) > 500_000:
            _UIDS.clear()
        _UIDS[(kind, value)] = uid
    return uid


def restriction_view(state: ApiState) -> RestrictionView:
    """The app's view, built (and its poller started) on first use."""
    view = state.extras.get("restrictions")
    if not isinstance(view, RestrictionView):
        with state.write_lock:
            view = state.extras.get("restrictions")
            if not isinstance(view, RestrictionView):
                path = state.keys.path
                view = RestrictionView(state.store, disputes=lambda: open_disputes(path))
                state.extras["restrictions"] = view
                view.start(state.write_lock)  # once, by the thread that built it
    return view


def status_dict(state: ApiState, uid: str) -> dict[str, Any]:
    """Officer profile: the service's status today, as JSON-ready data."""
    return service.status(state.store, uid).model_dump(mode="json", exclude={"restrictions"}) | {
        "explanation": [e.model_dump(mode="json") for e in service.explain(state.store, uid)]
    }


def _shown(kind: EntityKind, value: str, key: str) -> str:
    if kind is not EntityKind.PERSON:
        return _MASK(value.strip())  # a resident id number sent as a business or store
    text = value.strip().upper()
    if len(text) == 18:
        return hash_person_id(text, key).id_masked
    return text[:1] + "*" * max(len(text) - 2, 1) + text[-1:]


def _check_one(
    state: ApiState, kind: EntityKind, value: str, uid: str, at: date | None
) -> Response:
    """One answer; ``uid`` is what the endpoint already made of ``value``."""
    view = restriction_view(state)
    present = view.exists([uid])
    if uid not in present:
        raise NotFound(f"no {kind.value} with this id on record")
    shown = _shown(kind, value, state.id_hash_key)
    body = view.check_json(kind, shown, uid, at or date.today(), present)
    return Response(body, media_type=_JSON)


# -- endpoints -----------------------------------------------------------------------------
_KIND = Path(description="business (USCC), person (id number) or store (platform:shop_id)")
_ID = Path(min_length=1, max_length=64, examples=["91330106MA2AAAAA15"])
_AT = Query(description="Check as of this date (default today)", examples=["2024-07-01"])


@router.get(
    "/{kind}/{id}",
    response_model=CheckResult,
    summary="Is this subject restricted?",
)
async def check(
    kind: Annotated[EntityKind, _KIND],
    id: Annotated[str, _ID],  # noqa: A002 - the public name of the path parameter
    key: PlatformKey,
    request: Request,
    at: Annotated[date | None, _AT] = None,
) -> Response:
    """In force or not on ``at``, each measure with its legal basis, source listing, valid
    until and a short reason. A person's id number is hashed on arrival; prefer
    ``POST /v1/restrictions/check`` for people so the number stays out of URLs."""
    state = get_state(request)  # not a dependency: this is the hottest path (bench/api.py)
    uid = _uid(kind, id, state.id_hash_key)
    audit_subject(request, uid)
    view = state.extras.get("restrictions")
    if isinstance(view, RestrictionView) and view.answers_from_memory(uid):
        return _check_one(state, kind, id, uid, at)  # all in memory: no thread hop
    return await run_in_threadpool(_check_one, state, kind, id, uid, at)


@router.post("/check", response_model=CheckResult, summary="Check one subject (id in the body)")
async def check_body(
    body: SingleCheckRequest, key: PlatformKey, state: StateDep, request: Request
) -> Response:
    """As ``GET /v1/restrictions/{kind}/{id}``, with the id in the body."""
    uid = subject_uid(body.kind, body.id, state.id_hash_key)
    audit_subject(request, uid)
    return await run_in_threadpool(_check_one, state, body.kind, body.id, uid, body.at)


def _check_batch(state: ApiState, body: BatchCheckRequest) -> tuple[bytes, list[str]]:
    view = restriction_view(state)
    at = body.at or date.today()
    key = state.id_hash_key
    uids = [_uid(item.kind, item.id, key) for item in body.items]
    present = view.exists(list(dict.fromkeys(uids)))
    items = [
        view.check_json(item.kind, _shown(item.kind, item.id, key), uid, at, present)
        for item, uid in zip(body.items, uids, strict=True)
    ]
    restricted = sum(not i.endswith(b'"measures":[]}') for i in items)
    not_found = sum(uid not in present for uid in uids)
    head = f'{{"at":"{at.isoformat()}","restricted":{restricted},"not_found":{not_found},"items":['
    return head.encode() + b",".join(items) + b"]}", [u for u in uids if u in present]


@router.post("/batch", response_model=BatchCheckResult, summary="Check up to 1,000 subjects")
async def check_batch(
    body: BatchCheckRequest, key: PlatformKey, state: StateDep, request: Request
) -> Response:
    """Answers in the order asked; an unknown subject is ``found: false`` (no 404). More
    than 1,000 items is a 422. A malformed id fails the whole batch with 422 naming it."""
    content, refs = await run_in_threadpool(_check_batch, state, body)
    audit_subjects(request, refs)
    return Response(content, media_type=_JSON)


_UID = Path(min_length=3, max_length=200, examples=["biz:91330106MA2AAAAA15"])


@officer_router.get("/{uid}/restrictions", summary="Restriction status and explanation (paths)")
async def explain(
    uid: Annotated[Uid, _UID],
    key: OfficerKey,
    state: StateDep,
    request: Request,
    at: Annotated[date | None, _AT] = None,
    known_at: Annotated[
        datetime | None, Query(description="As the system knew it at this moment")
    ] = None,
) -> dict[str, Any]:
    """Every measure in force on ``at`` (as known at ``known_at``), the rule and listing
    it follows from and the paths that carried it, in Chinese and English."""
    audit_subject(request, uid)

    def run() -> dict[str, Any]:
        disputes = open_disputes(state.keys.path)
        current = service.status(state.store, uid, at, known_at, disputes=disputes)
        explained = service.explain(state.store, uid, current.at, disputes=disputes)
        return current.model_dump(mode="json", exclude={"restrictions"}) | {
            "disputed": any(e.disputed_by for e in explained),
            "explanation": [e.model_dump(mode="json") for e in explained],
        }

    return await run_in_threadpool(run)


#: Both routers: the platform checks and the officer explanation.
routers = (router, officer_router)
