"""Alerts go out through the alert feed and signed webhooks, as their owner sees them.

Same set-up as ``test_webhooks``: the sample market in the embedded store, a real HTTP
receiver on 127.0.0.1, a worker polling every 20 ms. The sample: 杭州星辰贸易 (…AAAAA15)
holds 60% of …AAAAA28 and shares its legal representative 张伟; the legal representative
of …AAAAA3B also represents …AAAAA4E. A listing made through the API is scanned for
alerts (``POST /v1/alerts/scan``); each new alert, and each change of its status, is an
event delivered to the owner's webhooks as ``type: "alerts"``.
"""

from __future__ import annotations

from typing import Any

from api.webhooks import DELIVERY_HEADER, SEQ_HEADER, SIGNATURE_HEADER, verify_signature
from tests.integration import test_webhooks as _hooks
from tests.integration.test_webhooks import Api, Receiver, healthy_receiver, wait_for

# The webhook tests' fixtures: the app with fast polls, and a receiver.
make_api = _hooks.make_api
api = _hooks.api
receiver = _hooks.receiver

XINGCHEN = "91330106MA2AAAAA15"
SUBSIDIARY = "91330106MA2AAAAA28"
ABNORMAL = "91330106MA2AAAAA3B"
SISTER = "91330106MA2AAAAA4E"


def _list(api: Api, listing_id: str, uscc: str, list_type: str) -> None:
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
    assert api.client.post("/v1/alerts/scan", headers=api.officer).status_code == 200


def _watch(api: Api, headers: dict[str, str], uscc: str, hops: int = 2) -> None:
    made = api.client.post("/v1/watches", json={"target": uscc, "hops": hops}, headers=headers)
    assert made.status_code == 201, made.text


def _register(api: Api, headers: dict[str, str], url: str) -> dict[str, Any]:
    made = api.client.post("/v1/webhooks", json={"url": url}, headers=headers)
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def _alert_deliveries(receiver: Receiver) -> list[dict[str, Any]]:
    return [r.json for r in receiver.acknowledged_of("alerts")]


def _alert_events(receiver: Receiver) -> list[dict[str, Any]]:
    return [e for d in _alert_deliveries(receiver) for e in d["alerts"]]


def test_a_platform_gets_signed_status_level_alerts_about_its_own_watches_only(
    api: Api, receiver: Receiver
) -> None:
    _watch(api, api.platform, SISTER)
    hook = _register(api, api.platform, receiver.url)
    with healthy_receiver() as other:
        _register(api, api.other_platform, other.url)  # watches nothing
        _list(api, "WA-1", ABNORMAL, "abnormal_operation")  # shares a legal representative
        wait_for(lambda: bool(_alert_events(receiver)))
        [delivery] = receiver.acknowledged_of("alerts")
        assert verify_signature(
            hook["secret"], delivery.headers[SIGNATURE_HEADER.lower()], delivery.body
        )
        assert delivery.headers[DELIVERY_HEADER.lower()] == delivery.json["delivery"]
        assert delivery.headers[SEQ_HEADER.lower()] == str(delivery.json["next_since"])
        assert delivery.json["events"] == []
        [event] = delivery.json["alerts"]
        assert event["event"] == "created"
        alert = event["alert"]
        assert alert["watched"] == f"biz:{SISTER}"
        assert (alert["list_type"], alert["distance"], alert["status"]) == (
            "abnormal_operation",
            2,
            "open",
        )
        # Status level: never the listed entity, the listing, the rule or the path between.
        for hidden in ("subject", "listing_uid", "rule_id", "path", "rel_types"):
            assert alert[hidden] is None, hidden
        assert ABNORMAL not in delivery.body.decode()
        assert "person:" not in delivery.body.decode()
        closed = api.client.post(
            f"/v1/alerts/{alert['id']}", json={"status": "closed"}, headers=api.platform
        )
        assert closed.status_code == 200, closed.text
        wait_for(lambda: len(_alert_events(receiver)) == 2)
        assert [e["event"] for e in _alert_events(receiver)] == ["created", "closed"]
        assert _alert_events(receiver)[1]["alert"]["status"] == "closed"
        # The other platform watches nothing: its webhook gets changes, never these alerts.
        wait_for(lambda: bool(other.acknowledged()))
        assert other.acknowledged_of("alerts") == []


def test_an_officer_gets_every_status_change_in_order_with_the_path(
    api: Api, receiver: Receiver
) -> None:
    _watch(api, api.officer, SUBSIDIARY)
    hook = _register(api, api.officer, receiver.url)
    _list(api, "WA-2", XINGCHEN, "serious_dishonesty")
    wait_for(lambda: bool(_alert_events(receiver)))
    alert_id = _alert_events(receiver)[0]["alert"]["id"]
    for change in (
        {"status": "acknowledged"},
        {"status": "assigned", "assignee": "王科长", "note": "核查股权"},
        {"status": "closed"},
    ):
        done = api.client.post(f"/v1/alerts/{alert_id}", json=change, headers=api.officer)
        assert done.status_code == 200, done.text
    wait_for(lambda: len(_alert_events(receiver)) == 4)
    events = _alert_events(receiver)
    assert [e["event"] for e in events] == ["created", "acknowledged", "assigned", "closed"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert events[2]["alert"]["assignee"] == "王科长"
    assert events[0]["alert"]["status"] == "open"  # as it was then, not as it is now
    path = events[0]["alert"]["path"]
    assert (path[0], path[-1]) == (events[0]["alert"]["subject"], f"biz:{SUBSIDIARY}")
    for d in receiver.acknowledged_of("alerts"):
        assert verify_signature(hook["secret"], d.headers[SIGNATURE_HEADER.lower()], d.body)
    # The same events, pulled from the alert feed.
    pulled = api.client.get("/v1/alerts/events", headers=api.officer).json()["items"]
    assert [(e["seq"], e["event"]) for e in pulled] == [(e["seq"], e["event"]) for e in events]
    since = events[1]["seq"]
    later = api.client.get(f"/v1/alerts/events?since={since}", headers=api.officer).json()
    assert [e["event"] for e in later["items"]] == ["assigned", "closed"]
    assert api.client.get("/v1/alerts/events", headers=api.platform).json()["items"] == []


def test_a_refused_alert_delivery_is_retried_under_the_same_delivery_id(
    api: Api, receiver: Receiver
) -> None:
    _watch(api, api.platform, SISTER, hops=1)
    _register(api, api.platform, receiver.url)
    receiver.fail, receiver.fail_type = 1, "alerts"
    _list(api, "WA-3", SISTER, "abnormal_operation")
    wait_for(lambda: bool(_alert_events(receiver)))
    tries = [r for r in receiver.got() if r.json["type"] == "alerts"]
    assert [t.status for t in tries] == [500, 200]
    assert tries[0].body == tries[1].body  # the same batch, the same delivery id
    assert [e["event"] for e in _alert_events(receiver)] == ["created"]


def test_a_webhook_starts_with_the_alerts_made_after_it(api: Api, receiver: Receiver) -> None:
    _watch(api, api.platform, SISTER, hops=1)
    _list(api, "WA-4", SISTER, "abnormal_operation")
    [alert] = api.client.get("/v1/alerts", headers=api.platform).json()["items"]
    _register(api, api.platform, receiver.url)
    api.client.post(
        f"/v1/alerts/{alert['id']}", json={"status": "acknowledged"}, headers=api.platform
    )
    wait_for(lambda: bool(_alert_events(receiver)))
    assert [e["event"] for e in _alert_events(receiver)] == ["acknowledged"]
