"""A saved investigation's report carries the decision log's signed tree head at the moment
it is made (``GET /console/api/cases/{id}/report``), so a printed report can be checked
against the log later: the head's signature holds under the bureau's key, and a later log
proves it still contains everything the head covered (docs/decision-log.md)."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.propagation import service
from api.app import create_app
from api.ledger.verify import verify_consistency, verify_tree_head
from graph.config import Settings
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

Client = tuple[TestClient, dict[str, str]]


@pytest.fixture
def client(embedded_store: GraphStore, settings: Settings, tmp_path: Path) -> Iterator[Client]:
    ingest_directory(
        embedded_store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    service.propagate_store(embedded_store, full=True)
    app = create_app(settings, embedded_store)
    with TestClient(app) as test_client:
        officer = {"X-API-Key": app.state.credgraph.keys.create("zj-amr", "officer").token}
        yield test_client, officer


def _json(response: Any) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


def _list(c: TestClient, officer: dict[str, str], listing_id: str) -> None:
    _json(
        c.post(
            "/v1/listings",
            json={
                "listing_id": listing_id,
                "kind": "business",
                "id": "91330106MA2AAAAA4E",
                "list_type": "serious_dishonesty",
                "decided": "2025-01-10",
            },
            headers=officer,
        )
    )


def _case(c: TestClient, officer: dict[str, str]) -> str:
    case = {"name": "星辰系关联排查", "nodes": [{"uid": "biz:91330106MA2AAAAA15"}]}
    case_id: str = _json(c.post("/console/api/cases", json=case, headers=officer))["case_id"]
    return case_id


def test_a_report_before_any_decision_says_the_log_is_empty(client: Client) -> None:
    c, officer = client
    report = _json(c.get(f"/console/api/cases/{_case(c, officer)}/report", headers=officer))
    assert report["case"]["name"] == "星辰系关联排查"
    assert report["decision_log"] is None
    assert report["generated"].endswith("+00:00")


def test_a_report_carries_the_signed_tree_head_of_its_moment_and_can_be_checked_later(
    client: Client,
) -> None:
    c, officer = client
    case_id = _case(c, officer)
    _list(c, officer, "T-1")
    report = _json(c.get(f"/console/api/cases/{case_id}/report", headers=officer))
    head = report["decision_log"]
    latest = _json(c.get("/v1/decisions/tree-head", headers=officer))
    assert head == latest  # the log's newest head when the report was made
    assert head["tree_size"] >= 1
    key = base64.b64decode(head["public_key"])
    assert verify_tree_head(head, key)

    # later decisions: the report's head is still a prefix of the log, provably
    _list(c, officer, "T-2")
    later = _json(c.get(f"/console/api/cases/{case_id}/report", headers=officer))
    assert later["decision_log"]["tree_size"] > head["tree_size"]
    proof = _json(
        c.get(
            "/v1/decisions/consistency",
            params={"first": head["tree_size"]},
            headers=officer,
        )
    )
    assert proof["tree_head"]["root_hash"] == later["decision_log"]["root_hash"]
    assert verify_consistency(
        head["tree_size"],
        proof["second"],
        bytes.fromhex(head["root_hash"]),
        bytes.fromhex(proof["tree_head"]["root_hash"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )


def test_a_missing_case_has_no_report(client: Client) -> None:
    c, officer = client
    assert c.get("/console/api/cases/case-000000000000/report", headers=officer).status_code == 404
    assert c.get("/console/api/cases/case-000000000000/report").status_code == 401
