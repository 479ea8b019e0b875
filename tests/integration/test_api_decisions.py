"""``/v1/decisions`` and ``/v1/evidence`` as a specification, and the decisions the API logs.

The embedded store holds the sample data; the decision log, its key and the evidence
directory are the test's own (beside the graph, as the settings place them by default).
"""

from __future__ import annotations

import base64
import hashlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.propagation import service
from api.app import create_app
from api.deps import ApiState
from api.ledger.check import verify_log
from api.ledger.log import decision_log_path, evidence_dir
from api.ledger.verify import verify_consistency, verify_proof
from graph.config import Settings
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
VIOLATION = "violation:V-2024-001"
REPORT = "report:R-0001"  # about brand XC


@dataclass
class Api:
    client: TestClient
    state: ApiState
    settings: Settings
    platform: dict[str, str]
    officer: dict[str, str]
    brand: dict[str, str]
    other_brand: dict[str, str]


@pytest.fixture
def api(embedded_store: GraphStore, settings: Settings, tmp_path: Path) -> Iterator[Api]:
    ingest_directory(
        embedded_store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    service.propagate_store(embedded_store, full=True)
    settings = settings.model_copy(update={"evidence_max_bytes": 1_000})
    app = create_app(settings, embedded_store)
    with TestClient(app) as client:
        state: ApiState = app.state.credgraph
        keys = state.keys

        def key(name: str, scope: str, brands: tuple[str, ...] = ()) -> dict[str, str]:
            return {"X-API-Key": keys.create(name, scope, brands=brands).token}

        yield Api(
            client,
            state,
            settings,
            platform=key("taobao", "platform"),
            officer=key("zj-amr", "officer"),
            brand=key("xc-alliance", "brand", ("brand:XC",)),
            other_brand=key("other-alliance", "brand", ("brand:NOPE",)),
        )


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def add_listing(api: Api, listing_id: str = "T-1") -> dict[str, Any]:
    added = api.client.post(
        "/v1/listings",
        json={
            "listing_id": listing_id,
            "kind": "business",
            "id": "91330106MA2AAAAA4E",
            "list_type": "serious_dishonesty",
            "decided": "2025-01-10",
        },
        headers=api.officer,
    )
    assert added.status_code == 201, added.text
    body: dict[str, Any] = added.json()
    return body


def public_key(api: Api) -> bytes:
    head = api.client.get("/v1/decisions/tree-head", headers=api.platform).json()
    return base64.b64decode(head["public_key"])


def upload(api: Api, headers: dict[str, str], target: str, data: bytes, name: str = "a.txt") -> Any:
    return api.client.post(
        "/v1/evidence",
        data={"target": target, "note": "test purchase"},
        files={"file": (name, data, "text/plain")},
        headers=headers,
    )


# -- the log and its proofs ------------------------------------------------------------------------
def test_an_empty_log_has_no_tree_head(api: Api) -> None:
    problem(api.client.get("/v1/decisions/tree-head", headers=api.officer), 404)


def test_a_listing_decision_is_logged_and_a_platform_can_prove_it(api: Api) -> None:
    added = add_listing(api)
    seq = added["decision"]
    proof = api.client.get(f"/v1/decisions/{seq}/proof", headers=api.platform)
    assert proof.status_code == 200, proof.text
    document = proof.json()
    assert verify_proof(document, public_key(api))
    entry = document["entry"]
    assert '"kind":"listing.added"' in entry
    assert '"subject":"listing:T-1"' in entry
    assert '"name":"zj-amr"' in entry  # who decided: the officer's key
    assert f'"first_seq":{added["first_seq"]}' in entry  # the feed events it caused
    # The shipped rules were first seen with this decision: on record just before it.
    rules = api.client.get("/v1/decisions", params={"kind": "rules.changed"}, headers=api.officer)
    assert [e["seq"] for e in rules.json()] == [seq - 1]


def test_removal_and_repair_are_logged_with_their_reason(api: Api) -> None:
    add_listing(api)
    removed = api.client.post(
        "/v1/listings/listing:T-1/removal",
        json={"on": "2025-02-01", "reason": "error"},
        headers=api.officer,
    ).json()
    repaired = api.client.post(
        "/v1/listings/listing:ZJ-2024-0002/repair", json={"on": "2025-01-01"}, headers=api.officer
    ).json()
    entries = api.client.get("/v1/decisions", headers=api.officer).json()
    by_seq = {e["seq"]: e for e in entries}
    assert by_seq[removed["decision"]]["kind"] == "listing.removed"
    assert by_seq[removed["decision"]]["data"]["reason"] == "error"
    assert by_seq[repaired["decision"]]["kind"] == "listing.repaired"
    assert by_seq[repaired["decision"]]["subject"] == "listing:ZJ-2024-0002"


def test_a_report_decision_is_logged_and_only_officers_may_prove_it(api: Api) -> None:
    decided = api.client.post(
        f"/v1/brands/reports/{REPORT}/decision",
        json={"status": "countered", "counter_notice": "authorised reseller, invoice 88"},
        headers=api.officer,
    )
    assert decided.status_code == 200, decided.text
    (entry,) = api.client.get(
        "/v1/decisions", params={"kind": "report.decided"}, headers=api.officer
    ).json()
    assert entry["subject"] == REPORT
    assert entry["data"]["status"] == "countered"
    notice = hashlib.sha256(b"authorised reseller, invoice 88").hexdigest()
    assert entry["data"]["counter_notice_sha256"] == notice
    problem(api.client.get(f"/v1/decisions/{entry['seq']}/proof", headers=api.platform), 403)
    assert api.client.get(f"/v1/decisions/{entry['seq']}/proof", headers=api.officer).is_success


def test_tree_heads_and_consistency_proofs_are_for_every_key(api: Api) -> None:
    add_listing(api, "T-1")
    first = api.client.get("/v1/decisions/tree-head", headers=api.brand).json()
    add_listing(api, "T-2")
    latest = api.client.get("/v1/decisions/tree-head", headers=api.platform).json()
    assert latest["tree_size"] > first["tree_size"]
    heads = api.client.get("/v1/decisions/tree-heads", headers=api.platform).json()
    assert [h["tree_size"] for h in heads][-2:] == [first["tree_size"], latest["tree_size"]]
    proof = api.client.get(
        "/v1/decisions/consistency", params={"first": first["tree_size"]}, headers=api.brand
    ).json()
    assert verify_consistency(
        first["tree_size"],
        proof["second"],
        bytes.fromhex(first["root_hash"]),
        bytes.fromhex(latest["root_hash"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    problem(api.client.get("/v1/decisions/tree-head"), 401)
    problem(api.client.get("/v1/decisions", headers=api.platform), 403)
    problem(api.client.get("/v1/decisions/999/proof", headers=api.officer), 404)


# -- evidence --------------------------------------------------------------------------------------
def test_evidence_is_stored_by_digest_listed_and_downloaded(api: Api) -> None:
    data = "试买记录 2025-03-02, appraisal JD-2025-118".encode()
    digest = hashlib.sha256(data).hexdigest()
    added = upload(api, api.officer, VIOLATION, data, "试买.txt")
    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["sha256"], body["size"], body["target"]) == (digest, len(data), VIOLATION)
    assert body["added_by"] == "zj-amr"
    listed = api.client.get("/v1/evidence", params={"target": VIOLATION}, headers=api.officer)
    assert [e["sha256"] for e in listed.json()] == [digest]
    got = api.client.get(f"/v1/evidence/{digest}", headers=api.officer)
    assert got.status_code == 200
    assert got.content == data
    assert (
        got.headers["repr-digest"]
        == f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
    )
    # The digest is in the log, under a signed head.
    proof = api.client.get(f"/v1/decisions/{body['decision']}/proof", headers=api.officer).json()
    assert digest in proof["entry"]
    assert verify_proof(proof, public_key(api))


def test_evidence_is_size_limited_and_needs_a_real_target(api: Api) -> None:
    problem(upload(api, api.officer, VIOLATION, b"x" * 1_001), 413)
    problem(upload(api, api.officer, "violation:nope", b"x"), 404)
    problem(upload(api, api.officer, "biz:91330106MA2AAAAA4E", b"x"), 422)
    problem(upload(api, api.platform, VIOLATION, b"x"), 403)
    assert list((evidence_dir(api.settings) / "sha256").glob("*/*")) == []


def test_brand_keys_reach_evidence_on_their_own_reports_only(api: Api) -> None:
    mine = upload(api, api.brand, REPORT, b"photo of the counterfeit")
    assert mine.status_code == 201, mine.text
    digest = mine.json()["sha256"]
    assert api.client.get(f"/v1/evidence/{digest}", headers=api.brand).content == (
        b"photo of the counterfeit"
    )
    problem(upload(api, api.other_brand, REPORT, b"x"), 404)
    problem(api.client.get(f"/v1/evidence/{digest}", headers=api.other_brand), 404)
    problem(upload(api, api.brand, VIOLATION, b"x"), 403)
    secret = upload(api, api.officer, VIOLATION, b"case file").json()["sha256"]
    problem(api.client.get(f"/v1/evidence/{secret}", headers=api.brand), 404)


def test_the_whole_log_verifies_and_a_changed_evidence_file_is_caught(api: Api) -> None:
    add_listing(api)
    stored = upload(api, api.officer, VIOLATION, b"original bytes").json()
    key = public_key(api)
    path, root = decision_log_path(api.settings), evidence_dir(api.settings)
    assert verify_log(path, key, evidence_root=root).ok
    file = root / "sha256" / stored["sha256"][:2] / stored["sha256"]
    file.chmod(0o644)
    file.write_bytes(b"changed bytes")
    result = verify_log(path, key, evidence_root=root)
    assert [(p.code.value, p.entry) for p in result.problems] == [
        ("evidence_changed", stored["decision"])
    ]


def test_ring_decisions_through_the_api_are_on_record(
    embedded_store: GraphStore, settings: Settings
) -> None:
    from algorithms.brushing import service as rings
    from tests.contract.test_rings_contract import write_market

    write_market(embedded_store)
    rings.detect(embedded_store)
    first, second = (r.uid for r in rings.list_rings(embedded_store).items)
    app = create_app(settings, embedded_store)
    with TestClient(app) as client:
        officer = {"X-API-Key": app.state.credgraph.keys.create("zj-amr", "officer").token}
        confirmed = client.post(
            f"/v1/rings/{first}/confirm", json={"reason": "空包"}, headers=officer
        )
        assert confirmed.status_code == 200, confirmed.text
        dismissed = client.post(
            f"/v1/rings/{second}/dismiss", json={"reason": "household"}, headers=officer
        )
        assert dismissed.status_code == 200, dismissed.text
        logged = client.get("/v1/decisions", headers=officer).json()
    ring_entries = [e for e in logged if e["kind"].startswith("ring.")]
    assert [(e["kind"], e["subject"]) for e in ring_entries] == [
        ("ring.confirmed", first),
        ("ring.dismissed", second),
    ]
    assert ring_entries[0]["data"]["violation_uid"] == confirmed.json()["violation_uid"]
    assert ring_entries[0]["actor"]["name"] == "zj-amr"
