"""The API's decision log: opened on first use, kept in ``ApiState.extras["decisions"]``
(closed with the other extras at shutdown), and :func:`record_api` for routers."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from api.deps import ApiState
from api.errors import ApiError
from api.ledger.evidence import EvidenceStore
from api.ledger.log import Decision, DecisionLog, Entry, evidence_dir
from api.ledger.record import record
from graph.errors import CreditGraphError

__all__ = ["DecisionNotLogged", "decision_log", "evidence_store", "record_api"]

log = logging.getLogger("credgraph.decisions")

_OPEN = threading.Lock()


def decision_log(state: ApiState) -> DecisionLog:
    """The app's decision log (opened once)."""
    log = state.extras.get("decisions")
    if log is None:
        with _OPEN:
            log = state.extras.get("decisions")
            if log is None:
                log = state.extras["decisions"] = DecisionLog.open(state.settings)
    assert isinstance(log, DecisionLog)
    return log


def evidence_store(state: ApiState) -> EvidenceStore:
    """Where the app keeps evidence files, with the configured size limit."""
    return EvidenceStore(evidence_dir(state.settings), state.settings.evidence_max_bytes)


class DecisionNotLogged(ApiError):
    """The decision reached the graph but its log entry could not be written."""

    status = 500
    title = "Decision not logged"


def record_api(
    state: ApiState, *decisions: Decision, rules: Path | None | bool = False
) -> list[Entry]:
    """Append decisions made through the API (one batch, one signed tree head)."""
    try:
        return record(decision_log(state), *decisions, rules=rules)
    except (sqlite3.Error, OSError, CreditGraphError) as exc:
        log.exception("decision not logged: %s", [d.kind for d in decisions])
        raise DecisionNotLogged(
            "the decision was made but could not be put on the decision log; "
            "tell the log's administrator"
        ) from exc
