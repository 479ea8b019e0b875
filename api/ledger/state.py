"""The API's decision log: opened on first use, kept in ``ApiState.extras["decisions"]``
(closed with the other extras at shutdown), and :func:`record_api` for routers."""

from __future__ import annotations

import threading
from pathlib import Path

from api.deps import ApiState
from api.ledger.evidence import EvidenceStore
from api.ledger.log import Decision, DecisionLog, Entry, evidence_dir
from api.ledger.record import record

__all__ = ["decision_log", "evidence_store", "record_api"]

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


def record_api(
    state: ApiState, *decisions: Decision, rules: Path | None | bool = False
) -> list[Entry]:
    """Append decisions made through the API (one batch, one signed tree head)."""
    return record(decision_log(state), *decisions, rules=rules)
