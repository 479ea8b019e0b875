"""What the decision points call: one builder per kind of decision, and :func:`record`.

Commands and routers call these right after a decision has been written to the graph (or
the key file), with what the decision said and what it caused (feed sequence numbers,
restrictions imposed and lifted). The log is separate from the graph store, so the two are
not one transaction: a decision whose entry could not be written is reported as an error
to the person who made it, never silently dropped.

The rules a decision was propagated under are part of it: :func:`record` puts a
``rules.changed`` entry (the file's SHA-256) first whenever the rules file in use differs
from the one the log last saw, so a later edit of the rules file is itself on record.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from api.ledger.evidence import StoredFile
from api.ledger.log import Decision, DecisionLog, Entry, Kind, file_sha256
from api.security import ApiKey

__all__ = [
    "api_actor",
    "case_moved",
    "cli_actor",
    "evidence_added",
    "exchange_imported",
    "key_created",
    "key_revoked",
    "listing_added",
    "listing_removed",
    "objection_decided",
    "record",
    "report_decided",
    "ring_reviewed",
    "rules_change",
    "shell_reviewed",
]


def cli_actor(officer: str | None = None) -> dict[str, Any]:
    """Who decided at the command line: the officer named, and the system user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return {"via": "cli", "user": user, "officer": officer}


def api_actor(key: ApiKey) -> dict[str, Any]:
    """Who decided through the API: the key's id, name and scope."""
    return {"via": "api", "key_id": key.key_id, "name": key.name, "scope": key.scope.value}


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _feed(report: Any) -> dict[str, Any]:
    """The propagation report's counts and the change-feed numbers it wrote."""
    if report is None:
        return {}
    keys = ("imposed", "lifted", "amended", "first_seq", "last_seq")
    return {k: getattr(report, k, None) for k in keys}


def listing_added(
    actor: Mapping[str, Any],
    *,
    listing_uid: str,
    subject_uid: str,
    list_type: str,
    decided: date,
    expires: date | None,
    legal_basis: str | None,
    authority: str | None,
    region: str | None,
    report: Any = None,
) -> Decision:
    """A subject put on a list."""
    return Decision(
        Kind.LISTING_ADDED,
        actor,
        listing_uid,
        {
            "subject_uid": subject_uid,
            "list_type": list_type,
            "decided": _day(decided),
            "expires": _day(expires),
            "legal_basis": legal_basis,
            "authority": authority,
            "region": region,
            **_feed(report),
        },
    )


def listing_removed(
    actor: Mapping[str, Any], listing_uid: str, on: date, reason: str, report: Any = None
) -> Decision:
    """A listing taken off (``repaired``: credit repair)."""
    kind = Kind.LISTING_REPAIRED if reason == "repaired" else Kind.LISTING_REMOVED
    return Decision(
        kind, actor, listing_uid, {"on": on.isoformat(), "reason": reason, **_feed(report)}
    )


def ring_reviewed(
    actor: Mapping[str, Any],
    result: Any,
    *,
    confirmed: bool,
    reason: str,
    decided: date | None = None,
    case_no: str | None = None,
) -> Decision:
    """A brushing ring confirmed (violation, listings) or dismissed."""
    data: dict[str, Any] = {"reason": reason}
    if confirmed:
        data.update(
            {
                "decided": _day(decided),
                "case_no": case_no,
                "violation_uid": result.violation_uid,
                "penalised": list(result.penalised),
                "listings": list(result.listings),
                "restrictions": len(result.restrictions),
            }
        )
    kind = Kind.RING_CONFIRMED if confirmed else Kind.RING_DISMISSED
    return Decision(kind, actor, str(result.ring.uid), data)


def shell_reviewed(
    actor: Mapping[str, Any], cluster_uid: str, decision: str, reason: str
) -> Decision:
    """A shell cluster confirmed or dismissed."""
    kind = Kind.SHELL_CONFIRMED if str(decision) == "confirm" else Kind.SHELL_DISMISSED
    return Decision(kind, actor, cluster_uid, {"reason": reason})


def report_decided(actor: Mapping[str, Any], out: Any) -> Decision:
    """An infringement report's status changed (the counter-notice by its digest)."""
    import hashlib

    notice = out.counter_notice
    return Decision(
        Kind.REPORT_DECIDED,
        actor,
        str(out.uid),
        {
            "status": out.status,
            "reason": out.decision_reason,
            "decided": _day(out.decided),
            "decided_by": out.decided_by,
            "counter_notice_sha256": (
                None if notice is None else hashlib.sha256(notice.encode()).hexdigest()
            ),
        },
    )


def key_created(actor: Mapping[str, Any], key: ApiKey) -> Decision:
    """An API key made (never the token: its id, holder and scope)."""
    return Decision(
        Kind.KEY_CREATED,
        actor,
        f"key:{key.key_id}",
        {
            "name": key.name,
            "scope": key.scope.value,
            "brands": list(key.brands),
            "rate": str(key.rate),
            "burst": key.burst,
        },
    )


def key_revoked(actor: Mapping[str, Any], key: ApiKey) -> Decision:
    """An API key revoked."""
    return Decision(
        Kind.KEY_REVOKED, actor, f"key:{key.key_id}", {"name": key.name, "revoked": key.revoked}
    )


def evidence_added(
    actor: Mapping[str, Any],
    target: str,
    stored: StoredFile,
    *,
    filename: str | None,
    media_type: str | None,
    note: str | None = None,
) -> Decision:
    """A file attached to a violation or report, by its digest."""
    return Decision(
        Kind.EVIDENCE_ADDED,
        actor,
        target,
        {
            "sha256": stored.sha256,
            "size": stored.size,
            "filename": filename,
            "media_type": media_type,
            "note": note,
        },
    )


def exchange_imported(
    actor: Mapping[str, Any], report: Any, manifest: Path, restrictions: Any = None
) -> Decision:
    """A packet from another bureau loaded: its listings now propagate here. The manifest's
    SHA-256 binds the entry to the exact signed packet."""
    return Decision(
        Kind.EXCHANGE_IMPORTED,
        actor,
        f"packet:{report.packet_id}",
        {
            "manifest_sha256": file_sha256(manifest),
            "listings": list(report.listings),
            "created": dict(sorted(report.created.items())),
            "conflicts": len(report.conflicts),
            **_feed(restrictions),
        },
    )


def case_moved(actor: Mapping[str, Any], move: Any, packet_id: str) -> Decision:
    """A case sent to another authority (案件移送), or one received accepted or returned."""
    kind = Kind.CASE_TRANSFERRED if move.status == "sent" else Kind.CASE_ANSWERED
    return Decision(
        kind,
        actor,
        str(move.case),
        {
            "status": move.status,
            "from_authority": move.from_authority,
            "to_authority": move.to_authority,
            "reason": move.reason,
            "evidence_sha256": list(move.evidence_sha256),
            "packet_id": packet_id,
        },
    )


def objection_decided(actor: Mapping[str, Any], objection: Any, report: Any = None) -> Decision:
    """An objection (异议) decided: outcome, officer, written reason, and what it lifted."""
    return Decision(
        Kind.OBJECTION_DECIDED,
        actor,
        f"objection:{objection.id}",
        {
            "target_kind": objection.target_kind,
            "target": objection.target,
            "outcome": objection.status,
            "decided": objection.decided,
            "decided_by": objection.decided_by,
            "reason": objection.reason,
            "scope": objection.scope,
            "scope_value": objection.scope_value,
            **_feed(report),
        },
    )


def rules_change(log: DecisionLog, actor: Mapping[str, Any], path: Path) -> Decision | None:
    """A ``rules.changed`` decision when ``path``'s digest is not the one last logged."""
    digest = file_sha256(path)
    last = log.last(Kind.RULES_CHANGED)
    if last is not None and last.body["data"].get("sha256") == digest:
        return None
    return Decision(Kind.RULES_CHANGED, actor, "rules", {"file": path.name, "sha256": digest})


def record(
    log: DecisionLog, *decisions: Decision, rules: Path | None | bool = False
) -> list[Entry]:
    """Append ``decisions`` (one batch, one signed head).

    ``rules``: the rules file the decision propagated under (``None``: the shipped
    default; ``False``: no rules involved); a changed file is logged first.
    """
    batch: Sequence[Decision] = decisions
    if rules is not False and decisions:
        from algorithms.propagation.rules import DEFAULT_RULES_PATH

        path = DEFAULT_RULES_PATH if rules is None or rules is True else rules
        change = rules_change(log, decisions[0].actor, path)
        if change is not None:
            batch = (change, *decisions)
    return log.append(*batch)
