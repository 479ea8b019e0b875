"""Keyset pagination: opaque cursors over a list's sort key, never ``SKIP``.

A page ends with the sort key of its last row; the next page asks the store for the rows
after that key (``WHERE key > $after ORDER BY key LIMIT $n``), so every page costs the same
whatever its depth. (LadybugDB 0.22 also crashed the process on ``ORDER BY … SKIP n`` when
``n`` ran far past the end of the result.)

The key travels to the client as a cursor: ``base64url(JSON [list, *key]) "." tag``, where
the tag is a keyed BLAKE2b digest of the payload. The tag is a checksum, not a permission: a
cursor only says where to resume, and the caller's scope is applied by the query itself, so
a forged cursor shows nothing the caller could not page to. It does make a truncated,
edited or borrowed cursor (one list's cursor given to another) an :class:`InvalidInput` on
the field ``cursor`` (a 422) rather than a store error.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Sequence
from datetime import date
from hashlib import blake2b
from typing import Final

from graph.errors import InvalidInput

__all__ = ["MAX_CURSOR_LENGTH", "KeyPart", "decode_cursor", "encode_cursor"]

#: A cursor longer than this is refused before it is decoded.
MAX_CURSOR_LENGTH: Final = 512

#: One part of a sort key as it travels in a cursor.
KeyPart = str | int | float | date

_TAG_KEY: Final = b"credgraph/keyset-cursor/v1"
_TAG_BYTES: Final = 8


def _tag(payload: bytes) -> str:
    digest = blake2b(payload, key=_TAG_KEY, digest_size=_TAG_BYTES).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _plain(part: KeyPart) -> str | int | float:
    if isinstance(part, date):
        return part.isoformat()
    return part


def encode_cursor(kind: str, key: Sequence[KeyPart]) -> str:
    """The opaque cursor resuming list ``kind`` after the row whose sort key is ``key``."""
    payload = json.dumps([kind, *(_plain(p) for p in key)], separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")
    return f"{body}.{_tag(payload)}"


def _bad(reason: str) -> InvalidInput:
    return InvalidInput(
        f"not a cursor this list issued ({reason}); start again without one", field="cursor"
    )


def decode_cursor(kind: str, cursor: str, shape: Sequence[type[KeyPart]]) -> tuple[KeyPart, ...]:
    """The sort key inside ``cursor``, checked against list ``kind`` and the types in ``shape``.

    Raises
    ------
    InvalidInput
        On the field ``cursor`` when the cursor is malformed, altered, from another list or
        holds a key of the wrong shape.
    """
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise _bad("empty or too long")
    body, dot, tag = cursor.partition(".")
    if not dot:
        raise _bad("no tag")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _bad("not base64url") from exc
    if not hmac.compare_digest(tag, _tag(payload)):
        raise _bad("tag does not match")
    try:
        decoded = json.loads(payload)
    except ValueError as exc:
        raise _bad("not JSON") from exc
    if not isinstance(decoded, list) or len(decoded) != len(shape) + 1 or decoded[0] != kind:
        raise _bad("another list's cursor")
    key: list[KeyPart] = []
    for value, want in zip(decoded[1:], shape, strict=True):
        key.append(_part(value, want))
    return tuple(key)


def _part(value: object, want: type[KeyPart]) -> KeyPart:
    if want is date:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError as exc:
                raise _bad("a date that is not one") from exc
        raise _bad("a date that is not one")
    if want is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if want is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if want is str and isinstance(value, str):
        return value
    raise _bad(f"a {want.__name__} that is not one")
