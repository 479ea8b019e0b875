"""API keys, scopes and rate limits.

Keys are 256-bit random tokens shown once at creation (``credgraph keys create``); the
server keeps only their SHA-256. A keyed hash would add nothing for tokens this long (no
dictionary to try), and plain SHA-256 lets the CLI create keys without the server's secret.

Where keys live: a small SQLite file beside the graph (``api.sqlite3``), not nodes in the
graph. Keys, the audit trail and platform feedback are operational records of the service,
not knowledge about the market: they must not travel with graph exports or GDS projections,
and the audit trail is appended at request rate, which would contend with LadybugDB's single
writer. The request path never touches the file: keys are held in memory (reloaded when the
file changes, checked at most every few seconds), limits are in-memory token buckets, and
audit records are written in batches by a background thread (:mod:`api.audit`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from graph.errors import InvalidInput, NotFound

__all__ = [
    "DEFAULT_LIMITS",
    "ApiKey",
    "CreatedKey",
    "KeyStore",
    "RateLimiter",
    "Scope",
    "connect",
    "hash_key",
]

KEY_PREFIX = "cg_"

#: Requests per second and burst per scope unless a key sets its own.
DEFAULT_LIMITS: dict[str, tuple[float, int]] = {
    "platform": (50.0, 200),
    "officer": (20.0, 60),
    "brand": (10.0, 30),
}


class Scope(StrEnum):
    """What a key may do."""

    PLATFORM = "platform"
    OFFICER = "officer"
    BRAND = "brand"


def hash_key(token: str) -> str:
    """The stored form of a key: hex SHA-256 of the whole token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """A key as the server knows it (never the token itself)."""

    key_id: str
    name: str
    scope: Scope
    brands: tuple[str, ...] = ()
    rate: float = 0.0
    burst: int = 0
    created: str = ""
    revoked: str | None = None

    @property
    def limits(self) -> tuple[float, int]:
        """Requests per second and burst for this key."""
        default_rate, default_burst = DEFAULT_LIMITS[self.scope.value]
        return (self.rate or default_rate, self.burst or default_burst)


@dataclass(frozen=True)
class CreatedKey:
    """A newly created key: the token (shown once) and its record."""

    token: str
    key: ApiKey


_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    brands TEXT NOT NULL DEFAULT '[]',
    rate REAL NOT NULL DEFAULT 0,
    burst INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id TEXT,
    key_name TEXT,
    scope TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    subject TEXT,
    status INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    client TEXT
);
CREATE INDEX IF NOT EXISTS audit_subject ON audit(subject);
CREATE INDEX IF NOT EXISTS audit_key ON audit(key_id, id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received TEXT NOT NULL,
    platform TEXT NOT NULL,
    key_id TEXT NOT NULL,
    subject_uid TEXT NOT NULL,
    subject_display TEXT NOT NULL,
    measure_id TEXT,
    listing_uid TEXT,
    action TEXT NOT NULL,
    reason TEXT,
    acted_at TEXT
);
CREATE INDEX IF NOT EXISTS feedback_platform ON feedback(platform, id);
CREATE INDEX IF NOT EXISTS feedback_subject ON feedback(subject_uid, id);
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (and create) the API's SQLite file in WAL mode with its tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(_SCHEMA)
    return conn


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class KeyStore:
    """API keys in the SQLite file, with an in-memory view for the request path."""

    #: Seconds between checks whether another process changed the keys.
    refresh_seconds = 2.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path)
        self._lock = threading.Lock()
        self._by_hash: dict[str, ApiKey] = {}
        self._checked = 0.0
        self._miss_checked = 0.0
        self._version = -1
        self._reload(force=True)

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    def _reload(self, *, force: bool = False) -> None:
        with self._cursor() as conn:
            # data_version moves when another connection (the CLI) commits.
            version = int(conn.execute("PRAGMA data_version").fetchone()[0])
            if version == self._version and not force:
                self._checked = time.monotonic()
                return
            rows = conn.execute(
                "SELECT key_hash, key_id, name, scope, brands, rate, burst, created, revoked "
                "FROM api_keys"
            ).fetchall()
        by_hash = {}
        for key_hash, *rest in rows:
            key = _row_key(rest)
            if key.revoked is None:
                by_hash[key_hash] = key
        self._by_hash = by_hash
        self._version = version
        self._checked = time.monotonic()

    def authenticate(self, token: str) -> ApiKey | None:
        """The live key for ``token``, or None; costs one hash and a dict lookup."""
        now = time.monotonic()
        if now - self._checked > self.refresh_seconds:
            self._reload()
        digest = hash_key(token)
        key = self._by_hash.get(digest)
        if key is None and now - self._miss_checked > 0.25:
            # A key created a moment ago by the CLI: look again, at most four times a second
            # (unknown keys cannot make the server hammer the file).
            self._miss_checked = now
            self._reload()
            key = self._by_hash.get(digest)
        return key

    def create(
        self,
        name: str,
        scope: Scope | str,
        *,
        brands: Sequence[str] = (),
        rate: float = 0.0,
        burst: int = 0,
    ) -> CreatedKey:
        """Create a key; the returned token is the only time it is seen in clear."""
        scope = Scope(scope)
        if not name.strip():
            raise InvalidInput("a key needs a name", field="name")
        if scope is Scope.BRAND and not brands:
            raise InvalidInput("a brand key must name the brands it acts for", field="brands")
        if scope is not Scope.BRAND and brands:
            raise InvalidInput("only brand keys carry brands", field="brands")
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        while token[len(KEY_PREFIX)] == "-":  # an id a command line would take for an option
            token = KEY_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            key_id=token[len(KEY_PREFIX) : len(KEY_PREFIX) + 8],
            name=name.strip(),
            scope=scope,
            brands=tuple(brands),
            rate=rate,
            burst=burst,
            created=_now(),
        )
        with self._cursor() as conn:
            conn.execute(
                "INSERT INTO api_keys (key_id, key_hash, name, scope, brands, rate, burst, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key.key_id,
                    hash_key(token),
                    key.name,
                    key.scope.value,
                    json.dumps(list(key.brands)),
                    rate,
                    burst,
                    key.created,
                ),
            )
        self._reload(force=True)
        return CreatedKey(token, key)

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key by its id (the 8 characters after ``cg_``)."""
        with self._cursor() as conn:
            updated = conn.execute(
                "UPDATE api_keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL",
                (_now(), key_id),
            ).rowcount
        if not updated:
            raise NotFound(f"no live key with id {key_id!r}")
        self._reload(force=True)
        return next(k for k in self.list() if k.key_id == key_id)

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        with self._cursor() as conn:
            rows = conn.execute(
                "SELECT key_id, name, scope, brands, rate, burst, created, revoked "
                "FROM api_keys ORDER BY created, key_id"
            ).fetchall()
        return [_row_key(list(row)) for row in rows]


def _row_key(row: list[object]) -> ApiKey:
    key_id, name, scope, brands, rate, burst, created, revoked = row
    return ApiKey(
        key_id=str(key_id),
        name=str(name),
        scope=Scope(str(scope)),
        brands=tuple(json.loads(str(brands))),
        rate=float(rate),  # type: ignore[arg-type]
        burst=int(burst),  # type: ignore[call-overload]
        created=str(created),
        revoked=None if revoked is None else str(revoked),
    )


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """Token buckets per key, in memory (one process; limits are per server instance).

    ``clock`` (seconds, monotonic) can be replaced so that tests move time instead of
    sleeping through a refill.
    """

    buckets: dict[str, _Bucket] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic

    def take(self, key: ApiKey, cost: float = 1.0) -> float:
        """Take ``cost`` tokens; returns 0 when allowed, else seconds until it would be."""
        rate, burst = key.limits
        now = self.clock()
        bucket = self.buckets.get(key.key_id)
        if bucket is None:
            bucket = self.buckets[key.key_id] = _Bucket(float(burst), now)
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return 0.0
        return (cost - bucket.tokens) / rate
