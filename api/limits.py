"""Request limits enforced before any router runs: body size per endpoint, and paths or
query strings no router could answer.

Bodies are counted as they stream in: a ``Content-Length`` above the endpoint's limit is
refused with 413 before a byte is read, and a body without one (chunked) is refused as
soon as the count passes the limit, so neither a 110 MB batch nor a 100 MB CSV is ever
buffered whole or parsed. A body within the limit is handed on unchanged.

A path or query string holding a NUL or another control character (``/console/static/%00``
made the file lookup raise, a 500 that dropped the keep-alive connection), or a path
longer than :data:`MAX_PATH_CHARS`, is a 400 before routing.

Limits come from :class:`graph.config.Settings` (``max_body_bytes``, and per endpoint
``max_batch_body_bytes``, ``max_csv_body_bytes`` and ``evidence_max_bytes``); see
docs/configuration.md. A body within its limit is held in memory until the endpoint runs
(at most the largest limit, 25 MiB for evidence by default).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from graph.config import Settings

__all__ = ["MAX_PATH_CHARS", "RequestLimitMiddleware", "body_limits"]

#: The longest path served; every route's path is far shorter.
MAX_PATH_CHARS = 2_048

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_ENCODED = re.compile(rb"%(?:[01][0-9a-f]|7f)", re.IGNORECASE)


def body_limits(settings: Settings) -> dict[tuple[str, str], int]:
    """Endpoints with a limit of their own: ``(method, path)`` → bytes."""
    return {
        ("POST", "/v1/restrictions/batch"): settings.max_batch_body_bytes,
        ("POST", "/v1/brands/reports/bulk"): settings.max_csv_body_bytes,
        # the file's own limit plus room for the multipart envelope (api/routers/evidence.py)
        ("POST", "/v1/evidence"): settings.evidence_max_bytes + 64 * 1024,
    }


class _TooLarge(Exception):
    pass


class RequestLimitMiddleware:
    """Pure ASGI middleware: the checks above, answered as problem+json."""

    def __init__(
        self, app: ASGIApp, *, default: int, per_endpoint: Mapping[tuple[str, str], int]
    ) -> None:
        self.app = app
        self.default = default
        self.per_endpoint = dict(per_endpoint)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        query: bytes = scope.get("query_string", b"")
        if len(path) > MAX_PATH_CHARS:
            await self._refuse(scope, send, 414, "URI too long", "the path is too long")
            return
        if (
            _CONTROL.search(path)
            or _CONTROL.search(query.decode("latin-1"))
            or (_CONTROL_ENCODED.search(query))
        ):
            await self._refuse(
                scope, send, 400, "Bad request", "control characters in the path or query"
            )
            return
        method: str = scope.get("method", "GET")
        limit = self.per_endpoint.get((method, path.rstrip("/")), self.default)
        length = _content_length(scope)
        if length == -1:
            await self._refuse(scope, send, 400, "Bad request", "Content-Length is not a number")
            return
        if length is not None and length > limit:
            await self._too_large(scope, send, limit)
            return
        try:
            body, rest = await _read_body(receive, limit)
        except _TooLarge:
            await self._too_large(scope, send, limit)
            return
        await self.app(scope, _replay(body, rest, receive), send)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        detail = f"the body is larger than this endpoint's limit of {limit:,} bytes"
        await self._refuse(scope, send, 413, "Content too large", detail)

    async def _refuse(self, scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
        safe = dict(scope)
        if _CONTROL.search(safe.get("path", "")) or len(safe.get("path", "")) > MAX_PATH_CHARS:
            safe["path"] = "/"  # the problem's `instance` must not carry what was refused
        safe["query_string"] = b""
        response = problem(Request(safe), status, title, detail, headers={"Connection": "close"})
        await response(safe, _no_receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent, -1 when not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else -1
    return None


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """The whole body (refusing past ``limit``), and any non-body messages read meanwhile."""
    chunks: list[bytes] = []
    total = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunk: bytes = message.get("body", b"")
        total += len(chunk)
        if total > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, rest: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *rest]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
