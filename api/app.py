"""The CreditGraph HTTP API: ``create_app(settings)`` builds it.

Routers live in ``api/routers/<feature>.py``, each exposing ``router`` (or ``routers``,
a tuple, when a feature serves two audiences); :data:`ROUTERS`
lists them in the order they appear in the OpenAPI document. A feature whose algorithm
package is not installed yet (``algorithms.*`` missing) is left out with a warning, so a
new feature is one line here plus its router module.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from fastapi import APIRouter, FastAPI

from api.alerts import AlertStore, AlertWorker
from api.audit import AuditLog, AuditMiddleware
from api.deps import ApiState, serialised
from api.errors import install_error_handlers
from api.limits import RequestLimitMiddleware, body_limits
from api.security import KeyStore
from api.webhooks import WebhookStore, WebhookWorker
from graph.config import Settings
from graph.factory import open_store
from graph.memory import tune_garbage_collector
from graph.redact import RedactingStore, install_log_redaction
from graph.store import GraphStore

__all__ = ["BENCH_CEILING_ENV", "ROUTERS", "api_db_path", "create_app"]

log = logging.getLogger("credgraph.api")

#: Router modules under ``api/routers``, in OpenAPI order. Add a feature with one line.
ROUTERS: tuple[str, ...] = (
    "health",
    "restrictions",
    "changes",
    "webhooks",
    "feedback",
    "identity",
    "entities",
    "paths",
    "ownership",
    "listings",
    "shells",
    "agents",
    "alerts",
    "overview",
    "rings",
    "brands",
    "decisions",
    "evidence",
    "objections",
    "approvals",
)

#: Loggers whose handlers get a redacting filter (uvicorn formats access lines itself).
_SERVER_LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error")

#: Set to 1 to add ``GET /bench/ceiling`` (a constant JSON answer) for bench/api.py.
BENCH_CEILING_ENV = "CREDGRAPH_BENCH_CEILING"

_TAGS = [
    {"name": "health", "description": "Liveness and readiness."},
    {
        "name": "platform",
        "description": "Restriction checks, change feed and webhooks, feedback, identity.",
    },
    {"name": "officer", "description": "Search, credit records, networks, paths, listings."},
    {
        "name": "decisions",
        "description": "The tamper-evident decision log: signed tree heads, inclusion and "
        "consistency proofs (RFC 6962).",
    },
    {"name": "evidence", "description": "Evidence files on violations and reports, by SHA-256."},
]

_DESCRIPTION = """\
Credit records and joint punishment (联合惩戒) over the CreditGraph knowledge graph.

* **Platforms** (`platform` keys) check whether a business, person or store is restricted,
  in batches of up to 1,000, follow a feed of changes (or have it pushed to a signed
  webhook) and report back what they did (反馈).
  They never see the network, people's details or other platforms' feedback.
* **Officers** (`officer` keys) search entities, read credit records, explore networks and
  paths, read restriction explanations and manage listings.

Send the key in `X-API-Key`. Errors are RFC 9457 `application/problem+json`. Person id
numbers are hashed on arrival; prefer `POST /v1/restrictions/check` for people so the
number is not in a URL.
"""


def api_db_path(settings: Settings) -> Path:
    """Where keys, the audit trail and feedback live: beside the embedded graph."""
    return settings.embedded_path.parent / "api.sqlite3"


def _load_routers(name: str) -> tuple[APIRouter, ...]:
    module_name = f"api.routers.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module_name:
            return ()
        if missing.startswith("algorithms."):
            log.warning("API feature %s left out: %s is not installed", name, missing)
            return ()
        raise
    found: tuple[APIRouter, ...] = getattr(module, "routers", None) or (module.router,)
    return found


def create_app(
    settings: Settings,
    store: GraphStore | None = None,
    *,
    api_db: Path | None = None,
    bench_ceiling: bool | None = None,
    close_store: bool | None = None,
) -> FastAPI:
    """The API over ``store`` (opened from ``settings`` at startup when not given).

    A store passed in belongs to the caller and stays open at shutdown, unless
    ``close_store`` hands it over (``credgraph serve`` opens it first, to refuse a store
    another process holds in one line); one the app opens is closed by it.
    """
    db_path = api_db or api_db_path(settings)
    tune_garbage_collector()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None if close_store is None else close_store
        graph_store = open_store(settings) if store is None else store
        keys = KeyStore(db_path)
        audit = AuditLog(
            db_path,
            key=settings.id_hash_key.get_secret_value(),
            flush_seconds=settings.audit_flush_seconds,
            retention_days=settings.audit_retention_days,
            compact_hours=settings.audit_compact_hours,
        )
        key = settings.id_hash_key.get_secret_value()
        api_store = cast(GraphStore, RedactingStore(graph_store, key))
        state = app.state.credgraph = ApiState(settings, serialised(api_store), keys, audit)
        # Closed with the other extras below, before the store.
        webhooks = state.extras["webhooks"] = WebhookWorker(
            WebhookStore(db_path), state.store, settings
        )
        if settings.webhook_delivery:
            webhooks.start()
        alerts = AlertStore(db_path)
        scanner = state.extras["alert_worker"] = AlertWorker(
            alerts, state.store, settings.webhook_poll_seconds, on_new=webhooks.wake
        )
        state.extras["alerts"] = alerts  # closed after the worker (extras close in order)
        if settings.webhook_delivery:
            scanner.start()
        try:
            yield
        finally:
            for extra in app.state.credgraph.extras.values():
                close = getattr(extra, "close", None)
                if callable(close):
                    close()
            audit.close()
            keys.close()
            if own_store:
                graph_store.close()

    app = FastAPI(
        title="CreditGraph API",
        version="1.0.0",
        description=_DESCRIPTION,
        openapi_tags=_TAGS,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for name in ROUTERS:
        for router in _load_routers(name):
            app.include_router(router)
    app.include_router(importlib.import_module("api.console.router").router)  # /console
    if bench_ceiling is None:
        bench_ceiling = os.environ.get(BENCH_CEILING_ENV) == "1"
    if bench_ceiling:
        _add_ceiling(app)
    app.add_middleware(
        RequestLimitMiddleware,
        default=settings.max_body_bytes,
        per_endpoint=body_limits(settings),
    )
    app.add_middleware(AuditMiddleware, durable=settings.audit_durable)
    install_log_redaction(settings.id_hash_key.get_secret_value(), loggers=_SERVER_LOGGERS)
    return app


def _add_ceiling(app: FastAPI) -> None:
    body = {"status": "ok", "restricted": False, "measures": []}

    @app.get("/bench/ceiling", include_in_schema=False)
    async def ceiling() -> dict[str, Any]:
        return body
