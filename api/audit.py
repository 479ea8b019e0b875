"""The audit trail: who asked about whom, when, and what they got.

Every ``/v1`` request leaves one row (time, key id and name, scope, method, path, subject,
status, duration); a batch check also leaves one row per subject in ``audit_subjects``.
Subjects are uids: a person's uid is a keyed hash of the id number, so the trail can say
"this platform asked about that person" without holding the number. Paths are stored and
logged through :func:`redact_path`, which blanks a person id in the path and anything that
looks like a resident id number.

Rows go onto an in-memory queue and a background thread writes them in batches (every
``flush_seconds`` or ``batch_size`` rows): the request path does no database write.
"""

from __future__ import annotations

import logging
import queue
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.security import connect

__all__ = [
    "AUDIT_SCOPE_KEY",
    "AuditContext",
    "AuditLog",
    "AuditMiddleware",
    "AuditRecord",
    "RedactingFilter",
    "redact_path",
]

log = logging.getLogger("credgraph.audit")

AUDIT_SCOPE_KEY = "credgraph.audit"
REDACTED = "[redacted]"

_PERSON_PATH = re.compile(r"(/restrictions/person/)[^/?#]+", re.IGNORECASE)
# Resident id numbers (18 with check character, or the old 15 digits), anywhere in a URL.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def redact_path(text: str) -> str:
    """``text`` (a path, maybe with a query) without person id numbers."""
    return _ID_NUMBER.sub(REDACTED, _PERSON_PATH.sub(r"\1" + REDACTED, text))


class RedactingFilter(logging.Filter):
    """Logging filter for uvicorn's access log: redacts the request line's path."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the path argument (uvicorn passes it as the third argument)."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        elif isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


@dataclass
class AuditContext:
    """What handlers add to a request's audit row (set by dependencies and routers)."""

    key_id: str | None = None
    key_name: str | None = None
    scope: str | None = None
    subject: str | None = None
    subjects: Sequence[str] = ()


@dataclass(frozen=True)
class AuditRecord:
    """One audited request."""

    request_id: str
    at: str
    key_id: str | None
    key_name: str | None
    scope: str | None
    method: str
    path: str
    subject: str | None
    status: int
    duration_ms: float
    client: str | None
    subjects: Sequence[str] = field(default=())


_EXTRA_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_subjects (request_id TEXT NOT NULL, subject TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_subjects_subject ON audit_subjects(subject);
"""


class AuditLog:
    """Batched writer of :class:`AuditRecord` rows into the API's SQLite file."""

    def __init__(self, path: Path, *, flush_seconds: float = 0.25, batch_size: int = 2_000) -> None:
        self.path = path
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self._queue: queue.SimpleQueue[AuditRecord] = queue.SimpleQueue()
        self._conn = connect(path)
        self._conn.executescript(_EXTRA_SCHEMA)
        self._write_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="credgraph-audit", daemon=True)
        self._thread.start()

    def record(self, rec: AuditRecord) -> None:
        """Queue a record (never blocks on the database)."""
        self._queue.put(rec)

    def _drain(self) -> list[AuditRecord]:
        batch: list[AuditRecord] = []
        while len(batch) < self.batch_size:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def flush(self) -> int:
        """Write everything queued so far, in order; returns the rows written."""
        written = 0
        with self._flush_lock:
            while batch := self._drain():
                self._write(batch)
                written += len(batch)
        return written

    def _write(self, batch: list[AuditRecord]) -> None:
        rows = [
            (
                r.request_id,
                r.at,
                r.key_id,
                r.key_name,
                r.scope,
                r.method,
                r.path,
                r.subject,
                r.status,
                r.duration_ms,
                r.client,
            )
            for r in batch
        ]
        subjects = [(r.request_id, s) for r in batch for s in r.subjects]
        with self._write_lock:
            try:
                self._conn.execute("BEGIN")
                self._conn.executemany(
                    "INSERT INTO audit (request_id, at, key_id, key_name, scope, method, path,"
                    " subject, status, duration_ms, client) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    rows,
                )
                if subjects:
                    self._conn.executemany(
                        "INSERT INTO audit_subjects (request_id, subject) VALUES (?, ?)", subjects
                    )
                self._conn.execute("COMMIT")
            except sqlite3.Error:
                log.exception("audit write failed; %d records lost", len(batch))
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")

    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()

    def rows(self, limit: int = 100, after_id: int = 0) -> list[dict[str, Any]]:
        """Stored rows (after flushing), oldest first, for officers and tests."""
        self.flush()
        with self._write_lock:
            cursor = self._conn.execute(
                "SELECT id, request_id, at, key_id, key_name, scope, method, path, subject,"
                " status, duration_ms FROM audit WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            )
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def subjects_of(self, request_id: str) -> list[str]:
        """The subjects a (batch) request asked about."""
        self.flush()
        with self._write_lock:
            return [
                str(row[0])
                for row in self._conn.execute(
                    "SELECT subject FROM audit_subjects WHERE request_id = ?", (request_id,)
                )
            ]

    def close(self) -> None:
        """Write what is queued and stop the writer."""
        self._stop.set()
        self._thread.join(timeout=5)
        self.flush()
        with self._write_lock:
            self._conn.close()


class AuditMiddleware:
    """Pure ASGI middleware: one audit row per ``/v1`` request (cheap: no I/O inline).

    Without an ``audit`` log it uses the app's (``app.state.credgraph.audit``), which the
    lifespan opens.
    """

    def __init__(self, app: ASGIApp, audit: AuditLog | None = None, prefix: str = "/v1") -> None:
        self.app = app
        self.audit = audit
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, then queue its audit row."""
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        ctx = AuditContext()
        scope[AUDIT_SCOPE_KEY] = ctx
        request_id = uuid.uuid4().hex
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            client = scope.get("client")
            audit = self.audit or scope["app"].state.credgraph.audit
            audit.record(
                AuditRecord(
                    request_id=request_id,
                    at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                    key_id=ctx.key_id,
                    key_name=ctx.key_name,
                    scope=ctx.scope,
                    method=scope["method"],
                    path=redact_path(scope["path"]),
                    subject=ctx.subject,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                    client=client[0] if client else None,
                    subjects=tuple(ctx.subjects),
                )
            )
