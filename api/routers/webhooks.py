"""Platforms: webhooks that push the change feed, signed with a per-subscription secret.

A key sees and changes only the subscriptions it registered (anyone else's are 404).
Delivery, retries and signatures are in :mod:`api.webhooks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints

from api.deps import ApiState, PlatformKey, StateDep
from api.errors import PROBLEM_RESPONSES
from api.routers._views import next_link
from api.schemas import Page
from api.webhooks import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Payload,
    Subscription,
    WebhookWorker,
    check_host,
    feed_head,
)
from graph.errors import InvalidInput

__all__ = ["DeliveryOut", "WebhookCreated", "WebhookIn", "WebhookOut", "router", "webhooks"]

router = APIRouter(prefix="/v1/webhooks", tags=["platform"], responses=PROBLEM_RESPONSES)

WebhookId = Annotated[int, Path(ge=1, le=2**62, description="The webhook's id")]


class WebhookIn(BaseModel):
    """A URL to POST the change feed to."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"url": "https://hooks.example.com/credgraph"}]},
    )

    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=2_000)] = Field(
        description="http or https"
    )
    since: int | None = Field(
        None,
        ge=0,
        le=2**62,
        description="Deliver events after this seq (default: the feed's head, so new ones only)",
    )


class WebhookOut(BaseModel):
    """A subscription: ``since`` is the last seq the receiver acknowledged with a 2xx."""

    model_config = ConfigDict(frozen=True)

    id: int
    url: str
    status: Literal["active", "failing"] = Field(
        description="failing: delivery gave up after the last retry; POST …/enable resumes it"
    )
    since: int
    created: datetime
    last_error: str | None


class WebhookCreated(WebhookOut):
    """A new subscription with its signing secret: shown this once, keep it safe."""

    secret: str = Field(description="HMAC-SHA256 key of X-CredGraph-Signature")


class DeliveryOut(BaseModel):
    """One delivery: a batch of events (or a ping) and how sending it went."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Also sent as X-CredGraph-Delivery; repeats on retries")
    kind: DeliveryKind
    status: DeliveryStatus
    first_seq: int | None
    last_seq: int | None
    events: int
    attempts: int
    http_status: int | None
    last_error: str | None
    next_retry: datetime | None
    created: datetime
    updated: datetime


def webhooks(state: ApiState) -> WebhookWorker:
    """The app's webhook worker (opened in the lifespan)."""
    worker = state.extras.get("webhooks")
    assert isinstance(worker, WebhookWorker), "the lifespan opens the webhook worker"
    return worker


def _out(sub: Subscription) -> WebhookOut:
    return WebhookOut.model_validate(sub, from_attributes=True)


def _delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut.model_validate(d, from_attributes=True)


# Documents what the server sends to a registered URL (OpenAPI callbacks); never served.
_callbacks = APIRouter()


@_callbacks.post("{$request.body#/url}", summary="A delivery to the registered URL")
def delivery(  # pragma: no cover - documentation only
    body: Payload,
    x_credgraph_signature: Annotated[
        str, Header(description='t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>')
    ],
    x_credgraph_delivery: Annotated[str, Header(description="Repeats on retries")],
    x_credgraph_event_seq: Annotated[str, Header(description="= next_since")],
) -> None:
    """Answer 2xx once the batch is safely stored; anything else is retried."""


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    summary="Register a webhook for the change feed",
    callbacks=_callbacks.routes,
)
async def create(body: WebhookIn, key: PlatformKey, state: StateDep) -> WebhookCreated:
    """The reply carries the signing secret; it is never shown again. Loopback and
    private addresses are refused unless the server allows them; at most 10 per key."""
    url = str(body.url)
    check_host(url, allow_private=state.settings.webhook_allow_private_hosts, resolve=False)
    worker = webhooks(state)
    head = await run_in_threadpool(feed_head, state.store)
    since = head if body.since is None else body.since
    if since > head:
        raise InvalidInput(f"the feed's head is {head}", field="since")
    created = await run_in_threadpool(worker.hooks.create, key.key_id, url, since)
    worker.wake()
    return WebhookCreated(**_out(created.subscription).model_dump(), secret=created.secret)


@router.get("", response_model=Page[WebhookOut], summary="This key's webhooks")
async def list_webhooks(
    key: PlatformKey,
    state: StateDep,
    request: Request,
    cursor: Annotated[int, Query(ge=0, le=2**62, description="from the previous page's next")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[WebhookOut]:
    """Oldest first; only the subscriptions this key registered."""
    hooks = webhooks(state).hooks
    subs = await run_in_threadpool(hooks.of_key, key.key_id, after=cursor, limit=limit + 1)
    more = len(subs) > limit
    items = [_out(s) for s in subs[:limit]]
    nxt = next_link(request, cursor=items[-1].id, limit=limit) if more else None
    return Page[WebhookOut](items=items, limit=limit, next=nxt)


@router.get("/{webhook_id}", response_model=WebhookOut, summary="One webhook")
async def get_webhook(webhook_id: WebhookId, key: PlatformKey, state: StateDep) -> WebhookOut:
    """Its status (``failing`` after the last retry), cursor and last error."""
    hooks = webhooks(state).hooks
    return _out(await run_in_threadpool(hooks.get, key.key_id, webhook_id))


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a webhook")
async def delete(webhook_id: WebhookId, key: PlatformKey, state: StateDep) -> Response:
    """Nothing more is sent; its delivery history goes with it."""
    await run_in_threadpool(webhooks(state).hooks.delete, key.key_id, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{webhook_id}/enable", response_model=WebhookOut, summary="Resume a webhook")
async def enable(webhook_id: WebhookId, key: PlatformKey, state: StateDep) -> WebhookOut:
    """Resume a ``failing`` webhook from its cursor: the batch that failed is sent again."""
    worker = webhooks(state)
    sub = await run_in_threadpool(worker.hooks.enable, key.key_id, webhook_id)
    worker.wake()
    return _out(sub)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryOut],
    summary="Recent deliveries of a webhook",
)
async def deliveries(
    webhook_id: WebhookId,
    key: PlatformKey,
    state: StateDep,
    request: Request,
    before: Annotated[
        int | None, Query(ge=1, le=2**62, description="from the previous page's next")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[DeliveryOut]:
    """Newest first (the last 100 settled ones are kept, with any still being retried)."""
    hooks = webhooks(state).hooks
    found = await run_in_threadpool(
        hooks.deliveries, key.key_id, webhook_id, before=before, limit=limit + 1
    )
    page = found[:limit]
    nxt = next_link(request, before=page[-1][0], limit=limit) if len(found) > limit else None
    return Page[DeliveryOut](items=[_delivery_out(d) for _, d in page], limit=limit, next=nxt)


@router.post("/{webhook_id}/test", response_model=DeliveryOut, summary="Send a signed ping")
async def send_ping(webhook_id: WebhookId, key: PlatformKey, state: StateDep) -> DeliveryOut:
    """POST ``{"type": "ping", "events": [], …}`` now, signed like every delivery, and
    report how it went (one attempt; the cursor and status are untouched)."""
    worker = webhooks(state)
    return _delivery_out(await run_in_threadpool(worker.ping, key.key_id, webhook_id))
