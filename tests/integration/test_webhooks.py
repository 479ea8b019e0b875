"""Webhooks for the change feed, as a platform sees them.

The app serves the sample market from the embedded store (as in ``test_api``); a real
HTTP receiver runs on 127.0.0.1 in a thread and records every request, answering 500 to
the first ``fail`` of them. The worker polls every 20 ms and retries after 20, 40, 80 ms,
so deliveries land within a second. Changes are made the way an officer makes them:
``POST /v1/listings`` propagates and writes the feed.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from algorithms.propagation import service
from api.app import create_app
from api.deps import ApiState
from api.webhooks import (
    DELIVERY_HEADER,
    SEQ_HEADER,
    SIGNATURE_HEADER,
    WebhookStore,
    verify_signature,
)
from graph.config import Settings
from graph.store import GraphStore
from ingest.pipeline import ingest_directory
from tests.conftest import SAMPLE_DIR, TEST_KEY

with warnings.catch_warnings():
    # starlette asks for httpx2, which the project does not ship yet.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
UNLISTED = ("91330106MA2AAAAA4E", "91330106MA2AAAAA3B")  # businesses not yet on a list


# -- a receiver -----------------------------------------------------------------------------
@dataclass
class Received:
    """One request the receiver got, and what it answered."""

    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A platform's endpoint: records requests; answers 500 while ``fail`` > 0 (to
    deliveries of type ``fail_type`` only, when it is set)."""

    url: str
    fail: int = 0
    fail_type: str | None = None
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            failing = self.fail > 0 and (
                self.fail_type is None or json.loads(body).get("type") == self.fail_type
            )
            status = 500 if failing else 200
            self.fail = self.fail - 1 if failing else self.fail
            self.requests.append(Received(headers, body, status))
            return status

    def got(self) -> list[Received]:
        with self.lock:
            return list(self.requests)

    def acknowledged(self) -> list[Received]:
        """Change deliveries answered 2xx."""
        return self.acknowledged_of("changes")

    def acknowledged_of(self, kind: str) -> list[Received]:
        """Deliveries of ``kind`` (changes, alerts) answered 2xx."""
        return [r for r in self.got() if r.status == 200 and r.json["type"] == kind]


@contextlib.contextmanager
def healthy_receiver() -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1, in a thread, for the duration of the block."""
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = box[0].answer({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with healthy_receiver() as running:
        yield running


# -- the API --------------------------------------------------------------------------------
@dataclass
class Api:
    """A running app with two platform keys and an officer key."""

    client: TestClient
    state: ApiState
    platform: dict[str, str]
    other_platform: dict[str, str]
    officer: dict[str, str]
    brand: dict[str, str]

    def register(self, url: str, **extra: Any) -> dict[str, Any]:
        response = self.client.post(
            "/v1/webhooks", json={"url": url, **extra}, headers=self.platform
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def webhook(self, hook_id: int) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get(
            f"/v1/webhooks/{hook_id}", headers=self.platform
        ).json()
        return body

    def list_business(self, uscc: str, listing_id: str) -> None:
        response = self.client.post(
            "/v1/listings",
            json={
                "listing_id": listing_id,
                "kind": "business",
                "id": uscc,
                "list_type": "serious_dishonesty",
                "decided": "2025-01-10",
            },
            headers=self.officer,
        )
        assert response.status_code == 201, response.text

    def feed(self, since: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.client.get(
            "/v1/changes", params={"since": since, "limit": 1000}, headers=self.platform
        ).json()["items"]
        return items


ApiFactory = Callable[..., Api]


@pytest.fixture
def make_api(
    embedded_store: GraphStore, settings: Settings, tmp_path: Path
) -> Iterator[ApiFactory]:
    """Build the app with webhook settings overridden (fast polls and retries by default)."""
    ingest_directory(
        embedded_store, SAMPLE_DIR, id_hash_key=TEST_KEY, quarantine_dir=tmp_path / "q"
    )
    service.propagate_store(embedded_store, full=True)
    clients: list[TestClient] = []

    def build(**overrides: Any) -> Api:
        fast = {
            "webhook_poll_seconds": 0.02,
            "webhook_retry_base_seconds": 0.02,
            "webhook_retry_max_seconds": 0.1,
            "webhook_max_attempts": 4,
            "webhook_timeout_seconds": 2.0,
            "webhook_allow_private_hosts": True,
        }
        app = create_app(settings.model_copy(update=fast | overrides), embedded_store)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        state: ApiState = app.state.credgraph
        keys = state.keys

        def h(name: str, scope: str, **kw: Any) -> dict[str, str]:
            return {"X-API-Key": keys.create(name, scope, **kw).token}

        return Api(
            client=client,
            state=state,
            platform=h("taobao", "platform"),
            other_platform=h("jd", "platform"),
            officer=h("zj-amr", "officer"),
            brand=h("xc-alliance", "brand", brands=["brand:XC"]),
        )

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    return make_api()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.02)


def delivered_to(receiver: Receiver, subscription: int) -> list[int]:
    """Sequence numbers acknowledged by ``receiver`` for one subscription, in arrival order."""
    return [
        e["seq"]
        for r in receiver.acknowledged()
        if r.json["subscription"] == subscription
        for e in r.json["events"]
    ]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


# -- registering ----------------------------------------------------------------------------
def test_registering_shows_the_signing_secret_once(api: Api, receiver: Receiver) -> None:
    created = api.register(receiver.url)
    assert created["secret"].startswith("whsec_")
    assert created["status"] == "active"
    head = api.feed(0)[-1]["seq"]
    assert created["since"] == head  # only changes from now on
    listed = api.client.get("/v1/webhooks", headers=api.platform)
    one = api.client.get(f"/v1/webhooks/{created['id']}", headers=api.platform)
    for response in (listed, one):
        assert response.status_code == 200
        assert "secret" not in response.text
        assert created["secret"] not in response.text
    assert [w["url"] for w in listed.json()["items"]] == [receiver.url]


def test_a_webhook_can_start_from_an_earlier_cursor(api: Api, receiver: Receiver) -> None:
    api.register(receiver.url, since=3)
    wait_for(lambda: bool(receiver.acknowledged()))
    assert receiver.acknowledged()[0].json["events"][0]["seq"] == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://hooks.example.com/x"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://hooks.example.com", "since": -1}, "since"),
        ({"url": "https://hooks.example.com", "since": 10**9}, "since"),
        ({"url": "https://hooks.example.com", "secret": "mine"}, "secret"),
    ],
)
def test_bad_registrations_are_422(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.client.post("/v1/webhooks", json=body, headers=api.platform)
    assert problem(response, 422)["field"] == field


def test_loopback_and_private_receivers_are_refused_by_default(make_api: ApiFactory) -> None:
    api = make_api(webhook_allow_private_hosts=False)
    for url in ("http://127.0.0.1:9/x", "http://localhost/x", "https://10.0.0.8/", "http://[::1]/"):
        response = api.client.post("/v1/webhooks", json={"url": url}, headers=api.platform)
        assert problem(response, 422)["field"] == "url", url


def test_webhooks_need_a_platform_or_officer_key(api: Api, receiver: Receiver) -> None:
    response = api.client.post("/v1/webhooks", json={"url": receiver.url}, headers=api.brand)
    problem(response, 403)
    problem(api.client.get("/v1/webhooks"), 401)


def test_a_key_holds_at_most_ten_webhooks(api: Api, receiver: Receiver) -> None:
    for _ in range(10):
        api.register(receiver.url)
    response = api.client.post("/v1/webhooks", json={"url": receiver.url}, headers=api.platform)
    assert "at most 10" in problem(response, 422)["detail"]


def test_the_list_pages_with_next_links(api: Api, receiver: Receiver) -> None:
    ids = [api.register(receiver.url)["id"] for _ in range(3)]
    first = api.client.get("/v1/webhooks?limit=2", headers=api.platform).json()
    second = api.client.get(first["next"], headers=api.platform).json()
    assert [w["id"] for w in first["items"] + second["items"]] == ids
    assert second["next"] is None


# -- only the owner -------------------------------------------------------------------------
def test_another_key_cannot_see_or_touch_a_webhook(api: Api, receiver: Receiver) -> None:
    hook = api.register(receiver.url)["id"]
    for other in (api.other_platform, api.officer):
        assert api.client.get("/v1/webhooks", headers=other).json()["items"] == []
        problem(api.client.get(f"/v1/webhooks/{hook}", headers=other), 404)
        problem(api.client.get(f"/v1/webhooks/{hook}/deliveries", headers=other), 404)
        problem(api.client.post(f"/v1/webhooks/{hook}/enable", headers=other), 404)
        problem(api.client.post(f"/v1/webhooks/{hook}/test", headers=other), 404)
        problem(api.client.delete(f"/v1/webhooks/{hook}", headers=other), 404)
    assert receiver.got() == []
    assert api.webhook(hook)["status"] == "active"
    assert api.client.delete(f"/v1/webhooks/{hook}", headers=api.platform).status_code == 204
    problem(api.client.get(f"/v1/webhooks/{hook}", headers=api.platform), 404)


# -- delivery -------------------------------------------------------------------------------
def test_a_new_change_is_delivered_signed(api: Api, receiver: Receiver) -> None:
    created = api.register(receiver.url)
    head = created["since"]
    api.list_business(UNLISTED[0], "W-1")
    expected = api.feed(head)
    assert expected
    assert {e["kind"] for e in expected} == {"imposed"}
    wait_for(lambda: bool(receiver.acknowledged()))

    request = receiver.acknowledged()[0]
    assert verify_signature(
        created["secret"], request.headers[SIGNATURE_HEADER.lower()], request.body
    )
    body = request.json
    assert body["type"] == "changes"
    assert body["subscription"] == created["id"]
    assert body["events"] == expected  # exactly what the feed shows, nothing more
    assert body["next_since"] == expected[-1]["seq"]
    assert request.headers[DELIVERY_HEADER.lower()] == body["delivery"]
    assert request.headers[SEQ_HEADER.lower()] == str(expected[-1]["seq"])

    wait_for(lambda: api.webhook(created["id"])["since"] == expected[-1]["seq"])
    log = api.client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=api.platform)
    [delivery] = log.json()["items"]
    assert delivery["id"] == body["delivery"]
    assert (delivery["status"], delivery["attempts"], delivery["http_status"]) == (
        "delivered",
        1,
        200,
    )
    assert (delivery["first_seq"], delivery["last_seq"]) == (head + 1, expected[-1]["seq"])


def test_a_listing_added_through_the_api_is_sent_without_waiting_for_the_poll(
    make_api: ApiFactory, receiver: Receiver
) -> None:
    api = make_api(webhook_poll_seconds=60.0)
    api.register(receiver.url)
    time.sleep(0.2)  # the worker's first round, then it sleeps for a minute
    api.list_business(UNLISTED[0], "W-1")
    wait_for(lambda: bool(receiver.acknowledged()), timeout=5.0)


def test_two_api_processes_on_one_database_send_each_change_once(
    make_api: ApiFactory, receiver: Receiver
) -> None:
    first = make_api(webhook_batch_size=1)
    second = make_api(webhook_batch_size=1)  # same API database, its own worker
    created = first.register(receiver.url)
    first.list_business(UNLISTED[0], "W-1")  # wakes the first worker
    second.list_business(UNLISTED[1], "W-2")  # wakes the second
    expected = [e["seq"] for e in first.feed(created["since"])]

    def delivered() -> list[int]:
        return [e["seq"] for r in receiver.acknowledged() for e in r.json["events"]]

    wait_for(lambda: delivered() == expected)
    # A positive control: one more change, delivered after the cursor passed the others.
    # Had either worker sent a batch twice, it would show before the control arrives.
    wait_for(lambda: first.webhook(created["id"])["since"] == expected[-1])
    first.list_business("91330106MA2AAAAA28", "W-3")
    control = [e["seq"] for e in first.feed(expected[-1])]
    assert control
    wait_for(lambda: delivered()[len(expected) :] == control)
    assert delivered() == expected + control


def test_the_delivery_lease_has_one_holder_until_released_or_expired(tmp_path: Path) -> None:
    one, other = WebhookStore(tmp_path / "api.sqlite3"), WebhookStore(tmp_path / "api.sqlite3")
    try:
        assert one.hold_lease("a", ttl=60)
        assert not other.hold_lease("b", ttl=60)
        assert one.hold_lease("a", ttl=0.05)  # renewed, shorter
        time.sleep(0.1)
        assert other.hold_lease("b", ttl=60)  # a's lease ran out
        assert not one.hold_lease("a", ttl=60)
        other.release_lease("b")
        assert one.hold_lease("a", ttl=60)
    finally:
        one.close()
        other.close()


def test_a_tampered_body_or_another_secret_fails_verification(api: Api, receiver: Receiver) -> None:
    created = api.register(receiver.url)
    api.list_business(UNLISTED[0], "W-1")
    wait_for(lambda: bool(receiver.acknowledged()))
    request = receiver.acknowledged()[0]
    header = request.headers[SIGNATURE_HEADER.lower()]
    tampered = request.body.replace(b'"imposed"', b'"lifted"', 1)
    assert tampered != request.body
    assert not verify_signature(created["secret"], header, tampered)
    assert not verify_signature("whsec_someone-else", header, request.body)
    assert not verify_signature(created["secret"], header, request.body, now=time.time() + 600)


def test_failures_are_retried_and_delivered_in_order_exactly_once_acknowledged(
    make_api: ApiFactory, receiver: Receiver
) -> None:
    api = make_api(webhook_batch_size=2, webhook_max_attempts=10)
    created = api.register(receiver.url)
    receiver.fail = 3
    api.list_business(UNLISTED[0], "W-1")
    api.list_business(UNLISTED[1], "W-2")
    expected = [e["seq"] for e in api.feed(created["since"])]
    assert len(expected) > 2  # more than one batch

    def delivered() -> list[int]:
        return [e["seq"] for r in receiver.acknowledged() for e in r.json["events"]]

    wait_for(lambda: delivered() == expected)
    wait_for(lambda: api.webhook(created["id"])["since"] == expected[-1])
    # A positive control after the cursor moved past every batch: a repeat would show first.
    api.list_business("91330106MA2AAAAA28", "W-3")
    control = [e["seq"] for e in api.feed(expected[-1])]
    assert control
    wait_for(lambda: delivered()[len(expected) :] == control)
    assert delivered() == expected + control  # in order, none lost, none repeated after a 2xx
    assert all(len(r.json["events"]) <= 2 for r in receiver.got())
    # The failed batch was retried as the same delivery with the same events.
    attempts = [
        r for r in receiver.got() if r.json["delivery"] == receiver.got()[0].json["delivery"]
    ]
    assert [r.status for r in attempts] == [500, 500, 500, 200]
    assert len({r.body for r in attempts}) == 1
    assert all(
        verify_signature(created["secret"], r.headers[SIGNATURE_HEADER.lower()], r.body)
        for r in receiver.got()
    )
    log = api.client.get(
        f"/v1/webhooks/{created['id']}/deliveries?limit=100", headers=api.platform
    ).json()["items"]
    oldest = log[-1]
    assert (oldest["status"], oldest["attempts"], oldest["last_error"]) == ("delivered", 4, None)
    assert api.webhook(created["id"])["since"] == control[-1]


def test_a_receiver_that_keeps_failing_pauses_the_webhook_until_enabled(
    make_api: ApiFactory, receiver: Receiver
) -> None:
    api = make_api(webhook_max_attempts=3)
    created = api.register(receiver.url)
    hook = created["id"]
    receiver.fail = 1_000
    api.list_business(UNLISTED[0], "W-1")
    wait_for(lambda: api.webhook(hook)["status"] == "failing")
    # A positive control: a second webhook on a healthy receiver gets a later change, so
    # the worker has gone round again; the paused one was not tried in those rounds.
    with healthy_receiver() as healthy:
        control = api.register(healthy.url)
        api.list_business(UNLISTED[1], "W-2")
        wait_for(lambda: bool(delivered_to(healthy, control["id"])))
    assert len(receiver.got()) == 3  # max attempts, then nothing more
    shown = api.webhook(hook)
    assert (shown["since"], shown["last_error"]) == (created["since"], "HTTP 500")
    [failed] = api.client.get(f"/v1/webhooks/{hook}/deliveries", headers=api.platform).json()[
        "items"
    ]
    assert (failed["status"], failed["attempts"], failed["http_status"]) == ("failed", 3, 500)

    receiver.fail = 0
    enabled = api.client.post(f"/v1/webhooks/{hook}/enable", headers=api.platform)
    assert enabled.json()["status"] == "active"
    expected = api.feed(created["since"])
    wait_for(lambda: api.webhook(hook)["since"] == expected[-1]["seq"])
    assert receiver.acknowledged()[0].json["events"] == expected


def test_an_unreachable_receiver_is_retried(make_api: ApiFactory, receiver: Receiver) -> None:
    api = make_api(webhook_max_attempts=2)
    hook = api.register("http://127.0.0.1:9/nobody-listens")["id"]
    api.list_business(UNLISTED[0], "W-1")
    wait_for(lambda: api.webhook(hook)["status"] == "failing")
    [failed] = api.client.get(f"/v1/webhooks/{hook}/deliveries", headers=api.platform).json()[
        "items"
    ]
    assert failed["attempts"] == 2
    assert failed["http_status"] is None
    assert "ConnectError" in failed["last_error"]


def test_a_deleted_webhook_receives_nothing_more(api: Api, receiver: Receiver) -> None:
    hook = api.register(receiver.url)["id"]
    assert api.client.delete(f"/v1/webhooks/{hook}", headers=api.platform).status_code == 204
    control = api.register(receiver.url)["id"]  # a positive control on the same receiver
    api.list_business(UNLISTED[0], "W-1")
    wait_for(lambda: bool(delivered_to(receiver, control)))
    assert {r.json["subscription"] for r in receiver.got()} == {control}


def test_a_revoked_keys_webhooks_stop(api: Api, receiver: Receiver) -> None:
    created = api.state.keys.create("short-lived", "platform")
    response = api.client.post(
        "/v1/webhooks", json={"url": receiver.url}, headers={"X-API-Key": created.token}
    )
    assert response.status_code == 201
    revoked = response.json()["id"]
    api.state.keys.revoke(created.key.key_id)
    control = api.register(receiver.url)["id"]  # a live key's webhook, the positive control
    api.list_business(UNLISTED[0], "W-1")
    wait_for(lambda: bool(delivered_to(receiver, control)))
    assert revoked not in {r.json["subscription"] for r in receiver.got()}


# -- ping -----------------------------------------------------------------------------------
def test_a_ping_is_sent_signed_at_once(api: Api, receiver: Receiver) -> None:
    created = api.register(receiver.url)
    response = api.client.post(f"/v1/webhooks/{created['id']}/test", headers=api.platform)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["http_status"]) == ("delivered", 200)
    [ping] = receiver.got()
    assert ping.json["type"] == "ping"
    assert ping.json["events"] == []
    assert verify_signature(created["secret"], ping.headers[SIGNATURE_HEADER.lower()], ping.body)
    assert api.webhook(created["id"])["since"] == created["since"]


def test_with_delivery_off_nothing_is_sent(make_api: ApiFactory, receiver: Receiver) -> None:
    api = make_api(webhook_delivery=False)
    created = api.register(receiver.url)
    ping = api.client.post(f"/v1/webhooks/{created['id']}/test", headers=api.platform).json()
    assert ping["status"] == "failed"
    assert "turned off" in ping["last_error"]
    api.list_business(UNLISTED[0], "W-1")
    # Nothing could send later either: the delivery thread never started.
    assert not api.state.extras["webhooks"].running
    assert receiver.got() == []
    assert api.webhook(created["id"])["since"] == created["since"]
