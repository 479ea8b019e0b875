"""The API side of keyset paging: the ``cursor`` query parameter and the ``next`` link.

Lists ranked in memory after a whole computation (search, a brand's links and repeat
infringers) take the same ``cursor`` and give the same ``next``; their cursor holds the
position in the ranking (:func:`start_of`, :func:`position_link`), and their ``offset``
stays for older clients (at most :data:`graph.store.MAX_OFFSET`; never a store ``SKIP``).

Lists answer with ``next``, a relative URL that repeats the request with ``cursor`` set to
an opaque token (:mod:`graph.paging`); null on the last page. A cursor that is not one the
list issued is a 422 naming the field ``cursor``, never a store error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from graph.errors import InvalidInput
from graph.paging import MAX_CURSOR_LENGTH, decode_cursor, encode_cursor
from graph.store import MAX_OFFSET

__all__ = ["CursorQuery", "cursor_link", "position_link", "refuse_offset", "start_of"]

CursorQuery = Annotated[
    str | None,
    Query(
        min_length=3,
        max_length=MAX_CURSOR_LENGTH,
        pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
        description="Resume after the previous page: the cursor in its ``next`` (opaque)",
    ),
]


def cursor_link(request: Request, cursor: str | None) -> str | None:
    """This request with ``cursor`` replaced (``offset`` dropped): the ``next`` of a page."""
    if cursor is None:
        return None
    url = request.url.remove_query_params("offset").include_query_params(cursor=cursor)
    return f"{url.path}?{url.query}"


def refuse_offset(
    offset: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> None:
    """A 422 for ``offset`` on a keyset-paged list, rather than a silent first page: a
    client still paging by offset learns at once that it must follow ``next``."""
    if offset is not None:
        raise InvalidInput("this list pages by cursor: follow the page's next", field="offset")


def start_of(kind: str, cursor: str | None, offset: int) -> int:
    """Where a page of in-memory list ``kind`` starts: the cursor's position, else ``offset``."""
    if cursor is None:
        return offset
    (position,) = decode_cursor(kind, cursor, (int,))
    if not isinstance(position, int) or not 0 <= position <= MAX_OFFSET:
        raise InvalidInput("not a cursor this list issued (position)", field="cursor")
    return position


def position_link(request: Request, kind: str, position: int | None) -> str | None:
    """The ``next`` of a page of in-memory list ``kind`` that goes on at ``position``."""
    if position is None or position > MAX_OFFSET:
        return None
    return cursor_link(request, encode_cursor(kind, (position,)))
