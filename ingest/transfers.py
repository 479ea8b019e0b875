"""Case transfers (案件移送) between bureaus, tracked on both sides.

A case (a violation, with the digests of its evidence) is sent in an exchange packet to
another region's authority (:func:`ingest.exchange.export_packet` with ``transfers``). The
sender records it as ``sent``; the receiver, importing the packet, as ``received``; the
receiver answers with a reply packet saying ``accepted`` or ``returned`` (with a reason),
and the sender, importing the reply, records that. Each side keeps its log in a SQLite
file beside its data (``transfers.sqlite3``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.errors import InvalidInput, NotFound

__all__ = ["STATUSES", "TransferLog", "TransferRow"]

STATUSES = ("sent", "received", "accepted", "returned")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS transfers (
    case_uid TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    counterpart TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    evidence TEXT NOT NULL,
    packet_id TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (case_uid, direction, counterpart)
);
"""


@dataclass(frozen=True)
class TransferRow:
    """One case's transfer as this side knows it."""

    case_uid: str
    direction: str
    counterpart: str
    status: str
    reason: str | None
    evidence: tuple[str, ...]
    packet_id: str
    updated: str


class TransferLog:
    """The transfer log in ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the file."""
        self._conn.close()

    def __enter__(self) -> TransferLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(
        self,
        case_uid: str,
        direction: str,
        counterpart: str,
        status: str,
        packet_id: str,
        *,
        evidence: tuple[str, ...] = (),
        reason: str | None = None,
    ) -> TransferRow:
        """Set a case's status for one counterpart (a later status replaces an earlier)."""
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._conn.execute(
            "INSERT INTO transfers VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
            " (case_uid, direction, counterpart) DO UPDATE SET status = excluded.status,"
            " reason = excluded.reason, packet_id = excluded.packet_id,"
            " evidence = CASE WHEN excluded.evidence = '[]' THEN transfers.evidence"
            " ELSE excluded.evidence END, updated = excluded.updated",
            (
                case_uid,
                direction,
                counterpart,
                status,
                reason,
                json.dumps(list(evidence)),
                packet_id,
                now,
            ),
        )
        return self.get(case_uid, direction, counterpart)

    def get(self, case_uid: str, direction: str, counterpart: str) -> TransferRow:
        """One transfer; NotFound when this side never sent or received it."""
        row = self._conn.execute(
            "SELECT * FROM transfers WHERE case_uid = ? AND direction = ? AND counterpart = ?",
            (case_uid, direction, counterpart),
        ).fetchone()
        if row is None:
            raise NotFound(f"no {direction} transfer of {case_uid} with {counterpart}")
        return _row(row)

    def all(self) -> list[TransferRow]:
        """Every transfer, latest change first."""
        rows = self._conn.execute("SELECT * FROM transfers ORDER BY updated DESC, case_uid")
        return [_row(r) for r in rows]


def _row(row: tuple[object, ...]) -> TransferRow:
    return TransferRow(
        case_uid=str(row[0]),
        direction=str(row[1]),
        counterpart=str(row[2]),
        status=str(row[3]),
        reason=None if row[4] is None else str(row[4]),
        evidence=tuple(json.loads(str(row[5]))),
        packet_id=str(row[6]),
        updated=str(row[7]),
    )
