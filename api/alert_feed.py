"""Alerts as a feed: every alert made, acknowledged, assigned, closed or reopened is an
event with a sequence number, read by its owner (``GET /v1/alerts/events``) or pushed to
the owner's webhooks (a delivery of ``type: "alerts"``, signed like the change feed).

The events live in the API's SQLite file beside the alerts; an event is written in the
same transaction as the alert change it records, so the feed misses nothing and repeats
nothing. Each event carries the alert as it was then (status, assignee, note) and is
shown as the alert is shown to its owner: an officer sees the path, a platform only the
status level (which watched entity, which list type and measure, how many hops away).

This module is the base of the alert modules (no imports from them): the stored
:class:`Alert`, the events' table and reader, and the JSON models both the router and the
webhook worker send.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ALERT_COLUMNS",
    "EVENTS_SCHEMA",
    "Alert",
    "AlertEventKind",
    "AlertEventOut",
    "AlertOut",
    "alert_from_row",
    "alert_head",
    "alert_out",
    "read_events",
    "write_event",
]

AlertEventKind = Literal["created", "acknowledged", "assigned", "closed", "reopened"]

EVENTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id TEXT NOT NULL,
    alert_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT,
    note TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_events_key ON alert_events (key_id, seq);
"""

ALERT_COLUMNS = (
    "id, watch_id, key_id, seq, kind, watched, subject, listing_uid, list_type, measure, "
    "rule_id, path, rel_types, distance, severity, status, assignee, note, created, updated"
)


@dataclass(frozen=True)
class Alert:
    """One alert as stored."""

    id: int
    watch_id: int
    key_id: str
    seq: int
    kind: str
    watched: str
    subject: str
    listing_uid: str
    list_type: str
    measure: str
    rule_id: str
    path: tuple[str, ...]
    rel_types: tuple[str, ...]
    distance: int
    severity: str
    status: str
    assignee: str | None
    note: str | None
    created: str
    updated: str


def alert_from_row(row: Sequence[object]) -> Alert:
    """An :class:`Alert` from a row of :data:`ALERT_COLUMNS`."""
    return Alert(
        id=int(str(row[0])),
        watch_id=int(str(row[1])),
        key_id=str(row[2]),
        seq=int(str(row[3])),
        kind=str(row[4]),
        watched=str(row[5]),
        subject=str(row[6]),
        listing_uid=str(row[7]),
        list_type=str(row[8]),
        measure=str(row[9]),
        rule_id=str(row[10]),
        path=tuple(json.loads(str(row[11]))),
        rel_types=tuple(json.loads(str(row[12]))),
        distance=int(str(row[13])),
        severity=str(row[14]),
        status=str(row[15]),
        assignee=None if row[16] is None else str(row[16]),
        note=None if row[17] is None else str(row[17]),
        created=str(row[18]),
        updated=str(row[19]),
    )


class AlertOut(BaseModel):
    """An alert; ``subject``, ``listing_uid``, ``rule_id`` and the path go to officers only."""

    id: int
    watch_id: int
    watched: str
    kind: str = Field(description="listing (the entity was listed) or restriction (derived)")
    list_type: str
    measure: str
    distance: int = Field(description="hops between the changed and the watched entity")
    severity: str
    status: str
    assignee: str | None = None
    note: str | None = None
    created: str
    updated: str
    subject: str | None = None
    listing_uid: str | None = None
    rule_id: str | None = None
    path: list[str] | None = None
    rel_types: list[str] | None = None


class AlertEventOut(BaseModel):
    """One event of the alert feed: what happened to an alert, and the alert as it was."""

    model_config = ConfigDict(frozen=True)

    seq: int = Field(description="pass the last one seen as since")
    event: AlertEventKind
    at: str
    alert: AlertOut


def alert_out(alert: Alert, *, officer: bool) -> AlertOut:
    """The alert as its owner sees it: the path only for an officer."""
    out = AlertOut(
        id=alert.id,
        watch_id=alert.watch_id,
        watched=alert.watched,
        kind=alert.kind,
        list_type=alert.list_type,
        measure=alert.measure,
        distance=alert.distance,
        severity=alert.severity,
        status=alert.status,
        assignee=alert.assignee,
        note=alert.note,
        created=alert.created,
        updated=alert.updated,
    )
    if officer:
        out = out.model_copy(
            update={
                "subject": alert.subject,
                "listing_uid": alert.listing_uid,
                "rule_id": alert.rule_id,
                "path": list(alert.path),
                "rel_types": list(alert.rel_types),
            }
        )
    return out


def write_event(conn: sqlite3.Connection, alert: Alert, event: AlertEventKind, at: str) -> None:
    """Record ``event`` of ``alert`` (call inside the transaction that changed the alert)."""
    conn.execute(
        "INSERT INTO alert_events (key_id, alert_id, event, status, assignee, note, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (alert.key_id, alert.id, event, alert.status, alert.assignee, alert.note, at),
    )


def alert_head(conn: sqlite3.Connection, key_id: str) -> int:
    """The last event seq of ``key_id``'s alerts (0 when there is none)."""
    row = conn.execute("SELECT MAX(seq) FROM alert_events WHERE key_id = ?", (key_id,)).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def read_events(
    conn: sqlite3.Connection, key_id: str, since: int, limit: int, *, officer: bool
) -> list[AlertEventOut]:
    """``key_id``'s alert events after ``since``, oldest first, each with the alert as it
    was at the event."""
    columns = ", ".join(f"a.{c.strip()}" for c in ALERT_COLUMNS.split(","))
    rows = conn.execute(
        f"SELECT e.seq, e.event, e.at, e.status, e.assignee, e.note, {columns}"  # noqa: S608 - fixed fragments
        " FROM alert_events e JOIN alerts a ON a.id = e.alert_id"
        " WHERE e.key_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?",
        (key_id, since, limit),
    ).fetchall()
    out = []
    for row in rows:
        seq, event, at, status, assignee, note = row[:6]
        alert = replace(
            alert_from_row(row[6:]),
            status=str(status),
            assignee=None if assignee is None else str(assignee),
            note=None if note is None else str(note),
            updated=str(at),
        )
        out.append(
            AlertEventOut(
                seq=int(seq),
                event=event,
                at=str(at),
                alert=alert_out(alert, officer=officer),
            )
        )
    return out
