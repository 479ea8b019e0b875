"""The audit trail (api/audit.py): durable before the answer, compact, bounded in time."""

from __future__ import annotations

import asyncio
import sqlite3
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import api_db_path, create_app
from api.audit import AuditLog, AuditRecord
from graph.config import Settings
from graph.store import GraphStore
from tests.conftest import TEST_KEY

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

NUMBER = "330124198008051881"


def _record(n: int, at: datetime, subjects: tuple[str, ...] = ()) -> AuditRecord:
    return AuditRecord(
        request_id=f"req-{n}",
        at=at.isoformat(timespec="milliseconds"),
        key_id="k1",
        key_name="taobao",
        scope="platform",
        method="POST",
        path=f"/v1/restrictions/person/{NUMBER}" if n == 0 else "/v1/restrictions/batch",
        subject=f"batch:{len(subjects)}" if subjects else NUMBER,
        status=200,
        duration_ms=1.0,
        client="127.0.0.1",
        subjects=subjects,
    )


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[AuditLog]:
    log = AuditLog(tmp_path / "api.sqlite3", key=TEST_KEY, retention_days=365)
    yield log
    log.close()


def _stored(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Read through a second connection, as a process after a crash would."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_a_durable_record_is_committed_when_the_call_returns(audit: AuditLog) -> None:
    asyncio.run(audit.record_durably(_record(0, datetime.now(UTC))))
    rows = _stored(audit.path, "SELECT request_id, path, subject FROM audit")
    assert len(rows) == 1
    request_id, path, subject = rows[0]
    assert request_id == "req-0"
    assert NUMBER not in f"{path}{subject}"
    assert str(subject).startswith("person:")


def test_batch_subjects_are_two_integers_each_and_read_back(audit: AuditLog) -> None:
    subjects = tuple(f"biz:91330106MA2AAAAA{i:02d}" for i in range(50)) + (f"person:{NUMBER}",)
    audit.record(_record(1, datetime.now(UTC), subjects))
    audit.record(_record(2, datetime.now(UTC), subjects[:10]))
    stored = audit.subjects_of("req-1")
    assert len(stored) == 51
    assert all(NUMBER not in s for s in stored)
    assert audit.subjects_of("req-2") == sorted(subjects[:10])
    assert _stored(audit.path, "SELECT COUNT(*) FROM audit_subject_uids") == [(51,)]
    assert _stored(audit.path, "SELECT COUNT(*) FROM audit_subject_refs") == [(61,)]


def test_compaction_keeps_the_retention_window_only(audit: AuditLog) -> None:
    now = datetime.now(UTC)
    audit.record(_record(1, now - timedelta(days=400), ("biz:old", "biz:both")))
    audit.record(_record(2, now - timedelta(days=10), ("biz:both", "biz:new")))
    audit.flush()
    audit.compact_chunk = 1  # one row per transaction: the chunks add up
    done = audit.compact(vacuum=True)
    assert (done.audit_rows_deleted, done.subject_rows_deleted) == (1, 2)
    assert [r["request_id"] for r in audit.rows()] == ["req-2"]
    assert audit.subjects_of("req-2") == ["biz:both", "biz:new"]
    assert _stored(audit.path, "SELECT uid FROM audit_subject_uids ORDER BY uid") == [
        ("biz:both",),
        ("biz:new",),
    ]


def test_the_consoles_api_is_audited(
    embedded_store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    app = create_app(settings, embedded_store)
    with TestClient(app) as client:
        state = app.state.credgraph
        officer = {"X-API-Key": state.keys.create("zj-amr", "officer").token}
        assert client.get("/console/api/me", headers=officer).status_code == 200
        assert client.get("/console/api/meta", headers=officer).status_code == 200
        assert client.get("/console/api/meta").status_code == 401
        rows = state.audit.rows()
    assert [(r["path"], r["key_name"], r["status"]) for r in rows] == [
        ("/console/api/me", "zj-amr", 200),
        ("/console/api/meta", "zj-amr", 200),
        ("/console/api/meta", None, 401),
    ]
    assert api_db_path(settings).exists()
