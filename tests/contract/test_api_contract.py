"""The key API calls give the same answers on the embedded store and on Neo4j."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.propagation import service
from api.app import create_app
from graph.config import Settings
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

XINGCHEN = "91330106MA2AAAAA15"
ZHANG_WEI_ID = "330100198001011237"

Client = tuple[TestClient, dict[str, str], dict[str, str]]


@pytest.fixture
def client(store: GraphStore, settings: Settings, tmp_path: Path) -> Iterator[Client]:
    ingest_directory(store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q")
    service.propagate_store(store, full=True)
    app = create_app(settings, store, api_db=tmp_path / "api.sqlite3")
    with TestClient(app) as test_client:
        keys = app.state.credgraph.keys
        platform = {"X-API-Key": keys.create("taobao", "platform").token}
        officer = {"X-API-Key": keys.create("zj-amr", "officer").token}
        yield test_client, platform, officer


def _json(response: Any) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


def test_readiness(client: Client) -> None:
    c, _, _ = client
    assert _json(c.get("/readyz"))["status"] == "ok"


def test_restriction_checks(client: Client) -> None:
    c, platform, _ = client
    business = _json(c.get(f"/v1/restrictions/business/{XINGCHEN}", headers=platform))
    assert business["restricted"] is True
    assert {m["listing_uid"] for m in business["measures"]} == {"listing:ZJ-2024-0002"}
    person = _json(
        c.post(
            "/v1/restrictions/check", json={"kind": "person", "id": ZHANG_WEI_ID}, headers=platform
        )
    )
    assert person["restricted"] is True
    past = _json(c.get(f"/v1/restrictions/business/{XINGCHEN}?at=2024-01-01", headers=platform))
    assert past["restricted"] is False
    batch = _json(
        c.post(
            "/v1/restrictions/batch",
            json={
                "items": [
                    {"kind": "business", "id": XINGCHEN},
                    {"kind": "store", "id": "taobao:100234"},
                    {"kind": "store", "id": "jd:none"},
                ]
            },
            headers=platform,
        )
    )
    assert [(i["found"], i["restricted"]) for i in batch["items"]] == [
        (True, True),
        (True, False),
        (False, False),
    ]


def test_feed_and_repair(client: Client) -> None:
    c, platform, officer = client
    feed = _json(c.get("/v1/changes?limit=1000", headers=platform))
    assert [e["seq"] for e in feed["items"]] == sorted(e["seq"] for e in feed["items"])
    last = feed["items"][-1]["seq"]
    _json(
        c.post(
            "/v1/listings/listing:ZJ-2024-0002/repair", json={"on": "2025-01-01"}, headers=officer
        )
    )
    after = _json(c.get(f"/v1/restrictions/business/{XINGCHEN}", headers=platform))
    assert after["restricted"] is False
    lifted = _json(c.get(f"/v1/changes?since={last}", headers=platform))["items"]
    assert lifted
    assert {e["kind"] for e in lifted} == {"lifted"}


def test_officer_reads(client: Client) -> None:
    c, _, officer = client
    hits = _json(c.get("/v1/entities", params={"q": "杭州星晨贸易"}, headers=officer))["items"]
    assert hits[0]["entity"]["uid"] == f"biz:{XINGCHEN}"
    profile = _json(c.get(f"/v1/entities/biz:{XINGCHEN}", headers=officer))
    assert [v["props"]["violation_id"] for v in profile["compliance"]] == ["V-2024-001"]
    network = _json(
        c.get(
            f"/v1/entities/biz:{XINGCHEN}/network",
            params={"hops": 2, "types": ["SHAREHOLDER_OF"]},
            headers=officer,
        )
    )
    assert "biz:91330106MA2AAAAA28" in {n["uid"] for n in network["nodes"]}
    paths = _json(c.get("/v1/paths", params={"a": XINGCHEN, "b": "taobao:100234"}, headers=officer))
    assert paths["items"][0]["nodes"][-1]["uid"] == "store:taobao:100234"
    explained = _json(c.get("/v1/entities/biz:91330106MA2AAAAA28/restrictions", headers=officer))
    assert explained["explanation"][0]["paths"][0]["nodes"][0] == f"biz:{XINGCHEN}"


def test_identity_and_feedback(client: Client) -> None:
    c, platform, officer = client
    claim = {"uscc": XINGCHEN, "name": "杭州星辰贸易有限公司", "legal_representative": "张伟"}
    assert _json(c.post("/v1/identity/verify", json=claim, headers=platform))["verified"] is True
    _json(
        c.post(
            "/v1/feedback",
            json={"kind": "business", "id": XINGCHEN, "action": "applied"},
            headers=platform,
        )
    )
    items = _json(c.get("/v1/feedback", headers=officer))["items"]
    assert [(f["platform"], f["subject_uid"]) for f in items] == [("taobao", f"biz:{XINGCHEN}")]


def test_errors_are_problem_json(client: Client) -> None:
    c, platform, officer = client
    for response, status in (
        (c.get(f"/v1/entities/biz:{XINGCHEN}/network", headers=platform), 403),
        (c.get("/v1/entities/biz:nothing", headers=officer), 404),
        (c.get(f"/v1/entities/biz:{XINGCHEN}/network?types=NOPE", headers=officer), 422),
    ):
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/problem+json")
