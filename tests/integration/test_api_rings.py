"""``/v1/rings/accounts`` and ``/v1/rings/stores`` through ``TestClient``: every account and
store with orders has a calibrated brushing score an officer can rank and read the reasons of."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.brushing import service
from api.app import create_app
from api.deps import ApiState
from graph.config import Settings
from graph.store import GraphStore
from tests.contract.test_rings_contract import write_market

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@dataclass
class Api:
    client: TestClient
    officer: dict[str, str]
    member: dict[str, str]
    ring_accounts: set[str]


@pytest.fixture
def api(embedded_store: GraphStore, settings: Settings) -> Iterator[Api]:
    _, planted = write_market(embedded_store, reviews=True)
    service.detect(embedded_store)
    app = create_app(settings, embedded_store)
    with TestClient(app) as client:
        state: ApiState = app.state.credgraph
        officer = {"X-API-Key": state.keys.create("zj-amr", "officer").token}
        member = {"X-API-Key": state.keys.create("a", "brand", brands=["brand:A"]).token}
        yield Api(client, officer, member, set().union(*planted))


def test_officers_rank_accounts_by_score_with_reasons_in_both_languages(api: Api) -> None:
    n = len(api.ring_accounts)
    page = api.client.get(f"/v1/rings/accounts?limit={n}", headers=api.officer)
    assert page.status_code == 200
    body = page.json()
    assert {item["uid"] for item in body["items"]} == api.ring_accounts
    rest = api.client.get(body["next"], headers=api.officer).json()
    assert rest["items"]
    assert not {item["uid"] for item in rest["items"]} & api.ring_accounts
    assert rest["items"][0]["score"] <= body["items"][-1]["score"]
    first = body["items"][0]
    assert first["score"] >= 0.9
    assert first["reasons"][0]["code"].startswith("brushing_account_")
    assert first["reasons"][0]["text_zh"]
    assert first["reasons"][0]["text_en"]
    one = api.client.get(f"/v1/rings/accounts/{first['uid']}", headers=api.officer)
    assert one.json() == first
    bare = first["uid"].removeprefix("account:")
    assert api.client.get(f"/v1/rings/accounts/{bare}", headers=api.officer).json() == first


def test_stores_are_scored_and_filtered_by_minimum_score(api: Api) -> None:
    high = api.client.get("/v1/rings/stores?min_score=0.9&limit=200", headers=api.officer).json()
    assert high["items"]
    assert all(item["score"] >= 0.9 for item in high["items"])
    uid = high["items"][0]["uid"]
    assert api.client.get(f"/v1/rings/stores/{uid}", headers=api.officer).json()["uid"] == uid


def test_unscored_entities_are_not_found_and_members_are_refused(api: Api) -> None:
    missing = api.client.get("/v1/rings/accounts/account:tb:nobody", headers=api.officer)
    assert missing.status_code == 404
    assert api.client.get("/v1/rings/accounts", headers=api.member).status_code == 403
    bad = api.client.get("/v1/rings/stores?min_score=2", headers=api.officer)
    assert bad.status_code == 422
    by_offset = api.client.get("/v1/rings/accounts?offset=10", headers=api.officer)
    assert by_offset.status_code == 422
