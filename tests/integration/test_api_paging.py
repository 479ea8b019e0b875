"""Keyset paging through the HTTP API (embedded store): following ``next`` walks a list of
several pages and yields every row once, in order; the deep offsets that crashed the
server (``offset=9999`` on a brand's reports, shells and rings) are refused with 422, and
so is a cursor the list did not issue."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from graph.config import Settings
from graph.store import GraphStore
from tests.contract.test_keyset_paging_contract import BRAND, N, _plant

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@dataclass
class Api:
    client: TestClient
    officer: dict[str, str]
    brand: dict[str, str]


@pytest.fixture
def api(embedded_store: GraphStore, settings: Settings) -> Iterator[Api]:
    _plant(embedded_store)
    app = create_app(settings, embedded_store)
    with TestClient(app) as client:
        keys = app.state.credgraph.keys
        yield Api(
            client,
            {"X-API-Key": keys.create("officer", "officer").token},
            {"X-API-Key": keys.create("brand-p", "brand", brands=[BRAND]).token},
        )


def _walk(api: Api, path: str, headers: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    url: str | None = path
    pages = 0
    while url is not None:
        response = api.client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        url = body["next"]
        pages += 1
        assert pages <= N, "next never ended"
    return items, pages


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/v1/shells?limit=3", "officer"),
        ("/v1/rings?limit=3", "officer"),
        ("/v1/brands?limit=3", "officer"),
        (f"/v1/brands/{BRAND}/reports?limit=3", "brand"),
    ],
)
def test_following_next_yields_every_row_once(api: Api, path: str, who: str) -> None:
    headers = api.officer if who == "officer" else api.brand
    items, pages = _walk(api, path, headers)
    uids = [item["uid"] for item in items]
    assert len(uids) == len(set(uids))
    assert len(uids) == (N + 1 if path.startswith("/v1/brands?") else N)
    assert pages == 4
    # the walk equals one page holding everything
    whole = api.client.get(path.replace("limit=3", "limit=100"), headers=headers).json()
    assert [item["uid"] for item in whole["items"]] == uids
    assert whole["next"] is None


@pytest.mark.parametrize(
    ("path", "who"),
    [
        (f"/v1/brands/{BRAND}/reports?offset=9999", "brand"),
        ("/v1/shells?offset=9999", "officer"),
        ("/v1/shells?offset=10000", "officer"),
        ("/v1/rings?offset=9999", "officer"),
        ("/v1/brands?offset=9999", "officer"),
    ],
)
def test_the_offsets_that_crashed_the_server_are_refused(api: Api, path: str, who: str) -> None:
    response = api.client.get(path, headers=api.officer if who == "officer" else api.brand)
    assert response.status_code == 422
    assert "offset" in response.text
    assert api.client.get("/v1/rings", headers=api.officer).status_code == 200


@pytest.mark.parametrize(
    "cursor",
    ["x", "a.b", "e30.AAAAAAAAAAA", "not a cursor", "Zm9v." + "A" * 600],
)
def test_a_malformed_cursor_is_422_never_500(api: Api, cursor: str) -> None:
    for path in ("/v1/shells", "/v1/rings", f"/v1/brands/{BRAND}/reports"):
        headers = api.brand if "brands" in path else api.officer
        response = api.client.get(path, params={"cursor": cursor}, headers=headers)
        assert response.status_code == 422, (path, cursor, response.text)
        assert "cursor" in response.text


def test_a_cursor_from_another_list_is_422(api: Api) -> None:
    rings = api.client.get("/v1/rings?limit=3", headers=api.officer).json()
    assert rings["next"] is not None
    cursor = rings["next"].split("cursor=")[1]
    response = api.client.get("/v1/shells", params={"cursor": cursor}, headers=api.officer)
    assert response.status_code == 422
