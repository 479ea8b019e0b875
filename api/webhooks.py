"""Webhooks for the change feed: subscriptions, signed deliveries, retries.

A platform registers a URL (``POST /v1/webhooks``) and gets a signing secret, shown once.
A background worker follows the feed (:func:`algorithms.propagation.service.changes`) and
POSTs each subscription the events after its cursor, oldest first, up to
``webhook_batch_size`` per request::

    {"type": "changes", "subscription": 3, "delivery": "9f…", "events": [ChangeOut, …],
     "next_since": 1234}

Ordering and loss: a subscription has at most one delivery open at a time, and its cursor
moves only when the receiver answers 2xx, so events arrive in order, at least once (a
retried delivery repeats the same events under the same ``X-CredGraph-Delivery`` id).
A connection error, timeout or non-2xx answer is retried after ``base * 2**(n-1)`` seconds
(capped); after ``webhook_max_attempts`` the subscription is ``failing`` and nothing more
is sent until its owner enables it again. Subscriptions of a revoked key are not served.

Signature (Stripe's scheme): ``X-CredGraph-Signature: t=<unix time>,v1=<hex
HMAC-SHA256(secret, "<t>.<raw body>")>``; :func:`verify_signature` is the receiver's check.
The server must compute the HMAC, so secrets are stored as given (unlike API keys, which
are stored hashed) in the API's SQLite file beside keys and the audit trail.

Alerts: the same subscription also receives its key's alert feed (:mod:`api.alert_feed`:
alerts made, acknowledged, assigned, closed) as deliveries of ``type: "alerts"`` with the
events in ``alerts`` (``events`` empty), signed, ordered and retried the same way under a
cursor of their own; a subscription starts with the alerts made after it. A platform key
receives only the alerts of its own watches, at status level (never a path).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from algorithms.propagation import feed, service
from api.alert_feed import EVENTS_SCHEMA, AlertEventOut, alert_head, read_events
from api.routers.changes import ChangeOut
from api.security import connect
from api.webhook_urls import check_webhook_url
from graph.config import Settings
from graph.errors import InvalidInput, NotFound, StoreError
from graph.store import GraphStore

__all__ = [
    "DELIVERY_HEADER",
    "SEQ_HEADER",
    "SIGNATURE_HEADER",
    "CreatedSubscription",
    "Delivery",
    "Payload",
    "Subscription",
    "WebhookStore",
    "WebhookWorker",
    "check_host",
    "feed_head",
    "sign",
    "verify_signature",
]

log = logging.getLogger("credgraph.webhooks")

SIGNATURE_HEADER = "X-CredGraph-Signature"
DELIVERY_HEADER = "X-CredGraph-Delivery"
SEQ_HEADER = "X-CredGraph-Event-Seq"
SECRET_PREFIX = "whsec_"
USER_AGENT = "CreditGraph-Webhooks/1.0"

#: Subscriptions one key may hold.
MAX_PER_KEY = 10
#: Settled deliveries kept per subscription (older ones are pruned).
KEEP_DELIVERIES = 100
#: Batches one subscription may send in a row before others get their turn.
BATCHES_PER_TURN = 10

SubscriptionStatus = Literal["active", "failing"]
DeliveryStatus = Literal["pending", "retrying", "delivered", "failed"]
DeliveryKind = Literal["changes", "alerts", "ping"]


# -- signature ------------------------------------------------------------------------------
def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-CredGraph-Signature`` value for ``body`` sent at ``timestamp`` (unix s)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance_s: float = 300,
    *,
    now: float | None = None,
) -> bool:
    """Whether ``header`` signs exactly ``body`` with ``secret``, within ``tolerance_s``.

    ``body`` must be the raw request body as received (not re-serialised JSON). Several
    ``v1=`` values are accepted (any one may match); a stale or future ``t`` fails, which
    stops an intercepted request being replayed later.

    Example
    -------
    >>> header = sign("whsec_x", b'{"events":[]}', int(time.time()))
    >>> verify_signature("whsec_x", header, b'{"events":[]}')
    True
    >>> verify_signature("whsec_x", header, b'{"events":[1]}')
    False
    """
    raw = body.encode() if isinstance(body, str) else body
    stamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            stamp = int(value)
        elif name == "v1" and value:
            candidates.append(value)
    if stamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance_s:
        return False
    expected = sign(secret, raw, stamp).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, c) for c in candidates)


# -- records --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subscription:
    """A webhook as its owner sees it (never the secret)."""

    id: int
    key_id: str
    url: str
    status: SubscriptionStatus
    since: int
    created: datetime
    last_error: str | None


@dataclass(frozen=True)
class CreatedSubscription:
    """A new subscription and its signing secret (the only time the secret is shown)."""

    secret: str
    subscription: Subscription


@dataclass(frozen=True)
class Delivery:
    """One delivery: a batch of events (or a ping) and how sending it went."""

    id: str
    subscription: int
    kind: DeliveryKind
    status: DeliveryStatus
    first_seq: int | None
    last_seq: int | None
    events: int
    attempts: int
    http_status: int | None
    last_error: str | None
    next_retry: datetime | None
    created: datetime
    updated: datetime


class Payload(BaseModel):
    """The JSON body of every webhook POST."""

    model_config = ConfigDict(frozen=True)

    type: DeliveryKind
    subscription: int
    delivery: str
    events: list[ChangeOut]
    next_since: int = Field(description="changes: the feed seq; alerts: the alert event seq")
    alerts: list[AlertEventOut] = Field(
        default_factory=list, description='type "alerts": the alert events, oldest first'
    )


@dataclass(frozen=True)
class _Target:
    id: int
    url: str
    secret: str
    since: int
    key_id: str = ""
    officer: bool = False


_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    since INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created REAL NOT NULL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS webhooks_key ON webhooks(key_id, id);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    webhook_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    first_seq INTEGER,
    last_seq INTEGER,
    events INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    http_status INTEGER,
    last_error TEXT,
    next_retry REAL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_hook ON webhook_deliveries(webhook_id, n);
CREATE TABLE IF NOT EXISTS webhook_alert_cursor (
    webhook_id INTEGER PRIMARY KEY,
    since INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires REAL NOT NULL
);
"""

_SUB_COLUMNS = "id, key_id, url, status, since, created, last_error"
_DELIVERY_COLUMNS = (
    "id, webhook_id, kind, status, first_seq, last_seq, events, attempts, http_status,"
    " last_error, next_retry, created, updated"
)
_OPEN = "('pending', 'retrying')"


def _at(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


def _subscription(row: Sequence[object]) -> Subscription:
    sid, key_id, url, status, since, created, last_error = row
    return Subscription(
        id=int(sid),  # type: ignore[call-overload]
        key_id=str(key_id),
        url=str(url),
        status="failing" if status == "failing" else "active",
        since=int(since),  # type: ignore[call-overload]
        created=_at(float(created)),  # type: ignore[arg-type]
        last_error=None if last_error is None else str(last_error),
    )


def _delivery(row: Sequence[object]) -> Delivery:
    (did, hook, kind, status, first, last, events, attempts, http_status, error, retry, c, u) = row
    return Delivery(
        id=str(did),
        subscription=int(hook),  # type: ignore[call-overload]
        kind="ping" if kind == "ping" else "alerts" if kind == "alerts" else "changes",
        status=status,  # type: ignore[arg-type]
        first_seq=None if first is None else int(first),  # type: ignore[call-overload]
        last_seq=None if last is None else int(last),  # type: ignore[call-overload]
        events=int(events),  # type: ignore[call-overload]
        attempts=int(attempts),  # type: ignore[call-overload]
        http_status=None if http_status is None else int(http_status),  # type: ignore[call-overload]
        last_error=None if error is None else str(error),
        next_retry=None if retry is None else _at(float(retry)),  # type: ignore[arg-type]
        created=_at(float(c)),  # type: ignore[arg-type]
        updated=_at(float(u)),  # type: ignore[arg-type]
    )


class WebhookStore:
    """Subscriptions and deliveries in the API's SQLite file; every query names the owner."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        self._conn.executescript(EVENTS_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- owners' operations ------------------------------------------------------------------
    def create(self, key_id: str, url: str, since: int) -> CreatedSubscription:
        """Register ``url`` for ``key_id``, delivering events after ``since``."""
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        with self._tx() as conn:
            held = conn.execute("SELECT count(*) FROM webhooks WHERE key_id = ?", (key_id,))
            if int(held.fetchone()[0]) >= MAX_PER_KEY:
                raise InvalidInput(f"a key may hold at most {MAX_PER_KEY} webhooks", field="url")
            cursor = conn.execute(
                "INSERT INTO webhooks (key_id, url, secret, since, created) VALUES (?,?,?,?,?)",
                (key_id, url, secret, since, time.time()),
            )
            sid = int(cursor.lastrowid or 0)
            conn.execute(
                "INSERT INTO webhook_alert_cursor (webhook_id, since) VALUES (?, ?)",
                (sid, alert_head(conn, key_id)),
            )
        return CreatedSubscription(secret, self.get(key_id, sid))

    def get(self, key_id: str, sid: int) -> Subscription:
        """``key_id``'s subscription ``sid``; NotFound for anyone else's."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_SUB_COLUMNS} FROM webhooks WHERE id = ? AND key_id = ?",  # noqa: S608 - fixed fragments
                (sid, key_id),
            ).fetchone()
        if row is None:
            raise NotFound(f"no webhook {sid} registered by this key")
        return _subscription(row)

    def of_key(self, key_id: str, *, after: int = 0, limit: int = 50) -> list[Subscription]:
        """``key_id``'s subscriptions with id above ``after``, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SUB_COLUMNS} FROM webhooks WHERE key_id = ? AND id > ?"  # noqa: S608 - fixed fragments
                " ORDER BY id LIMIT ?",
                (key_id, after, limit),
            ).fetchall()
        return [_subscription(r) for r in rows]

    def delete(self, key_id: str, sid: int) -> None:
        """Remove a subscription and its delivery history."""
        self.get(key_id, sid)
        with self._tx() as conn:
            conn.execute("DELETE FROM webhook_deliveries WHERE webhook_id = ?", (sid,))
            conn.execute("DELETE FROM webhook_alert_cursor WHERE webhook_id = ?", (sid,))
            conn.execute("DELETE FROM webhooks WHERE id = ?", (sid,))

    def enable(self, key_id: str, sid: int) -> Subscription:
        """Resume a failing subscription from its cursor (a no-op on an active one)."""
        self.get(key_id, sid)
        with self._lock:
            self._conn.execute("UPDATE webhooks SET status = 'active' WHERE id = ?", (sid,))
        return self.get(key_id, sid)

    def deliveries(
        self, key_id: str, sid: int, *, before: int | None = None, limit: int = 20
    ) -> list[tuple[int, Delivery]]:
        """Newest first, each with its paging position (pass it as ``before``)."""
        self.get(key_id, sid)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT n, {_DELIVERY_COLUMNS} FROM webhook_deliveries"  # noqa: S608 - fixed fragments
                " WHERE webhook_id = ? AND n < ? ORDER BY n DESC LIMIT ?",
                (sid, 2**62 if before is None else before, limit),
            ).fetchall()
        return [(int(r[0]), _delivery(r[1:])) for r in rows]

    # -- the worker's side -------------------------------------------------------------------
    def hold_lease(self, holder: str, ttl: float) -> bool:
        """Take or renew the delivery lease: true when ``holder`` may deliver for ``ttl``
        seconds. Several API processes share one file; only the holder sends, so a change
        is not sent once per process."""
        now = time.time()
        with self._tx() as conn:
            row = conn.execute(
                "SELECT holder, expires FROM webhook_lease WHERE name = 'delivery'"
            ).fetchone()
            if row is not None and row[0] != holder and row[1] > now:
                return False
            conn.execute(
                "INSERT INTO webhook_lease (name, holder, expires) VALUES ('delivery', ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                " expires = excluded.expires",
                (holder, now + ttl),
            )
        return True

    def release_lease(self, holder: str) -> None:
        """Give the lease up (at shutdown) so another process takes over at once."""
        with self._tx() as conn:
            conn.execute(
                "DELETE FROM webhook_lease WHERE name = 'delivery' AND holder = ?", (holder,)
            )

    def any_active(self) -> bool:
        """Whether any subscription is active."""
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM webhooks WHERE status = 'active' LIMIT 1")
            return row.fetchone() is not None

    def due(self, head: int, now: float) -> list[int]:
        """Active subscriptions of live keys with a retry due, or new events and none open
        (changes of the feed or alert events of the subscription's key)."""
        return sorted(set(self._due_changes(head, now)) | set(self._due_alerts(now)))

    def _due_alerts(self, now: float) -> list[int]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT w.id FROM webhooks w"
                " JOIN api_keys k ON k.key_id = w.key_id AND k.revoked IS NULL"
                " LEFT JOIN webhook_alert_cursor c ON c.webhook_id = w.id"
                " WHERE w.status = 'active' AND ("
                "  EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id"
                f"   AND d.kind = 'alerts' AND d.status IN {_OPEN} AND d.next_retry <= ?)"
                "  OR (EXISTS (SELECT 1 FROM alert_events e WHERE e.key_id = w.key_id"
                "   AND e.seq > COALESCE(c.since, 0)) AND NOT EXISTS (SELECT 1"
                "   FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.kind = 'alerts'"
                f"   AND d.status IN {_OPEN})))",
                (now,),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def _due_changes(self, head: int, now: float) -> list[int]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT w.id FROM webhooks w"
                " JOIN api_keys k ON k.key_id = w.key_id AND k.revoked IS NULL"
                " WHERE w.status = 'active' AND ("
                "  EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id"
                f"   AND d.kind = 'changes' AND d.status IN {_OPEN} AND d.next_retry <= ?)"
                "  OR (w.since < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d"
                f"   WHERE d.webhook_id = w.id AND d.kind = 'changes' AND d.status IN {_OPEN})))"
                " ORDER BY w.id",
                (now, head),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def target(self, sid: int, *, active_only: bool = True) -> _Target | None:
        """What the worker needs to send to ``sid`` (None when gone, failing or revoked)."""
        status = " AND w.status = 'active'" if active_only else ""
        with self._lock:
            row = self._conn.execute(
                "SELECT w.id, w.url, w.secret, w.since, w.key_id, k.scope FROM webhooks w"
                " JOIN api_keys k ON k.key_id = w.key_id AND k.revoked IS NULL"
                f" WHERE w.id = ?{status}",
                (sid,),
            ).fetchone()
        if row is None:
            return None
        return _Target(
            int(row[0]), str(row[1]), str(row[2]), int(row[3]), str(row[4]), row[5] == "officer"
        )

    def open_delivery(self, sid: int, kind: DeliveryKind = "changes") -> Delivery | None:
        """The batch of ``kind`` still being sent to ``sid``, if any."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries"  # noqa: S608 - fixed fragments
                f" WHERE webhook_id = ? AND kind = ? AND status IN {_OPEN}"
                " ORDER BY n LIMIT 1",
                (sid, kind),
            ).fetchone()
        return None if row is None else _delivery(row)

    def alert_cursor(self, sid: int) -> int:
        """The last alert event seq ``sid``'s receiver acknowledged."""
        with self._lock:
            row = self._conn.execute(
                "SELECT since FROM webhook_alert_cursor WHERE webhook_id = ?", (sid,)
            ).fetchone()
        return int(row[0]) if row else 0

    def alert_events(self, target: _Target, since: int, limit: int) -> list[AlertEventOut]:
        """The alert events of ``target``'s key after ``since``, as that key sees them."""
        with self._lock:
            return read_events(self._conn, target.key_id, since, limit, officer=target.officer)

    def begin(
        self, sid: int, kind: DeliveryKind, first: int | None, last: int | None, events: int
    ) -> str:
        """Record a new delivery (pending); prunes old settled ones. Returns its id."""
        did = uuid.uuid4().hex
        now = time.time()
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO webhook_deliveries (id, webhook_id, kind, status, first_seq,"
                " last_seq, events, next_retry, created, updated)"
                " VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
                (did, sid, kind, first, last, events, now, now, now),
            )
            conn.execute(
                "DELETE FROM webhook_deliveries WHERE webhook_id = ?"
                " AND status IN ('delivered', 'failed') AND n NOT IN (SELECT n FROM"
                " webhook_deliveries WHERE webhook_id = ? ORDER BY n DESC LIMIT ?)",
                (sid, sid, KEEP_DELIVERIES),
            )
        return did

    def settle(
        self,
        delivery: str,
        *,
        status: DeliveryStatus,
        attempts: int,
        http_status: int | None,
        error: str | None,
        next_retry: float | None = None,
        advance: tuple[int, int] | None = None,
        advance_alerts: tuple[int, int] | None = None,
        failing: int | None = None,
    ) -> None:
        """Record an attempt's outcome; ``advance`` (sid, seq) moves a cursor, ``failing``
        (sid) pauses a subscription, in the same transaction."""
        with self._tx() as conn:
            conn.execute(
                "UPDATE webhook_deliveries SET status = ?, attempts = ?, http_status = ?,"
                " last_error = ?, next_retry = ?, updated = ? WHERE id = ?",
                (status, attempts, http_status, error, next_retry, time.time(), delivery),
            )
            if advance is not None:
                sid, seq = advance
                conn.execute(
                    "UPDATE webhooks SET since = max(since, ?), last_error = NULL WHERE id = ?",
                    (seq, sid),
                )
            if advance_alerts is not None:
                sid, seq = advance_alerts
                conn.execute(
                    "INSERT INTO webhook_alert_cursor (webhook_id, since) VALUES (?, ?)"
                    " ON CONFLICT (webhook_id) DO UPDATE SET since = max(since, excluded.since)",
                    (sid, seq),
                )
                conn.execute("UPDATE webhooks SET last_error = NULL WHERE id = ?", (sid,))
            if failing is not None:
                conn.execute(
                    "UPDATE webhooks SET status = 'failing', last_error = ? WHERE id = ?",
                    (error, failing),
                )

    def get_delivery(self, did: str) -> Delivery:
        """One delivery by id."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?",  # noqa: S608 - fixed fragments
                (did,),
            ).fetchone()
        if row is None:
            raise NotFound(f"no delivery {did}")
        return _delivery(row)


# -- hosts ----------------------------------------------------------------------------------
def check_host(url: str, *, allow_private: bool, resolve: bool) -> None:
    """Refuse a webhook URL with credentials or a non-public host (:mod:`api.webhook_urls`)."""
    check_webhook_url(url, allow_private=allow_private, resolve=resolve)


def feed_head(store: GraphStore) -> int:
    """The highest seq committed to the change feed (0 when it is empty)."""
    return feed.feed_head(store)


def _change(event: service.ChangeEvent) -> ChangeOut:
    return ChangeOut(
        seq=event.seq,
        kind=event.kind,
        subject_ref=event.subject_uid,
        measure=event.measure,
        list_type=event.list_type,
        listing_uid=event.listing_uid,
        valid_from=event.valid_from,
        valid_until=event.valid_to,
        reason=event.reason,
        at=event.at,
        objection=event.objection_id,
    )


# -- the worker -----------------------------------------------------------------------------
#: The delivery lease lasts this many polls (and at least ``LEASE_MIN_SECONDS``).
LEASE_POLLS = 5
LEASE_MIN_SECONDS = 2.0


class WebhookWorker:
    """Follows the feed and delivers it to every active subscription (background threads).

    One polling thread finds subscriptions with something to send; a small pool sends,
    never two batches of one subscription at a time. Among API processes sharing one
    database, only the holder of the delivery lease sends (the lease lasts
    :data:`LEASE_POLLS` polls, at least :data:`LEASE_MIN_SECONDS`, and is renewed each poll).
    """

    def __init__(self, hooks: WebhookStore, store: GraphStore, settings: Settings) -> None:
        self.hooks = hooks
        self.store = store
        self.settings = settings
        self._client = httpx.Client(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/json"},
        )
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._busy: set[int] = set()
        self._busy_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._closed = False
        self._holder = uuid.uuid4().hex
        self._leased = False

    def start(self) -> None:
        """Start delivering."""
        self._pool = ThreadPoolExecutor(
            self.settings.webhook_workers, thread_name_prefix="credgraph-webhook"
        )
        self._thread = threading.Thread(target=self._run, name="credgraph-webhooks", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the delivery thread is running (not with ``webhook_delivery`` off)."""
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Look for work now rather than at the next poll."""
        self._wake.set()

    def close(self) -> None:
        """Stop delivering (an attempt under way ends within the timeout), close the file."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()
        if self._leased:
            self.hooks.release_lease(self._holder)
        self.hooks.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except StoreError as exc:
                log.warning("webhooks could not read the change feed: %s", exc)
            except Exception:
                log.exception("webhook round failed")
            self._wake.wait(self.settings.webhook_poll_seconds)
            self._wake.clear()

    def run_once(self) -> None:
        """Hand every subscription with something due to the pool."""
        assert self._pool is not None, "start() first"
        if not self.hooks.any_active():
            return  # no feed query while nobody listens
        ttl = max(LEASE_MIN_SECONDS, LEASE_POLLS * self.settings.webhook_poll_seconds)
        self._leased = self.hooks.hold_lease(self._holder, ttl)
        if not self._leased:
            return  # another process delivers
        for sid in self.hooks.due(feed_head(self.store), time.time()):
            with self._busy_lock:
                if sid in self._busy:
                    continue
                self._busy.add(sid)
            self._pool.submit(self._serve, sid)

    def _serve(self, sid: int) -> None:
        try:
            for _ in range(BATCHES_PER_TURN):
                if self._stop.is_set():
                    break
                sent = self.deliver_next(sid)
                sent = self.deliver_alerts_next(sid) or sent
                if not sent:
                    break
        except Exception:
            log.exception("webhook %d: delivery failed", sid)
        finally:
            with self._busy_lock:
                self._busy.discard(sid)

    def deliver_next(self, sid: int) -> bool:
        """Send ``sid`` its open batch (when its retry is due) or its next one.

        Returns True when a batch was delivered (there may be more).
        """
        target = self.hooks.target(sid)
        if target is None:
            return False
        open_ = self.hooks.open_delivery(sid)
        if open_ is not None and open_.next_retry and open_.next_retry.timestamp() > time.time():
            return False
        size = self.settings.webhook_batch_size
        events = service.changes(self.store, target.since, size)
        if open_ is not None:
            # The same events as before: the cursor has not moved since the batch began.
            events = [e for e in events if open_.last_seq is None or e.seq <= open_.last_seq]
        if not events:
            if open_ is not None:
                self.hooks.settle(
                    open_.id,
                    status="failed",
                    attempts=open_.attempts,
                    http_status=None,
                    error="events no longer in the feed",
                )
            return False
        first, last = events[0].seq, events[-1].seq
        did = open_.id if open_ else self.hooks.begin(sid, "changes", first, last, len(events))
        attempts = (open_.attempts if open_ else 0) + 1
        payload = Payload(
            type="changes",
            subscription=sid,
            delivery=did,
            events=[_change(e) for e in events],
            next_since=last,
        )
        http_status, error = self._post(target, did, payload)
        return self._conclude(sid, did, attempts, http_status, error, "changes", last)

    def deliver_alerts_next(self, sid: int) -> bool:
        """Send ``sid`` its open batch of alert events (when its retry is due) or its next
        one; True when a batch was delivered."""
        target = self.hooks.target(sid)
        if target is None:
            return False
        open_ = self.hooks.open_delivery(sid, "alerts")
        if open_ is not None and open_.next_retry and open_.next_retry.timestamp() > time.time():
            return False
        since = self.hooks.alert_cursor(sid)
        events = self.hooks.alert_events(target, since, self.settings.webhook_batch_size)
        if open_ is not None:
            events = [e for e in events if open_.last_seq is None or e.seq <= open_.last_seq]
        if not events:
            return False
        first, last = events[0].seq, events[-1].seq
        did = open_.id if open_ else self.hooks.begin(sid, "alerts", first, last, len(events))
        attempts = (open_.attempts if open_ else 0) + 1
        payload = Payload(
            type="alerts",
            subscription=sid,
            delivery=did,
            events=[],
            alerts=events,
            next_since=last,
        )
        http_status, error = self._post(target, did, payload)
        return self._conclude(sid, did, attempts, http_status, error, "alerts", last)

    def _conclude(
        self,
        sid: int,
        did: str,
        attempts: int,
        http_status: int | None,
        error: str | None,
        kind: DeliveryKind,
        last: int,
    ) -> bool:
        """Settle an attempt: move the cursor of ``kind`` on success, else schedule a retry
        or, after the last, mark the subscription failing. True when delivered."""
        if error is None:
            self.hooks.settle(
                did,
                status="delivered",
                attempts=attempts,
                http_status=http_status,
                error=None,
                advance=(sid, last) if kind == "changes" else None,
                advance_alerts=(sid, last) if kind == "alerts" else None,
            )
            return True
        if attempts >= self.settings.webhook_max_attempts:
            log.warning("webhook %d failing after %d attempts: %s", sid, attempts, error)
            self.hooks.settle(
                did,
                status="failed",
                attempts=attempts,
                http_status=http_status,
                error=error,
                failing=sid,
            )
            return False
        wait = min(
            self.settings.webhook_retry_base_seconds * 2 ** (attempts - 1),
            self.settings.webhook_retry_max_seconds,
        )
        self.hooks.settle(
            did,
            status="retrying",
            attempts=attempts,
            http_status=http_status,
            error=error,
            next_retry=time.time() + wait,
        )
        return False

    def ping(self, key_id: str, sid: int) -> Delivery:
        """Send one signed ping now (no retry; the cursor and status are untouched)."""
        sub = self.hooks.get(key_id, sid)
        target = self.hooks.target(sid, active_only=False)
        assert target is not None, "the owner's key is live"
        did = self.hooks.begin(sid, "ping", None, None, 0)
        http_status: int | None = None
        error: str | None = "delivery is turned off on this server"
        if self.settings.webhook_delivery:
            payload = Payload(
                type="ping", subscription=sid, delivery=did, events=[], next_since=sub.since
            )
            http_status, error = self._post(target, did, payload)
        self.hooks.settle(
            did,
            status="failed" if error else "delivered",
            attempts=1,
            http_status=http_status,
            error=error,
        )
        return self.hooks.get_delivery(did)

    def _post(self, target: _Target, did: str, payload: Payload) -> tuple[int | None, str | None]:
        """One signed POST: (HTTP status, None) on 2xx, else (status or None, error)."""
        body = payload.model_dump_json().encode()
        headers = {
            SIGNATURE_HEADER: sign(target.secret, body, int(time.time())),
            DELIVERY_HEADER: did,
            SEQ_HEADER: str(payload.next_since),
        }
        try:
            check_host(
                target.url, allow_private=self.settings.webhook_allow_private_hosts, resolve=True
            )
            with self._client.stream("POST", target.url, content=body, headers=headers) as resp:
                status = resp.status_code
        except InvalidInput as exc:
            return None, f"refused: {exc.reason}"
        except Exception as exc:  # noqa: BLE001 - any failure to send is a failed attempt
            return None, f"{type(exc).__name__}: {exc}"[:300]
        if 200 <= status < 300:
            return status, None
        return status, f"HTTP {status}"
