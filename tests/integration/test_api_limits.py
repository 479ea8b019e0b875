"""Limits through ``TestClient`` on the embedded store: body sizes per endpoint (413 before
parsing), 4xx for malformed paths and parameters, webhook URLs, listing dates, identifiers
read the way ingest reads them, and a brand report's complainant taken from the key."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning
from starlette.types import Message, Receive, Scope, Send

from algorithms.propagation import service
from api.app import create_app
from api.limits import RequestLimitMiddleware
from graph.config import Settings
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

MB = 1_000_000
ZWSP = "\u200b"


@dataclass
class Api:
    client: TestClient
    officer: dict[str, str]
    platform: dict[str, str]
    brand: dict[str, str]


@pytest.fixture
def api(embedded_store: GraphStore, settings: Settings, tmp_path: Path) -> Iterator[Api]:
    ingest_directory(
        embedded_store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    service.propagate_store(embedded_store, full=True)
    limited = settings.model_copy(update={"webhook_delivery": False})
    app = create_app(limited, embedded_store)
    with TestClient(app) as client:
        keys = app.state.credgraph.keys

        def h(name: str, scope: str, **kw: Any) -> dict[str, str]:
            return {"X-API-Key": keys.create(name, scope, **kw).token}

        officer = h("zj-amr", "officer")
        client.post(
            "/v1/brands/members",
            headers=officer,
            json={"member_id": "xc-alliance", "name": "星辰联盟", "brands": ["XC"]},
        ).raise_for_status()
        yield Api(
            client,
            officer,
            h("taobao", "platform"),
            h("xc", "brand", brands=["member:xc-alliance"]),
        )


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


# -- body size -------------------------------------------------------------------------------
def test_a_110_mb_batch_and_a_110_mb_csv_are_refused_with_413(api: Api) -> None:
    big = b'{"items": [' + b" " * (110 * MB) + b"]}"
    batch = api.client.post(
        "/v1/restrictions/batch",
        content=big,
        headers={**api.platform, "Content-Type": "application/json"},
    )
    assert "limit" in _problem(batch, 413)["detail"]
    csv = b"store_id,brand_id,evidence\n" + b"taobao:1,XC,x\n" * (110 * MB // 14)
    bulk = api.client.post(
        "/v1/brands/reports/bulk", content=csv, headers={**api.brand, "Content-Type": "text/csv"}
    )
    _problem(bulk, 413)
    # the server goes on answering
    assert api.client.get("/v1/restrictions/store/taobao:100234", headers=api.platform).is_success


def test_each_endpoint_has_its_own_limit(embedded_store: GraphStore, settings: Settings) -> None:
    small = settings.model_copy(
        update={"webhook_delivery": False, "max_body_bytes": 2_048, "max_batch_body_bytes": 64_000}
    )
    app = create_app(small, embedded_store)
    with TestClient(app) as client:
        platform = {"X-API-Key": app.state.credgraph.keys.create("p", "platform").token}
        items = [{"kind": "store", "id": f"taobao:{i}"} for i in range(500)]  # ~20 KB
        batch = client.post("/v1/restrictions/batch", json={"items": items}, headers=platform)
        assert batch.status_code == 200, batch.text
        one = client.post(
            "/v1/restrictions/check",
            json={"kind": "store", "id": "taobao:1", "pad": "x" * 4_000},
            headers=platform,
        )
        _problem(one, 413)


def test_a_chunked_body_is_refused_once_the_count_passes_the_limit() -> None:
    """Straight through the middleware: a body without Content-Length is read only until
    it passes the limit, and the application never sees it."""
    reached: list[bool] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(True)

    chunk, pulled = b"x" * MB, [0]

    async def receive() -> Message:
        pulled[0] += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled[0] < 110}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = RequestLimitMiddleware(app, default=1_000, per_endpoint={("POST", "/x"): 3 * MB})
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "query_string": b"",
        "headers": [(b"transfer-encoding", b"chunked")],
        "root_path": "",
        "scheme": "http",
        "server": ("test", 80),
    }
    asyncio.run(middleware(scope, receive, send))
    assert sent[0]["status"] == 413
    assert reached == []
    assert pulled[0] == 4  # 4 MB read of 110, then refused


# -- malformed paths and parameters ----------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/console/static/%00", 400),
        ("/console/static/js/%00.js", 400),
        ("/console/static/%0d%0aSet-Cookie:x", 400),
        ("/console/static/..%2f..%2f..%2fetc%2fpasswd", 404),
        ("/console/static/" + "a" * 300, 404),
        ("/v1/entities/%00", 400),
        ("/v1/entities?q=%00", 400),
        ("/v1/entities/" + "b" * 5_000, 414),
    ],
)
def test_malformed_paths_answer_4xx_and_keep_the_connection_usable(
    api: Api, path: str, status: int
) -> None:
    _problem(api.client.get(path, headers=api.officer), status)
    assert api.client.get("/console/static/js/api.js").status_code == 200


# -- webhook URLs ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://localhost./hook",
        "http://224.0.0.1/",
        "http://2130706433/",
        "http://[::ffff:127.0.0.1]/",
        "https://admin:s3cr3t-pw@hooks.example.com/x",
    ],
)
def test_webhook_urls_to_private_hosts_or_with_credentials_are_refused(api: Api, url: str) -> None:
    response = api.client.post("/v1/webhooks", json={"url": url}, headers=api.platform)
    assert _problem(response, 422)["field"] == "url"
    assert "s3cr3t" not in response.text
    listed = api.client.get("/v1/webhooks", headers=api.platform).json()
    assert listed["items"] == []


# -- listing dates ---------------------------------------------------------------------------
def test_a_listing_expiring_before_its_decision_is_refused(api: Api) -> None:
    body = {
        "listing_id": "ZJ-2025-0900",
        "kind": "business",
        "id": "91330106MA2AAAAA28",
        "list_type": "abnormal_operation",
        "decided": "2025-06-01",
        "expires": "2025-05-31",
    }
    response = api.client.post("/v1/listings", json=body, headers=api.officer)
    assert _problem(response, 422)["field"] == "expires"
    preview = api.client.post(
        "/console/api/listings/preview",
        json={"action": "add", "listing": body},
        headers=api.officer,
    )
    assert _problem(preview, 422)["field"] == "expires"
    body["expires"] = "2025-06-01"
    assert api.client.post("/v1/listings", json=body, headers=api.officer).status_code == 201


# -- identifiers -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spelling",
    ["taobao:100234", "TAOBAO:100234", f"taobao:100234{ZWSP}", "ＴＡＯＢＡＯ：１００２３４"],
)
def test_a_store_is_found_however_its_id_is_written(api: Api, spelling: str) -> None:
    checked = api.client.get(f"/v1/restrictions/store/{spelling}", headers=api.platform)
    assert checked.json()["found"] is True, checked.text
    body = api.client.post(
        "/v1/restrictions/check", json={"kind": "store", "id": spelling}, headers=api.platform
    )
    assert body.json()["found"] is True
    profile = api.client.get(f"/v1/entities/store:{spelling}", headers=api.officer)
    assert profile.status_code == 200, profile.text
    assert profile.json()["entity"]["uid"] == "store:taobao:100234"
    filed = api.client.post(
        "/v1/brands/XC/reports",
        json={"store_id": spelling, "evidence": "test purchase"},
        headers=api.brand,
    )
    assert filed.status_code == 201, filed.text
    report = api.client.get(f"/v1/brands/reports/{filed.json()['filed'][0]}", headers=api.brand)
    assert report.json()["store"] == "store:taobao:100234"


@pytest.mark.parametrize(
    "spelling", ["91330106MA2AAAAA28", "9133-0106-MA2A-AAAA-28", f"91330106ma2aaaaa28{ZWSP}"]
)
def test_a_business_is_found_however_its_uscc_is_written(api: Api, spelling: str) -> None:
    checked = api.client.get(f"/v1/restrictions/business/{spelling}", headers=api.platform)
    assert checked.json()["found"] is True, checked.text
    profile = api.client.get(f"/v1/entities/biz:{spelling}", headers=api.officer)
    assert profile.status_code == 200, profile.text


@pytest.mark.parametrize("text", ["330100-19800101-1237", "330100198001011237", "9133-0106"])
def test_an_id_where_a_uid_belongs_is_422_not_404(api: Api, text: str) -> None:
    response = api.client.get(f"/v1/entities/{text}", headers=api.officer)
    problem = _problem(response, 422)
    assert problem["field"] == "uid"
    assert "19800101" not in problem["detail"]  # (`instance` is the redaction's to clean)


def test_a_person_with_dashes_is_the_same_person(api: Api) -> None:
    plain = api.client.post(
        "/v1/restrictions/check",
        json={"kind": "person", "id": "330100198001011237"},
        headers=api.platform,
    ).json()
    dashed = api.client.post(
        "/v1/restrictions/check",
        json={"kind": "person", "id": "330100-19800101-1237"},
        headers=api.platform,
    ).json()
    assert plain["found"] is True
    assert dashed["ref"] == plain["ref"]


# -- complainant -----------------------------------------------------------------------------
def test_a_brand_key_files_as_its_member_and_cannot_name_another(api: Api) -> None:
    report = {"store_id": "taobao:100234", "evidence": "test purchase"}
    impersonating = api.client.post(
        "/v1/brands/XC/reports",
        json={**report, "complainant": "浙江省市场监督管理局"},
        headers=api.brand,
    )
    assert _problem(impersonating, 422)["field"] == "complainant"
    csv = "store_id,brand_id,evidence,complainant\ntaobao:100234,XC,x,member:someone-else\n"
    bulk = api.client.post(
        "/v1/brands/reports/bulk", content=csv, headers={**api.brand, "Content-Type": "text/csv"}
    )
    problem = _problem(bulk, 422)
    assert problem["field"] == "complainant"
    assert "row 2" in problem["detail"]
    filed = api.client.post("/v1/brands/XC/reports", json=report, headers=api.brand)
    assert filed.status_code == 201, filed.text
    uid = filed.json()["filed"][0]
    got = api.client.get(f"/v1/brands/reports/{uid}", headers=api.brand).json()
    assert got["complainant"] == "member:xc-alliance"
    as_member = api.client.post(
        "/v1/brands/XC/reports",
        json={**report, "complainant": "member:xc-alliance"},
        headers=api.brand,
    )
    assert as_member.status_code == 201


def test_an_officer_may_record_a_complaint_on_someones_behalf(api: Api) -> None:
    filed = api.client.post(
        "/v1/brands/XC/reports",
        json={"store_id": "taobao:100234", "evidence": "phoned in", "complainant": "消费者"},
        headers=api.officer,
    )
    assert filed.status_code == 201, filed.text
    uid = filed.json()["filed"][0]
    got = api.client.get(f"/v1/brands/reports/{uid}", headers=api.officer).json()
    assert got["complainant"] == "消费者"


# -- lists ranked in memory page by cursor too ----------------------------------------------
def test_search_pages_by_cursor_and_a_bad_cursor_is_422(api: Api) -> None:
    whole = api.client.get("/v1/entities", params={"q": "星辰", "limit": 100}, headers=api.officer)
    everything = [h["entity"]["uid"] for h in whole.json()["items"]]
    assert len(everything) > 2
    seen: list[str] = []
    url: str | None = "/v1/entities?q=星辰&limit=1"
    while url is not None:
        page = api.client.get(url, headers=api.officer).json()
        seen.extend(h["entity"]["uid"] for h in page["items"])
        url = page["next"]
        assert url is None or "cursor=" in url
        assert len(seen) <= len(everything)
    assert seen == everything
    bad = api.client.get(
        "/v1/entities", params={"q": "星辰", "cursor": "e30.AAAAAAAAAAA"}, headers=api.officer
    )
    assert _problem(bad, 422)["field"] == "cursor"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/feedback?subject=330100198001011237",
        "/v1/entities/330100198001011237/network",
        "/v1/entities/330100198001011237/restrictions",
        "/console/api/entities/330100198001011237/explanation",
    ],
)
def test_a_bare_id_number_is_not_a_uid_anywhere(api: Api, path: str) -> None:
    response = api.client.get(path, headers=api.officer)
    problem = _problem(response, 422)
    assert problem["field"] in ("uid", "subject")
    assert "330100198001011237" not in problem["detail"]
