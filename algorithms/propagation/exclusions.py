"""Links propagation no longer follows: an upheld objection (异议) against a link.

A subject disputes one link on a derivation path ("I am not the actual controller of that
company"). When the objection is upheld the link (a relationship, by its ``rid``) is
excluded from propagation, in the scope the officer decides:

``all``
    no rule follows the link for any listing;
``rule``
    the named rule (``scope_value``, e.g. ``judgment_defaulter.actual_controller``) does
    not follow it;
``listing``
    paths from the named listing (``scope_value``, a listing uid) do not take it.

Exclusions are ``LinkExclusion`` nodes in the graph store, so every recomputation sees
them: the bounded write path (a listing added, removed or repaired, edges changed), the
full batch propagation, and a preview. The engine drops a path that takes an excluded
link (:func:`~algorithms.propagation.engine.propagate`, ``exclusions``): a restriction
with another path stays, with the remaining paths; one whose every path used the link is
lifted. The bounded neighbourhood may still read the link; the engine just never walks
it, so bounded and full recomputation stay equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graph.errors import InvalidInput
from graph.model import as_date
from graph.store import GraphStore

__all__ = [
    "SCOPES",
    "Exclusion",
    "Exclusions",
    "list_exclusions",
    "load_exclusions",
    "write_exclusion",
]

#: Where an excluded link no longer counts.
SCOPES: tuple[str, ...] = ("all", "rule", "listing")


@dataclass(frozen=True)
class Exclusion:
    """One excluded link, as decided on an objection."""

    rid: str
    scope: str
    scope_value: str | None
    objection_id: int
    decided: date
    rel_type: str | None = None
    src_uid: str | None = None
    dst_uid: str | None = None

    @property
    def uid(self) -> str:
        """One exclusion per objection: writing it again changes nothing."""
        return f"exclusion:{self.objection_id}"


@dataclass(frozen=True)
class Exclusions:
    """Excluded rids by scope, as the engine asks for them."""

    everywhere: frozenset[str] = frozenset()
    by_rule: Mapping[str, frozenset[str]] = field(default_factory=dict)
    by_listing: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.everywhere or self.by_rule or self.by_listing)

    def for_rule(self, rule_id: str) -> frozenset[str]:
        """Rids no path of this rule takes (for any listing)."""
        return self.everywhere | self.by_rule.get(rule_id, frozenset())

    def for_listing(self, listing_uid: str) -> frozenset[str]:
        """Rids no path from this listing takes (any rule)."""
        return self.by_listing.get(listing_uid, frozenset())

    @classmethod
    def of(cls, items: Iterable[Exclusion]) -> Exclusions:
        """Group exclusions by scope."""
        everywhere: set[str] = set()
        by_rule: dict[str, set[str]] = {}
        by_listing: dict[str, set[str]] = {}
        for x in items:
            if x.scope == "all":
                everywhere.add(x.rid)
            elif x.scope == "rule" and x.scope_value:
                by_rule.setdefault(x.scope_value, set()).add(x.rid)
            elif x.scope == "listing" and x.scope_value:
                by_listing.setdefault(x.scope_value, set()).add(x.rid)
        return cls(
            frozenset(everywhere),
            {k: frozenset(v) for k, v in by_rule.items()},
            {k: frozenset(v) for k, v in by_listing.items()},
        )


def _exclusion(row: Mapping[str, Any]) -> Exclusion:
    decided = as_date(row["decided"])
    return Exclusion(
        rid=row["rid"],
        scope=row["scope"],
        scope_value=row["scope_value"],
        objection_id=int(row["objection_id"]),
        decided=decided or date.min,
        rel_type=row.get("rel_type"),
        src_uid=row.get("src_uid"),
        dst_uid=row.get("dst_uid"),
    )


def load_exclusions(store: GraphStore) -> Exclusions:
    """Every exclusion on record (few: one per upheld link objection)."""
    return Exclusions.of(_exclusion(row) for row in store.query("punish/exclusions"))


def list_exclusions(store: GraphStore) -> list[Exclusion]:
    """Every exclusion on record, by objection."""
    found = [_exclusion(row) for row in store.query("punish/exclusions")]
    return sorted(found, key=lambda x: x.objection_id)


def write_exclusion(store: GraphStore, exclusion: Exclusion, now: datetime) -> None:
    """Put an exclusion on record (idempotent: keyed by its objection)."""
    if exclusion.scope not in SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}", field="scope")
    if exclusion.scope != "all" and not exclusion.scope_value:
        raise InvalidInput(f"scope {exclusion.scope} needs a value", field="scope_value")
    store.upsert_nodes(
        "LinkExclusion",
        [
            {
                "uid": exclusion.uid,
                "rid": exclusion.rid,
                "rel_type": exclusion.rel_type,
                "src_uid": exclusion.src_uid,
                "dst_uid": exclusion.dst_uid,
                "scope": exclusion.scope,
                "scope_value": exclusion.scope_value if exclusion.scope != "all" else None,
                "objection_id": exclusion.objection_id,
                "decided": exclusion.decided,
                "recorded_at": now,
                "source": "objection",
            }
        ],
    )
