"""Path and query parameter types shared by routers, read as ingest reads identifiers.

``Uid`` validates and normalises a uid (:func:`graph.identity.normalise_uid`): full-width
characters, zero-width characters, a USCC's dashes and a platform's case are read the way
ingest wrote them, and a text that is not a uid at all (an id number given bare, an id
broken up with dashes) is a 422 naming the parameter, not a 404.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from graph.errors import InvalidInput
from graph.identity import normalise_uid

__all__ = ["Uid"]


def _uid(text: str) -> str:
    try:
        return normalise_uid(text)
    except InvalidInput as exc:
        raise ValueError(exc.reason) from None


#: A uid parameter, normalised; combine with ``Path(...)`` or ``Query(...)`` for its limits.
Uid = Annotated[str, AfterValidator(_uid)]
