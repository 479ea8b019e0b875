"""Which restrictions are disputed: an open objection (异议) names the restriction itself,
the listing it follows from, or one link (``rid``) on one of its derivation paths.

A disputed restriction stays in force; answers carry the open objections' ids so that a
platform and the subject see that it is being reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

__all__ = ["Disputes", "disputed_by"]

#: Open objections by what they name (restriction uid, listing uid or rid) -> objection ids.
Disputes = Mapping[str, Sequence[int]]


def disputed_by(
    disputes: Disputes | None, restriction_uid: str, listing_uid: str, rids: Iterable[str]
) -> tuple[int, ...]:
    """The open objections against a restriction, its listing or a link it was derived over."""
    if not disputes:
        return ()
    found: set[int] = set()
    for target in (restriction_uid, listing_uid, *rids):
        found.update(disputes.get(target, ()))
    return tuple(sorted(found))
