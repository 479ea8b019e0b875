"""Watchlists and alerts near watched entities (周边风险), through the API on the sample data.

The sample: 杭州星辰贸易 (…AAAAA15) holds 60% of …AAAAA28, and 张伟 is the legal
representative of both; the legal representative of …AAAAA3B also represents …AAAAA4E.
Alerts are for changes after a watch is made, so each test watches, then lists someone.
"""

from __future__ import annotations

from typing import Any

from tests.integration.test_api import Api, api  # noqa: F401  (the fixture)

XINGCHEN = "91330106MA2AAAAA15"
SUBSIDIARY = "91330106MA2AAAAA28"
ABNORMAL = "91330106MA2AAAAA3B"
SISTER = "91330106MA2AAAAA4E"


def _list(api: Api, listing_id: str, uscc: str, list_type: str = "serious_dishonesty") -> None:
    added = api.client.post(
        "/v1/listings",
        json={
            "listing_id": listing_id,
            "kind": "business",
            "id": uscc,
            "list_type": list_type,
            "decided": "2025-01-10",
        },
        headers=api.officer,
    )
    assert added.status_code == 201, added.text
    scanned = api.client.post("/v1/alerts/scan", headers=api.officer)
    assert scanned.status_code == 200, scanned.text


def _alerts(api: Api, headers: dict[str, str], listing: str | None = None) -> list[Any]:
    page = api.client.get("/v1/alerts?limit=500", headers=headers)
    assert page.status_code == 200, page.text
    items: list[Any] = page.json()["items"]
    return [a for a in items if listing is None or a.get("listing_uid") in (None, listing)]


def test_a_listing_near_a_watched_entity_alerts_its_watcher_once_with_the_path(api: Api) -> None:
    watch = api.client.post(
        "/v1/watches", json={"target": SUBSIDIARY, "hops": 2}, headers=api.officer
    )
    assert watch.status_code == 201, watch.text
    assert watch.json()["target"] == f"biz:{SUBSIDIARY}"
    # 星辰 listed: restrictions fall on 星辰, 张伟 and the subsidiary itself; one alert.
    _list(api, "W-1", XINGCHEN)
    [alert] = _alerts(api, api.officer, "listing:W-1")
    assert alert["list_type"] == "serious_dishonesty"
    assert alert["severity"] == "high"
    assert alert["watched"] == f"biz:{SUBSIDIARY}"
    assert alert["path"][0] == alert["subject"]
    assert alert["path"][-1] == f"biz:{SUBSIDIARY}"
    assert len(alert["path"]) == alert["distance"] + 1
    api.client.post("/v1/alerts/scan", headers=api.officer)
    assert len(_alerts(api, api.officer, "listing:W-1")) == 1
    assigned = api.client.post(
        f"/v1/alerts/{alert['id']}",
        json={"status": "assigned", "assignee": "王科长", "note": "核查股权"},
        headers=api.officer,
    )
    assert (assigned.json()["status"], assigned.json()["assignee"]) == ("assigned", "王科长")
    still_open = api.client.get("/v1/alerts?status=open", headers=api.officer).json()["items"]
    assert alert["id"] not in [a["id"] for a in still_open]


def test_a_listing_of_the_watched_entity_itself_is_distance_zero(api: Api) -> None:
    api.client.post("/v1/watches", json={"target": SISTER, "hops": 1}, headers=api.officer)
    _list(api, "W-2", SISTER, "abnormal_operation")
    [alert] = _alerts(api, api.officer, "listing:W-2")
    assert (alert["distance"], alert["kind"], alert["path"]) == (0, "listing", [f"biz:{SISTER}"])


def test_a_platform_sees_status_level_alerts_about_its_own_watches_only(api: Api) -> None:
    mine = api.client.post("/v1/watches", json={"target": SISTER}, headers=api.platform)
    assert mine.status_code == 201, mine.text
    _list(api, "W-3", ABNORMAL, "abnormal_operation")  # shares a legal representative
    [alert] = _alerts(api, api.platform)
    assert alert["watched"] == f"biz:{SISTER}"
    assert (alert["list_type"], alert["distance"]) == ("abnormal_operation", 2)
    assert alert["subject"] is None
    assert alert["path"] is None
    assert alert["listing_uid"] is None
    assert _alerts(api, api.other_platform) == []
    refused = api.client.post(
        f"/v1/alerts/{alert['id']}",
        json={"status": "assigned", "assignee": "x"},
        headers=api.platform,
    )
    assert refused.status_code == 422
    not_theirs = api.client.post(
        f"/v1/alerts/{alert['id']}", json={"status": "closed"}, headers=api.other_platform
    )
    assert not_theirs.status_code == 404
    closed = api.client.post(
        f"/v1/alerts/{alert['id']}", json={"status": "closed"}, headers=api.platform
    )
    assert closed.json()["status"] == "closed"
    region = api.client.post(
        "/v1/watches", json={"kind": "region", "target": "3301"}, headers=api.platform
    )
    assert region.status_code == 422
    far = api.client.post("/v1/watches", json={"target": SISTER, "hops": 3}, headers=api.platform)
    assert far.status_code == 422
    assert api.client.get("/v1/alerts", headers=api.brand).status_code == 403


def test_officers_watch_a_list_type_and_remove_watches(api: Api) -> None:
    watch = api.client.post(
        "/v1/watches",
        json={"kind": "list_type", "target": "abnormal_operation"},
        headers=api.officer,
    ).json()
    _list(api, "W-4", SUBSIDIARY, "abnormal_operation")
    _list(api, "W-5", SISTER, "serious_dishonesty")
    assert [a["listing_uid"] for a in _alerts(api, api.officer)] == ["listing:W-4"]
    listed = api.client.get("/v1/watches", headers=api.officer).json()
    assert [w["id"] for w in listed] == [watch["id"]]
    assert api.client.delete(f"/v1/watches/{watch['id']}", headers=api.officer).status_code == 204
    assert api.client.get("/v1/watches", headers=api.officer).json() == []
    assert api.client.delete(f"/v1/watches/{watch['id']}", headers=api.officer).status_code == 404
