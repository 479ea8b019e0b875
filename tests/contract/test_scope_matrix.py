"""Every route of the OpenAPI document against every kind of key, on both stores.

The routes come from the application's own OpenAPI document, so a route added without an
entry in ``ACCESS`` fails :func:`test_every_route_has_an_access_rule`. Kinds of caller:
no key, an officer, a platform, a brand key acting for brand A, and a brand key acting for
brand B asking about brand A ("wrong brand"). Expected answers:

- refused callers get exactly 401 (no key) or 403 (a key of the wrong scope or brand);
  a report of another brand is 404, as if it did not exist;
- admitted callers are never 401 or 403 (a missing resource may be 404, an empty body 422);
  on routes naming brand A the brand key is answered with 2xx;
- nothing answers 5xx.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from graph.config import Settings
from graph.store import GraphStore
from tests.contract.test_brands_contract import build

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

CALLERS = ("none", "officer", "platform", "brand", "wrong_brand")


class Access(Enum):
    """Who a route admits; each value is the expected answer per caller, in CALLERS order."""

    PUBLIC = ("ok", "ok", "ok", "ok", "ok")
    ANY_KEY = (401, "ok", "ok", "ok", "ok")  # any known key, whatever its scope
    PLATFORM = (401, "ok", "ok", 403, 403)  # platform checks; officers may read them too
    PLATFORM_ONLY = (401, 403, "ok", 403, 403)
    OFFICER = (401, "ok", 403, 403, 403)
    BRAND = (401, "ok", 403, "ok", "ok")  # each brand key sees its own brands
    BRAND_A = (401, "ok", 403, "2xx", 403)  # the path or the rows name brand A
    BRAND_A_REPORT = (401, "ok", 403, "2xx", 404)  # another brand's report does not exist


P, OFF, B = Access.PLATFORM, Access.OFFICER, Access.BRAND
ACCESS: dict[tuple[str, str], Access] = {
    ("GET", "/healthz"): Access.PUBLIC,
    ("GET", "/readyz"): Access.PUBLIC,
    ("GET", "/v1/restrictions/{kind}/{id}"): P,
    ("POST", "/v1/restrictions/check"): P,
    ("POST", "/v1/restrictions/batch"): P,
    ("GET", "/v1/changes"): P,
    ("POST", "/v1/webhooks"): P,
    ("GET", "/v1/webhooks"): P,
    ("GET", "/v1/webhooks/{webhook_id}"): P,
    ("DELETE", "/v1/webhooks/{webhook_id}"): P,
    ("POST", "/v1/webhooks/{webhook_id}/enable"): P,
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): P,
    ("POST", "/v1/webhooks/{webhook_id}/test"): P,
    ("POST", "/v1/feedback"): Access.PLATFORM_ONLY,
    ("GET", "/v1/feedback"): P,
    ("POST", "/v1/identity/verify"): P,
    ("GET", "/v1/entities/{uid}/restrictions"): OFF,
    ("GET", "/v1/entities"): OFF,
    ("GET", "/v1/entities/{uid}"): OFF,
    ("GET", "/v1/entities/{uid}/network"): OFF,
    ("GET", "/v1/paths"): OFF,
    ("GET", "/v1/entities/{uid}/ownership"): OFF,
    ("POST", "/v1/listings"): OFF,
    ("POST", "/v1/listings/{listing_uid}/removal"): OFF,
    ("POST", "/v1/listings/{listing_uid}/repair"): OFF,
    ("GET", "/v1/shells"): OFF,
    ("GET", "/v1/shells/{cluster_id}"): OFF,
    ("POST", "/v1/shells/{cluster_id}/review"): OFF,
    ("GET", "/v1/rings"): OFF,
    ("GET", "/v1/rings/{ring_id}"): OFF,
    ("GET", "/v1/rings/accounts"): OFF,
    ("GET", "/v1/rings/accounts/{uid}"): OFF,
    ("GET", "/v1/rings/stores"): OFF,
    ("GET", "/v1/rings/stores/{uid}"): OFF,
    ("POST", "/v1/rings/{ring_id}/confirm"): OFF,
    ("POST", "/v1/rings/{ring_id}/dismiss"): OFF,
    ("GET", "/v1/rings/{ring_id}/confirm/preview"): OFF,
    ("POST", "/v1/listings/preview"): OFF,
    ("GET", "/v1/shells/{cluster_id}/review/preview"): OFF,
    ("GET", "/v1/approvals"): OFF,
    ("GET", "/v1/approvals/{approval_id}"): OFF,
    ("POST", "/v1/approvals/{approval_id}/approve"): OFF,
    ("POST", "/v1/approvals/{approval_id}/reject"): OFF,
    ("GET", "/v1/brands"): B,
    ("GET", "/v1/brands/members"): B,
    ("POST", "/v1/brands/members"): OFF,
    ("GET", "/v1/brands/complainants"): B,
    ("GET", "/v1/brands/repeat-infringers"): B,
    ("POST", "/v1/brands/repeat-infringers/{actor}/listing"): OFF,
    ("POST", "/v1/brands/repeat-infringers/{actor}/listing/preview"): OFF,
    ("POST", "/v1/brands/reports/bulk"): Access.BRAND_A,
    ("GET", "/v1/brands/reports/{report}"): Access.BRAND_A_REPORT,
    ("POST", "/v1/brands/reports/{report}/decision"): OFF,
    ("GET", "/v1/brands/{brand}"): Access.BRAND_A,
    ("GET", "/v1/brands/{brand}/reports"): Access.BRAND_A,
    ("POST", "/v1/brands/{brand}/reports"): Access.BRAND_A,
    ("GET", "/v1/brands/{brand}/links"): Access.BRAND_A,
    ("GET", "/v1/brands/{brand}/repeat-infringers"): Access.BRAND_A,
    ("POST", "/v1/watches"): P,
    ("GET", "/v1/watches"): P,
    ("DELETE", "/v1/watches/{watch_id}"): P,
    ("GET", "/v1/alerts"): P,
    ("POST", "/v1/alerts/scan"): OFF,
    ("GET", "/v1/alerts/events"): P,
    ("POST", "/v1/alerts/{alert_id}"): P,
    ("POST", "/v1/objections"): P,  # officers, and platforms for their own stores
    ("GET", "/v1/objections"): P,  # a platform sees the ones it filed
    ("GET", "/v1/objections/{objection_id}"): P,
    ("POST", "/v1/objections/{objection_id}/decision"): OFF,
    ("GET", "/v1/formation-agents"): OFF,
    ("GET", "/v1/overview"): OFF,
    ("GET", "/v1/overview/entities"): OFF,
    ("GET", "/v1/decisions/tree-head"): Access.ANY_KEY,
    ("GET", "/v1/decisions/tree-heads"): Access.ANY_KEY,
    ("GET", "/v1/decisions/consistency"): Access.ANY_KEY,
    ("GET", "/v1/decisions/{seq}/proof"): P,
    ("GET", "/v1/decisions"): OFF,
    ("POST", "/v1/evidence"): B,
    ("GET", "/v1/evidence"): B,
    ("GET", "/v1/evidence/{sha256}"): B,
    ("GET", "/console/api/me"): B,
    ("GET", "/console/api/meta"): OFF,
    ("GET", "/console/api/entities/{uid}/explanation"): OFF,
    ("POST", "/console/api/restricted"): OFF,
    ("POST", "/console/api/listings/preview"): OFF,
    ("GET", "/console/api/entities/{uid}/expand"): OFF,
    ("GET", "/console/api/entities/{uid}/neighbours"): OFF,
    ("POST", "/console/api/names"): OFF,
    ("POST", "/console/api/edges"): OFF,
    ("POST", "/console/api/reasons"): OFF,
    ("POST", "/console/api/shared"): OFF,
    ("GET", "/console/api/alerts"): OFF,
    ("GET", "/console/api/cases"): OFF,
    ("POST", "/console/api/cases"): OFF,
    ("GET", "/console/api/cases/{case_id}"): OFF,
    ("PUT", "/console/api/cases/{case_id}"): OFF,
    ("GET", "/console/api/cases/{case_id}/report"): OFF,
    ("GET", "/console/api/brands/{brand}/links"): Access.BRAND_A,
}

#: Path parameters: things of the planted brand market (tests/contract/test_brands_contract).
PATH_VALUES = {
    "kind": "business",
    "id": "OP",
    "uid": "biz:OP",
    "webhook_id": "wh_0000000000000000",
    "listing_uid": "listing:none",
    "cluster_id": "shell:0000000000000000",
    "ring_id": "ring:0000000000000000",
    "actor": "biz:OP",
    "report": "report:r1",  # brand A's
    "brand": "A",
    "watch_id": "1",
    "alert_id": "1",
    "objection_id": "1",
    "approval_id": "1",
    "seq": "1",
    "sha256": "0" * 64,
    "case_id": "case-0123456789ab",
}
_ids = itertools.count()


def _request(method: str, path: str) -> dict[str, Any]:
    """Arguments for ``TestClient.request``: a valid body where the route checks scope or
    brand after reading the body (so that only the key decides), empty JSON elsewhere."""
    if path == "/v1/brands/reports/bulk":
        rows = f"report_id,store_id,brand_id,evidence\nm{next(_ids)},taobao:1,A,photo\n"
        return {"content": rows.encode(), "headers": {"Content-Type": "text/csv"}}
    if path == "/v1/feedback" and method == "POST":  # the scope is checked after the body
        return {"json": {"kind": "business", "id": "OP", "action": "applied"}}
    if path == "/v1/brands/{brand}/reports" and method == "POST":
        return {"json": {"report_id": f"m{next(_ids)}", "store_id": "taobao:1", "evidence": "x"}}
    return {"json": {}} if method in ("POST", "PUT", "PATCH") else {}


@dataclass
class Callers:
    client: TestClient
    headers: dict[str, dict[str, str]]
    operations: list[tuple[str, str]]


@pytest.fixture
def callers(store: GraphStore, settings: Settings, tmp_path: Path) -> Iterator[Callers]:
    build(store)
    app = create_app(settings, store, api_db=tmp_path / "api.sqlite3")
    with TestClient(app) as client:
        keys = app.state.credgraph.keys
        # Limits high enough that 250 quick requests never meet a 429.
        fast = {"rate": 10_000.0, "burst": 10_000}
        tokens = {
            "officer": keys.create("zj-amr", "officer", **fast).token,
            "platform": keys.create("taobao", "platform", **fast).token,
            "brand": keys.create("a", "brand", brands=["brand:A"], **fast).token,
            "wrong_brand": keys.create("b", "brand", brands=["brand:B"], **fast).token,
        }
        headers: dict[str, dict[str, str]] = {"none": {}}
        headers |= {k: {"X-API-Key": t} for k, t in tokens.items()}
        document = client.get("/openapi.json").json()
        operations = [
            (method.upper(), path)
            for path, ops in document["paths"].items()
            for method in ops
            if method in ("get", "post", "put", "patch", "delete")
        ]
        yield Callers(client, headers, operations)


def test_every_route_has_an_access_rule(callers: Callers) -> None:
    assert sorted(callers.operations) == sorted(ACCESS)


def test_each_kind_of_key_gets_what_its_scope_allows(callers: Callers) -> None:
    wrong: list[str] = []
    for method, path in callers.operations:
        expected = dict(zip(CALLERS, ACCESS[(method, path)].value, strict=True))
        url = path.format(**PATH_VALUES)
        for caller in CALLERS:
            args = _request(method, path)
            headers = {**callers.headers[caller], **args.pop("headers", {})}
            got = callers.client.request(method, url, headers=headers, **args).status_code
            want = expected[caller]
            good = (
                got < 500
                and (got not in (401, 403, 429) if want == "ok" else True)
                and (200 <= got < 300 if want == "2xx" else True)
                and (got == want if isinstance(want, int) else True)
            )
            if not good:
                wrong.append(f"{method} {url} as {caller}: {got}, expected {want}")
    assert wrong == []
