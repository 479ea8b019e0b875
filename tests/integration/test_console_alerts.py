"""The console's alert inbox reads, and alerts in the regional overview, on the sample data.

The sample: 李强 is the legal representative of 杭州云帆科技 (…AAAAA3B, region 330106)
and of 杭州云舟网络科技 (…AAAAA4E). The officer watches 云舟, then lists 云帆: the alert
reaches 云舟 from 云帆 through 李强 (two hops).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration import test_api as _api
from tests.integration.test_api import Api

api = _api.api  # the fixture: the sample market served from the embedded store

YUNFAN = "91330106MA2AAAAA3B"
YUNZHOU = "91330106MA2AAAAA4E"


def _alerted(api: Api) -> None:
    watched = api.client.post(
        "/v1/watches", json={"target": YUNZHOU, "hops": 2}, headers=api.officer
    )
    assert watched.status_code == 201, watched.text
    listed = api.client.post(
        "/v1/listings",
        json={
            "listing_id": "C-1",
            "kind": "business",
            "id": YUNFAN,
            "list_type": "abnormal_operation",
            "decided": "2025-01-10",
        },
        headers=api.officer,
    )
    assert listed.status_code == 201, listed.text
    assert api.client.post("/v1/alerts/scan", headers=api.officer).json()["new_alerts"] >= 1


def test_the_inbox_names_the_entities_and_writes_the_path_in_both_languages(api: Api) -> None:
    _alerted(api)
    page = api.client.get("/console/api/alerts", headers=api.officer)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    [alert] = items
    assert (alert["watched_name"], alert["subject_name"]) == (
        "杭州云舟网络科技有限公司",
        "杭州云帆科技有限公司",
    )
    assert (alert["list_name_zh"], alert["list_name_en"]) == (
        "经营异常名录",
        "abnormal operation list",
    )
    # Each relationship written in its own direction: 李强 represents both businesses.
    assert (
        alert["path_zh"]
        == "杭州云帆科技有限公司 ←法定代表人— 李强 —法定代表人→ 杭州云舟网络科技有限公司"
    )
    assert alert["path_en"] == (
        "杭州云帆科技有限公司 ←legal representative of— 李强"
        " —legal representative of→ 杭州云舟网络科技有限公司"
    )
    assert (alert["distance"], alert["severity"]) == (2, "low")
    assert api.client.get("/console/api/alerts", headers=api.platform).status_code == 403
    closed = api.client.get("/console/api/alerts?status=closed", headers=api.officer).json()
    assert closed["items"] == []


def test_alerts_count_in_the_overview_by_the_changed_entitys_region_and_drill_down(
    api: Api,
) -> None:
    _alerted(api)
    month = datetime.now(UTC).strftime("%Y-%m")
    body = api.client.get("/v1/overview?level=4", headers=api.officer).json()
    cells = {(c["region"], c["month"]): c["counts"] for c in body["cells"]}
    assert cells[("3301", month)]["alerts"] >= 1
    assert body["totals"]["alerts"] >= 1
    drill = api.client.get(
        "/v1/overview/entities",
        params={"region": "3301", "month": month, "kind": "alerts"},
        headers=api.officer,
    ).json()
    assert "杭州云帆科技有限公司" in [e["name"] for e in drill["entities"]]
