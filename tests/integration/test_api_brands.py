"""``/v1/brands`` through ``TestClient``: scope enforcement, filing, decisions, links; and
precision/recall of links and repeat infringers on a generated counterfeit network."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.brands.core import LinkParams, infringement_links, repeat_infringers
from algorithms.brands.service import BrandScope, load_network
from api.app import create_app
from api.deps import ApiState
from graph.config import Settings
from graph.embedded_store import EmbeddedStore
from graph.identity import person_uid
from graph.store import GraphStore
from ingest.generate import generate
from ingest.pipeline import ingest_directory
from tests.conftest import TEST_KEY
from tests.contract.test_brands_contract import build

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@dataclass
class Api:
    client: TestClient
    state: ApiState
    officer: dict[str, str]
    member_a: dict[str, str]
    member_b: dict[str, str]


@pytest.fixture
def api(embedded_store: GraphStore, settings: Settings) -> Iterator[Api]:
    build(embedded_store)
    app = create_app(settings, embedded_store)
    with TestClient(app) as client:
        state: ApiState = app.state.credgraph
        keys = state.keys

        def h(token: str) -> dict[str, str]:
            return {"X-API-Key": token}

        officer = h(keys.create("zj-amr", "officer").token)
        # member A's key names the member; its brands come from ACTS_FOR in the graph
        client.post(
            "/v1/brands/members",
            headers=officer,
            json={"member_id": "alliance-a", "name": "甲联盟", "brands": ["A"]},
        ).raise_for_status()
        yield Api(
            client,
            state,
            officer,
            h(keys.create("a", "brand", brands=["member:alliance-a"]).token),
            h(keys.create("b", "brand", brands=["brand:B"]).token),
        )


@pytest.mark.parametrize(
    "path",
    [
        "/v1/brands/brand:B",
        "/v1/brands/B/reports",
        "/v1/brands/brand:B/links",
        "/v1/brands/brand:B/repeat-infringers",
    ],
)
def test_a_member_asking_about_another_brand_is_refused(api: Api, path: str) -> None:
    response = api.client.get(path, headers=api.member_a)
    assert response.status_code == 403
    assert "store:" not in response.text


def test_another_brands_report_is_not_found(api: Api) -> None:
    assert api.client.get("/v1/brands/reports/r9", headers=api.member_a).status_code == 404
    assert api.client.get("/v1/brands/reports/r9", headers=api.member_b).status_code == 200
    assert api.client.get("/v1/brands/reports/r1", headers=api.member_b).status_code == 404


def test_lists_hold_only_the_members_brands(api: Api) -> None:
    brands = api.client.get("/v1/brands", headers=api.member_a).json()
    assert [b["uid"] for b in brands["items"]] == ["brand:A"]
    assert brands["next"] is None
    ranked = api.client.get("/v1/brands/repeat-infringers", headers=api.member_b).json()
    assert all("store:taobao:1" not in x["stores"] for x in ranked["items"])
    reps = api.client.get("/v1/brands/complainants", headers=api.member_a).json()
    assert {r["complainant"] for r in reps} == {"alliance-A"}
    assert reps[0]["confirmed"] is None  # counts are for officers
    officer = api.client.get("/v1/brands", headers=api.officer).json()
    assert {b["uid"] for b in officer["items"]} == {"brand:A", "brand:B"}


def test_links_page_with_paths(api: Api) -> None:
    page = api.client.get("/v1/brands/A/links", params={"limit": 3}, headers=api.member_a).json()
    assert page["total"] == 5
    assert page["has_more"] is True
    assert len(page["items"]) == 3
    first = page["items"][0]
    assert first["paths"][0]["nodes"][0].startswith("report:")
    assert first["evidence"]
    rest = api.client.get(page["next"], headers=api.member_a).json()
    assert [x["store"] for x in rest["items"]] == [
        x["store"]
        for x in api.client.get(
            "/v1/brands/A/links", params={"limit": 10}, headers=api.member_a
        ).json()["items"][3:]
    ]
    assert rest["next"] is None
    assert rest["has_more"] is False


def test_file_single_and_bulk_then_decide(api: Api) -> None:
    single = api.client.post(
        "/v1/brands/A/reports",
        headers=api.member_a,
        json={"store_id": "douyin:4", "evidence": "test purchase", "evidence_sha256": "c" * 64},
    )
    assert single.status_code == 201, single.text
    uid = single.json()["filed"][0]
    got = api.client.get(f"/v1/brands/reports/{uid}", headers=api.member_a).json()
    assert (got["status"], got["complainant"]) == ("pending", "member:alliance-a")
    refused = api.client.post(
        "/v1/brands/B/reports",
        headers=api.member_a,
        json={"store_id": "douyin:4", "evidence": "x"},
    )
    assert refused.status_code == 403
    csv_text = "report_id,store_id,brand_id,evidence\nb1,taobao:5,A,photo\nb2,douyin:4,A,chat\n"
    bulk = api.client.post(
        "/v1/brands/reports/bulk",
        headers={**api.member_a, "Content-Type": "text/csv"},
        content=csv_text.encode(),
    )
    assert bulk.status_code == 201, bulk.text
    assert bulk.json()["filed"] == ["report:b1", "report:b2"]
    other = "report_id,store_id,brand_id,evidence\nb3,taobao:5,B,photo\n"
    assert (
        api.client.post(
            "/v1/brands/reports/bulk",
            headers={**api.member_a, "Content-Type": "text/csv"},
            content=other.encode(),
        ).status_code
        == 403
    )
    # only officers decide
    decision = {"status": "countered", "counter_notice": "licensed reseller"}
    assert (
        api.client.post(
            "/v1/brands/reports/b1/decision", headers=api.member_a, json=decision
        ).status_code
        == 403
    )
    decided = api.client.post("/v1/brands/reports/b1/decision", headers=api.officer, json=decision)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "countered"
    bad = api.client.post(
        "/v1/brands/reports/b1/decision", headers=api.officer, json={"status": "rejected"}
    )
    assert bad.status_code == 422


def test_listing_a_confirmed_repeat_infringer(api: Api) -> None:
    body = {"listing_id": "RI-9", "decided": "2025-01-01"}
    denied = api.client.post(
        "/v1/brands/repeat-infringers/biz:OP/listing", headers=api.member_a, json=body
    )
    assert denied.status_code == 403
    done = api.client.post(
        "/v1/brands/repeat-infringers/biz:OP/listing", headers=api.officer, json=body
    )
    assert done.status_code == 201, done.text


def test_listing_a_repeat_infringer_is_previewed_by_name_first(api: Api) -> None:
    url = "/v1/brands/repeat-infringers/biz:OP/listing"
    body = {"listing_id": "RI-9", "decided": "2025-01-01"}
    preview = api.client.post(f"{url}/preview", headers=api.officer, json=body)
    assert preview.status_code == 200, preview.text
    seen = preview.json()
    # a business listed as a repeat infringer: the rules reach it alone (its stores are
    # reached when a store is listed), so no second officer is needed
    assert (seen["subjects"], seen["needs_approval"]) == (1, False)
    (rule,) = seen["rules"]
    assert rule["names"] == [{"name": "某公司", "kind_zh": "企业", "kind_en": "Business"}]
    assert {m["measure"] for m in rule["measures"]} == {"credit_publicity", "key_supervision"}
    assert "biz:OP" not in json.dumps(seen)  # names, never uids
    assert api.client.post(f"{url}/preview", headers=api.member_a, json=body).status_code == 403
    done = api.client.post(url, headers=api.officer, json=body)
    assert done.status_code == 201, done.text
    assert done.json()["imposed"] == seen["restrictions"]


# -- generated counterfeit networks --------------------------------------------------------------
#: What brands read; orders, waybills and accounts only slow ingest down.
_FILES = (
    "businesses",
    "people",
    "roles",
    "shareholdings",
    "stores",
    "brands",
    "listings",
    "violations",
    "infringement_reports",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GraphStore, Any]]:
    work = tmp_path_factory.mktemp("brands-gen")
    summary = generate(work / "full", 2000, 5)
    (work / "input").mkdir()
    for name in _FILES:
        src = summary.files[name]
        (work / "input" / src.name).write_bytes(src.read_bytes())
    store = EmbeddedStore(work / "graph.lbdb", buffer_pool_mb=256)
    store.create_schema()
    ingest_directory(store, work / "input", id_hash_key=TEST_KEY, quarantine_dir=work / "q")
    yield store, json.loads(summary.ground_truth.read_text(encoding="utf-8"))
    store.close()


def _pr(found: set[str], truth: set[str]) -> tuple[float, float]:
    hit = len(found & truth)
    return hit / max(len(found), 1), hit / max(len(truth), 1)


@pytest.mark.slow
def test_precision_and_recall_on_a_generated_network(generated: tuple[GraphStore, Any]) -> None:
    store, truth = generated
    net = load_network(store, BrandScope.officer())
    links = infringement_links(net.evidence, net.memberships, net.reach, net.stores)
    counterfeit = {f"store:{c['store_id']}" for c in truth["counterfeit_stores"]}
    p, r = _pr({x.store for x in links if x.weight >= 0.5}, counterfeit)
    assert p >= 0.8
    assert r >= 0.85
    assert _pr({x.store for x in links}, counterfeit)[1] >= 0.95
    ranked = repeat_infringers(net.evidence, net.memberships, net.reach, net.stores)
    planted = {
        f"biz:{x['operator_id']}"
        if x["operator_type"] == "business"
        else person_uid(x["operator_id"], TEST_KEY)
        for x in truth["repeat_infringers"]
    }
    p, r = _pr({x.actor for x in ranked if x.kind.value == "operator"}, planted)
    assert p >= 0.8
    assert r >= 0.8


@pytest.mark.slow
def test_false_reports_weigh_less(generated: tuple[GraphStore, Any]) -> None:
    store, truth = generated
    net = load_network(store, BrandScope.officer())
    false = {f"report:{r}" for r in truth["false_reports"]}
    links = infringement_links(net.evidence, net.memberships, net.reach, net.stores)
    by_report = {x.store: x for x in links if x.reported}
    only_false = [x for x in by_report.values() if set(x.evidence) <= false]
    true = [x for x in by_report.values() if not set(x.evidence) & false]
    assert only_false
    assert true
    mean_false = sum(x.weight for x in only_false) / len(only_false)
    mean_true = sum(x.weight for x in true) / len(true)
    assert mean_false < mean_true
    ranked = repeat_infringers(net.evidence, net.memberships, net.reach, net.stores, LinkParams())
    assert all(x.reasons for x in ranked)
