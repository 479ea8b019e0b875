"""The HTTP API as a specification, through ``TestClient(create_app(settings, store))``.

The embedded store is loaded with the sample data (``docs/sample``); each test gets a
fresh store, API database and keys of each scope.
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning
from typer.testing import CliRunner

from algorithms.propagation import service
from api.app import api_db_path, create_app
from api.audit import RedactingFilter, redact_path
from api.deps import ApiState
from api.security import hash_key
from graph.config import Settings
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

with warnings.catch_warnings():
    # starlette asks for httpx2, which the project does not ship yet.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

XINGCHEN = "91330106MA2AAAAA15"  # 杭州星辰贸易有限公司: listed, penalised
YUNFAN = "91330106MA2AAAAA3B"  # 杭州云帆科技有限公司: abnormal
ZHANG_WEI_ID = "330100198001011237"  # 张伟, legal representative of XINGCHEN
PROBLEM = "application/problem+json"


@dataclass
class Api:
    """A running app with one key of each scope."""

    client: TestClient
    state: ApiState
    platform: dict[str, str]
    other_platform: dict[str, str]
    officer: dict[str, str]
    brand: dict[str, str]
    db: Path

    def audit_rows(self) -> list[dict[str, Any]]:
        return self.state.audit.rows(limit=10_000)


def _headers(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


@pytest.fixture
def api(embedded_store: GraphStore, settings: Settings, tmp_path: Path) -> Iterator[Api]:
    ingest_directory(
        embedded_store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    service.propagate_store(embedded_store, full=True)
    app = create_app(settings, embedded_store)
    with TestClient(app) as client:
        state: ApiState = app.state.credgraph
        keys = state.keys
        yield Api(
            client=client,
            state=state,
            platform=_headers(keys.create("taobao", "platform").token),
            other_platform=_headers(keys.create("jd", "platform").token),
            officer=_headers(keys.create("zj-amr", "officer").token),
            brand=_headers(keys.create("xc-alliance", "brand", brands=["brand:XC"]).token),
            db=api_db_path(settings),
        )


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    return body


# -- health --------------------------------------------------------------------------------
def test_health_and_readiness_need_no_key(api: Api) -> None:
    assert api.client.get("/healthz").json()["status"] == "ok"
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "store": "ladybug", "detail": None}


# -- authentication and scopes -------------------------------------------------------------
def test_no_key_is_401_and_an_unknown_key_is_401(api: Api) -> None:
    body = assert_problem(api.client.get("/v1/entities", params={"q": "星辰"}), 401)
    assert "X-API-Key" in body["detail"]
    assert_problem(api.client.get("/v1/entities?q=x", headers=_headers("cg_not-a-key")), 401)


def test_bearer_token_is_accepted(api: Api) -> None:
    token = api.officer["X-API-Key"]
    response = api.client.get(
        "/v1/entities", params={"q": "星辰"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/entities/biz:{XINGCHEN}/network",
        f"/v1/entities/biz:{XINGCHEN}",
        "/v1/entities?q=星辰",
        f"/v1/paths?a={XINGCHEN}&b=taobao:100234",
    ],
)
def test_a_platform_never_sees_the_network_or_profiles(api: Api, path: str) -> None:
    body = assert_problem(api.client.get(path, headers=api.platform), 403)
    assert "officer" in body["detail"]


def test_revoked_keys_stop_working(api: Api) -> None:
    created = api.state.keys.create("tmp", "officer")
    headers = _headers(created.token)
    assert api.client.get("/v1/entities?q=星辰", headers=headers).status_code == 200
    api.state.keys.revoke(created.key.key_id)
    assert_problem(api.client.get("/v1/entities?q=星辰", headers=headers), 401)


def test_keys_are_stored_only_as_hashes(api: Api) -> None:
    created = api.state.keys.create("hash-check", "platform")
    with sqlite3.connect(api.db) as conn:
        stored = [row[0] for row in conn.execute("SELECT key_hash FROM api_keys")]
    assert hash_key(created.token) in stored
    assert created.token not in stored
    raw = b"".join(p.read_bytes() for p in api.db.parent.glob(api.db.name + "*"))
    assert created.token.encode() not in raw


def test_cli_creates_a_key_the_running_server_accepts(api: Api) -> None:
    from cli.main import app as cli

    result = CliRunner().invoke(
        cli, ["keys", "create", "--scope", "officer", "--name", "cli", "--db", str(api.db)]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("cg_")
    response = api.client.get("/v1/entities?q=星辰", headers=_headers(token))
    assert response.status_code == 200


# -- rate limits ---------------------------------------------------------------------------
def test_rate_limit_answers_429_with_retry_after(api: Api) -> None:
    slow = _headers(api.state.keys.create("slow", "officer", rate=0.5, burst=2).token)
    statuses = [api.client.get("/v1/entities?q=星辰", headers=slow).status_code for _ in range(2)]
    assert statuses == [200, 200]
    limited = api.client.get("/v1/entities?q=星辰", headers=slow)
    body = assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert "rate limit" in body["detail"]
    # Another key is not affected.
    assert api.client.get("/v1/entities?q=星辰", headers=api.officer).status_code == 200


# -- errors --------------------------------------------------------------------------------
def test_unknown_route_and_method_are_problem_json(api: Api) -> None:
    assert_problem(api.client.get("/v1/nothing-here", headers=api.officer), 404)
    assert_problem(api.client.delete("/v1/feedback", headers=api.officer), 405)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/entities?q=星辰&limit=0", "limit"),
        ("/v1/entities?q=星辰&limit=abc", "limit"),
        ("/v1/entities?q=", "q"),
        ("/v1/entities?q=星辰&label=Order", "label"),
        (f"/v1/entities/biz:{XINGCHEN}/network?hops=9", "hops"),
        (f"/v1/entities/biz:{XINGCHEN}/network?types=KNOWS", "rel_type"),
        (f"/v1/paths?a={XINGCHEN}&b=taobao:100234&max_hops=0", "max_hops"),
    ],
)
def test_bad_input_is_422_naming_the_field(api: Api, path: str, field: str) -> None:
    body = assert_problem(api.client.get(path, headers=api.officer), 422)
    assert body["field"] == field


def test_malformed_json_is_422_not_500(api: Api) -> None:
    response = api.client.post(
        "/v1/identity/verify",
        content=b"{not json",
        headers={**api.platform, "content-type": "application/json"},
    )
    assert_problem(response, 422)


def test_validation_errors_do_not_echo_id_numbers(api: Api) -> None:
    response = api.client.post(
        "/v1/feedback",
        json={"kind": "person", "id": ZHANG_WEI_ID, "action": "bogus"},
        headers=api.platform,
    )
    body = assert_problem(response, 422)
    assert body["field"] == "action"
    assert ZHANG_WEI_ID not in response.text


def test_unknown_entity_is_404(api: Api) -> None:
    body = assert_problem(api.client.get("/v1/entities/biz:nothing", headers=api.officer), 404)
    assert body["type"].endswith("/not-found")


# -- officers: search, profile, network, paths ---------------------------------------------
def test_search_is_fuzzy_on_chinese_names(api: Api) -> None:
    response = api.client.get("/v1/entities", params={"q": "杭州星晨贸易"}, headers=api.officer)
    assert response.status_code == 200
    first = response.json()["items"][0]
    assert first["entity"]["uid"] == f"biz:{XINGCHEN}"
    assert first["matched"] == "name"
    assert 0 < first["score"] < 1


def test_search_by_identifier_comes_first_with_score_1(api: Api) -> None:
    items = api.client.get("/v1/entities", params={"q": XINGCHEN}, headers=api.officer).json()[
        "items"
    ]
    assert items[0]["entity"]["uid"] == f"biz:{XINGCHEN}"
    assert (items[0]["score"], items[0]["matched"]) == (1.0, "identifier")


def test_search_pages_follow_next_links(api: Api) -> None:
    first = api.client.get(
        "/v1/entities", params={"q": "杭州", "limit": 2}, headers=api.officer
    ).json()
    assert len(first["items"]) == 2
    assert first["next"] is not None
    second = api.client.get(first["next"], headers=api.officer).json()
    assert second["items"]
    seen = {h["entity"]["uid"] for h in first["items"]}
    assert not seen & {h["entity"]["uid"] for h in second["items"]}


def test_search_filters_by_label(api: Api) -> None:
    items = api.client.get(
        "/v1/entities", params={"q": "星辰", "label": "Store"}, headers=api.officer
    ).json()["items"]
    assert items
    assert {h["entity"]["label"] for h in items} == {"Store"}


def test_profile_is_the_credit_record(api: Api) -> None:
    body = api.client.get(f"/v1/entities/biz:{XINGCHEN}", headers=api.officer).json()
    assert body["entity"]["name"] == "杭州星辰贸易有限公司"
    assert [v["props"]["violation_id"] for v in body["compliance"]] == ["V-2024-001"]
    assert [v["props"]["list_type"] for v in body["dishonesty"]] == ["serious_dishonesty"]
    assert {"SHAREHOLDER_OF", "LEGAL_REPRESENTATIVE_OF"} <= {r["type"] for r in body["roles"]}
    # Licences with their standing today: the food licence runs to 2029, the device one
    # lapsed in 2023 although the authority's record still says valid.
    standing = {lic["licence_type"]: lic["standing"] for lic in body["licences"]}
    assert standing == {"food_operation": "valid", "medical_device_operation": "expired"}


def test_a_revoked_licence_shows_on_the_profile(api: Api) -> None:
    body = api.client.get(f"/v1/entities/biz:{YUNFAN}", headers=api.officer).json()
    [licence] = body["licences"]
    assert (licence["licence_no"], licence["standing"], licence["valid"]) == (
        "JY13301060054321",
        "revoked",
        False,
    )


def test_person_profile_shows_masked_id_never_the_hash(api: Api) -> None:
    found = api.client.get("/v1/entities", params={"q": ZHANG_WEI_ID}, headers=api.officer)
    person = found.json()["items"][0]["entity"]
    assert person["label"] == "Person"
    response = api.client.get(f"/v1/entities/{person['uid']}", headers=api.officer)
    props = response.json()["entity"]["props"]
    assert props["id_masked"] == "3301**********1237"
    assert "id_hash" not in props
    assert ZHANG_WEI_ID not in response.text


def test_network_follows_only_the_types_asked(api: Api) -> None:
    response = api.client.get(
        f"/v1/entities/biz:{XINGCHEN}/network",
        params={"hops": 2, "types": ["SHAREHOLDER_OF"]},
        headers=api.officer,
    )
    body = response.json()
    assert {e["type"] for e in body["edges"]} == {"SHAREHOLDER_OF"}
    uids = {n["uid"] for n in body["nodes"]}
    assert "biz:91330106MA2AAAAA28" in uids  # its subsidiary
    assert "store:taobao:100234" not in uids


def test_network_is_capped_by_max_nodes(api: Api) -> None:
    body = api.client.get(
        f"/v1/entities/biz:{XINGCHEN}/network",
        params={"hops": 3, "max_nodes": 3},
        headers=api.officer,
    ).json()
    assert len(body["nodes"]) <= 3
    assert body["truncated"] is True


def test_paths_between_a_business_and_a_store(api: Api) -> None:
    body = api.client.get(
        "/v1/paths", params={"a": XINGCHEN, "b": "taobao:100234"}, headers=api.officer
    ).json()
    walk = body["items"][0]
    assert walk["nodes"][0]["uid"] == f"biz:{XINGCHEN}"
    assert walk["nodes"][-1]["uid"] == "store:taobao:100234"
    assert walk["length"] == len(walk["edges"])


def test_no_path_is_404(api: Api) -> None:
    response = api.client.get(
        "/v1/paths",
        params={"a": XINGCHEN, "b": "taobao:100234", "max_hops": 1},
        headers=api.officer,
    )
    assert assert_problem(response, 404)["type"].endswith("/no-path")


# -- platforms: restriction checks, feed -------------------------------------------------
def check(api: Api, kind: str, id_: str, **params: str) -> dict[str, Any]:
    response = api.client.get(f"/v1/restrictions/{kind}/{id_}", params=params, headers=api.platform)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_listed_business_is_restricted_with_basis_listing_and_end(api: Api) -> None:
    body = check(api, "business", XINGCHEN)
    assert (body["found"], body["restricted"]) == (True, True)
    measure = body["measures"][0]
    assert measure["listing_uid"] == "listing:ZJ-2024-0002"
    assert measure["legal_basis"]
    assert measure["valid_until"] == "2027-06-01"
    assert measure["derived"] is False
    assert "serious" in measure["reason_en"]


def test_a_past_date_gives_the_status_then(api: Api) -> None:
    assert check(api, "business", XINGCHEN, at="2024-01-01")["restricted"] is False


def test_a_legal_representative_is_restricted_without_seeing_the_network(api: Api) -> None:
    response = api.client.post(
        "/v1/restrictions/check", json={"kind": "person", "id": ZHANG_WEI_ID}, headers=api.platform
    )
    body = response.json()
    assert body["restricted"] is True
    assert body["id"] == "3301**********1237"
    assert all(m["derived"] for m in body["measures"])
    assert "paths" not in response.text
    assert XINGCHEN not in response.text
    assert ZHANG_WEI_ID not in response.text


def test_an_unrestricted_store_and_an_unknown_one(api: Api) -> None:
    assert check(api, "store", "taobao:100234")["restricted"] is False
    missing = api.client.get("/v1/restrictions/store/taobao:nope", headers=api.platform)
    assert_problem(missing, 404)
    assert_problem(api.client.get("/v1/restrictions/business/123", headers=api.platform), 422)
    assert_problem(api.client.get("/v1/restrictions/shop/1", headers=api.platform), 422)


def test_batch_answers_in_order_and_marks_unknown_subjects(api: Api) -> None:
    items = [
        {"kind": "business", "id": XINGCHEN},
        {"kind": "store", "id": "jd:unknown"},
        {"kind": "person", "id": ZHANG_WEI_ID},
        {"kind": "store", "id": "taobao:100234"},
    ]
    response = api.client.post(
        "/v1/restrictions/batch", json={"items": items}, headers=api.platform
    )
    body = response.json()
    assert [(i["found"], i["restricted"]) for i in body["items"]] == [
        (True, True),
        (False, False),
        (True, True),
        (True, False),
    ]
    assert (body["restricted"], body["not_found"]) == (2, 1)
    rows = api.audit_rows()
    assert rows[-1]["subject"] == "batch:3"
    subjects = api.state.audit.subjects_of(rows[-1]["request_id"])
    assert f"biz:{XINGCHEN}" in subjects


def test_batch_over_1000_is_422(api: Api) -> None:
    items = [{"kind": "business", "id": XINGCHEN}] * 1001
    response = api.client.post(
        "/v1/restrictions/batch", json={"items": items}, headers=api.platform
    )
    assert assert_problem(response, 422)["field"] == "items"


def test_the_feed_pages_by_sequence(api: Api) -> None:
    first = api.client.get("/v1/changes", params={"limit": 5}, headers=api.platform).json()
    assert [c["seq"] for c in first["items"]] == [1, 2, 3, 4, 5]
    assert {c["kind"] for c in first["items"]} == {"imposed"}
    second = api.client.get(first["next"], headers=api.platform).json()
    assert second["items"][0]["seq"] == 6


def test_repair_lifts_restrictions_and_feeds_the_change(api: Api) -> None:
    last = api.client.get("/v1/changes?limit=1000", headers=api.platform).json()["items"][-1]
    assert check(api, "person", ZHANG_WEI_ID)["restricted"] is True
    repaired = api.client.post(
        "/v1/listings/listing:ZJ-2024-0002/repair", json={"on": "2025-01-01"}, headers=api.officer
    )
    assert repaired.status_code == 200, repaired.text
    assert repaired.json()["lifted"] > 0
    assert check(api, "business", XINGCHEN)["restricted"] is False
    assert check(api, "person", ZHANG_WEI_ID)["restricted"] is False
    assert check(api, "business", XINGCHEN, at="2024-12-31")["restricted"] is True
    feed = api.client.get(f"/v1/changes?since={last['seq']}", headers=api.platform).json()
    assert {c["kind"] for c in feed["items"]} == {"lifted"}


def test_officers_add_and_remove_listings(api: Api) -> None:
    added = api.client.post(
        "/v1/listings",
        json={
            "listing_id": "T-1",
            "kind": "business",
            "id": "91330106MA2AAAAA4E",
            "list_type": "serious_dishonesty",
            "decided": "2025-01-10",
        },
        headers=api.officer,
    )
    assert added.status_code == 201, added.text
    assert check(api, "business", "91330106MA2AAAAA4E")["restricted"] is True
    removed = api.client.post(
        "/v1/listings/listing:T-1/removal",
        json={"on": "2025-02-01", "reason": "error"},
        headers=api.officer,
    )
    assert removed.status_code == 200
    assert check(api, "business", "91330106MA2AAAAA4E", at="2025-01-20")["restricted"] is False


def test_listing_changes_need_an_officer_and_valid_input(api: Api) -> None:
    body = {"on": "2025-01-01"}
    path = "/v1/listings/listing:ZJ-2024-0002/repair"
    assert_problem(api.client.post(path, json=body, headers=api.platform), 403)
    assert_problem(
        api.client.post("/v1/listings/listing:nope/repair", json=body, headers=api.officer), 404
    )
    bad_type = api.client.post(
        "/v1/listings",
        json={
            "listing_id": "T-2",
            "kind": "business",
            "id": XINGCHEN,
            "list_type": "nope",
            "decided": "2025-01-10",
        },
        headers=api.officer,
    )
    assert assert_problem(bad_type, 422)["field"] == "list_type"


def test_officers_read_the_explanation_as_paths(api: Api) -> None:
    body = api.client.get(
        "/v1/entities/biz:91330106MA2AAAAA28/restrictions", headers=api.officer
    ).json()
    assert body["restricted"] is True
    path = body["explanation"][0]["paths"][0]
    assert path["nodes"] == [f"biz:{XINGCHEN}", "biz:91330106MA2AAAAA28"]
    assert "股东" in path["zh"]
    profile = api.client.get("/v1/entities/biz:91330106MA2AAAAA28", headers=api.officer).json()
    assert profile["restrictions"]["measures"] == body["measures"]
    assert_problem(
        api.client.get("/v1/entities/biz:91330106MA2AAAAA28/restrictions", headers=api.platform),
        403,
    )


# -- platforms: identity, feedback ---------------------------------------------------------
def verify(api: Api, **claim: Any) -> dict[str, Any]:
    response = api.client.post("/v1/identity/verify", json=claim, headers=api.platform)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_identity_verified_when_everything_matches(api: Api) -> None:
    body = verify(api, uscc=XINGCHEN, name="杭州星辰贸易有限公司", legal_representative="张伟")
    assert body["verified"] is True
    assert body["problems"] == []


def test_identity_names_each_mismatch(api: Api) -> None:
    body = verify(api, uscc=XINGCHEN, name="杭州星辰贸易公司", legal_representative="李强")
    assert (body["verified"], body["exists"], body["active"]) == (False, True, True)
    assert (body["name_matches"], body["legal_representative_matches"]) == (False, False)
    assert len(body["problems"]) == 2


def test_identity_of_an_abnormal_business_is_not_verified(api: Api) -> None:
    body = verify(api, uscc=YUNFAN, name="杭州云帆科技有限公司")
    assert (body["verified"], body["active"], body["status"]) == (False, False, "abnormal")
    assert body["legal_representative_matches"] is None


def test_identity_of_an_unknown_business(api: Api) -> None:
    body = verify(api, uscc="91110000MA0000000H", name="x")  # valid check digit, not held
    assert (body["exists"], body["verified"]) == (False, False)


def test_identity_with_a_malformed_uscc_is_422(api: Api) -> None:
    response = api.client.post(
        "/v1/identity/verify", json={"uscc": "123", "name": "x"}, headers=api.platform
    )
    assert assert_problem(response, 422)["field"] == "uscc"


XINGCHEN_NAME = "杭州星辰贸易有限公司"


def by_type(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["licence_type"]: c for c in body["licence_checks"]}


def test_identity_reports_a_held_an_expired_and_a_missing_licence(api: Api) -> None:
    body = verify(
        api,
        uscc=XINGCHEN,
        name=XINGCHEN_NAME,
        licence_types=["food_operation", "医疗器械经营许可证", "drug_operation"],
        at="2026-01-01",
    )
    assert (body["exists"], body["active"], body["name_matches"]) == (True, True, True)
    assert (body["verified"], body["licences_present"]) == (False, False)
    assert body["checked_on"] == "2026-01-01"
    checks = by_type(body)
    assert list(checks) == ["food_operation", "medical_device_operation", "drug_operation"]
    food, device, drug = checks.values()
    assert (food["held"], food["result"], food["licence_no"]) == (
        True,
        "valid",
        "JY13301060012345",
    )
    assert (device["held"], device["result"]) == (False, "expired")
    assert device["licence_type_name"] == "医疗器械经营许可证"
    assert (drug["held"], drug["result"], drug["licence_no"]) == (False, "missing", None)
    assert body["problems"] == [
        "licence medical_device_operation (医疗器械经营许可证) is expired",
        "no licence drug_operation (药品经营许可证) on record",
    ]
    on_record = {lic["licence_no"]: lic for lic in body["licences"]}
    assert on_record["JY13301060012345"]["valid"] is True
    expired = on_record["浙杭药监械经营许20180031号"]
    # recorded valid by the authority, but past its expiry on the check date
    assert (expired["status"], expired["standing"], expired["valid"]) == ("valid", "expired", False)
    assert expired["expires"] == "2023-05-31"


def test_identity_with_every_licence_asked_for_in_force_is_verified(api: Api) -> None:
    body = verify(api, uscc=XINGCHEN, name=XINGCHEN_NAME, licence_types=["食品经营许可证"])
    assert (body["verified"], body["licences_present"], body["problems"]) == (True, True, [])


def test_identity_licences_are_judged_on_the_date_asked(api: Api) -> None:
    def food_on(at: str) -> str:
        body = verify(
            api, uscc=XINGCHEN, name=XINGCHEN_NAME, licence_types=["food_operation"], at=at
        )
        return str(by_type(body)["food_operation"]["result"])

    assert food_on("2024-02-01") == "not_yet_valid"
    assert food_on("2029-02-28") == "valid"
    assert food_on("2029-03-01") == "expired"


def test_identity_a_renewed_licence_counts_and_a_revoked_one_does_not(api: Api) -> None:
    renewed = verify(
        api, uscc="91330106MA2AAAAA28", name="杭州星辰电子商务有限公司", licence_types=["icp"]
    )
    icp = by_type(renewed)["icp"]
    assert (icp["held"], icp["licence_no"]) == (True, "浙B2-20240456")
    assert {lic["standing"] for lic in renewed["licences"]} == {"valid", "expired"}
    revoked = verify(
        api, uscc=YUNFAN, name="杭州云帆科技有限公司", licence_types=["food_operation"]
    )
    assert by_type(revoked)["food_operation"]["result"] == "revoked"
    assert revoked["licences_present"] is False


def test_identity_without_licence_types_lists_licences_and_keeps_its_verdict(api: Api) -> None:
    body = verify(api, uscc=XINGCHEN, name=XINGCHEN_NAME, legal_representative="张伟")
    assert (body["verified"], body["problems"]) == (True, [])  # an expired licence is no problem
    assert (body["licences_present"], body["licence_checks"]) == (None, [])
    assert {lic["licence_type"] for lic in body["licences"]} == {
        "food_operation",
        "medical_device_operation",
    }
    assert body["checked_on"] == date.today().isoformat()
    shell = verify(api, uscc="91330106MA2AAAAA4E", name="杭州云舟网络科技有限公司")
    assert shell["licences"] == []


def test_identity_licence_answers_carry_no_personal_details(api: Api) -> None:
    response = api.client.post(
        "/v1/identity/verify",
        json={
            "uscc": XINGCHEN,
            "name": XINGCHEN_NAME,
            "legal_representative": "张伟",
            "licence_types": ["food_operation"],
        },
        headers=api.platform,
    )
    text = response.text
    for secret in ("张伟", "王芳", ZHANG_WEI_ID, "person:", "1237", "HK:1234567"):
        assert secret not in text


def test_identity_with_an_unknown_licence_type_is_422(api: Api) -> None:
    response = api.client.post(
        "/v1/identity/verify",
        json={"uscc": XINGCHEN, "name": XINGCHEN_NAME, "licence_types": ["烟草专卖许可证"]},
        headers=api.platform,
    )
    body = assert_problem(response, 422)
    assert body["field"] == "licence_types"
    assert "food_operation" in body["detail"]


def test_identity_of_an_unknown_business_misses_every_licence_asked_for(api: Api) -> None:
    body = verify(api, uscc="91110000MA0000000H", name="x", licence_types=["icp"])
    assert (body["exists"], body["licences_present"]) == (False, False)
    assert by_type(body)["icp"]["result"] == "missing"


def post_feedback(api: Api, headers: dict[str, str], **body: str) -> Any:
    return api.client.post("/v1/feedback", json=body, headers=headers)


def test_feedback_is_stored_and_a_platform_sees_only_its_own(api: Api) -> None:
    mine = post_feedback(api, api.platform, kind="business", id=XINGCHEN, action="applied")
    assert mine.status_code == 201, mine.text
    assert mine.json()["platform"] == "taobao"
    theirs = post_feedback(
        api,
        api.other_platform,
        kind="store",
        id="taobao:100234",
        action="could_not_apply",
        reason="store closed",
    )
    assert theirs.status_code == 201
    own = api.client.get("/v1/feedback", headers=api.platform).json()["items"]
    assert [f["platform"] for f in own] == ["taobao"]
    assert_problem(api.client.get("/v1/feedback?platform=jd", headers=api.platform), 403)
    everything = api.client.get("/v1/feedback", headers=api.officer).json()["items"]
    assert [f["platform"] for f in everything] == ["taobao", "jd"]


def test_feedback_needs_a_reason_when_not_applied(api: Api) -> None:
    response = post_feedback(
        api, api.platform, kind="business", id=XINGCHEN, action="could_not_apply"
    )
    assert assert_problem(response, 422)["field"] == "reason"


def test_feedback_on_an_unknown_subject_is_404(api: Api) -> None:
    response = post_feedback(api, api.platform, kind="store", id="taobao:nope", action="applied")
    assert_problem(response, 404)


def test_only_platforms_report_feedback(api: Api) -> None:
    response = post_feedback(api, api.officer, kind="business", id=XINGCHEN, action="applied")
    assert_problem(response, 403)


def test_feedback_about_a_person_is_masked_and_paged(api: Api) -> None:
    for _ in range(3):
        ok = post_feedback(api, api.platform, kind="person", id=ZHANG_WEI_ID, action="applied")
        assert ok.status_code == 201
        assert ZHANG_WEI_ID not in ok.text
        assert ok.json()["subject"] == "3301**********1237"
    page = api.client.get("/v1/feedback", params={"limit": 2}, headers=api.officer).json()
    assert len(page["items"]) == 2
    rest = api.client.get(page["next"], headers=api.officer).json()
    assert len(rest["items"]) == 1
    assert rest["next"] is None


def test_officers_see_feedback_in_the_profile(api: Api) -> None:
    post_feedback(api, api.platform, kind="business", id=XINGCHEN, action="applied")
    body = api.client.get(f"/v1/entities/biz:{XINGCHEN}", headers=api.officer).json()
    assert [f["platform"] for f in body["feedback"]] == ["taobao"]


# -- audit ---------------------------------------------------------------------------------
def test_every_request_is_audited_with_who_asked_about_whom(api: Api) -> None:
    api.client.get(f"/v1/entities/biz:{XINGCHEN}", headers=api.officer)
    api.client.get("/v1/entities/biz:nothing", headers=api.officer)
    api.client.get("/v1/entities?q=星辰")
    rows = api.audit_rows()
    assert [(r["key_name"], r["scope"], r["subject"], r["status"]) for r in rows] == [
        ("zj-amr", "officer", f"biz:{XINGCHEN}", 200),
        ("zj-amr", "officer", "biz:nothing", 404),
        (None, None, None, 401),
    ]
    assert [(r["method"], r["path"]) for r in rows] == [
        ("GET", f"/v1/entities/biz:{XINGCHEN}"),
        ("GET", "/v1/entities/biz:nothing"),
        ("GET", "/v1/entities"),
    ]
    # Each row has its own request id and a measured duration (a number, not missing).
    assert len({r["request_id"] for r in rows}) == 3
    assert all(isinstance(r["duration_ms"], float) for r in rows)


def test_health_is_not_audited(api: Api) -> None:
    api.client.get("/healthz")
    assert api.audit_rows() == []


def test_person_ids_never_reach_the_audit_trail_or_logs(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    post_feedback(api, api.platform, kind="person", id=ZHANG_WEI_ID, action="applied")
    api.client.get("/v1/entities", params={"q": ZHANG_WEI_ID}, headers=api.officer)
    api.client.get(f"/v1/restrictions/person/{ZHANG_WEI_ID}", headers=api.platform)
    api.client.post(
        "/v1/restrictions/check",
        json={"kind": "person", "id": ZHANG_WEI_ID},
        headers=api.platform,
    )
    rows = api.audit_rows()
    assert rows
    assert any(str(r["subject"]).startswith("person:") for r in rows)
    assert ZHANG_WEI_ID not in repr(rows)
    api.state.audit.flush()
    raw = b"".join(p.read_bytes() for p in api.db.parent.glob(api.db.name + "*"))
    assert ZHANG_WEI_ID.encode() not in raw
    # The server's own logs (the test client, httpx, logs the URL it sent: that is the
    # platform's side of the wire).
    server_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert ZHANG_WEI_ID not in "\n".join(server_logs)


def test_access_log_filter_redacts_person_ids() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "127.0.0.1:5000",
            "GET",
            f"/v1/restrictions/person/{ZHANG_WEI_ID}?at=2024-01-01",
            "1.1",
            200,
        ),
        None,
    )
    RedactingFilter(TEST_KEY).filter(record)  # the key the app installs; alone, not by order
    assert ZHANG_WEI_ID not in record.getMessage()
    assert "/v1/restrictions/person/person:" in record.getMessage()
    assert redact_path(f"/v1/entities?q={ZHANG_WEI_ID}") == "/v1/entities?q=3301**********1237"
    assert redact_path("/v1/restrictions/person/E12345678") == "/v1/restrictions/person/[redacted]"
    assert redact_path(f"/v1/entities/biz:{XINGCHEN}") == f"/v1/entities/biz:{XINGCHEN}"


# -- OpenAPI -------------------------------------------------------------------------------
def test_openapi_documents_keys_problems_and_examples(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert "APIKeyHeader" in spec["components"]["securitySchemes"]
    assert "Problem" in spec["components"]["schemas"]
    verify_op = spec["paths"]["/v1/identity/verify"]["post"]
    assert "422" in verify_op["responses"]
    assert spec["components"]["schemas"]["IdentityVerifyIn"]["examples"]
    verify_out = spec["components"]["schemas"]["IdentityVerifyOut"]
    assert verify_out["examples"][0]["licence_checks"]
    assert {"licences", "licence_checks", "licences_present"} <= set(verify_out["properties"])


def test_formation_agents_are_for_officers_and_read_in_both_languages(api: Api) -> None:
    from tests.contract.test_agents_contract import _registry

    _registry(api.state.store)
    found = api.client.get("/v1/formation-agents", params={"at": "2025-06-30"}, headers=api.officer)
    assert found.status_code == 200
    first = found.json()[0]
    assert (first["agent_name"], first["address_text"], first["companies"]) == (
        "李代理",
        "幸福路1号",
        12,
    )
    assert "8 of them within 30 days" in first["reason_en"]
    assert api.client.get("/v1/formation-agents", headers=api.platform).status_code == 403
    bad = api.client.get("/v1/formation-agents?min_companies=1", headers=api.officer)
    assert bad.status_code == 422


def test_the_regional_overview_counts_by_city_and_month_and_drills_down(api: Api) -> None:
    page = api.client.get("/v1/overview?level=4&at=2025-06-30", headers=api.officer)
    assert page.status_code == 200, page.text
    body = page.json()
    cells = {(c["region"], c["month"]): c["counts"] for c in body["cells"]}
    # the sample: ZJ-2024-0001 (余杭, 330110, 2024-03) and ZJ-2024-0002 (省局, 330000, 2024-06)
    assert cells[("3301", "2024-03")]["listings"] == 1
    assert cells[("3300", "2024-06")]["listings"] == 1
    assert body["totals"]["listings"] == 2
    assert body["totals"]["restrictions"] > body["totals"]["listings"]
    drill = api.client.get(
        "/v1/overview/entities",
        params={"region": "3300", "month": "2024-06", "kind": "listings", "at": "2025-06-30"},
        headers=api.officer,
    ).json()
    assert drill["total"] == 1
    assert drill["entities"][0]["name"] == "杭州星辰贸易有限公司"
    assert api.client.get("/v1/overview", headers=api.platform).status_code == 403
    assert api.client.get("/v1/overview?level=3", headers=api.officer).status_code == 422
