"""Watches and alerts in the API's SQLite file, and the worker that follows the feed.

A key (an officer's or a platform's) watches entities, and an officer also a region or a
list type (:class:`algorithms.alerts.core.Watch`). The worker reads the restriction change
feed after its cursor (:func:`algorithms.alerts.service.scan`), and for every watch a
change reaches records one alert per (watch, listing): repeated changes of one listing (a
restriction derived onto several entities near the watched one) do not repeat the alert.
Alerts and the cursor move in one SQLite transaction, so a crash repeats nothing and loses
nothing. An alert is ``open`` until its owner acknowledges, assigns (officers) or closes it. Each
new alert and each change of status is also an event of the alert feed
(:mod:`api.alert_feed`), written in the same transaction, which webhooks deliver.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from algorithms.alerts.core import DEFAULT_WATCH_RELS, Reach, Watch, severity
from algorithms.alerts.service import WatchIndex, scan
from api.alert_feed import (
    ALERT_COLUMNS,
    EVENTS_SCHEMA,
    Alert,
    AlertEventKind,
    AlertEventOut,
    alert_from_row,
    alert_head,
    read_events,
    write_event,
)
from api.security import connect
from api.webhooks import feed_head
from graph.errors import InvalidInput, NotFound, StoreError
from graph.store import GraphStore

__all__ = ["ALERT_STATUSES", "Alert", "AlertStore", "AlertWorker"]

log = logging.getLogger("credgraph.alerts")

ALERT_STATUSES = ("open", "acknowledged", "assigned", "closed")
_EVENT_OF_STATUS: dict[str, AlertEventKind] = {
    "open": "reopened",
    "acknowledged": "acknowledged",
    "assigned": "assigned",
    "closed": "closed",
}
#: Watches one key may hold.
MAX_WATCHES_PER_KEY = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watches (
    id INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    hops INTEGER NOT NULL,
    rel_types TEXT NOT NULL,
    created TEXT NOT NULL,
    UNIQUE (key_id, kind, target)
);
CREATE INDEX IF NOT EXISTS watches_target ON watches (target);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    watch_id INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    watched TEXT NOT NULL,
    subject TEXT NOT NULL,
    listing_uid TEXT NOT NULL,
    list_type TEXT NOT NULL,
    measure TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    path TEXT NOT NULL,
    rel_types TEXT NOT NULL,
    distance INTEGER NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    assignee TEXT,
    note TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (watch_id, listing_uid)
);
CREATE INDEX IF NOT EXISTS alerts_key ON alerts (key_id, id);
CREATE TABLE IF NOT EXISTS alert_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER);
CREATE TABLE IF NOT EXISTS watch_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _bump(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO watch_version (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1"
    )


def _watch(row: Sequence[object]) -> Watch:
    return Watch(
        id=int(str(row[0])),
        key_id=str(row[1]),
        kind=str(row[2]),
        target=str(row[3]),
        hops=int(str(row[4])),
        rel_types=tuple(str(row[5]).split(",")) if row[5] else (),
    )


class AlertStore:
    """Watches, alerts and the feed cursor in the API's SQLite file."""

    def __init__(self, path: Path) -> None:
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        self._conn.executescript(EVENTS_SCHEMA)
        self._lock = threading.Lock()
        # The scanner's index of the watches, rebuilt when their version moves (a watch
        # added or removed by any process sharing the file bumps it).
        self._index: tuple[int, WatchIndex] | None = None

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

    # -- watches -------------------------------------------------------------------------
    def watch(
        self,
        key_id: str,
        kind: str,
        target: str,
        hops: int = 2,
        rel_types: Sequence[str] = DEFAULT_WATCH_RELS,
    ) -> Watch:
        """Add a watch (or return the key's existing one for the same target)."""
        if kind not in ("entity", "region", "list_type"):
            raise InvalidInput("kind must be entity, region or list_type", field="kind")
        if not 1 <= hops <= 4:
            raise InvalidInput("hops must be between 1 and 4", field="hops")
        if not target.strip():
            raise InvalidInput("a watch needs a target", field="target")
        with self._tx() as conn:
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM watches WHERE key_id = ?", (key_id,)
            ).fetchone()
            if count >= MAX_WATCHES_PER_KEY:
                raise InvalidInput(
                    f"a key may hold at most {MAX_WATCHES_PER_KEY} watches", field="target"
                )
            added = conn.execute(
                "INSERT OR IGNORE INTO watches (key_id, kind, target, hops, rel_types, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key_id, kind, target, hops, ",".join(sorted(set(rel_types))), _now()),
            ).rowcount
            if added:
                _bump(conn)
            row = conn.execute(
                "SELECT id, key_id, kind, target, hops, rel_types FROM watches"
                " WHERE key_id = ? AND kind = ? AND target = ?",
                (key_id, kind, target),
            ).fetchone()
        return _watch(row)

    def watches(self, key_id: str | None = None) -> list[Watch]:
        """Every watch (of one key), oldest first."""
        sql = "SELECT id, key_id, kind, target, hops, rel_types FROM watches"
        args: tuple[str, ...] = ()
        if key_id is not None:
            sql, args = sql + " WHERE key_id = ?", (key_id,)
        with self._lock:
            return [_watch(r) for r in self._conn.execute(sql + " ORDER BY id", args)]

    def unwatch(self, key_id: str, watch_id: int) -> None:
        """Remove a key's watch (its alerts stay)."""
        with self._tx() as conn:
            gone = conn.execute(
                "DELETE FROM watches WHERE id = ? AND key_id = ?", (watch_id, key_id)
            ).rowcount
            if gone:
                _bump(conn)
        if not gone:
            raise NotFound(f"no watch {watch_id}")

    def watch_index(self) -> WatchIndex:
        """Every watch, indexed for the scanner (read again only when watches changed)."""
        with self._lock:
            row = self._conn.execute("SELECT n FROM watch_version WHERE id = 1").fetchone()
        version = int(row[0]) if row else 0
        if self._index is None or self._index[0] != version:
            self._index = (version, WatchIndex.of(self.watches()))
        return self._index[1]

    # -- alerts --------------------------------------------------------------------------
    def cursor(self) -> int:
        """The last feed seq scanned (0 before the first scan)."""
        with self._lock:
            row = self._conn.execute("SELECT seq FROM alert_cursor WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def record(self, reaches: Sequence[Reach], next_seq: int) -> int:
        """Store the alerts (one per watch and listing) and move the cursor, atomically;
        returns how many alerts are new."""
        now = _now()
        new = 0
        with self._tx() as conn:
            for r in reaches:
                inserted = conn.execute(
                    f"INSERT OR IGNORE INTO alerts ({ALERT_COLUMNS.removeprefix('id, ')})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, NULL, ?, ?)",
                    (
                        r.watch.id,
                        r.watch.key_id,
                        r.change.seq,
                        r.change.kind,
                        r.watch.target if r.watch.kind == "entity" else r.change.subject,
                        r.change.subject,
                        r.change.listing_uid,
                        r.change.list_type,
                        r.change.measure,
                        r.change.rule_id,
                        json.dumps(list(r.path)),
                        json.dumps(list(r.rel_types)),
                        r.distance,
                        severity(r),
                        now,
                        now,
                    ),
                )
                if inserted.rowcount:
                    new += 1
                    row = conn.execute(
                        f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?", (inserted.lastrowid,)
                    ).fetchone()
                    write_event(conn, alert_from_row(row), "created", now)
            conn.execute(
                "INSERT INTO alert_cursor (id, seq) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq",
                (next_seq,),
            )
        return new

    def alerts(
        self, key_id: str, *, status: str | None = None, before: int | None = None, limit: int = 50
    ) -> list[Alert]:
        """A key's alerts, newest first, paged by id (``before`` is the last id seen)."""
        sql = f"SELECT {ALERT_COLUMNS} FROM alerts WHERE key_id = ?"
        args: list[object] = [key_id]
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        if before is not None:
            sql += " AND id < ?"
            args.append(before)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            return [alert_from_row(r) for r in self._conn.execute(sql, args)]

    def update(
        self,
        key_id: str,
        alert_id: int,
        status: str,
        *,
        assignee: str | None = None,
        note: str | None = None,
    ) -> Alert:
        """Acknowledge, assign or close one of a key's alerts."""
        if status not in ALERT_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(ALERT_STATUSES)}", field="status")
        if status == "assigned" and not assignee:
            raise InvalidInput("an assigned alert needs an assignee", field="assignee")
        now = _now()
        with self._tx() as conn:
            changed = conn.execute(
                "UPDATE alerts SET status = ?, assignee = COALESCE(?, assignee),"
                " note = COALESCE(?, note), updated = ? WHERE id = ? AND key_id = ?",
                (status, assignee, note, now, alert_id, key_id),
            ).rowcount
            if not changed:
                raise NotFound(f"no alert {alert_id}")
            row = conn.execute(
                f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)
            ).fetchone()
            alert = alert_from_row(row)
            write_event(conn, alert, _EVENT_OF_STATUS[status], now)
        return alert

    def overview_rows(self, until: str) -> list[tuple[str, str]]:
        """(changed entity, month made) of every alert made on or before ``until``
        (``YYYY-MM-DD``), for the regional overview."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT subject, substr(created, 1, 7) FROM alerts"
                " WHERE substr(created, 1, 10) <= ? ORDER BY id",
                (until,),
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def events(
        self, key_id: str, since: int = 0, limit: int = 100, *, officer: bool
    ) -> list[AlertEventOut]:
        """``key_id``'s alert events after ``since``, oldest first (see
        :mod:`api.alert_feed`); ``officer`` shows the paths."""
        with self._lock:
            return read_events(self._conn, key_id, since, limit, officer=officer)

    def head(self, key_id: str) -> int:
        """The last alert event seq of ``key_id`` (0 when there is none)."""
        with self._lock:
            return alert_head(self._conn, key_id)

    def scan_once(self, store: GraphStore, *, limit: int = 500) -> tuple[int, int]:
        """Scan up to ``limit`` feed events after the cursor; returns (events read, new
        alerts)."""
        watches = self.watch_index()
        if not watches:
            # Nobody watches: move the cursor to the feed's head without reading it, so a
            # watch made later sees the changes after it (and no query runs meanwhile).
            head = feed_head(store)
            if head != self.cursor():
                self.record((), head)
            return 0, 0
        result = scan(store, watches, self.cursor(), limit=limit)
        if result.events == 0:
            return 0, 0
        if result.truncated:
            log.warning("alerts: the neighbourhood read was cut at the node limit")
        return result.events, self.record(result.reaches, result.next_seq)

    def scan_all(self, store: GraphStore, *, limit: int = 500) -> int:
        """Scan the feed to its end; returns the number of new alerts."""
        new = 0
        while True:
            events, found = self.scan_once(store, limit=limit)
            new += found
            if events < limit:
                return new


class AlertWorker:
    """Scans the feed every ``poll_seconds`` in a background thread until closed."""

    def __init__(
        self,
        alerts: AlertStore,
        store: GraphStore,
        poll_seconds: float,
        on_new: Callable[[], None] | None = None,
    ) -> None:
        self.alerts = alerts
        self.store = store
        self.poll_seconds = poll_seconds
        self.on_new = on_new  # told when a scan made alerts (the webhooks deliver them)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start scanning."""
        self._thread = threading.Thread(target=self._run, name="credgraph-alerts", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.alerts.scan_all(self.store) and self.on_new is not None:
                    self.on_new()
            except StoreError as exc:
                log.warning("alerts could not read the change feed: %s", exc)
            except Exception:
                log.exception("alert scan failed")
            self._stop.wait(self.poll_seconds)

    def close(self) -> None:
        """Stop scanning (the store is closed by its owner)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
