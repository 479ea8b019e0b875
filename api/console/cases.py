"""Saved investigations: a named case with its nodes, their layout and notes, shared by
every officer, kept in the API's SQLite file beside keys and the audit trail.

A case holds uids and positions, never entity data: opening it reads the entities again,
as they stand (or as they stood on the case's date). Writes carry the version they were
based on and are refused (409) when another officer saved in between, so notes are never
silently overwritten.

A case's report (``GET /console/api/cases/{id}/report``) carries the decision log's signed
tree head as it stands when the report is made, so a printed report can later be checked
against the log: the decisions it rests on were among the first ``tree_size`` entries
(``credgraph audit consistency SIZE``; docs/decision-log.md).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ApiState, OfficerKey, StateDep
from api.errors import ApiError
from api.ledger.state import decision_log
from api.routers.decisions import TreeHeadOut
from graph.errors import NotFound

__all__ = ["MAX_CASE_NODES", "CaseReport", "CaseStore", "router"]

#: Most nodes one case keeps (the network page holds at most 1,500).
MAX_CASE_NODES = 1_500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS console_cases (
    case_id    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    notes      TEXT NOT NULL,
    at         TEXT,
    nodes      TEXT NOT NULL,
    created    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated    TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version    INTEGER NOT NULL
);
"""


class CaseConflict(ApiError):
    """Someone saved the case since the version this write was based on."""

    status = 409
    title = "Conflict"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CaseNode(BaseModel):
    """A node of the case and where it was on the canvas."""

    model_config = ConfigDict(extra="forbid")

    uid: str = Field(min_length=1, max_length=200)
    x: float = 0.0
    y: float = 0.0
    pinned: bool = False


class CaseIn(BaseModel):
    """A case as an officer saves it; ``version`` is the one it was based on (0: new)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=20_000)
    at: date | None = Field(None, description="The date the network was shown as of")
    nodes: list[CaseNode] = Field(max_length=MAX_CASE_NODES)
    version: int = Field(0, ge=0, le=2**62)


class CaseSummary(BaseModel):
    """A case in the list."""

    case_id: str
    name: str
    at: date | None
    node_count: int
    created: str
    created_by: str
    updated: str
    updated_by: str
    version: int


class CaseOut(CaseSummary):
    """A case with its nodes and notes."""

    notes: str
    nodes: list[CaseNode]


class CaseReport(BaseModel):
    """A case as its report shows it, with the decision log's head at that moment."""

    case: CaseOut
    generated: str = Field(description="when the server made the report (UTC, ISO 8601)")
    decision_log: TreeHeadOut | None = Field(
        description="the decision log's latest signed tree head when the report was made "
        "(null while the log is empty)"
    )


class CaseList(BaseModel):
    """Every case, most recently saved first."""

    items: list[CaseSummary]


def _summary(row: sqlite3.Row) -> dict[str, Any]:
    nodes = json.loads(row["nodes"])
    return {
        "case_id": row["case_id"],
        "name": row["name"],
        "at": row["at"],
        "node_count": len(nodes),
        "created": row["created"],
        "created_by": row["created_by"],
        "updated": row["updated"],
        "updated_by": row["updated_by"],
        "version": row["version"],
    }


class CaseStore:
    """The cases table in the API's SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=10
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    def list(self, limit: int = 200) -> list[CaseSummary]:
        """Cases, most recently saved first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM console_cases ORDER BY updated DESC, case_id LIMIT ?", (limit,)
            ).fetchall()
        return [CaseSummary(**_summary(r)) for r in rows]

    def get(self, case_id: str) -> CaseOut:
        """One case; NotFound when there is none."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM console_cases WHERE case_id = ?", (case_id,)
            ).fetchone()
        if row is None:
            raise NotFound(f"no case {case_id!r}")
        return CaseOut(**_summary(row), notes=row["notes"], nodes=json.loads(row["nodes"]))

    def save(self, case: CaseIn, officer: str, case_id: str | None = None) -> CaseOut:
        """Create a case (no ``case_id``) or update one from the version it was based on."""
        nodes = json.dumps([n.model_dump() for n in case.nodes])
        at = case.at.isoformat() if case.at else None
        now = _now()
        with self._lock:
            if case_id is None:
                case_id = f"case-{secrets.token_hex(6)}"
                self._conn.execute(
                    "INSERT INTO console_cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    (case_id, case.name, case.notes, at, nodes, now, officer, now, officer),
                )
            else:
                done = self._conn.execute(
                    "UPDATE console_cases SET name = ?, notes = ?, at = ?, nodes = ?, "
                    "updated = ?, updated_by = ?, version = version + 1 "
                    "WHERE case_id = ? AND version = ?",
                    (case.name, case.notes, at, nodes, now, officer, case_id, case.version),
                ).rowcount
                if not done:
                    exists = self._conn.execute(
                        "SELECT version FROM console_cases WHERE case_id = ?", (case_id,)
                    ).fetchone()
                    if exists is None:
                        raise NotFound(f"no case {case_id!r}")
                    raise CaseConflict(
                        f"case {case_id} was saved by someone else (version {exists[0]}, "
                        f"yours {case.version}); reload it first"
                    )
        return self.get(case_id)


def cases_of(state: ApiState) -> CaseStore:
    """The app's case store, opened on first use beside the keys (closed with the app)."""
    found = state.extras.get("console_cases")
    if found is None:
        found = state.extras["console_cases"] = CaseStore(state.keys.path)
    assert isinstance(found, CaseStore)
    return found


router = APIRouter(prefix="/api/cases", tags=["console"])
_ID = PathParam(pattern=r"^case-[0-9a-f]{12}$", examples=["case-0123456789ab"])


@router.get("", response_model=CaseList, summary="Saved investigations")
async def list_cases(key: OfficerKey, state: StateDep) -> CaseList:
    """Every officer's cases, most recently saved first (at most 200)."""
    return CaseList(items=await run_in_threadpool(cases_of(state).list))


@router.post("", response_model=CaseOut, status_code=201, summary="Save a new investigation")
async def create_case(body: CaseIn, key: OfficerKey, state: StateDep) -> CaseOut:
    """A new case with its nodes, their positions and notes, visible to every officer."""
    return await run_in_threadpool(cases_of(state).save, body, key.name)


@router.get("/{case_id}", response_model=CaseOut, summary="One investigation")
async def get_case(
    case_id: Annotated[str, _ID], key: OfficerKey, state: StateDep, request: Request
) -> CaseOut:
    """The case's nodes, layout and notes."""
    return await run_in_threadpool(cases_of(state).get, case_id)


@router.put("/{case_id}", response_model=CaseOut, summary="Update an investigation")
async def update_case(
    case_id: Annotated[str, _ID], body: CaseIn, key: OfficerKey, state: StateDep
) -> CaseOut:
    """Save over the version ``body.version``; 409 when someone saved in between."""
    return await run_in_threadpool(cases_of(state).save, body, key.name, case_id)


def _report(state: ApiState, case_id: str) -> CaseReport:
    case = cases_of(state).get(case_id)
    log = decision_log(state)
    head = log.latest_head()
    return CaseReport(
        case=case,
        generated=_now(),
        decision_log=(
            None
            if head is None
            else TreeHeadOut.model_validate(head.to_json(log.signer.public_key))
        ),
    )


@router.get("/{case_id}/report", response_model=CaseReport, summary="An investigation's report")
async def case_report(case_id: Annotated[str, _ID], key: OfficerKey, state: StateDep) -> CaseReport:
    """The case with the decision log's signed tree head at this moment (its size, root hash,
    time and signature), for the printed report to be checked against the log later."""
    return await run_in_threadpool(_report, state, case_id)
