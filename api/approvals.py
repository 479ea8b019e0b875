"""The two-person rule: large actions wait, in the API's SQLite file, for a second officer.

An action that imposes restrictions (a ring confirmed, a listing added) is first previewed
(:mod:`algorithms.propagation.proportion`). When it would restrict more subjects than the
threshold that applies, it is not applied: it is stored here as a pending approval with the
requesting officer and their written reason. A second, different officer approves it (with
their reason), which applies it, or rejects it, which applies nothing; the requesting
officer may withdraw it (a rejection by themselves). The same officer approving is refused.

Why the API's SQLite file: like objections (:mod:`api.objections`), an approval is a
workflow record about a decision, not a fact about the market. What it changes in the
graph goes through the usual durable paths (:func:`algorithms.propagation.decisions.atomically`):
the graph write is one store transaction, so an approval either applied wholly or not at
all; only after it has, the approval is marked approved. Every step is a decision-log entry
(``approval.requested``, ``approval.approved`` followed by the decision it applied,
``approval.rejected``), built here and appended by the caller (API or CLI).

The actions, shared by the API, the CLI and the console:

========================  ===========================================  =====================
action                    what it writes                                preview
========================  ===========================================  =====================
``ring.confirm``          violation, listings (boosted stores, or        listings per reach
                          their operators), ring confirmed
``listing.add``           one listing and what its rules derive          the listing
``shell.confirm``         the cluster's review (no measure)              nothing imposed
========================  ===========================================  =====================
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from algorithms.brushing import service as rings
from algorithms.propagation import decisions
from algorithms.propagation.engine import Listing
from algorithms.propagation.proportion import (
    ActionPreview,
    empty_preview,
    note,
    preview_listings,
)
from algorithms.propagation.rules import RuleSet, default_rules, load_rules
from algorithms.shells import service as shells
from api.ledger import record as rec
from api.ledger.log import Decision, Kind
from api.security import connect
from graph.errors import InvalidInput, NotFound
from graph.store import GraphStore

__all__ = [
    "ACTIONS",
    "STATES",
    "Approval",
    "ApprovalStore",
    "apply_action",
    "approval_decision",
    "approve",
    "reject",
    "listing_add_preview",
    "listing_payload",
    "ring_confirm_payload",
    "ring_confirm_preview",
    "shell_confirm_preview",
]

Action = Literal["ring.confirm", "listing.add"]
ACTIONS: tuple[str, ...] = ("ring.confirm", "listing.add")
STATES: tuple[str, ...] = ("pending", "approved", "rejected")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    subjects INTEGER NOT NULL,
    restrictions INTEGER NOT NULL,
    threshold INTEGER NOT NULL,
    preview TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    request_reason TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT,
    decision_reason TEXT,
    decided_at TEXT
);
CREATE INDEX IF NOT EXISTS approvals_status ON approvals (status, id);
"""

_COLUMNS = (
    "id, action, target, payload, subjects, restrictions, threshold, preview, requested_by, "
    "request_reason, requested_at, status, decided_by, decision_reason, decided_at"
)


@dataclass(frozen=True)
class Approval:
    """One action waiting for (or decided by) a second officer."""

    id: int
    action: str
    target: str
    payload: str
    subjects: int
    restrictions: int
    threshold: int
    preview: str
    requested_by: str
    request_reason: str
    requested_at: str
    status: str
    decided_by: str | None
    decision_reason: str | None
    decided_at: str | None

    @property
    def params(self) -> dict[str, Any]:
        """The action's parameters, as requested."""
        out: dict[str, Any] = json.loads(self.payload)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything but the raw payload; the preview as data."""
        data = asdict(self)
        data.pop("payload")
        data["preview"] = json.loads(self.preview)
        return data


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat()


class ApprovalStore:
    """Pending and decided approvals in the API's SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def request(
        self,
        action: str,
        target: str,
        payload: Mapping[str, Any],
        preview: ActionPreview,
        *,
        officer: str,
        reason: str,
    ) -> Approval:
        """Store an action that needs a second officer, with the first officer's reason."""
        if action not in ACTIONS:
            raise InvalidInput(f"action must be one of {', '.join(ACTIONS)}", field="action")
        if not officer.strip():
            raise InvalidInput("the requesting officer is not named", field="officer")
        if not reason.strip():
            raise InvalidInput("a request for approval needs a written reason", field="reason")
        with self._lock:
            pending = self._conn.execute(
                "SELECT id FROM approvals WHERE target = ? AND status = 'pending'", (target,)
            ).fetchone()
            if pending is not None:
                raise InvalidInput(
                    f"{target} already waits for approval {pending[0]}", field="target"
                )
            cur = self._conn.execute(
                "INSERT INTO approvals (action, target, payload, subjects, restrictions, "
                "threshold, preview, requested_by, request_reason, requested_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    action,
                    target,
                    json.dumps(dict(payload), ensure_ascii=False, default=str),
                    preview.subjects,
                    preview.restrictions,
                    preview.limit.threshold,
                    preview.model_dump_json(),
                    officer.strip(),
                    reason.strip(),
                    _now(),
                ),
            )
            new_id = int(cur.lastrowid or 0)
        return self.get(new_id)

    def get(self, approval_id: int) -> Approval:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM approvals WHERE id = ?", (approval_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"approval {approval_id} not found")
        return Approval(*row)

    def find(self, *, status: str | None = "pending", limit: int = 100) -> list[Approval]:
        """Approvals, oldest first (pending ones by default)."""
        if status is not None and status not in STATES:
            raise InvalidInput(f"status must be one of {', '.join(STATES)}", field="status")
        clause, args = ("WHERE status = ?", [status]) if status else ("", [])
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM approvals {clause} ORDER BY id LIMIT ?", (*args, limit)
        ).fetchall()
        return [Approval(*r) for r in rows]

    def check(self, approval_id: int, officer: str, reason: str, *, approving: bool) -> Approval:
        """The pending approval, if ``officer`` may decide it now (raises otherwise)."""
        if not officer.strip():
            raise InvalidInput("the deciding officer is not named", field="officer")
        if not reason.strip():
            raise InvalidInput("an approval decision needs a written reason", field="reason")
        current = self.get(approval_id)
        if current.status != "pending":
            raise InvalidInput(
                f"approval {approval_id} was already decided ({current.status})", field="status"
            )
        if approving and current.requested_by == officer.strip():
            raise InvalidInput(
                f"approval {approval_id} was requested by {current.requested_by}: a second, "
                "different officer must approve it",
                field="officer",
            )
        return current

    def decide(self, approval_id: int, status: str, officer: str, reason: str) -> Approval:
        """Mark a pending approval approved or rejected (after :meth:`check`)."""
        if status not in ("approved", "rejected"):
            raise InvalidInput("status must be approved or rejected", field="status")
        with self._lock:
            self.check(approval_id, officer, reason, approving=status == "approved")
            self._conn.execute(
                "UPDATE approvals SET status = ?, decided_by = ?, decision_reason = ?, "
                "decided_at = ? WHERE id = ? AND status = 'pending'",
                (status, officer.strip(), reason.strip(), _now(), approval_id),
            )
        return self.get(approval_id)


# -- the actions -----------------------------------------------------------------------------
def ring_confirm_payload(
    ring_uid: str,
    officer: str,
    reason: str,
    *,
    decided: date | None = None,
    authority: str | None = None,
    region: str | None = None,
    case_no: str | None = None,
) -> dict[str, Any]:
    """What a ring confirmation needs to be applied later, as JSON data."""
    return {
        "ring_uid": ring_uid,
        "officer": officer,
        "reason": reason,
        "decided": None if decided is None else decided.isoformat(),
        "authority": authority,
        "region": region,
        "case_no": case_no,
    }


def listing_payload(
    listing: Listing, *, authority: str | None = None, region: str | None = None
) -> dict[str, Any]:
    """What adding a listing needs to be applied later, as JSON data."""
    return {
        "listing": {
            "uid": listing.uid,
            "subject_uid": listing.subject_uid,
            "list_type": listing.list_type,
            "decided": listing.decided.isoformat(),
            "expires": None if listing.expires is None else listing.expires.isoformat(),
            "legal_basis": listing.legal_basis,
        },
        "authority": authority,
        "region": region,
    }


def _listing(data: Mapping[str, Any]) -> Listing:
    return Listing(
        uid=data["uid"],
        subject_uid=data["subject_uid"],
        list_type=data["list_type"],
        decided=date.fromisoformat(data["decided"]),
        expires=date.fromisoformat(data["expires"]) if data.get("expires") else None,
        legal_basis=data.get("legal_basis"),
    )


def _day(text: Any) -> date | None:
    return date.fromisoformat(str(text)) if text else None


def ring_confirm_preview(
    store: GraphStore,
    ring_uid: str,
    *,
    approval_above: int,
    decided: date | None = None,
    rules: RuleSet | None = None,
) -> ActionPreview:
    """What confirming the ring would impose: its planned listings, previewed."""
    rules = rules or default_rules()
    plan = rings.confirmation_plan(store, ring_uid, decided=decided, rules=rules)
    lt = rules.list_type_by_id.get(plan.list_type)
    notes = []
    if lt is not None:
        if plan.operator_listed:
            notes.append(
                note(
                    "reach_operators",
                    operators=len(plan.listings),
                    list_zh=lt.name_zh,
                    list_en=lt.name_en,
                )
            )
        else:
            notes.append(
                note(
                    "reach_stores_only",
                    stores=len(plan.stores),
                    list_zh=lt.name_zh,
                    list_en=lt.name_en,
                )
            )
    return preview_listings(
        store,
        plan.listings,
        rules,
        action="ring.confirm",
        approval_above=approval_above,
        notes=notes,
    )


def listing_add_preview(
    store: GraphStore, listing: Listing, *, approval_above: int, rules: RuleSet | None = None
) -> ActionPreview:
    """What adding ``listing`` would impose."""
    return preview_listings(
        store, [listing], rules, action="listing.add", approval_above=approval_above
    )


def shell_confirm_preview(
    store: GraphStore, cluster: str, *, approval_above: int, confirm: bool = True
) -> ActionPreview:
    """A shell cluster's review imposes nothing (the preview says so, in words)."""
    shells.get_cluster(store, shells.shell_uid(cluster))  # NotFound when there is none
    code = "shell_no_measures" if confirm else "dismiss_no_measures"
    return empty_preview(
        "shell.confirm" if confirm else "shell.dismiss",
        approval_above=approval_above,
        notes=[note(code)],
    )


def apply_action(
    store: GraphStore,
    action: str,
    params: Mapping[str, Any],
    actor: Mapping[str, Any],
    rules: RuleSet | None = None,
) -> tuple[BaseModel, Decision]:
    """Apply an action in one store transaction; the result and its decision-log entry."""
    if rules is None:
        # a listing requested at the command line under its own rules file applies under it
        path = params.get("rules")
        rules = load_rules(path) if path else default_rules()
    if action == "ring.confirm":
        day = _day(params.get("decided"))
        result: rings.ReviewResult = decisions.atomically(
            store,
            rings.confirm,
            params["ring_uid"],
            params["officer"],
            params["reason"],
            decided=day,
            authority=params.get("authority"),
            region=params.get("region"),
            case_no=params.get("case_no"),
            rules=rules,
        )
        decision = rec.ring_reviewed(
            actor,
            result,
            confirmed=True,
            reason=params["reason"],
            decided=day,
            case_no=params.get("case_no"),
        )
        return result, decision
    if action == "listing.add":
        listing = _listing(params["listing"])
        report = decisions.add_listing(
            store, listing, rules, authority=params.get("authority"), region=params.get("region")
        )
        decision = rec.listing_added(
            actor,
            listing_uid=listing.uid,
            subject_uid=listing.subject_uid,
            list_type=listing.list_type,
            decided=listing.decided,
            expires=listing.expires,
            legal_basis=listing.legal_basis,
            authority=params.get("authority"),
            region=params.get("region"),
            report=report,
        )
        return report, decision
    raise InvalidInput(f"action must be one of {', '.join(ACTIONS)}", field="action")


def approval_decision(actor: Mapping[str, Any], approval: Approval) -> Decision:
    """The decision-log entry for one step of an approval (requested, approved, rejected)."""
    kind = {
        "pending": Kind.APPROVAL_REQUESTED,
        "approved": Kind.APPROVAL_APPROVED,
        "rejected": Kind.APPROVAL_REJECTED,
    }[approval.status]
    data: dict[str, Any] = {
        "approval": approval.id,
        "action": approval.action,
        "subjects": approval.subjects,
        "restrictions": approval.restrictions,
        "threshold": approval.threshold,
        "requested_by": approval.requested_by,
        "request_reason": approval.request_reason,
    }
    if approval.status != "pending":
        data["decided_by"] = approval.decided_by
        data["decision_reason"] = approval.decision_reason
    return Decision(kind, actor, approval.target, data)


def approve(
    approvals: ApprovalStore,
    store: GraphStore,
    approval_id: int,
    officer: str,
    reason: str,
    actor: Mapping[str, Any],
) -> tuple[Approval, BaseModel, list[Decision]]:
    """A second officer approves: the action is applied whole, then marked approved.

    Refused (nothing applied) when the approval is not pending or ``officer`` requested it.
    The decisions to log: the approval, then the decision it applied.
    """
    current = approvals.check(approval_id, officer, reason, approving=True)
    result, applied = apply_action(store, current.action, current.params, actor)
    done = approvals.decide(approval_id, "approved", officer, reason)
    return done, result, [approval_decision(actor, done), applied]


def reject(
    approvals: ApprovalStore,
    approval_id: int,
    officer: str,
    reason: str,
    actor: Mapping[str, Any],
) -> tuple[Approval, Decision]:
    """Reject (or, by its requester, withdraw) a pending approval; nothing is applied."""
    done = approvals.decide(approval_id, "rejected", officer, reason)
    return done, approval_decision(actor, done)
