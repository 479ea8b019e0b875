"""Proportionate confirmation through the API: preview first, two officers above a threshold.

The ring market of ``tests/contract/test_proportion_contract.py`` (an operator of the first
ring's first store also runs 60 other stores). The server's threshold is set low
(``approval_above=3``) so that confirming the ring (4 stores and their operator: 5
subjects) needs a second officer; listing the operator itself (61 stores) is over the
shipped rules' own limit for its list type (50).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.propagation import service as punish
from api.app import create_app
from graph.config import Settings
from graph.store import GraphStore
from tests.contract.test_proportion_contract import market_with_a_big_operator
from tests.contract.test_rings_contract import OPERATOR

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@dataclass
class Api:
    client: TestClient
    store: GraphStore
    ring: str
    siblings: list[str]
    first: dict[str, str]  # officer 王芳
    second: dict[str, str]  # officer 李强
    first_again: dict[str, str]  # another key of 王芳


@pytest.fixture
def api(embedded_store: GraphStore, settings: Settings) -> Iterator[Api]:
    ring, siblings = market_with_a_big_operator(embedded_store)
    app = create_app(settings.model_copy(update={"approval_above": 3}), embedded_store)
    with TestClient(app) as client:
        keys = app.state.credgraph.keys

        def key(name: str) -> dict[str, str]:
            return {"X-API-Key": keys.create(name, "officer").token}

        yield Api(
            client, app.state.credgraph.store, ring, siblings, key("王芳"), key("李强"), key("王芳")
        )


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_the_preview_names_subjects_and_measures_per_rule(api: Api) -> None:
    preview = ok(api.client.get(f"/v1/rings/{api.ring}/confirm/preview", headers=api.first))
    assert (preview["subjects"], preview["needs_approval"]) == (5, True)
    assert preview["limit"] == {
        "threshold": 3,
        "source": "settings",
        "list_type": None,
        "legal_basis": [],
        "zh": "服务器设置：一次决定限制超过 3 个主体，须由另一名执法人员批准",
        "en": "server setting: an action restricting more than 3 subjects needs a second "
        "officer's approval",
    }
    rules = {r["rule_id"]: r for r in preview["rules"]}
    operator = rules["online_serious_violation.store_operator"]
    assert operator["names"] == [
        {"name": "某某电子商务有限公司", "kind_zh": "企业", "kind_en": "Business"}
    ]
    assert operator["description_zh"] == "被列入网店的经营者"
    assert (
        operator["measures"][0]["name_en"] == "may not open new stores on online-trading platforms"
    )
    text = str(preview)
    assert OPERATOR not in text  # names, never uids
    assert "store:tb:" not in text
    assert api.client.get("/v1/approvals", headers=api.first).json() == []  # nothing stored


def test_a_large_confirmation_waits_for_a_second_officer(api: Api) -> None:
    asked = api.client.post(
        f"/v1/rings/{api.ring}/confirm", json={"reason": "平台核实空包"}, headers=api.first
    )
    pending = ok(asked, 202)
    assert (pending["status"], pending["action"], pending["subjects"]) == (
        "pending",
        "ring.confirm",
        5,
    )
    assert (pending["requested_by"], pending["request_reason"]) == ("王芳", "平台核实空包")
    at = date.today()
    assert not punish.status(api.store, OPERATOR, at=at).restricted
    listed = ok(api.client.get("/v1/approvals", headers=api.second))
    assert [a["id"] for a in listed] == [pending["id"]]
    # a second request for the same ring is refused while one waits
    again = api.client.post(
        f"/v1/rings/{api.ring}/confirm", json={"reason": "再次"}, headers=api.second
    )
    assert again.status_code == 422
    assert again.json()["field"] == "target"

    # the same officer, even with another key, cannot approve
    same = api.client.post(
        f"/v1/approvals/{pending['id']}/approve", json={"reason": "同意"}, headers=api.first_again
    )
    assert same.status_code == 422
    assert same.json()["field"] == "officer"
    assert "a second, different officer must approve it" in same.json()["detail"]
    assert (
        ok(api.client.get(f"/v1/approvals/{pending['id']}", headers=api.first))["status"]
        == "pending"
    )

    done = ok(
        api.client.post(
            f"/v1/approvals/{pending['id']}/approve",
            json={"reason": "已核对预览，同意"},
            headers=api.second,
        )
    )
    assert (done["approval"]["status"], done["approval"]["decided_by"]) == ("approved", "李强")
    assert done["result"]["ring"]["status"] == "confirmed"
    assert done["result"]["ring"]["reviewed_by"] == "王芳"
    store = api.store
    assert "platform_entry_restriction" in punish.status(store, OPERATOR, at=at).measures
    assert not punish.status(store, api.siblings[0], at=at).restricted
    twice = api.client.post(
        f"/v1/approvals/{pending['id']}/approve", json={"reason": "再批"}, headers=api.second
    )
    assert twice.status_code == 422
    logged = ok(api.client.get("/v1/decisions", headers=api.first))
    steps = [(e["kind"], e["actor"]["name"]) for e in logged if e["kind"] != "rules.changed"]
    assert steps == [
        ("approval.requested", "王芳"),
        ("approval.approved", "李强"),
        ("ring.confirmed", "李强"),
    ]
    assert logged[-2]["data"]["decision_reason"] == "已核对预览，同意"


def test_a_listing_over_its_list_types_limit_needs_a_reason_and_can_be_rejected(
    api: Api,
) -> None:
    body = {
        "listing_id": "ZJ-2024-BIG",
        "kind": "store",
        "id": api.siblings[0].partition(":")[2],
        "list_type": "repeat_ip_infringer",
        "decided": "2024-06-01",
    }
    preview = ok(api.client.post("/v1/listings/preview", json=body, headers=api.first))
    assert preview["subjects"] == 62  # the store, its operator and the operator's 60 others
    assert (preview["limit"]["source"], preview["limit"]["threshold"]) == ("settings", 3)
    without = api.client.post("/v1/listings", json=body, headers=api.first)
    assert without.status_code == 422
    assert without.json()["field"] == "reason"
    pending = ok(
        api.client.post("/v1/listings", json={**body, "reason": "多店铺售假"}, headers=api.first),
        202,
    )
    rejected = ok(
        api.client.post(
            f"/v1/approvals/{pending['id']}/reject", json={"reason": "范围过大"}, headers=api.second
        )
    )
    assert (rejected["status"], rejected["decided_by"]) == ("rejected", "李强")
    store = api.store
    assert not punish.status(store, api.siblings[0], at=date(2024, 7, 1)).restricted
    assert ok(api.client.get("/v1/approvals", params={"status": "rejected"}, headers=api.first))


def test_a_small_listing_applies_at_once_and_a_shell_review_previews_nothing(api: Api) -> None:
    body = {
        "listing_id": "ZJ-2024-SMALL",
        "kind": "store",
        "id": api.siblings[0].partition(":")[2],
        "list_type": "abnormal_operation",
        "decided": "2024-06-01",
    }
    assert api.client.post("/v1/listings", json=body, headers=api.first).status_code == 422
    body["list_type"] = "online_serious_violation"
    applied = ok(api.client.post("/v1/listings", json=body, headers=api.first), 201)
    assert applied["imposed"] > 0
    shell = api.client.get("/v1/shells/shell:0000000000000000/review/preview", headers=api.first)
    assert shell.status_code == 404
