"""Objections (异议): officers file on a subject's behalf, review and decide; a platform
files for one of its own stores and sees only the objections it filed.

A platform's own seller is a ``Store`` node whose ``platform`` is the key's name; the
platform names it by its uid (``store:<platform>:<shop_id>``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation import service
from api.deps import ApiState, OfficerKey, PlatformKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES, Forbidden
from api.ledger import record as rec
from api.ledger.state import record_api
from api.objections import (
    Objection,
    ObjectionStore,
    apply_decision,
    check_decision,
    recover_decisions,
)
from api.routers.listings import _after_write
from api.security import ApiKey, Scope
from graph.errors import NotFound

__all__ = ["DecisionIn", "ObjectionIn", "ObjectionOut", "router"]

#: Largest objection id the path accepts (SQLite integers are 64-bit).
MAX_ID = 2**62

router = APIRouter(prefix="/v1/objections", tags=["officer"], responses=PROBLEM_RESPONSES)


class ObjectionIn(BaseModel):
    """A new objection."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    target_kind: Literal["listing", "restriction", "link"] = "listing"
    target: str = Field(
        min_length=1,
        max_length=200,
        description="listing uid, restriction uid, or a link's relationship id (rid)",
        examples=["listing:ZJ-2024-0002"],
    )
    subject: str = Field(
        min_length=1,
        max_length=200,
        description="uid of the entity the objection is made for (a platform: its own store)",
    )
    grounds: str = Field(min_length=1, max_length=4000, description="what is said to be wrong")


class DecisionIn(BaseModel):
    """An officer's decision (or taking the objection under review)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Literal["under_review", "upheld", "partly_upheld", "rejected"]
    officer: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(None, max_length=4000, description="required for a decision")
    scope: Literal["all", "listing", "rule"] | None = None
    scope_value: str | None = Field(None, max_length=200)
    on: date | None = None


class ObjectionOut(BaseModel):
    """An objection as stored; ``open`` while it is filed or under review."""

    id: int
    target_kind: str
    target: str
    subject: str
    filed_by: str
    filed_via: str
    grounds: str
    status: str
    filed: str
    deadline: str
    reviewer: str | None
    decided: str | None
    decided_by: str | None
    reason: str | None
    scope: str | None
    scope_value: str | None
    open: bool
    propagation: dict[str, Any] | None = None
    decision: int | None = Field(None, description="decision log entry (seq)")


def objection_store(state: ApiState) -> ObjectionStore:
    """The app's objection store, opened on first use (closed with the other extras)."""
    found = state.extras.get("objections")
    if not isinstance(found, ObjectionStore):
        found = state.extras["objections"] = ObjectionStore(
            state.keys.path, review_days=state.settings.objection_review_days
        )
    return found


def _filer(key: ApiKey) -> str:
    return f"key:{key.key_id}"


def _out(o: Objection, **extra: Any) -> ObjectionOut:
    return ObjectionOut(**o.to_dict(), **extra)


def _visible(o: Objection, key: ApiKey) -> None:
    if key.scope is not Scope.OFFICER and o.filed_by != _filer(key):
        raise NotFound(f"objection {o.id} not found")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ObjectionOut)
async def file_objection(
    body: ObjectionIn, key: PlatformKey, state: StateDep, request: Request
) -> ObjectionOut:
    """File an objection; it must be decided by its deadline (``objection_review_days``)."""
    audit_subject(request, body.subject)
    node = await run_in_threadpool(state.store.get_node, body.subject)
    if node is None:
        raise NotFound("no entity has the subject uid given")
    if key.scope is not Scope.OFFICER and (
        node.label != "Store" or node.props.get("platform") != key.name
    ):
        raise Forbidden("a platform files objections only for its own stores")

    def file() -> Objection:
        o = objection_store(state).file(
            target_kind=body.target_kind,
            target=body.target,
            subject=body.subject,
            filed_by=_filer(key),
            filed_via="api",
            grounds=body.grounds,
        )
        with state.write_lock:  # the feed says which restrictions are now disputed
            if service.note_dispute(state.store, o.id, o.target_kind, o.target, o.subject):
                _after_write(state)
        return o

    return _out(await run_in_threadpool(file))


@router.get("", response_model=list[ObjectionOut])
async def list_objections(
    key: PlatformKey,
    state: StateDep,
    status_: Annotated[str | None, Query(alias="status")] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ObjectionOut]:
    """Officers: every objection; a platform: the ones it filed. Newest first."""
    filed_by = None if key.scope is Scope.OFFICER else _filer(key)
    found = objection_store(state).find(
        filed_by=filed_by, status=status_, target=target, limit=limit
    )
    return [_out(o) for o in found]


@router.get("/{objection_id}", response_model=ObjectionOut)
async def get_objection(
    objection_id: Annotated[int, Path(ge=1, le=MAX_ID)], key: PlatformKey, state: StateDep
) -> ObjectionOut:
    """One objection (a platform: only its own)."""
    o = objection_store(state).get(objection_id)
    _visible(o, key)
    return _out(o)


@router.post("/{objection_id}/decision", response_model=ObjectionOut)
async def decide_objection(
    objection_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: DecisionIn,
    key: OfficerKey,
    state: StateDep,
) -> ObjectionOut:
    """Take under review, or decide with a written reason. An upheld listing objection
    removes the listing (``objection_upheld``); an upheld link objection excludes the link
    (``scope``: all, one ``rule``, one ``listing``) and lifts what depended on it only;
    every decision is on the decision log."""
    store = objection_store(state)
    if body.outcome == "under_review":
        return _out(await run_in_threadpool(store.review, objection_id, body.officer))

    def decide() -> ObjectionOut:
        with state.write_lock:
            # decisions a crash left half done are carried out (and logged) first
            for done, redone in recover_decisions(store, state.store):
                _after_write(state)
                record_api(state, rec.objection_decided(rec.api_actor(key), done, redone))
                store.mark_applied(done.id)
            check_decision(
                state.store, store.get(objection_id), body.outcome, body.scope, body.scope_value
            )
            o = store.decide(
                objection_id,
                body.outcome,
                officer=body.officer,
                reason=body.reason or "",
                scope=body.scope,
                scope_value=body.scope_value,
                on=body.on,
            )
            report = apply_decision(state.store, o)
            _after_write(state)  # dispute_closed events at least: the view rebuilds
            entries = record_api(
                state,
                rec.objection_decided(rec.api_actor(key), o, report),
                rules=None if report is not None else False,
            )
            store.mark_applied(o.id)
        return _out(
            o,
            propagation=None if report is None else report.model_dump(mode="json"),
            decision=entries[-1].seq,
        )

    return await run_in_threadpool(decide)
