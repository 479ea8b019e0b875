"""Objections (异议) in the API's SQLite file: filed, reviewed and decided.

An objection is filed against a listing, a derived restriction, or one link on a
restriction's derivation path (an edge by its relationship id ``rid``), by an officer on a
subject's behalf or by a platform key for one of its own sellers. Its states are
``filed`` -> ``under_review`` -> ``upheld`` / ``partly_upheld`` / ``rejected``; it must be
decided by its deadline (filed + ``Settings.objection_review_days``), by a named officer
with a written reason.

Why the API's SQLite file and not the graph: an objection is a workflow record about a
decision (like keys, alerts and webhook subscriptions kept there), not a fact about the
market the graph describes, and it is read by key (who filed it) far more than by
traversal. What an upheld objection changes in the graph goes through the graph's own
paths (a listing is removed with reason ``objection_upheld``; a link is excluded from
propagation, :mod:`algorithms.propagation.exclusions`); the decision itself is appended to
the tamper-evident decision log (``objection.decided``).

A decision and its effect on the graph live in two stores, so they are kept together by a
durable intent: the decision is recorded here first with ``applied = 0``; the graph change
runs in one graph transaction (all or nothing, and idempotent); the decision is logged;
then ``applied`` is set. A crash anywhere in between leaves ``applied = 0``, and
:func:`recover_decisions` (run before every decision, and by ``credgraph objections
recover``) carries the change out again and logs it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from api.security import connect
from graph.errors import CreditGraphError, InvalidInput, NotFound
from graph.faults import fault_point

if TYPE_CHECKING:
    from algorithms.propagation.rules import RuleSet
    from algorithms.propagation.service import PropagationReport
    from graph.store import GraphStore

__all__ = [
    "DECIDED_STATES",
    "OBJECTION_STATES",
    "TARGET_KINDS",
    "apply_decision",
    "changes_graph",
    "check_decision",
    "open_disputes",
    "recover_decisions",
    "Objection",
    "ObjectionStore",
]

log = logging.getLogger("credgraph.objections")

TargetKind = Literal["listing", "restriction", "link"]
TARGET_KINDS: tuple[str, ...] = ("listing", "restriction", "link")
OBJECTION_STATES: tuple[str, ...] = ("filed", "under_review", "upheld", "partly_upheld", "rejected")
DECIDED_STATES: tuple[str, ...] = ("upheld", "partly_upheld", "rejected")
#: Where an upheld link objection excludes the link: one listing, one rule, or everywhere.
SCOPES: tuple[str, ...] = ("listing", "rule", "all")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objections (
    id INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL,
    target TEXT NOT NULL,
    subject TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_via TEXT NOT NULL,
    grounds TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'filed',
    filed TEXT NOT NULL,
    deadline TEXT NOT NULL,
    reviewer TEXT,
    decided TEXT,
    decided_by TEXT,
    reason TEXT,
    scope TEXT,
    scope_value TEXT,
    applied INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS objections_target ON objections (target);
CREATE INDEX IF NOT EXISTS objections_filed_by ON objections (filed_by, id);
"""


@dataclass(frozen=True)
class Objection:
    """One objection as stored."""

    id: int
    target_kind: str
    target: str
    subject: str
    filed_by: str
    filed_via: str
    grounds: str
    status: str
    filed: str
    deadline: str
    reviewer: str | None
    decided: str | None
    decided_by: str | None
    reason: str | None
    scope: str | None
    scope_value: str | None

    @property
    def open(self) -> bool:
        """Not yet decided: the restriction it disputes is in force but marked disputed."""
        return self.status not in DECIDED_STATES

    def overdue(self, today: date) -> bool:
        """Still open after its deadline."""
        return self.open and today > date.fromisoformat(self.deadline)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "open": self.open}


_COLUMNS = (
    "id, target_kind, target, subject, filed_by, filed_via, grounds, status, filed, deadline, "
    "reviewer, decided, decided_by, reason, scope, scope_value"
)


def _row(row: sqlite3.Row | tuple[Any, ...]) -> Objection:
    return Objection(*row)


class ObjectionStore:
    """Objections in the API's SQLite file (the same file as keys and alerts)."""

    def __init__(self, path: Path, *, review_days: int = 15) -> None:
        if review_days < 1:
            raise InvalidInput("review_days must be at least 1", field="review_days")
        self.path = path
        self.review_days = review_days
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(objections)")}
        if "applied" not in columns:  # a file from before decisions were applied by intent
            self._conn.execute(
                "ALTER TABLE objections ADD COLUMN applied INTEGER NOT NULL DEFAULT 1"
            )
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def file(
        self,
        *,
        target_kind: str,
        target: str,
        subject: str,
        filed_by: str,
        filed_via: str,
        grounds: str,
        on: date | None = None,
    ) -> Objection:
        """Record a new objection; its deadline is ``review_days`` after it is filed."""
        if target_kind not in TARGET_KINDS:
            raise InvalidInput(
                f"target_kind must be one of {', '.join(TARGET_KINDS)}", field="target_kind"
            )
        for name, value in (("target", target), ("subject", subject), ("grounds", grounds)):
            if not value.strip():
                raise InvalidInput(f"{name} is empty", field=name)
        day = on or datetime.now(UTC).date()
        deadline = day + timedelta(days=self.review_days)
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO objections (target_kind, target, subject, filed_by, filed_via, "
                "grounds, filed, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    target_kind,
                    target.strip(),
                    subject.strip(),
                    filed_by,
                    filed_via,
                    grounds.strip(),
                    day.isoformat(),
                    deadline.isoformat(),
                ),
            )
            new_id = int(cur.lastrowid or 0)
        return self.get(new_id)

    def get(self, objection_id: int) -> Objection:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM objections WHERE id = ?", (objection_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"objection {objection_id} not found")
        return _row(row)

    def find(
        self,
        *,
        filed_by: str | None = None,
        status: str | None = None,
        target: str | None = None,
        limit: int = 100,
    ) -> list[Objection]:
        """Objections newest first, optionally only one filer's, one status, one target."""
        if status is not None and status not in OBJECTION_STATES:
            raise InvalidInput(
                f"status must be one of {', '.join(OBJECTION_STATES)}", field="status"
            )
        where: list[str] = []
        args: list[Any] = []
        for column, value in (("filed_by", filed_by), ("status", status), ("target", target)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM objections{clause} ORDER BY id DESC LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [_row(r) for r in rows]

    def open_targets(self) -> dict[str, list[int]]:
        """Every disputed target (listing uid, restriction uid or rid) -> open objection ids."""
        rows = self._conn.execute(
            "SELECT target, id FROM objections WHERE status IN ('filed', 'under_review') "
            "ORDER BY id"
        ).fetchall()
        out: dict[str, list[int]] = {}
        for target, oid in rows:
            out.setdefault(str(target), []).append(int(oid))
        return out

    def review(self, objection_id: int, reviewer: str) -> Objection:
        """``filed`` -> ``under_review`` by the named officer."""
        if not reviewer.strip():
            raise InvalidInput("the reviewing officer is not named", field="officer")
        with self._lock:
            current = self.get(objection_id)
            if current.status != "filed":
                raise InvalidInput(
                    f"objection {objection_id} is {current.status}, not filed", field="status"
                )
            self._conn.execute(
                "UPDATE objections SET status = 'under_review', reviewer = ? WHERE id = ?",
                (reviewer.strip(), objection_id),
            )
        return self.get(objection_id)

    def decide(
        self,
        objection_id: int,
        outcome: str,
        *,
        officer: str,
        reason: str,
        scope: str | None = None,
        scope_value: str | None = None,
        on: date | None = None,
    ) -> Objection:
        """Decide an open objection: the officer and a written reason are required.

        An upheld link objection says where the link no longer counts: ``scope`` ``all``,
        ``listing`` (``scope_value`` the listing uid) or ``rule`` (``scope_value`` the rule id).
        """
        if outcome not in DECIDED_STATES:
            raise InvalidInput(
                f"outcome must be one of {', '.join(DECIDED_STATES)}", field="outcome"
            )
        if not officer.strip():
            raise InvalidInput("the deciding officer is not named", field="officer")
        if not reason.strip():
            raise InvalidInput("a decision needs a written reason", field="reason")
        with self._lock:
            current = self.get(objection_id)
            if not current.open:
                raise InvalidInput(
                    f"objection {objection_id} was already decided ({current.status})",
                    field="status",
                )
            if current.target_kind == "link" and outcome != "rejected":
                scope = scope or "all"
                if scope not in SCOPES:
                    raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}", field="scope")
                if scope != "all" and not (scope_value or "").strip():
                    raise InvalidInput(
                        f"scope {scope} needs a {scope} to name", field="scope_value"
                    )
                if scope == "all":
                    scope_value = None
            else:
                scope, scope_value = None, None
            day = on or datetime.now(UTC).date()
            self._conn.execute(
                "UPDATE objections SET status = ?, decided = ?, decided_by = ?, reason = ?, "
                "scope = ?, scope_value = ?, reviewer = COALESCE(reviewer, ?), applied = ? "
                "WHERE id = ?",
                (
                    outcome,
                    day.isoformat(),
                    officer.strip(),
                    reason.strip(),
                    scope,
                    scope_value,
                    officer.strip(),
                    0,  # applied: see apply_decision
                    objection_id,
                ),
            )
        return self.get(objection_id)

    def pending(self) -> list[Objection]:
        """Decisions whose change to the graph is not known to be done (oldest first)."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM objections WHERE applied = 0 ORDER BY id"
        ).fetchall()
        return [_row(r) for r in rows]

    def mark_applied(self, objection_id: int) -> None:
        """The decision's graph change is done and logged."""
        with self._lock:
            self._conn.execute("UPDATE objections SET applied = 1 WHERE id = ?", (objection_id,))


def changes_graph(target_kind: str, outcome: str) -> bool:
    """Whether a decision changes the graph: an upheld listing objection removes the
    listing; an upheld restriction objection lifts that restriction for its subject; an
    upheld or partly upheld link objection excludes the link."""
    if target_kind in ("listing", "restriction"):
        return outcome == "upheld"
    return target_kind == "link" and outcome in ("upheld", "partly_upheld")


def apply_decision(
    store: GraphStore, objection: Objection, rules: RuleSet | None = None
) -> PropagationReport | None:
    """Carry out what a decided objection changes in the graph, in one graph transaction.

    The feed gets a ``dispute_closed`` event for each restriction the objection reached
    (once: a repeat writes none).

    An upheld objection against a listing removes it with reason ``objection_upheld``
    (retracted from the start: history keeps that it was in force, as superseded records).
    An upheld objection against a derived restriction lifts it: that listing's rule no
    longer binds that subject (:func:`algorithms.propagation.service.exclude_subject`).
    An upheld (or partly upheld) objection against a link excludes the link in the scope
    decided and lifts exactly the restrictions whose every path took it
    (:func:`algorithms.propagation.service.exclude_link`). Each runs in one graph
    transaction and may run again (after a crash) with the same result. Other outcomes
    change nothing in the graph.
    """
    from algorithms.propagation import service
    from algorithms.propagation.exclusions import Exclusion

    on = date.fromisoformat(objection.decided or datetime.now(UTC).date().isoformat())
    report: PropagationReport | None = None
    with store.transaction():
        service.note_dispute(
            store,
            objection.id,
            objection.target_kind,
            objection.target,
            objection.subject,
            outcome=objection.status,
            rules=rules,
        )
        if not changes_graph(objection.target_kind, objection.status):
            pass
        elif objection.target_kind == "listing":
            report = service.remove_listing(store, objection.target, on, "objection_upheld", rules)
        elif objection.target_kind == "restriction":
            report = service.exclude_subject(store, objection.target, objection.id, on, rules)
        else:
            exclusion = Exclusion(
                objection.target, objection.scope or "all", objection.scope_value, objection.id, on
            )
            report = service.exclude_link(store, exclusion, rules, near=[objection.subject])
        fault_point("objection_written")
    fault_point("objection_applied")
    return report


def check_decision(
    store: GraphStore,
    objection: Objection,
    outcome: str,
    scope: str | None = None,
    scope_value: str | None = None,
    rules: RuleSet | None = None,
) -> None:
    """Refuse, before anything is recorded, a decision the graph could not carry out
    (a listing or link no longer there, an unknown rule): once recorded, a decision is
    carried out until it is done."""
    if not objection.open or not changes_graph(objection.target_kind, outcome):
        return  # a decided one is refused by ObjectionStore.decide
    from algorithms.propagation import service
    from algorithms.propagation.rules import default_rules

    if objection.target_kind == "listing":
        if not service.load_listings(store, [objection.target]):
            raise NotFound(f"no listing {objection.target!r}")
        return
    if objection.target_kind == "restriction":
        service.restriction_target(store, objection.target)
        return
    scope = scope or "all"
    if scope == "rule" and scope_value not in (rules or default_rules()).rule_by_id:
        raise InvalidInput(f"no rule {scope_value!r}", field="scope_value")
    if scope == "listing" and not service.load_listings(store, [scope_value or ""]):
        raise NotFound(f"no listing {scope_value!r}")
    service.link_ends(store, objection.target, [objection.subject])


def recover_decisions(
    objections: ObjectionStore, store: GraphStore, rules: RuleSet | None = None
) -> list[tuple[Objection, PropagationReport | None]]:
    """Carry out decisions a crash left half done (recorded here, not known applied).

    Returns each with what it changed now (often nothing: the graph change had
    committed); the caller logs them, then marks them applied.
    """
    done: list[tuple[Objection, PropagationReport | None]] = []
    for o in objections.pending():
        try:
            done.append((o, apply_decision(store, o, rules)))
        except CreditGraphError as exc:  # one that cannot be carried out blocks no other
            log.warning("objection %s: decision not carried out: %s", o.id, exc)
    return done


def open_disputes(path: Path) -> dict[str, list[int]]:
    """Open objections by target from the API's SQLite file ({} when there is none yet)."""
    if not path.exists():
        return {}
    store = ObjectionStore(path)
    try:
        return store.open_targets()
    finally:
        store.close()
