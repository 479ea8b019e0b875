"""Dependencies routers declare: the store, settings, the caller's key and its scope.

Use the ``Annotated`` aliases (``StoreDep``, ``PlatformKey``, ``OfficerKey`` ...) in
signatures. Authentication, scope checks and rate limiting are ``async`` and do no I/O,
so they run on the event loop without a thread hop.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from api.audit import AUDIT_SCOPE_KEY, AuditContext, AuditLog
from api.errors import Forbidden, RateLimited, Unauthorized
from api.schemas import EntityKind
from api.security import ApiKey, KeyStore, RateLimiter, Scope
from graph.config import Settings
from graph.errors import InvalidInput
from graph.identity import business_uid, hash_person_id, person_uid, store_uid
from graph.normalise import compact_identifier
from graph.store import GraphStore

__all__ = [
    "AnyKey",
    "ApiState",
    "BrandKey",
    "OfficerKey",
    "PlatformKey",
    "SettingsDep",
    "StateDep",
    "StoreDep",
    "audit_subject",
    "audit_subjects",
    "get_state",
    "require",
    "serialised",
    "subject_uid",
]


class SerialisedStore:
    """A store proxy that makes every call under one re-entrant lock.

    LadybugDB serves the whole process through one connection, which is not safe for
    concurrent statements from the server's worker threads and background pollers; a
    transaction holds the lock from ``BEGIN`` to ``COMMIT``. Neo4j's driver is thread-safe
    and is used directly.
    """

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._lock = threading.RLock()
        self.dialect = store.dialect

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name == "transaction":
            return self._transaction
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return locked

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock, self._store.transaction():
            yield


def serialised(store: GraphStore) -> GraphStore:
    """``store`` as the API uses it: behind a lock when it is the embedded store."""
    if store.dialect != "ladybug":
        return store
    return cast(GraphStore, SerialisedStore(store))


@dataclass
class ApiState:
    """Everything the app holds for its lifetime (``app.state.credgraph``)."""

    settings: Settings
    store: GraphStore
    keys: KeyStore
    audit: AuditLog
    limiter: RateLimiter = field(default_factory=RateLimiter)
    #: Serialises graph writes made through the API (LadybugDB has one writer connection).
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    #: Feature caches (search index, restriction cache ...) keyed by feature name.
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def id_hash_key(self) -> str:
        """The key id numbers are hashed with."""
        return self.settings.id_hash_key.get_secret_value()


def get_state(request: Request) -> ApiState:
    """The app's state."""
    state: ApiState = request.app.state.credgraph
    return state


async def _state(request: Request) -> ApiState:
    return get_state(request)


async def _store(request: Request) -> GraphStore:
    return get_state(request).store


async def _settings(request: Request) -> Settings:
    return get_state(request).settings


StateDep = Annotated[ApiState, Depends(_state)]
StoreDep = Annotated[GraphStore, Depends(_store)]
SettingsDep = Annotated[Settings, Depends(_settings)]

_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="The key `credgraph keys create` printed (also accepted as a Bearer token).",
)


def _context(request: Request) -> AuditContext | None:
    ctx = request.scope.get(AUDIT_SCOPE_KEY)
    return ctx if isinstance(ctx, AuditContext) else None


def _authenticate(request: Request, token: str | None) -> ApiKey:
    if not token:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    if not token:
        raise Unauthorized("send an API key in the X-API-Key header")
    state = get_state(request)
    key = state.keys.authenticate(token)
    if key is None:
        raise Unauthorized("unknown or revoked API key")
    ctx = _context(request)
    if ctx is not None:
        ctx.key_id, ctx.key_name, ctx.scope = key.key_id, key.name, key.scope.value
    wait = state.limiter.take(key)
    if wait:
        raise RateLimited(
            f"rate limit of {key.limits[0]:g} requests/s exceeded; retry in {wait:.2f} s",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    return key


async def authenticate(
    request: Request, token: Annotated[str | None, Depends(_api_key_header)]
) -> ApiKey:
    """The caller's key: 401 without a known key, 429 when its bucket is empty."""
    return _authenticate(request, token)


def require(*scopes: Scope) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency admitting keys of the given scopes only (403 for others).

    It authenticates itself rather than depending on :func:`authenticate`: FastAPI's
    dependency resolution is a measurable share of a platform check (bench/api.py), and
    one level fewer is cheaper.
    """
    allowed = frozenset(scopes)
    names = " or ".join(s.value for s in scopes)

    async def check(
        request: Request, token: Annotated[str | None, Depends(_api_key_header)]
    ) -> ApiKey:
        key = _authenticate(request, token)
        if key.scope not in allowed:
            raise Forbidden(
                f"this endpoint needs a key of scope {names}; yours is {key.scope.value}"
            )
        return key

    return check


AnyKey = Annotated[ApiKey, Depends(authenticate)]
PlatformKey = Annotated[ApiKey, Depends(require(Scope.PLATFORM, Scope.OFFICER))]
OfficerKey = Annotated[ApiKey, Depends(require(Scope.OFFICER))]
BrandKey = Annotated[ApiKey, Depends(require(Scope.BRAND, Scope.OFFICER))]


def audit_subject(request: Request, uid: str) -> None:
    """Name the entity this request is about in its audit row."""
    ctx = _context(request)
    if ctx is not None:
        ctx.subject = uid


def audit_subjects(request: Request, uids: list[str]) -> None:
    """Name every entity a batch request is about."""
    ctx = _context(request)
    if ctx is not None:
        ctx.subjects = uids
        ctx.subject = f"batch:{len(uids)}"


_RIC = re.compile(r"^\d{17}[\dXx]$")


def subject_uid(kind: EntityKind, value: str, id_hash_key: str) -> str:
    """The uid a platform's identifier names; a person's id number is hashed here, at once.

    Resident id numbers (18 characters) are validated; other id documents (passports)
    are hashed as given.
    """
    try:
        if kind is EntityKind.BUSINESS:
            return business_uid(value)
        if kind is EntityKind.STORE:
            return store_uid(value, "id")
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field="id") from exc
    # the reading ingest gives id numbers (graph.normalise): width, zero-width, dashes, case
    text = compact_identifier(value)
    if not text:
        raise InvalidInput("empty id number", field="id")
    if _RIC.match(text):
        try:
            return hash_person_id(text, id_hash_key).uid
        except InvalidInput as exc:
            raise InvalidInput("not a valid resident id number", field="id") from exc
    if len(text) == 18 or not re.fullmatch(r"[A-Za-z0-9-]{5,32}", text):
        raise InvalidInput("not a valid id number", field="id")
    return person_uid(text, id_hash_key)
