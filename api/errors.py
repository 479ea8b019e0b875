"""Errors as RFC 9457 problem details: the one table that maps errors to HTTP statuses.

::

    ApiError                      raised by the API layer itself (never by domain code)
    ├── Unauthorized       401    no key, or a key the server does not know
    ├── Forbidden          403    the key's scope does not allow the endpoint or subject
    └── RateLimited        429    the key's token bucket is empty (carries Retry-After)

Domain errors (``graph.errors``) keep their own tree; :data:`STATUS_BY_ERROR` gives each
branch its status, most specific class first. Every handler answers
``application/problem+json`` with ``type``, ``title``, ``status``, ``detail`` and
``instance``; request-validation errors list the fields at fault but never echo the input
(it may hold an id number).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import Problem
from graph.errors import (
    AlgorithmError,
    ConfigError,
    CreditGraphError,
    DidNotConverge,
    InvalidInput,
    NoPath,
    NotFound,
    RuleError,
    StoreError,
    StoreUnavailable,
)
from graph.redact import Redactor

__all__ = [
    "PROBLEM_JSON",
    "PROBLEM_RESPONSES",
    "STATUS_BY_ERROR",
    "ApiError",
    "Forbidden",
    "RateLimited",
    "Unauthorized",
    "install_error_handlers",
    "problem",
]

log = logging.getLogger("credgraph.api")

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://credgraph.example.cn/problems/"


class ApiError(Exception):
    """An error the API layer raises about a request (authentication, quotas, limits)."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = dict(headers or {})


class Unauthorized(ApiError):
    """No API key, or one the server does not know."""

    status = 401
    title = "Unauthorized"


class Forbidden(ApiError):
    """The key's scope does not allow this endpoint or this subject."""

    status = 403
    title = "Forbidden"


class RateLimited(ApiError):
    """The key has used up its request budget for now."""

    status = 429
    title = "Too many requests"


#: Domain error → (status, title, problem type slug). First matching class wins.
STATUS_BY_ERROR: tuple[tuple[type[CreditGraphError], int, str, str], ...] = (
    (NotFound, 404, "Not found", "not-found"),
    (InvalidInput, 422, "Invalid input", "invalid-input"),
    (RuleError, 422, "Rule error", "rule-error"),
    (NoPath, 404, "No path", "no-path"),
    (DidNotConverge, 503, "Computation did not converge", "did-not-converge"),
    (AlgorithmError, 500, "Algorithm error", "algorithm-error"),
    (StoreUnavailable, 503, "Store unavailable", "store-unavailable"),
    (StoreError, 500, "Store error", "store-error"),
    (ConfigError, 500, "Configuration error", "config-error"),
    (CreditGraphError, 500, "Internal error", "internal"),
)


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response; ``instance`` is the request path (never the query string)."""
    body: dict[str, Any] = {
        "type": _TYPE_BASE + (slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": _safe_instance(request),
    }
    if extra:
        body.update(extra)
    # Whatever field an id number arrived in, an error never echoes it (masked here).
    body = _MASK.value(body)
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


def _safe_instance(request: Request) -> str:
    """The path, with a person id number replaced (it must not travel back into logs)."""
    from api.audit import redact_path

    return redact_path(request.url.path)


_MASK = Redactor(mask=True)


def _domain_entry(exc: CreditGraphError) -> tuple[int, str, str]:
    for cls, status, title, slug in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status, title, slug
    return 500, "Internal error", "internal"  # pragma: no cover - CreditGraphError is last


async def _on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CreditGraphError)
    status, title, slug = _domain_entry(exc)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidInput):
        detail = exc.reason
        if exc.field:
            extra["field"] = exc.field
            detail = f"{exc.field}: {exc.reason}"
    elif status >= 500:
        # Driver messages can carry query text; log them, answer plainly.
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        detail = "the graph store could not answer" if isinstance(exc, StoreError) else str(exc)
        if isinstance(exc, StoreUnavailable):
            headers["Retry-After"] = "5"
    else:
        detail = str(exc)
    return problem(request, status, title, detail, slug=slug, headers=headers, extra=extra)


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    slug = exc.title.lower().replace(" ", "-")
    return problem(request, exc.status, exc.title, exc.detail, slug=slug, headers=exc.headers)


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": _field_name(e.get("loc", ())),
            "message": str(e.get("msg", "")),
            "type": e.get("type"),
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "request", "message": "invalid"}
    detail = f"{first['field']}: {first['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return problem(
        request,
        422,
        "Invalid input",
        detail,
        slug="invalid-input",
        extra={"field": first["field"], "errors": errors},
    )


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
    return problem(
        request,
        exc.status_code,
        title,
        str(exc.detail),
        headers=exc.headers,
        slug=title.lower().replace(" ", "-"),
    )


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return problem(request, 500, "Internal error", "an unexpected error occurred", slug="internal")


Handler = Callable[[Request, Exception], Awaitable[Response]]

#: The handler table (one entry per error family).
HANDLERS: tuple[tuple[type[Exception], Handler], ...] = (
    (CreditGraphError, _on_domain_error),
    (ApiError, _on_api_error),
    (RequestValidationError, _on_validation_error),
    (StarletteHTTPException, _on_http_error),
    (Exception, _on_unexpected),
)


def install_error_handlers(app: FastAPI) -> None:
    """Register every entry of :data:`HANDLERS` on ``app``."""
    for cls, handler in HANDLERS:
        app.add_exception_handler(cls, handler)


#: OpenAPI ``responses`` entry for the problem statuses routers share.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "model": Problem,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, description in (
        (401, "No API key or an unknown one"),
        (403, "The key's scope does not allow this"),
        (404, "Not found"),
        (422, "Invalid input"),
        (429, "Rate limit exceeded; see Retry-After"),
        (503, "The graph store is unavailable"),
    )
}
