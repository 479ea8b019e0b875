"""Feedback (反馈): platforms report what they did about a restriction; officers read it.

Reports are kept in the API's SQLite file (:class:`FeedbackStore`), beside keys and the
audit trail. A platform sees only its own reports; officers see all of them.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from api.deps import AnyKey, ApiState, StateDep, audit_subject, get_state, subject_uid
from api.errors import PROBLEM_RESPONSES, Forbidden
from api.params import Uid
from api.routers._views import next_link
from api.schemas import EntityKind, FeedbackAction, FeedbackIn, FeedbackOut, Page
from api.security import Scope, connect
from graph.errors import InvalidInput, NotFound
from graph.identity import hash_person_id
from graph.redact import redact

__all__ = ["FeedbackStore", "feedback_store", "router"]

router = APIRouter(prefix="/v1/feedback", tags=["platform"], responses=PROBLEM_RESPONSES)

_COLUMNS = (
    "id, received, platform, subject_uid, subject_display, measure_id, listing_uid, action,"
    " reason, acted_at"
)


class FeedbackStore:
    """Feedback rows in the API's SQLite file."""

    def __init__(self, path: Path) -> None:
        self._conn = connect(path)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    def add(self, platform: str, key_id: str, subject: str, display: str, body: FeedbackIn) -> int:
        """Store one report; returns its id."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO feedback (received, platform, key_id, subject_uid, subject_display,"
                " measure_id, listing_uid, action, reason, acted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    platform,
                    key_id,
                    subject,
                    display,
                    body.measure_id,
                    body.listing_uid,
                    body.action.value,
                    body.reason and redact(body.reason, mask=True),
                    body.acted_at.isoformat() if body.acted_at else None,
                ),
            )
            return int(cursor.lastrowid or 0)

    def list(
        self,
        *,
        platform: str | None = None,
        subject: str | None = None,
        after: int = 0,
        limit: int = 50,
    ) -> list[FeedbackOut]:
        """Reports with id above ``after``, oldest first, optionally of one platform/subject."""
        where = ["id > ?"]
        params: list[Any] = [after]
        if platform is not None:
            where.append("platform = ?")
            params.append(platform)
        if subject is not None:
            where.append("subject_uid = ?")
            params.append(subject)
        params.append(limit)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM feedback WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",  # noqa: S608 - fixed fragments
                params,
            ).fetchall()
        return [_row(r) for r in rows]

    def get(self, feedback_id: int) -> FeedbackOut | None:
        """One report by id."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM feedback WHERE id = ?",  # noqa: S608 - fixed fragments
                (feedback_id,),
            ).fetchone()
        return None if row is None else _row(row)


def _row(row: sqlite3.Row | tuple[Any, ...]) -> FeedbackOut:
    fid, received, platform, uid, display, measure, listing, action, reason, acted = row
    return FeedbackOut(
        id=fid,
        received=received,
        platform=platform,
        subject_uid=uid,
        subject=display,
        measure_id=measure,
        listing_uid=listing,
        action=FeedbackAction(action),
        reason=reason,
        acted_at=acted,
    )


def feedback_store(state: ApiState) -> FeedbackStore:
    """The app's feedback store, opened on first use."""
    found = state.extras.get("feedback")
    if not isinstance(found, FeedbackStore):
        found = state.extras["feedback"] = FeedbackStore(state.keys.path)
    return found


def _display(kind: EntityKind, value: str, key: str) -> str:
    """How a subject is shown back: a person only by the masked id."""
    if kind is EntityKind.PERSON:
        text = value.strip().upper()
        if len(text) == 18:
            return hash_person_id(text, key).id_masked
        return text[:1] + "*" * max(len(text) - 2, 1) + text[-1:]
    return value.strip()


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedbackOut,
    summary="Report what the platform did about a restriction",
)
async def post_feedback(
    body: FeedbackIn, key: AnyKey, state: StateDep, request: Request
) -> FeedbackOut:
    """The 反馈 step: ``applied``, or ``could_not_apply`` with a reason.

    The subject must exist. Only platform keys report; the report is stored under the
    key's name as the platform.
    """
    if key.scope is not Scope.PLATFORM:
        raise Forbidden(f"only platform keys report feedback; yours is {key.scope.value}")
    if body.action is FeedbackAction.COULD_NOT_APPLY and not body.reason:
        raise InvalidInput(
            "a reason is required when the measure could not be applied", field="reason"
        )
    uid = subject_uid(body.kind, body.id, state.id_hash_key)
    audit_subject(request, uid)
    node = await run_in_threadpool(state.store.get_node, uid)
    if node is None:
        raise NotFound(f"no {body.kind.value} matches the id given")
    display = _display(body.kind, body.id, state.id_hash_key)
    store = feedback_store(state)
    fid = await run_in_threadpool(store.add, key.name, key.key_id, uid, display, body)
    found = store.get(fid)
    assert found is not None
    return found


@router.get(
    "",
    response_model=Page[FeedbackOut],
    summary="Feedback received (officers: all platforms; a platform: its own)",
)
async def list_feedback(
    key: AnyKey,
    state: StateDep,
    request: Request,
    platform: Annotated[str | None, Query(max_length=100, description="officers only")] = None,
    subject: Annotated[Uid | None, Query(max_length=200, description="subject uid")] = None,
    cursor: Annotated[int, Query(ge=0, le=2**62, description="from the previous page's next")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[FeedbackOut]:
    """Oldest first; follow ``next`` for more."""
    if key.scope is Scope.PLATFORM:
        if platform is not None and platform != key.name:
            raise Forbidden("a platform sees only its own feedback")
        platform = key.name
    elif key.scope is not Scope.OFFICER:
        raise Forbidden(
            f"this endpoint needs a platform or officer key; yours is {key.scope.value}"
        )
    if subject is not None:
        audit_subject(request, subject)
    store = feedback_store(get_state(request))
    items = await run_in_threadpool(
        store.list, platform=platform, subject=subject, after=cursor, limit=limit + 1
    )
    more = len(items) > limit
    items = items[:limit]
    nxt = next_link(request, cursor=items[-1].id, limit=limit) if more else None
    return Page[FeedbackOut](items=items, limit=limit, next=nxt)
