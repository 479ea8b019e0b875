"""The audit trail: who asked about whom, when, and what they got.

Every authenticated request (``/v1`` and the console's ``/console/api``, and any other
path where a key was presented) leaves one row (time, key id and name, scope, method,
path, subject, status, duration); a batch check also leaves one compact row per subject
(two integers: the audit row and an interned subject uid). Subjects are uids: a person's
uid is a keyed hash of the id number, so the trail can say "this platform asked about
that person" without holding the number. Every text field goes through
:func:`graph.redact.redact` before it is written, so an id number sent where a uid was
expected (in the path, a query or as a ``business``) is stored as its hash uid.

Durability (group commit): the middleware holds a response's first byte until the
request's row is committed. A background thread takes whatever rows are queued, writes
them in one transaction (``synchronous=FULL``: on disk, not only in the OS cache) and then
releases every response waiting on them; under load one commit serves many requests.
With ``durable=False`` responses do not wait and a crash loses at most the rows queued in
the last ``flush_seconds`` (at most one second).

Retention: :meth:`AuditLog.compact` deletes rows older than the retention and the subject
rows that belonged to them; the writer thread runs it every ``compact_hours``, and
``credgraph audit-trail compact`` runs it on demand (``--vacuum`` gives the space back to the
file system).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.security import connect
from graph.redact import RedactingFilter, Redactor

__all__ = [
    "AUDIT_PREFIXES",
    "AUDIT_SCOPE_KEY",
    "AuditContext",
    "AuditLog",
    "AuditMiddleware",
    "AuditRecord",
    "Compaction",
    "RedactingFilter",
    "redact_path",
]

log = logging.getLogger("credgraph.audit")

AUDIT_SCOPE_KEY = "credgraph.audit"
#: Paths whose every request is audited (others only when a key was presented).
AUDIT_PREFIXES = ("/v1", "/console/api")
REDACTED = "[redacted]"

_PERSON_PATH = re.compile(r"(/restrictions/person/)([^/?#]+)", re.IGNORECASE)


def redact_path(text: str, key: str | None = None) -> str:
    """``text`` (a path, maybe with a query) without person id numbers.

    The segment after ``/restrictions/person/`` is any id document (a passport too): it
    becomes the person's uid with ``key``, ``[redacted]`` without.
    """

    def person(match: re.Match[str]) -> str:
        if key is None:
            return match.group(1) + REDACTED
        from graph.identity import person_uid

        value = unquote(match.group(2)).strip().upper()
        if re.fullmatch(r"PERSON:[0-9A-F]{32}", value):
            return match.group(0)
        return match.group(1) + Redactor(key)(value).replace(value, person_uid(value, key))

    return Redactor(key, legacy=True)(_PERSON_PATH.sub(person, text))


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


@dataclass(frozen=True)
class Compaction:
    """What one compaction did."""

    cutoff: str
    audit_rows_deleted: int
    subject_rows_deleted: int
    bytes_before: int
    bytes_after: int


# audit_subjects (request_id TEXT, subject TEXT) held ~100 bytes per subject with its
# index; these hold two small integers per subject and intern each uid once.
_EXTRA_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_subject_uids (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS audit_subject_refs (
    subject_id INTEGER NOT NULL,
    audit_id INTEGER NOT NULL,
    PRIMARY KEY (subject_id, audit_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_request ON audit(request_id);
"""

_Done = Callable[[], None]


class AuditLog:
    """Group-committing writer of :class:`AuditRecord` rows into the API's SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        flush_seconds: float = 0.25,
        batch_size: int = 2_000,
        key: str | None = None,
        retention_days: int | None = None,
        compact_hours: float = 0.0,
    ) -> None:
        self.path = path
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self.retention_days = retention_days
        self.compact_hours = compact_hours
        #: Longest an answer waits for its row (a stuck disk must not stop the service).
        self.durable_timeout = 10.0
        #: Rows deleted per transaction by :meth:`compact`.
        self.compact_chunk = 50_000
        self._key = key
        self._redact = Redactor(key, legacy=True)
        self._queue: queue.SimpleQueue[tuple[AuditRecord, _Done | None]] = queue.SimpleQueue()
        self._conn = connect(path)
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_EXTRA_SCHEMA)
        self._write_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._next_compaction = time.monotonic() + compact_hours * 3600
        self._thread = threading.Thread(target=self._run, name="credgraph-audit", daemon=True)
        self._thread.start()

    def record(self, rec: AuditRecord, done: _Done | None = None) -> None:
        """Queue a record (never blocks on the database); ``done`` runs once it is committed."""
        self._queue.put((rec, done))
        if done is not None and self._stop.is_set():
            self.flush()

    async def record_durably(self, rec: AuditRecord) -> None:
        """Queue a record and return once it is committed (group commit)."""
        loop = asyncio.get_running_loop()
        committed = loop.create_future()

        def done() -> None:
            loop.call_soon_threadsafe(_resolve, committed)

        self.record(rec, done)
        try:
            await asyncio.wait_for(asyncio.shield(committed), self.durable_timeout)
        except TimeoutError:
            log.warning(  # the answer is released: a stuck disk must not stop the service
                "audit row %s not committed within %.0f s", rec.request_id, self.durable_timeout
            )

    def _drain(self, first: tuple[AuditRecord, _Done | None] | None = None) -> list[Any]:
        batch: list[tuple[AuditRecord, _Done | None]] = [first] if first else []
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
                self._commit(batch)
                written += len(batch)
        return written

    def _commit(self, batch: list[tuple[AuditRecord, _Done | None]]) -> None:
        try:
            self._write([rec for rec, _ in batch])
        finally:
            # A failed write is logged in _write; the answers are not held back forever.
            for _, done in batch:
                if done is not None:
                    done()

    def _write(self, batch: list[AuditRecord]) -> None:
        clean = self._redact
        with self._write_lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                (last,) = self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()
                rows = []
                refs: list[tuple[str, int]] = []
                for offset, r in enumerate(batch, start=1):
                    audit_id = int(last) + offset
                    rows.append(
                        (
                            audit_id,
                            r.request_id,
                            r.at,
                            r.key_id,
                            r.key_name and clean(r.key_name),
                            r.scope,
                            r.method,
                            redact_path(r.path, self._key),
                            r.subject and clean(r.subject),
                            r.status,
                            r.duration_ms,
                            r.client,
                        )
                    )
                    refs.extend((clean(s), audit_id) for s in r.subjects)
                self._conn.executemany(
                    "INSERT INTO audit (id, request_id, at, key_id, key_name, scope, method, path,"
                    " subject, status, duration_ms, client) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    rows,
                )
                if refs:
                    self._write_refs(refs)
                self._conn.execute("COMMIT")
            except Exception:  # any failure (a value SQLite cannot bind) must end the transaction
                log.exception("audit write failed; %d records lost", len(batch))
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")

    def _write_refs(self, refs: list[tuple[str, int]]) -> None:
        uids = sorted({uid for uid, _ in refs})
        self._conn.executemany(
            "INSERT OR IGNORE INTO audit_subject_uids (uid) VALUES (?)", [(u,) for u in uids]
        )
        ids: dict[str, int] = {}
        for start in range(0, len(uids), 500):
            chunk = uids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            ids.update(
                self._conn.execute(
                    f"SELECT uid, id FROM audit_subject_uids WHERE uid IN ({marks})",  # noqa: S608 - placeholders only
                    chunk,
                ).fetchall()
            )
        self._conn.executemany(
            "INSERT OR IGNORE INTO audit_subject_refs (subject_id, audit_id) VALUES (?, ?)",
            [(ids[uid], audit_id) for uid, audit_id in refs],
        )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=self.flush_seconds)
            except queue.Empty:
                first = None
            if first is not None:
                with self._flush_lock:
                    self._commit(self._drain(first))
            if self.compact_hours and time.monotonic() >= self._next_compaction:
                self._next_compaction = time.monotonic() + self.compact_hours * 3600
                try:
                    self.compact()
                except sqlite3.Error:
                    log.exception("audit compaction failed")

    def compact(
        self,
        retention_days: int | None = None,
        *,
        vacuum: bool = False,
        now: datetime | None = None,
    ) -> Compaction:
        """Delete rows older than the retention (and their subject rows); ``vacuum``
        rewrites the file to give the freed pages back."""
        days = retention_days or self.retention_days
        if days is None:
            raise ValueError("no retention configured")
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(
            timespec="milliseconds"
        )
        before = self._size()
        self.flush()
        last = self._last_id_before(cutoff)
        audit_deleted = subjects_deleted = 0
        if last is not None:
            # In chunks, so that answers waiting on the writer's lock are held briefly.
            with self._write_lock:
                (first,) = self._conn.execute("SELECT MIN(id) FROM audit").fetchone()
            for upto in range(
                int(first) + self.compact_chunk - 1, last + self.compact_chunk, self.compact_chunk
            ):
                with self._write_lock:
                    self._conn.execute("BEGIN IMMEDIATE")
                    try:
                        audit_deleted += self._conn.execute(
                            "DELETE FROM audit WHERE id <= ?", (min(upto, last),)
                        ).rowcount
                        subjects_deleted += self._conn.execute(
                            "DELETE FROM audit_subject_refs WHERE audit_id <= ?", (min(upto, last),)
                        ).rowcount
                        self._conn.execute("COMMIT")
                    except BaseException:
                        self._conn.execute("ROLLBACK")
                        raise
            with self._write_lock:
                self._conn.execute(
                    "DELETE FROM audit_subject_uids WHERE NOT EXISTS (SELECT 1 FROM"
                    " audit_subject_refs r WHERE r.subject_id = audit_subject_uids.id)"
                )
        with self._write_lock:
            if vacuum:
                self._conn.execute("VACUUM")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return Compaction(cutoff, audit_deleted, subjects_deleted, before, self._size())

    def _last_id_before(self, cutoff: str) -> int | None:
        """The last row written before ``cutoff``: ids grow with time, so a binary search
        over ids finds it with a few primary-key reads (no index on ``at``)."""
        with self._write_lock:
            lo, hi = self._conn.execute("SELECT MIN(id), MAX(id) FROM audit").fetchone()
        if lo is None:
            return None
        found = None
        lo, hi = int(lo), int(hi)
        while lo <= hi:
            mid = (lo + hi) // 2
            with self._write_lock:
                row = self._conn.execute(
                    "SELECT id, at FROM audit WHERE id >= ? ORDER BY id LIMIT 1", (mid,)
                ).fetchone()
            if row is None or row[1] >= cutoff:
                hi = mid - 1
            else:
                found = int(row[0])
                lo = int(row[0]) + 1
        return found

    def _size(self) -> int:
        return sum(
            p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file()
        )

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
                    "SELECT u.uid FROM audit a JOIN audit_subject_refs r ON r.audit_id = a.id"
                    " JOIN audit_subject_uids u ON u.id = r.subject_id WHERE a.request_id = ?"
                    " ORDER BY u.uid",
                    (request_id,),
                )
            ]

    def close(self) -> None:
        """Write what is queued and stop the writer."""
        self._stop.set()
        self._thread.join(timeout=5)
        self.flush()
        with self._write_lock:
            self._conn.close()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class AuditMiddleware:
    """Pure ASGI middleware: one audit row per authenticated request.

    Every request under :data:`AUDIT_PREFIXES` is audited (a refused key too); elsewhere a
    request is audited when it presented a key that authenticated. With ``durable`` the
    response's first message is held until the row is committed.

    Without an ``audit`` log it uses the app's (``app.state.credgraph.audit``), which the
    lifespan opens.
    """

    def __init__(
        self,
        app: ASGIApp,
        audit: AuditLog | None = None,
        prefixes: Sequence[str] = AUDIT_PREFIXES,
        *,
        durable: bool = True,
    ) -> None:
        self.app = app
        self.audit = audit
        self.prefixes = tuple(prefixes)
        self.durable = durable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request; write its audit row before (durable) or after the answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        ctx = AuditContext()
        scope[AUDIT_SCOPE_KEY] = ctx
        request_id = uuid.uuid4().hex
        always = scope["path"].startswith(self.prefixes)
        status = 500
        recorded = False

        def make_record() -> AuditRecord:
            client = scope.get("client")
            return AuditRecord(
                request_id=request_id,
                at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                key_id=ctx.key_id,
                key_name=ctx.key_name,
                scope=ctx.scope,
                method=scope["method"],
                path=scope["path"],
                subject=ctx.subject,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                client=client[0] if client else None,
                subjects=tuple(ctx.subjects),
            )

        def audit_log() -> AuditLog:
            return self.audit or scope["app"].state.credgraph.audit

        async def send_wrapper(message: Message) -> None:
            nonlocal status, recorded
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
                if always or ctx.key_id is not None:
                    recorded = True
                    if self.durable:
                        await audit_log().record_durably(make_record())
                    else:
                        audit_log().record(make_record())
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if not recorded and (always or ctx.key_id is not None):
                audit_log().record(make_record())
