"""The API side of keyset paging: the ``cursor`` query parameter and the ``next`` link.

Lists answer with ``next``, a relative URL that repeats the request with ``cursor`` set to
an opaque token (:mod:`graph.paging`); null on the last page. A cursor that is not one the
list issued is a 422 naming the field ``cursor``, never a store error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from graph.errors import InvalidInput
from graph.paging import MAX_CURSOR_LENGTH

__all__ = ["CursorQuery", "cursor_link", "refuse_offset"]

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
